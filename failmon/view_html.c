/*
 * view_html.c: the state of every target as one self-contained HTML5
 * page (-h, failmon.cgi): a summary line, then one table of every
 * service, those that need attention first, then each target's backend
 * (etcd: lease, coordination) and hosts.
 * No external assets, states coloured, times relative and absolute,
 * reloaded every 5 s. Every text that comes from the network is escaped.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "failmon.h"
#include "html.h"
#include "timeutil.h"
#include "xmalloc.h"

#define HTML_REFRESH_S	5	/* as getnode's: both pages reload alike */
#define NONE		((size_t)-1)

/* What the shared frame lacks: the standby (normal), stale data. */
#define HTML_STYLE "<style>\n" \
	".standby{background:#e4f0e4}.stale{background:#eee;color:#666}\n" \
	"#summary{font-size:1.3em}\n</style>\n"

/* A row of the services table: a service of a target, or a target
 * without a snapshot (index NONE). */
struct html_row {
	int	target, rank;
	size_t	index, order;
};

/*
 * The order of the rows, most urgent first: FAIL and failsh without data,
 * other states that need attention, stale data, then placed services.
 */
static int
html_rank(const struct mon_target *t, size_t index)
{
	const struct mon_service	*v;

	if (index == NONE)
		return 0;
	v = &t->snap->services[index];
	switch (mon_glance(t, v)) {
	case GLANCE_ATTENTION:
		return strcmp(v->state, "FAIL") == 0 ? 0 : 1;
	case GLANCE_STALE:
		return 2;
	default:
		return 3;
	}
}

static int
html_row_cmp(const void *a, const void *b)
{
	const struct html_row	*x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Every service of every target, most urgent first; *n rows. */
static struct html_row *
html_rows(const struct mon_target *t, int nt, size_t *n)
{
	struct html_row	*rows = NULL;
	size_t		 k = 0, i;
	int		 j;

	for (j = 0; j < nt; j++) {
		size_t m = t[j].snap != NULL ? t[j].snap->nservices : 0;

		rows = xrealloc(rows, (k + (m > 0 ? m : 1)) * sizeof(*rows));
		if (t[j].snap == NULL) {
			rows[k] = (struct html_row){ j, 0, NONE, k };
			k++;
		}
		for (i = 0; i < m; i++, k++)
			rows[k] = (struct html_row){ j, html_rank(&t[j], i),
			    i, k };
	}
	if (k > 0)
		qsort(rows, k, sizeof(*rows), html_row_cmp);
	*n = k;
	return rows;
}

/* "all 4 services placed" or "2 need attention", first on the page. */
static void
html_summary(int nt, const struct html_row *rows, size_t n)
{
	size_t	i, attention = 0, services = 0;

	for (i = 0; i < n; i++) {
		services += rows[i].index != NONE;
		attention += rows[i].rank < 3;
	}
	if (attention == 0)
		printf("<p id=\"summary\" class=\"ok\"><strong>all %zu "
		    "service%s placed</strong>", services, services == 1 ?
		    "" : "s");
	else
		printf("<p id=\"summary\" class=\"bad\"><strong>%zu "
		    "need%s attention</strong> (of %zu service%s)", attention,
		    attention == 1 ? "s" : "", services, services == 1 ? "" :
		    "s");
	printf(" on %d failsh</p>\n", nt);
}

static void
html_service(const struct mon_target *t, const struct html_row *r,
    int64_t now)
{
	const struct mon_snapshot	*s = t->snap;
	const struct mon_service	*v;
	enum mon_glance			 g;
	char				 hold[384], age[32];
	size_t				 k;

	if (r->index == NONE) {
		fputs("<tr><td>", stdout);
		html(t->spec);
		fputs("</td><td></td><td class=\"fail\">unreachable</td>"
		    "<td></td><td></td><td></td><td>", stdout);
		html(t->error[0] ? t->error : "no snapshot");
		fputs("</td></tr>\n", stdout);
		return;
	}
	v = &s->services[r->index];
	g = mon_glance(t, v);
	printf("<tr class=\"%s\"><td>", mon_glance_str(g));
	html(s->node);
	fputs("</td><td>", stdout);
	html(v->name);
	printf("</td><td class=\"%s\">", g == GLANCE_STANDBY ? "standby" :
	    g == GLANCE_STALE ? "stale" : html_class(v->state));
	html(v->state);
	fputs("</td><td>", stdout);
	if (g == GLANCE_STALE)
		printf("<span class=\"stale\">%s</span>", mon_stale_str(t, now,
		    age, sizeof(age)));
	else
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
	if (v->owner != NULL) {
		fputs("<br>owner ", stdout);
		html(proto_owner_str(v->owner, v->owner_here, v->epoch, hold,
		    sizeof(hold)));
	}
	fputs("</td></tr>\n", stdout);
}

/* The coordination backend: its lease and whether owners may run. */
static void
html_backend(const struct mon_backend *b)
{
	const char	*c = strcmp(b->coord, "OK") == 0 ? "up" :
			    strcmp(b->coord, "UNSURE") == 0 ? "recover" : "fail";

	fputs("<p class=\"backend\">backend ", stdout);
	html(b->kind);
	fputs(" ", stdout);
	html(b->endpoint);
	fputs(": lease ", stdout);
	html(b->lease);
	printf(", %.2f s left (fence %.2f s), <span class=\"%s\">coord ",
	    b->left_ms / 1000.0, b->fence_ms / 1000.0, c);
	html(b->coord);
	fputs("</span>, unreachable ", stdout);
	html(b->unreachable);
	fputs(", watch ", stdout);
	html(b->watch);
	fputs(", watchdog ", stdout);
	html(b->watchdog);
	if (b->error[0] != '\0') {
		fputs(", <span class=\"bad\">error: ", stdout);
		html(b->error);
		fputs("</span>", stdout);
	}
	fputs("</p>\n", stdout);
}

/* A target: its connection, its backend, then the hosts of its policy. */
static void
html_target(const struct mon_target *t, int64_t now)
{
	const struct mon_snapshot	*s = t->snap;
	size_t				 i;

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
	fputs("</p>\n", stdout);
	if (s->backend != NULL)
		html_backend(s->backend);
	if (s->nhosts == 0) {
		fputs("<p>no hosts in its policy</p>\n</section>\n", stdout);
		return;
	}
	fputs("<table>\n<tr><th>host</th><th>address</th>"
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
		printf("</td><td class=\"%s\">", !t->connected ? "stale" :
		    strcmp(h->status, "unreachable") == 0 ? "fail" : "ok");
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
	int64_t		 now = time_now_ms();
	struct html_row	*rows;
	size_t		 nrows, i;
	int		 j;

	rows = html_rows(t, n, &nrows);
	html_begin("failmon", HTML_REFRESH_S, cgi);
	fputs(HTML_STYLE, stdout);
	html_summary(n, rows, nrows);
	fputs("<table id=\"services\">\n<tr><th>failsh</th><th>service</th>"
	    "<th>state</th><th>since</th><th>interval</th><th>peers</th>"
	    "<th>why</th></tr>\n", stdout);
	for (i = 0; i < nrows; i++)
		html_service(&t[rows[i].target], &rows[i], now);
	fputs("</table>\n", stdout);
	for (j = 0; j < n; j++)
		html_target(&t[j], now);
	html_end();
	free(rows);
}
