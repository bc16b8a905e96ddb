/*
 * dns_metrics.c: faildns's metrics for its -e port (lib/metrics.c): the
 * queries and answers it counts (faildns.stats), each failover name's
 * state as the monitor port shows it, each member's, each source's
 * reachability, and the changes, pushes and reloads.
 */
#include <stdio.h>

#include "faildns.h"
#include "log.h"
#include "metrics.h"
#include "net.h"

static void
counter(struct pbuf *out, const char *name, const char *help, uint64_t v)
{
	metrics_head(out, name, "counter", help);
	metrics_sample(out, name, (double)v, NULL);
}

static void
dns_metrics_write(struct pbuf *out)
{
	static const struct {
		int		 rcode;
		const char	*name;
	} rcodes[] = {
		{ DNS_RCODE_NOERROR, "NOERROR" },
		{ DNS_RCODE_FORMERR, "FORMERR" },
		{ DNS_RCODE_SERVFAIL, "SERVFAIL" },
		{ DNS_RCODE_NXDOMAIN, "NXDOMAIN" },
		{ DNS_RCODE_NOTIMP, "NOTIMP" },
		{ DNS_RCODE_REFUSED, "REFUSED" }
	};
	static const char	*states[] = { "UP", "RECOVER", "FAIL" };
	const struct fdns_conf	*conf = faildns.conf;
	const struct faildns_stats *s = &faildns.stats;
	const struct fdns_pool	*p;
	const char		*why, *st;
	char			 addr[64];
	int64_t			 since;
	size_t			 i, j, k;

	metrics_head(out, "failover_dns_queries_total", "counter",
	    "Queries received, by transport.");
	metrics_sample(out, "failover_dns_queries_total", (double)s->udp,
	    "transport", "udp", NULL);
	metrics_sample(out, "failover_dns_queries_total", (double)s->tcp,
	    "transport", "tcp", NULL);
	metrics_head(out, "failover_dns_answers_total", "counter",
	    "Answers sent, by rcode.");
	for (i = 0; i < sizeof(rcodes) / sizeof(rcodes[0]); i++)
		metrics_sample(out, "failover_dns_answers_total",
		    (double)s->rcode[rcodes[i].rcode], "rcode",
		    rcodes[i].name, NULL);
	counter(out, "failover_dns_truncated_total", "Answers sent with TC.",
	    s->truncated);
	counter(out, "failover_dns_dropped_total", "Queries given no answer "
	    "(malformed beyond an answer, or a full socket).", s->dropped);
	counter(out, "failover_dns_tcp_connections_total", "TCP connections "
	    "accepted.", s->tcp_conns);
	metrics_head(out, "failover_dns_name_state", "gauge", "1 for the state "
	    "a failover name has (UP: its best level answers, RECOVER: a lower "
	    "level or offsite, FAIL: a rule, no member up), 0 for the others.");
	for (i = 0; i < conf->nnames; i++) {
		st = monitor_name_state(&db_name_status(faildns.db,
		    i)->choice);
		for (k = 0; k < 3; k++)
			metrics_sample(out, "failover_dns_name_state",
			    st == states[k] ? 1 : 0, "name",
			    conf->names[i].name, "state", states[k], NULL);
	}
	metrics_head(out, "failover_dns_member_up", "gauge", "1 when a pool's "
	    "member is up (or static), 0 when down, -1 before any vote.");
	for (i = 0; i < conf->npools; i++) {
		p = &conf->pools[i];
		for (j = 0; j < p->nmembers; j++)
			metrics_sample(out, "failover_dns_member_up",
			    p->members[j].nservices == 0 ||
			    p->members[j].state == FDNS_M_UP ? 1 :
			    p->members[j].state == FDNS_M_DOWN ? 0 : -1,
			    "pool", p->name, "member", fdns_addr_str(
			    &p->members[j].addr, addr, sizeof(addr)), NULL);
	}
	metrics_head(out, "failover_dns_source_up", "gauge", "1 while a "
	    "source's watch stream is open.");
	for (i = 0; i < conf->nsources; i++)
		metrics_sample(out, "failover_dns_source_up",
		    source_status(i, &since, &why), "source",
		    conf->sources[i].name, NULL);
	counter(out, "failover_dns_changes_total", "Changes of a failover "
	    "name's answer.", s->changes);
	counter(out, "failover_dns_pushes_total", "RFC 2136 updates sent.",
	    s->pushes);
	counter(out, "failover_dns_push_errors_total", "RFC 2136 updates that "
	    "failed.", s->push_errors);
	counter(out, "failover_reloads_total", "Configuration reloads "
	    "applied.", faildns.reloads);
}

void
dns_metrics_start(void)
{
	char	where[NET_ADDRSTRLEN + 8], err[256];

	if (faildns.metrics_addr == NULL)
		return;
	if (metrics_listen(faildns.metrics_addr, dns_metrics_write, where,
	    sizeof(where), err, sizeof(err)) < 0)
		fatalx("cannot listen on the metrics port %s: %s",
		    faildns.metrics_addr, err);
	log_info("metrics port: %s", where);
}
