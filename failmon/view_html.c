/*
 * view_html.c: the state of every target as one self-contained HTML5
 * page (-h, failmon.cgi): no external assets, states coloured, times
 * relative and absolute, reloaded every few seconds. Every text that
 * comes from the network is escaped.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "failmon.h"
#include "timeutil.h"

#define HTML_REFRESH_S	5

/* Write s with &, <, >, " and ' escaped. */
static void
html(const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", stdout);
			break;
		case '<':
			fputs("&lt;", stdout);
			break;
		case '>':
			fputs("&gt;", stdout);
			break;
		case '"':
			fputs("&quot;", stdout);
			break;
		case '\'':
			fputs("&#39;", stdout);
			break;
		default:
			putchar(*s);
		}
	}
}

/* A state as a class name: only the three states, anything else "other". */
static const char *
html_class(const char *state)
{
	if (strcmp(state, "UP") == 0)
		return "up";
	if (strcmp(state, "RECOVER") == 0)
		return "recover";
	if (strcmp(state, "FAIL") == 0)
		return "fail";
	return "other";
}

/* "3.2 s ago" with the ISO time as its title. */
static void
html_time(int64_t ms, int64_t now)
{
	char	iso[40], age[32];

	if (ms <= 0) {
		fputs("never", stdout);
		return;
	}
	time_format_iso(ms, iso, sizeof(iso));
	mon_age(ms, now, age, sizeof(age));
	printf("<time datetime=\"%s\" title=\"%s\">%s</time>", iso, iso, age);
}

static void
html_target(const struct mon_target *t, int64_t now)
{
	const struct mon_snapshot	*s = t->snap;
	size_t				 i, k;

	fputs("<section>\n<h2>", stdout);
	html(t->spec);
	if (s != NULL) {
		fputs(" &mdash; node ", stdout);
		html(s->node);
	}
	printf("</h2>\n<p class=\"%s\">", t->connected ? "ok" : "bad");
	fputs(t->connected ? "connected" : "disconnected", stdout);
	if (!t->connected && t->error[0] != '\0') {
		fputs(": ", stdout);
		html(t->error);
	}
	if (s == NULL) {
		fputs("; no snapshot</p>\n</section>\n", stdout);
		return;
	}
	printf("; snapshot %" PRIu64 ", ", s->seq);
	html_time(t->updated_ms, now);
	fputs("</p>\n<table>\n<tr><th>service</th><th>state</th>"
	    "<th>since</th><th>interval</th><th>peers</th><th>why</th></tr>\n",
	    stdout);
	for (i = 0; i < s->nservices; i++) {
		const struct mon_service *v = &s->services[i];

		fputs("<tr><td>", stdout);
		html(v->name);
		printf("</td><td class=\"%s\">", html_class(v->state));
		html(v->state);
		fputs("</td><td>", stdout);
		html_time(v->changed_ms, now);
		printf("</td><td>%.2f s</td><td>", v->interval_ms / 1000.0);
		for (k = 0; k < s->npeers; k++) {
			const struct mon_peer *p = &s->peers[k];

			if (strcmp(p->service, v->name) != 0)
				continue;
			html(p->role);
			fputs(" ", stdout);
			html(p->host);
			printf(" <span class=\"%s\">", html_class(p->view));
			html(p->view);
			fputs("</span><br>", stdout);
		}
		fputs("</td><td>", stdout);
		html(v->reason);
		fputs("</td></tr>\n", stdout);
	}
	fputs("</table>\n<table>\n<tr><th>host</th><th>address</th>"
	    "<th>status</th><th>last connect</th><th>last call</th>"
	    "<th>error</th></tr>\n", stdout);
	for (i = 0; i < s->nhosts; i++) {
		const struct mon_host *h = &s->hosts[i];

		fputs("<tr><td>", stdout);
		html(h->name);
		fputs("</td><td>", stdout);
		html(h->address);
		printf(":%d/", h->port);
		html(h->proto);
		fputs("</td><td>", stdout);
		html(h->status);
		fputs("</td><td>", stdout);
		html_time(h->last_connect_ms, now);
		fputs("</td><td>", stdout);
		html_time(h->last_call_ms, now);
		fputs("</td><td>", stdout);
		html(h->error);
		fputs("</td></tr>\n", stdout);
	}
	fputs("</table>\n</section>\n", stdout);
}

void
view_html(const struct mon_target *t, int n, int cgi)
{
	int64_t	now = time_now_ms();
	char	iso[40];
	int	i;

	if (cgi)
		fputs("Content-Type: text/html; charset=utf-8\r\n"
		    "Cache-Control: no-store\r\n\r\n", stdout);
	time_format_iso(now, iso, sizeof(iso));
	printf("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta http-equiv=\"refresh\" content=\"%d\">\n"
	    "<title>failmon</title>\n<style>\n"
	    "body{font-family:sans-serif;margin:1em}\n"
	    "table{border-collapse:collapse;margin:.5em 0}\n"
	    "th,td{border:1px solid #ccc;padding:.2em .5em;text-align:left}\n"
	    ".up{background:#c8f0c8}.recover{background:#fff0b0}\n"
	    ".fail{background:#f8c0c0}.other{background:#ddd}\n"
	    ".ok{color:#060}.bad{color:#a00}\n"
	    "</style>\n</head>\n<body>\n<h1>failmon</h1>\n"
	    "<p>%s, reloads every %d s</p>\n", HTML_REFRESH_S, iso,
	    HTML_REFRESH_S);
	for (i = 0; i < n; i++)
		html_target(&t[i], now);
	fputs("</body>\n</html>\n", stdout);
}
