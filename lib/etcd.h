/*
 * etcd.h: an etcd v3 client over its JSON gateway (etcd 3.4: POST /v3/...),
 * with libcurl's multi interface driven from Pth: a call parks its Pth
 * thread in pth_select() on curl's sockets, so other Pth threads run
 * meanwhile. For failsh's coordination backend (leases, owner keys, one
 * watch); each call takes a deadline on the monotonic clock (time_mono_ms).
 */
#ifndef FAIL_ETCD_H
#define FAIL_ETCD_H

#include <stddef.h>
#include <stdint.h>

/* What a call returns besides 0: etcd said no, or no etcd said anything. */
#define ETCD_REFUSED		(-1)	/* etcd's error, in err */
#define ETCD_UNREACHABLE	(-2)	/* connect, TLS, timeout: every endpoint */

struct etcd_opts {
	const char	*endpoints;	/* "http://198.18.0.1:2379,https://..." */
	const char	*cafile;	/* NULL: the system's CAs (https) */
	const char	*certfile;	/* client certificate, PEM; NULL: none */
	const char	*keyfile;	/* its key, PEM */
	const char	*user;		/* NULL: no authentication */
	const char	*password;
	int		 timeout_ms;	/* one endpoint's share of a call; 0:
					   the whole of the call's deadline */
	int		 require_leader; /* every request says "leader required"
					   (Grpc-Metadata-hasleader: true):
					   a member without a leader fails it
					   with "no leader" at once */
};

struct etcd;

/*
 * A client for opts (copied; nothing is sent yet). Endpoints are tried in
 * order: a call goes to the endpoint that answered last, and moves on to
 * the next on a connection failure, a timeout (timeout_ms) or an
 * "unavailable" error ("no leader", "leader changed"), round after round
 * (100 ms apart) until its deadline; but a round in which every endpoint
 * said "no leader" ends the call at once. Names in URLs are resolved by
 * libcurl; addresses avoid its resolver thread. Returns NULL with err set
 * for bad options (no endpoint, a URL that is not http:// or https://).
 */
struct etcd	*etcd_new(const struct etcd_opts *, char *err, size_t errlen);
void		 etcd_free(struct etcd *);
/* The endpoint calls go to first: the one that answered last. */
const char	*etcd_endpoint(const struct etcd *);

/*
 * The calls: 0 on success; ETCD_REFUSED when etcd answered with an error
 * ("requested lease not found", "no leader" from every endpoint, ...);
 * ETCD_UNREACHABLE when no endpoint answered before the deadline. err
 * names the endpoint, the request and what failed (the last attempt's).
 * They yield.
 * With a user, the first call takes a token (/v3/auth/authenticate); a
 * call that etcd refuses for an invalid or expired token takes a new one
 * and is sent once more.
 * A call that timed out at one endpoint and is sent to the next may have
 * been applied by the first: put and revoke are idempotent, etcd_create
 * then finds its own key (see there).
 */

/* A lease of ttl_s seconds: its id in *lease, the TTL granted in *ttl. */
int	 etcd_lease_grant(struct etcd *, int ttl_s, int64_t *lease,
	    int64_t *ttl, int64_t deadline, char *err, size_t errlen);
/*
 * Renew the lease once. *ttl_left: its TTL from now as etcd counts it, 0
 * when the lease is gone (expired or revoked: not an error). *sent_ms: the
 * monotonic time the request was sent, from which an owner measures how
 * long the lease is certainly still valid (*ttl_left seconds after it).
 */
int	 etcd_lease_keepalive(struct etcd *, int64_t lease, int64_t *ttl_left,
	    int64_t *sent_ms, int64_t deadline, char *err, size_t errlen);
/* Revoke it, deleting its keys; "lease not found" is ETCD_REFUSED. */
int	 etcd_lease_revoke(struct etcd *, int64_t lease, int64_t deadline,
	    char *err, size_t errlen);
/* Seconds left (-1: no such lease) and granted, without renewing. */
int	 etcd_lease_ttl(struct etcd *, int64_t lease, int64_t *ttl_left,
	    int64_t *granted, int64_t deadline, char *err, size_t errlen);

struct etcd_kv {
	char	*key;		/* owned, NUL-terminated */
	char	*value;		/* owned, NUL-terminated (may hold NULs) */
	size_t	 vlen;
	int64_t	 create_rev;	/* 0 in a DELETE event */
	int64_t	 mod_rev;
	int64_t	 lease;		/* 0: none */
};

/*
 * The key, or with prefix every key starting with it (sorted by key), into
 * *kvs (*n of them, NULL when none; free with etcd_kvs_free); *rev (may be
 * NULL): the store's revision they were read at, a watch's start_rev - 1.
 */
int	 etcd_range(struct etcd *, const char *key, int prefix,
	    struct etcd_kv **kvs, size_t *n, int64_t *rev, int64_t deadline,
	    char *err, size_t errlen);
void	 etcd_kvs_free(struct etcd_kv *, size_t n);

/* Put key = value (on lease, 0: none); *rev (may be NULL): its revision. */
int	 etcd_put(struct etcd *, const char *key, const char *value,
	    int64_t lease, int64_t *rev, int64_t deadline, char *err,
	    size_t errlen);
/* Delete the key (with prefix: every key starting with it); *deleted. */
int	 etcd_delete(struct etcd *, const char *key, int prefix,
	    int64_t *deleted, int64_t deadline, char *err, size_t errlen);

/*
 * The owner key: one transaction puts key = value on lease only if the
 * key does not exist (its create revision is 0), else reads it. *created
 * says which; *create_rev is the key's create revision (the ownership
 * epoch) and *key_lease its lease either way: a create sent again after a
 * timeout may find the key its first attempt made, with our lease.
 */
int	 etcd_create(struct etcd *, const char *key, const char *value,
	    int64_t lease, int *created, int64_t *create_rev,
	    int64_t *key_lease, int64_t deadline, char *err, size_t errlen);
/*
 * Release it: one transaction deletes key only if its create revision is
 * still create_rev (we still own it). *deleted: 1 if it did, 0 when the key
 * is gone or someone else's.
 */
int	 etcd_delete_if(struct etcd *, const char *key, int64_t create_rev,
	    int *deleted, int64_t deadline, char *err, size_t errlen);

/*
 * Take it over: one transaction puts key = value on lease only if its
 * create revision is still create_rev (a put keeps it: the epoch stays).
 * *done: 1 if it did. For an owner whose failsh restarted within the TTL.
 */
int	 etcd_put_if(struct etcd *, const char *key, const char *value,
	    int64_t lease, int64_t create_rev, int *done, int64_t deadline,
	    char *err, size_t errlen);

/*
 * A watch: one streaming POST /v3/watch on the client's multi handle, for
 * every key under prefix from start_rev (0: from now). With
 * progress_notify, etcd sends an empty PROGRESS event with its revision
 * when nothing changed for a while (etcd's
 * --experimental-watch-progress-notify-interval, 10 min by default).
 * With require_leader, a member that loses its leader ends the watch.
 */
enum etcd_ev_type {
	ETCD_EV_PUT,
	ETCD_EV_DELETE,
	ETCD_EV_PROGRESS
};
const char	*etcd_ev_type_str(enum etcd_ev_type);	/* "PUT", ... */

struct etcd_event {
	enum etcd_ev_type	 type;
	struct etcd_kv		 kv;	/* none for PROGRESS; owned by the
					   watch until the next call */
	int64_t			 rev;	/* the header's revision */
};

struct etcd_watch;

/*
 * Open the watch and wait until etcd says it is created (deadline), on the
 * endpoints in turn as a call does. NULL with err set when it could not.
 */
struct etcd_watch	*etcd_watch_open(struct etcd *, const char *prefix,
			    int64_t start_rev, int progress_notify,
			    int64_t deadline, char *err, size_t errlen);
/*
 * The next event, in revision order (etcd sends several at once; they come
 * one a call). Returns 1 with *ev filled, 0 when none came before the
 * deadline (the watch goes on), -1 when the watch ended (the connection
 * closed, etcd cancelled it: compacted start_rev, no leader; err says
 * why): read the keys again, then open a new one from the read's rev + 1.
 */
int	 etcd_watch_next(struct etcd_watch *, struct etcd_event *ev,
	    int64_t deadline, char *err, size_t errlen);
/* Close it (and its connection); NULL is a no-op. Before etcd_free. */
void	 etcd_watch_close(struct etcd_watch *);

#endif
