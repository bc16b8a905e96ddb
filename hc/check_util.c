/*
 * check_util.c: helpers the checks share.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_util.h"

#define HC_MAX_PATTERN	256	/* bytes of an expect pattern */
#define HC_MAX_REPEAT	1000	/* product of its {m,n} counts */
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

/*
 * glibc's regcomp copies a pattern's tree for each repetition: stacked
 * repetitions ("a++++") or nested counts ("((a{1,100}){1,100}){1,100}")
 * take gigabytes and minutes. Refuse them before compiling; the checks
 * want simple patterns anyway.
 */
static int
regex_tame(const char *s, char *err, size_t errlen)
{
	long	 product = 1, hi;
	int	 after_rep = 0;
	char	*end;

	if (strlen(s) > HC_MAX_PATTERN) {
		snprintf(err, errlen, "pattern longer than %d bytes",
		    HC_MAX_PATTERN);
		return -1;
	}
	for (; *s != '\0'; s++) {
		if (*s == '\\' && s[1] != '\0') {
			s++;
			after_rep = 0;
			continue;
		}
		if (*s == '[') {	/* a bracket expression: no operators */
			s++;
			if (*s == '^')
				s++;
			if (*s == ']')
				s++;
			while (*s != '\0' && *s != ']') {
				/* [:alpha:] [.x.] [=x=] hold a ']' of their own */
				if (s[0] == '[' && s[1] != '\0' &&
				    strchr(":.=", s[1]) != NULL &&
				    (end = strchr(s + 2, ']')) != NULL)
					s = end;
				s++;
			}
			if (*s == '\0')
				break;		/* regcomp will say */
			after_rep = 0;
			continue;
		}
		if (*s != '*' && *s != '+' && *s != '?' && *s != '{') {
			after_rep = 0;
			continue;
		}
		if (after_rep)
			goto stacked;
		after_rep = 1;
		if (*s != '{')
			continue;
		hi = strtol(s + 1, &end, 10);
		if (*end == ',')
			hi = end[1] == '}' ? hi + 1 : strtol(end + 1, &end, 10);
		if ((end = strchr(s, '}')) == NULL)
			break;
		s = end;
		if (hi > 1 && (product *= hi) > HC_MAX_REPEAT) {
			snprintf(err, errlen, "pattern too complex: its "
			    "repetition counts multiply past %d", HC_MAX_REPEAT);
			return -1;
		}
	}
	return 0;
stacked:
	snprintf(err, errlen, "pattern too complex: a repetition of a "
	    "repetition (\"%.2s\")", s - 1);
	return -1;
}

int
hc_parse_regex(regex_t *re, const char *pattern, char *err, size_t errlen)
{
	char	msg[128];
	int	rc;

	if (regex_tame(pattern, msg, sizeof(msg)) < 0) {
		snprintf(err, errlen, "bad pattern \"%.80s\": %s", pattern,
		    msg);
		return -1;
	}

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
