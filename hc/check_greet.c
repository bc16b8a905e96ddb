/*
 * check_greet.c: the conversation the greeting protocols share. Each of
 * check_smtp.c, check_pop3.c, check_imap.c and check_ftp.c connects, reads
 * the greeting and perhaps one more reply through these functions, then
 * says goodbye; only what counts as the right answer is theirs.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_greet.h"
#include "check_util.h"
#include "hc_check.h"
#include "timeutil.h"
#include "xmalloc.h"

#define GREET_TEXT	100	/* the server's text a reason shows */

struct greet_conf *
greet_parse(const char *proto, int default_port, int argc, char **argv,
    int opts, char *err, size_t errlen)
{
	struct greet_conf	*gc;

	if (argc < 1) {
		snprintf(err, errlen, "missing address (host[:port])");
		return NULL;
	}
	if (argc > 1 && !opts) {
		snprintf(err, errlen, "check %s takes no options, not \"%s\"",
		    proto, argv[1]);
		return NULL;
	}
	gc = xcalloc(1, sizeof(*gc));
	gc->proto = proto;
	if (hc_parse_addr(argv[0], default_port, &gc->addr, err, errlen) < 0) {
		free(gc);
		return NULL;
	}
	return gc;
}

void
greet_free(void *conf)
{
	struct greet_conf	*gc = conf;

	if (gc == NULL)
		return;
	free(gc->helo);
	free(gc);
}

struct greet *
greet_open(const struct greet_conf *gc, int64_t deadline, char *why,
    size_t whylen)
{
	struct greet	*g;
	int		 fd;

	if ((fd = hc_connect(&gc->addr, deadline, why, whylen)) < 0)
		return NULL;
	g = xcalloc(1, sizeof(*g));
	g->proto = gc->proto;
	g->fd = fd;
	g->deadline = deadline;
	g->why = why;
	g->whylen = whylen;
	net_lines_init(&g->nl, fd);
	return g;
}

int
greet_send(struct greet *g, const char *cmd)
{
	char	buf[GREET_LINE];
	int	n;

	n = snprintf(buf, sizeof(buf), "%s\r\n", cmd);
	if (hc_send(g->fd, buf, (size_t)n, g->deadline, g->why,
	    g->whylen) < 0) {
		g->lost = 1;
		return -1;
	}
	return 0;
}

int
greet_line(struct greet *g, const char *what)
{
	char	wait[64];
	ssize_t	n;

	if (strcmp(what, "greeting") == 0)
		snprintf(wait, sizeof(wait), "the greeting");
	else
		snprintf(wait, sizeof(wait), "the reply to %s", what);
	if ((n = hc_read_line(&g->nl, g->line, sizeof(g->line), g->deadline,
	    wait, g->why, g->whylen)) < 0) {
		g->lost = 1;
		return -1;
	}
	/* These protocols end lines with CR LF; a bare LF is allowed too. */
	if (n > 0 && g->line[n - 1] == '\r')
		g->line[n - 1] = '\0';
	return 0;
}

void
greet_unexpected(struct greet *g, const char *what)
{
	char	text[GREET_TEXT + 1];

	hc_why_text(text, sizeof(text), g->line, strlen(g->line));
	snprintf(g->why, g->whylen, "%s %s %s", g->proto, what,
	    text[0] != '\0' ? text : "(empty line)");
}

/* The code of a reply line "ddd", "ddd text" or "ddd-text"; else -1. */
static int
greet_code(const char *line)
{
	if (!isdigit((unsigned char)line[0]) ||
	    !isdigit((unsigned char)line[1]) ||
	    !isdigit((unsigned char)line[2]) ||
	    (line[3] != '\0' && line[3] != ' ' && line[3] != '-'))
		return -1;
	return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
}

/* Does line end the reply of several lines whose code is that of first? */
static int
greet_last(const char *line, const char *first)
{
	return strncmp(line, first, 3) == 0 &&
	    (line[3] == ' ' || line[3] == '\0');
}

int
greet_reply(struct greet *g, int want, const char *what)
{
	char	first[4];
	int	code;

	if (greet_line(g, what) < 0)
		return -1;
	if ((code = greet_code(g->line)) < 0) {
		greet_unexpected(g, what);
		return -1;
	}
	/* The first line says the most; the reason shows it. */
	if (code != want)
		greet_unexpected(g, what);
	/*
	 * "220-" opens a reply of several lines that ends with the one
	 * starting "220 " (or just "220"). FTP allows any text in between,
	 * so the lines are only compared with that end.
	 */
	if (g->line[3] == '-') {
		memcpy(first, g->line, 3);
		first[3] = '\0';
		do {
			if (greet_line(g, what) < 0)
				return -1;
		} while (!greet_last(g->line, first));
	}
	return code == want ? 0 : -1;
}

void
greet_close(struct greet *g, const char *cmd, const char *last)
{
	char	why[HC_MAX_WHY];
	int64_t	until;

	if (g == NULL)
		return;
	/*
	 * Going away without saying goodbye makes some servers log a lost
	 * connection; waiting for long would only delay a result that is
	 * known already. Past a timeout or a closed connection the
	 * conversation is out of step: we only close.
	 */
	until = time_mono_ms() + GREET_QUIT_MS;
	if (until > g->deadline)
		until = g->deadline;
	g->deadline = until;
	g->why = why;
	g->whylen = sizeof(why);
	if (cmd != NULL && !g->lost && greet_send(g, cmd) == 0) {
		while (greet_line(g, cmd) == 0 && last != NULL &&
		    strncmp(g->line, last, strlen(last)) != 0)
			;
	}
	close(g->fd);
	free(g);
}
