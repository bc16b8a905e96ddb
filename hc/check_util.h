/*
 * check_util.h: what several checks share: option words, addresses,
 * connecting with a deadline, reading lines, patterns, results.
 */
#ifndef HC_CHECK_UTIL_H
#define HC_CHECK_UTIL_H

#include <regex.h>
#include <stddef.h>
#include <stdint.h>

#include "net.h"

/*
 * Options after a check's address come as "key value" pairs. Walk them
 * with: for (i = 1; i < argc; i += 2) { key = argv[i]; value = argv[i+1]
 * ... }; hc_opt_value returns the value or NULL with err set when the key
 * is the last word.
 */
const char	*hc_opt_value(int argc, char **argv, int i, char *err,
		    size_t errlen);
/* "unknown option \"x\" for check tcp (known: send, expect)" */
void		 hc_opt_unknown(const char *check, const char *key,
		    const char *known, char *err, size_t errlen);

/* An integer in [min, max]; 0, or -1 with err naming what. */
int	 hc_parse_int(const char *s, long min, long max, long *out,
	    const char *what, char *err, size_t errlen);
/* "5", "0.5", "500ms", "2s", "1m" as milliseconds (>= 1); 0 or -1. */
int	 hc_parse_duration(const char *s, int64_t *ms, char *err,
	    size_t errlen);
/* A "host[:port]" address, resolved now; 0 or -1 with err. */
int	 hc_parse_addr(const char *spec, int default_port, struct net_addr *,
	    char *err, size_t errlen);
/* An extended regular expression (REG_EXTENDED|REG_NOSUB); 0 or -1. */
int	 hc_parse_regex(regex_t *, const char *pattern, char *err,
	    size_t errlen);

/*
 * Connect over TCP before the deadline. Returns a non-blocking socket, or
 * -1 with why set ("connect 127.0.0.1:80: Connection refused", "connect
 * 127.0.0.1:80: timed out"). Yields.
 */
int	 hc_connect(const struct net_addr *, int64_t deadline, char *why,
	    size_t whylen);
/*
 * Read one line (without CR LF) into line. Returns its length, or -1 with
 * why set ("timeout waiting for ...", "connection closed ..."); what names
 * what was awaited ("the greeting"). Yields.
 */
ssize_t	 hc_read_line(struct net_lines *, char *line, size_t max,
	    int64_t deadline, const char *what, char *why, size_t whylen);
/* Send all of data before the deadline; 0, or -1 with why set. */
int	 hc_send(int fd, const char *data, size_t len, int64_t deadline,
	    char *why, size_t whylen);

/* Copy text into why, printable ASCII only, cut at whylen. */
void	 hc_why_text(char *why, size_t whylen, const char *text, size_t len);

#endif
