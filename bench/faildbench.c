/*
 * faildbench.c: the closed-loop load generator of bench/run.sh. CONC
 * pollers (one connected UDP socket or one TCP connection each) keep exactly
 * one "ID get NAME" request outstanding; latencies go into a log-linear
 * histogram and one line reports queries per second, p50 and p99.
 * With -s each request is a write instead: poller i sets NAMEi to UP and
 * FAIL in turn, so that every request changes a state and faild persists it.
 * With -e the server is an echo (bench/udpecho): the answer must equal the
 * request. Single-threaded on epoll, so taskset pins it to one core.
 */
#define _GNU_SOURCE
#include <sys/epoll.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BENCH_MAX_CONC		4096
#define BENCH_SCAN_NS		(10 * 1000000LL)	/* timeout scan period */
#define BENCH_RECONNECT_NS	(100 * 1000000LL)

/* Log-linear histogram of nanoseconds: 64 sub-buckets per power of two. */
#define HIST_LINEAR		128
#define HIST_N			(HIST_LINEAR + 58 * 64)

struct poller {
	int		 fd;		/* -1: TCP connection to be reopened */
	unsigned	 idx;
	uint64_t	 seq;
	int64_t		 sent_ns;	/* first send of the outstanding request */
	int64_t		 resent_ns;	/* last send of it (UDP resends) */
	int64_t		 dead_ns;	/* when the TCP connection was lost */
	int		 late_counted;	/* TCP: already counted as a timeout */
	char		 id[24];
	size_t		 idlen;
	char		 req[128];
	size_t		 reqlen;
	char		 in[4096];	/* TCP: bytes of an unfinished line */
	size_t		 inlen;
};

struct bench {
	int			 tcp, echo, set, conc, ep;
	double			 duration_s, warmup_s;
	int64_t			 timeout_ns;
	const char		*name;
	struct sockaddr_storage	 addr;
	socklen_t		 addrlen;
	struct poller		*p;		/* owned, conc of them */
	int64_t			 t_start, t_end;	/* the measured window */
	uint64_t		 hist[HIST_N];
	uint64_t		 answers, errors, timeouts, late;
	int64_t			 max_ns;
};

static int64_t
mono_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int
hist_index(uint64_t v)
{
	int	e, shift;

	if (v < HIST_LINEAR)
		return (int)v;
	e = 63 - __builtin_clzll(v);
	shift = e - 6;
	if (128 + (shift - 1) * 64 + 63 >= HIST_N)
		return HIST_N - 1;
	return HIST_LINEAR + (shift - 1) * 64 + (int)((v >> shift) - 64);
}

/* The middle of a bucket, in nanoseconds. */
static double
hist_value(int idx)
{
	int		k, shift;
	uint64_t	m;

	if (idx < HIST_LINEAR)
		return idx;
	k = idx - HIST_LINEAR;
	shift = k / 64 + 1;
	m = (uint64_t)(k % 64 + 64);
	return ((double)(m << shift) + (double)((m + 1) << shift)) / 2.0;
}

/* The q-quantile (0 < q <= 1) in nanoseconds, 0 without samples. */
static double
hist_quantile(const struct bench *b, double q)
{
	uint64_t	want, seen = 0;
	int		i;

	if (b->answers == 0)
		return 0;
	want = (uint64_t)(q * (double)b->answers + 0.999999);
	if (want == 0)
		want = 1;
	for (i = 0; i < HIST_N; i++) {
		seen += b->hist[i];
		if (seen >= want)
			return hist_value(i);
	}
	return hist_value(HIST_N - 1);
}

static int
in_window(const struct bench *b, int64_t now)
{
	return now >= b->t_start && now < b->t_end;
}

static void
bench_record(struct bench *b, struct poller *p, int64_t now)
{
	int64_t	lat = now - p->sent_ns;

	if (!in_window(b, now))
		return;
	if (lat < 0)
		lat = 0;
	b->hist[hist_index((uint64_t)lat)]++;
	b->answers++;
	if (lat > b->max_ns)
		b->max_ns = lat;
}

static void
bench_error(struct bench *b, int64_t now)
{
	if (in_window(b, now))
		b->errors++;
}

/* (Re)send the outstanding request under a fresh id. */
static void
poller_send(struct bench *b, struct poller *p, int64_t now, int first)
{
	ssize_t	n;

	p->seq++;
	p->idlen = (size_t)snprintf(p->id, sizeof(p->id), "%x.%" PRIx64,
	    p->idx, p->seq);
	if (b->set)
		p->reqlen = (size_t)snprintf(p->req, sizeof(p->req),
		    "%s set %s%u %s%s", p->id, b->name, p->idx,
		    p->seq % 2 ? "UP" : "FAIL", b->tcp ? "\n" : "");
	else
		p->reqlen = (size_t)snprintf(p->req, sizeof(p->req),
		    "%s get %s%s", p->id, b->name, b->tcp ? "\n" : "");
	if (first) {
		p->sent_ns = now;
		p->late_counted = 0;
	}
	p->resent_ns = now;
	if (p->fd < 0)
		return;
	/* One short line always fits an empty socket buffer. */
	n = send(p->fd, p->req, p->reqlen, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n != (ssize_t)p->reqlen)
		bench_error(b, now);	/* UDP: the timeout resends */
}

/*
 * Judge one answer (without its line end). Returns 1 if it answers the
 * outstanding request (OK or not), 0 for a stale UDP answer to be ignored.
 */
static int
poller_answer(struct bench *b, struct poller *p, const char *a, size_t n,
    int64_t now)
{
	const char	*sp = memchr(a, ' ', n);
	size_t		 idlen = sp ? (size_t)(sp - a) : n;
	char		 prefix[16];
	int		 plen, ok;

	if (idlen != p->idlen || memcmp(a, p->id, idlen) != 0) {
		if (b->tcp) {
			/* In order, one outstanding: it is ours, but wrong. */
			bench_error(b, now);
			return 1;
		}
		plen = snprintf(prefix, sizeof(prefix), "%x.", p->idx);
		if (idlen > (size_t)plen && memcmp(a, prefix,
		    (size_t)plen) == 0) {
			if (in_window(b, now))
				b->late++;	/* answer to a resent request */
		} else
			bench_error(b, now);
		return 0;
	}
	if (b->echo)
		ok = n == p->reqlen - (size_t)b->tcp &&
		    memcmp(a, p->req, n) == 0;
	else
		ok = n >= idlen + 4 && memcmp(a + idlen, " OK ", 4) == 0;
	if (ok)
		bench_record(b, p, now);
	else
		bench_error(b, now);
	return 1;
}

static void
poller_close(struct bench *b, struct poller *p, int64_t now)
{
	bench_error(b, now);
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	p->inlen = 0;
	p->dead_ns = now;
}

static int
poller_open(struct bench *b, struct poller *p)
{
	struct epoll_event	ev;
	int			on = 1;

	p->fd = socket(b->addr.ss_family, (b->tcp ? SOCK_STREAM : SOCK_DGRAM) |
	    SOCK_CLOEXEC, 0);
	if (p->fd < 0)
		return -1;
	/* Loopback connects at once; the socket goes non-blocking after. */
	if (connect(p->fd, (struct sockaddr *)&b->addr, b->addrlen) < 0 ||
	    fcntl(p->fd, F_SETFL, O_NONBLOCK) < 0)
		goto fail;
	if (b->tcp)
		setsockopt(p->fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.ptr = p;
	if (epoll_ctl(b->ep, EPOLL_CTL_ADD, p->fd, &ev) < 0)
		goto fail;
	return 0;
fail:
	close(p->fd);
	p->fd = -1;
	return -1;
}

/*
 * One recv or read per readiness event: epoll is level-triggered, so what is
 * left comes back at the next epoll_wait, and no EAGAIN call is wasted.
 */
static void
poller_readable_udp(struct bench *b, struct poller *p)
{
	char	buf[2048];
	ssize_t	n;
	int64_t	now;

	n = recv(p->fd, buf, sizeof(buf), MSG_DONTWAIT);
	now = mono_ns();
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			bench_error(b, now);	/* ECONNREFUSED */
		return;
	}
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	if (poller_answer(b, p, buf, (size_t)n, now))
		poller_send(b, p, now, 1);
}

static void
poller_readable_tcp(struct bench *b, struct poller *p)
{
	char	*nl;
	size_t	 len;
	ssize_t	 n;
	int64_t	 now;

	n = read(p->fd, p->in + p->inlen, sizeof(p->in) - p->inlen);
	now = mono_ns();
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		poller_close(b, p, now);
		return;
	}
	p->inlen += (size_t)n;
	while ((nl = memchr(p->in, '\n', p->inlen)) != NULL) {
		len = (size_t)(nl - p->in);
		if (len > 0 && p->in[len - 1] == '\r')
			len--;
		poller_answer(b, p, p->in, len, now);
		len = (size_t)(nl - p->in) + 1;
		memmove(p->in, p->in + len, p->inlen - len);
		p->inlen -= len;
		poller_send(b, p, now, 1);
	}
	if (p->inlen == sizeof(p->in))
		poller_close(b, p, now);	/* no line end */
}

/* UDP: resend after the timeout. TCP: count stalls, reopen lost ones. */
static void
bench_scan(struct bench *b, int64_t now)
{
	struct poller	*p;
	int		 i;

	for (i = 0; i < b->conc; i++) {
		p = &b->p[i];
		if (b->tcp && p->fd < 0) {
			if (now - p->dead_ns >= BENCH_RECONNECT_NS &&
			    poller_open(b, p) == 0)
				poller_send(b, p, now, 1);
			continue;
		}
		if (now - p->resent_ns < b->timeout_ns)
			continue;
		if (b->tcp) {
			if (!p->late_counted && in_window(b, now))
				b->timeouts++;
			p->late_counted = 1;
			continue;
		}
		if (in_window(b, now))
			b->timeouts++;
		poller_send(b, p, now, 0);
	}
}

static __attribute__((noreturn)) void
usage(void)
{
	fprintf(stderr, "usage: faildbench -u|-t [-es] [-c conc] [-d seconds] "
	    "[-n name] [-T timeout_ms]\n"
	    "                  [-w warmup_seconds] host port\n");
	exit(2);
}

static double
number(const char *s, double min, double max)
{
	char	*end;
	double	 v = strtod(s, &end);

	if (*s == '\0' || *end != '\0' || v < min || v > max)
		usage();
	return v;
}

int
main(int argc, char *argv[])
{
	struct bench		*b;
	struct epoll_event	 evs[256];
	struct addrinfo		 hints, *res;
	int64_t			 now, last_scan;
	double			 secs;
	int			 ch, i, n, rc, proto = 0;

	if ((b = calloc(1, sizeof(*b))) == NULL) {
		perror("faildbench");
		return 1;
	}
	b->conc = 1;
	b->duration_s = 5;
	b->warmup_s = 1;
	b->timeout_ns = 200 * 1000000LL;
	b->name = "www";
	while ((ch = getopt(argc, argv, "c:d:en:sT:tuw:")) != -1) {
		switch (ch) {
		case 'c':
			b->conc = (int)number(optarg, 1, BENCH_MAX_CONC);
			break;
		case 'd':
			b->duration_s = number(optarg, 0.1, 3600);
			break;
		case 'e':
			b->echo = 1;
			break;
		case 'n':
			b->name = optarg;
			if (strlen(b->name) > 64)
				usage();
			break;
		case 's':
			b->set = 1;
			break;
		case 'T':
			b->timeout_ns = (int64_t)(number(optarg, 1, 60000) *
			    1e6);
			break;
		case 't':
			b->tcp = 1;
			proto++;
			break;
		case 'u':
			b->tcp = 0;
			proto++;
			break;
		case 'w':
			b->warmup_s = number(optarg, 0, 60);
			break;
		default:
			usage();
		}
	}
	if (proto != 1 || argc - optind != 2)
		usage();

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = b->tcp ? SOCK_STREAM : SOCK_DGRAM;
	if ((rc = getaddrinfo(argv[optind], argv[optind + 1], &hints,
	    &res)) != 0) {
		fprintf(stderr, "faildbench: %s port %s: %s\n", argv[optind],
		    argv[optind + 1], gai_strerror(rc));
		return 2;
	}
	memcpy(&b->addr, res->ai_addr, res->ai_addrlen);
	b->addrlen = res->ai_addrlen;
	freeaddrinfo(res);

	if ((b->ep = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    (b->p = calloc((size_t)b->conc, sizeof(*b->p))) == NULL) {
		perror("faildbench");
		return 1;
	}
	now = mono_ns();
	b->t_start = now + (int64_t)(b->warmup_s * 1e9);
	b->t_end = b->t_start + (int64_t)(b->duration_s * 1e9);
	for (i = 0; i < b->conc; i++) {
		b->p[i].idx = (unsigned)i;
		if (poller_open(b, &b->p[i]) < 0) {
			fprintf(stderr, "faildbench: cannot connect to %s "
			    "port %s: %s\n", argv[optind], argv[optind + 1],
			    strerror(errno));
			return 3;
		}
	}
	now = mono_ns();
	for (i = 0; i < b->conc; i++)
		poller_send(b, &b->p[i], now, 1);

	last_scan = now;
	while (now < b->t_end) {
		n = epoll_wait(b->ep, evs, 256, 5);
		if (n < 0 && errno != EINTR) {
			perror("faildbench: epoll_wait");
			return 1;
		}
		for (i = 0; i < n; i++) {
			if (b->tcp)
				poller_readable_tcp(b, evs[i].data.ptr);
			else
				poller_readable_udp(b, evs[i].data.ptr);
		}
		now = mono_ns();
		if (now - last_scan >= BENCH_SCAN_NS) {
			bench_scan(b, now);
			last_scan = now;
		}
	}

	secs = (double)(b->t_end - b->t_start) / 1e9;
	printf("faildbench: %s%s conc=%d secs=%.2f answers=%" PRIu64
	    " qps=%.0f p50_us=%.1f p99_us=%.1f max_us=%.1f errors=%" PRIu64
	    " timeouts=%" PRIu64 " late=%" PRIu64 "\n",
	    b->tcp ? "tcp" : "udp", b->echo ? " echo" : "", b->conc, secs,
	    b->answers, (double)b->answers / secs,
	    hist_quantile(b, 0.50) / 1e3, hist_quantile(b, 0.99) / 1e3,
	    (double)b->max_ns / 1e3, b->errors, b->timeouts, b->late);
	return b->answers == 0 ? 3 : 0;
}
