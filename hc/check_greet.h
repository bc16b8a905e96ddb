/*
 * check_greet.h: what the greeting protocols (smtp, pop3, imap, ftp)
 * share: their address, a connection that reads the server's greeting and
 * replies line by line with one deadline, numbered replies spread over
 * several lines, and a polite goodbye.
 */
#ifndef HC_CHECK_GREET_H
#define HC_CHECK_GREET_H

#include <stddef.h>
#include <stdint.h>

#include "net.h"

#define GREET_LINE	1024	/* longest reply line we accept */
#define GREET_QUIT_MS	250	/* how long we wait for the goodbye */

/* The configuration of a greeting check. */
struct greet_conf {
	const char	*proto;	/* "smtp": starts the reasons */
	struct net_addr	 addr;
	char		*helo;	/* smtp: the EHLO name; owned */
};

/* One conversation with a server. */
struct greet {
	const char		*proto;	/* the conf's */
	int			 fd;
	int			 lost;	/* a read or send failed */
	int64_t			 deadline;
	char			*why;	/* the caller's result */
	size_t			 whylen;
	char			 line[GREET_LINE]; /* last read */
	struct net_lines	 nl;
};

/*
 * The address (argv[0], with default_port when it has none) of check
 * proto; with opts, words after it are the caller's options, else an
 * error. Returns a new conf, or NULL with err set.
 */
struct greet_conf	*greet_parse(const char *proto, int default_port,
			    int argc, char **argv, int opts, char *err,
			    size_t errlen);
void			 greet_free(void *conf);

/* Connect; NULL with why set. Yields. */
struct greet	*greet_open(const struct greet_conf *, int64_t deadline,
		    char *why, size_t whylen);
/* Send cmd and CR LF; 0, or -1 with why set. */
int		 greet_send(struct greet *, const char *cmd);
/*
 * The next line into g->line; 0, or -1 with why set ("timeout waiting for
 * the greeting", "timeout waiting for the reply to EHLO"). what is
 * "greeting" or the command the line answers.
 */
int		 greet_line(struct greet *, const char *what);
/*
 * A numbered reply: "220 text", or "220-text" and more lines up to the
 * one starting "220 ". Returns 0 when its code is want, else -1 with why
 * set: "smtp greeting 554 text", "timeout waiting for the greeting".
 */
int		 greet_reply(struct greet *, int want, const char *what);
/* why = "smtp greeting -ERR text": g->line, where else was expected. */
void		 greet_unexpected(struct greet *, const char *what);
/*
 * Say cmd (NULL: nothing; nor after a failed read or send) and wait a
 * little for the answer, up to a line starting with last (NULL: any
 * line); then close and free g. The check's result is decided before:
 * nothing here changes why.
 */
void		 greet_close(struct greet *, const char *cmd,
		    const char *last);

#endif
