/*
 * faildns.h: the authoritative DNS server whose failover names follow the
 * states in faild. One Pth process: a thread per UDP socket answers in
 * batches, a thread per TCP connection, a thread per source (a faild's
 * watch stream), the monitor port, the pushes (RFC 2136), the signals.
 * Being one Pth process, nothing runs between two yields: a change of
 * states recompiles answers without any lock.
 */
#ifndef FAILDNS_H
#define FAILDNS_H

#include <stdint.h>

#include "conf.h"
#include "db.h"

#define FAILDNS_PORT		53
#define FAILDNS_MONITOR_PORT	1851
#define FAILDNS_MAX_LISTEN	16
#define FAILDNS_STATEFILE	FAIL_STATEDIR "/faildns.state"

enum {
	FAC_MAIN,
	FAC_DNS,
	FAC_SOURCE,
	FAC_PUSH,
	FAC_MONITOR
};

struct faildns_stats {
	uint64_t	 udp, tcp;		/* queries */
	uint64_t	 rcode[24];		/* answers by rcode */
	uint64_t	 truncated;
	uint64_t	 dropped;		/* no answer at all */
	uint64_t	 tcp_conns;
	uint64_t	 changes;		/* answers chosen again */
	uint64_t	 pushes, push_errors;
};

struct faildns {
	struct fdns_conf	*conf;
	struct db		*db;
	const char		*confpath;
	const char		*statefile;	/* -s, else conf's, default */
	const char		*listen[FAILDNS_MAX_LISTEN];
	int			 nlisten;
	int			 port;
	const char		*monitor_addr;	/* NULL: no monitor port */
	const char		*metrics_addr;	/* -e; NULL: none */
	int64_t			 start_ms;
	uint64_t		 reloads;
	struct faildns_stats	 stats;
};

extern struct faildns	faildns;

/* dns_serve.c: the DNS ports. */
int	 dns_serve_start(char *err, size_t errlen);

/* source.c: the sources' views, the votes, the persisted states. */
void	 source_start(void);
/* After a reload: carry the views over to the new conf, vote again. */
void	 source_reload(struct fdns_conf *old);
/* For the status: source i's connection (1 up), since when, why not. */
int	 source_status(size_t i, int64_t *since_ms, const char **why);
int	 source_all_down(void);
/* The persisted member states, taken as the "last" before any vote. */
void	 source_restore(void);

/* monitor.c: the failproto monitor port. */
void	 monitor_start(void);
/* A name's state as failstat reads it: "UP", "RECOVER" or "FAIL". */
const char	*monitor_name_state(const struct fdns_choice *);

/* dns_metrics.c: the Prometheus port (-e). */
void	 dns_metrics_start(void);

/* push.c: RFC 2136 updates of the names that have update targets. */
void	 push_start(void);
void	 push_name(size_t name);

/* faildns.c: a failover name's answer changed (db_choose's callback). */
void	 faildns_changed(size_t name, const struct db_name_status *,
	    const struct fdns_choice *old);
/* "198.18.0.10 198.18.0.11" or "SERVFAIL", for logs and the status. */
const char	*faildns_answer_str(const struct fdns_choice *, char *buf,
		    size_t len);

#endif /* FAILDNS_H */
