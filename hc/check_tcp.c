/*
 * check_tcp.c: "check tcp HOST:PORT [send STRING] [expect REGEX]". Healthy
 * when the connect succeeds; with send, the string goes out first; with
 * expect, lines are read until one matches, so a banner or an answer to
 * what was sent can be checked on any line-oriented service.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hc_check.h"
#include "check_util.h"
#include "xmalloc.h"

#define TCP_SHOW_MAX	60	/* how much of a line a reason shows */

struct check_tcp {
	struct net_addr	 addr;
	char		*send;		/* owned; NULL: send nothing */
	char		*expect_src;	/* owned; NULL: no expect */
	regex_t		 expect;	/* compiled when expect_src is set */
};

static void	check_tcp_free(void *);

/*
 * net_parse_addr would take a missing port as the default one; tcp has
 * none, so tell "host" from "host:port" ourselves (same rules: a bare
 * IPv6 address has several colons, "[v6]:port" brackets).
 */
static int
check_tcp_has_port(const char *spec)
{
	const char	*colon;

	if (spec[0] == '[')
		return strstr(spec, "]:") != NULL;
	colon = strchr(spec, ':');
	return colon != NULL && strchr(colon + 1, ':') == NULL;
}

static void *
check_tcp_parse(int argc, char **argv, char *err, size_t errlen)
{
	struct check_tcp	*c;
	const char		*key, *val;
	int			 i;

	if (argc < 1) {
		snprintf(err, errlen, "needs an address (host:port)");
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	if (!check_tcp_has_port(argv[0])) {
		snprintf(err, errlen, "address \"%s\" needs a port "
		    "(host:port)", argv[0]);
		goto fail;
	}
	if (hc_parse_addr(argv[0], 0, &c->addr, err, errlen) < 0)
		goto fail;
	for (i = 1; i < argc; i += 2) {
		key = argv[i];
		if ((val = hc_opt_value(argc, argv, i, err, errlen)) == NULL)
			goto fail;
		if (strcmp(key, "send") == 0) {
			free(c->send);
			c->send = xstrdup(val);
		} else if (strcmp(key, "expect") == 0) {
			if (c->expect_src != NULL) {
				regfree(&c->expect);
				free(c->expect_src);
				c->expect_src = NULL;
			}
			if (hc_parse_regex(&c->expect, val, err, errlen) < 0)
				goto fail;
			c->expect_src = xstrdup(val);
		} else {
			hc_opt_unknown("tcp", key, "send, expect", err, errlen);
			goto fail;
		}
	}
	return c;
fail:
	check_tcp_free(c);
	return NULL;
}

/*
 * Read lines until one matches expect. On failure the reason says what
 * was awaited and, when something else came, the last line seen.
 */
static int
check_tcp_expect(struct check_tcp *c, int fd, int64_t deadline, char *why,
    size_t whylen)
{
	struct net_lines	*nl;
	char			*line, shown[TCP_SHOW_MAX + 1], what[160];
	char			 err[HC_MAX_WHY];
	const char		*more = "";
	ssize_t			 n;
	int			 seen = 0, rc = -1;

	nl = xmalloc(sizeof(*nl));
	line = xmalloc(NET_LINEBUF);
	net_lines_init(nl, fd);
	snprintf(what, sizeof(what), "a line matching \"%s\"", c->expect_src);
	for (;;) {
		n = hc_read_line(nl, line, NET_LINEBUF, deadline, what, err,
		    sizeof(err));
		if (n < 0)
			break;
		/* Servers end lines with CR LF; the pattern sees neither. */
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		hc_why_text(shown, sizeof(shown), line, (size_t)n);
		more = n > TCP_SHOW_MAX ? "..." : "";
		if (regexec(&c->expect, line, 0, NULL, 0) == 0) {
			snprintf(why, whylen, "got \"%s%s\"", shown, more);
			rc = 0;
			goto done;
		}
		seen = 1;
	}
	if (seen)
		snprintf(why, whylen, "%s, last line \"%s%s\"", err, shown,
		    more);
	else
		snprintf(why, whylen, "%s", err);
done:
	free(line);
	free(nl);
	return rc;
}

static int
check_tcp_run(void *conf, const char *target, int64_t deadline, char *why,
    size_t whylen)
{
	struct check_tcp	*c = conf;
	int			 fd, rc = -1;

	(void)target;
	if ((fd = hc_connect(&c->addr, deadline, why, whylen)) < 0)
		return -1;
	if (c->send != NULL && hc_send(fd, c->send, strlen(c->send),
	    deadline, why, whylen) < 0)
		goto done;
	if (c->expect_src != NULL)
		rc = check_tcp_expect(c, fd, deadline, why, whylen);
	else {
		snprintf(why, whylen, "connected");
		rc = 0;
	}
done:
	close(fd);
	return rc;
}

static void
check_tcp_free(void *conf)
{
	struct check_tcp	*c = conf;

	if (c == NULL)
		return;
	free(c->send);
	if (c->expect_src != NULL) {
		regfree(&c->expect);
		free(c->expect_src);
	}
	free(c);
}

const struct hc_check_type hc_check_tcp = {
	"tcp", check_tcp_parse, check_tcp_run, check_tcp_free
};
