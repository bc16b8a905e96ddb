/*
 * faild.h: the state daemon's context, shared by its main, its request
 * handler and its UDP/TCP servers. One process, Pth threads, no locks:
 * only functions that say they yield let other threads change this state.
 */
#ifndef FAILD_H
#define FAILD_H

#include "config.h"

#include <netinet/in.h>

#include <pth.h>
#include <stdint.h>

#include "auth.h"
#include "net.h"
#include "peer.h"
#include "proto.h"
#include "state.h"

#define FAILD_MAX_LISTEN	16
#define FAILD_WATCH_RING	4096	/* changes a watcher may fall behind */
#define FAILD_IDLE_MS		120000	/* idle TCP connections are closed */
#define FAILD_WRITE_MS		10000	/* a peer that does not read */
#define FAILD_MAX_PER_ADDR	64	/* TCP connections per address (-C) */
#define FAILD_PEERS		4096	/* addresses with their own rate bucket */
#define FAILD_UDP_AMP		4	/* unsigned UDP answer: 4x the request, */
#define FAILD_UDP_FLOOR		256	/* or this many bytes if more */
#define FAILD_MAX_SERVICES	100000	/* default -S */

enum {				/* debug facilities, see log_facilities */
	FAC_MAIN,
	FAC_NET,
	FAC_PROTO,
	FAC_STATE,
	FAC_AUTH
};

/* One change, as watch streams it. */
struct faild_change {
	uint64_t	 seq;
	char		 name[PROTO_MAX_NAME + 1];
	enum svc_state	 old, new;
	int64_t		 changed_ms;
	char		 setter[STATE_MAX_SETTER];
};

struct faild_stats {
	uint64_t	requests, requests_udp, requests_tcp, errors, refused;
	uint64_t	connections, connections_total, connections_refused;
	uint64_t	watchers, writes, writes_failed;
	uint64_t	by_verb[VERB_MAX + 1][2];	/* VERB_MAX: not parsed;
							   [0] UDP, [1] TCP */
};

struct faild {
	/* configuration, from the command line */
	const char		*node;		/* what signed requests name */
	const char		*statefile;
	const char		*communityfile;	/* NULL: none */
	const char		*keyfile;	/* NULL: none */
	int			 port;
	const char		*listen[FAILD_MAX_LISTEN];
	int			 nlisten;
	int			 no_udp, no_tcp;
	int			 max_conn;
	int			 max_per_addr;
	int			 rate;		/* per address and second, 0 off */
	int64_t			 window_ms;
	size_t			 max_services;
	const char		*metrics_addr;	/* -e, NULL: none */

	/* reloadable on HUP */
	struct community_table	*communities;	/* owned, NULL: none */
	struct keyring		*keys;		/* owned, NULL: none */

	/* run-time state */
	struct state_table	*table;		/* owned */
	struct state_journal	*journal;	/* owned: table's changes */
	struct nonce_cache	*nonces;	/* owned */
	struct peer_table	*peers;		/* owned: TCP connections, rate */
	struct faild_stats	 stats;
	int64_t			 start_ms;
	uint64_t		 seq;		/* last change */
	struct faild_change	 ring[FAILD_WATCH_RING];
	pth_mutex_t		 watch_mutex;
	pth_cond_t		 watch_cond;	/* signalled on every change */
	int			 failsh_watching; /* streams to failsh */
};

extern struct faild	faild;

/* faild_handle.c */
/*
 * Handle one request line from peer and append its answer (without line
 * end) to out. Returns 1 when the request was a watch the caller must now
 * stream (TCP), else 0. Does not yield, except that a change is written to
 * the state file before it is answered.
 */
struct faild_watch {
	const struct auth_key	*key;		/* NULL: unsigned stream */
	char			 id[PROTO_MAX_ID + 1];
	char			 nonce[PROTO_MAX_NONCE + 1];
	uint64_t		 seq;		/* last change sent */
	int			 failsh;	/* by=failsh: the local failsh */
};

int	 faild_handle(const char *line, size_t len, const struct sockaddr *peer,
	    int tcp, struct pbuf *out, struct faild_watch *watch);
/* Append the stream line for change c to out (signed when w->key). */
void	 faild_format_change(const struct faild_watch *,
	    const struct faild_change *, struct pbuf *out);

/* faild_serve.c */
void	 faild_serve_udp(int fd);
void	 faild_serve_tcp(int fd);

/* faild_metrics.c: the -e port (lib/metrics.c), if asked for. */
void	 faild_metrics_start(void);

#endif
