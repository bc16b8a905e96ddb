/*
 * failover_probe.c: the small client of bench/failover.sh.
 *
 * failover_probe ask [-t] address port line...
 *	Sends each line to a faild (UDP, or TCP with -t: one connection) and
 *	prints each answer line. Exit 0 if every line was answered, 1 if
 *	not (after 3 tries of 300 ms each over UDP, 2 s over TCP).
 *
 * failover_probe watch [-s signal] [-i poll_us] [-T timeout_ms]
 *	address port service pid...
 *	Reads CLOCK_REALTIME, sends the signal (default KILL) to every pid,
 *	back to back, then asks the faild at address:port "ID get service"
 *	over UDP every poll_us microseconds (default 1000) until it answers
 *	UP. Prints one line:
 *	    kill_us=K seen_us=S changed_ms=C polls=N answers=A setter=X
 *	K: realtime just before the first kill(), in microseconds; S: when
 *	the first UP answer arrived; C: the service's changed_ms in that
 *	answer (faild's own CLOCK_REALTIME when it took the change). Exit 0,
 *	or 1 (with kill_us and "timeout") if no UP came within timeout_ms
 *	(default 30000).
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

static int64_t
now_us(clockid_t clk)
{
	struct timespec	ts;

	clock_gettime(clk, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
usage(void)
{
	fprintf(stderr, "usage: failover_probe ask [-t] address port line...\n"
	    "       failover_probe watch [-s signal] [-i poll_us] "
	    "[-T timeout_ms] address port service pid...\n");
	exit(2);
}

static int
open_sock(const char *addr, const char *port, int type)
{
	struct sockaddr_in	sin;
	int			fd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)atoi(port));
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
		fprintf(stderr, "failover_probe: bad address %s\n", addr);
		exit(2);
	}
	if ((fd = socket(AF_INET, type, 0)) < 0) {
		perror("failover_probe: socket");
		exit(2);
	}
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		if (type == SOCK_STREAM) {
			close(fd);
			return -1;
		}
		perror("failover_probe: connect");
		exit(2);
	}
	return fd;
}

/* One request over a connected UDP socket; the answer in buf, or -1. */
static int
udp_ask(int fd, const char *id, const char *line, char *buf, size_t len,
    int timeout_ms)
{
	struct pollfd	pfd = { .fd = fd, .events = POLLIN };
	char		req[600];
	ssize_t		n;
	int64_t		deadline;
	int		left;

	snprintf(req, sizeof(req), "%s %s\n", id, line);
	if (send(fd, req, strlen(req), 0) < 0)
		return -1;
	deadline = now_us(CLOCK_MONOTONIC) + (int64_t)timeout_ms * 1000;
	for (;;) {
		left = (int)((deadline - now_us(CLOCK_MONOTONIC) + 999) / 1000);
		if (left <= 0 || poll(&pfd, 1, left) <= 0)
			return -1;
		if ((n = recv(fd, buf, len - 1, 0)) < 0)
			return -1;	/* ECONNREFUSED: nobody there (yet) */
		buf[n] = '\0';
		buf[strcspn(buf, "\r\n")] = '\0';
		if (strncmp(buf, id, strlen(id)) == 0 &&
		    buf[strlen(id)] == ' ')
			return 0;	/* else a late answer: skip it */
	}
}

static int
cmd_ask(int argc, char **argv)
{
	char	buf[65536], id[32];
	int	tcp = 0, i, try, fd, rc = 0;

	if (argc > 1 && strcmp(argv[1], "-t") == 0) {
		tcp = 1;
		argc--;
		argv++;
	}
	if (argc < 4)
		usage();
	if (tcp) {
		FILE	*in, *out;

		if ((fd = open_sock(argv[1], argv[2], SOCK_STREAM)) < 0)
			return 1;
		in = fdopen(fd, "r");
		out = fdopen(dup(fd), "w");
		struct timeval tv = { 2, 0 };
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		for (i = 3; i < argc; i++)
			fprintf(out, "%d %s\n", i, argv[i]);
		fflush(out);
		for (i = 3; i < argc; i++) {
			if (fgets(buf, sizeof(buf), in) == NULL)
				return 1;
			fputs(buf, stdout);
		}
		return 0;
	}
	fd = open_sock(argv[1], argv[2], SOCK_DGRAM);
	for (i = 3; i < argc; i++) {
		for (try = 0; try < 3; try++) {
			snprintf(id, sizeof(id), "a%d.%d", i, try);
			if (udp_ask(fd, id, argv[i], buf, sizeof(buf),
			    300) == 0)
				break;
		}
		if (try == 3) {
			rc = 1;
			continue;
		}
		printf("%s\n", buf);
	}
	return rc;
}

static int
cmd_watch(int argc, char **argv)
{
	char		buf[1024], id[32], state[16], setter[256];
	char		svc[128], line[200], name[128];
	int		sig = SIGKILL, poll_us = 1000, timeout_ms = 30000;
	int		ch, fd, i, answers = 0;
	long long	changed;
	int64_t		kill_us, seen_us, next, deadline, polls = 0;

	optind = 1;
	while ((ch = getopt(argc, argv, "s:i:T:")) != -1) {
		switch (ch) {
		case 's':
			if (strcmp(optarg, "KILL") == 0)
				sig = SIGKILL;
			else if (strcmp(optarg, "STOP") == 0)
				sig = SIGSTOP;
			else if ((sig = atoi(optarg)) <= 0)
				usage();
			break;
		case 'i':
			poll_us = atoi(optarg);
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
	if (argc < 4 || poll_us < 1)
		usage();
	snprintf(svc, sizeof(svc), "%s", argv[2]);
	snprintf(line, sizeof(line), "get %s", svc);
	fd = open_sock(argv[0], argv[1], SOCK_DGRAM);

	kill_us = now_us(CLOCK_REALTIME);
	for (i = 3; i < argc; i++)
		if (kill((pid_t)atoi(argv[i]), sig) < 0)
			fprintf(stderr, "failover_probe: kill %s: %s\n",
			    argv[i], strerror(errno));
	deadline = now_us(CLOCK_MONOTONIC) + (int64_t)timeout_ms * 1000;
	next = now_us(CLOCK_MONOTONIC);
	for (;;) {
		int64_t	m = now_us(CLOCK_MONOTONIC);

		if (m > deadline) {
			printf("kill_us=%lld timeout polls=%lld answers=%d\n",
			    (long long)kill_us, (long long)polls, answers);
			return 1;
		}
		if (m < next) {
			struct timespec ts = { 0, (long)(next - m) * 1000 };

			nanosleep(&ts, NULL);
		}
		next += poll_us;
		if (next < m)
			next = m;	/* fell behind: no burst to catch up */
		snprintf(id, sizeof(id), "w%lld", (long long)++polls);
		if (udp_ask(fd, id, line, buf, sizeof(buf),
		    poll_us / 1000 > 50 ? poll_us / 1000 : 50) < 0)
			continue;
		seen_us = now_us(CLOCK_REALTIME);
		answers++;
		/* "ID OK name state changed_ms setter" */
		if (sscanf(buf, "%*s OK %127s %15s %lld %255s", name, state,
		    &changed, setter) != 4 || strcmp(state, "UP") != 0)
			continue;
		printf("kill_us=%lld seen_us=%lld changed_ms=%lld polls=%lld "
		    "answers=%d setter=%s\n", (long long)kill_us,
		    (long long)seen_us, changed, (long long)polls, answers,
		    setter);
		return 0;
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
	if (strcmp(argv[1], "watch") == 0)
		return cmd_watch(argc - 1, argv + 1);
	usage();
	return 2;
}
