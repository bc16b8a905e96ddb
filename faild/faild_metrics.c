/*
 * faild_metrics.c: faild's metrics for its -e port (lib/metrics.c): the
 * request counters faild_handle keeps, connections and watchers, state
 * writes, and every record's state. The records are copied first, then
 * formatted with yields, so a large table does not stall the event loop.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faild.h"
#include "log.h"
#include "metrics.h"
#include "timeutil.h"
#include "xmalloc.h"

#define FAILD_METRICS_SLICE	1024	/* records formatted between yields */

struct faild_metrics_rec {
	char		name[PROTO_MAX_NAME + 1];
	enum svc_state	state;
	int64_t		changed_ms;
};

static void
faild_metrics_counter(struct pbuf *out, const char *name, const char *help,
    uint64_t v)
{
	metrics_head(out, name, "counter", help);
	metrics_sample(out, name, (double)v, NULL);
}

static void
faild_metrics_gauge(struct pbuf *out, const char *name, const char *help,
    double v)
{
	metrics_head(out, name, "gauge", help);
	metrics_sample(out, name, v, NULL);
}

/* Size of a file, or -1 when it cannot be seen. */
static double
faild_metrics_file_size(const char *path)
{
	struct stat	st;

	return stat(path, &st) == 0 ? (double)st.st_size : -1;
}

/* The records' states, enum style, and their age. Yields. */
static void
faild_metrics_services(struct pbuf *out)
{
	static const enum svc_state	 states[] = { SVC_UP, SVC_RECOVER,
					    SVC_FAIL };
	struct faild_metrics_rec	*recs;
	struct service			**v;
	int64_t				  now = time_now_ms();
	size_t				  i, j, n;

	v = state_sorted(faild.table, &n);
	recs = xcalloc(n ? n : 1, sizeof(*recs));
	for (i = 0; i < n; i++) {
		snprintf(recs[i].name, sizeof(recs[i].name), "%s", v[i]->name);
		recs[i].state = v[i]->state;
		recs[i].changed_ms = v[i]->changed_ms;
	}
	free(v);
	faild_metrics_gauge(out, "failover_services", "Records faild holds.",
	    (double)n);
	metrics_head(out, "failover_service_state", "gauge", "1 for the "
	    "state a record has (UP, RECOVER, FAIL), 0 for the others.");
	for (i = 0; i < n; i++) {
		for (j = 0; j < sizeof(states) / sizeof(states[0]); j++)
			metrics_sample(out, "failover_service_state",
			    recs[i].state == states[j], "service",
			    recs[i].name, "state", svc_state_str(states[j]),
			    NULL);
		if (i % FAILD_METRICS_SLICE == FAILD_METRICS_SLICE - 1)
			pth_yield(NULL);
	}
	metrics_head(out, "failover_service_state_seconds", "gauge",
	    "Seconds since a record's state last changed.");
	for (i = 0; i < n; i++) {
		metrics_sample(out, "failover_service_state_seconds",
		    (double)(now - recs[i].changed_ms) / 1000.0, "service",
		    recs[i].name, NULL);
		if (i % FAILD_METRICS_SLICE == FAILD_METRICS_SLICE - 1)
			pth_yield(NULL);
	}
	free(recs);
}

static void
faild_metrics_write(struct pbuf *out)
{
	const struct faild_stats	*st = &faild.stats;
	char				 path[4096];
	int				 v, t;

	metrics_head(out, "failover_requests_total", "counter", "Requests "
	    "by verb (\"invalid\": not parsed) and transport.");
	for (v = 0; v <= VERB_MAX; v++)
		for (t = 0; t < 2; t++)
			metrics_sample(out, "failover_requests_total",
			    (double)st->by_verb[v][t], "verb", v == VERB_MAX ?
			    "invalid" : proto_verb_str(v), "transport",
			    t ? "tcp" : "udp", NULL);
	faild_metrics_counter(out, "failover_request_errors_total",
	    "Requests answered with an error.", st->errors);
	faild_metrics_counter(out, "failover_requests_refused_total",
	    "Requests refused by access rules or the rate limit.",
	    st->refused);
	faild_metrics_gauge(out, "failover_connections", "Open TCP "
	    "connections, watchers included.", (double)st->connections);
	faild_metrics_counter(out, "failover_connections_accepted_total",
	    "TCP connections accepted.", st->connections_total);
	faild_metrics_counter(out, "failover_connections_refused_total",
	    "TCP connections refused at a limit.", st->connections_refused);
	faild_metrics_gauge(out, "failover_watchers", "Watch streams open.",
	    (double)st->watchers);
	faild_metrics_counter(out, "failover_state_writes_total",
	    "Changes written to the state file.", st->writes);
	faild_metrics_counter(out, "failover_state_write_failures_total",
	    "Changes not made: the state file could not be written.",
	    st->writes_failed);
	faild_metrics_gauge(out, "failover_state_file_bytes", "Size of the "
	    "state file snapshot (-1: cannot be seen).",
	    faild_metrics_file_size(faild.statefile));
	snprintf(path, sizeof(path), "%s%s", faild.statefile,
	    STATE_JOURNAL_SUFFIX);
	faild_metrics_gauge(out, "failover_journal_bytes", "Size of the state "
	    "file's journal (-1: cannot be seen).",
	    faild_metrics_file_size(path));
	faild_metrics_gauge(out, "failover_start_time_seconds", "When faild "
	    "started, seconds since the epoch.", faild.start_ms / 1000.0);
	faild_metrics_services(out);
}

void
faild_metrics_start(void)
{
	char	where[NET_ADDRSTRLEN + 8], err[256];

	if (faild.metrics_addr == NULL)
		return;
	if (metrics_listen(faild.metrics_addr, faild_metrics_write, where,
	    sizeof(where), err, sizeof(err)) < 0)
		fatalx("cannot listen on the metrics port %s: %s",
		    faild.metrics_addr, err);
	log_info("metrics port: %s", where);
}
