/*
 * view_json.c: the state of every target as one JSON document on one
 * line (-j), for scripts and exporters. Every string is escaped: names
 * and reasons come from the network.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "failmon.h"
#include "json.h"

static void
json_key(const char *k, const char *v, int comma)
{
	printf("%s\"%s\": ", comma ? ", " : "", k);
	json_str(v);
}

static void
view_json_snapshot(const struct mon_target *t)
{
	const struct mon_snapshot	*s = t->snap;
	size_t				 i, k;
	int				 first;

	printf("{\"seq\": %" PRIu64 ", ", s->seq);
	json_key("node", s->node, 0);
	printf(", \"time_ms\": %" PRId64, s->time_ms);
	/* Only with a backend: documents of polling failsh stay as they
	 * were. */
	if (s->backend != NULL) {
		const struct mon_backend *b = s->backend;

		printf(", \"backend\": {");
		json_key("kind", b->kind, 0);
		json_key("endpoint", b->endpoint, 1);
		json_key("lease", b->lease, 1);
		printf(", \"lease_left_ms\": %" PRId64 ", \"fence_ms\": %"
		    PRId64, b->left_ms, b->fence_ms);
		json_key("coord", b->coord, 1);
		json_key("unreachable", b->unreachable, 1);
		json_key("watch", b->watch, 1);
		json_key("watchdog", b->watchdog, 1);
		json_key("error", b->error, 1);
		printf("}");
	}
	printf(", \"hosts\": [");
	for (i = 0; i < s->nhosts; i++) {
		const struct mon_host *h = &s->hosts[i];

		printf("%s{", i ? ", " : "");
		json_key("name", h->name, 0);
		json_key("address", h->address, 1);
		printf(", \"port\": %d", h->port);
		json_key("protocol", h->proto, 1);
		json_key("status", h->status, 1);
		printf(", \"last_connect_ms\": %" PRId64 ", \"last_call_ms\": %"
		    PRId64, h->last_connect_ms, h->last_call_ms);
		json_key("error", h->error, 1);
		printf("}");
	}
	printf("], \"services\": [");
	for (i = 0; i < s->nservices; i++) {
		const struct mon_service *v = &s->services[i];

		printf("%s{", i ? ", " : "");
		json_key("name", v->name, 0);
		json_key("state", v->state, 1);
		printf(", \"changed_ms\": %" PRId64 ", \"interval_ms\": %" PRId64
		    ", \"deadcount\": %d, \"next_ms\": %" PRId64 ", \"runs\": %"
		    PRIu64 ", \"busy\": %s", v->changed_ms, v->interval_ms,
		    v->deadcount, v->next_ms, v->runs,
		    v->busy[0] == 'b' ? "true" : "false");
		json_key("reason", v->reason, 1);
		json_key("glance", mon_glance_str(mon_glance(t, v)), 1);
		if (v->health != NULL) {
			json_key("health", v->health, 1);
			printf(", \"restarts\": %d, \"max_restarts\": %d",
			    v->restarts, v->max_restarts);
			json_key("check", v->check, 1);
		}
		if (v->hold != NULL) {
			printf(", \"hold\": {");
			json_key("kind", v->hold, 0);
			json_key("to", v->hold_to, 1);
			json_key("by", v->hold_by, 1);
			printf(", \"since_ms\": %" PRId64 "}", v->hold_since_ms);
		}
		if (v->owner != NULL) {
			printf(", \"owner\": ");
			if (v->owner[0] != '\0')
				json_str(v->owner);
			else
				printf("null");
			printf(", \"epoch\": %" PRId64 ", \"owner_here\": %s",
			    v->epoch, v->owner_here ? "true" : "false");
		}
		printf(", \"peers\": [");
		for (k = 0, first = 1; k < s->npeers; k++) {
			const struct mon_peer *p = &s->peers[k];

			if (strcmp(p->service, v->name) != 0)
				continue;
			printf("%s{", first ? "" : ", ");
			first = 0;
			json_key("host", p->host, 0);
			json_key("role", p->role, 1);
			json_key("view", p->view, 1);
			printf(", \"fails\": %d, \"seen_ms\": %" PRId64 "}",
			    p->fails, p->seen_ms);
		}
		printf("]}");
	}
	printf("]}");
}

void
view_json(const struct mon_target *t, int n)
{
	int	i;

	printf("{\"targets\": [");
	for (i = 0; i < n; i++) {
		printf("%s{", i ? ", " : "");
		json_key("target", t[i].spec, 0);
		printf(", \"connected\": %s, \"updated_ms\": %" PRId64,
		    t[i].connected ? "true" : "false", t[i].updated_ms);
		json_key("error", t[i].error, 1);
		printf(", \"snapshot\": ");
		if (t[i].snap != NULL)
			view_json_snapshot(&t[i]);
		else
			printf("null");
		printf("}");
	}
	printf("]}\n");
}
