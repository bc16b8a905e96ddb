/*
 * faild_serve.c: the listeners. UDP is served by one Pth thread per socket
 * that reads and answers datagrams in batches (recvmmsg/sendmmsg); TCP by an
 * accept thread per listener and one thread per connection, which answers
 * pipelined requests in order and, after "watch", streams changes.
 */
#define _GNU_SOURCE
#include <sys/select.h>
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
#include "timeutil.h"
#include "xmalloc.h"

#define UDP_BATCH	32
#define UDP_BUFSZ	2048
#define TCP_FLUSH_AT	65536	/* answers buffered before a write */
#define FAIR_REQUESTS	32	/* answered in a row before a yield */
#define FAIR_BYTES	262144	/* or answer bytes in a row */

static struct log_ratelimit	rl_accept, rl_limit;

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
				log_warnx_rl(&rl_accept, "udp receive: %s",
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
};

/* Write and empty out; -1 if the peer is gone or does not read. */
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

/*
 * Answer one connection's requests in order until it closes, stays idle
 * too long, takes too long to send a line, or starts a watch. After
 * FAIR_REQUESTS requests or FAIR_BYTES of answers in a row it flushes and
 * yields, so a client that pipelines cannot starve the others; its
 * pending input waits in the socket.
 */
static void *
faild_conn_thread(void *arg)
{
	struct faild_conn	*c = arg;
	struct faild_watch	 w;
	struct pbuf		 out = { 0 };
	char			*line, peer[NET_ADDRSTRLEN], id[PROTO_MAX_ID + 1];
	ssize_t			 n;
	int			 burst = 0;
	size_t			 burst_bytes = 0, was;

	net_addr_str((struct sockaddr *)&c->peer, peer, sizeof(peer));
	log_debug(FAC_NET, 1, "tcp connection from %s", peer);
	net_lines_init(&c->lines, c->fd);
	c->lines.max = PROTO_MAX_LINE;
	c->lines.line_ms = FAILD_LINE_MS;
	for (;;) {
		was = out.len;
		c->pc.idle = !net_lines_pending(&c->lines);
		n = net_lines_next(&c->lines, &line,
		    time_mono_ms() + FAILD_IDLE_MS);
		c->pc.idle = 0;
		if (n == -4) {
			log_debug(FAC_NET, 1, "tcp %s: request line not whole "
			    "within %d ms", peer, FAILD_LINE_MS);
			proto_fmt_err(&out, "-", PERR_TIMEOUT, "request line "
			    "not complete within %d ms", FAILD_LINE_MS);
			pbuf_add(&out, "\n", 1);
			faild_flush(c->fd, &out);
			break;
		}
		if (n < 0 && n != -3)
			break;
		if (n == -3) {
			faild.stats.requests++;
			faild.stats.requests_tcp++;
			faild.stats.errors++;
			proto_peek_id(line, strlen(line), id);
			proto_fmt_err(&out, id, PERR_TOOBIG, "request longer "
			    "than %d bytes", PROTO_MAX_LINE);
		} else if (faild_handle(line, (size_t)n,
		    (struct sockaddr *)&c->peer, 1, &out, &w) == 1) {
			pbuf_add(&out, "\n", 1);
			faild_stream(c, &w, &out);
			faild.stats.watchers--;
			break;
		}
		pbuf_add(&out, "\n", 1);
		burst_bytes += out.len - was;
		if (++burst >= FAIR_REQUESTS || burst_bytes >= FAIR_BYTES) {
			if (faild_flush(c->fd, &out) < 0)
				break;
			pth_yield(NULL);
			burst = 0;
			burst_bytes = 0;
		}
		if ((!net_lines_pending(&c->lines) || out.len >= TCP_FLUSH_AT) &&
		    faild_flush(c->fd, &out) < 0)
			break;
	}
	log_debug(FAC_NET, 1, "tcp connection from %s closed", peer);
	peer_release(faild.peers, &c->pc);
	close(c->fd);
	free(c);
	pbuf_free(&out);
	faild.stats.connections--;
	return NULL;
}

/*
 * Accept connections for ever. An address at its limit, or the daemon at
 * its own, makes room by closing its oldest idle connection; with none
 * idle, the newcomer gets ERR 503.
 */
void
faild_serve_tcp(int lfd)
{
	struct faild_conn	*c;
	pth_attr_t		 attr = pth_attr_new();
	socklen_t		 len;
	int			 fd, on = 1;
	const char		*why;
	char			 msg[128];

	pth_attr_set(attr, PTH_ATTR_JOINABLE, FALSE);
	pth_attr_set(attr, PTH_ATTR_NAME, "faild-conn");
	for (;;) {
		c = xcalloc(1, sizeof(*c));
		len = sizeof(c->peer);
		fd = accept4(lfd, (struct sockaddr *)&c->peer, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			free(c);
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR || errno == ECONNABORTED)
				net_wait(lfd, 0, -1);
			else {
				log_warnx_rl(&rl_accept, "accept: %s",
				    strerror(errno));
				pth_nap(pth_time(0, 100000));
			}
			continue;
		}
		/* Let evicted connections close before the next accept. */
		pth_yield(NULL);
		if (fd >= FD_SETSIZE)
			why = "no file descriptor Pth can watch";
		if (fd >= FD_SETSIZE || peer_admit(faild.peers,
		    (struct sockaddr *)&c->peer, fd, &c->pc, &why) < 0) {
			char peer[NET_ADDRSTRLEN];

			faild.stats.connections_refused++;
			net_addr_str((struct sockaddr *)&c->peer, peer,
			    sizeof(peer));
			log_warnx_rl(&rl_limit, "refused connection from %s: "
			    "%s, none idle (limits %d, %d per address)", peer,
			    why, faild.max_conn, faild.max_per_addr);
			len = (socklen_t)snprintf(msg, sizeof(msg), "- ERR %d "
			    "%s (limits %d, %d per address)\n", PERR_BUSY, why,
			    faild.max_conn, faild.max_per_addr);
			(void)!write(fd, msg, len);
			close(fd);
			free(c);
			continue;
		}
		c->pc.idle = 1;		/* until its first request */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
		c->fd = fd;
		faild.stats.connections++;
		faild.stats.connections_total++;
		if (pth_spawn(attr, faild_conn_thread, c) == NULL) {
			log_warn("cannot start a connection thread");
			peer_release(faild.peers, &c->pc);
			faild.stats.connections--;
			close(fd);
			free(c);
		}
	}
}
