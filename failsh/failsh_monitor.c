/*
 * failsh_monitor.c: what failsh shows of itself. The monitor port (1848)
 * pushes a full snapshot (hosts, services, peers) to every client on each
 * change, for failmon; the control port (1849, loopback by default)
 * answers failproto(5) requests for faildebug and failstat (with the etcd
 * backend, stats and show tell its lease and owners); SIGUSR1 writes the
 * snapshot to the dump file, kept open if it is a FIFO.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "failsh.h"
#include "log.h"
#include "serve.h"
#include "timeutil.h"
#include "xmalloc.h"

#define MONITOR_MIN_GAP_MS	20	/* coalesce bursts of changes */
#define MONITOR_WRITE_MS	5000
#define MONITOR_REFRESH_MS	1000	/* a snapshot at least this often */

static uint64_t			 monitor_gen;
static pth_mutex_t		 monitor_mutex = PTH_MUTEX_INIT;
static pth_cond_t		 monitor_cond = PTH_COND_INIT;
static int			 monitor_clients;

static const char *
peer_view_str(const struct failsh_service *s, const struct failsh_peer *p)
{
	return decide_view_str(decide_peer_view(&p->obs, s->deadcount));
}

/* The snapshot of failproto(5), "SNAPSHOT" to "END". */
static void
monitor_snapshot(struct pbuf *b)
{
	struct failsh_host	*h;
	struct failsh_service	*s;
	int64_t			 now = time_mono_ms(), next;
	size_t			 i;
	int			 r;

	pbuf_printf(b, "SNAPSHOT %" PRIu64 " %s %" PRId64 "\n", monitor_gen,
	    failsh.nodename, time_now_ms());
	etcd_monitor(b);
	for (h = failsh.hosts; h != NULL; h = h->next)
		pbuf_printf(b, "HOST %s %s %d %s %s %" PRId64 " %" PRId64
		    " %s\n", h->name, h->address ? h->address : h->name,
		    h->port, h->tcp ? "tcp" : "udp", h->local ? "local" :
		    h->last_call_ms == 0 && h->last_error[0] == '\0' ? "unknown" :
		    h->reachable ? "reachable" : "unreachable",
		    h->last_connect_ms, h->last_call_ms,
		    h->last_error[0] ? h->last_error : "-");
	for (s = failsh.services; s != NULL; s = s->next) {
		next = s->running ? s->next_run - now : -1;
		if (s->busy)
			next = 0;
		pbuf_printf(b, "SERVICE %s %s %" PRId64 " %" PRId64 " %d %"
		    PRId64 " %" PRIu64 " %s %s\n", s->name,
		    svc_state_str(s->state), s->changed_ms, s->interval_ms,
		    s->deadcount, next < 0 ? (int64_t)-1 : next, s->runs,
		    s->busy ? "busy" : "idle", s->reason[0] ? s->reason : "-");
		etcd_monitor_service(b, s);
		if (s->script[SCRIPT_CHECK] != NULL || s->hc_target != NULL)
			pbuf_printf(b, "HEALTH %s %s %d %d %s\n", s->name,
			    decide_health_str(s->health_total),
			    failsh_service_restarts(s), s->max_restarts,
			    s->check_why[0] ? s->check_why : "-");
		if (s->held)
			pbuf_printf(b, "HOLD %s %s %s %" PRId64 " %s\n",
			    s->name, s->hold.kind, s->hold.target,
			    s->hold.since_ms, s->hold.setter[0] ?
			    s->hold.setter : "-");
		for (r = ROLE_MASTER; r <= ROLE_QUORUM; r++)
			for (i = 0; i < s->npeers[r]; i++) {
				const struct failsh_peer *p = &s->peers[r][i];

				pbuf_printf(b, "PEER %s %s %s %s %d %" PRId64
				    "\n", s->name, r == ROLE_MASTER ? "master" :
				    r == ROLE_SLAVE ? "slave" : "quorum",
				    p->host->name, peer_view_str(s, p),
				    p->obs.fails, p->seen_ms);
			}
	}
	pbuf_printf(b, "END\n");
}

void
monitor_changed(void)
{
	monitor_gen++;
	if (monitor_clients > 0)
		pth_cond_notify(&monitor_cond, TRUE);
}

static void
monitor_client(int fd, void *arg)
{
	struct pbuf	 b = { 0 };
	uint64_t	 sent = 0;
	pth_event_t	 ev, tev;
	char		 junk[256];
	ssize_t		 n;

	(void)arg;
	monitor_clients++;
	log_debug(FAC_MONITOR, 1, "monitor client connected (%d)",
	    monitor_clients);
	for (;;) {
		sent = monitor_gen;
		pbuf_reset(&b);
		monitor_snapshot(&b);
		log_debug(FAC_MONITOR, 2, "snapshot %" PRIu64 " to fd %d, %zu "
		    "bytes", sent, fd, b.len);
		if (net_write_all(fd, b.data, b.len,
		    time_mono_ms() + MONITOR_WRITE_MS) < 0)
			break;
		pth_nap(pth_time(0, MONITOR_MIN_GAP_MS * 1000));
		if (monitor_gen != sent)
			continue;
		/* Wait for a change, the client going away, or a second:
		 * runs and next run move even when nothing changes. */
		ev = pth_event(PTH_EVENT_FD | PTH_UNTIL_FD_READABLE, fd);
		tev = pth_event(PTH_EVENT_TIME, pth_timeout(
		    MONITOR_REFRESH_MS / 1000, 0));
		pth_event_concat(ev, tev, NULL);
		pth_mutex_acquire(&monitor_mutex, FALSE, NULL);
		while (monitor_gen == sent &&
		    pth_event_status(ev) != PTH_STATUS_OCCURRED &&
		    pth_event_status(tev) != PTH_STATUS_OCCURRED)
			pth_cond_await(&monitor_cond, &monitor_mutex, ev);
		pth_mutex_release(&monitor_mutex);
		if (pth_event_status(ev) == PTH_STATUS_OCCURRED) {
			n = read(fd, junk, sizeof(junk));
			if (n == 0 || (n < 0 && errno != EAGAIN &&
			    errno != EINTR)) {
				pth_event_free(ev, PTH_FREE_ALL);
				break;
			}
		}
		pth_event_free(ev, PTH_FREE_ALL);
	}
	pbuf_free(&b);
	monitor_clients--;
	log_debug(FAC_MONITOR, 1, "monitor client gone (%d left)",
	    monitor_clients);
}

/* ---------------------------------------------------------------------
 * The control port: failproto(5) requests, one answer each.
 */
static void
control_fmt_service(struct pbuf *out, const struct failsh_service *s)
{
	pbuf_printf(out, " %s %s %" PRId64 " failsh", s->name,
	    svc_state_str(s->state), s->changed_ms);
}

/*
 * The etcd backend as stats pairs: " backend etcd endpoint URL lease HEX
 * lease_left_ms N fence_ms N coord C unreachable P watch W watchdog D
 * error TEXT" (TEXT percent-encoded, "-" for none).
 *
 * Results:
 *	None; nothing without the backend.
 * Side effects:
 *	None. The values are those of the monitor port's BACKEND line,
 *	read back from etcd_monitor() so that both ports say one thing.
 */
static void
control_fmt_backend(struct pbuf *out)
{
	static const char *const keys[] = { "backend", "endpoint", "lease",
	    "lease_left_ms", "fence_ms", "coord", "unreachable", "watch",
	    "watchdog" };
	struct pbuf	 line = { 0 };
	char		*p, *f[10];
	size_t		 i, n = 0;

	if (!etcd_backend())
		return;
	etcd_monitor(&line);
	if (line.len == 0 || line.data[line.len - 1] != '\n')
		fatalx("etcd_monitor: not one line");
	line.data[line.len - 1] = '\0';
	/* BACKEND and nine words, then the error: the rest of the line */
	for (p = line.data; n < 10; n++) {
		f[n] = p;
		if ((p = strchr(p, ' ')) == NULL)
			fatalx("etcd_monitor: a BACKEND line of %zu words",
			    n + 1);
		*p++ = '\0';
	}
	if (strcmp(f[0], "BACKEND") != 0)
		fatalx("etcd_monitor: not a BACKEND line");
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		pbuf_printf(out, " %s %s", keys[i], f[i + 1]);
	pbuf_printf(out, " error ");
	pbuf_add_pct(out, strcmp(p, "-") == 0 ? "" : p);
	pbuf_free(&line);
}

/* "ID OK SERVICE HOST|- EPOCH here|elsewhere": the OWNER line of the
 * monitor port (etcd_monitor_service), so that both ports say one thing. */
static void
control_fmt_owner(struct pbuf *out, const char *id,
    const struct failsh_service *s)
{
	struct pbuf	line = { 0 };

	etcd_monitor_service(&line, s);
	if (line.len < 7 || strncmp(line.data, "OWNER ", 6) != 0 ||
	    line.data[line.len - 1] != '\n')
		fatalx("etcd_monitor_service: not an OWNER line");
	pbuf_printf(out, "%s OK %.*s", id, (int)(line.len - 7),
	    line.data + 6);
	pbuf_free(&line);
}

/* The answer to a request that passed the checks. */
static void
control_answer(const struct proto_req *req, struct pbuf *out)
{
	struct failsh_service	*s;
	int			 n;

	switch (req->verb) {
	case VERB_GET:
		if ((s = failsh_service_find(req->argv[0])) == NULL) {
			proto_fmt_err(out, req->id, PERR_NOTFOUND, "no such "
			    "service %s", req->argv[0]);
			return;
		}
		pbuf_printf(out, "%s OK", req->id);
		control_fmt_service(out, s);
		return;
	case VERB_LIST:
		for (n = 0, s = failsh.services; s != NULL; s = s->next)
			n++;
		pbuf_printf(out, "%s OK %d", req->id, n);
		for (s = failsh.services; s != NULL; s = s->next)
			control_fmt_service(out, s);
		return;
	case VERB_STATS: {
		uint64_t runs = 0;

		for (n = 0, s = failsh.services; s != NULL; s = s->next, n++)
			runs += s->runs;
		pbuf_printf(out, "%s OK services %d runs %" PRIu64
		    " monitors %d uptime_ms %" PRId64, req->id, n, runs,
		    monitor_clients, time_now_ms() - failsh.start_ms);
		control_fmt_backend(out);
		return;
	}
	case VERB_SHOW:
		/* The owner key of a service, as the OWNER line has it:
		 * there is nothing else to show without a backend. */
		if (!etcd_backend()) {
			proto_fmt_err(out, req->id, PERR_VERB, "show is served "
			    "by failsh only with the etcd backend");
			return;
		}
		if ((s = failsh_service_find(req->argv[0])) == NULL) {
			proto_fmt_err(out, req->id, PERR_NOTFOUND, "no such "
			    "service %s", req->argv[0]);
			return;
		}
		control_fmt_owner(out, req->id, s);
		return;
	default:
		proto_fmt_err(out, req->id, PERR_VERB, "%s is not served by "
		    "failsh", proto_verb_str(req->verb));
		return;
	}
}

static const struct keyring *
control_keys(void)
{
	return failsh.keys;
}

static const char *
control_community(void)
{
	return failsh.community;
}

static struct serve_port control_port = {
	"failsh", control_keys, control_community, control_answer, NULL
};

static void
monitor_listen(const char *spec, int port, const char *what,
    void (*client)(int, void *), void *arg, const struct serve_limits *lim)
{
	struct net_addr	a;
	char		err[256];

	if (strcmp(spec, "none") == 0)
		return;
	if (serve_listen(spec, port, what, client, arg, lim, err,
	    sizeof(err)) < 0)
		fatalx("cannot listen on the %s port: %s", what, err);
	if (net_parse_addr(spec, port, &a, err, sizeof(err)) == 0) {
		net_addr_port_str((struct sockaddr *)&a.ss, err, sizeof(err));
		log_info("%s port: %s", what, err);
	}
}

void
monitor_start(void)
{
	static const struct serve_limits	monitor = SERVE_MONITOR_LIMITS;
	static const struct serve_limits	control = SERVE_CONTROL_LIMITS;

	monitor_listen(failsh.monitor_addr, FAILSH_MONITOR_PORT, "monitor",
	    monitor_client, NULL, &monitor);
	monitor_listen(failsh.control_addr, FAILSH_CONTROL_PORT, "control",
	    serve_requests, &control_port, &control);
}

/* SIGUSR1: the snapshot into the dump file; a FIFO stays open. */
void
monitor_dump(void)
{
	static int	 fifo = -1;
	struct pbuf	 b = { 0 };
	struct stat	 st;
	int		 fd;

	monitor_snapshot(&b);
	if (fifo >= 0)
		fd = fifo;
	else if (stat(failsh.dumpfile, &st) == 0 && S_ISFIFO(st.st_mode)) {
		if ((fd = open(failsh.dumpfile, O_WRONLY | O_NONBLOCK |
		    O_CLOEXEC)) < 0) {
			log_warn("dump: %s (no reader?)", failsh.dumpfile);
			goto done;
		}
		fifo = fd;
	} else if ((fd = open(failsh.dumpfile, O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC, 0600)) < 0) {
		log_warn("dump: %s", failsh.dumpfile);
		goto done;
	}
	if (write(fd, b.data, b.len) == (ssize_t)b.len)
		log_info("state dumped to %s", failsh.dumpfile);
	else {
		log_warn("dump: writing %s", failsh.dumpfile);
		fifo = -1;		/* a FIFO's reader went away */
	}
	if (fd != fifo)
		close(fd);
done:
	pbuf_free(&b);
}
