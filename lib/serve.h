/*
 * serve.h: TCP ports on GNU Pth. serve_listen accepts connections and
 * gives each its own thread; serve_requests answers failproto(5) requests
 * a line at a time, as failsh's control port and hc's monitor port do.
 */
#ifndef FAIL_SERVE_H
#define FAIL_SERVE_H

#include <sys/types.h>
#include <stddef.h>

#include <sys/socket.h>

#include "auth.h"
#include "peer.h"
#include "proto.h"

#define SERVE_FAIR_REQUESTS	32
#define SERVE_IDLE_MS		120000
#define SERVE_WRITE_MS		5000
#define SERVE_LINE_MS		10000	/* a started request line arrives whole */

/* Each port's own limits on its clients. */
struct serve_limits {
	int	max_clients;
	int	max_per_addr;
};

/* A monitor port (any address) and a control port (the operator's). */
#define SERVE_MONITOR_LIMITS	{ 64, 16 }
#define SERVE_CONTROL_LIMITS	{ 16, 16 }

/*
 * Listen on spec ("address[:port]", port the default) and run client(fd,
 * arg) in a thread of its own for each connection; fd is closed after.
 * A port or an address at its limit makes room by closing its oldest idle
 * connection (one waiting for a request in serve_requests); when none is
 * idle the newcomer gets "- ERR 503" (serve_accept). Returns 0, or -1
 * with err set. A failing accept is logged (rate-limited).
 */
int	 serve_listen(const char *spec, int port, const char *what,
	    void (*client)(int fd, void *arg), void *arg,
	    const struct serve_limits *, char *err, size_t errlen);

/*
 * Accept the next connection on listener lfd and admit it to peers
 * (peer_admit: an idle connection may be closed to make room). Yields
 * until one comes. Results: the new non-blocking socket, with *peer and
 * *pc filled, or -1 for a connection refused by a limit: it was sent
 * "- ERR 503 <why>" and closed, and *peer and *why say whose and which.
 * A failing accept is logged (rate-limited, naming the port what).
 */
int	 serve_accept(int lfd, const char *what, struct peer_table *peers,
	    struct sockaddr_storage *peer, struct peer_conn *pc,
	    const char **why);

/*
 * A port answering failproto(5) requests. serve_requests answers ping,
 * version and debug itself and hands every other verb to answer. A signed
 * request is verified against keys() and answered signed; setting debug
 * levels needs a signature when there are keys, else the community
 * community() returns, or, when that is NULL, a loopback client.
 */
struct serve_port {
	const char		*server;	/* "failsh", in error texts */
	const struct keyring	*(*keys)(void);	/* NULL: never keys */
	const char		*(*community)(void);
	void			 (*answer)(const struct proto_req *,
				    struct pbuf *out);
	struct nonce_cache	*nonces;	/* made on first use */
};

/*
 * The answer to an authorised debug request (faild's port answers it so
 * too): the levels set, then listed; -1 with ERR 400 answered for an
 * unknown facility, and nothing set.
 */
int	 serve_answer_debug(const struct proto_req *, struct pbuf *out);

/*
 * The answer to what net_lines_next returned instead of a request: -3, a
 * line too long (ERR 413 under its id, when it starts with one), or -4, a
 * line not whole within SERVE_LINE_MS (ERR 408; the caller closes). faild
 * answers its own TCP port so too.
 */
void	 serve_answer_bad_line(ssize_t n, const char *line, struct pbuf *out);

/*
 * A client function for serve_listen; arg is a struct serve_port. After
 * SERVE_FAIR_REQUESTS requests in a row it yields, so a client that
 * pipelines cannot starve the others.
 */
void	 serve_requests(int fd, void *port);

#endif
