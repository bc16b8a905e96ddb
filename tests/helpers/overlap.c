/*
 * overlap.c: the overlap checker of the etcd fault tests (issue 14). Owner
 * loops mark each start and stop of a service with "overlap mark": one line
 * "mono_ns host service start|stop" appended (O_APPEND, one write) to a log
 * shared by every namespace, on this machine's CLOCK_MONOTONIC, which the
 * namespaces share. "overlap check" sorts the log and reports every
 * interval during which two hosts ran the same service. test_overlap.c
 * includes this file with OVERLAP_NO_MAIN defined.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "xmalloc.h"

#define OVERLAP_NAME_MAX	64	/* host and service names, bytes */

struct overlap_event {
	int64_t	 t_ns;
	char	 host[OVERLAP_NAME_MAX];
	char	 service[OVERLAP_NAME_MAX];
	int	 start;			/* 1 start, 0 stop */
	size_t	 line;			/* in the log, from 1 */
};

struct overlap_log {
	struct overlap_event	*ev;		/* owned */
	size_t			 n, cap;
};

/* What check found, besides what it printed. */
struct overlap_result {
	int	services, starts, stops;
	int	overlaps;		/* intervals with two owners or more */
	int	gaps_over;		/* gaps without owner over the bound */
	int	notes;			/* stop without start, double start */
};

static int
overlap_name_ok(const char *s)
{
	size_t	len = strlen(s);

	return len > 0 && len < OVERLAP_NAME_MAX &&
	    strcspn(s, " \t\r\n") == len;
}

/*
 * overlap_mark --
 *	Append "mono_ns HOST SERVICE start|stop" to PATH (created 0644).
 *
 * Results:
 *	0, or -1 with ERR filled in.
 *
 * Side effects:
 *	One write(2) on a descriptor opened with O_APPEND: lines from
 *	several processes never interleave.
 */
static int
overlap_mark(const char *path, const char *host, const char *service,
    const char *what, char *err, size_t errlen)
{
	struct timespec	 ts;
	char		 line[256];
	int		 fd, len;
	ssize_t		 w;

	if (!overlap_name_ok(host) || !overlap_name_ok(service)) {
		snprintf(err, errlen, "names are 1 to %d bytes without blanks",
		    OVERLAP_NAME_MAX - 1);
		return -1;
	}
	if (strcmp(what, "start") != 0 && strcmp(what, "stop") != 0) {
		snprintf(err, errlen, "\"%s\": start or stop expected", what);
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	len = snprintf(line, sizeof(line), "%" PRId64 " %s %s %s\n",
	    (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec, host, service, what);
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0644)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	w = write(fd, line, (size_t)len);
	if (w != len) {
		snprintf(err, errlen, "%s: %s", path, w == -1 ?
		    strerror(errno) : "short write");
		close(fd);
		return -1;
	}
	return close(fd) == 0 ? 0 : -1;
}

static void
overlap_log_free(struct overlap_log *log)
{
	free(log->ev);
	memset(log, 0, sizeof(*log));
}

/*
 * overlap_parse --
 *	Read the lines of IN (named NAME in messages) into LOG. Empty lines
 *	and a last line without its line end (a mark being written) are
 *	left out.
 *
 * Results:
 *	0, or -1 with "NAME:LINE: what is wrong" in ERR.
 */
static int
overlap_parse(FILE *in, const char *name, struct overlap_log *log,
    char *err, size_t errlen)
{
	struct overlap_event	 e;
	char			 buf[512], what[16], extra[2];
	size_t			 line = 0;
	long long		 t;

	while (fgets(buf, sizeof(buf), in) != NULL) {
		line++;
		if (strchr(buf, '\n') == NULL) {
			if (!feof(in)) {
				snprintf(err, errlen, "%s:%zu: line too long",
				    name, line);
				return -1;
			}
			break;
		}
		if (strspn(buf, " \t\r\n") == strlen(buf))
			continue;
		memset(&e, 0, sizeof(e));
		if (sscanf(buf, "%lld %63s %63s %15s %1s", &t, e.host,
		    e.service, what, extra) != 4 || t < 0 ||
		    (strcmp(what, "start") != 0 && strcmp(what, "stop") != 0)) {
			snprintf(err, errlen, "%s:%zu: expected \"mono_ns host "
			    "service start|stop\"", name, line);
			return -1;
		}
		e.t_ns = t;
		e.start = what[2] == 'a';
		e.line = line;
		if (log->n == log->cap) {
			log->cap = log->cap ? log->cap * 2 : 64;
			log->ev = xrealloc(log->ev, log->cap * sizeof(*log->ev));
		}
		log->ev[log->n++] = e;
	}
	return 0;
}

/* By service, then time; at one instant stops before starts, then file
 * order. */
static int
overlap_cmp(const void *a, const void *b)
{
	const struct overlap_event	*x = a, *y = b;
	int				 c = strcmp(x->service, y->service);

	if (c != 0)
		return c;
	if (x->t_ns != y->t_ns)
		return x->t_ns < y->t_ns ? -1 : 1;
	if (x->start != y->start)
		return x->start - y->start;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* A set of host names (borrowed from the log's events). */
struct overlap_hosts {
	const char	**h;		/* owned array, borrowed strings */
	size_t		  n, cap;
};

static int
overlap_hosts_find(struct overlap_hosts *s, const char *host)
{
	size_t	i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->h[i], host) == 0)
			return (int)i;
	return -1;
}

static void
overlap_hosts_add(struct overlap_hosts *s, const char *host)
{
	if (overlap_hosts_find(s, host) >= 0)
		return;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 8;
		s->h = xrealloc(s->h, s->cap * sizeof(*s->h));
	}
	s->h[s->n++] = host;
}

static void
overlap_hosts_print(struct overlap_hosts *s, FILE *out)
{
	size_t	i;

	for (i = 0; i < s->n; i++)
		fprintf(out, "%s%s", i ? "," : "", s->h[i]);
}

static double
ms_of(int64_t ns)
{
	return ns / 1e6;
}

/*
 * overlap_service --
 *	Check the events EV[0..N) of one service (sorted): the intervals
 *	with two or more hosts running it, and with BOUND_NS >= 0 the gaps
 *	without an owner (from a last stop to the next start) longer than
 *	that. END_NS is the log's last instant, where an overlap still open
 *	ends.
 *
 * Results:
 *	Counts added to R.
 *
 * Side effects:
 *	One line per overlap, gap and note, then the service's summary, on
 *	OUT.
 */
static void
overlap_service(struct overlap_event *ev, size_t n, int64_t bound_ns,
    int64_t end_ns, FILE *out, struct overlap_result *r)
{
	struct overlap_hosts	 run = { NULL, 0, 0 }, ov = { NULL, 0, 0 };
	struct overlap_hosts	 all = { NULL, 0, 0 };
	const char		*svc = ev[0].service;
	int64_t			 ov_from = 0, gap_from = -1, longest = -1;
	int			 starts = 0, stops = 0, overlaps = 0, i;
	size_t			 k;

	for (k = 0; k < n; k++) {
		struct overlap_event	*e = &ev[k];

		i = overlap_hosts_find(&run, e->host);
		if (e->start) {
			starts++;
			overlap_hosts_add(&all, e->host);
			if (i >= 0) {
				fprintf(out, "note service %s host %s: start "
				    "while running (line %zu)\n", svc, e->host,
				    e->line);
				r->notes++;
				continue;
			}
			overlap_hosts_add(&run, e->host);
			if (run.n == 1 && gap_from >= 0) {
				int64_t	gap = e->t_ns - gap_from;

				if (gap > longest)
					longest = gap;
				if (bound_ns >= 0 && gap > bound_ns) {
					fprintf(out, "gap service %s from %"
					    PRId64 " to %" PRId64 " (%.3f ms,"
					    " bound %.3f ms)\n", svc, gap_from,
					    e->t_ns, ms_of(gap),
					    ms_of(bound_ns));
					r->gaps_over++;
				}
				gap_from = -1;
			}
			if (run.n == 2) {
				ov_from = e->t_ns;
				ov.n = 0;
				overlap_hosts_add(&ov, run.h[0]);
			}
			if (run.n >= 2)
				overlap_hosts_add(&ov, e->host);
			continue;
		}
		stops++;
		if (i < 0) {
			fprintf(out, "note service %s host %s: stop without "
			    "start (line %zu)\n", svc, e->host, e->line);
			r->notes++;
			continue;
		}
		run.h[i] = run.h[--run.n];
		if (run.n == 1) {
			fprintf(out, "overlap service %s hosts ", svc);
			overlap_hosts_print(&ov, out);
			fprintf(out, " from %" PRId64 " to %" PRId64
			    " (%.3f ms)\n", ov_from, e->t_ns,
			    ms_of(e->t_ns - ov_from));
			overlaps++;
		}
		if (run.n == 0)
			gap_from = e->t_ns;
	}
	if (run.n >= 2) {
		fprintf(out, "overlap service %s hosts ", svc);
		overlap_hosts_print(&ov, out);
		fprintf(out, " from %" PRId64 " to end %" PRId64 " (%.3f ms,"
		    " no stop)\n", ov_from, end_ns, ms_of(end_ns - ov_from));
		overlaps++;
	}
	fprintf(out, "service %s starts %d stops %d hosts %zu overlaps %d "
	    "longest_gap_ms %.3f running_at_end ", svc, starts, stops, all.n,
	    overlaps, longest < 0 ? 0.0 : ms_of(longest));
	if (run.n == 0)
		fprintf(out, "-");
	overlap_hosts_print(&run, out);
	fprintf(out, "\n");
	r->services++;
	r->starts += starts;
	r->stops += stops;
	r->overlaps += overlaps;
	free(run.h);
	free(ov.h);
	free(all.h);
}

/*
 * overlap_check --
 *	Check every service of LOG (sorted here), with BOUND_MS >= 0 the
 *	bound on gaps without an owner too.
 *
 * Results:
 *	The number of problems (overlaps and gaps over the bound); the
 *	counts in R.
 *
 * Side effects:
 *	LOG's events are sorted; the report on OUT, closed by one line
 *	"services N starts N stops N overlaps N gaps_over_bound N".
 */
static int
overlap_check(struct overlap_log *log, int64_t bound_ms, FILE *out,
    struct overlap_result *r)
{
	int64_t	end_ns = 0;
	size_t	i, first;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < log->n; i++)
		if (log->ev[i].t_ns > end_ns)
			end_ns = log->ev[i].t_ns;
	if (log->n > 0)
		qsort(log->ev, log->n, sizeof(*log->ev), overlap_cmp);
	for (first = 0, i = 1; i <= log->n; i++) {
		if (i == log->n || strcmp(log->ev[i].service,
		    log->ev[first].service) != 0) {
			overlap_service(&log->ev[first], i - first,
			    bound_ms < 0 ? -1 : bound_ms * 1000000, end_ns,
			    out, r);
			first = i;
		}
	}
	fprintf(out, "services %d starts %d stops %d overlaps %d "
	    "gaps_over_bound %d\n", r->services, r->starts, r->stops,
	    r->overlaps, r->gaps_over);
	return r->overlaps + r->gaps_over;
}

#ifndef OVERLAP_NO_MAIN
static void
usage(void)
{
	fprintf(stderr, "usage: overlap mark LOGFILE HOST SERVICE start|stop\n"
	    "       overlap check LOGFILE [-b bound_ms]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct overlap_log	 log = { NULL, 0, 0 };
	struct overlap_result	 r;
	FILE			*in;
	char			 err[512], *end;
	long			 bound_ms = -1;
	int			 bad;

	if (argc == 6 && strcmp(argv[1], "mark") == 0) {
		if (overlap_mark(argv[2], argv[3], argv[4], argv[5], err,
		    sizeof(err)) == -1) {
			fprintf(stderr, "overlap: %s\n", err);
			return 1;
		}
		return 0;
	}
	if (argc != 3 && argc != 5)
		usage();
	if (strcmp(argv[1], "check") != 0)
		usage();
	if (argc == 5) {
		if (strcmp(argv[3], "-b") != 0)
			usage();
		bound_ms = strtol(argv[4], &end, 10);
		if (*argv[4] == '\0' || *end != '\0' || bound_ms < 0)
			usage();
	}
	if ((in = fopen(argv[2], "r")) == NULL) {
		fprintf(stderr, "overlap: %s: %s\n", argv[2], strerror(errno));
		return 2;
	}
	if (overlap_parse(in, argv[2], &log, err, sizeof(err)) == -1) {
		fprintf(stderr, "overlap: %s\n", err);
		fclose(in);
		overlap_log_free(&log);
		return 2;
	}
	fclose(in);
	bad = overlap_check(&log, bound_ms, stdout, &r);
	overlap_log_free(&log);
	return bad > 0 ? 1 : 0;
}
#endif
