/*
 * monitor.c: faildns -m, its status on TCP port 1851 in failproto(5), so
 * that failstat and faildebug work against it. Its records, as faild's
 * (name state changed_ms setter):
 *   a failover name: UP answering its best level, RECOVER answering a
 *     lower level or offsite, FAIL when a rule answers for a pool with
 *     no member up; the setter is the rule that chose;
 *   POOL/ADDRESS, a member: UP, FAIL (down) or RECOVER (unknown); the
 *     setter its votes, "down=1/2,agree=2";
 *   source/NAME, a faild followed: UP while its stream is open.
 * get and show take a failover name; show tells the whole of it: the
 * answer and why, the worst case.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "faildns.h"
#include "log.h"
#include "serve.h"
#include "timeutil.h"

#define SOURCE_PREFIX	"source/"

const char *
monitor_name_state(const struct fdns_choice *c)
{
	if (c->kind != FDNS_ANS_ADDRS || strncmp(c->rule, "all down", 8) == 0)
		return "FAIL";
	return c->degraded ? "RECOVER" : "UP";
}

static const char *
member_state(const struct fdns_member *m)
{
	return m->state == FDNS_M_UP || m->nservices == 0 ? "UP" :
	    m->state == FDNS_M_DOWN ? "FAIL" : "RECOVER";
}

/* The setter word of a name: its rule, spaces as '_'. */
static void
fmt_rule(struct pbuf *out, const char *rule)
{
	char	w[64];
	size_t	i;

	snprintf(w, sizeof(w), "%s", rule);
	for (i = 0; w[i] != '\0'; i++)
		if (w[i] == ' ')
			w[i] = '_';
	pbuf_printf(out, " %s", w);
}

static void
fmt_name(struct pbuf *out, size_t i)
{
	const struct db_name_status	*st = db_name_status(faildns.db, i);

	pbuf_printf(out, " %s %s %" PRId64, faildns.conf->names[i].name,
	    monitor_name_state(&st->choice), st->changed_ms);
	fmt_rule(out, st->choice.rule);
}

static void
fmt_member(struct pbuf *out, const struct fdns_pool *p,
    const struct fdns_member *m)
{
	char	addr[64];

	pbuf_printf(out, " %s/%s %s %" PRId64 " ", p->name, fdns_addr_str(
	    &m->addr, addr, sizeof(addr)), member_state(m), m->changed_ms);
	if (m->nservices == 0)
		pbuf_printf(out, "static");
	else
		pbuf_printf(out, "down=%d/%d,up=%d,agree=%d", m->votes_down,
		    p->nsources, m->votes_up, p->agree);
}

static void
fmt_source(struct pbuf *out, size_t i)
{
	int64_t		 since;
	const char	*why;
	int		 up = source_status(i, &since, &why);

	pbuf_printf(out, " %s%s %s %" PRId64 " %s", SOURCE_PREFIX,
	    faildns.conf->sources[i].name, up ? "UP" : "FAIL", since,
	    faildns.conf->sources[i].faild);
}

static size_t
nrecords(void)
{
	const struct fdns_conf	*conf = faildns.conf;
	size_t			 i, n = conf->nnames + conf->nsources;

	for (i = 0; i < conf->npools; i++)
		n += conf->pools[i].nmembers;
	return n;
}

/* The failover name's record (show: in detail); -1 if there is none.
 * (Members and sources are only listed: failproto's names cannot hold
 * their "/" and an IPv6 address's ":".) */
static int
find(const char *name, struct pbuf *out, int show)
{
	const struct fdns_conf		*conf = faildns.conf;
	const struct db_name_status	*st;
	const struct fdns_name		*n;
	char				 buf[1024];
	size_t				 i;

	for (i = 0; i < conf->nnames; i++) {
		if (strcmp(conf->names[i].name, name) != 0)
			continue;
		fmt_name(out, i);
		if (!show)
			return 0;
		n = &conf->names[i];
		st = db_name_status(faildns.db, i);
		pbuf_printf(out, " %s %s %" PRIu32 " %d %d %" PRIu64 " ",
		    n->pool->name, fdns_select_str(n->select), n->ttl,
		    n->pool->detect_s, fdns_worst_case_s(n), st->answers);
		pbuf_add_pct(out, faildns_answer_str(&st->choice, buf,
		    sizeof(buf)));
		pbuf_add(out, " ", 1);
		snprintf(buf, sizeof(buf), "%s%s", st->choice.why,
		    source_all_down() ? " (every source unreachable: the "
		    "last known states)" : "");
		pbuf_add_pct(out, buf);
		return 0;
	}
	return -1;
}

static void
monitor_answer(const struct proto_req *req, struct pbuf *out)
{
	const struct fdns_conf	*conf = faildns.conf;
	const struct faildns_stats *s = &faildns.stats;
	size_t			 i, j, up = 0;
	int64_t			 since;
	const char		*why;

	switch (req->verb) {
	case VERB_GET:
	case VERB_SHOW:
		pbuf_printf(out, "%s OK", req->id);
		if (find(req->argv[0], out, req->verb == VERB_SHOW) < 0) {
			pbuf_reset(out);
			proto_fmt_err(out, req->id, PERR_NOTFOUND, "no "
			    "failover name %s", req->argv[0]);
		}
		return;
	case VERB_LIST:
		pbuf_printf(out, "%s OK %zu", req->id, nrecords());
		for (i = 0; i < conf->nnames; i++)
			fmt_name(out, i);
		for (i = 0; i < conf->npools; i++)
			for (j = 0; j < conf->pools[i].nmembers; j++)
				fmt_member(out, &conf->pools[i],
				    &conf->pools[i].members[j]);
		for (i = 0; i < conf->nsources; i++)
			fmt_source(out, i);
		return;
	case VERB_STATS:
		for (i = 0; i < conf->nsources; i++)
			up += (size_t)source_status(i, &since, &why);
		pbuf_printf(out, "%s OK udp %" PRIu64 " tcp %" PRIu64
		    " noerror %" PRIu64 " nxdomain %" PRIu64 " servfail %"
		    PRIu64 " refused %" PRIu64 " formerr %" PRIu64 " notimp %"
		    PRIu64 " truncated %" PRIu64 " dropped %" PRIu64
		    " tcp_conns %" PRIu64 " changes %" PRIu64 " pushes %"
		    PRIu64 " push_errors %" PRIu64 " reloads %" PRIu64
		    " names %zu records %zu sources_up %zu/%zu uptime_ms %"
		    PRId64, req->id, s->udp, s->tcp,
		    s->rcode[DNS_RCODE_NOERROR], s->rcode[DNS_RCODE_NXDOMAIN],
		    s->rcode[DNS_RCODE_SERVFAIL], s->rcode[DNS_RCODE_REFUSED],
		    s->rcode[DNS_RCODE_FORMERR], s->rcode[DNS_RCODE_NOTIMP],
		    s->truncated, s->dropped, s->tcp_conns, s->changes,
		    s->pushes, s->push_errors, faildns.reloads, conf->nnames,
		    db_records(faildns.db), up, conf->nsources,
		    time_now_ms() - faildns.start_ms);
		return;
	default:
		proto_fmt_err(out, req->id, PERR_VERB, "%s is not served by "
		    "faildns", proto_verb_str(req->verb));
	}
}

static const struct keyring *
monitor_keys(void)
{
	return NULL;
}

static const char *
monitor_community(void)
{
	return faildns.conf->community;
}

static struct serve_port monitor_port = {
	"faildns", monitor_keys, monitor_community, monitor_answer, NULL
};

void
monitor_start(void)
{
	static const struct serve_limits	lim = SERVE_MONITOR_LIMITS;
	char					err[256];

	if (serve_listen(faildns.monitor_addr, FAILDNS_MONITOR_PORT,
	    "monitor", serve_requests, &monitor_port, &lim, err,
	    sizeof(err)) < 0)
		fatalx("cannot listen on the monitor port: %s", err);
	log_info("monitor port: %s", faildns.monitor_addr);
}
