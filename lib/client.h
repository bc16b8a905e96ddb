/*
 * client.h: a failproto(5) client on Pth, shared by failc, failstat,
 * faildebug and later failsh and hc. It numbers requests, signs them when
 * it has a key, retries over UDP, and checks that an answer belongs to its
 * question and, when signed, is genuine.
 */
#ifndef FAIL_CLIENT_H
#define FAIL_CLIENT_H

#include <stdint.h>

#include "auth.h"
#include "net.h"
#include "proto.h"

#define CLIENT_MAX_LINE	(32 << 20)	/* an answer over TCP, see failproto(5) */

struct fail_client {
	struct net_addr		 addr;
	int			 tcp;		/* else UDP */
	int			 timeout_ms;	/* per call */
	const char		*community;	/* borrowed; NULL: none sent */
	const char		*by;		/* borrowed; NULL: none sent */
	const struct auth_key	*key;		/* borrowed; NULL: unsigned */
	const char		*to;		/* the faild's node name, which
						   signed requests carry: to_host
						   or borrowed; NULL: none */
	char			 to_host[PROTO_MAX_NAME + 1];
	int			 fd;		/* -1 when closed */
	unsigned		 seq;
	char			 id[PROTO_MAX_ID + 1];	/* last sent, TCP */
	char			 nonce[PROTO_MAX_NONCE + 1];	/* last sent */
	struct net_lines	*lines;		/* owned, TCP only */
};

/*
 * Parse "host[:port]" into c; 0, or -1 with err set. Signed requests will
 * name the faild by host (this host's name for a loopback address), unless
 * the caller sets c->to: a faild answers only requests signed for its own
 * node name (failproto(5)).
 */
int	 fail_client_init(struct fail_client *, const char *host, int port,
	    int tcp, char *err, size_t errlen);
void	 fail_client_close(struct fail_client *);

/*
 * Send "verb args" and wait for its answer. Returns 0 with resp filled
 * (OK or ERR from the server), or -1 with err set when the server could not
 * be reached, did not answer in time, or answered falsely. Yields.
 * A UDP answer truncated with "use TCP" (failproto(5)) is asked again over
 * TCP, and the client stays on TCP.
 */
int	 fail_client_call(struct fail_client *, const char *request,
	    struct proto_resp *resp, char *err, size_t errlen);

/*
 * Watch (TCP): send the request, then read its lines one by one with
 * fail_client_next (deadline -1 waits for ever). Same returns as call.
 */
int	 fail_client_watch(struct fail_client *, struct proto_resp *first,
	    char *err, size_t errlen);
int	 fail_client_next(struct fail_client *, struct proto_resp *,
	    int64_t deadline, char *err, size_t errlen);

#endif
