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
#include "html.h"
#include "timeutil.h"

#define HTML_REFRESH_S	5

static void
html_target(const struct mon_target *t, int64_t now)
{
	const struct mon_snapshot	*s = t->snap;
	char				 hold[384];
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
		if (v->health != NULL) {
			printf("<br>health <span class=\"%s\">",
			    html_class(strcmp(v->health, "OK") == 0 ? "UP" :
			    v->health));
			html(v->health);
			printf("</span>, %d of %d restarts used, ", v->restarts,
			    v->max_restarts);
			html(v->check);
		}
		if (v->hold != NULL) {
			fputs("<br>held: ", stdout);
			html(mon_hold_str(v, now, hold, sizeof(hold)));
		}
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
	int	i;

	html_begin("failmon", HTML_REFRESH_S, cgi);
	for (i = 0; i < n; i++)
		html_target(&t[i], now);
	html_end();
}
