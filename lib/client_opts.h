/*
 * client_opts.h: the options failc, failstat and faildebug share (port,
 * transport, community or key and node, timeout) and their exit codes.
 */
#ifndef CLIENT_OPTS_H
#define CLIENT_OPTS_H

#include "client.h"

enum {				/* exit codes, as STYLE.md says */
	EXIT_OK = 0,
	EXIT_REFUSED = 1,
	EXIT_USAGE = 2,
	EXIT_UNREACHABLE = 3,
	EXIT_USAGE_STATUS = 64	/* failstat's, where 2 is a state: EX_USAGE */
};

struct client_opts {
	const char	*prog;
	int		 port;
	int		 tcp;
	const char	*community;
	const char	*keyfile;
	const char	*keyid;
	const char	*by;
	const char	*node;		/* -N: the faild's node name */
	int		 timeout_ms;
	int		 usage_exit;	/* EXIT_USAGE, or failstat's */
	struct keyring	*keys;		/* owned */
};

#define CLIENT_OPTS_GETOPT	"c:K:k:N:P:p:t:"

void	client_opts_init(struct client_opts *, const char *prog);
/* Handle one shared option; returns 0 if ch is not one of them. */
int	client_opts_parse(struct client_opts *, int ch, const char *arg);
/* Set up c for host; 0, or with err set -1 (options), 1 (the host). */
int	client_opts_setup(struct client_opts *, const char *host,
	    struct fail_client *c, char *err, size_t errlen);
/* The same, but exits with a message on any problem: a usage error, or
 * EXIT_UNREACHABLE for a host that does not resolve. */
void	client_opts_connect(struct client_opts *, const char *host,
	    struct fail_client *c);
/* Print "prog: host: problem" and exit with code. */
void	client_die(const struct client_opts *, const char *host, int code,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5),
	    noreturn));
/* Exit with code if resp is an ERR, after saying so. */
void	client_check_refused(const struct client_opts *, const char *host, int code,
	    const struct proto_resp *);

#endif
