/*
 * dns_change_probe.c: the small DNS client of bench/dns.sh: how long a
 * change takes to reach a DNS answer, from a state set in faild (flip) or
 * from the death of a server (watch); and one query (ask).
 *
 * dns_change_probe ask [-r] address port qname
 *	One A query over UDP (3 tries of 300 ms). Prints the rcode and the
 *	answer's addresses in order ("NOERROR 127.0.0.10"). Exit 0 if
 *	answered, 1 if not. -r sets RD (for a resolver).
 *
 * dns_change_probe flip [-v] [-n changes] [-i poll_us] [-g gap_ms]
 *	[-T timeout_ms] faild_addr faild_port service dns_addr dns_port qname
 *	changes times (200): sends "ID set service FAIL" (then UP, in turn)
 *	to faild over UDP, unsigned, and from that moment asks the DNS
 *	server for qname's A every poll_us (100) with a new id each time,
 *	until an answer (to a query sent after the set) holds another set
 *	of addresses than before; then waits gap_ms (20) and flips back.
 *	The time is from just before the set's send to that answer
 *	(CLOCK_MONOTONIC). Prints one line:
 *	    changes=N timeouts=T p50_ms= p99_ms= max_ms= ack_p50_ms=
 *	    ack_p99_ms= after_p50_ms= after_p99_ms= queries=Q
 *	where ack is faild's answer to the set (written to its journal) and
 *	after the time from that answer to the DNS answer's (negative when
 *	the DNS answer came first).
 *	-v: one line per change on stderr. Exit 1 if a change timed out.
 *
 * dns_change_probe watch [-r] [-i poll_us] [-T timeout_ms] [-k pid]
 *	address port qname expect
 *	Reads CLOCK_REALTIME, sends SIGKILL to pid (-k), then asks qname's
 *	A every poll_us (10000) with a new id until an answer holds the
 *	address expect. Prints: kill_us=K seen_us=S ms=M queries=Q
 *	answers=A others=O (answers without expect: the old address,
 *	SERVFAIL...). Exit 1 (with "timeout") after timeout_ms (60000).
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_ADDRS	32
#define MAX_CHANGES	100000

struct answer {
	uint16_t	id;
	int		rcode;
	int		naddrs;
	uint32_t	addrs[MAX_ADDRS];	/* network order, sorted */
	uint32_t	order[MAX_ADDRS];	/* as they came */
};

static const char *rcodes[] = { "NOERROR", "FORMERR", "SERVFAIL",
    "NXDOMAIN", "NOTIMP", "REFUSED" };

static int64_t
now_us(clockid_t clk)
{
	struct timespec	ts;

	clock_gettime(clk, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
sleep_until(int64_t mono_us)
{
	int64_t		m = now_us(CLOCK_MONOTONIC);
	struct timespec	ts;

	if (m >= mono_us)
		return;
	ts.tv_sec = (mono_us - m) / 1000000;
	ts.tv_nsec = (long)((mono_us - m) % 1000000) * 1000;
	nanosleep(&ts, NULL);
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: dns_change_probe ask [-r] address port qname\n"
	    "       dns_change_probe flip [-v] [-n changes] [-i poll_us] "
	    "[-g gap_ms] [-T timeout_ms]\n"
	    "           faild_addr faild_port service dns_addr dns_port "
	    "qname\n"
	    "       dns_change_probe watch [-r] [-i poll_us] [-T timeout_ms] "
	    "[-k pid]\n"
	    "           address port qname expect\n");
	exit(2);
}

static int
open_udp(const char *addr, const char *port)
{
	struct sockaddr_in	sin;
	int			fd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)atoi(port));
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
		fprintf(stderr, "dns_change_probe: bad address %s\n", addr);
		exit(2);
	}
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		perror("dns_change_probe: socket");
		exit(2);
	}
	return fd;
}

/* qname in text to a query with id in buf; returns its length. */
static size_t
query_make(uint8_t *buf, uint16_t id, const char *qname, int rd)
{
	size_t		n = 12, l;
	const char	*p = qname, *dot;

	memset(buf, 0, 12);
	buf[0] = id >> 8;
	buf[1] = id & 0xff;
	buf[2] = rd ? 0x01 : 0x00;
	buf[5] = 1;				/* QDCOUNT */
	while (*p != '\0') {
		dot = strchr(p, '.');
		l = dot ? (size_t)(dot - p) : strlen(p);
		if (l == 0 || l > 63) {
			fprintf(stderr, "dns_change_probe: bad name %s\n",
			    qname);
			exit(2);
		}
		buf[n++] = (uint8_t)l;
		memcpy(buf + n, p, l);
		n += l;
		p += l;
		if (*p == '.')
			p++;
	}
	buf[n++] = 0;
	buf[n++] = 0;				/* QTYPE A */
	buf[n++] = 1;
	buf[n++] = 0;				/* QCLASS IN */
	buf[n++] = 1;
	return n;
}

/* Skips a (possibly compressed) name at *off; -1 if malformed. */
static int
name_skip(const uint8_t *m, size_t len, size_t *off)
{
	size_t	o = *off;

	while (o < len) {
		if (m[o] == 0) {
			*off = o + 1;
			return 0;
		}
		if ((m[o] & 0xc0) == 0xc0) {
			if (o + 2 > len)
				return -1;
			*off = o + 2;
			return 0;
		}
		o += 1 + m[o];
	}
	return -1;
}

static int
addr_cmp(const void *a, const void *b)
{
	uint32_t	x = ntohl(*(const uint32_t *)a);
	uint32_t	y = ntohl(*(const uint32_t *)b);

	return x < y ? -1 : x > y;
}

/* A response in m to *a; -1 if it is not one. */
static int
answer_parse(const uint8_t *m, size_t len, struct answer *a)
{
	size_t		off = 12;
	int		qd, an, i;
	uint16_t	type, rdlen;

	if (len < 12 || (m[2] & 0x80) == 0)
		return -1;
	a->id = (uint16_t)(m[0] << 8 | m[1]);
	a->rcode = m[3] & 0x0f;
	a->naddrs = 0;
	qd = m[4] << 8 | m[5];
	an = m[6] << 8 | m[7];
	for (i = 0; i < qd; i++) {
		if (name_skip(m, len, &off) < 0 || off + 4 > len)
			return -1;
		off += 4;
	}
	for (i = 0; i < an; i++) {
		if (name_skip(m, len, &off) < 0 || off + 10 > len)
			return -1;
		type = (uint16_t)(m[off] << 8 | m[off + 1]);
		rdlen = (uint16_t)(m[off + 8] << 8 | m[off + 9]);
		off += 10;
		if (off + rdlen > len)
			return -1;
		if (type == 1 && rdlen == 4 && a->naddrs < MAX_ADDRS) {
			memcpy(&a->order[a->naddrs], m + off, 4);
			a->addrs[a->naddrs] = a->order[a->naddrs];
			a->naddrs++;
		}
		off += rdlen;
	}
	qsort(a->addrs, (size_t)a->naddrs, sizeof(a->addrs[0]), addr_cmp);
	return 0;
}

static int
answer_same(const struct answer *a, const struct answer *b)
{
	return a->rcode == b->rcode && a->naddrs == b->naddrs &&
	    memcmp(a->addrs, b->addrs, sizeof(a->addrs[0]) *
	    (size_t)a->naddrs) == 0;
}

static void
answer_print(FILE *f, const struct answer *a)
{
	char	buf[INET_ADDRSTRLEN];
	int	i;

	if (a->rcode < (int)(sizeof(rcodes) / sizeof(rcodes[0])))
		fputs(rcodes[a->rcode], f);
	else
		fprintf(f, "RCODE%d", a->rcode);
	for (i = 0; i < a->naddrs; i++)
		fprintf(f, " %s", inet_ntop(AF_INET, &a->order[i], buf,
		    sizeof(buf)));
	fputc('\n', f);
}

/*
 * Reads every pending datagram on fd; the last response to one of the
 * nsent queries sent since the one with id first into *a (ids grow by one
 * a query, mod 2^16: past 65535 queries any id is one of them).
 */
static int
answers_drain(int fd, struct answer *a, uint16_t first, long long nsent,
    int *count)
{
	uint8_t		buf[4096];
	struct answer	t;
	ssize_t		n;
	int		got = 0;

	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		if (answer_parse(buf, (size_t)n, &t) < 0)
			continue;
		if (nsent < 65536 && (uint16_t)(t.id - first) >= nsent)
			continue;	/* stale: from before first */
		(*count)++;
		*a = t;
		got = 1;
	}
	return got;
}

static int
ask(int fd, const char *qname, int rd, uint16_t id, struct answer *a,
    int timeout_ms)
{
	struct pollfd	pfd = { .fd = fd, .events = POLLIN };
	uint8_t		q[512];
	size_t		ql;
	int		try, count = 0;

	for (try = 0; try < 3; try++, id++) {
		ql = query_make(q, id, qname, rd);
		if (send(fd, q, ql, 0) < 0)
			return -1;
		while (poll(&pfd, 1, timeout_ms) > 0)
			if (answers_drain(fd, a, id, 1, &count) &&
			    a->id == id)
				return 0;
	}
	return -1;
}

static int
cmd_ask(int argc, char **argv)
{
	struct answer	a;
	int		rd = 0, ch, fd;

	optind = 1;
	while ((ch = getopt(argc, argv, "r")) != -1) {
		if (ch != 'r')
			usage();
		rd = 1;
	}
	argc -= optind;
	argv += optind;
	if (argc != 3)
		usage();
	fd = open_udp(argv[0], argv[1]);
	if (ask(fd, argv[2], rd, (uint16_t)getpid(), &a, 300) < 0)
		return 1;
	answer_print(stdout, &a);
	return 0;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank. */
static double
pct_ms(int64_t *v, int n, int p)
{
	int	r;

	if (n == 0)
		return -1;
	r = (p * n + 99) / 100;
	if (r < 1)
		r = 1;
	return v[r - 1] / 1000.0;
}

static int
cmd_flip(int argc, char **argv)
{
	struct answer	 base, a;
	char		 req[200], ack[512];
	uint8_t		 q[512];
	int64_t		*lat, *acks, *after, t0, next, deadline, tack;
	int		 n = 200, poll_us = 100, gap_ms = 20, timeout_ms = 5000;
	int		 verbose = 0, ch, ffd, dfd, i, nlat = 0, nack = 0;
	int		 timeouts = 0, count;
	long long	 queries = 0;
	uint16_t	 id = (uint16_t)getpid(), first;
	ssize_t		 r;
	size_t		 ql;

	optind = 1;
	while ((ch = getopt(argc, argv, "vn:i:g:T:")) != -1) {
		switch (ch) {
		case 'v':
			verbose = 1;
			break;
		case 'n':
			n = atoi(optarg);
			break;
		case 'i':
			poll_us = atoi(optarg);
			break;
		case 'g':
			gap_ms = atoi(optarg);
			break;
		case 'T':
			timeout_ms = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 6 || n < 1 || n > MAX_CHANGES || poll_us < 1)
		usage();
	ffd = open_udp(argv[0], argv[1]);
	dfd = open_udp(argv[3], argv[4]);
	lat = calloc((size_t)n, sizeof(*lat));
	acks = calloc((size_t)n, sizeof(*acks));
	after = calloc((size_t)n, sizeof(*after));
	if (lat == NULL || acks == NULL || after == NULL) {
		perror("dns_change_probe");
		return 2;
	}
	if (ask(dfd, argv[5], 0, id, &base, 300) < 0) {
		fprintf(stderr, "dns_change_probe: %s:%s does not answer\n",
		    argv[3], argv[4]);
		return 1;
	}
	id += 3;
	for (i = 0; i < n; i++) {
		snprintf(req, sizeof(req), "f%d set %s %s\n", i, argv[2],
		    i % 2 == 0 ? "FAIL" : "UP");
		first = id;
		tack = -1;
		t0 = now_us(CLOCK_MONOTONIC);
		if (send(ffd, req, strlen(req), 0) < 0) {
			perror("dns_change_probe: send to faild");
			return 2;
		}
		deadline = t0 + (int64_t)timeout_ms * 1000;
		next = t0;
		for (;;) {
			int64_t	m;

			count = 0;
			ql = query_make(q, id++, argv[5], 0);
			(void)send(dfd, q, ql, 0);
			queries++;
			next += poll_us;
			/* wait for answers until the next query is due */
			for (;;) {
				struct pollfd	pfd[2] = {
					{ .fd = dfd, .events = POLLIN },
					{ .fd = ffd, .events = POLLIN } };
				struct timespec	ts;

				m = now_us(CLOCK_MONOTONIC);
				if (m >= next)
					break;
				/* ppoll: a finer timeout than poll's ms */
				ts.tv_sec = (next - m) / 1000000;
				ts.tv_nsec = (long)((next - m) % 1000000) * 1000;
				if (ppoll(pfd, 2, &ts, NULL) <= 0)
					continue;
				if (pfd[1].revents & POLLIN) {
					r = recv(ffd, ack, sizeof(ack) - 1,
					    MSG_DONTWAIT);
					if (r > 0 && tack < 0) {
						ack[r] = '\0';
						if (strstr(ack, " OK ") == NULL)
							fprintf(stderr,
							    "dns_change_probe:"
							    " faild: %s", ack);
						tack = now_us(
						    CLOCK_MONOTONIC) - t0;
					}
				}
				if ((pfd[0].revents & POLLIN) &&
				    answers_drain(dfd, &a, first,
				    (uint16_t)(id - first) == 0 ? 65536 :
				    (uint16_t)(id - first), &count) &&
				    !answer_same(&a, &base))
					goto changed;
			}
			if (m > deadline)
				break;
		}
		timeouts++;
		if (verbose)
			fprintf(stderr, "change %d: timeout\n", i);
		/* learn the current answer again */
		if (ask(dfd, argv[5], 0, id, &base, 300) == 0)
			id += 3;
		continue;
changed:
		lat[nlat++] = now_us(CLOCK_MONOTONIC) - t0;
		if (tack < 0) {
			/* faild's answer may come after the DNS change */
			struct pollfd	pfd = { .fd = ffd, .events = POLLIN };

			if (poll(&pfd, 1, 1000) > 0 &&
			    recv(ffd, ack, sizeof(ack), 0) > 0)
				tack = now_us(CLOCK_MONOTONIC) - t0;
		}
		if (tack >= 0) {
			after[nack] = lat[nlat - 1] - tack;
			acks[nack++] = tack;
		}
		if (verbose) {
			fprintf(stderr, "change %d: %.3f ms (ack %.3f ms): ",
			    i, lat[nlat - 1] / 1000.0, tack / 1000.0);
			answer_print(stderr, &a);
		}
		base = a;
		sleep_until(now_us(CLOCK_MONOTONIC) + (int64_t)gap_ms * 1000);
		/* stale answers of this change must not count for the next */
		while (recv(dfd, q, sizeof(q), MSG_DONTWAIT) > 0)
			;
		while (recv(ffd, ack, sizeof(ack), MSG_DONTWAIT) > 0)
			;
	}
	qsort(lat, (size_t)nlat, sizeof(*lat), cmp_i64);
	qsort(acks, (size_t)nack, sizeof(*acks), cmp_i64);
	qsort(after, (size_t)nack, sizeof(*after), cmp_i64);
	printf("changes=%d timeouts=%d p50_ms=%.3f p99_ms=%.3f max_ms=%.3f "
	    "ack_p50_ms=%.3f ack_p99_ms=%.3f after_p50_ms=%.3f "
	    "after_p99_ms=%.3f queries=%lld\n", nlat, timeouts,
	    pct_ms(lat, nlat, 50), pct_ms(lat, nlat, 99),
	    nlat ? lat[nlat - 1] / 1000.0 : -1, pct_ms(acks, nack, 50),
	    pct_ms(acks, nack, 99), pct_ms(after, nack, 50),
	    pct_ms(after, nack, 99), queries);
	return timeouts ? 1 : 0;
}

static int
cmd_watch(int argc, char **argv)
{
	struct answer	a;
	struct in_addr	expect;
	uint8_t		q[512];
	int		rd = 0, poll_us = 10000, timeout_ms = 60000, ch, fd, i;
	int		answers = 0, others = 0, count;
	pid_t		pid = 0;
	uint16_t	id = (uint16_t)getpid(), first;
	int64_t		kill_us, t0, next, deadline;
	long long	queries = 0;
	size_t		ql;

	optind = 1;
	while ((ch = getopt(argc, argv, "ri:T:k:")) != -1) {
		switch (ch) {
		case 'r':
			rd = 1;
			break;
		case 'i':
			poll_us = atoi(optarg);
			break;
		case 'T':
			timeout_ms = atoi(optarg);
			break;
		case 'k':
			pid = (pid_t)atoi(optarg);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 4 || poll_us < 1)
		usage();
	if (inet_pton(AF_INET, argv[3], &expect) != 1) {
		fprintf(stderr, "dns_change_probe: bad address %s\n", argv[3]);
		return 2;
	}
	fd = open_udp(argv[0], argv[1]);
	first = id;
	kill_us = now_us(CLOCK_REALTIME);
	t0 = now_us(CLOCK_MONOTONIC);
	if (pid > 0 && kill(pid, SIGKILL) < 0)
		fprintf(stderr, "dns_change_probe: kill %d: %s\n", (int)pid,
		    strerror(errno));
	deadline = t0 + (int64_t)timeout_ms * 1000;
	next = t0;
	for (;;) {
		struct pollfd	pfd = { .fd = fd, .events = POLLIN };
		int64_t		m = now_us(CLOCK_MONOTONIC);

		if (m > deadline) {
			printf("kill_us=%lld timeout queries=%lld answers=%d "
			    "others=%d\n", (long long)kill_us, queries,
			    answers, others);
			return 1;
		}
		if (m >= next) {
			ql = query_make(q, id++, argv[2], rd);
			(void)send(fd, q, ql, 0);
			queries++;
			next += poll_us;
			if (next < m)
				next = m;	/* no burst to catch up */
		}
		m = now_us(CLOCK_MONOTONIC);
		if (poll(&pfd, 1, (int)((next - m + 999) / 1000)) <= 0)
			continue;
		while (count = 0, answers_drain(fd, &a, first, queries,
		    &count)) {
			answers += count;
			for (i = 0; i < a.naddrs; i++)
				if (a.addrs[i] == expect.s_addr)
					break;
			if (i < a.naddrs) {
				int64_t	seen = now_us(CLOCK_REALTIME);

				printf("kill_us=%lld seen_us=%lld ms=%.1f "
				    "queries=%lld answers=%d others=%d\n",
				    (long long)kill_us, (long long)seen,
				    (seen - kill_us) / 1000.0, queries,
				    answers, others);
				return 0;
			}
			others += count;
		}
	}
}

int
main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		usage();
	if (strcmp(argv[1], "ask") == 0)
		return cmd_ask(argc - 1, argv + 1);
	if (strcmp(argv[1], "flip") == 0)
		return cmd_flip(argc - 1, argv + 1);
	if (strcmp(argv[1], "watch") == 0)
		return cmd_watch(argc - 1, argv + 1);
	usage();
	return 2;
}
