/*
 * decide.h: the failover decision of one service run in failsh, a pure
 * function from what the poller saw of the masters, slaves and quorum
 * hosts, the local state and the scheduler's lateness to one action and
 * a short reason for the transition log. See decide.c for the rules.
 */
#ifndef FAIL_DECIDE_H
#define FAIL_DECIDE_H

#include <stddef.h>
#include <stdint.h>

#include "state.h"

#define DECIDE_DEADCOUNT	3	/* used when deadcount is 0 or less */
#define DECIDE_MAX_REASON	128

enum decide_action {
	ACT_NONE,		/* keep the local state */
	ACT_START,		/* call start */
	ACT_STOP,		/* call stop */
	ACT_RECLAIM,		/* call reclaim: a slave has it UP */
	ACT_RECOVER,		/* publish RECOVER, wait for slaves to stop */
	ACT_REANNOUNCE,		/* stay UP, re-run start (split brain healed) */
	ACT_REPOLL,		/* stalled: poll again before acting */
	ACT_RESTART,		/* unhealthy here: stop, then start again */
	ACT_GIVEUP,		/* unhealthy, no restart left: stop, FAIL */
	ACT_HOLD		/* held here: stop if UP, then FAIL */
};

/* The local health check of a service, after rise/fall. */
enum decide_health {
	HEALTH_NONE,		/* no check configured */
	HEALTH_OK,
	HEALTH_FAIL
};

/* How the engine sees a peer, once deadcount is applied. */
enum decide_view {
	VIEW_UP,
	VIEW_RECOVER,
	VIEW_FAIL,
	VIEW_UNKNOWN		/* never answered, deadcount not reached */
};

/* What the poller saw of one peer for this service. */
struct decide_peer {
	const char	*name;		/* borrowed, may be NULL */
	enum svc_state	 last;		/* last state reported (NONE: FAIL) */
	int		 heard;		/* has ever answered */
	int		 fails;		/* consecutive failed polls */
	int		 back;		/* answered again after it was FAIL,
					   or changed state while unheard */
	int		 left;		/* was seen UP, is not any more */
	int		 unconfirmed;	/* its faild restarted, its failsh
					   has not set the state since */
};

struct decide_input {
	enum svc_state			 local;
	int				 unverified;	/* local UP taken over
						   after a restart or a
						   stall, not yet checked */
	int				 local_fails;	/* runs in a row the local
						   faild did not answer */
	int				 held;		/* an operator's hold on
						   this host */
	int				 hold_released;	/* this run */
	enum decide_health		 health;
	int				 health_back;	/* turned OK this run */
	int				 restarts_left;	/* in place, in the
						   current window */
	const struct decide_peer	*masters;	/* by preference */
	size_t				 nmasters;
	const struct decide_peer	*slaves;
	size_t				 nslaves;
	int				 deadcount;
	size_t				 quorum_total;	/* 0: no quorum */
	size_t				 quorum_reachable;
	int64_t				 late_ms;	/* scheduler lateness */
	int64_t				 dead_ms;	/* dead time */
	int				 have_reclaim;
};

struct decide_result {
	enum decide_action	action;
	char			reason[DECIDE_MAX_REASON];
};

/*
 * The etcd backend's decision (failsh with failetcd): who runs a service
 * follows one owner key per service, created only where none exists, on
 * the owner's lease. Hosts rank by the policy's order, masters first.
 */
enum decide_coord {
	COORD_OK,		/* the lease is renewed */
	COORD_UNSURE,		/* renewals failed for half the TTL; the
				   lease is still certainly valid (before
				   the fence) */
	COORD_LOST		/* no lease, or it may have expired */
};

enum decide_owner {
	OWNER_NONE,		/* no owner key */
	OWNER_SELF,		/* ours, on our lease */
	OWNER_OTHER
};

struct decide_etcd_input {
	enum svc_state		 local;
	enum decide_coord	 coord;
	int			 starting;	/* no lease or view yet, within
						   the first TTL after start */
	int			 keep;		/* unreachable: keep while the
						   lease is valid (else stop) */
	int			 synced;	/* the watch's view is current */
	enum decide_health	 health;
	int			 restarts_left;
	int			 held;		/* by an operator, here */
	int			 cooling;	/* a start failed here lately */
	enum decide_owner	 owner;
	int			 owner_rank;	/* -1: not in the lists */
	int			 self_rank;	/* -1: not in the lists */
	int			 nmasters;	/* ranks below are masters */
	int			 first_eligible; /* the best host that may run
						   it, by the views; -1 none */
	int			 release_asked;	/* an eligible master asks us,
						   a slave, to give it back */
};

const char		*decide_coord_str(enum decide_coord);
void			 decide_etcd(const struct decide_etcd_input *,
			    struct decide_result *);
const char		*decide_action_str(enum decide_action);
const char		*decide_view_str(enum decide_view);
const char		*decide_health_str(enum decide_health);
enum decide_view	 decide_peer_view(const struct decide_peer *,
			    int deadcount);
void			 decide(const struct decide_input *,
			    struct decide_result *);

#endif
