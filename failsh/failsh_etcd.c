/*
 * failsh_etcd.c: the etcd backend of failsh, set by the policy's failetcd.
 * It replaces peer polling with keys in etcd (lib/etcd.c):
 *
 *   PREFIX/view/SERVICE/HOST	this host's view: "STATE eligible|why",
 *				on its lease
 *   PREFIX/owner/SERVICE	the owner's name, on the owner's lease, made
 *				only by a create-if-absent transaction; its
 *				create revision is the ownership epoch
 *   PREFIX/release/SERVICE	a master asking the owner to give it back
 *
 * Three Pth threads, each with its own client (connection): the lease
 * thread keeps one lease per host alive; the watch thread reads PREFIX/
 * whole, then follows it with one watch (leader required, progress
 * notifications), reading again before every new watch; runners decide
 * with decide_etcd (lib/decide.c) and write through the third client.
 *
 * Self-fencing: the lease is certainly valid until the send time of the
 * last acknowledged keep-alive plus the TTL, on the monotonic clock (etcd
 * extends it when the request arrives, later). An owner stops its
 * services "margin" before that (the fence); the watchdog, if set, is fed
 * only while a reboot at its timeout would still come before it.
 */
#include <sys/ioctl.h>

#include <linux/watchdog.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "etcd.h"
#include "failsh.h"
#include "log.h"
#include "metrics.h"
#include "timeutil.h"
#include "xmalloc.h"

#define ETCD_TTL		2	/* seconds, the default */
#define ETCD_MIN_MARGIN_MS	250
#define ETCD_CALL_MS		1000	/* runners' calls */
#define ETCD_ENDPOINT_MS	500	/* one endpoint's share of a call */
#define ETCD_RETRY_MS		100
#define ETCD_WATCHDOG_PET_MS	200

/* The settings of failetcd, in the order of its table. */
enum {
	E_ENDPOINTS, E_PREFIX, E_TTL, E_MARGIN, E_UNREACHABLE, E_WATCHDOG,
	E_CAFILE, E_CERTFILE, E_KEYFILE, E_USER, E_PASSWORD, E_NSETTINGS
};
static const char *const setting_names[] = { "endpoints", "prefix", "ttl",
    "margin", "unreachable", "watchdog", "cafile", "certfile", "keyfile",
    "user", "password", NULL };

static struct {
	char		*set[E_NSETTINGS];	/* owned, NULL: default */
	int		 ttl_s;
	int64_t		 margin_ms;
	int		 keep;			/* unreachable keep */

	/* run time */
	int		 started;
	struct etcd	*lease_c, *watch_c, *call_c;
	int64_t		 lease;			/* 0: none */
	int64_t		 ttl_ms;		/* as granted */
	int64_t		 valid_until;		/* monotonic: certainly
						   valid before this */
	int		 unsure;		/* the last renewal failed */
	enum decide_coord said;			/* to the runners */
	char		 error[256];		/* and why */
	int		 synced;		/* the watch is current */
	int		 synced_once;
	int64_t		 start_ms;		/* monotonic */
	int64_t		 rev;			/* of the last read */
	int		 wd_fd;			/* -1: not armed */
	int64_t		 wd_timeout_ms;
	int		 wd_failed;		/* could not arm: said so */
} E = { .ttl_s = ETCD_TTL, .wd_fd = -1, .said = COORD_LOST };

static struct log_ratelimit	rl_etcd;

int
etcd_backend(void)
{
	return E.set[E_ENDPOINTS] != NULL;
}

static const char *
setting(int i, const char *dflt)
{
	return E.set[i] != NULL ? E.set[i] : dflt;
}

static const char *
prefix(void)
{
	return setting(E_PREFIX, "/failover");
}

static int64_t
margin_ms(void)
{
	int64_t	m = E.ttl_s * 1000 / 4;

	if (E.margin_ms > 0)
		return E.margin_ms;
	return m > ETCD_MIN_MARGIN_MS ? m : ETCD_MIN_MARGIN_MS;
}

/* The monotonic time from which the lease may have expired, less the
 * margin: owners have stopped by then. 0 without a lease. */
static int64_t
fence_ms(void)
{
	return E.lease != 0 ? E.valid_until - margin_ms() : 0;
}

/*
 * The lease as runners see it: LOST past the fence; UNSURE once renewals
 * have failed for half the TTL (a renewal lost to one dropped packet, or
 * a leader election, is not yet a reason to stop); else OK.
 */
static enum decide_coord
coord(void)
{
	int64_t	now = time_mono_ms();

	if (E.lease == 0 || now >= fence_ms())
		return COORD_LOST;
	if (E.unsure && now >= E.valid_until - E.ttl_ms / 2)
		return COORD_UNSURE;
	return COORD_OK;
}

/*
 * The deadline of a runner's call to etcd: ETCD_CALL_MS from now, but no
 * later than the next moment at which the lease may make its owners stop
 * (UNSURE, unless "unreachable keep"; the fence), so that a call to an
 * etcd gone silent never holds a runner past the time its service must
 * stop.
 */
static int64_t
call_deadline(void)
{
	int64_t	now = time_mono_ms(), d = now + ETCD_CALL_MS;
	int64_t	stops[2] = { E.keep ? 0 : E.valid_until - E.ttl_ms / 2,
		    fence_ms() };
	size_t	i;

	for (i = 0; i < 2; i++)
		if (stops[i] > now && stops[i] < d)
			d = stops[i];
	return d;
}

static void
wake_all(void)
{
	struct failsh_service	*s;

	for (s = failsh.services; s != NULL; s = s->next)
		if (s->running)
			sched_service_run_now(s);
	monitor_changed();
}

/* ---- The watchdog ----------------------------------------------------- */

static int
owned_count(void)
{
	struct failsh_service	*s;
	int			 n = 0;

	for (s = failsh.services; s != NULL; s = s->next)
		n += s->etcd.epoch != 0 || s->state == SVC_UP;
	return n;
}

static void
watchdog_disarm(void)
{
	if (E.wd_fd < 0)
		return;
	/* the magic close: the driver stops the timer */
	if (write(E.wd_fd, "V", 1) != 1)
		log_warn("watchdog %s: magic close", E.set[E_WATCHDOG]);
	close(E.wd_fd);
	E.wd_fd = -1;
	log_info("watchdog %s disarmed: nothing owned here",
	    E.set[E_WATCHDOG]);
}

/* Open the device and set its timeout below the lease's life. */
static void
watchdog_arm(void)
{
	int	fd, secs;

	if (E.wd_fd >= 0 || E.wd_failed)
		return;
	secs = (int)((E.ttl_ms - margin_ms()) / 1000);
	if (secs < 1)
		secs = 1;
	if ((fd = open(E.set[E_WATCHDOG], O_WRONLY | O_CLOEXEC)) < 0) {
		log_warn("watchdog %s: cannot open, not armed",
		    E.set[E_WATCHDOG]);
		E.wd_failed = 1;
		return;
	}
	if (ioctl(fd, WDIOC_SETTIMEOUT, &secs) < 0) {
		log_warn("watchdog %s: cannot set a timeout of %d s (not a "
		    "watchdog device?), not armed", E.set[E_WATCHDOG], secs);
		(void)!write(fd, "V", 1);
		close(fd);
		E.wd_failed = 1;
		return;
	}
	E.wd_fd = fd;
	E.wd_timeout_ms = secs * 1000LL;
	log_info("watchdog %s armed, %d s: the host reboots if failsh stalls "
	    "while it owns a service", E.set[E_WATCHDOG], secs);
}

/*
 * Armed while this host owns something; fed only while a reboot at the
 * timeout would still come before the lease can expire. A stalled failsh
 * feeds nothing: the kernel reboots the host before another takes over.
 */
static void *
watchdog_thread(void *arg)
{
	(void)arg;
	for (;;) {
		if (owned_count() == 0)
			watchdog_disarm();
		else
			watchdog_arm();
		if (E.wd_fd >= 0 && E.lease != 0 &&
		    time_mono_ms() + E.wd_timeout_ms < E.valid_until &&
		    ioctl(E.wd_fd, WDIOC_KEEPALIVE, 0) < 0)
			log_warn("watchdog %s: keepalive", E.set[E_WATCHDOG]);
		pth_nap(pth_time(0, ETCD_WATCHDOG_PET_MS * 1000));
	}
	return NULL;
}

/* ---- The lease -------------------------------------------------------- */

static void
nap_until(int64_t when)
{
	int64_t	left = when - time_mono_ms();

	if (left > 0)
		pth_nap(pth_time(left / 1000, left % 1000 * 1000));
}

/*
 * Wake the runners when the lease's state as they see it changes: it
 * turns UNSURE half a TTL after the last renewal, LOST at the fence,
 * whatever the lease thread is doing then.
 */
static void
coord_check(void)
{
	enum decide_coord	c = coord();

	if (c == E.said)
		return;
	if (c == COORD_LOST && E.lease != 0)
		log_warnx("etcd: lease %" PRIx64 " not renewed, it may expire "
		    "in %" PRId64 " ms: stopping what runs here", E.lease,
		    E.valid_until - time_mono_ms() > 0 ? E.valid_until -
		    time_mono_ms() : 0);
	E.said = c;
	wake_all();
}

static void
lease_lost(const char *why)
{
	log_warnx("etcd: lease %" PRIx64 " lost: %s", E.lease, why);
	E.lease = 0;
	E.valid_until = 0;
	coord_check();
}

/*
 * Grant the lease, then renew it every quarter of its TTL; a failed
 * renewal is tried again at once (every ETCD_RETRY_MS) until the fence.
 * Sleeps wake at the fence too, so that owners stop in time.
 */
static void *
lease_thread(void *arg)
{
	int64_t	now, sent, ttl, id, deadline, next, fence, half;
	char	err[256];
	int	rc;

	(void)arg;
	for (;;) {
		now = time_mono_ms();
		if (E.lease == 0) {
			sent = now;
			rc = etcd_lease_grant(E.lease_c, E.ttl_s, &id, &ttl,
			    now + E.ttl_s * 1000 / 2, err, sizeof(err));
			if (rc == 0) {
				E.lease = id;
				E.ttl_ms = ttl * 1000;
				E.valid_until = sent + E.ttl_ms;
				E.unsure = 0;
				E.error[0] = '\0';
				log_info("etcd: lease %" PRIx64 " granted, TTL "
				    "%" PRId64 " s, fence %" PRId64 " ms "
				    "before expiry, via %s", id, ttl,
				    margin_ms(), etcd_endpoint(E.lease_c));
				coord_check();
				next = now + E.ttl_ms / 4;
			} else {
				snprintf(E.error, sizeof(E.error), "%s", err);
				if (!E.unsure)
					log_warnx("etcd: no lease: %s", err);
				E.unsure = 1;
				monitor_changed();
				next = time_mono_ms() + ETCD_RETRY_MS;
			}
		} else {
			fence = fence_ms();
			deadline = now + E.ttl_ms / 4;
			if (fence > now && deadline > fence)
				deadline = fence;
			rc = etcd_lease_keepalive(E.lease_c, E.lease, &ttl, &sent,
			    deadline, err, sizeof(err));
			if (rc == 0 && ttl > 0) {
				if (E.unsure)
					log_info("etcd: lease %" PRIx64
					    " renewed again via %s", E.lease,
					    etcd_endpoint(E.lease_c));
				E.valid_until = sent + ttl * 1000;
				E.unsure = 0;
				E.error[0] = '\0';
				next = sent + E.ttl_ms / 4;
			} else if (rc == 0 || (rc == ETCD_REFUSED &&
			    strstr(err, "not found") != NULL)) {
				lease_lost("expired at etcd");
				continue;	/* a new one at once */
			} else {
				snprintf(E.error, sizeof(E.error), "%s", err);
				if (!E.unsure)
					log_warnx("etcd: cannot renew lease %"
					    PRIx64 " (%s); certainly valid for "
					    "%" PRId64 " ms", E.lease, err,
					    E.valid_until - time_mono_ms());
				E.unsure = 1;
				next = time_mono_ms() + ETCD_RETRY_MS;
			}
		}
		/* sleep until the next renewal, waking when the runners
		 * must see the lease UNSURE or LOST */
		coord_check();
		now = time_mono_ms();
		if (E.unsure && E.lease != 0) {
			half = E.valid_until - E.ttl_ms / 2;
			fence = fence_ms();
			if (half > now && half < next)
				next = half;
			else if (fence > now && fence < next)
				next = fence;
		}
		nap_until(next);
		coord_check();
	}
	return NULL;
}

/* ---- The keys, as the watch shows them -------------------------------- */

static void
view_drop(struct svc_etcd *e, size_t i)
{
	free(e->views[i].host);
	e->views[i] = e->views[--e->nviews];
}

void
etcd_svc_clear(struct failsh_service *s)
{
	struct svc_etcd	*e = &s->etcd;

	free(e->owner);
	free(e->release_by);
	e->owner = e->release_by = NULL;
	while (e->nviews > 0)
		view_drop(e, e->nviews - 1);
	free(e->views);
	e->views = NULL;
}

static struct etcd_view *
view_find(const struct svc_etcd *e, const char *host)
{
	size_t	i;

	for (i = 0; i < e->nviews; i++)
		if (strcmp(e->views[i].host, host) == 0)
			return &e->views[i];
	return NULL;
}

/* Parse "STATE eligible|why" into v; unknown text is a FAIL, ineligible. */
static void
view_parse(struct etcd_view *v, const char *value)
{
	char	st[16];

	v->state = SVC_FAIL;
	v->eligible = 0;
	if (sscanf(value, "%15s", st) == 1 && svc_state_parse(st,
	    &v->state) < 0)
		v->state = SVC_FAIL;
	v->eligible = strstr(value, " eligible") != NULL;
}

/*
 * Apply one key (a PUT, or with del a DELETE) to the service it is of.
 * Returns the service, or NULL for keys of no service here.
 */
static struct failsh_service *
key_apply(const struct etcd_kv *kv, int del)
{
	struct failsh_service	*s;
	struct svc_etcd		*e;
	struct etcd_view	*v;
	const char		*k = kv->key + strlen(prefix()), *slash;
	char			 name[PROTO_MAX_NAME + 1];
	enum { K_VIEW, K_OWNER, K_RELEASE } kind;
	size_t			 n;

	if (strncmp(k, "/view/", 6) == 0)
		kind = K_VIEW, k += 6;
	else if (strncmp(k, "/owner/", 7) == 0)
		kind = K_OWNER, k += 7;
	else if (strncmp(k, "/release/", 9) == 0)
		kind = K_RELEASE, k += 9;
	else
		return NULL;
	slash = kind == K_VIEW ? strchr(k, '/') : NULL;
	n = slash != NULL ? (size_t)(slash - k) : strlen(k);
	if (n == 0 || n > PROTO_MAX_NAME || (kind == K_VIEW && slash == NULL))
		return NULL;
	memcpy(name, k, n);
	name[n] = '\0';
	if ((s = failsh_service_find(name)) == NULL)
		return NULL;
	e = &s->etcd;
	switch (kind) {
	case K_OWNER:
		free(e->owner);
		e->owner = del ? NULL : xstrdup(kv->value);
		e->owner_lease = del ? 0 : kv->lease;
		e->owner_rev = del ? 0 : kv->create_rev;
		if (e->epoch != 0 && (del || e->owner_rev != e->epoch)) {
			log_info("service %s: our owner key (epoch %" PRId64
			    ") is gone", s->name, e->epoch);
			e->epoch = 0;
		}
		break;
	case K_RELEASE:
		free(e->release_by);
		e->release_by = del ? NULL : xstrdup(kv->value);
		break;
	case K_VIEW:
		v = view_find(e, slash + 1);
		if (del) {
			if (v != NULL)
				view_drop(e, (size_t)(v - e->views));
			break;
		}
		if (v == NULL) {
			e->views = xrealloc(e->views, (e->nviews + 1) *
			    sizeof(*e->views));
			v = &e->views[e->nviews++];
			v->host = xstrdup(slash + 1);
		}
		view_parse(v, kv->value);
		break;
	}
	monitor_changed();
	return s;
}

/*
 * After a silence of the watch: does its member still answer, with a
 * leader? One linearizable read of one key, at the endpoint that answered
 * last, the watch's. A failure, or an answer from another endpoint (the
 * client moved on after a timeout there), says the watch may be cut off.
 */
static int
watch_member_ok(const char *pfx)
{
	struct etcd_kv	*kvs;
	char		 ep[256], err[256];
	size_t		 n;
	int		 ok;

	snprintf(ep, sizeof(ep), "%s", etcd_endpoint(E.watch_c));
	err[0] = '\0';
	ok = etcd_range(E.watch_c, pfx, 0, &kvs, &n, NULL, time_mono_ms() +
	    ETCD_ENDPOINT_MS, err, sizeof(err)) == 0;
	if (ok)
		etcd_kvs_free(kvs, n);
	ok = ok && strcmp(ep, etcd_endpoint(E.watch_c)) == 0;
	if (!ok)
		log_debug(FAC_NET, 1, "etcd: the watch's member %s is silent "
		    "(%s), reading again", ep, err);
	return ok;
}

/*
 * Read PREFIX/ whole, then follow it with one watch from the revision
 * after the read; when the watch ends (a lost connection, no leader, a
 * compaction), read again: a watch is never trusted across a gap. Nor
 * across a silence of TTL/2 at a member that does not answer a read: a
 * member cut off without a reset (a partition, a stopped etcd) ends
 * nothing, and its watchers would not see an owner key go for as long as
 * it lasts. The read after a silence wakes the services only when the
 * revision moved.
 */
static void *
watch_thread(void *arg)
{
	struct failsh_service	*s;
	struct etcd_watch	*w;
	struct etcd_event	 ev;
	struct etcd_kv		*kvs;
	char			 err[256], pfx[256];
	size_t			 n, i;
	int64_t			 seen;
	int			 rc, idle = 0;

	(void)arg;
	snprintf(pfx, sizeof(pfx), "%s/", prefix());
	for (;;) {
		seen = E.rev;
		if (etcd_range(E.watch_c, pfx, 1, &kvs, &n, &E.rev,
		    time_mono_ms() + 2000, err, sizeof(err)) != 0) {
			log_warnx_rl(&rl_etcd, "etcd: cannot read %s: %s", pfx,
			    err);
			pth_nap(pth_time(0, ETCD_RETRY_MS * 1000));
			continue;
		}
		for (s = failsh.services; s != NULL; s = s->next) {
			int64_t epoch = s->etcd.epoch;

			etcd_svc_clear(s);
			s->etcd.epoch = epoch;	/* checked by key_apply */
			s->etcd.owner_lease = s->etcd.owner_rev = 0;
		}
		for (i = 0; i < n; i++)
			key_apply(&kvs[i], 0);
		for (s = failsh.services; s != NULL; s = s->next)
			if (s->etcd.epoch != 0 && s->etcd.owner_rev !=
			    s->etcd.epoch) {
				log_info("service %s: our owner key (epoch %"
				    PRId64 ") is gone", s->name, s->etcd.epoch);
				s->etcd.epoch = 0;
			}
		etcd_kvs_free(kvs, n);
		w = etcd_watch_open(E.watch_c, pfx, E.rev + 1, 1,
		    time_mono_ms() + 2000, err, sizeof(err));
		if (w == NULL) {
			log_warnx_rl(&rl_etcd, "etcd: cannot watch %s: %s", pfx,
			    err);
			pth_nap(pth_time(0, ETCD_RETRY_MS * 1000));
			continue;
		}
		E.synced = E.synced_once = 1;
		log_debug(FAC_NET, 1, "etcd: watching %s from revision %" PRId64
		    ", %zu keys", pfx, E.rev + 1, n);
		if (!idle || E.rev != seen)
			wake_all();
		while ((rc = etcd_watch_next(w, &ev, time_mono_ms() +
		    E.ttl_s * 1000 / 2, err, sizeof(err))) >= 0) {
			if (rc == 0 && !watch_member_ok(pfx))
				break;
			if (rc == 0 || ev.type == ETCD_EV_PROGRESS)
				continue;
			E.rev = ev.rev;
			if ((s = key_apply(&ev.kv, ev.type == ETCD_EV_DELETE))
			    != NULL && s->running)
				sched_service_run_now(s);
		}
		E.synced = 0;
		monitor_changed();
		if (!(idle = rc == 0))
			log_warnx_rl(&rl_etcd, "etcd: watch ended (%s), "
			    "reading again", err);
		etcd_watch_close(w);
	}
	return NULL;
}

/* ---- What runners ask ------------------------------------------------- */

/* A host's rank in the lists, masters first; -1 if in neither. */
static int
rank_of(const struct failsh_service *s, const char *host)
{
	int	r, base = 0, self;
	size_t	i;

	for (r = ROLE_MASTER; r <= ROLE_SLAVE; r++) {
		self = s->self_at[r];
		if (self >= 0 && strcmp(host, failsh.nodename) == 0)
			return base + self;
		for (i = 0; i < s->npeers[r]; i++)
			if (strcmp(s->peers[r][i].host->name, host) == 0)
				return base + (int)i + (self >= 0 &&
				    self <= (int)i);
		base += (int)s->npeers[r] + (self >= 0);
	}
	return -1;
}

static int
nmasters(const struct failsh_service *s)
{
	return (int)s->npeers[ROLE_MASTER] + (s->self_at[ROLE_MASTER] >= 0);
}

/* This host's eligibility, with the reason it is not. */
static const char *
self_ineligible(const struct failsh_service *s)
{
	if (s->health_total == HEALTH_FAIL)
		return "sick";
	if (s->held)
		return "held";
	if (s->etcd.start_failed_ms != 0 && time_mono_ms() -
	    s->etcd.start_failed_ms < (int64_t)s->deadcount * s->interval_ms)
		return "cooling";
	return NULL;
}

/* The best-ranked host that may run the service, by the views; -1. */
static int
first_eligible(const struct failsh_service *s)
{
	const struct etcd_view	*v;
	int			 best = -1, rank;
	size_t			 i;

	if (self_ineligible(s) == NULL)
		best = rank_of(s, failsh.nodename);
	for (i = 0; i < s->etcd.nviews; i++) {
		v = &s->etcd.views[i];
		if (!v->eligible || strcmp(v->host, failsh.nodename) == 0)
			continue;
		rank = rank_of(s, v->host);
		if (rank >= 0 && (best < 0 || rank < best))
			best = rank;
	}
	return best;
}

static char *
key_of(char *buf, size_t len, const char *kind, const struct failsh_service *s,
    const char *host)
{
	snprintf(buf, len, "%s/%s/%s%s%s", prefix(), kind, s->name,
	    host ? "/" : "", host ? host : "");
	return buf;
}

/*
 * A key from our previous life (failsh restarted within the TTL): our
 * name on a lease that is not ours. Move it to our lease in one
 * transaction that checks it is still that key: no other host can get in
 * between, and the epoch stays (a failsh with this name is us). The old
 * lease then expires with nothing of ours on it.
 */
static void
etcd_adopt(struct failsh_service *s)
{
	struct svc_etcd	*e = &s->etcd;
	char		 key[512], err[256];
	int64_t		 old = e->owner_lease, rev = e->owner_rev;
	int		 done;

	if (e->owner == NULL || strcmp(e->owner, failsh.nodename) != 0 ||
	    old == E.lease || old == 0 || coord() != COORD_OK)
		return;
	key_of(key, sizeof(key), "owner", s, NULL);
	if (etcd_put_if(E.call_c, key, failsh.nodename, E.lease, rev, &done,
	    call_deadline(), err, sizeof(err)) != 0) {
		log_warnx_rl(&rl_etcd, "service %s: cannot take over the owner "
		    "key of an earlier failsh here: %s", s->name, err);
		return;
	}
	if (!done || e->owner_rev != rev)
		return;			/* gone meanwhile: the watch says */
	e->owner_lease = E.lease;
	log_info("service %s: owner key of an earlier failsh here (lease %"
	    PRIx64 ") moved to ours, epoch %" PRId64, s->name, old, rev);
}

void
etcd_svc_input(struct failsh_service *s, struct decide_etcd_input *in)
{
	struct svc_etcd		*e = &s->etcd;
	const struct etcd_view	*v;
	int			 me;

	if (E.lease != 0 && e->owner != NULL)
		etcd_adopt(s);
	memset(in, 0, sizeof(*in));
	in->local = s->state;
	in->coord = coord();
	in->starting = (E.lease == 0 || !E.synced_once) &&
	    time_mono_ms() - E.start_ms < E.ttl_s * 1000LL;
	in->keep = E.keep;
	in->synced = E.synced;
	in->health = s->health_total;
	in->restarts_left = s->max_restarts - failsh_service_restarts(s);
	in->held = s->held;
	in->cooling = self_ineligible(s) != NULL &&
	    strcmp(self_ineligible(s), "cooling") == 0;
	in->nmasters = nmasters(s);
	in->self_rank = me = rank_of(s, failsh.nodename);
	in->first_eligible = first_eligible(s);
	if (e->owner == NULL)
		in->owner = OWNER_NONE;
	else if (E.lease != 0 && e->owner_lease == E.lease) {
		in->owner = OWNER_SELF;
		e->epoch = e->owner_rev;
	} else
		in->owner = OWNER_OTHER;
	in->owner_rank = e->owner != NULL ? rank_of(s, e->owner) : -1;
	/* a release asked by an eligible master, of us, a slave */
	if (in->owner == OWNER_SELF && e->release_by != NULL &&
	    (me < 0 || me >= in->nmasters)) {
		int r = rank_of(s, e->release_by);

		v = view_find(e, e->release_by);
		in->release_asked = r >= 0 && r < in->nmasters && v != NULL &&
		    v->eligible;
	}
}


int
etcd_svc_acquire(struct failsh_service *s, char *why, size_t whylen)
{
	struct svc_etcd	*e = &s->etcd;
	char		 key[512], err[256];
	int64_t		 rev, lease, mine = E.lease;
	int		 created;

	if (e->owner != NULL && e->owner_lease == mine && mine != 0)
		return 0;		/* ours already */
	if (coord() != COORD_OK) {
		snprintf(why, whylen, "no valid lease");
		return -1;
	}
	key_of(key, sizeof(key), "owner", s, NULL);
	if (etcd_create(E.call_c, key, failsh.nodename, mine, &created, &rev,
	    &lease, call_deadline(), err, sizeof(err)) != 0) {
		snprintf(why, whylen, "cannot create the owner key: %.200s",
		    err);
		return -1;
	}
	if (!created && lease != mine) {
		snprintf(why, whylen, "another host created the owner key "
		    "first (epoch %" PRId64 ")", rev);
		if (e->owner == NULL) {	/* until the watch names it */
			e->owner = xstrdup("?");
			e->owner_lease = lease;
			e->owner_rev = rev;
		}
		return -1;
	}
	free(e->owner);
	e->owner = xstrdup(failsh.nodename);
	e->owner_lease = mine;
	e->owner_rev = e->epoch = rev;
	log_info("service %s: owner, epoch %" PRId64, s->name, rev);
	/* our release request, if any, is answered */
	if (e->asked_lease != 0) {
		key_of(key, sizeof(key), "release", s, NULL);
		if (etcd_delete(E.call_c, key, 0, NULL, call_deadline(),
		    err, sizeof(err)) == 0)
			e->asked_lease = 0;
	}
	if (coord() != COORD_OK) {	/* the create took past the fence */
		snprintf(why, whylen, "the lease may have expired meanwhile");
		return -1;
	}
	return 0;
}

void
etcd_svc_release(struct failsh_service *s)
{
	struct svc_etcd	*e = &s->etcd;
	char		 key[512], err[256];
	int64_t		 epoch = e->epoch;
	int		 deleted;

	e->epoch = 0;
	if (epoch == 0 || coord() == COORD_LOST)
		return;		/* it goes, or went, with the lease */
	key_of(key, sizeof(key), "owner", s, NULL);
	if (etcd_delete_if(E.call_c, key, epoch, &deleted, call_deadline(),
	    err, sizeof(err)) != 0)
		log_warnx("service %s: cannot release the owner key (epoch %"
		    PRId64 "): %s; it goes with the lease", s->name, epoch,
		    err);
	else {
		log_info("service %s: released (epoch %" PRId64 ")", s->name,
		    epoch);
		/* gone, or someone else's: never ours again before the watch
		 * says so, or a next run would take it for ours and start */
		if (e->owner_rev == epoch) {
			free(e->owner);
			e->owner = NULL;
			e->owner_lease = e->owner_rev = 0;
		}
	}
}

void
etcd_svc_reclaim(struct failsh_service *s)
{
	struct svc_etcd	*e = &s->etcd;
	char		 key[512], err[256];

	if (e->asked_lease == E.lease && e->release_by != NULL &&
	    strcmp(e->release_by, failsh.nodename) == 0)
		return;			/* asked, on this lease */
	key_of(key, sizeof(key), "release", s, NULL);
	if (etcd_put(E.call_c, key, failsh.nodename, E.lease, NULL,
	    call_deadline(), err, sizeof(err)) != 0) {
		log_warnx_rl(&rl_etcd, "service %s: cannot ask %s to release "
		    "it: %s", s->name, e->owner ? e->owner : "?", err);
		return;
	}
	e->asked_lease = E.lease;
	log_info("service %s: asked %s to give it back", s->name,
	    e->owner ? e->owner : "?");
}

void
etcd_svc_publish(struct failsh_service *s)
{
	struct svc_etcd	*e = &s->etcd;
	const char	*why = self_ineligible(s);
	char		 key[512], value[64], err[256];

	if (E.lease == 0 || coord() == COORD_LOST)
		return;
	snprintf(value, sizeof(value), "%s %s", svc_state_str(s->state),
	    why != NULL ? why : (rank_of(s, failsh.nodename) < 0 ?
	    "unlisted" : "eligible"));
	if (e->view_lease == E.lease && strcmp(value, e->view_put) == 0)
		return;
	key_of(key, sizeof(key), "view", s, failsh.nodename);
	if (etcd_put(E.call_c, key, value, E.lease, NULL, call_deadline(),
	    err, sizeof(err)) != 0) {
		log_warnx_rl(&rl_etcd, "service %s: cannot put its view: %s",
		    s->name, err);
		return;
	}
	snprintf(e->view_put, sizeof(e->view_put), "%s", value);
	e->view_lease = E.lease;
}

/* ---- Monitor, -t ------------------------------------------------------ */

void
etcd_monitor(struct pbuf *b)
{
	int64_t	left = E.lease != 0 ? E.valid_until - time_mono_ms() : 0;

	if (!etcd_backend())
		return;
	/* BACKEND etcd ENDPOINT LEASE LEFT_MS FENCE_MS COORD POLICY SYNCED
	 * WATCHDOG ERROR */
	pbuf_printf(b, "BACKEND etcd %s %" PRIx64 " %" PRId64 " %" PRId64
	    " %s %s %s %s %s\n", E.call_c ? etcd_endpoint(E.call_c) :
	    setting(E_ENDPOINTS, "-"), E.lease, left > 0 ? left : 0,
	    margin_ms(), E.started ? decide_coord_str(coord()) : "LOST",
	    E.keep ? "keep" : "stop", E.synced ? "synced" : "reading",
	    E.wd_fd >= 0 ? "armed" : E.set[E_WATCHDOG] ? "disarmed" : "none",
	    E.error[0] ? E.error : "-");
}

void
etcd_monitor_service(struct pbuf *b, const struct failsh_service *s)
{
	if (!etcd_backend())
		return;
	/* OWNER SERVICE HOST|- EPOCH MINE */
	pbuf_printf(b, "OWNER %s %s %" PRId64 " %s\n", s->name,
	    s->etcd.owner ? s->etcd.owner : "-", s->etcd.owner_rev,
	    s->etcd.epoch != 0 ? "here" : "elsewhere");
}

void
etcd_metrics(struct pbuf *out)
{
	const struct failsh_service	*s;
	enum decide_coord		 c = coord(), i;
	int64_t				 left = E.lease != 0 ?
					    E.valid_until - time_mono_ms() : 0;

	if (!etcd_backend())
		return;
	metrics_head(out, "failover_etcd_lease_valid_seconds", "gauge",
	    "How long this host's etcd lease is certainly still valid.");
	metrics_sample(out, "failover_etcd_lease_valid_seconds",
	    left > 0 ? left / 1000.0 : 0, NULL);
	metrics_head(out, "failover_etcd_lease", "gauge", "1 for the state "
	    "of the lease (OK, UNSURE: renewals fail, LOST), 0 for the "
	    "others.");
	for (i = COORD_OK; i <= COORD_LOST; i++)
		metrics_sample(out, "failover_etcd_lease", c == i, "state",
		    decide_coord_str(i), NULL);
	metrics_head(out, "failover_etcd_watch_synced", "gauge", "1 while "
	    "the watch of the keys is current.");
	metrics_sample(out, "failover_etcd_watch_synced", E.synced, NULL);
	metrics_head(out, "failover_service_epoch", "gauge", "The epoch "
	    "(owner key's create revision) of a service this host owns, 0 "
	    "when it does not.");
	for (s = failsh.services; s != NULL; s = s->next)
		metrics_sample(out, "failover_service_epoch",
		    (double)s->etcd.epoch, "service", s->name, NULL);
}

const char *
etcd_summary(char *buf, size_t len)
{
	if (!etcd_backend())
		return NULL;
	snprintf(buf, len, "etcd backend: %s, prefix %s, TTL %d s, fence %"
	    PRId64 " ms before expiry, unreachable %s, watchdog %s",
	    E.set[E_ENDPOINTS], prefix(), E.ttl_s, margin_ms(),
	    E.keep ? "keep" : "stop", setting(E_WATCHDOG, "none"));
	return buf;
}

/* ---- Start ------------------------------------------------------------ */

/*
 * A client with its own connection. timeout_ms is one endpoint's share
 * of a call: a call that has no more time than that never reaches a
 * second endpoint, and each call starts at the endpoint that answered
 * last, so the lease client gets a share that lets one renewal (TTL/4)
 * try two: else a member that stops answering without refusing (cut off,
 * stopped) keeps every renewal of its clients until the lease is lost.
 */
static struct etcd *
client_new(int timeout_ms)
{
	struct etcd_opts	o = { 0 };
	struct etcd		*c;
	char			 err[256];

	o.endpoints = E.set[E_ENDPOINTS];
	o.cafile = E.set[E_CAFILE];
	o.certfile = E.set[E_CERTFILE];
	o.keyfile = E.set[E_KEYFILE];
	o.user = E.set[E_USER];
	o.password = E.set[E_PASSWORD];
	o.timeout_ms = timeout_ms;
	o.require_leader = 1;
	if ((c = etcd_new(&o, err, sizeof(err))) == NULL)
		fatalx("etcd: %s", err);
	return c;
}

static void
spawn(const char *name, void *(*fn)(void *))
{
	pth_attr_t	attr = pth_attr_new();

	pth_attr_set(attr, PTH_ATTR_NAME, name);
	pth_attr_set(attr, PTH_ATTR_JOINABLE, FALSE);
	pth_attr_set(attr, PTH_ATTR_STACK_SIZE, 128 * 1024);
	if (pth_spawn(attr, fn, NULL) == NULL)
		fatal("cannot start the %s thread", name);
	pth_attr_destroy(attr);
}

void
etcd_backend_start(void)
{
	E.started = 1;
	E.start_ms = time_mono_ms();
	if (!etcd_backend())
		return;
	E.lease_c = client_new(E.ttl_s * 1000 / 8 < ETCD_ENDPOINT_MS ?
	    E.ttl_s * 1000 / 8 : ETCD_ENDPOINT_MS);
	E.watch_c = client_new(ETCD_ENDPOINT_MS);
	E.call_c = client_new(ETCD_ENDPOINT_MS);
	log_info("etcd backend: %s, prefix %s, TTL %d s, unreachable %s",
	    E.set[E_ENDPOINTS], prefix(), E.ttl_s, E.keep ? "keep" : "stop");
	spawn("etcd-lease", lease_thread);
	spawn("etcd-watch", watch_thread);
	if (E.set[E_WATCHDOG] != NULL)
		spawn("watchdog", watchdog_thread);
}

/* ---- failetcd --------------------------------------------------------- */

static int
etcd_error(Tcl_Interp *interp, const char *what, const char *msg)
{
	Tcl_SetObjResult(interp, Tcl_NewStringObj(msg, -1));
	Tcl_SetErrorCode(interp, "FAIL", "VALUE", what, NULL);
	return TCL_ERROR;
}

static Tcl_Obj *
etcd_info(void)
{
	Tcl_Obj	*d = Tcl_NewDictObj(), *v;
	int64_t	 left = E.lease != 0 ? E.valid_until - time_mono_ms() : 0;
	int	 i;

#define PUT(k, v) Tcl_DictObjPut(NULL, d, Tcl_NewStringObj(k, -1), v)
	for (i = 0; i < E_NSETTINGS; i++) {
		switch (i) {
		case E_PASSWORD:
			continue;
		case E_TTL:
			v = Tcl_NewIntObj(E.ttl_s);
			break;
		case E_MARGIN:
			v = Tcl_NewDoubleObj(margin_ms() / 1000.0);
			break;
		case E_UNREACHABLE:
			v = Tcl_NewStringObj(E.keep ? "keep" : "stop", -1);
			break;
		case E_PREFIX:
			v = Tcl_NewStringObj(prefix(), -1);
			break;
		default:
			v = Tcl_NewStringObj(setting(i, ""), -1);
			break;
		}
		PUT(setting_names[i], v);
	}
	PUT("lease", Tcl_ObjPrintf("%" PRIx64, E.lease));
	PUT("valid", Tcl_NewDoubleObj(left > 0 ? left / 1000.0 : 0));
	PUT("coord", Tcl_NewStringObj(E.started ? decide_coord_str(coord()) :
	    "LOST", -1));
	PUT("synced", Tcl_NewBooleanObj(E.synced));
	PUT("watchdog_armed", Tcl_NewBooleanObj(E.wd_fd >= 0));
	PUT("error", Tcl_NewStringObj(E.error, -1));
#undef PUT
	return d;
}

/* Check a value for setting i; 0, or -1 with msg set. ttl and margin in
 * *n (seconds, milliseconds). */
static int
etcd_check(int i, const char *v, int64_t *n, char *msg, size_t len)
{
	char	*end;
	double	 d;

	*n = 0;
	switch (i) {
	case E_ENDPOINTS:
		if ((strncmp(v, "http://", 7) != 0 && strncmp(v, "https://",
		    8) != 0) || strpbrk(v, " \t\n") != NULL) {
			snprintf(msg, len, "endpoints \"%s\": a comma-separated "
			    "list of http:// or https:// URLs, no blanks", v);
			return -1;
		}
		break;
	case E_PREFIX:
		if (v[0] != '/' || strlen(v) > 128 || strpbrk(v, " \t\n") ||
		    v[strlen(v) - 1] == '/') {
			snprintf(msg, len, "prefix \"%s\": /name, without "
			    "blanks or a trailing /, at most 128", v);
			return -1;
		}
		break;
	case E_TTL:
		*n = strtol(v, &end, 10);
		if (*v == '\0' || *end != '\0' || *n < 1 || *n > 3600) {
			snprintf(msg, len, "ttl \"%s\": whole seconds, 1 to "
			    "3600", v);
			return -1;
		}
		break;
	case E_MARGIN:
		d = strtod(v, &end);
		if (*v == '\0' || *end != '\0' || !(d >= 0.05 && d <= 3600)) {
			snprintf(msg, len, "margin \"%s\": seconds, 0.05 to "
			    "3600", v);
			return -1;
		}
		*n = (int64_t)(d * 1000 + 0.5);
		break;
	case E_UNREACHABLE:
		if (strcmp(v, "stop") != 0 && strcmp(v, "keep") != 0) {
			snprintf(msg, len, "unreachable \"%s\": stop or keep",
			    v);
			return -1;
		}
		break;
	}
	return 0;
}

/* Is v (checked, n its number) what setting i is now? */
static int
etcd_same(int i, const char *v, int64_t n)
{
	switch (i) {
	case E_TTL:
		return n == E.ttl_s;
	case E_MARGIN:
		return n == margin_ms();
	case E_UNREACHABLE:
		return E.keep == (strcmp(v, "keep") == 0);
	case E_PREFIX:
		return strcmp(v, prefix()) == 0;
	default:
		return strcmp(v, setting(i, "")) == 0;
	}
}

/*
 * failetcd ?SETTING ?VALUE??
 *	The etcd backend: endpoints (turns it on), prefix, ttl, margin,
 *	unreachable (stop|keep), watchdog, cafile, certfile, keyfile, user,
 *	password. Without arguments: a dict of the settings and the lease.
 *	Settings take effect at start: a reload may repeat them, not change
 *	them.
 */
static int
failetcd_cmd(ClientData data, Tcl_Interp *interp, int objc,
    Tcl_Obj *const objv[])
{
	const char	*v;
	char		 msg[256];
	int64_t		 n;
	int		 i;
	Tcl_Obj		*info, *val;

	(void)data;
	if (objc > 3) {
		Tcl_WrongNumArgs(interp, 1, objv, "?setting ?value??");
		return TCL_ERROR;
	}
	if (objc == 1) {
		Tcl_SetObjResult(interp, etcd_info());
		return TCL_OK;
	}
	if (Tcl_GetIndexFromObj(interp, objv[1], setting_names, "setting", 0,
	    &i) != TCL_OK)
		return TCL_ERROR;
	if (objc == 2) {
		info = etcd_info();
		Tcl_IncrRefCount(info);
		if (Tcl_DictObjGet(NULL, info, objv[1], &val) != TCL_OK ||
		    val == NULL)
			val = Tcl_NewObj();
		Tcl_SetObjResult(interp, val);
		Tcl_DecrRefCount(info);
		return TCL_OK;
	}
	v = Tcl_GetString(objv[2]);
	if (etcd_check(i, v, &n, msg, sizeof(msg)) < 0)
		return etcd_error(interp, setting_names[i], msg);
	if (E.started && !etcd_same(i, v, n)) {
		snprintf(msg, sizeof(msg), "failetcd %s: the etcd backend's "
		    "settings cannot change while failsh runs; restart it",
		    setting_names[i]);
		return etcd_error(interp, setting_names[i], msg);
	}
	if (E.started || failsh.checking) {	/* a reload or a check */
		Tcl_SetObjResult(interp, objv[2]);
		return TCL_OK;
	}
	free(E.set[i]);
	E.set[i] = v[0] != '\0' ? xstrdup(v) : NULL;
	if (i == E_TTL)
		E.ttl_s = (int)n;
	else if (i == E_MARGIN)
		E.margin_ms = n;
	else if (i == E_UNREACHABLE)
		E.keep = strcmp(v, "keep") == 0;
	Tcl_SetObjResult(interp, objv[2]);
	return TCL_OK;
}

void
failsh_etcd_init(Tcl_Interp *interp)
{
	Tcl_CreateObjCommand(interp, "failetcd", failetcd_cmd, NULL, NULL);
}
