/*
 * hc_run.c: checking and deciding. The scheduler thread starts each
 * target's check every interval (counted from the start of a check) in a
 * thread that lives only while the check runs: GNU Pth's scheduler walks
 * every waiting thread on every pass, so a thousand sleeping threads
 * would cost a core. The results are damped (rise successes to go UP,
 * fall failures to go FAIL). With "agree N", a FAIL counts only when N
 * vantage points see it, each hc publishing what it sees itself as
 * "<service>.seen" in its faild.
 * A target is UP when its own result is and all its dependencies are; a
 * change of one target re-evaluates the targets that depend on it at once.
 * The publisher thread carries every change to the local faild.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hc.h"
#include "log.h"
#include "timeutil.h"
#include "xmalloc.h"

#define PUBLISH_RETRY_MS	1000
#define FAILD_CALL_MS		1000

static int		 stopping;	/* no new checks: a reload waits */
static int		 in_flight;	/* checks running now */
static pth_cond_t	 sched_cond = PTH_COND_INIT;
static pth_mutex_t	 sched_mutex = PTH_MUTEX_INIT;

static void	evaluate(struct hc_target *);

/* Something for the publisher to carry to faild. */
static void
publish(void)
{
	hc.changes++;
	pth_cond_notify(&hc.publish_cond, TRUE);
}

/* Where a vantage point publishes what it sees itself (with agree). */
static void
seen_name(const struct hc_target *t, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", t->service, HC_SEEN_SUFFIX);
}

/* A failproto client for addr with the Hcfile's credentials. */
int
hc_client(struct fail_client *c, const char *addr, int64_t timeout_ms,
    char *err, size_t errlen)
{
	if (fail_client_init(c, addr, FAIL_DEFAULT_PORT, hc.conf->faild_tcp,
	    err, errlen) < 0)
		return -1;
	c->timeout_ms = (int)timeout_ms;
	c->community = hc.conf->community;
	c->key = hc.conf->key;
	c->by = hc.by;
	return 0;
}

/* The state a faild holds for service: SVC_NONE if it has none, -1 when
 * it could not be asked. Yields. */
static int
faild_get(struct fail_client *c, const char *service, char *err,
    size_t errlen)
{
	struct proto_resp	r = { 0 };
	char			req[PROTO_MAX_LINE];
	enum svc_state		st;
	int			rc = -1;

	snprintf(req, sizeof(req), "get %s", service);
	if (fail_client_call(c, req, &r, err, errlen) < 0)
		return -1;
	if (strcmp(r.kind, "ERR") == 0 && r.code == PERR_NOTFOUND)
		rc = SVC_NONE;
	else if (strcmp(r.kind, "OK") == 0 && r.nfields >= 2 &&
	    svc_state_parse(r.fields[1], &st) == 0)
		rc = st;
	else
		snprintf(err, errlen, "get %s: %s %s", service, r.kind,
		    r.text ? r.text : "");
	proto_resp_clear(&r);
	return rc;
}

/* Set a state in a faild; 0, or -1 with err set. Yields. */
int
hc_faild_set(struct fail_client *c, const char *service, enum svc_state st,
    char *err, size_t errlen)
{
	struct proto_resp	r = { 0 };
	char			req[PROTO_MAX_LINE];
	int			rc = 0;

	snprintf(req, sizeof(req), "set %s %s", service, svc_state_str(st));
	if (fail_client_call(c, req, &r, err, errlen) < 0)
		return -1;
	if (strcmp(r.kind, "OK") != 0) {
		snprintf(err, errlen, "ERR %d %s", r.code, r.text);
		rc = -1;
	}
	proto_resp_clear(&r);
	return rc;
}

static void
transition(struct hc_target *t, enum svc_state to, const char *reason)
{
	enum svc_state	from = t->state;

	log_info("target %s: %s -> %s (%s)", t->name, svc_state_str(from),
	    svc_state_str(to), reason);
	t->state = to;
	t->changed_ms = time_now_ms();
	snprintf(t->reason, sizeof(t->reason), "%s", reason);
	hc.transitions++;
	hc_action_queue(t, from, to, reason);
	publish();
}

/* The targets that depend on t follow it at once. */
static void
evaluate_dependents(struct hc_target *t)
{
	struct hc_target	*u;
	int			 i;

	for (u = hc.conf->targets; u != NULL; u = u->next)
		for (i = 0; i < u->ndeps; i++)
			if (u->deps[i] == t) {
				evaluate(u);
				break;
			}
}

/* A target's state from its own result and its dependencies'. */
static void
evaluate(struct hc_target *t)
{
	enum svc_state	 to = t->check != NULL ? t->own : SVC_UP;
	char		 reason[HC_MAX_WHY];
	int		 i;

	if (t->check != NULL)
		snprintf(reason, sizeof(reason), "%s", t->own_reason);
	else
		snprintf(reason, sizeof(reason), "all dependencies UP");
	for (i = 0; i < t->ndeps && to != SVC_FAIL; i++) {
		const struct hc_target *d = t->deps[i];

		if (d->state == SVC_FAIL || (d->state == SVC_RECOVER &&
		    to == SVC_UP)) {
			to = d->state;
			snprintf(reason, sizeof(reason), "dependency %s %s",
			    d->name, svc_state_str(d->state));
		}
	}
	if (to == t->state)
		return;
	transition(t, to, reason);
	evaluate_dependents(t);
}

/*
 * With agree: how many vantage points see the target FAIL, this one
 * included. A peer that cannot be asked counts as not seeing it. Yields.
 */
static int
agreeing(struct hc_target *t, struct fail_client *peers)
{
	char	service[PROTO_MAX_NAME + 8], err[256];
	int	i, n = 1, st;

	seen_name(t, service, sizeof(service));
	for (i = 0; i < t->nagree; i++) {
		st = faild_get(&peers[i], service, err, sizeof(err));
		if (st == SVC_FAIL)
			n++;
		else if (st < 0)
			log_debug(FAC_NET, 1, "target %s: agree: %s: %s",
			    t->name, t->agree_hosts[i], err);
		/* asked only while failing: no descriptor held meanwhile */
		fail_client_close(&peers[i]);
	}
	return n;
}

/* Fold one check result into the target's damped own state. Yields. */
static void
record(struct hc_target *t, int ok, struct fail_client *peers)
{
	enum svc_state	was = t->own;

	t->last_ok = ok;
	if (ok) {
		t->ok_streak++;
		t->fail_streak = 0;
		if (t->seen != SVC_UP && t->ok_streak >= t->rise) {
			t->seen = SVC_UP;
			publish();
		}
	} else {
		t->fail_streak++;
		t->ok_streak = 0;
		if (t->seen != SVC_FAIL && t->fail_streak >= t->fall) {
			t->seen = SVC_FAIL;
			publish();
		}
	}
	if (t->seen == SVC_UP) {
		t->own = SVC_UP;
		snprintf(t->own_reason, sizeof(t->own_reason), "%.200s, %d/%d",
		    t->last_why, t->ok_streak > t->rise ? t->rise :
		    t->ok_streak, t->rise);
	} else if (t->seen == SVC_FAIL) {
		int n = t->agree > 0 ? agreeing(t, peers) : 1;

		t->agreeing = n;
		if (n >= t->agree) {
			t->own = SVC_FAIL;
			snprintf(t->own_reason, sizeof(t->own_reason),
			    "%.200s, %d/%d", t->last_why, t->fail_streak >
			    t->fall ? t->fall : t->fail_streak, t->fall);
			if (t->agree > 0)
				snprintf(t->own_reason + strlen(t->own_reason),
				    sizeof(t->own_reason) -
				    strlen(t->own_reason), ", %d of %d see it",
				    n, t->nagree + 1);
		} else if (was != SVC_FAIL)
			log_debug(FAC_CHECK, 1, "target %s: FAIL seen by %d "
			    "of %d, %d needed", t->name, n, t->nagree + 1,
			    t->agree);
	}
}

/* Wake the scheduler: a check ended, or the targets changed. */
static void
sched_wake(void)
{
	pth_cond_notify(&sched_cond, TRUE);
}

/* A check's thread: run it once and fold the result in. Yields. */
static void *
check_thread(void *arg)
{
	struct hc_target	*t = arg;
	char			 why[HC_MAX_WHY];
	int64_t			 t0 = time_mono_ms();
	int			 ok;

	why[0] = '\0';
	ok = t->check->run(t->check_conf, t->name, t0 + t->timeout_ms, why,
	    sizeof(why)) == 0;
	t->last_latency_ms = time_mono_ms() - t0;
	t->last_ms = time_now_ms();
	t->checks++;
	t->results[ok]++;
	metrics_hist_observe(&t->durations, t->last_latency_ms / 1000.0);
	snprintf(t->last_why, sizeof(t->last_why), "%s", why[0] ? why :
	    ok ? "ok" : "failed");
	log_debug(FAC_CHECK, 1, "target %s: %s %s (%lld ms)", t->name,
	    ok ? "ok" : "fail", t->last_why, (long long)t->last_latency_ms);
	record(t, ok, t->peers);
	evaluate(t);
	t->busy = 0;
	in_flight--;
	sched_wake();
	return NULL;
}

/*
 * The scheduler: starts every check that is due, then sleeps until the
 * next one is or a check ends. At most HC_MAX_RUNNING checks run at once:
 * Pth waits with select(), which cannot watch a descriptor past
 * FD_SETSIZE (1024), and each check holds one or two. A due check waits
 * for a free place; its timeout starts when it runs, so waiting never
 * fails a server.
 */
static void *
scheduler_thread(void *arg)
{
	struct hc_target	*t;
	pth_attr_t		 attr = pth_attr_new();
	pth_event_t		 ev;
	int64_t			 now, next;

	(void)arg;
	pth_attr_set(attr, PTH_ATTR_JOINABLE, FALSE);
	pth_attr_set(attr, PTH_ATTR_NAME, "check");
	pth_mutex_acquire(&sched_mutex, FALSE, NULL);
	for (;;) {
		now = time_mono_ms();
		next = INT64_MAX;
		for (t = hc.conf->targets; t != NULL && !stopping;
		    t = t->next) {
			if (t->check == NULL || t->busy)
				continue;
			if (t->next_run > now) {
				if (t->next_run < next)
					next = t->next_run;
				continue;
			}
			if (in_flight >= HC_MAX_RUNNING)
				break;		/* a check ending wakes us */
			t->busy = 1;
			in_flight++;
			t->next_run = now + t->interval_ms;
			if (pth_spawn(attr, check_thread, t) == NULL)
				fatal("pth_spawn");
		}
		ev = NULL;
		if (next != INT64_MAX && !stopping &&
		    in_flight < HC_MAX_RUNNING) {
			next -= time_mono_ms();
			if (next < 0)
				next = 0;
			ev = pth_event(PTH_EVENT_TIME, pth_timeout(next / 1000,
			    (next % 1000) * 1000));
		}
		pth_cond_await(&sched_cond, &sched_mutex, ev);
		if (ev != NULL)
			pth_event_free(ev, PTH_FREE_THIS);
	}
	return NULL;
}

/*
 * The publisher: whatever differs between a target and what faild was
 * last told is sent, oldest first; on failure it tries again a second
 * later. Holds hc.lock while it walks the targets, so a reload waits.
 */
static int
publish_one(struct fail_client *c, struct hc_target *t)
{
	char		seen[PROTO_MAX_NAME + 8], err[256];
	enum svc_state	st;

	/* what was sent is what faild has: the target may change meanwhile */
	if ((st = t->state) != t->published) {
		if (hc_faild_set(c, t->service, st, err, sizeof(err)) < 0)
			goto fail;
		t->published = st;
	}
	if (t->agree > 0 && (st = t->seen) != t->published_seen) {
		seen_name(t, seen, sizeof(seen));
		if (hc_faild_set(c, seen, st, err, sizeof(err)) < 0)
			goto fail;
		t->published_seen = st;
	}
	return 0;
fail:
	log_warnx_rl(&hc.rl_publish, "faild %s: cannot publish %s: %s",
	    hc.conf->faild, t->service, err);
	return -1;
}

static void *
publisher_thread(void *arg)
{
	struct fail_client	 c;
	struct hc_target	*t;
	char			 err[256];
	uint64_t		 seen;
	int			 failed;
	pth_event_t		 ev;

	(void)arg;
	if (hc_client(&c, hc.conf->faild, FAILD_CALL_MS, err,
	    sizeof(err)) < 0)
		fatalx("faild %s: %s", hc.conf->faild, err);
	pth_mutex_acquire(&hc.lock, FALSE, NULL);
	for (;;) {
		seen = hc.changes;
		c.community = hc.conf->community;	/* after a reload */
		c.key = hc.conf->key;
		failed = 0;
		for (t = hc.conf->targets; t != NULL; t = t->next)
			if (publish_one(&c, t) < 0) {
				failed = 1;
				break;
			}
		/* changes made while the calls above yielded: another pass */
		if (!failed && hc.changes != seen)
			continue;
		ev = failed ? pth_event(PTH_EVENT_TIME,
		    pth_timeout(PUBLISH_RETRY_MS / 1000,
		    (PUBLISH_RETRY_MS % 1000) * 1000)) : NULL;
		pth_cond_await(&hc.publish_cond, &hc.lock, ev);
		if (ev != NULL)
			pth_event_free(ev, PTH_FREE_THIS);
	}
	return NULL;
}

/*
 * Start from what the local faild holds, so restarting hc neither flaps
 * a target nor repeats its actions. A faild that does not answer is asked
 * no more: the targets start RECOVER.
 */
static void
adopt(struct hc_config *conf)
{
	struct fail_client	 c;
	struct hc_target	*t;
	char			 err[256], seen[PROTO_MAX_NAME + 8];
	int			 st;

	if (hc_client(&c, conf->faild, FAILD_CALL_MS, err,
	    sizeof(err)) < 0)
		fatalx("faild %s: %s", conf->faild, err);
	for (t = conf->targets; t != NULL; t = t->next) {
		if ((st = faild_get(&c, t->service, err, sizeof(err))) < 0) {
			log_warnx("faild %s: %s: targets start RECOVER",
			    conf->faild, err);
			break;
		}
		if (st == SVC_UP || st == SVC_FAIL) {
			t->state = t->own = t->seen = st;
			t->published = st;
			snprintf(t->reason, sizeof(t->reason), "from faild");
			snprintf(t->own_reason, sizeof(t->own_reason),
			    "from faild");
		}
		if (t->agree > 0) {
			seen_name(t, seen, sizeof(seen));
			st = faild_get(&c, seen, err, sizeof(err));
			if (st == SVC_UP || st == SVC_FAIL)
				t->seen = t->published_seen = st;
		}
	}
	fail_client_close(&c);
}

static void
init_target(struct hc_target *t)
{
	t->state = t->own = t->seen = SVC_RECOVER;
	t->published = t->published_seen = SVC_NONE;
	t->changed_ms = time_now_ms();
	snprintf(t->reason, sizeof(t->reason), "not checked yet");
	snprintf(t->own_reason, sizeof(t->own_reason), "not checked yet");
	t->events_tail = &t->events;
}

/* What a target keeps across a reload, when its name stays. */
static void
carry_over(struct hc_target *to, const struct hc_target *from)
{
	to->state = from->state;
	to->own = from->own;
	to->seen = from->seen;
	to->changed_ms = from->changed_ms;
	memcpy(to->reason, from->reason, sizeof(to->reason));
	memcpy(to->own_reason, from->own_reason, sizeof(to->own_reason));
	to->ok_streak = from->ok_streak;
	to->fail_streak = from->fail_streak;
	to->last_ok = from->last_ok;
	memcpy(to->last_why, from->last_why, sizeof(to->last_why));
	to->last_ms = from->last_ms;
	to->last_latency_ms = from->last_latency_ms;
	to->checks = from->checks;
	memcpy(to->results, from->results, sizeof(to->results));
	to->durations = from->durations;
	if (strcmp(to->service, from->service) == 0) {
		to->published = from->published;
		to->published_seen = from->published_seen;
	}
}

static void
spawn(const char *name, void *(*fn)(void *))
{
	pth_attr_t	attr = pth_attr_new();

	pth_attr_set(attr, PTH_ATTR_NAME, name);
	pth_attr_set(attr, PTH_ATTR_JOINABLE, FALSE);
	if (pth_spawn(attr, fn, NULL) == NULL)
		fatal("pth_spawn");
	pth_attr_destroy(attr);
}

/*
 * Let the scheduler check the targets of hc.conf. Their first checks are
 * spread over a second (or their interval, when shorter), so that many
 * targets do not open all their connections at the same moment, then or
 * at every interval after.
 */
static void
start_targets(void)
{
	struct hc_target	*t;
	char			 err[256];
	int64_t			 now = time_mono_ms(), spread;
	int			 i, k = 0, n = hc.conf->ntargets;

	for (t = hc.conf->targets; t != NULL; t = t->next, k++) {
		spread = t->interval_ms < 1000 ? t->interval_ms : 1000;
		t->next_run = now + spread * k / n;
		for (i = 0; i < t->nagree; i++)
			if (hc_client(&t->peers[i], t->agree_hosts[i],
			    t->timeout_ms, err, sizeof(err)) < 0)
				fatalx("target %s: agree: %s", t->name, err);
	}
	/* targets without a check follow their dependencies from now on */
	for (t = hc.conf->targets; t != NULL; t = t->next)
		if (t->check == NULL)
			evaluate(t);
	stopping = 0;
	sched_wake();
}

/* No new checks; wait for those under way and for queued actions. */
static void
stop_targets(void)
{
	struct hc_target	*t;
	int			 i;

	stopping = 1;
	while (in_flight > 0 || hc_action_busy())
		pth_nap(pth_time(0, 10000));
	for (t = hc.conf->targets; t != NULL; t = t->next)
		for (i = 0; i < t->nagree; i++)
			fail_client_close(&t->peers[i]);
}

void
hc_run_start(void)
{
	struct hc_target	*t;

	snprintf(hc.by, sizeof(hc.by), "hc-%.61s", hc.conf->node);
	for (t = hc.conf->targets; t != NULL; t = t->next)
		init_target(t);
	if (strcmp(hc.conf->faild, "none") != 0) {
		adopt(hc.conf);
		spawn("publisher", publisher_thread);
	}
	spawn("scheduler", scheduler_thread);
	start_targets();
}

/* SIGHUP: a new Hcfile, or the old one kept when the new one is bad. */
void
hc_reload(void)
{
	struct hc_config	*nc, *old = hc.conf;
	struct hc_target	*t, *o;
	char			 err[1024];

	if ((nc = hcfile_load(old->path, err, sizeof(err))) == NULL) {
		log_warnx("reload: %s; keeping the Hcfile running", err);
		return;
	}
	if (strcmp(nc->faild, old->faild) != 0 ||
	    nc->faild_tcp != old->faild_tcp) {
		log_warnx("reload: %s: faild changed; restart hc for that; "
		    "keeping the Hcfile running", old->path);
		hcfile_free(nc);
		return;
	}
	stop_targets();
	pth_mutex_acquire(&hc.lock, FALSE, NULL);
	for (t = nc->targets; t != NULL; t = t->next) {
		init_target(t);
		if ((o = hc_target_find(old, t->name)) != NULL)
			carry_over(t, o);
	}
	hc.conf = nc;
	snprintf(hc.by, sizeof(hc.by), "hc-%.61s", nc->node);
	hcfile_free(old);
	pth_mutex_release(&hc.lock);
	hc.reloads++;
	log_info("reloaded %s: %d targets", nc->path, nc->ntargets);
	start_targets();
	publish();
}
