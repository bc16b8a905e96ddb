/*
 * dns_serve.c: the DNS ports. Each UDP socket has a thread that reads and
 * answers in batches (recvmmsg, sendmmsg); while batches come full it
 * yields once a millisecond, so that a flood cannot starve the rest (a
 * yield is a pass of Pth's scheduler, six system calls: not for every
 * batch). TCP follows RFC 7766: several
 * queries on one connection, answered in order; an idle timeout; a query
 * once begun must arrive whole in time; a bounded number of connections,
 * the oldest idle one closed to make room, so stalled clients cannot take
 * the port from the others.
 */
#define _GNU_SOURCE
#include <sys/socket.h>

#include <errno.h>
#include <pth.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "faildns.h"
#include "log.h"
#include "net.h"
#include "peer.h"
#include "timeutil.h"
#include "xmalloc.h"

#define UDP_BATCH	32
#define UDP_YIELD_MS	1	/* a flood gives the others a turn so often */
#define UDP_QUERY_MAX	4096	/* longer datagrams are dropped */
#define TCP_IDLE_MS	10000	/* between queries (RFC 7766 6.2.3) */
#define TCP_QUERY_MS	5000	/* a query, once begun */
#define TCP_WRITE_MS	5000
#define TCP_MAX_CONN	256
#define TCP_MAX_PER_ADDR 32

static struct log_ratelimit	rl_udp, rl_accept;

/* Answer one query; 0 when it gets no answer. Counts it. */
static size_t
answer(const uint8_t *pkt, size_t len, int tcp, uint8_t *out, size_t outlen,
    const struct sockaddr *from)
{
	struct dns_query	q;
	size_t			n;
	int			rc;
	char			who[NET_ADDRSTRLEN], name[DNS_NAME_TEXT_MAX];

	if (tcp)
		faildns.stats.tcp++;
	else
		faildns.stats.udp++;
	if ((rc = dns_query_parse(pkt, len, &q)) == DNS_PARSE_DROP ||
	    (n = db_answer(faildns.db, &q, rc, tcp, out, outlen)) == 0) {
		faildns.stats.dropped++;
		return 0;
	}
	if (rc == DNS_RCODE_NOERROR)	/* else the parser's, BADVERS too */
		rc = out[3] & 0xf;
	faildns.stats.rcode[rc]++;
	if (out[2] & 0x02)
		faildns.stats.truncated++;
	if (log_facilities[FAC_DNS].level >= 2) {
		net_addr_str(from, who, sizeof(who));
		if (!q.has_question ||
		    dns_name_to_text(q.qname, name, sizeof(name)) < 0)
			snprintf(name, sizeof(name), "-");
		log_debugx(FAC_DNS, "%s %s type %u from %s: %s%s", tcp ?
		    "tcp" : "udp", name, q.qtype, who, dns_msg_rcode_str(rc),
		    out[2] & 0x02 ? " TC" : "");
	}
	return n;
}

static void *
udp_thread(void *arg)
{
	int			 fd = (int)(intptr_t)arg, n, i, m, sent;
	static uint8_t		 inbuf[UDP_BATCH][UDP_QUERY_MAX];
	static uint8_t		 outbuf[UDP_BATCH][DNS_EDNS_UDP_MAX];
	struct sockaddr_storage	 from[UDP_BATCH];
	struct iovec		 iin[UDP_BATCH], iout[UDP_BATCH];
	struct mmsghdr		 min[UDP_BATCH], mout[UDP_BATCH];
	size_t			 len;
	int64_t			 yielded = time_mono_ms();

	/* Threads share the buffers: nothing here yields while in use. */
	for (;;) {
		for (i = 0; i < UDP_BATCH; i++) {
			iin[i].iov_base = inbuf[i];
			iin[i].iov_len = sizeof(inbuf[i]);
			memset(&min[i].msg_hdr, 0, sizeof(min[i].msg_hdr));
			min[i].msg_hdr.msg_name = &from[i];
			min[i].msg_hdr.msg_namelen = sizeof(from[i]);
			min[i].msg_hdr.msg_iov = &iin[i];
			min[i].msg_hdr.msg_iovlen = 1;
		}
		if ((n = recvmmsg(fd, min, UDP_BATCH, MSG_DONTWAIT, NULL)) < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR)
				log_warnx_rl(&rl_udp, "udp: recvmmsg: %s",
				    strerror(errno));
			net_wait(fd, 0, -1);
			continue;
		}
		for (i = m = 0; i < n; i++) {
			if (min[i].msg_hdr.msg_flags & MSG_TRUNC) {
				faildns.stats.dropped++;
				continue;
			}
			len = answer(inbuf[i], min[i].msg_len, 0, outbuf[m],
			    sizeof(outbuf[m]),
			    (struct sockaddr *)min[i].msg_hdr.msg_name);
			if (len == 0)
				continue;
			iout[m].iov_base = outbuf[m];
			iout[m].iov_len = len;
			memset(&mout[m].msg_hdr, 0, sizeof(mout[m].msg_hdr));
			mout[m].msg_hdr.msg_name = min[i].msg_hdr.msg_name;
			mout[m].msg_hdr.msg_namelen = min[i].msg_hdr.msg_namelen;
			mout[m].msg_hdr.msg_iov = &iout[m];
			mout[m].msg_hdr.msg_iovlen = 1;
			m++;
		}
		/* A full socket buffer drops what is left, as a router would:
		 * the clients ask again. */
		for (sent = 0; sent < m;) {
			if ((i = sendmmsg(fd, mout + sent, (unsigned)(m - sent),
			    MSG_DONTWAIT)) > 0)
				sent += i;
			else if (i < 0 && errno == EINTR)
				continue;
			else {
				if (i < 0 && errno != EAGAIN)
					log_warnx_rl(&rl_udp, "udp: sendmmsg: "
					    "%s", strerror(errno));
				faildns.stats.dropped += (uint64_t)(m - sent);
				break;
			}
		}
		if (n == UDP_BATCH && time_mono_ms() - yielded >= UDP_YIELD_MS) {
			pth_yield(NULL);
			yielded = time_mono_ms();
		}
	}
	return NULL;
}

/* Read exactly len bytes before the deadline: 0, or -1 (EOF, error,
 * timeout). Yields. */
static int
read_full(int fd, uint8_t *buf, size_t len, int64_t deadline)
{
	ssize_t	n;

	while (len > 0) {
		if ((n = read(fd, buf, len)) > 0) {
			buf += n;
			len -= (size_t)n;
		} else if (n == 0)
			return -1;
		else if (errno == EINTR)
			continue;
		else if (errno != EAGAIN || net_wait(fd, 0, deadline) < 0)
			return -1;
	}
	return 0;
}

struct tcp_conn {
	struct peer_conn	 pc;
	struct peer_table	*peers;
	struct sockaddr_storage	 from;
	int			 fd;
};

static void *
tcp_thread(void *arg)
{
	struct tcp_conn	*c = arg;
	uint8_t		*in = xmalloc(DNS_TCP_MAX), *out = xmalloc(2 +
			    DNS_TCP_MAX), lenb[2];
	size_t		 len, n;

	faildns.stats.tcp_conns++;
	for (;;) {
		c->pc.idle = 1;
		/* The first byte may be long in coming; the rest may not. */
		if (read_full(c->fd, lenb, 1, time_mono_ms() + TCP_IDLE_MS) < 0)
			break;
		c->pc.idle = 0;
		if (c->pc.peer == NULL ||	/* closed to make room */
		    read_full(c->fd, lenb + 1, 1, time_mono_ms() +
		    TCP_QUERY_MS) < 0)
			break;
		len = (size_t)lenb[0] << 8 | lenb[1];
		if (read_full(c->fd, in, len, time_mono_ms() + TCP_QUERY_MS) < 0)
			break;
		if ((n = answer(in, len, 1, out + 2, DNS_TCP_MAX,
		    (struct sockaddr *)&c->from)) == 0)
			continue;
		out[0] = (uint8_t)(n >> 8);
		out[1] = (uint8_t)n;
		if (net_write_all(c->fd, (char *)out, n + 2, time_mono_ms() +
		    TCP_WRITE_MS) < 0)
			break;
	}
	peer_release(c->peers, &c->pc);
	close(c->fd);
	free(in);
	free(out);
	free(c);
	return NULL;
}

struct tcp_listener {
	int			 fd;
	struct peer_table	*peers;
};

static void *
tcp_accept_thread(void *arg)
{
	struct tcp_listener	*l = arg;
	pth_attr_t		 attr = pth_attr_new();
	struct tcp_conn		*c;
	socklen_t		 len;
	const char		*why;
	int			 fd;

	pth_attr_set(attr, PTH_ATTR_JOINABLE, FALSE);
	pth_attr_set(attr, PTH_ATTR_NAME, "dns-tcp");
	for (;;) {
		c = xcalloc(1, sizeof(*c));
		len = sizeof(c->from);
		while ((fd = accept4(l->fd, (struct sockaddr *)&c->from, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC)) < 0) {
			if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED) {
				log_warnx_rl(&rl_accept, "tcp: accept: %s",
				    strerror(errno));
				pth_nap(pth_time(0, 100000));
			} else
				net_wait(l->fd, 0, -1);
			len = sizeof(c->from);
		}
		pth_yield(NULL);	/* connections closed for room end */
		c->fd = fd;
		c->peers = l->peers;
		if (fd >= FD_SETSIZE || peer_admit(l->peers,
		    (struct sockaddr *)&c->from, fd, &c->pc, &why) < 0 ||
		    pth_spawn(attr, tcp_thread, c) == NULL) {
			if (c->pc.peer != NULL)
				peer_release(l->peers, &c->pc);
			close(fd);
			free(c);
		}
	}
	return NULL;
}

static int
spawn(void *(*fn)(void *), void *arg, const char *name)
{
	pth_attr_t	attr = pth_attr_new();
	int		ok;

	pth_attr_set(attr, PTH_ATTR_JOINABLE, FALSE);
	pth_attr_set(attr, PTH_ATTR_NAME, name);
	ok = pth_spawn(attr, fn, arg) != NULL;
	pth_attr_destroy(attr);
	return ok ? 0 : -1;
}

/* Bind UDP and TCP on one address; 0, or -1 with err. */
static int
listen_on(const char *spec, struct peer_table *peers, char *err,
    size_t errlen)
{
	struct net_addr		 a;
	struct tcp_listener	*l;
	int			 ufd, tfd;

	if (net_parse_addr(spec, faildns.port, &a, err, errlen) < 0)
		return -1;
	if ((ufd = net_bind(&a, SOCK_DGRAM, err, errlen)) < 0)
		return -1;
	if ((tfd = net_bind(&a, SOCK_STREAM, err, errlen)) < 0) {
		close(ufd);
		return -1;
	}
	l = xcalloc(1, sizeof(*l));
	l->fd = tfd;
	l->peers = peers;
	if (spawn(udp_thread, (void *)(intptr_t)ufd, "dns-udp") < 0 ||
	    spawn(tcp_accept_thread, l, "dns-tcp") < 0) {
		snprintf(err, errlen, "pth_spawn: %s", strerror(errno));
		return -1;
	}
	log_info("answering on %s port %d, udp and tcp", spec, faildns.port);
	return 0;
}

int
dns_serve_start(char *err, size_t errlen)
{
	static const struct peer_limits	 lim = { TCP_MAX_CONN,
					    TCP_MAX_PER_ADDR, 0 };
	struct peer_table		*peers;
	char				 e6[256];
	int				 i;

	peers = peer_table_new(&lim, TCP_MAX_CONN);
	if (faildns.nlisten > 0) {
		for (i = 0; i < faildns.nlisten; i++)
			if (listen_on(faildns.listen[i], peers, err, errlen) < 0)
				return -1;
		return 0;
	}
	if (listen_on("0.0.0.0", peers, err, errlen) < 0)
		return -1;
	if (listen_on("::", peers, e6, sizeof(e6)) < 0)
		log_warnx("no IPv6: %s", e6);
	return 0;
}
