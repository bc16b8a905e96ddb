/*
 * failsh.h: the failover shell's context. One process, GNU Pth threads:
 * the main thread runs the Tcl event loop (through a Pth notifier), a
 * pool of runner threads runs each service every interval (polls its
 * peers and decides), the monitor and control ports have their own
 * threads. Only the main thread touches Tcl; runners hand scripts to it
 * as jobs and wait for their result.
 */
#ifndef FAILSH_H
#define FAILSH_H

#include "config.h"

#include <pth.h>
#include <stdint.h>
#include <tcl.h>

#include "auth.h"
#include "client.h"
#include "decide.h"
#include "metrics.h"
#include "state.h"

#define FAILSH_MONITOR_PORT	1848
#define FAILSH_CONTROL_PORT	1849
#define FAILSH_POOL		16	/* connections to one host, as needed */
#define FAILSH_INTERVAL_MS	1000	/* default service interval */
#define FAILSH_MIN_INTERVAL_MS	10
#define FAILSH_TIMEOUT_MS	10000	/* default script timeout */
#define FAILSH_CALL_MS		1000	/* default call timeout per host */
#define FAILSH_LOCAL_MS		2000	/* at most, calls to the local faild */
#define FAILSH_MAX_PEERS	16	/* masters + slaves + quorum */
#define FAILSH_MAX_POLLS	(3 * FAILSH_MAX_PEERS + 1)	/* + local */
#define FAILSH_MAX_REASON	256
#define FAILSH_RISE		2	/* health check: passes to be OK */
#define FAILSH_FALL		3	/* failures to be FAIL */
#define FAILSH_RESTARTS		3	/* in place, within the window */
#define FAILSH_RESTART_WINDOW_MS 60000
#define FAILSH_MAX_RESTARTS	100

enum {				/* debug facilities, see log_facilities */
	FAC_MAIN,
	FAC_TCL,
	FAC_SCHED,
	FAC_NET,
	FAC_MONITOR
};

/* A peer faild, named in some masters, slaves or quorum list. */
struct failsh_host {
	char			*name;		/* owned */
	char			*address;	/* owned; NULL: the name */
	int			 port;
	int			 tcp;
	char			*community;	/* owned; NULL: none */
	char			*keyid;		/* owned; NULL: unsigned */
	int			 timeout_ms;
	int			 local;		/* this host: never polled */

	/* run time */
	struct fail_client	 pool[FAILSH_POOL];
	int			 pool_ready[FAILSH_POOL];
	int			 pool_busy[FAILSH_POOL];
	pth_mutex_t		 pool_mutex;
	pth_cond_t		 pool_cond;
	int64_t			 last_connect_ms;	/* wall clock */
	int64_t			 last_call_ms;
	int			 reachable;
	char			 last_error[128];
	int64_t			 resolve_retry;	/* monotonic; after a failure */
	char			 resolve_error[128];
	struct failsh_host	*next;
};

/* An operator's hold on a service here (see STATE_HOLD in state.h). */
struct watch_hold {
	const char	*kind;		/* "hold", "standby", "move" */
	char		 target[PROTO_MAX_NAME + 1];	/* move: to; else - */
	char		 setter[STATE_MAX_SETTER];
	int64_t		 since_ms;
};

/* One host as one service sees it. */
struct failsh_peer {
	struct failsh_host	*host;		/* borrowed from failsh.hosts */
	struct decide_peer	 obs;		/* name borrowed from host */
	int64_t			 seen_ms;	/* last answer, wall clock */
	int64_t			 changed_ms;	/* of its state, as it said */
	struct metrics_hist	 poll_hist;	/* poll durations, for -e */
};

/* What happened to a service, for -e (failsh_metrics.c). */
struct failsh_counts {
	uint64_t	takeovers, stops, restarts, holds;	/* actions */
	uint64_t	script_runs[4], script_timeouts[4];	/* by script */
};

enum failsh_role {
	ROLE_MASTER,
	ROLE_SLAVE,
	ROLE_QUORUM
};

/* A host's view of a service, as its etcd key says (failsh_etcd.c). */
struct etcd_view {
	char		*host;		/* owned */
	enum svc_state	 state;
	int		 eligible;	/* may run it: healthy, not held */
};

/* A service under the etcd backend: what the watch shows of its keys,
 * and what this host did. */
struct svc_etcd {
	char		*owner;		/* owned; NULL: no owner key */
	int64_t		 owner_lease, owner_rev;
	char		*release_by;	/* owned; a release asked by */
	struct etcd_view *views;	/* owned */
	size_t		 nviews;
	int64_t		 epoch;		/* our owner key's create revision,
					   0: we do not own it */
	int64_t		 asked_lease;	/* our release request's lease */
	char		 view_put[64];	/* the view we last put */
	int64_t		 view_lease;	/* on this lease */
	int64_t		 start_failed_ms;	/* monotonic, 0: never */
};

struct failsh_service {
	char			 name[PROTO_MAX_NAME + 1];

	/* configuration, set by failsvc */
	int64_t			 interval_ms;
	int			 deadcount;
	int64_t			 timeout_ms;	/* scripts */
	struct failsh_peer	*peers[3];	/* by role; owned arrays */
	size_t			 npeers[3];
	int			 self_at[2];	/* where this host is in the
						   masters, slaves: -1 absent */
	Tcl_Obj			*script[4];	/* start stop reclaim check;
						   owned */
	int64_t			 check_timeout_ms;	/* 0: the default */
	char			*hc_target;	/* owned; NULL: none */
	int			 rise, fall;
	int			 max_restarts;
	int64_t			 restart_window_ms;
	int64_t			 holddown_ms;	/* sick this long after a
						   give-up (0: off) */
	int64_t			 gaveup_ms;	/* monotonic; 0: never */

	/* run time */
	enum svc_state		 state;
	int64_t			 changed_ms;	/* wall clock */
	char			 reason[FAILSH_MAX_REASON];
	int			 published;	/* faild has our state */
	int			 attached;	/* state taken from faild */
	int			 unverified;	/* UP after a restart or a
						   stall, peers not checked */
	int			 local_fails;	/* runs the local faild did
						   not answer, in a row */
	int			 reannounced;	/* while a slave is seen UP */
	enum decide_health	 health;	/* the check's, after rise/fall */
	enum decide_health	 health_total;	/* and the hc target's */
	enum decide_health	 health_published;	/* in _health.NAME */
	int			 health_back;	/* turned OK in this run */
	int			 held;		/* by an operator, last run */
	struct watch_hold	 hold;		/* while held */
	int			 check_oks;	/* passes in a row */
	int			 check_fails;	/* failures in a row */
	char			 check_why[FAILSH_MAX_REASON];	/* last */
	int64_t			 restart_ms[FAILSH_MAX_RESTARTS];	/* monotonic,
						   a ring of the last ones */
	unsigned		 nrestarts;	/* ever, into the ring */
	int64_t			 next_run;	/* monotonic */
	int64_t			 last_run;	/* monotonic, 0: never */
	int64_t			 late_ms;	/* of the last run */
	int64_t			 polled_ms;	/* monotonic, last polls made */
	uint64_t		 runs;
	struct failsh_counts	 counts;
	struct svc_etcd		 etcd;
	int			 running;	/* scheduled */
	int			 queued;	/* due, or in a run */
	struct failsh_service	*runq_next;	/* in the clock's due list */
	int64_t			 last_start;	/* monotonic, of the last run */
	int			 busy;		/* a script of it is running */
	int			 retired;	/* dropped from the policy */
	int			 seen;		/* named by the policy (reload) */
	unsigned		 set_mask;	/* settings it set (reload) */
	int			 run_now;	/* run at once */
	struct failsh_service	*next;
};

enum failsh_script {
	SCRIPT_START,
	SCRIPT_STOP,
	SCRIPT_RECLAIM,
	SCRIPT_CHECK
};
#define FAILSH_SCRIPTS	4

struct failsh_trap {
	char			*pattern;	/* owned: a service or "*" */
	Tcl_Obj			*script;	/* owned */
	struct failsh_trap	*next;
};

struct failsh {
	/* configuration, from the command line */
	const char		*policy;	/* -f, NULL: interactive */
	const char		*nodename;	/* -N */
	const char		*faild_addr;	/* -L, the local faild */
	const char		*community;	/* -c, for faildebug */
	const char		*keyfile;	/* -k */
	const char		*monitor_addr;	/* -m */
	const char		*control_addr;	/* -D */
	const char		*dumpfile;	/* -l */
	const char		*metrics_addr;	/* -e, NULL: none */

	struct keyring		*keys;		/* owned, NULL: none */
	Tcl_Interp		*interp;
	struct failsh_host	*hosts;
	struct failsh_service	*services;
	struct failsh_trap	*traps;
	struct fail_client	 faild;		/* the local faild, runners */
	const char		*faild_host;	/* where it is (-L or loopback) */
	int			 faild_port;
	pth_mutex_t		 faild_mutex;	/* one call at a time */
	int			 scheduling;	/* runners may start */
	int			 checking;	/* a policy check: no side effects */
	int64_t			 start_ms;
};

extern struct failsh	failsh;

/* failsh_notify.c: a Tcl notifier that waits through Pth. */
void	 notify_install(void);
/* Make the Tcl event loop look at its queue; from any Pth thread. */
void	 notify_wake(void);

/* failsh_tcl.c: failsvc, failhost, failtrap, failquery. */
void	 failsh_tcl_init(Tcl_Interp *);
/* The check script's timeout: as set, else the interval, at least 1 s. */
int64_t	 failsh_check_timeout(const struct failsh_service *);
/* Restarts in place within the service's window, as of now. */
int	 failsh_service_restarts(const struct failsh_service *);
/* After a reload: back to defaults what the policy no longer sets. */
void	 failsh_service_reset_unset(struct failsh_service *);
void	 failsh_service_free(struct failsh_service *);
void	 failsh_host_free(struct failsh_host *);
void	 failsh_trap_free(struct failsh_trap *);

/* failsh_policy.c: the policy script, its check and its reload. */
/* Refuse a policy others than its owner and root could change. */
int	 policy_check_owner(const char *path, char *err, size_t errlen);
/* Evaluate path in a scratch interpreter; 0, or -1 with err set. */
int	 policy_check(const char *path, char *err, size_t errlen);
/* SIGHUP: check, then apply; a broken policy is rejected. Main thread. */
void	 policy_reload(void);
struct failsh_service	*failsh_service_find(const char *);
struct failsh_host	*failsh_host_find(const char *);
const char		*failsh_role_str(enum failsh_role);

/* failsh_ip.c: failip, service addresses added, removed, announced. */
void	 failsh_ip_init(Tcl_Interp *);

/* failsh_host.c: calls to a peer's faild over a small pool. */
/*
 * Send "verb args" to host and wait at most timeout_ms (also for a free
 * connection). Returns 0 with resp filled, -1 with err set, HOST_BUSY
 * (err set) when no connection came free in time. Yields.
 */
#define HOST_BUSY	(-2)
int	 host_call(struct failsh_host *, const char *request, int timeout_ms,
	    struct proto_resp *resp, char *err, size_t errlen);
void	 host_close(struct failsh_host *);
/* A service's record in a faild, as get answered it. */
struct host_record {
	enum svc_state	 state;
	int64_t		 changed_ms;
	int		 unconfirmed;	/* faild restarted, its failsh has
					   not set it since */
};
/*
 * Parse an answer to "get": 0 with rec filled, 1 for ERR 404 (no such
 * service), -1 with err set for any other error or a malformed answer.
 */
int	 host_parse_get(const struct proto_resp *, struct host_record *rec,
	    char *err, size_t errlen);
/*
 * The service's state at host: 0 with rec, HOST_BUSY, or -1 with err set
 * if host
 * did not answer, holds no record of the service or an unconfirmed one
 * (nobody maintains it: like no answer, so deadcount applies). With
 * accept, an unconfirmed state other than UP is an answer (a slave's: it
 * does not run the service).
 */
int	 host_get_state(struct failsh_host *, const char *service,
	    int timeout_ms, int accept, struct host_record *rec, char *err,
	    size_t errlen);

/* failsh_sched.c: a run of each service every interval, in a pool. */
void	 sched_start(void);
void	 sched_service_added(struct failsh_service *);
void	 sched_service_retire(struct failsh_service *);
/* Set the local state, log the transition, publish, run traps. */
void	 sched_set_state(struct failsh_service *, enum svc_state,
	    const char *why);

/* Run the service at once (a state it follows changed). */
void	 sched_service_run_now(struct failsh_service *);
/* Its settings changed: a shorter interval applies at once. */
void	 sched_service_changed(struct failsh_service *);

/* failsh_watch.c: the local faild's watch stream (hc targets, holds),
 * and the peers' streams, which bring a service's run forward. */
void	 watch_start(void);
void	 watch_peers_start(void);
/* The state the local faild holds of name: 0, or -1 if unknown. */
int	 watch_state(const char *name, enum svc_state *);
/* Is the service held off this host? 1 with h filled, else 0. */
int	 watch_held(const struct failsh_service *, struct watch_hold *h);

/* failsh_job.c: scripts run as Tcl coroutines in the main thread. */
void	 job_init(Tcl_Interp *);
/*
 * Run a start/stop/reclaim script of svc and wait for its result: the
 * state it returned, or FAIL (with why set) on an error, a result that
 * is no state, or the timeout. Called from a runner thread; yields.
 */
enum svc_state	job_run_script(struct failsh_service *, enum failsh_script,
		    char *why, size_t whylen);
/* Queue failtrap scripts for a change; they run in order per service. */
void	 job_trap(const char *service, const char *host, enum svc_state old,
	    enum svc_state new);

/* failsh_monitor.c: the monitor port, the control port, the dump. */
void	 monitor_start(void);
void	 monitor_changed(void);	/* push a new snapshot */
void	 monitor_dump(void);	/* SIGINT */

/* failsh_etcd.c: the etcd backend (failetcd); see failsh(8). */
void	 failsh_etcd_init(Tcl_Interp *);
int	 etcd_backend(void);		/* configured by the policy */
void	 etcd_backend_start(void);	/* its lease and watch threads */
/* One run's inputs from the lease, the keys and the ranks. Yields. */
void	 etcd_svc_input(struct failsh_service *, struct decide_etcd_input *);
/* Create the owner key: 0 when we own it, -1 (why set) if not. Yields. */
int	 etcd_svc_acquire(struct failsh_service *, char *why, size_t whylen);
/* Delete our owner key (it checks we still own it). Yields. */
void	 etcd_svc_release(struct failsh_service *);
/* Ask the owner to give the service back to us. Yields. */
void	 etcd_svc_reclaim(struct failsh_service *);
/* Put this host's view of the service, if it changed. Yields. */
void	 etcd_svc_publish(struct failsh_service *);
void	 etcd_svc_clear(struct failsh_service *);
/* Monitor snapshot lines: BACKEND, and OWNER per service. */
void	 etcd_monitor(struct pbuf *);
void	 etcd_monitor_service(struct pbuf *, const struct failsh_service *);
/* -e: the lease and each service's epoch. */
void	 etcd_metrics(struct pbuf *);
/* failsh -t: the backend's settings, or NULL without one. */
const char	*etcd_summary(char *buf, size_t len);

/* failsh_metrics.c: the -e port (lib/metrics.c), if asked for. */
void	 failsh_metrics_start(void);

#endif
