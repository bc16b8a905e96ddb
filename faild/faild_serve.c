/*
 * faild_serve.c: the listeners. UDP is served by one Pth thread per socket
 * that reads and answers datagrams in batches (recvmmsg/sendmmsg). TCP: an
 * accept thread per listener hands connections to one event loop (epoll,
 * itself waited on through Pth), which answers pipelined requests in order,
 * each connection in turn; a "watch" moves its connection to a thread of
 * its own that streams changes.
 */
#define _GNU_SOURCE
#include <sys/epoll.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "faild.h"
#include "log.h"
#include "serve.h"
#include "timeutil.h"
#include "xmalloc.h"

#define UDP_BATCH	32
#define UDP_BUFSZ	2048
#define TCP_FLUSH_AT	65536	/* answers buffered before a write */
#define FAIR_REQUESTS	32	/* a turn, shared by an address's connections */
#define FAIR_BYTES	262144	/* or answer bytes, per connection and turn */

static struct log_ratelimit	rl_udp, rl_limit;

/*
 * Serve one UDP socket for ever. Yields whenever the socket is empty and
 * after every full batch, so TCP and signal threads keep running.
 */
void
faild_serve_udp(int fd)
{
	struct mmsghdr		 in[UDP_BATCH], outmsg[UDP_BATCH];
	struct iovec		 iov[UDP_BATCH], oiov[UDP_BATCH];
	struct sockaddr_storage	 peer[UDP_BATCH];
	struct pbuf		 out[UDP_BATCH];
	struct faild_watch	 unused;
	char			*buf = xmalloc(UDP_BATCH * UDP_BUFSZ);
	int			 i, n;

	memset(out, 0, sizeof(out));
	for (;;) {
		for (i = 0; i < UDP_BATCH; i++) {
			memset(&in[i], 0, sizeof(in[i]));
			iov[i].iov_base = buf + i * UDP_BUFSZ;
			iov[i].iov_len = UDP_BUFSZ;
			in[i].msg_hdr.msg_iov = &iov[i];
			in[i].msg_hdr.msg_iovlen = 1;
			in[i].msg_hdr.msg_name = &peer[i];
			in[i].msg_hdr.msg_namelen = sizeof(peer[i]);
		}
		n = recvmmsg(fd, in, UDP_BATCH, MSG_DONTWAIT, NULL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				net_wait(fd, 0, -1);
			else {
				log_warnx_rl(&rl_udp, "udp receive: %s",
				    strerror(errno));
				pth_nap(pth_time(0, 100000));
			}
			continue;
		}
		for (i = 0; i < n; i++) {
			size_t len = in[i].msg_len;

			if (in[i].msg_hdr.msg_flags & MSG_TRUNC)
				len = UDP_BUFSZ;	/* too long: 413 */
			pbuf_reset(&out[i]);
			faild_handle(iov[i].iov_base, len,
			    (struct sockaddr *)&peer[i], 0, &out[i], &unused);
			pbuf_add(&out[i], "\n", 1);
			memset(&outmsg[i], 0, sizeof(outmsg[i]));
			oiov[i].iov_base = out[i].data;
			oiov[i].iov_len = out[i].len;
			outmsg[i].msg_hdr.msg_iov = &oiov[i];
			outmsg[i].msg_hdr.msg_iovlen = 1;
			outmsg[i].msg_hdr.msg_name = &peer[i];
			outmsg[i].msg_hdr.msg_namelen = in[i].msg_hdr.msg_namelen;
		}
		/* A full socket buffer drops answers, as UDP may. */
		for (i = 0; i < n; ) {
			int s = sendmmsg(fd, outmsg + i, (unsigned)(n - i),
			    MSG_DONTWAIT);

			if (s <= 0) {
				i++;		/* skip the one that failed */
				continue;
			}
			i += s;
		}
		if (n == UDP_BATCH)
			pth_yield(NULL);
	}
}

struct faild_conn {
	int			 fd;
	struct sockaddr_storage	 peer;
	struct net_lines	 lines;
	struct peer_conn	 pc;		/* on faild.peers */
	struct pbuf		 out;		/* answers not yet written */
	size_t			 sent;		/* bytes of out written */
	int64_t			 active_ms;	/* last request, or accept */
	int64_t			 blocked_ms;	/* since out waits, or 0 */
	int			 backlog;	/* requests left for next turn */
	struct faild_watch	 w;		/* after a watch request */
	struct faild_conn	*prev, *next;	/* in the event loop */
};

/* The TCP event loop: its epoll set and connections. */
static struct {
	int			 epfd;
	struct faild_conn	*conns;
	struct faild_conn	**backlog;	/* owned, served next turn */
	size_t			 nbacklog, capbacklog;
} loop = { -1, NULL, NULL, 0, 0 };

/* Write and empty out; -1 if the peer is gone or does not read. Yields. */
static int
faild_flush(int fd, struct pbuf *out)
{
	int	rc = 0;

	if (out->len > 0)
		rc = net_write_all(fd, out->data, out->len,
		    time_mono_ms() + FAILD_WRITE_MS);
	pbuf_reset(out);
	return rc;
}

/*
 * Stream changes to a watcher until it goes away or falls too far behind.
 * Waits on the watch condition and, at once, on the socket, to notice a
 * peer that closes.
 */
static void
faild_stream(struct faild_conn *c, struct faild_watch *w, struct pbuf *out)
{
	pth_event_t	ev;
	char		junk[512];
	ssize_t		n;

	for (;;) {
		while (w->seq < faild.seq) {
			if (faild.seq - w->seq >= FAILD_WATCH_RING) {
				proto_fmt_err(out, w->id, PERR_BUSY, "watcher "
				    "too slow, missed changes");
				pbuf_add(out, "\n", 1);
				faild_flush(c->fd, out);
				return;
			}
			w->seq++;
			faild_format_change(w,
			    &faild.ring[w->seq % FAILD_WATCH_RING], out);
			if (out->len >= TCP_FLUSH_AT)
				break;
		}
		if (faild_flush(c->fd, out) < 0)
			return;
		if (w->seq < faild.seq)
			continue;
		ev = pth_event(PTH_EVENT_FD | PTH_UNTIL_FD_READABLE, c->fd);
		pth_mutex_acquire(&faild.watch_mutex, FALSE, NULL);
		pth_cond_await(&faild.watch_cond, &faild.watch_mutex, ev);
		pth_mutex_release(&faild.watch_mutex);
		if (pth_event_status(ev) == PTH_STATUS_OCCURRED) {
			/* The watcher sent something: EOF ends the stream. */
			n = read(c->fd, junk, sizeof(junk));
			if (n == 0 || (n < 0 && errno != EAGAIN &&
			    errno != EINTR)) {
				pth_event_free(ev, PTH_FREE_THIS);
				return;
			}
		}
		pth_event_free(ev, PTH_FREE_THIS);
	}
}

static void
faild_conn_free(struct faild_conn *c)
{
	peer_release(faild.peers, &c->pc);
	close(c->fd);
	net_lines_free(&c->lines);
	pbuf_free(&c->out);
	free(c);
	faild.stats.connections--;
}

static void
faild_loop_unlink(struct faild_conn *c)
{
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		loop.conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	c->prev = c->next = NULL;
}

/* Take c out of the loop and close it. c must not be on the backlog. */
static void
faild_conn_close(struct faild_conn *c)
{
	log_debug(FAC_NET, 1, "tcp connection fd %d closed", c->fd);
	faild_loop_unlink(c);
	faild_conn_free(c);
}

static void
faild_watch_end(struct faild_conn *c)
{
	faild.stats.watchers--;
	if (c->w.failsh)
		faild.failsh_watching--;
	faild_conn_free(c);
}

/* A watcher's own thread: flush the snapshot, stream, close. */
static void *
faild_watch_thread(void *arg)
{
	struct faild_conn	*c = arg;

	if (c->sent > 0) {
		memmove(c->out.data, c->out.data + c->sent,
		    c->out.len - c->sent);
		c->out.len -= c->sent;
		c->sent = 0;
	}
	faild_stream(c, &c->w, &c->out);
	faild_watch_end(c);
	return NULL;
}

/* Hand c, whose request was a watch, to a thread of its own. */
static void
faild_conn_watch(struct faild_conn *c)
{
	pth_attr_t	attr = pth_attr_new();

	epoll_ctl(loop.epfd, EPOLL_CTL_DEL, c->fd, NULL);
	faild_loop_unlink(c);
	c->pc.idle = 0;
	pth_attr_set(attr, PTH_ATTR_JOINABLE, FALSE);
	pth_attr_set(attr, PTH_ATTR_NAME, "faild-watch");
	if (pth_spawn(attr, faild_watch_thread, c) == NULL) {
		log_warn("cannot start a watch thread");
		faild_watch_end(c);
	}
	pth_attr_destroy(attr);
}

/*
 * Write what c->out holds without blocking. Results: 0, with c->out empty
 * or waiting for the socket (then epoll watches for writability only, so
 * the client's further requests wait), or -1 when the peer is gone.
 */
static int
faild_conn_write(struct faild_conn *c)
{
	struct epoll_event	ev = { 0 };
	ssize_t			w;
	int			was_blocked = c->blocked_ms != 0;

	while (c->sent < c->out.len) {
		w = send(c->fd, c->out.data + c->sent, c->out.len - c->sent,
		    MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (w < 0)
			return -1;
		c->sent += (size_t)w;
	}
	if (c->sent == c->out.len) {
		pbuf_reset(&c->out);
		c->sent = 0;
		c->blocked_ms = 0;
	} else if (c->blocked_ms == 0)
		c->blocked_ms = time_mono_ms();
	if (was_blocked != (c->blocked_ms != 0)) {
		ev.events = c->blocked_ms ? EPOLLOUT : EPOLLIN;
		ev.data.ptr = c;
		epoll_ctl(loop.epfd, EPOLL_CTL_MOD, c->fd, &ev);
	}
	return 0;
}

/*
 * One turn of connection c: read what it sent, answer at most
 * FAIR_REQUESTS requests (shared among its address's connections) or
 * FAIR_BYTES of answers, write. Requests left over wait for the next turn,
 * after every other connection's: a client that pipelines, over one
 * connection or many, cannot starve the others.
 * Results: 0, or -1 when c was closed or handed to a watch thread.
 * Side effects: a set or delete writes the state file (faild_handle).
 */
static int
faild_conn_turn(struct faild_conn *c)
{
	char	*line;
	ssize_t	 n, r;
	size_t	 was, bytes = 0;
	int	 handled = 0, filled = 0, quota;

	if (faild_conn_write(c) < 0)
		goto close;
	if (c->blocked_ms != 0)
		return 0;
	c->pc.idle = 0;
	quota = peer_share(&c->pc, FAIR_REQUESTS);
	while (handled < quota && bytes < FAIR_BYTES) {
		if ((n = net_lines_take(&c->lines, &line)) == NET_LINES_AGAIN) {
			/* After a read that emptied it, epoll tells. */
			if (filled && c->lines.drained)
				break;
			if ((r = net_lines_fill(&c->lines)) < 0)
				goto close;
			filled = 1;
			if (r == 0)
				break;
			continue;
		}
		c->active_ms = time_mono_ms();
		was = c->out.len;
		if (n == -3) {
			faild.stats.requests++;
			faild.stats.requests_tcp++;
			faild.stats.by_verb[VERB_MAX][1]++;
			faild.stats.errors++;
			serve_answer_bad_line(n, line, &c->out);
		} else if (faild_handle(line, (size_t)n,
		    (struct sockaddr *)&c->peer, 1, &c->out, &c->w) == 1) {
			pbuf_add(&c->out, "\n", 1);
			faild_conn_watch(c);
			return -1;
		}
		pbuf_add(&c->out, "\n", 1);
		bytes += c->out.len - was;
		handled++;
		if (c->out.len >= TCP_FLUSH_AT) {
			if (faild_conn_write(c) < 0)
				goto close;
			if (c->blocked_ms != 0)
				return 0;
		}
	}
	if (faild_conn_write(c) < 0)
		goto close;
	c->backlog = c->blocked_ms == 0 && (handled == quota ||
	    bytes >= FAIR_BYTES || net_lines_pending(&c->lines));
	c->pc.idle = c->blocked_ms == 0 && !c->backlog;
	return 0;
close:
	faild_conn_close(c);
	return -1;
}

/*
 * Once a second: close connections idle for FAILD_IDLE_MS, whose request
 * line has not arrived whole within SERVE_LINE_MS (ERR 408), or whose
 * answers have waited FAILD_WRITE_MS for the peer to read.
 */
static void
faild_loop_sweep(int64_t now)
{
	struct faild_conn	*c, *next;

	for (c = loop.conns; c != NULL; c = next) {
		next = c->next;
		if (c->backlog)
			continue;
		if (c->blocked_ms != 0) {
			if (now - c->blocked_ms >= FAILD_WRITE_MS)
				faild_conn_close(c);
			continue;
		}
		if (net_lines_late(&c->lines, now)) {
			serve_answer_bad_line(-4, NULL, &c->out);
			pbuf_add(&c->out, "\n", 1);
			(void)faild_conn_write(c);
			faild_conn_close(c);
		} else if (now - c->active_ms >= FAILD_IDLE_MS)
			faild_conn_close(c);
	}
}

/* Add c to the backlog of the next turn. */
static void
faild_loop_defer(struct faild_conn *c)
{
	if (loop.nbacklog == loop.capbacklog) {
		loop.capbacklog = loop.capbacklog ? 2 * loop.capbacklog : 64;
		loop.backlog = xrealloc(loop.backlog, loop.capbacklog *
		    sizeof(*loop.backlog));
	}
	loop.backlog[loop.nbacklog++] = c;
}

/*
 * The TCP event loop, for ever: each turn serves the connections epoll
 * reports, then those left with requests from the last turn, then yields
 * so that the UDP, accept and watch threads run. Waits (through Pth, which
 * lets them run too) only when no connection has work.
 */
static void *
faild_loop_thread(void *arg)
{
	struct epoll_event	 ev[64];
	struct faild_conn	**turn = NULL, *c;
	size_t			 nturn, capturn = 0, i;
	int64_t			 now, next_sweep = 0;
	int			 n;

	(void)arg;
	for (;;) {
		now = time_mono_ms();
		if (now >= next_sweep) {
			faild_loop_sweep(now);
			next_sweep = now + 1000;
		}
		n = epoll_wait(loop.epfd, ev, 64, 0);
		if (n <= 0 && loop.nbacklog == 0) {
			net_wait(loop.epfd, 0, next_sweep);
			continue;
		}
		/* This turn's backlog, apart from the next one's. */
		if (capturn < loop.nbacklog) {
			capturn = loop.capbacklog;
			turn = xrealloc(turn, capturn * sizeof(*turn));
		}
		nturn = loop.nbacklog;
		memcpy(turn, loop.backlog, nturn * sizeof(*turn));
		loop.nbacklog = 0;
		for (i = 0; n > 0 && i < (size_t)n; i++) {
			c = ev[i].data.ptr;
			if (c->backlog)
				continue;	/* served below */
			if (faild_conn_turn(c) == 0 && c->backlog)
				faild_loop_defer(c);
		}
		for (i = 0; i < nturn; i++) {
			c = turn[i];
			c->backlog = 0;
			if (faild_conn_turn(c) == 0 && c->backlog)
				faild_loop_defer(c);
		}
		pth_yield(NULL);
	}
	return NULL;
}

/*
 * Accept connections for ever and give them to the event loop. An address
 * at its limit, or the daemon at its own, makes room by closing its oldest
 * idle connection; with none idle, the newcomer gets ERR 503.
 */
void
faild_serve_tcp(int lfd)
{
	struct faild_conn	*c;
	struct epoll_event	 ev = { 0 };
	pth_attr_t		 attr;
	int			 fd, on = 1;
	const char		*why;

	if (loop.epfd < 0) {
		if ((loop.epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
			fatal("epoll_create1");
		attr = pth_attr_new();
		pth_attr_set(attr, PTH_ATTR_JOINABLE, FALSE);
		pth_attr_set(attr, PTH_ATTR_NAME, "faild-tcp");
		if (pth_spawn(attr, faild_loop_thread, NULL) == NULL)
			fatal("pth_spawn");
		pth_attr_destroy(attr);
	}
	for (;;) {
		c = xcalloc(1, sizeof(*c));
		if ((fd = serve_accept(lfd, "tcp", faild.peers, &c->peer,
		    &c->pc, &why)) < 0) {
			char peer[NET_ADDRSTRLEN];

			faild.stats.connections_refused++;
			net_addr_str((struct sockaddr *)&c->peer, peer,
			    sizeof(peer));
			log_warnx_rl(&rl_limit, "refused connection from %s: "
			    "%s, none idle (limits %d, %d per address)", peer,
			    why, faild.max_conn, faild.max_per_addr);
			free(c);
			continue;
		}
		c->pc.idle = 1;		/* until its first request */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
		c->fd = fd;
		c->active_ms = time_mono_ms();
		net_lines_init(&c->lines, fd);
		c->lines.max = PROTO_MAX_LINE;
		c->lines.line_ms = SERVE_LINE_MS;
		faild.stats.connections++;
		faild.stats.connections_total++;
		ev.events = EPOLLIN;
		ev.data.ptr = c;
		if (epoll_ctl(loop.epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			log_warn("epoll_ctl");
			faild_conn_free(c);
			continue;
		}
		c->next = loop.conns;
		if (loop.conns != NULL)
			loop.conns->prev = c;
		loop.conns = c;
		log_debug(FAC_NET, 1, "tcp connection fd %d", fd);
	}
}
