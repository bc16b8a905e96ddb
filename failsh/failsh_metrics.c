/*
 * failsh_metrics.c: failsh's metrics for its -e port (lib/metrics.c):
 * each service's state, health, runs, the actions it took and its
 * scripts' runs and timeouts (counted in failsh_sched.c and
 * failsh_job.c), and per peer its reachability and poll durations.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "failsh.h"
#include "log.h"
#include "metrics.h"
#include "timeutil.h"

static const char	*const metrics_scripts[FAILSH_SCRIPTS] = { "start",
			    "stop", "reclaim", "check" };

/* One counter per service: the field at offset off of its counts. */
static void
failsh_metrics_counts(struct pbuf *out, const char *name, const char *help,
    size_t off)
{
	const struct failsh_service	*s;

	metrics_head(out, name, "counter", help);
	for (s = failsh.services; s != NULL; s = s->next)
		metrics_sample(out, name, (double)*(const uint64_t *)
		    ((const char *)&s->counts + off), "service", s->name, NULL);
}

static void
failsh_metrics_scripts(struct pbuf *out)
{
	const struct failsh_service	*s;
	int				 k;

	metrics_head(out, "failover_script_runs_total", "counter",
	    "Scripts run, by service and script.");
	for (s = failsh.services; s != NULL; s = s->next)
		for (k = 0; k < FAILSH_SCRIPTS; k++)
			if (s->script[k] != NULL)
				metrics_sample(out,
				    "failover_script_runs_total",
				    (double)s->counts.script_runs[k],
				    "service", s->name, "script",
				    metrics_scripts[k], NULL);
	metrics_head(out, "failover_script_timeouts_total", "counter",
	    "Scripts ended at their timeout, by service and script.");
	for (s = failsh.services; s != NULL; s = s->next)
		for (k = 0; k < FAILSH_SCRIPTS; k++)
			if (s->script[k] != NULL)
				metrics_sample(out,
				    "failover_script_timeouts_total",
				    (double)s->counts.script_timeouts[k],
				    "service", s->name, "script",
				    metrics_scripts[k], NULL);
}

static const char *
failsh_metrics_role(int r)
{
	return r == ROLE_MASTER ? "master" : r == ROLE_SLAVE ? "slave" :
	    "quorum";
}

static void
failsh_metrics_peers(struct pbuf *out)
{
	const struct failsh_service	*s;
	const struct failsh_peer	*p;
	size_t				 i;
	int				 r, up;

	metrics_head(out, "failover_peer_up", "gauge", "1 while a peer "
	    "answers a service's polls (fewer failures in a row than "
	    "deadcount), else 0.");
	for (s = failsh.services; s != NULL; s = s->next)
		for (r = ROLE_MASTER; r <= ROLE_QUORUM; r++)
			for (i = 0; i < s->npeers[r]; i++) {
				p = &s->peers[r][i];
				up = p->obs.heard && p->obs.fails <
				    s->deadcount;
				metrics_sample(out, "failover_peer_up", up,
				    "service", s->name, "role",
				    failsh_metrics_role(r), "peer",
				    p->host->name, NULL);
			}
	metrics_head(out, "failover_peer_poll_seconds", "histogram",
	    "How long a service's polls of a peer took, answered or not.");
	for (s = failsh.services; s != NULL; s = s->next)
		for (r = ROLE_MASTER; r <= ROLE_QUORUM; r++)
			for (i = 0; i < s->npeers[r]; i++) {
				p = &s->peers[r][i];
				metrics_hist_sample(out,
				    "failover_peer_poll_seconds", &p->poll_hist,
				    "service", s->name, "role",
				    failsh_metrics_role(r), "peer",
				    p->host->name, NULL);
			}
}

static void
failsh_metrics_write(struct pbuf *out)
{
	static const enum svc_state	 states[] = { SVC_UP, SVC_RECOVER,
					    SVC_FAIL };
	const struct failsh_service	*s;
	int64_t				 now = time_now_ms();
	size_t				 j, n = 0;

	for (s = failsh.services; s != NULL; s = s->next)
		n++;
	metrics_head(out, "failover_services", "gauge", "Services the "
	    "policy defines.");
	metrics_sample(out, "failover_services", (double)n, NULL);
	metrics_head(out, "failover_service_state", "gauge", "1 for the "
	    "state a service has here (UP, RECOVER, FAIL), 0 for the others.");
	for (s = failsh.services; s != NULL; s = s->next)
		for (j = 0; j < sizeof(states) / sizeof(states[0]); j++)
			metrics_sample(out, "failover_service_state",
			    s->state == states[j], "service", s->name,
			    "state", svc_state_str(states[j]), NULL);
	metrics_head(out, "failover_service_state_seconds", "gauge",
	    "Seconds since a service's state here last changed.");
	for (s = failsh.services; s != NULL; s = s->next)
		metrics_sample(out, "failover_service_state_seconds",
		    (double)(now - s->changed_ms) / 1000.0, "service",
		    s->name, NULL);
	metrics_head(out, "failover_service_health", "gauge", "1 while a "
	    "service's health check and hc target pass, 0 while one fails "
	    "(services with neither are left out).");
	for (s = failsh.services; s != NULL; s = s->next)
		if (s->health_total != HEALTH_NONE)
			metrics_sample(out, "failover_service_health",
			    s->health_total == HEALTH_OK, "service", s->name,
			    NULL);
	metrics_head(out, "failover_service_runs_total", "counter",
	    "Runs of a service: polls and a decision.");
	for (s = failsh.services; s != NULL; s = s->next)
		metrics_sample(out, "failover_service_runs_total",
		    (double)s->runs, "service", s->name, NULL);
	failsh_metrics_counts(out, "failover_service_takeovers_total",
	    "Starts of a service here: no master was up.",
	    offsetof(struct failsh_counts, takeovers));
	failsh_metrics_counts(out, "failover_service_stops_total",
	    "Stops of a service decided here: another host runs it.",
	    offsetof(struct failsh_counts, stops));
	failsh_metrics_counts(out, "failover_service_restarts_total",
	    "Restarts in place after a failed health check.",
	    offsetof(struct failsh_counts, restarts));
	failsh_metrics_counts(out, "failover_service_holds_total",
	    "Times an operator's hold took a service off this host.",
	    offsetof(struct failsh_counts, holds));
	failsh_metrics_scripts(out);
	failsh_metrics_peers(out);
	etcd_metrics(out);
}

void
failsh_metrics_start(void)
{
	char	where[NET_ADDRSTRLEN + 8], err[256];

	if (failsh.metrics_addr == NULL)
		return;
	if (metrics_listen(failsh.metrics_addr, failsh_metrics_write, where,
	    sizeof(where), err, sizeof(err)) < 0)
		fatalx("cannot listen on the metrics port %s: %s",
		    failsh.metrics_addr, err);
	log_info("metrics port: %s", where);
}
