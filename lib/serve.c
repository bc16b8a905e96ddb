/*
 * serve.c: accepting connections and answering failproto(5) requests on
 * them, for the daemons' own ports.
 */
#define _GNU_SOURCE
#include <sys/select.h>
#include <sys/socket.h>

#include <errno.h>
#include <inttypes.h>
#include <pth.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "net.h"
#include "peer.h"
#include "serve.h"
#include "timeutil.h"
#include "xmalloc.h"

#define SERVE_NONCES		4096
#define SERVE_WINDOW_MS		30000

static int64_t	serve_start_ms;	/* of the first port: no older requests */

struct listener {
	int			 fd;
	const char		*what;
	void			(*client)(int, void *);
	void			*arg;
	struct peer_table	*peers;		/* owned */
};

struct conn {
	int			 fd;
	struct listener		*l;
	struct peer_conn	 pc;
};

/* The connection of each fd, for serve_requests to say when it is idle. */
static struct peer_conn	*serve_conn_of[FD_SETSIZE];

static struct log_ratelimit	rl_accept;

static void *
conn_thread(void *arg)
{
	struct conn	*c = arg;

	serve_conn_of[c->fd] = &c->pc;
	c->l->client(c->fd, c->l->arg);
	serve_conn_of[c->fd] = NULL;
	peer_release(c->l->peers, &c->pc);
	close(c->fd);
	free(c);
	return NULL;
}

int
serve_accept(int lfd, const char *what, struct peer_table *peers,
    struct sockaddr_storage *peer, struct peer_conn *pc, const char **why)
{
	socklen_t	plen;
	char		msg[96];
	int		fd, n;

	for (;;) {
		plen = sizeof(*peer);
		fd = accept4(lfd, (struct sockaddr *)peer, &plen,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0)
			break;
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ||
		    errno == ECONNABORTED)
			net_wait(lfd, 0, -1);
		else {
			log_warnx_rl(&rl_accept, "%s port: accept: %s", what,
			    strerror(errno));
			pth_nap(pth_time(0, 100000));
		}
	}
	pth_yield(NULL);	/* connections closed to make room end first */
	if (fd >= FD_SETSIZE)
		*why = "no file descriptor Pth can watch";
	if (fd >= FD_SETSIZE || peer_admit(peers, (struct sockaddr *)peer,
	    fd, pc, why) < 0) {
		n = snprintf(msg, sizeof(msg), "- ERR %d %s\n", PERR_BUSY,
		    *why);
		(void)!write(fd, msg, (size_t)n);
		close(fd);
		return -1;
	}
	return fd;
}

static void *
accept_thread(void *arg)
{
	struct listener		*l = arg;
	pth_attr_t		 attr = pth_attr_new();
	struct sockaddr_storage	 peer;
	struct conn		*c;
	const char		*why;
	int			 fd;

	pth_attr_set(attr, PTH_ATTR_JOINABLE, FALSE);
	pth_attr_set(attr, PTH_ATTR_NAME, l->what);
	for (;;) {
		c = xmalloc(sizeof(*c));
		if ((fd = serve_accept(l->fd, l->what, l->peers, &peer, &c->pc,
		    &why)) < 0) {
			free(c);
			continue;
		}
		c->pc.idle = l->client == serve_requests;	/* as it starts */
		c->fd = fd;
		c->l = l;
		if (pth_spawn(attr, conn_thread, c) == NULL) {
			peer_release(l->peers, &c->pc);
			close(fd);
			free(c);
		}
	}
	return NULL;
}

int
serve_listen(const char *spec, int port, const char *what,
    void (*client)(int, void *), void *arg, const struct serve_limits *lim,
    char *err, size_t errlen)
{
	struct listener	*l;
	struct net_addr	 a;
	pth_attr_t	 attr;
	int		 fd;

	if (serve_start_ms == 0)
		serve_start_ms = time_now_ms();
	if (net_parse_addr(spec, port, &a, err, errlen) < 0)
		return -1;
	if ((fd = net_bind(&a, SOCK_STREAM, err, errlen)) < 0)
		return -1;
	l = xcalloc(1, sizeof(*l));
	l->fd = fd;
	l->what = what;
	l->client = client;
	l->arg = arg;
	l->peers = peer_table_new(&(struct peer_limits){ lim->max_clients,
	    lim->max_per_addr, 0 }, (size_t)lim->max_clients);
	attr = pth_attr_new();
	pth_attr_set(attr, PTH_ATTR_JOINABLE, FALSE);
	pth_attr_set(attr, PTH_ATTR_NAME, what);
	if (pth_spawn(attr, accept_thread, l) == NULL) {
		snprintf(err, errlen, "pth_spawn: %s", strerror(errno));
		close(fd);
		peer_table_free(l->peers);
		free(l);
		pth_attr_destroy(attr);
		return -1;
	}
	pth_attr_destroy(attr);
	return 0;
}

int
serve_answer_debug(const struct proto_req *req, struct pbuf *out)
{
	const char	*bad;
	int		 i;

	if (log_fac_apply(req->argc, req->argv, &bad) < 0) {
		proto_fmt_err(out, req->id, PERR_MALFORMED, "unknown debug "
		    "facility \"%.32s\"", bad);
		return -1;
	}
	pbuf_printf(out, "%s OK", req->id);
	for (i = 0; log_facilities[i].name != NULL; i++)
		pbuf_printf(out, " %s %d", log_facilities[i].name,
		    log_facilities[i].level);
	return 0;
}

/* The verbs every port answers alike; else the port's own answer. */
static void
serve_answer(struct serve_port *p, const struct proto_req *req,
    struct pbuf *out)
{
	switch (req->verb) {
	case VERB_PING:
		pbuf_printf(out, "%s OK pong %" PRId64, req->id, time_now_ms());
		return;
	case VERB_VERSION:
		pbuf_printf(out, "%s OK failover %s proto %d", req->id,
		    PACKAGE_VERSION, PROTO_VERSION);
		return;
	case VERB_DEBUG:
		serve_answer_debug(req, out);
		return;
	default:
		p->answer(req, out);
	}
}

/* One request: parse, verify, authorise, answer, sign. */
static void
serve_handle(struct serve_port *p, const char *line, size_t len,
    int loopback, struct pbuf *out)
{
	const struct keyring	*keys = p->keys ? p->keys() : NULL;
	const struct auth_key	*key = NULL;
	struct proto_req	 req;
	const char		*community;
	char			 err[256];
	int			 code;

	if (proto_parse_request(line, len, &req, &code, err,
	    sizeof(err)) < 0) {
		proto_fmt_err(out, req.id, code, "%s", err);
		return;
	}
	if (req.auth.keyid != NULL) {
		if (p->nonces == NULL)
			p->nonces = nonce_cache_new(SERVE_NONCES,
			    SERVE_WINDOW_MS, serve_start_ms);
		if ((code = auth_verify_request(keys, p->nonces, line, &req,
		    NULL, time_now_ms(), &key, err, sizeof(err))) != 0) {
			proto_fmt_err(out, req.id, code, "%s", err);
			return;
		}
	}
	if (req.verb == VERB_DEBUG && req.argc > 0 && key == NULL) {
		if (keys != NULL) {
			proto_fmt_err(out, req.id, PERR_AUTH, "setting debug "
			    "levels needs a signed request (%s has keys)",
			    p->server);
			return;
		}
		if ((community = p->community()) == NULL && !loopback) {
			proto_fmt_err(out, req.id, PERR_DENIED, "debug levels "
			    "need a loopback client when %s has neither keys "
			    "nor a community", p->server);
			return;
		}
		if (strcmp(req.community ? req.community : "public",
		    community ? community : "public") != 0) {
			proto_fmt_err(out, req.id, PERR_DENIED, "debug levels "
			    "need %s's community", p->server);
			return;
		}
	}
	serve_answer(p, &req, out);
	if (key != NULL)
		auth_sign_answer(key, req.auth.nonce, out, 0);
}

void
serve_answer_bad_line(ssize_t n, const char *line, struct pbuf *out)
{
	char	id[PROTO_MAX_ID + 1];

	if (n == -4) {
		proto_fmt_err(out, "-", PERR_TIMEOUT, "request line not "
		    "complete within %d ms", SERVE_LINE_MS);
		return;
	}
	proto_peek_id(line, strlen(line), id);
	proto_fmt_err(out, id, PERR_TOOBIG, "request longer than %d bytes",
	    PROTO_MAX_LINE);
}

void
serve_requests(int fd, void *arg)
{
	struct serve_port	*p = arg;
	struct peer_conn	*pc = serve_conn_of[fd];
	struct net_lines	*lines = xmalloc(sizeof(*lines));
	struct pbuf		 out = { 0 };
	struct sockaddr_storage	 peer;
	socklen_t		 plen = sizeof(peer);
	char			*line = NULL;
	ssize_t			 n;
	int			 loopback, burst = 0;

	loopback = getpeername(fd, (struct sockaddr *)&peer, &plen) == 0 &&
	    net_is_loopback((struct sockaddr *)&peer);
	net_lines_init(lines, fd);
	lines->max = PROTO_MAX_LINE;
	lines->line_ms = SERVE_LINE_MS;
	for (;;) {
		if (pc != NULL)
			pc->idle = !net_lines_pending(lines);
		n = net_lines_next(lines, &line, time_mono_ms() + SERVE_IDLE_MS);
		if (pc != NULL)
			pc->idle = 0;
		pbuf_reset(&out);
		if (n == -3 || n == -4)
			serve_answer_bad_line(n, line, &out);
		else if (n < 0)
			break;
		else
			serve_handle(p, line, (size_t)n, loopback, &out);
		pbuf_add(&out, "\n", 1);
		if (net_write_all(fd, out.data, out.len,
		    time_mono_ms() + SERVE_WRITE_MS) < 0 || n == -4)
			break;
		if (++burst >= SERVE_FAIR_REQUESTS) {
			pth_yield(NULL);
			burst = 0;
		}
	}
	free(lines);
	pbuf_free(&out);
}
