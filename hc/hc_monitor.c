/*
 * hc_monitor.c: hc -m, its results on TCP port 1850 in failproto(5):
 * get and list as faild answers them (so failstat reads hc), show for one
 * target in detail (getnode, hcmon.cgi), stats, and ping, version and
 * debug as every port answers them (so faildebug works against hc).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "hc.h"
#include "log.h"
#include "serve.h"
#include "timeutil.h"

/* "name state changed_ms hc", as faild's records. */
static void
fmt_record(struct pbuf *out, const struct hc_target *t)
{
	pbuf_printf(out, " %s %s %" PRId64 " hc", t->name,
	    svc_state_str(t->state), t->changed_ms);
}

/* The show record; failproto(5) lists its fields. */
static void
fmt_show(struct pbuf *out, const struct hc_target *t)
{
	int	i;

	pbuf_printf(out, " %s %s %" PRId64 " %s %s %s %" PRId64 " %" PRId64
	    " %" PRIu64 " %d %d %d %d %" PRId64 " %" PRId64 " ", t->name,
	    svc_state_str(t->state), t->changed_ms, t->service,
	    t->check ? t->check->name : "-",
	    t->last_ms == 0 ? "-" : t->last_ok ? "ok" : "fail", t->last_ms,
	    t->last_latency_ms, t->checks, t->ok_streak, t->fail_streak,
	    t->rise, t->fall, t->interval_ms, t->timeout_ms);
	if (t->agree > 0)
		pbuf_printf(out, "%d/%d/%d", t->agree, t->agreeing,
		    t->nagree + 1);
	else
		pbuf_add(out, "-", 1);
	pbuf_add(out, " ", 1);
	for (i = 0; i < t->ndeps; i++)
		pbuf_printf(out, "%s%s", i ? "," : "", t->dep_names[i]);
	if (t->ndeps == 0)
		pbuf_add(out, "-", 1);
	pbuf_add(out, " ", 1);
	pbuf_add_pct(out, t->reason);
	pbuf_add(out, " ", 1);
	pbuf_add_pct(out, t->last_ms ? t->last_why : "");
	pbuf_add(out, " ", 1);
	pbuf_add_pct(out, t->check_text ? t->check_text : "");
}

static void
monitor_answer(const struct proto_req *req, struct pbuf *out)
{
	struct hc_target	*t;
	uint64_t		 checks = 0;

	switch (req->verb) {
	case VERB_GET:
	case VERB_SHOW:
		if ((t = hc_target_find(hc.conf, req->argv[0])) == NULL) {
			proto_fmt_err(out, req->id, PERR_NOTFOUND, "no such "
			    "target %s", req->argv[0]);
			return;
		}
		pbuf_printf(out, "%s OK", req->id);
		if (req->verb == VERB_GET)
			fmt_record(out, t);
		else
			fmt_show(out, t);
		return;
	case VERB_LIST:
		pbuf_printf(out, "%s OK %d", req->id, hc.conf->ntargets);
		for (t = hc.conf->targets; t != NULL; t = t->next)
			fmt_record(out, t);
		return;
	case VERB_STATS:
		for (t = hc.conf->targets; t != NULL; t = t->next)
			checks += t->checks;
		pbuf_printf(out, "%s OK targets %d checks %" PRIu64
		    " transitions %" PRIu64 " actions %" PRIu64 " reloads %"
		    PRIu64 " uptime_ms %" PRId64, req->id, hc.conf->ntargets,
		    checks, hc.transitions, hc.actions_run, hc.reloads,
		    time_now_ms() - hc.start_ms);
		return;
	default:
		proto_fmt_err(out, req->id, PERR_VERB, "%s is not served by hc",
		    proto_verb_str(req->verb));
	}
}

static const struct keyring *
monitor_keys(void)
{
	return hc.conf->keys;
}

static const char *
monitor_community(void)
{
	return hc.conf->community;
}

static struct serve_port monitor_port = {
	"hc", monitor_keys, monitor_community, monitor_answer, NULL
};

void
hc_monitor_start(void)
{
	static const struct serve_limits	lim = SERVE_MONITOR_LIMITS;
	char					err[256];

	if (serve_listen(hc.monitor_addr, HC_MONITOR_PORT, "monitor",
	    serve_requests, &monitor_port, &lim, err, sizeof(err)) < 0)
		fatalx("cannot listen on the monitor port: %s", err);
	log_info("monitor port: %s", hc.monitor_addr);
}
