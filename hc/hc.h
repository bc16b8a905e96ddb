/*
 * hc.h: the health checker's context. One process on GNU Pth: the
 * scheduler thread starts each target's check every interval in a thread
 * of its own; a publisher thread carries state changes to faild; a
 * target's actions run in order in a thread of their own; the monitor
 * port has its own threads.
 */
#ifndef HC_H
#define HC_H

#include "config.h"

#include <pth.h>
#include <stdint.h>

#include "auth.h"
#include "client.h"
#include "log.h"
#include "hc_check.h"
#include "metrics.h"
#include "state.h"

#define HC_MONITOR_PORT		1850
#define HC_INTERVAL_MS		10000	/* defaults of the Hcfile settings */
#define HC_TIMEOUT_MS		5000
#define HC_RISE			2
#define HC_FALL			3
#define HC_ACTION_TIMEOUT_MS	30000
#define HC_MAX_DEPS		32
#define HC_MAX_AGREE		8
#define HC_MAX_RUNNING		400	/* checks at once, see hc_run.c */
#define HC_SEEN_SUFFIX		".seen"	/* a vantage point's own view */

enum {				/* debug facilities, see log_facilities */
	FAC_MAIN,
	FAC_CHECK,
	FAC_ACTION,
	FAC_NET,
	FAC_MONITOR
};

enum hc_action_kind {
	ACT_EXEC,
	ACT_MAIL,
	ACT_FAILC,
	ACT_LOG
};

/* "on up|fail KIND ARGS...": run when the target enters that state. */
struct hc_action {
	enum svc_state		 on;		/* SVC_UP or SVC_FAIL */
	enum hc_action_kind	 kind;
	int			 argc;
	char			**argv;		/* owned, NULL-terminated */
	int			 line;
	struct hc_action	*next;
};

/* A transition waiting for its actions. */
struct hc_event {
	enum svc_state		 from, to;
	char			 reason[HC_MAX_WHY];
	int64_t			 when_ms;
	struct hc_event		*next;
};

struct hc_target {
	char			 name[PROTO_MAX_NAME + 1];
	char			 service[PROTO_MAX_NAME + 1];	/* in faild */
	int			 line;			/* in the Hcfile */
	int			 ndeps;
	char			*dep_names[HC_MAX_DEPS];	/* owned */
	struct hc_target	*deps[HC_MAX_DEPS];
	const struct hc_check_type *check;		/* NULL: deps only */
	void			*check_conf;
	char			*check_text;		/* the line, owned */
	int64_t			 interval_ms, timeout_ms, action_timeout_ms;
	int			 rise, fall;
	int			 agree;			/* 0: alone */
	int			 nagree;
	char			*agree_hosts[HC_MAX_AGREE];	/* owned */
	struct hc_action	*actions;
	enum { VISIT_NEW, VISIT_PATH, VISIT_DONE } visit;	/* hcfile.c */

	/* run time */
	enum svc_state		 seen;		/* own check, after rise/fall */
	enum svc_state		 own;		/* seen, once enough agree */
	char			 own_reason[HC_MAX_WHY];
	enum svc_state		 state;		/* with deps and agreement */
	int64_t			 changed_ms;	/* wall clock */
	char			 reason[HC_MAX_WHY];	/* of the last change */
	int			 ok_streak, fail_streak;
	int			 last_ok;	/* result of the last check */
	char			 last_why[HC_MAX_WHY];
	int64_t			 last_ms;	/* wall clock; 0: never */
	int64_t			 last_latency_ms;
	int64_t			 next_run;	/* monotonic */
	uint64_t		 checks;
	uint64_t		 results[2];	/* checks failed, passed (-e) */
	struct metrics_hist	 durations;	/* of its checks (-e) */
	int			 agreeing;	/* vantage points seeing FAIL */
	enum svc_state		 published, published_seen;	/* SVC_NONE: not yet */
	int			 busy;		/* its check is running */
	struct fail_client	 peers[HC_MAX_AGREE];	/* agree hosts */
	struct hc_event		*events, **events_tail;
	int			 acting;	/* an actor runs its events */
	struct hc_target	*next;
};

struct hc_config {
	char			*path;
	char			*faild;		/* "none": publish nothing */
	int			 faild_tcp;
	char			*community;
	char			*keyfile;
	char			*keyid;
	char			*node;
	char			*sendmail;
	struct keyring		*keys;		/* from keyfile; NULL: none */
	const struct auth_key	*key;		/* signs requests; NULL: none */
	int64_t			 interval_ms, timeout_ms, action_timeout_ms;
	int			 rise, fall;
	struct hc_target	*targets;	/* in file order */
	int			 ntargets;
};

struct hc {
	struct hc_config	*conf;
	const char		*monitor_addr;	/* NULL: no -m */
	const char		*metrics_addr;	/* -e, NULL: none */
	int64_t			 start_ms;
	uint64_t		 transitions, reloads, actions_run;
	uint64_t		 changes;	/* for the publisher */
	struct log_ratelimit	 rl_publish;
	pth_mutex_t		 lock;		/* held while reloading */
	pth_cond_t		 publish_cond;
	char			 by[PROTO_MAX_NAME + 8];
};

extern struct hc	hc;

/* hcfile.c */
struct hc_config	*hcfile_load(const char *path, char *err, size_t errlen);
struct hc_config	*hcfile_parse(const char *path, const char *text,
			    size_t len, char *err, size_t errlen);
void			 hcfile_free(struct hc_config *);
struct hc_target	*hc_target_find(struct hc_config *, const char *name);

/* hc_run.c */
void	 hc_run_start(void);
void	 hc_reload(void);
int	 hc_faild_set(struct fail_client *, const char *service,
	    enum svc_state, char *err, size_t errlen);
int	 hc_client(struct fail_client *, const char *addr, int64_t timeout_ms,
	    char *err, size_t errlen);

/* hc_action.c: a target's actions, one transition at a time, in order,
 * in a thread that lives while the target has transitions queued. */
void	 hc_action_queue(struct hc_target *, enum svc_state from,
	    enum svc_state to, const char *reason);
int	 hc_action_busy(void);		/* actions queued or running */

/* hc_monitor.c */
void	 hc_monitor_start(void);

/* hc_metrics.c: the -e port (lib/metrics.c), if asked for. */
void	 hc_metrics_start(void);

#endif
