/*
 * peer.h: per-address accounting for the daemons' TCP ports and faild's
 * rate limit. A table keyed by the full client address (exact compare, so
 * two addresses never share an entry), bounded in size, holds a token
 * bucket per address and the open connections, oldest first, so that a
 * port at a limit closes the oldest idle connection instead of refusing.
 */
#ifndef FAIL_PEER_H
#define FAIL_PEER_H

#include <sys/socket.h>
#include <stddef.h>
#include <stdint.h>

struct peer;

/* One open connection; the connection's thread owns it. */
struct peer_conn {
	struct peer_conn	*prev, *next;	/* on the table, oldest first */
	struct peer		*peer;		/* NULL once closed or evicted */
	int			 fd;
	int			 idle;		/* waiting for a request */
};

struct peer_limits {
	int	max_conn;	/* per table (port or daemon) */
	int	max_per_addr;
	int	rate;		/* requests per address and second, 0: none */
};

struct peer_table;

/* A table of at most max_addrs addresses (beyond: one shared bucket). */
struct peer_table	*peer_table_new(const struct peer_limits *,
			    size_t max_addrs);
void			 peer_table_free(struct peer_table *);
int			 peer_conns(const struct peer_table *);

/*
 * Admit a connection from addr on fd, closing (shutdown) the oldest idle
 * connection of the address when it is at max_per_addr, or of the table
 * when it is at max_conn. Returns 0 with c linked, or -1 when every
 * connection in the way is busy: why says which limit.
 * Side effects: an evicted connection's thread sees EOF and ends; its
 * peer_conn is unlinked at once.
 */
int	 peer_admit(struct peer_table *, const struct sockaddr *addr, int fd,
	    struct peer_conn *c, const char **why);
/* Unlink c (a no-op when it was evicted). */
void	 peer_release(struct peer_table *, struct peer_conn *c);

/*
 * c's part of quota, shared evenly among its address's connections (at
 * least 1): a client's share of a turn does not grow with its connections.
 */
int	 peer_share(const struct peer_conn *c, int quota);

/*
 * One request from addr at now_ms: 1 if its bucket (rate per second,
 * bursts of twice that) has a token, else 0. Always 1 without a rate.
 */
int	 peer_rate_ok(struct peer_table *, const struct sockaddr *addr,
	    int64_t now_ms);

#endif
