/*
 * hc_metrics.c: hc's metrics for its -e port (lib/metrics.c): each
 * target's state, its check results and check durations (counted in
 * hc_run.c, kept across a reload), and hc's transitions, actions and
 * reloads.
 */
#include <stdio.h>

#include "hc.h"
#include "log.h"
#include "metrics.h"
#include "timeutil.h"

static void
hc_metrics_counter(struct pbuf *out, const char *name, const char *help,
    uint64_t v)
{
	metrics_head(out, name, "counter", help);
	metrics_sample(out, name, (double)v, NULL);
}

static void
hc_metrics_write(struct pbuf *out)
{
	static const enum svc_state	 states[] = { SVC_UP, SVC_RECOVER,
					    SVC_FAIL };
	const struct hc_target		*t;
	int64_t				 now = time_now_ms();
	size_t				 j;

	metrics_head(out, "failover_targets", "gauge", "Targets in the "
	    "Hcfile.");
	metrics_sample(out, "failover_targets", hc.conf->ntargets, NULL);
	metrics_head(out, "failover_target_state", "gauge", "1 for the state "
	    "a target has (UP, RECOVER, FAIL), 0 for the others.");
	for (t = hc.conf->targets; t != NULL; t = t->next)
		for (j = 0; j < sizeof(states) / sizeof(states[0]); j++)
			metrics_sample(out, "failover_target_state",
			    t->state == states[j], "target", t->name,
			    "state", svc_state_str(states[j]), NULL);
	metrics_head(out, "failover_target_state_seconds", "gauge",
	    "Seconds since a target's state last changed (since hc started "
	    "if never).");
	for (t = hc.conf->targets; t != NULL; t = t->next)
		metrics_sample(out, "failover_target_state_seconds",
		    (double)(now - (t->changed_ms ? t->changed_ms :
		    hc.start_ms)) / 1000.0, "target", t->name, NULL);
	metrics_head(out, "failover_check_results_total", "counter",
	    "Checks run, by target and result (ok, fail).");
	for (t = hc.conf->targets; t != NULL; t = t->next)
		if (t->check != NULL) {
			metrics_sample(out, "failover_check_results_total",
			    (double)t->results[1], "target", t->name,
			    "result", "ok", NULL);
			metrics_sample(out, "failover_check_results_total",
			    (double)t->results[0], "target", t->name,
			    "result", "fail", NULL);
		}
	metrics_head(out, "failover_check_duration_seconds", "histogram",
	    "How long a target's checks took.");
	for (t = hc.conf->targets; t != NULL; t = t->next)
		if (t->check != NULL)
			metrics_hist_sample(out,
			    "failover_check_duration_seconds", &t->durations,
			    "target", t->name, NULL);
	hc_metrics_counter(out, "failover_target_transitions_total",
	    "Changes of a target's state.", hc.transitions);
	hc_metrics_counter(out, "failover_actions_total", "Actions run.",
	    hc.actions_run);
	hc_metrics_counter(out, "failover_reloads_total", "Hcfile reloads "
	    "applied.", hc.reloads);
}

void
hc_metrics_start(void)
{
	char	where[NET_ADDRSTRLEN + 8], err[256];

	if (hc.metrics_addr == NULL)
		return;
	if (metrics_listen(hc.metrics_addr, hc_metrics_write, where,
	    sizeof(where), err, sizeof(err)) < 0)
		fatalx("cannot listen on the metrics port %s: %s",
		    hc.metrics_addr, err);
	log_info("metrics port: %s", where);
}
