/*
 * check_util.c: helpers the checks share.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_util.h"
#include "timeutil.h"

const char *
hc_opt_value(int argc, char **argv, int i, char *err, size_t errlen)
{
	if (i + 1 >= argc) {
		snprintf(err, errlen, "option \"%s\" needs a value", argv[i]);
		return NULL;
	}
	return argv[i + 1];
}

void
hc_opt_unknown(const char *check, const char *key, const char *known,
    char *err, size_t errlen)
{
	snprintf(err, errlen, "unknown option \"%s\" for check %s (known: %s)",
	    key, check, known);
}

int
hc_parse_int(const char *s, long min, long max, long *out, const char *what,
    char *err, size_t errlen)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < min || v > max) {
		snprintf(err, errlen, "%s must be an integer from %ld to %ld, "
		    "not \"%s\"", what, min, max, s);
		return -1;
	}
	*out = v;
	return 0;
}

int
hc_parse_duration(const char *s, int64_t *ms, char *err, size_t errlen)
{
	char	*end;
	double	 v, unit = 1000;

	v = strtod(s, &end);
	if (end == s)
		goto bad;
	if (strcmp(end, "ms") == 0)
		unit = 1;
	else if (strcmp(end, "m") == 0)
		unit = 60000;
	else if (*end != '\0' && strcmp(end, "s") != 0)
		goto bad;
	v *= unit;
	if (!(v >= 1 && v <= 86400000.0))
		goto bad;
	*ms = (int64_t)(v + 0.5);
	return 0;
bad:
	snprintf(err, errlen, "bad duration \"%s\" (seconds, or with ms, s "
	    "or m; from 1 ms to 1 day)", s);
	return -1;
}

int
hc_parse_addr(const char *spec, int default_port, struct net_addr *a,
    char *err, size_t errlen)
{
	return net_parse_addr(spec, default_port, a, err, errlen);
}

int
hc_parse_regex(regex_t *re, const char *pattern, char *err, size_t errlen)
{
	char	msg[128];
	int	rc;

	if ((rc = regcomp(re, pattern, REG_EXTENDED | REG_NOSUB)) != 0) {
		regerror(rc, re, msg, sizeof(msg));
		snprintf(err, errlen, "bad pattern \"%s\": %s", pattern, msg);
		return -1;
	}
	return 0;
}

int
hc_connect(const struct net_addr *a, int64_t deadline, char *why,
    size_t whylen)
{
	return net_connect(a, SOCK_STREAM, deadline, why, whylen);
}

ssize_t
hc_read_line(struct net_lines *nl, char *line, size_t max, int64_t deadline,
    const char *what, char *why, size_t whylen)
{
	ssize_t	n;

	n = net_lines_read(nl, line, max, deadline);
	if (n > 0 && line[n - 1] == '\r')
		line[--n] = '\0';
	if (n >= 0)
		return n;
	if (n == -1 && errno == ETIMEDOUT)
		snprintf(why, whylen, "timeout waiting for %s", what);
	else if (n == -2)
		snprintf(why, whylen, "connection closed before %s", what);
	else if (n == -3)
		snprintf(why, whylen, "%s: line too long", what);
	else
		snprintf(why, whylen, "reading %s: %s", what, strerror(errno));
	return -1;
}

int
hc_send(int fd, const char *data, size_t len, int64_t deadline, char *why,
    size_t whylen)
{
	if (net_write_all(fd, data, len, deadline) == 0)
		return 0;
	if (errno == ETIMEDOUT)
		snprintf(why, whylen, "timeout sending");
	else
		snprintf(why, whylen, "send: %s", strerror(errno));
	return -1;
}

void
hc_why_text(char *why, size_t whylen, const char *text, size_t len)
{
	size_t	i, n = 0;

	if (whylen == 0)
		return;
	for (i = 0; i < len && n + 1 < whylen; i++)
		why[n++] = text[i] >= 0x20 && text[i] < 0x7f ? text[i] : '?';
	why[n] = '\0';
}
