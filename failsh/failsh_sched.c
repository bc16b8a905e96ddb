/*
 * failsh_sched.c: the scheduler. Every interval, a run of each service in
 * a pool of worker threads (see sched_clock): poll the masters, slaves
 * and quorum hosts at once, apply deadcount, ask lib/decide.c what to do,
 * run the script it calls for (as a job in the Tcl thread), publish the
 * result to the local faild, and report changes to failtrap and the
 * monitor.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "failsh.h"
#include "log.h"
#include "timeutil.h"
#include "xmalloc.h"

static pth_mutex_t		sched_mutex = PTH_MUTEX_INIT;
static struct log_ratelimit	rl_publish;
static pth_attr_t		poll_attr;	/* joinable poll threads */

/* One poll of one host (NULL: the local faild), or the run of the health
 * check, maybe in a thread of its own. */
struct poll {
	struct failsh_service	*check;		/* the check of this service */
	struct failsh_host	*host;
	const char		*service;
	int			 timeout_ms;
	int			 quorum;	/* only reachability counts */
	int			 slave;		/* see host_get_state */
	int			 ok;		/* local: 1 record, 0 none, -1 */
	int			 nodata;	/* not polled: no connection free */
	struct host_record	 rec;
	int64_t			 took_ms;
	char			 err[128];
};

static int		local_answered = 1;	/* the last call sent */

/*
 * Send a request to the local faild, waiting at most timeout_ms in all,
 * for the runners ahead of it and for the answer: a call that waited in
 * the queue has only the rest (else a run would take up to twice its
 * timeout, which the scheduler takes for a stall of the process, and
 * re-polls at once, queueing more). Returns 0 with r filled (OK or ERR),
 * -1 with err set, or HOST_BUSY when it could not be sent in time. Yields.
 */
static int
sched_local_call(const char *req, int timeout_ms, struct proto_resp *r,
    char *err, size_t errlen)
{
	pth_event_t	ev;
	int64_t		deadline = time_mono_ms() + timeout_ms, left;
	int		rc;

	ev = pth_event(PTH_EVENT_TIME, pth_timeout(timeout_ms / 1000,
	    (timeout_ms % 1000) * 1000));
	if (!pth_mutex_acquire(&failsh.faild_mutex, FALSE, ev)) {
		pth_event_free(ev, PTH_FREE_THIS);
		snprintf(err, errlen, "no answer in time (calls queued)");
		return HOST_BUSY;
	}
	pth_event_free(ev, PTH_FREE_THIS);
	if ((left = deadline - time_mono_ms()) <= 0) {
		pth_mutex_release(&failsh.faild_mutex);
		snprintf(err, errlen, "no answer in time (calls queued)");
		return HOST_BUSY;
	}
	failsh.faild.timeout_ms = (int)left;
	rc = fail_client_call(&failsh.faild, req, r, err, errlen);
	local_answered = rc == 0;
	pth_mutex_release(&failsh.faild_mutex);
	return rc;
}

static void *
poll_thread(void *arg)
{
	struct poll		*p = arg;
	struct proto_resp	 r = { 0 };
	char			 req[PROTO_MAX_NAME + 8];
	enum svc_state		 st;
	int64_t			 start = time_mono_ms();
	int			 rc;

	if (p->check != NULL) {	/* the state it returned: UP passes */
		st = job_run_script(p->check, SCRIPT_CHECK, p->err,
		    sizeof(p->err));
		p->ok = st == SVC_UP;
		if (!p->ok && strcmp(p->err, "check ok") == 0)
			snprintf(p->err, sizeof(p->err), "check returned %s",
			    svc_state_str(st));
	} else if (p->host == NULL) {	/* what the local faild holds */
		snprintf(req, sizeof(req), "get %s", p->service);
		p->ok = -1;
		rc = sched_local_call(req, p->timeout_ms, &r, p->err,
		    sizeof(p->err));
		if (rc == 0)
			p->ok = host_parse_get(&r, &p->rec, p->err,
			    sizeof(p->err)) == 0 ? 1 : 0;
		if (p->ok == 0 && r.code != PERR_NOTFOUND)
			p->ok = -1;
		/* queued behind other services' calls while the last one
		 * sent was answered: no news of faild, not its silence */
		p->nodata = rc == HOST_BUSY && local_answered;
	} else {
		rc = p->quorum ?	/* any answer will do */
		    host_call(p->host, "ping", p->timeout_ms, &r, p->err,
		    sizeof(p->err)) :
		    host_get_state(p->host, p->service, p->timeout_ms,
		    p->slave, &p->rec, p->err, sizeof(p->err));
		p->ok = rc == 0;
		/* Our calls to it queued past the timeout: while its last
		 * answered call went well, that says nothing of the host
		 * (many services polling one host at once, a start-up); else
		 * its calls in flight fail too, and this counts. */
		p->nodata = rc == HOST_BUSY && p->host->reachable;
	}
	p->took_ms = time_mono_ms() - start;
	proto_resp_clear(&r);
	return NULL;
}

/* Set a record in the local faild; 0, or -1 with err set. Yields. */
static int
sched_local_set(const char *prefix, const char *name, enum svc_state st,
    char *err, size_t errlen)
{
	struct proto_resp	r = { 0 };
	char			req[PROTO_MAX_NAME + 48];
	int			rc;

	snprintf(req, sizeof(req), "set %s%s %s", prefix, name,
	    svc_state_str(st));
	rc = sched_local_call(req, FAILSH_LOCAL_MS, &r, err, errlen);
	if (rc == 0 && strcmp(r.kind, "ERR") == 0) {
		snprintf(err, errlen, "ERR %d %s", r.code, r.text);
		rc = -1;
	}
	proto_resp_clear(&r);
	return rc;
}

/* Publish the local state to the local faild; 0 on success. Yields. */
static int
sched_publish(struct failsh_service *s)
{
	char	err[256];
	int	rc;

	rc = sched_local_set("", s->name, s->state, err, sizeof(err));
	s->published = rc == 0;
	if (rc < 0)
		log_warnx_rl(&rl_publish, "service %s: cannot publish %s to "
		    "the local faild: %s", s->name, svc_state_str(s->state),
		    err);
	return rc;
}

void
sched_set_state(struct failsh_service *s, enum svc_state st, const char *why)
{
	enum svc_state	old = s->state;

	snprintf(s->reason, sizeof(s->reason), "%s", why);
	if (st != old) {
		log_info("service %s: %s -> %s (%s)", s->name,
		    svc_state_str(old), svc_state_str(st), why);
		s->state = st;
		s->changed_ms = time_now_ms();
		job_trap(s->name, failsh.nodename, old, st);
	}
	monitor_changed();
	sched_publish(s);
}

/*
 * The local faild's answer of this run (p->host is NULL). The first one
 * gives the state failsh takes over: an UP is unverified until the peers
 * are checked (the host may have rebooted, a slave may run it now). A
 * record that is missing or unconfirmed later (faild restarted, or lost
 * it) is published again.
 */
static void
sched_local(struct failsh_service *s, const struct poll *p)
{
	if (p->ok < 0) {
		if (s->local_fails++ == 0)
			log_warnx("service %s: the local faild does not answer: "
			    "%s", s->name, p->err);
		if (s->local_fails > 1000000)
			s->local_fails = 1000000;
		return;
	}
	if (s->local_fails > 0)
		log_info("service %s: the local faild answers again",
		    s->name);
	s->local_fails = 0;
	if (!s->attached && p->ok == 1) {
		s->state = p->rec.state;
		s->changed_ms = p->rec.changed_ms;
		s->unverified = s->state == SVC_UP;
		snprintf(s->reason, sizeof(s->reason), "as the local faild "
		    "had it%s", p->rec.unconfirmed ? ", unconfirmed" : "");
		log_info("service %s: %s (%s)", s->name, svc_state_str(s->state),
		    s->reason);
		monitor_changed();
	}
	s->attached = 1;
	if (p->ok == 0 || p->rec.unconfirmed)
		s->published = 0;
	if (p->ok == 0)		/* new, or lost: faild shows it at once */
		sched_publish(s);
}

/*
 * The health check's outcome of this run, damped: FAIL after `fall`
 * failures in a row, OK after `rise` passes; the first result counts at
 * once. Logged when the health changes.
 */
static void
sched_health(struct failsh_service *s, const struct poll *p)
{
	enum decide_health	old = s->health, now = old;

	snprintf(s->check_why, sizeof(s->check_why), "%s", p->err);
	if (p->ok) {
		s->check_fails = 0;
		s->check_oks++;
	} else {
		s->check_oks = 0;
		s->check_fails++;
		log_debug(FAC_SCHED, 1, "service %s: health check: %s",
		    s->name, p->err);
	}
	if (old == HEALTH_NONE)
		now = p->ok ? HEALTH_OK : HEALTH_FAIL;
	else if (old == HEALTH_OK && s->check_fails >= s->fall)
		now = HEALTH_FAIL;
	else if (old == HEALTH_FAIL && s->check_oks >= s->rise)
		now = HEALTH_OK;
	if (now == old)
		return;
	s->health = now;
	log_info("service %s: health %s -> %s (%s, %d/%d)", s->name,
	    decide_health_str(old), decide_health_str(now), p->err,
	    p->ok ? s->check_oks : s->check_fails, p->ok ? s->rise : s->fall);
	monitor_changed();
}

/*
 * The health the decision gets: the check's (damped), and the state of the
 * hc target it follows, taken as it is (hc damps it): FAIL if either
 * fails. A target whose state is not known yet keeps a host that does not
 * run the service from taking it over. health_back: turned OK this run.
 */
static void
sched_health_total(struct failsh_service *s)
{
	enum decide_health	old = s->health_total, now = s->health;
	enum svc_state		st;

	if (s->hc_target == NULL)
		;
	else if (watch_state(s->hc_target, &st) == 0) {
		if (st != SVC_UP)
			now = HEALTH_FAIL;
		else if (now == HEALTH_NONE)
			now = HEALTH_OK;
	} else if (s->state != SVC_UP)
		now = HEALTH_FAIL;	/* not known yet: never take over */
	/* Given up here: sick for the hold-down, whatever the check says,
	 * so that a server that keeps crashing does not come back at once
	 * and flap between the hosts. */
	if (s->gaveup_ms != 0 && s->holddown_ms > 0 &&
	    time_mono_ms() - s->gaveup_ms < s->holddown_ms && now != HEALTH_NONE)
		now = HEALTH_FAIL;
	s->health_total = now;
	s->health_back = old == HEALTH_FAIL && now == HEALTH_OK;
}

/* Show the health in the local faild ("_health.NAME", UP or FAIL), for
 * failstat, peers and tools; again on the next run if that fails. */
static void
sched_publish_health(struct failsh_service *s)
{
	char	err[256];

	if (s->health_total == HEALTH_NONE ||
	    s->health_total == s->health_published || s->local_fails > 0)
		return;
	if (sched_local_set(STATE_HEALTH, s->name, s->health_total ==
	    HEALTH_OK ? SVC_UP : SVC_FAIL, err, sizeof(err)) == 0)
		s->health_published = s->health_total;
	else
		log_warnx_rl(&rl_publish, "service %s: cannot publish its "
		    "health to the local faild: %s", s->name, err);
}

/*
 * Record one poll's outcome in the service's view of the host; log and
 * trap when what the service sees of it changes.
 */
static void
sched_observe(struct failsh_service *s, enum failsh_role role,
    const struct poll *p)
{
	struct failsh_peer	*peer = NULL;
	enum decide_view	 before, after;
	size_t			 i;

	for (i = 0; i < s->npeers[role]; i++)
		if (s->peers[role][i].host == p->host)
			peer = &s->peers[role][i];
	if (peer == NULL || p->nodata)
		return;			/* dropped by the policy meanwhile, or
					   not polled */
	metrics_hist_observe(&peer->poll_hist, p->took_ms / 1000.0);
	before = decide_peer_view(&peer->obs, s->deadcount);
	peer->obs.back = 0;
	peer->obs.left = 0;
	peer->obs.unconfirmed = p->rec.unconfirmed;
	if (p->ok) {
		/* back: it was dead, or its state changed while unheard */
		peer->obs.back = peer->obs.heard && (peer->obs.fails >=
		    s->deadcount || (peer->obs.fails > 0 &&
		    peer->changed_ms != p->rec.changed_ms));
		peer->obs.heard = 1;
		peer->obs.last = p->rec.state;
		peer->obs.fails = 0;
		peer->seen_ms = time_now_ms();
		peer->changed_ms = p->rec.changed_ms;
	} else if (peer->obs.fails < 1000000)
		peer->obs.fails++;
	after = decide_peer_view(&peer->obs, s->deadcount);
	peer->obs.left = before == VIEW_UP && after != VIEW_UP;
	if (before == after || after == VIEW_UNKNOWN)
		return;
	monitor_changed();
	if (role == ROLE_QUORUM)
		return;
	if (p->ok)
		log_info("service %s: %s %s %s -> %s", s->name,
		    role == ROLE_MASTER ? "master" : "slave", p->host->name,
		    decide_view_str(before), decide_view_str(after));
	else
		log_info("service %s: %s %s %s -> FAIL (%d polls failed: %s)",
		    s->name, role == ROLE_MASTER ? "master" : "slave",
		    p->host->name, decide_view_str(before), peer->obs.fails,
		    p->err);
	job_trap(s->name, p->host->name, before == VIEW_UNKNOWN ? SVC_NONE :
	    (enum svc_state)before, (enum svc_state)after);
}

/*
 * Poll every peer of the service and run its health check at once: one
 * in this thread, the others in threads of their own; then the local
 * faild, in this thread. The check (if any) and the local faild's poll
 * come last, with a NULL host. Yields.
 */
static void
sched_poll(struct failsh_service *s, struct poll *polls, enum failsh_role
    *roles, size_t *npolls)
{
	pth_t	tids[FAILSH_MAX_POLLS];
	size_t	i, n = 0;
	int	r, timeout;

	/* with etcd, the peers' views are keys: no polls */
	for (r = ROLE_MASTER; r <= ROLE_QUORUM && !etcd_backend(); r++)
		for (i = 0; i < s->npeers[r]; i++) {
			struct failsh_host *h = s->peers[r][i].host;

			timeout = h->timeout_ms;
			if (timeout > s->interval_ms)
				timeout = (int)s->interval_ms;
			memset(&polls[n], 0, sizeof(polls[n]));
			polls[n].host = h;
			polls[n].service = s->name;
			polls[n].timeout_ms = timeout;
			polls[n].quorum = r == ROLE_QUORUM;
			polls[n].slave = r == ROLE_SLAVE;
			roles[n++] = r;
		}
	if (s->script[SCRIPT_CHECK] != NULL) {
		memset(&polls[n], 0, sizeof(polls[n]));
		polls[n].check = s;
		polls[n].timeout_ms = (int)failsh_check_timeout(s);
		roles[n++] = ROLE_MASTER;	/* unused */
	}
	memset(&polls[n], 0, sizeof(polls[n]));
	polls[n].service = s->name;
	polls[n].timeout_ms = s->interval_ms < FAILSH_LOCAL_MS ?
	    (int)s->interval_ms : FAILSH_LOCAL_MS;
	roles[n++] = ROLE_MASTER;	/* unused */
	/* Joinable explicitly: PTH_ATTR_DEFAULT would inherit the runner's
	 * attributes, and runners are not joinable. */
	if (poll_attr == NULL) {
		poll_attr = pth_attr_new();
		pth_attr_set(poll_attr, PTH_ATTR_JOINABLE, TRUE);
		pth_attr_set(poll_attr, PTH_ATTR_NAME, "poll");
	}
	/* The local faild's poll, last, runs in this thread after the
	 * first: it answers over loopback at once, and a thread spawned for
	 * it on every run of every service costs more than the poll (100
	 * services at 0.1 s: 32 % of a core against 100 %). */
	for (i = 1; i + 1 < n; i++)
		tids[i] = pth_spawn(poll_attr, poll_thread, &polls[i]);
	tids[n - 1] = NULL;
	if (n > 0)
		poll_thread(&polls[0]);
	for (i = 1; i < n; i++)
		if (tids[i] == NULL)
			poll_thread(&polls[i]);
		else if (!pth_join(tids[i], NULL))
			fatal("service %s: pth_join", s->name);
	*npolls = n;
}

static void
sched_copy_peers(const struct failsh_service *s, enum failsh_role r,
    struct decide_peer *out)
{
	size_t	i;

	for (i = 0; i < s->npeers[r]; i++)
		out[i] = s->peers[r][i].obs;
}

/* What a run asks of the next one. */
enum sched_next {
	NEXT_INTERVAL,		/* one interval after this one started */
	NEXT_AFTER_SCRIPT,	/* one interval after its script ended */
	NEXT_NOW		/* at once: re-poll after a stall */
};

/*
 * The health check failed where the service runs: stop it, then start it
 * again (restart), or leave it stopped and FAIL (give up). A restart
 * counts in the window, and the check gets `fall` runs again before the
 * next one. Returns the state to publish, with why. Yields.
 */
static enum svc_state
sched_restart(struct failsh_service *s, int restart, char *why,
    size_t whylen)
{
	enum svc_state	st;
	char		stop[FAILSH_MAX_REASON], start[FAILSH_MAX_REASON];

	st = job_run_script(s, SCRIPT_STOP, stop, sizeof(stop));
	if (!restart)
		s->gaveup_ms = time_mono_ms();
	if (!restart || st == SVC_FAIL) {
		snprintf(why, whylen, "%s", stop);
		return SVC_FAIL;
	}
	s->restart_ms[s->nrestarts++ % FAILSH_MAX_RESTARTS] = time_mono_ms();
	s->health = HEALTH_OK;		/* `fall` runs again before the next */
	s->check_fails = 0;
	st = job_run_script(s, SCRIPT_START, start, sizeof(start));
	snprintf(why, whylen, "%.120s, %.120s", stop, start);
	return st;
}

/*
 * The actions of this host alone, the same with or without etcd: an
 * operator's hold (stop if UP, then FAIL), a restart in place, a give-up.
 * Returns the state to publish, with why. Yields.
 */
static enum svc_state
sched_act_local(struct failsh_service *s, enum decide_action action,
    char *why, size_t whylen)
{
	char	stop[FAILSH_MAX_REASON];

	if (action != ACT_HOLD) {
		s->counts.restarts += action == ACT_RESTART;
		return sched_restart(s, action == ACT_RESTART, why, whylen);
	}
	s->counts.holds++;
	snprintf(why, whylen, "%s%s%s by %.100s", s->hold.kind,
	    s->hold.target[0] != '-' ? " to " : "", s->hold.target[0] != '-' ?
	    s->hold.target : "", s->hold.setter);
	if (s->state == SVC_UP) {
		job_run_script(s, SCRIPT_STOP, stop, sizeof(stop));
		snprintf(why + strlen(why), whylen - strlen(why), ", %.120s",
		    stop);
	}
	return SVC_FAIL;
}

/*
 * A run under the etcd backend (failsh_etcd.c): decide_etcd from the
 * lease, the owner key and the views; start only once the owner key is
 * ours, release it once stopped. Yields.
 */
static enum sched_next
sched_run_etcd(struct failsh_service *s)
{
	struct decide_etcd_input	in;
	struct decide_result		res;
	enum svc_state			st;
	char				why[FAILSH_MAX_REASON];
	char				full[2 * FAILSH_MAX_REASON];

	s->held = watch_held(s, &s->hold);
	etcd_svc_input(s, &in);
	decide_etcd(&in, &res);
	log_debug(FAC_SCHED, 2, "service %s: run %llu, lease %s: %s (%s)",
	    s->name, (unsigned long long)s->runs, decide_coord_str(in.coord),
	    decide_action_str(res.action), res.reason);
	switch (res.action) {
	case ACT_RECLAIM:
		etcd_svc_reclaim(s);
		/* FALLTHROUGH */
	case ACT_NONE:
		if (!s->published && s->local_fails == 0)
			sched_publish(s);
		etcd_svc_publish(s);
		return NEXT_INTERVAL;
	case ACT_RECOVER:
		sched_set_state(s, SVC_RECOVER, res.reason);
		etcd_svc_publish(s);
		return NEXT_INTERVAL;
	case ACT_START:
		if (etcd_svc_acquire(s, why, sizeof(why)) < 0) {
			log_info("service %s: not starting: %s", s->name, why);
			if (s->state == SVC_UP && s->etcd.owner != NULL)
				return NEXT_NOW;	/* not ours: stop */
			return NEXT_INTERVAL;
		}
		if (s->state != SVC_UP)
			s->counts.takeovers++;
		st = job_run_script(s, SCRIPT_START, why, sizeof(why));
		if (st != SVC_UP)
			s->etcd.start_failed_ms = time_mono_ms();
		break;
	case ACT_STOP:
		s->counts.stops++;
		st = job_run_script(s, SCRIPT_STOP, why, sizeof(why));
		if (st == SVC_UP)
			st = SVC_FAIL;	/* stopped: never UP here */
		break;
	case ACT_HOLD:
	case ACT_RESTART:
	case ACT_GIVEUP:
		st = sched_act_local(s, res.action, why, sizeof(why));
		break;
	default:
		return NEXT_INTERVAL;
	}
	snprintf(full, sizeof(full), "%s, %s", res.reason, why);
	/* the local faild first: a release waits for etcd, which may be
	 * gone (the reason for the stop) */
	sched_set_state(s, st, full);
	if (st != SVC_UP && res.action != ACT_START)
		etcd_svc_release(s);
	etcd_svc_publish(s);
	/* a failed start releases at once; a stop may let a better host in */
	return st == SVC_UP ? NEXT_AFTER_SCRIPT : NEXT_NOW;
}

/* One run of the service. */
static enum sched_next
sched_run(struct failsh_service *s, int64_t late_ms)
{
	struct poll		polls[FAILSH_MAX_POLLS];
	enum failsh_role	roles[FAILSH_MAX_POLLS];
	struct decide_peer	masters[FAILSH_MAX_PEERS];
	struct decide_peer	slaves[FAILSH_MAX_PEERS];
	struct decide_input	in;
	struct decide_result	res;
	enum svc_state		st;
	char			why[FAILSH_MAX_REASON], full[2 * FAILSH_MAX_REASON];
	int64_t			start = time_mono_ms(), took, dead;
	size_t			i, n;
	int			maxtimeout = 0, slave_up = 0;

	s->runs++;
	/* What the last run saw is as old as the time since its polls: a
	 * stall in a script (or a long one) is a stall too. */
	if (s->polled_ms != 0 && start - s->polled_ms - s->interval_ms > late_ms)
		late_ms = start - s->polled_ms - s->interval_ms;
	sched_poll(s, polls, roles, &n);
	s->polled_ms = time_mono_ms();
	took = s->polled_ms - start;
	/* the local faild's poll comes after the others (see sched_poll) */
	for (i = 0; i + 1 < n; i++)
		if (polls[i].timeout_ms > maxtimeout)
			maxtimeout = polls[i].timeout_ms;
	maxtimeout += n > 0 ? polls[n - 1].timeout_ms : 0;
	/* A poll that took longer than its timeout: this process stalled. */
	if (took - maxtimeout > late_ms)
		late_ms = took - maxtimeout;
	s->late_ms = late_ms;
	dead = (int64_t)s->deadcount * s->interval_ms;
	for (i = 0; i < n; i++)
		if (polls[i].check != NULL)
			sched_health(s, &polls[i]);
		else if (polls[i].host == NULL && !polls[i].nodata)
			sched_local(s, &polls[i]);
		else if (late_ms <= dead)
			sched_observe(s, roles[i], &polls[i]);

	sched_health_total(s);
	sched_publish_health(s);
	if (etcd_backend())
		return sched_run_etcd(s);
	memset(&in, 0, sizeof(in));
	in.local = s->state;
	in.unverified = s->unverified && s->state == SVC_UP;
	in.local_fails = s->local_fails;
	in.health = s->health_total;
	in.health_back = s->health_back;
	in.held = watch_held(s, &s->hold);
	in.hold_released = s->held && !in.held;
	s->held = in.held;
	in.restarts_left = s->max_restarts - failsh_service_restarts(s);
	sched_copy_peers(s, ROLE_MASTER, masters);
	sched_copy_peers(s, ROLE_SLAVE, slaves);
	in.masters = masters;
	in.nmasters = s->npeers[ROLE_MASTER];
	in.slaves = slaves;
	in.nslaves = s->npeers[ROLE_SLAVE];
	in.deadcount = s->deadcount;
	in.quorum_total = s->npeers[ROLE_QUORUM];
	for (i = 0; i < s->npeers[ROLE_QUORUM]; i++) {
		const struct decide_peer *q = &s->peers[ROLE_QUORUM][i].obs;

		if (q->heard && q->fails < s->deadcount)
			in.quorum_reachable++;
	}
	in.late_ms = late_ms;
	in.dead_ms = dead;
	in.have_reclaim = s->script[SCRIPT_RECLAIM] != NULL;
	decide(&in, &res);
	log_debug(FAC_SCHED, 2, "service %s: run %llu, late %lld ms: %s (%s)",
	    s->name, (unsigned long long)s->runs, (long long)late_ms,
	    decide_action_str(res.action), res.reason);

	/* After a stall, as after a restart: check the peers before keeping
	 * an UP service (a slave may have taken it over meanwhile). */
	if (res.action == ACT_REPOLL)
		s->unverified = s->state == SVC_UP;
	else if (res.action != ACT_NONE)
		s->unverified = 0;
	/* Re-announce once while a slave is seen UP, not on every run (a
	 * slave that lets go or comes back is news once by itself). */
	for (i = 0; i < s->npeers[ROLE_SLAVE]; i++)
		if (decide_peer_view(&slaves[i], s->deadcount) == VIEW_UP)
			slave_up = 1;
	if (res.action == ACT_REANNOUNCE && s->reannounced && slave_up)
		res.action = ACT_NONE;
	else if (res.action != ACT_REPOLL)
		s->reannounced = res.action == ACT_REANNOUNCE && slave_up;
	switch (res.action) {
	case ACT_REPOLL:
		log_info("service %s: %s", s->name, res.reason);
		return NEXT_NOW;
	case ACT_NONE:
		/* not an unverified UP: that waits for the peers' answers */
		if (!s->published && !s->unverified && s->local_fails == 0)
			sched_publish(s);
		return NEXT_INTERVAL;
	case ACT_RECOVER:
		sched_set_state(s, SVC_RECOVER, res.reason);
		return NEXT_INTERVAL;
	case ACT_START:
		s->counts.takeovers++;
		/* FALLTHROUGH */
	case ACT_REANNOUNCE:
		st = job_run_script(s, SCRIPT_START, why, sizeof(why));
		break;
	case ACT_STOP:
		s->counts.stops++;
		st = job_run_script(s, SCRIPT_STOP, why, sizeof(why));
		break;
	case ACT_RECLAIM:
		st = job_run_script(s, SCRIPT_RECLAIM, why, sizeof(why));
		break;
	case ACT_HOLD:
	case ACT_RESTART:
	case ACT_GIVEUP:
		st = sched_act_local(s, res.action, why, sizeof(why));
		break;
	default:
		return NEXT_INTERVAL;
	}
	snprintf(full, sizeof(full), "%s, %s", res.reason, why);
	if (res.action == ACT_REANNOUNCE && st == SVC_UP)
		log_info("service %s: UP, re-announced (%s)", s->name, full);
	if (res.action == ACT_RESTART && st == SVC_UP)
		log_info("service %s: UP, restarted (%s)", s->name, full);
	if (st == SVC_FAIL && s->state == SVC_FAIL)
		log_debug(FAC_SCHED, 1, "service %s: still FAIL: %s", s->name,
		    why);
	sched_set_state(s, st, full);
	return NEXT_AFTER_SCRIPT;
}

/*
 * Runs are handed to a pool of worker threads by one clock thread, not
 * run by a thread per service: Pth walks every waiting thread (and 64
 * signals of each) at every switch, so a sleeping thread per service made
 * each run cost in proportion to the services (150 services at 0.5 s took
 * a third of a core, 300 all of it). The clock sleeps until the next
 * service is due and hands each due one to the worker that went idle
 * last, or to a new worker when none is idle: a run that waits for a
 * silent peer never delays another. A worker left idle for SCHED_IDLE_MS
 * ends while SCHED_IDLE_KEEP others are idle. A service is queued or in a
 * run at most once.
 */
#define SCHED_IDLE_MS	2000
#define SCHED_IDLE_KEEP	4
#define SCHED_START_GAP_MS 1

struct sched_worker {
	pth_cond_t		 cond;		/* given a service */
	struct failsh_service	*s;
	struct sched_worker	*next;		/* in the idle stack */
};

static pth_cond_t		 clock_cond = PTH_COND_INIT;
static int64_t			 clock_at = INT64_MAX;	/* the clock's wake */
static int			 clock_dirty;	/* look again before it */
static struct sched_worker	*idle_top;	/* the last idle first */
static int			 nidle;

/* Wake the clock if s is due before it would look. */
static void
sched_clock_poke(const struct failsh_service *s)
{
	if (s->run_now || s->next_run < clock_at) {
		clock_dirty = 1;	/* also if the clock is busy */
		pth_cond_notify(&clock_cond, FALSE);
	}
}

/* Wait on cond for at most until (monotonic, INT64_MAX: no limit). */
static void
sched_await(pth_cond_t *cond, int64_t until)
{
	int64_t		left = until - time_mono_ms();
	pth_event_t	ev = NULL;

	if (until != INT64_MAX) {
		if (left <= 0)
			return;
		ev = pth_event(PTH_EVENT_TIME, pth_timeout((long)(left / 1000),
		    (long)(left % 1000) * 1000));
	}
	pth_mutex_acquire(&sched_mutex, FALSE, NULL);
	pth_cond_await(cond, &sched_mutex, ev);
	pth_mutex_release(&sched_mutex);
	if (ev != NULL)
		pth_event_free(ev, PTH_FREE_THIS);
}

/*
 * One run of s, then when the next one is due. A run out of turn (the
 * first, one asked for, a re-poll) makes the interval after it shorter by
 * up to half, at random: services that ran together (started together,
 * woken together by a change) do not keep running at the same moment.
 */
static void
sched_run_once(struct failsh_service *s)
{
	int64_t	now = time_mono_ms(), start;
	int	spread = s->runs == 0 || s->run_now;

	if (s->run_now) {
		s->run_now = 0;
		s->next_run = now;
	}
	start = s->last_start = now;
	switch (sched_run(s, now - s->next_run)) {
	case NEXT_NOW:
		s->next_run = time_mono_ms();
		s->run_now = 1;
		break;
	case NEXT_AFTER_SCRIPT:
		/* a script's time is no lateness of the scheduler */
		s->next_run = time_mono_ms() + s->interval_ms;
		break;
	case NEXT_INTERVAL:
		/* every interval, also when a poll waited its timeout (at
		 * most one interval) */
		s->next_run = start + s->interval_ms;
		if (spread && s->interval_ms >= 2)
			s->next_run -= (int64_t)arc4random_uniform(
			    (uint32_t)(s->interval_ms / 2));
		break;
	}
	s->last_run = time_mono_ms();
}

/* Take w off the idle stack (it timed out). */
static void
sched_unidle(struct sched_worker *w)
{
	struct sched_worker	**pp;

	for (pp = &idle_top; *pp != NULL; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			nidle--;
			return;
		}
}

static void *
sched_worker(void *arg)
{
	struct sched_worker	w = { .s = arg };
	struct failsh_service	*s;

	pth_cond_init(&w.cond);
	for (;;) {
		while ((s = w.s) != NULL) {
			w.s = NULL;
			if (!s->retired)
				sched_run_once(s);
			s->queued = 0;
			if (s->retired)
				failsh_service_free(s);
			else
				sched_clock_poke(s);
		}
		w.next = idle_top;
		idle_top = &w;
		nidle++;
		sched_await(&w.cond, time_mono_ms() + SCHED_IDLE_MS);
		if (w.s == NULL) {	/* nothing came */
			sched_unidle(&w);
			if (nidle >= SCHED_IDLE_KEEP)
				break;
		}
	}
	return NULL;
}

/* Run s in the worker that went idle last, or in a new one. */
static void
sched_dispatch(struct failsh_service *s)
{
	static pth_attr_t	 attr;
	struct sched_worker	*w;

	if ((w = idle_top) != NULL) {
		idle_top = w->next;
		nidle--;
		w->s = s;
		pth_cond_notify(&w->cond, FALSE);
		return;
	}
	if (attr == NULL) {
		attr = pth_attr_new();
		pth_attr_set(attr, PTH_ATTR_NAME, "sched-worker");
		pth_attr_set(attr, PTH_ATTR_JOINABLE, FALSE);
		pth_attr_set(attr, PTH_ATTR_STACK_SIZE, 128 * 1024);
	}
	if (pth_spawn(attr, sched_worker, s) == NULL)
		fatal("cannot start a scheduler worker: %s", strerror(errno));
}

/*
 * Queue the services that are due, then hand them out (which yields:
 * the list may change meanwhile, a queued service is not freed), then
 * wait until the next one is due or one is asked to run.
 */
static void *
sched_clock(void *arg)
{
	struct failsh_service	*s, *due, **tail;
	int64_t			 now;

	(void)arg;
	for (;;) {
		now = time_mono_ms();
		clock_at = INT64_MAX;
		clock_dirty = 0;
		due = NULL;
		tail = &due;
		for (s = failsh.services; s != NULL; s = s->next) {
			if (!s->running || s->queued)
				continue;
			if (!s->run_now && s->next_run > now) {
				if (s->next_run < clock_at)
					clock_at = s->next_run;
				continue;
			}
			s->queued = 1;
			s->runq_next = NULL;
			*tail = s;
			tail = &s->runq_next;
		}
		while ((s = due) != NULL) {
			due = s->runq_next;
			if (!s->retired) {
				sched_dispatch(s);
				continue;
			}
			s->queued = 0;
			failsh_service_free(s);
		}
		if (!clock_dirty)
			sched_await(&clock_cond, clock_at);
	}
	return NULL;
}

void
sched_service_run_now(struct failsh_service *s)
{
	s->run_now = 1;
	sched_clock_poke(s);
}

/* A setting of s changed: a shorter interval counts from its last run. */
void
sched_service_changed(struct failsh_service *s)
{
	if (!s->running || s->queued)
		return;		/* the run's end takes the new settings */
	if (s->last_start != 0 && s->last_start + s->interval_ms < s->next_run)
		s->next_run = s->last_start + s->interval_ms;
	sched_clock_poke(s);
}

/* The policy dropped s (already unlinked): freed now, or by the worker
 * that has it queued or running. */
void
sched_service_retire(struct failsh_service *s)
{
	s->retired = 1;
	if (!s->queued)
		failsh_service_free(s);
}

void
sched_service_added(struct failsh_service *s)
{
	if (!failsh.scheduling || failsh.checking || s->running)
		return;
	s->running = 1;
	s->next_run = time_mono_ms();
	sched_clock_poke(s);
}

/*
 * Schedule every service; later ones are scheduled when created. The
 * first runs are spread over SCHED_START_GAP_MS per service, at most an
 * interval: a thousand services starting at once would queue their calls
 * to the local faild past their timeouts.
 */
void
sched_start(void)
{
	pth_attr_t		 attr = pth_attr_new();
	struct failsh_service	*s;
	int64_t			 window = 0, w;

	for (s = failsh.services; s != NULL; s = s->next)
		window += SCHED_START_GAP_MS;
	failsh.scheduling = 1;
	for (s = failsh.services; s != NULL; s = s->next) {
		sched_service_added(s);
		w = window < s->interval_ms ? window : s->interval_ms;
		if (w >= 1)
			s->next_run += (int64_t)arc4random_uniform((uint32_t)w);
	}
	pth_attr_set(attr, PTH_ATTR_NAME, "sched-clock");
	pth_attr_set(attr, PTH_ATTR_JOINABLE, FALSE);
	if (pth_spawn(attr, sched_clock, NULL) == NULL)
		fatal("cannot start the scheduler's clock: %s",
		    strerror(errno));
	pth_attr_destroy(attr);
}
