/*
 * failsh_sched.c: the scheduler. One Pth thread per service runs it every
 * interval: poll the masters, slaves and quorum hosts at once, apply
 * deadcount, ask lib/decide.c what to do, run the script it calls for
 * (as a job in the Tcl thread), publish the result to the local faild,
 * and report changes to failtrap and the monitor.
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

/* One poll of one host, possibly in a thread of its own. */
struct poll {
	struct failsh_host	*host;
	const char		*service;
	int			 timeout_ms;
	int			 quorum;	/* only reachability counts */
	int			 ok;
	enum svc_state		 state;
	char			 err[128];
};

static void *
poll_thread(void *arg)
{
	struct poll		*p = arg;
	struct proto_resp	 r = { 0 };

	if (p->quorum) {	/* any answer will do */
		p->ok = host_call(p->host, "ping", p->timeout_ms, &r, p->err,
		    sizeof(p->err)) == 0;
		proto_resp_clear(&r);
		return NULL;
	}
	p->ok = host_get_state(p->host, p->service, p->timeout_ms, &p->state,
	    p->err, sizeof(p->err)) == 0;
	return NULL;
}

/* Publish the local state to the local faild; 0 on success. Yields. */
static int
sched_publish(struct failsh_service *s)
{
	struct proto_resp	r = { 0 };
	char			req[PROTO_MAX_NAME + 32], err[256];
	int			rc;

	snprintf(req, sizeof(req), "set %s %s", s->name,
	    svc_state_str(s->state));
	pth_mutex_acquire(&failsh.faild_mutex, FALSE, NULL);
	rc = fail_client_call(&failsh.faild, req, &r, err, sizeof(err));
	pth_mutex_release(&failsh.faild_mutex);
	if (rc == 0 && strcmp(r.kind, "ERR") == 0) {
		snprintf(err, sizeof(err), "ERR %d %s", r.code, r.text);
		rc = -1;
	}
	proto_resp_clear(&r);
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

/* At the first run: take over the state the local faild holds. */
static void
sched_adopt(struct failsh_service *s)
{
	struct proto_resp	r = { 0 };
	char			req[PROTO_MAX_NAME + 8], err[256];
	enum svc_state		st;
	int			rc;

	snprintf(req, sizeof(req), "get %s", s->name);
	pth_mutex_acquire(&failsh.faild_mutex, FALSE, NULL);
	rc = fail_client_call(&failsh.faild, req, &r, err, sizeof(err));
	pth_mutex_release(&failsh.faild_mutex);
	if (rc == 0 && strcmp(r.kind, "OK") == 0 && r.nfields >= 3 &&
	    svc_state_parse(r.fields[1], &st) == 0) {
		s->state = st;
		s->changed_ms = strtoll(r.fields[2], NULL, 10);
		s->published = 1;
		s->adopted = 1;
		snprintf(s->reason, sizeof(s->reason), "as the local faild "
		    "had it");
		log_info("service %s: %s (as the local faild had it)",
		    s->name, svc_state_str(st));
	} else if (rc < 0)
		log_warnx("service %s: local faild unreachable (%s), starting "
		    "in %s", s->name, err, svc_state_str(s->state));
	else
		sched_publish(s);	/* new: it starts in RECOVER */
	proto_resp_clear(&r);
	monitor_changed();
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
	if (peer == NULL)
		return;			/* the policy dropped it meanwhile */
	before = decide_peer_view(&peer->obs, s->deadcount);
	if (p->ok) {
		peer->obs.heard = 1;
		peer->obs.last = p->state;
		peer->obs.fails = 0;
		peer->seen_ms = time_now_ms();
	} else if (peer->obs.fails < 1000000)
		peer->obs.fails++;
	after = decide_peer_view(&peer->obs, s->deadcount);
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
 * Poll every peer of the service at once: one in this thread, the others
 * in threads of their own. Yields.
 */
static void
sched_poll(struct failsh_service *s, struct poll *polls, enum failsh_role
    *roles, size_t *npolls)
{
	pth_t	tids[3 * FAILSH_MAX_PEERS];
	size_t	i, n = 0;
	int	r, timeout;

	for (r = ROLE_MASTER; r <= ROLE_QUORUM; r++)
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
			roles[n++] = r;
		}
	/* Joinable explicitly: PTH_ATTR_DEFAULT would inherit the runner's
	 * attributes, and runners are not joinable. */
	if (poll_attr == NULL) {
		poll_attr = pth_attr_new();
		pth_attr_set(poll_attr, PTH_ATTR_JOINABLE, TRUE);
		pth_attr_set(poll_attr, PTH_ATTR_NAME, "poll");
	}
	for (i = 1; i < n; i++)
		tids[i] = pth_spawn(poll_attr, poll_thread, &polls[i]);
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

/* One run of the service. */
static enum sched_next
sched_run(struct failsh_service *s, int64_t late_ms)
{
	struct poll		polls[3 * FAILSH_MAX_PEERS];
	enum failsh_role	roles[3 * FAILSH_MAX_PEERS];
	struct decide_peer	masters[FAILSH_MAX_PEERS];
	struct decide_peer	slaves[FAILSH_MAX_PEERS];
	struct decide_input	in;
	struct decide_result	res;
	enum svc_state		st;
	char			why[FAILSH_MAX_REASON], full[2 * FAILSH_MAX_REASON];
	int64_t			start = time_mono_ms(), took, dead;
	size_t			i, n;
	int			maxtimeout = 0;

	s->runs++;
	sched_poll(s, polls, roles, &n);
	took = time_mono_ms() - start;
	for (i = 0; i < n; i++)
		if (polls[i].timeout_ms > maxtimeout)
			maxtimeout = polls[i].timeout_ms;
	/* A poll that took longer than its timeout: this process stalled. */
	if (took - maxtimeout > late_ms)
		late_ms = took - maxtimeout;
	s->late_ms = late_ms;
	dead = (int64_t)s->deadcount * s->interval_ms;
	if (late_ms <= dead)
		for (i = 0; i < n; i++)
			sched_observe(s, roles[i], &polls[i]);

	memset(&in, 0, sizeof(in));
	in.local = s->state;
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

	/* Restarted with UP taken from faild: the host may have rebooted. */
	if (res.action == ACT_NONE && s->adopted && s->state == SVC_UP) {
		res.action = ACT_REANNOUNCE;
		snprintf(res.reason, sizeof(res.reason), "failsh restarted, "
		    "re-running start");
	}
	if (res.action != ACT_REPOLL)
		s->adopted = 0;
	/* Re-announce once when a slave shows up UP, not on every run. */
	if (res.action == ACT_REANNOUNCE && s->reannounced)
		res.action = ACT_NONE;
	else if (res.action != ACT_REPOLL)
		s->reannounced = res.action == ACT_REANNOUNCE;
	switch (res.action) {
	case ACT_REPOLL:
		log_info("service %s: %s", s->name, res.reason);
		return NEXT_NOW;
	case ACT_NONE:
		if (!s->published)
			sched_publish(s);
		return NEXT_INTERVAL;
	case ACT_RECOVER:
		sched_set_state(s, SVC_RECOVER, res.reason);
		return NEXT_INTERVAL;
	case ACT_START:
	case ACT_REANNOUNCE:
		st = job_run_script(s, SCRIPT_START, why, sizeof(why));
		break;
	case ACT_STOP:
		st = job_run_script(s, SCRIPT_STOP, why, sizeof(why));
		break;
	case ACT_RECLAIM:
		st = job_run_script(s, SCRIPT_RECLAIM, why, sizeof(why));
		break;
	default:
		return NEXT_INTERVAL;
	}
	snprintf(full, sizeof(full), "%s, %s", res.reason, why);
	if (res.action == ACT_REANNOUNCE && st == SVC_UP)
		log_info("service %s: UP, re-announced (%s)", s->name, full);
	if (st == SVC_FAIL && s->state == SVC_FAIL)
		log_debug(FAC_SCHED, 1, "service %s: still FAIL: %s", s->name,
		    why);
	sched_set_state(s, st, full);
	return NEXT_AFTER_SCRIPT;
}

/* Wait until the monotonic time `when` or a wake-up of the service. */
static void
sched_sleep_until(struct failsh_service *s, int64_t when)
{
	int64_t		left = when - time_mono_ms();
	pth_event_t	ev;

	if (left <= 0)
		return;
	ev = pth_event(PTH_EVENT_TIME, pth_timeout((long)(left / 1000),
	    (long)(left % 1000) * 1000));
	pth_mutex_acquire(&sched_mutex, FALSE, NULL);
	pth_cond_await(&s->wake, &sched_mutex, ev);
	pth_mutex_release(&sched_mutex);
	pth_event_free(ev, PTH_FREE_THIS);
}

static void *
sched_runner(void *arg)
{
	struct failsh_service	*s = arg;
	int64_t			 now, late, start = 0;

	sched_adopt(s);
	s->next_run = time_mono_ms();
	for (;;) {
		sched_sleep_until(s, s->next_run);
		if (s->retired)
			break;
		now = time_mono_ms();
		if (now < s->next_run) {
			/* woken: the interval changed, count it from the
			 * start of the last run */
			if (start != 0 && start + s->interval_ms < s->next_run)
				s->next_run = start + s->interval_ms;
			continue;
		}
		late = now - s->next_run;
		start = now;
		switch (sched_run(s, late)) {
		case NEXT_NOW:
			s->next_run = time_mono_ms();
			break;
		case NEXT_AFTER_SCRIPT:
			/* a script's time is no lateness of the scheduler */
			s->next_run = time_mono_ms() + s->interval_ms;
			break;
		case NEXT_INTERVAL:
			/* every interval, also when a poll waited its
			 * timeout (at most one interval) */
			s->next_run = start + s->interval_ms;
			break;
		}
		s->last_run = time_mono_ms();
	}
	failsh_service_free(s);
	return NULL;
}

static void
sched_spawn(struct failsh_service *s)
{
	pth_attr_t	attr = pth_attr_new();
	char		name[PROTO_MAX_NAME + 8];

	snprintf(name, sizeof(name), "svc-%s", s->name);
	pth_attr_set(attr, PTH_ATTR_NAME, name);
	pth_attr_set(attr, PTH_ATTR_JOINABLE, FALSE);
	pth_attr_set(attr, PTH_ATTR_STACK_SIZE, 128 * 1024);
	if (pth_spawn(attr, sched_runner, s) == NULL)
		fatal("cannot start the runner of service %s", s->name);
	pth_attr_destroy(attr);
	s->running = 1;
}

/* The policy dropped s (already unlinked): its runner ends and frees it. */
void
sched_service_retire(struct failsh_service *s)
{
	s->retired = 1;
	if (!s->running) {
		failsh_service_free(s);
		return;
	}
	pth_cond_notify(&s->wake, FALSE);
}

void
sched_service_added(struct failsh_service *s)
{
	if (failsh.scheduling && !failsh.checking && !s->running)
		sched_spawn(s);
}

/* Start a runner for every service; later ones start when created. */
void
sched_start(void)
{
	struct failsh_service	*s;

	failsh.scheduling = 1;
	for (s = failsh.services; s != NULL; s = s->next)
		sched_service_added(s);
}
