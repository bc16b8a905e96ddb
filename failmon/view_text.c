/*
 * view_text.c: the state of every target as plain text, for line mode
 * (-l) and one-shot (-1): the coordination backend if any, hosts, then
 * services with their owner and what they see of their peers.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "failmon.h"
#include "timeutil.h"

static void
view_text_target(const struct mon_target *t, int64_t now)
{
	const struct mon_snapshot	*s = t->snap;
	char				 a[32], b[32], iso[40], hold[384];
	char				 line[512];
	size_t				 i, k;

	printf("== %s: %s", t->spec, t->connected ? "connected" :
	    "disconnected");
	if (!t->connected && t->error[0] != '\0')
		printf(" (%s)", t->error);
	if (s == NULL) {
		printf(", no snapshot yet\n");
		return;
	}
	printf(", node %s, snapshot %" PRIu64 " %s\n", s->node, s->seq,
	    time_format_age(t->updated_ms, now, a, sizeof(a)));
	if (s->backend != NULL)
		printf("BACKEND %s\n", mon_backend_str(s->backend, line,
		    sizeof(line)));
	printf("HOST             ADDRESS                 PROTO STATUS      "
	    "LAST CONNECT   LAST CALL\n");
	for (i = 0; i < s->nhosts; i++) {
		const struct mon_host *h = &s->hosts[i];
		char addr[80];

		snprintf(addr, sizeof(addr), "%s:%d", h->address, h->port);
		printf("%-16s %-23s %-5s %-11s %-14s %s%s%s\n", h->name, addr,
		    h->proto, h->status, time_format_age(h->last_connect_ms, now, a,
		    sizeof(a)), time_format_age(h->last_call_ms, now, b, sizeof(b)),
		    h->error[0] ? "  " : "", h->error);
	}
	for (i = 0; i < s->nservices; i++) {
		const struct mon_service *v = &s->services[i];

		time_format_iso(v->changed_ms, iso, sizeof(iso));
		printf("SERVICE %s %s since %s (%s), every %.2f s, deadcount "
		    "%d, %" PRIu64 " runs%s\n", v->name, v->state, iso,
		    time_format_age(v->changed_ms, now, a, sizeof(a)),
		    v->interval_ms / 1000.0, v->deadcount, v->runs,
		    v->busy[0] == 'b' ? ", script running" : "");
		if (v->reason[0] != '\0')
			printf("  why: %s\n", v->reason);
		if (v->health != NULL)
			printf("  health: %s, %d of %d restarts used%s%s\n",
			    v->health, v->restarts, v->max_restarts,
			    v->check[0] ? ", check: " : "", v->check);
		if (v->hold != NULL)
			printf("  held: %s\n", mon_hold_str(v, now, hold,
			    sizeof(hold)));
		if (v->owner != NULL)
			printf("  owner: %s\n", proto_owner_str(v->owner,
			    v->owner_here, v->epoch, line, sizeof(line)));
		for (k = 0; k < s->npeers; k++) {
			const struct mon_peer *p = &s->peers[k];

			if (strcmp(p->service, v->name) != 0)
				continue;
			printf("  %-7s %-16s %-8s fails %d, seen %s\n",
			    p->role, p->host, p->view, p->fails,
			    time_format_age(p->seen_ms, now, a, sizeof(a)));
		}
	}
}

void
view_text(const struct mon_target *t, int n)
{
	int64_t	now = time_now_ms();
	int	i;

	for (i = 0; i < n; i++)
		view_text_target(&t[i], now);
}
