/*
 * check_ping.c: the ping check. Sends ICMP or ICMPv6 echo requests, all at
 * once, and is healthy at the first echo reply that carries one of their
 * sequence numbers and their random cookie. Without privileges it uses the
 * kernel's datagram ICMP sockets (allowed to the groups in
 * net.ipv4.ping_group_range); otherwise a raw socket (root, CAP_NET_RAW).
 */
#include <sys/random.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check_util.h"
#include "hc_check.h"
#include "timeutil.h"
#include "xmalloc.h"

#define PING_COUNT_MAX	10
#define PING_COOKIE_LEN	16		/* the payload: random bytes */
#define PING_HDR_LEN	8		/* type code cksum id seq */
#define PING_PKT_LEN	(PING_HDR_LEN + PING_COOKIE_LEN)

enum ping_sock {
	PING_AUTO,		/* datagram, then raw */
	PING_DGRAM,
	PING_RAW
};

struct ping_conf {
	struct net_addr	 addr;		/* port 0 */
	char		 host[NET_ADDRSTRLEN];	/* for reasons */
	int		 count;
	enum ping_sock	 sock;
};

/* What one run sent, to know its replies. */
struct ping_probe {
	int		 family;
	int		 raw;
	uint16_t	 id;	/* raw only: the kernel sets the others */
	uint16_t	 seq0;	/* count sequence numbers from seq0 */
	int		 count;
	uint8_t		 cookie[PING_COOKIE_LEN];
};

/* An address alone: "host:port" and "[v6]:port" are refused. */
static int
check_ping_has_port(const char *spec)
{
	const char	*colon;

	if (spec[0] == '[')
		return strstr(spec, "]:") != NULL;
	return (colon = strchr(spec, ':')) != NULL &&
	    strchr(colon + 1, ':') == NULL;
}

/* check ping HOST [count N] [socket dgram|raw|auto] */
static void *
check_ping_parse(int argc, char **argv, char *err, size_t errlen)
{
	struct ping_conf	*c;
	const char		*val;
	long			 n;
	int			 i;

	if (argc < 1) {
		snprintf(err, errlen, "needs the address to ping");
		return NULL;
	}
	if (check_ping_has_port(argv[0])) {
		snprintf(err, errlen, "ping takes an address without a port, "
		    "not \"%s\"", argv[0]);
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->count = 1;
	if (hc_parse_addr(argv[0], 1, &c->addr, err, errlen) < 0)
		goto fail;
	/* Raw IPv6 sockets refuse a "port" other than the protocol's. */
	if (c->addr.ss.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&c->addr.ss)->sin6_port = 0;
	else
		((struct sockaddr_in *)&c->addr.ss)->sin_port = 0;
	net_addr_str((struct sockaddr *)&c->addr.ss, c->host, sizeof(c->host));
	for (i = 1; i < argc; i += 2) {
		if ((val = hc_opt_value(argc, argv, i, err, errlen)) == NULL)
			goto fail;
		if (strcmp(argv[i], "count") == 0) {
			if (hc_parse_int(val, 1, PING_COUNT_MAX, &n,
			    "option \"count\"", err, errlen) < 0)
				goto fail;
			c->count = (int)n;
		} else if (strcmp(argv[i], "socket") == 0) {
			if (strcmp(val, "auto") == 0)
				c->sock = PING_AUTO;
			else if (strcmp(val, "dgram") == 0)
				c->sock = PING_DGRAM;
			else if (strcmp(val, "raw") == 0)
				c->sock = PING_RAW;
			else {
				snprintf(err, errlen, "option \"socket\" must "
				    "be dgram, raw or auto, not \"%s\"", val);
				goto fail;
			}
		} else {
			hc_opt_unknown("ping", argv[i], "count, socket", err,
			    errlen);
			goto fail;
		}
	}
	return c;
fail:
	free(c);
	return NULL;
}

static void
check_ping_free(void *c)
{
	free(c);
}

/*
 * A non-blocking ICMP socket of the kind c asks for; auto tries the
 * datagram kind first. Sets p->raw. Returns the socket, or -1 with why set.
 */
static int
check_ping_socket(const struct ping_conf *c, struct ping_probe *p,
    char *why, size_t whylen)
{
	int	proto, fd, dgram_errno = 0;

	proto = p->family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	p->raw = 0;
	if (c->sock != PING_RAW) {
		fd = socket(p->family, SOCK_DGRAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, proto);
		if (fd >= 0)
			return fd;
		dgram_errno = errno;
		if (c->sock == PING_DGRAM) {
			snprintf(why, whylen, "ping: datagram ICMP socket: "
			    "%s%s", strerror(errno), errno == EACCES ?
			    " (group not in net.ipv4.ping_group_range)" : "");
			return -1;
		}
	}
	p->raw = 1;
	fd = socket(p->family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	if (fd >= 0)
		return fd;
	if (c->sock == PING_AUTO && (errno == EPERM || errno == EACCES) &&
	    (dgram_errno == EACCES || dgram_errno == EPERM))
		snprintf(why, whylen, "ping: no permission: not root and "
		    "group not in net.ipv4.ping_group_range");
	else
		snprintf(why, whylen, "ping: raw socket: %s%s",
		    strerror(errno), errno == EPERM ?
		    " (needs root or CAP_NET_RAW)" : "");
	return -1;
}

/* The Internet checksum (RFC 1071), to store big-endian. */
static uint16_t
check_ping_cksum(const uint8_t *b, size_t n)
{
	uint32_t	sum = 0;

	for (; n > 1; b += 2, n -= 2)
		sum += (uint32_t)b[0] << 8 | b[1];
	if (n == 1)
		sum += (uint32_t)b[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Send p->count echo requests; 0, or -1 with why set. */
static int
check_ping_send(const struct ping_conf *c, int fd, const struct ping_probe *p,
    char *why, size_t whylen)
{
	uint8_t		pkt[PING_PKT_LEN];
	uint16_t	sum, seq;
	int		i;

	for (i = 0; i < p->count; i++) {
		seq = (uint16_t)(p->seq0 + i);
		memset(pkt, 0, PING_HDR_LEN);
		pkt[0] = p->family == AF_INET ? ICMP_ECHO : ICMP6_ECHO_REQUEST;
		pkt[4] = (uint8_t)(p->id >> 8);
		pkt[5] = (uint8_t)p->id;
		pkt[6] = (uint8_t)(seq >> 8);
		pkt[7] = (uint8_t)seq;
		memcpy(pkt + PING_HDR_LEN, p->cookie, PING_COOKIE_LEN);
		/* The kernel sums ICMPv6 (it needs the IPv6 addresses). */
		if (p->family == AF_INET) {
			sum = check_ping_cksum(pkt, sizeof(pkt));
			pkt[2] = (uint8_t)(sum >> 8);
			pkt[3] = (uint8_t)sum;
		}
		if (send(fd, pkt, sizeof(pkt), 0) < 0) {
			snprintf(why, whylen, "ping %s: %s", c->host,
			    strerror(errno));
			return -1;
		}
	}
	return 0;
}

/*
 * Is the packet b[0..n) a reply to p? A raw socket sees every ICMP packet
 * that reaches the host (with the IPv4 header in front): other programs'
 * replies, our own requests over loopback, other checks' replies.
 */
static int
check_ping_match(const struct ping_probe *p, const uint8_t *b, size_t n)
{
	size_t		hl;
	uint16_t	seq;

	if (p->family == AF_INET && p->raw) {
		if (n < 20 || (hl = (size_t)(b[0] & 0x0f) * 4) < 20 || hl > n)
			return 0;
		b += hl;
		n -= hl;
	}
	if (n < PING_PKT_LEN || b[1] != 0 || b[0] != (p->family == AF_INET ?
	    ICMP_ECHOREPLY : ICMP6_ECHO_REPLY))
		return 0;
	if (p->raw && (b[4] << 8 | b[5]) != p->id)
		return 0;
	seq = (uint16_t)(b[6] << 8 | b[7]);
	if ((uint16_t)(seq - p->seq0) >= p->count)
		return 0;
	return memcmp(b + PING_HDR_LEN, p->cookie, PING_COOKIE_LEN) == 0;
}

static int64_t
check_ping_now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
check_ping_run(void *arg, const char *target, int64_t deadline, char *why,
    size_t whylen)
{
	struct ping_conf	*c = arg;
	struct ping_probe	 p;
	struct icmp6_filter	 filt;
	uint8_t			 buf[256], rnd[2];
	int64_t			 t0;
	ssize_t			 n;
	int			 fd, rc = -1;

	(void)target;
	memset(&p, 0, sizeof(p));
	p.family = c->addr.ss.ss_family;
	p.count = c->count;
	/* Random cookie and sequence: replies to other runs do not count. */
	if (getrandom(p.cookie, sizeof(p.cookie), 0) !=
	    (ssize_t)sizeof(p.cookie) || getrandom(rnd, 2, 0) != 2) {
		snprintf(why, whylen, "ping: getrandom: %s", strerror(errno));
		return -1;
	}
	p.seq0 = (uint16_t)(rnd[0] << 8 | rnd[1]);
	if ((fd = check_ping_socket(c, &p, why, whylen)) < 0)
		return -1;
	if (p.raw) {
		p.id = (uint16_t)getpid();
		if (p.family == AF_INET6) {
			ICMP6_FILTER_SETBLOCKALL(&filt);
			ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &filt);
			setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filt,
			    sizeof(filt));
		}
	}
	/*
	 * Connected, the socket gets packets from the host alone, and its
	 * ICMP errors ("Host unreachable") as errors of recv().
	 */
	if (connect(fd, (struct sockaddr *)&c->addr.ss, c->addr.len) < 0) {
		snprintf(why, whylen, "ping %s: %s", c->host, strerror(errno));
		goto done;
	}
	t0 = check_ping_now_us();
	if (check_ping_send(c, fd, &p, why, whylen) < 0)
		goto done;
	for (;;) {
		if (time_mono_ms() >= deadline ||
		    net_wait(fd, 0, deadline) < 0) {
			snprintf(why, whylen, "ping %s: no reply (timeout)",
			    c->host);
			break;
		}
		if ((n = recv(fd, buf, sizeof(buf), 0)) < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			snprintf(why, whylen, "ping %s: %s", c->host,
			    strerror(errno));
			break;
		}
		if (check_ping_match(&p, buf, (size_t)n)) {
			snprintf(why, whylen, "ping %s: reply in %.1f ms",
			    c->host, (check_ping_now_us() - t0) / 1000.0);
			rc = 0;
			break;
		}
	}
done:
	close(fd);
	return rc;
}

const struct hc_check_type hc_check_ping = {
	"ping", check_ping_parse, check_ping_run, check_ping_free
};
