/*
 * decide.c: the failover decision engine of failsh (DESIGN.md section 2).
 * decide() maps one service run's observations and the local state to
 * an action and a reason; no I/O, no allocation, no clock. The scenario
 * table tests/unit/decide.table is its specification.
 */
#include <stdarg.h>
#include <stdio.h>

#include "decide.h"

#define VIEW_BIT(v)	(1u << (v))

static const char *const decide_action_names[] = {
	[ACT_NONE] = "NONE",
	[ACT_START] = "START",
	[ACT_STOP] = "STOP",
	[ACT_RECLAIM] = "RECLAIM",
	[ACT_RECOVER] = "RECOVER",
	[ACT_REANNOUNCE] = "REANNOUNCE",
	[ACT_REPOLL] = "REPOLL",
	[ACT_RESTART] = "RESTART",
	[ACT_GIVEUP] = "GIVEUP",
	[ACT_HOLD] = "HOLD",
};

static const char *const decide_health_names[] = {
	[HEALTH_NONE] = "NONE",
	[HEALTH_OK] = "OK",
	[HEALTH_FAIL] = "FAIL",
};

static const char *const decide_view_names[] = {
	[VIEW_UP] = "UP",
	[VIEW_RECOVER] = "RECOVER",
	[VIEW_FAIL] = "FAIL",
	[VIEW_UNKNOWN] = "UNKNOWN",
};

const char *
decide_action_str(enum decide_action a)
{
	return a <= ACT_HOLD ? decide_action_names[a] : "?";
}

const char *
decide_health_str(enum decide_health h)
{
	return h <= HEALTH_FAIL ? decide_health_names[h] : "?";
}

const char *
decide_view_str(enum decide_view v)
{
	return v <= VIEW_UNKNOWN ? decide_view_names[v] : "?";
}

static int
decide_deadcount(int deadcount)
{
	return deadcount > 0 ? deadcount : DECIDE_DEADCOUNT;
}

/*
 * decide_peer_view --
 *	A peer is FAIL once deadcount consecutive polls failed; before that
 *	its last reported state holds, or it is UNKNOWN if it never answered.
 *	A reported state other than UP or RECOVER counts as FAIL.
 *
 * Results:
 *	The view; FAIL for a NULL peer.
 */
enum decide_view
decide_peer_view(const struct decide_peer *p, int deadcount)
{
	if (p == NULL || p->fails >= decide_deadcount(deadcount))
		return VIEW_FAIL;
	if (!p->heard)
		return VIEW_UNKNOWN;
	switch (p->last) {
	case SVC_UP:
		return VIEW_UP;
	case SVC_RECOVER:
		return VIEW_RECOVER;
	default:
		return VIEW_FAIL;
	}
}

/* The first peer of the list whose view is in mask, or NULL. */
static const struct decide_peer *
decide_first(const struct decide_peer *list, size_t n, int deadcount,
    unsigned int mask, enum decide_view *view)
{
	size_t	i;

	if (list == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		*view = decide_peer_view(&list[i], deadcount);
		if (mask & VIEW_BIT(*view))
			return &list[i];
	}
	return NULL;
}

static const char *
decide_name(const struct decide_peer *p)
{
	return p->name != NULL ? p->name : "?";
}

static int
decide_fails(const struct decide_peer *p)
{
	return p->fails > 0 ? p->fails : 0;
}

static void __attribute__((format(printf, 3, 4)))
decide_set(struct decide_result *res, enum decide_action action,
    const char *fmt, ...)
{
	va_list	ap;

	res->action = action;
	va_start(ap, fmt);
	vsnprintf(res->reason, sizeof(res->reason), fmt, ap);
	va_end(ap);
}

/*
 * Runs without the local faild after which an owner stops: about when its
 * peers count it FAIL (deadcount polls, the first of which may have been
 * under way when faild stopped) and start, so that the two overlap by an
 * interval at most; a faild restarted within deadcount - 1 intervals
 * stops nothing.
 */
static int
decide_local_limit(int dc)
{
	return dc > 1 ? dc - 1 : 1;
}

/*
 * decide --
 *	One service run, first rule that applies wins:
 *	0. late by more than the dead time: REPOLL (never act on stale data);
 *	   the local faild did not answer: STOP if local is UP and it missed
 *	   deadcount - 1 runs (at least 1), else NONE (never take over
 *	   without publishing; an owner keeps running meanwhile);
 *	   held here by an operator: HOLD (stop if UP, then FAIL; peers
 *	   see FAIL only once it stopped), NONE if FAIL already; the hold
 *	   released this run and local FAIL: RECOVER;
 *	   local FAIL and its health check passing again (after rise,
 *	   this run): RECOVER (the rules below then decide who runs it);
 *	1. a master UP or RECOVER: STOP if local is UP, else NONE;
 *	   quorum configured and no strict majority reachable: STOP if local
 *	   is UP, else NONE (no takeover of any kind);
 *	   local UP unverified and a master unconfirmed (restarted too):
 *	   STOP (the master side decides first);
 *	   the health check failing (after fall): if local is UP, RESTART
 *	   while restarts are left in the window, else GIVEUP (stop, FAIL:
 *	   the peers take over by these rules); if not UP, NONE (a host
 *	   that cannot run it never takes it over);
 *	   a master not heard yet: NONE (wait; an UP host keeps running);
 *	2. a slave UP: local UP unverified (after a restart or a stall: the
 *	   slave took over meanwhile): STOP first; local UP: REANNOUNCE (split
 *	   brain healed: the slave stops by rule 1); else RECLAIM, or RECOVER
 *	   without reclaim;
 *	3. local UP unverified: NONE while a slave has not answered since
 *	   (never heard, or failed polls below deadcount), else REANNOUNCE
 *	   (keep it, announce again); local UP: REANNOUNCE when a slave let
 *	   the service go (it was seen UP: clients that followed it are left
 *	   without an owner) or is back (it was FAIL, or changed state
 *	   unseen: clients may have moved to it), else NONE; a slave not
 *	   heard yet: NONE (wait); else
 *	   START (RECOVER, and FAIL retried on every run).
 *	Peers are taken in list order and the first deciding one is named.
 *
 * Results:
 *	res->action and res->reason (always NUL-terminated, maybe cut).
 *
 * Side effects:
 *	None.
 */
void
decide(const struct decide_input *in, struct decide_result *res)
{
	const struct decide_peer	*p;
	enum decide_view		 v = VIEW_FAIL;
	size_t				 i, nslaves;
	int				 dc, up;

	if (res == NULL)
		return;
	if (in == NULL) {
		decide_set(res, ACT_NONE, "no input");
		return;
	}
	dc = decide_deadcount(in->deadcount);
	up = in->local == SVC_UP;
	nslaves = in->slaves != NULL ? in->nslaves : 0;

	if (in->late_ms > in->dead_ms) {
		decide_set(res, ACT_REPOLL, "stalled %lld ms, re-polling",
		    (long long)in->late_ms);
		return;
	}

	if (in->local_fails > 0) {
		if (up && in->local_fails >= decide_local_limit(dc)) {
			decide_set(res, ACT_STOP, "the local faild does not "
			    "answer (%d calls failed): peers will count this "
			    "host FAIL", in->local_fails);
			return;
		}
		if (!up) {
			decide_set(res, ACT_NONE, "the local faild does not "
			    "answer: not taking over");
			return;
		}
	}

	if (in->held) {
		if (in->local == SVC_FAIL)
			decide_set(res, ACT_NONE, "held here");
		else
			decide_set(res, ACT_HOLD, "held here%s", up ?
			    ": stopping" : "");
		return;
	}
	if (in->local == SVC_FAIL && in->hold_released) {
		decide_set(res, ACT_RECOVER, "hold released");
		return;
	}

	if (in->local == SVC_FAIL && in->health == HEALTH_OK &&
	    in->health_back) {
		decide_set(res, ACT_RECOVER, "health check passes again");
		return;
	}

	p = decide_first(in->masters, in->nmasters, dc,
	    VIEW_BIT(VIEW_UP) | VIEW_BIT(VIEW_RECOVER), &v);
	if (p != NULL) {
		decide_set(res, up ? ACT_STOP : ACT_NONE, "master %s %s",
		    decide_name(p), decide_view_str(v));
		return;
	}

	if (in->quorum_total > 0 &&
	    in->quorum_reachable <= in->quorum_total / 2) {
		decide_set(res, up ? ACT_STOP : ACT_NONE,
		    "no quorum (%zu of %zu reachable)", in->quorum_reachable,
		    in->quorum_total);
		return;
	}

	if (up && in->unverified && in->masters != NULL)
		for (i = 0; i < in->nmasters; i++)
			if (in->masters[i].unconfirmed) {
				decide_set(res, ACT_STOP, "master %s restarted "
				    "too (unconfirmed): stopping here first",
				    decide_name(&in->masters[i]));
				return;
			}

	if (in->health == HEALTH_FAIL) {
		if (!up)
			decide_set(res, ACT_NONE, "health check failing: not "
			    "taking over");
		else if (in->restarts_left > 0)
			decide_set(res, ACT_RESTART, "health check failing, "
			    "restarting here (%d left)", in->restarts_left - 1);
		else
			decide_set(res, ACT_GIVEUP, "health check failing, no "
			    "restart left: giving up here");
		return;
	}

	p = decide_first(in->masters, in->nmasters, dc,
	    VIEW_BIT(VIEW_UNKNOWN), &v);
	if (p != NULL) {
		decide_set(res, ACT_NONE,
		    "master %s not heard yet (%d/%d polls failed)",
		    decide_name(p), decide_fails(p), dc);
		return;
	}

	p = decide_first(in->slaves, in->nslaves, dc, VIEW_BIT(VIEW_UP), &v);
	if (p != NULL) {
		if (up && in->unverified)
			decide_set(res, ACT_STOP, "slave %s UP, took over "
			    "meanwhile: stopping here first", decide_name(p));
		else if (up)
			decide_set(res, ACT_REANNOUNCE,
			    "slave %s UP, re-announcing", decide_name(p));
		else if (in->have_reclaim)
			decide_set(res, ACT_RECLAIM,
			    "slave %s UP, reclaiming", decide_name(p));
		else
			decide_set(res, ACT_RECOVER,
			    "slave %s UP, waiting for it to stop",
			    decide_name(p));
		return;
	}

	if (up && in->unverified) {
		for (i = 0; i < nslaves; i++) {
			p = &in->slaves[i];
			if (p->fails < dc && (!p->heard || p->fails > 0)) {
				decide_set(res, ACT_NONE, "re-checking slave "
				    "%s before keeping it (%d/%d polls "
				    "failed)", decide_name(p), decide_fails(p),
				    dc);
				return;
			}
		}
		decide_set(res, ACT_REANNOUNCE, "no peer runs it: keeping it, "
		    "re-announcing");
		return;
	}

	if (up) {
		/* a slave that let go is named before one that is back */
		p = NULL;
		for (i = 0; i < nslaves; i++)
			if (in->slaves[i].left || (p == NULL &&
			    in->slaves[i].back)) {
				p = &in->slaves[i];
				if (p->left)
					break;
			}
		if (p != NULL)
			decide_set(res, ACT_REANNOUNCE, "slave %s %s (%s), "
			    "re-announcing", decide_name(p), p->left ?
			    "let it go" : "back",
			    decide_view_str(decide_peer_view(p, dc)));
		else
			decide_set(res, ACT_NONE, "no master up, running");
		return;
	}

	p = decide_first(in->slaves, in->nslaves, dc,
	    VIEW_BIT(VIEW_UNKNOWN), &v);
	if (p != NULL) {
		decide_set(res, ACT_NONE,
		    "slave %s not heard yet (%d/%d polls failed)",
		    decide_name(p), decide_fails(p), dc);
		return;
	}

	decide_set(res, ACT_START, "no master up");
}

static const char *const decide_coord_names[] = {
	[COORD_OK] = "OK",
	[COORD_UNSURE] = "UNSURE",
	[COORD_LOST] = "LOST",
};

const char *
decide_coord_str(enum decide_coord c)
{
	return c <= COORD_LOST ? decide_coord_names[c] : "?";
}

/*
 * decide_etcd --
 *	The etcd backend's decision for one run of a service; the first rule
 *	that applies wins (tests/unit/decide_etcd.table):
 *	 0. starting (no lease or view yet, in the first TTL): NONE, so
 *	    that a restarted failsh keeps what it ran until it knows;
 *	 1. lease lost (or it may have expired): UP -> STOP, else NONE;
 *	 2. lease unsure (renewals failed for half the TTL): UP -> STOP under
 *	    the "stop" policy, NONE under "keep" (the fence turns it lost in
 *	    time); not UP -> NONE;
 *	 3. held here: FAIL -> NONE, else HOLD (stop if UP, release, FAIL);
 *	 4. owned by another host: UP -> STOP (never two); a healthy master
 *	    whose owner is no master -> RECLAIM (ask it to release) once the
 *	    view is in sync; FAIL and healthy again -> RECOVER; else NONE;
 *	 5. ours: sick -> RESTART with restarts left, else GIVEUP (UP) or
 *	    STOP (not UP, to release it); asked to give it back -> STOP
 *	    (release); not UP -> START; else NONE;
 *	 6. no owner: not in the lists, sick or cooling -> STOP if UP (it is
 *	    nobody's), else NONE; without a current view -> NONE (STOP if
 *	    UP); the first eligible host -> START (create the key, start or
 *	    keep running); else UP -> STOP, FAIL and healthy -> RECOVER,
 *	    else NONE.
 */
void
decide_etcd(const struct decide_etcd_input *in, struct decide_result *res)
{
	int	up = in->local == SVC_UP, sick = in->health == HEALTH_FAIL;
	int	master = in->self_rank >= 0 && in->self_rank < in->nmasters;
	int	able = in->self_rank >= 0 && !sick && !in->cooling;

	if (in->starting) {
		decide_set(res, ACT_NONE, "waiting for etcd");
		return;
	}
	if (in->coord == COORD_LOST) {
		decide_set(res, up ? ACT_STOP : ACT_NONE, "lease lost%s",
		    up ? ", stopping before it can expire" : "");
		return;
	}
	if (in->coord == COORD_UNSURE) {
		if (up && !in->keep)
			decide_set(res, ACT_STOP, "etcd unreachable, policy "
			    "stop");
		else
			decide_set(res, ACT_NONE, "etcd unreachable%s", up ?
			    ", kept while the lease is valid" : "");
		return;
	}
	if (in->held) {
		decide_set(res, in->local == SVC_FAIL ? ACT_NONE : ACT_HOLD,
		    "held here");
		return;
	}
	switch (in->owner) {
	case OWNER_OTHER:
		if (up)
			decide_set(res, ACT_STOP, "owned by another host");
		else if (master && able && in->synced && (in->owner_rank < 0 ||
		    in->owner_rank >= in->nmasters))
			decide_set(res, ACT_RECLAIM, "a slave runs it, asking "
			    "it back");
		else if (in->local == SVC_FAIL && able)
			decide_set(res, ACT_RECOVER, "healthy, on standby");
		else
			decide_set(res, ACT_NONE, "owned by another host");
		return;
	case OWNER_SELF:
		if (sick && up)
			decide_set(res, in->restarts_left > 0 ? ACT_RESTART :
			    ACT_GIVEUP, "health check failed%s",
			    in->restarts_left > 0 ? "" : ", no restart left");
		else if (sick || in->cooling)
			decide_set(res, ACT_STOP, "owned but %s, releasing",
			    sick ? "sick" : "its start failed");
		else if (in->release_asked)
			decide_set(res, ACT_STOP, "a master asks it back, "
			    "releasing");
		else if (!up)
			decide_set(res, ACT_START, "owner");
		else
			decide_set(res, ACT_NONE, "owner, running");
		return;
	case OWNER_NONE:
		break;
	}
	if (!able || !in->synced)
		decide_set(res, up ? ACT_STOP : ACT_NONE, "no owner, %s",
		    in->self_rank < 0 ? "not in the lists" : sick ? "sick" :
		    in->cooling ? "its start failed" : "view not current");
	else if (in->first_eligible == in->self_rank)
		decide_set(res, ACT_START, "no owner, first eligible");
	else if (up)
		decide_set(res, ACT_STOP, "no owner, a better host is "
		    "eligible");
	else if (in->local == SVC_FAIL)
		decide_set(res, ACT_RECOVER, "healthy, on standby");
	else
		decide_set(res, ACT_NONE, "no owner, a better host is "
		    "eligible");
}
