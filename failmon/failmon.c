/*
 * failmon.c: watches one or more failsh over their monitor port (1848).
 * A Pth thread per target connects, reads snapshots and reconnects when
 * failsh goes away; the main thread renders them: curses (-c, the default
 * on a terminal), line mode (-l, each RETURN prints the state), one-shot
 * (-1), JSON (-j, a document per snapshot), HTML (-h, or as failmon.cgi).
 */
#include <sys/socket.h>

#include <errno.h>
#include <libgen.h>
#include <pth.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curses.h>

#include "cmdline.h"
#include "failmon.h"
#include "log.h"
#include "timeutil.h"
#include "xmalloc.h"

#define FAILMON_CONNECT_MS	2000
#define FAILMON_RETRY_MS	1000
#define FAILMON_FIRST_MS	5000	/* one-shot: wait at most this long */

enum {				/* debug facilities */
	FAC_MAIN,
	FAC_NET
};

struct log_facility log_facilities[] = {
	[FAC_MAIN] = { "main", 0 },
	[FAC_NET] = { "net", 0 },
	{ NULL, 0 }
};

static struct mon_target	*targets;
static int			 ntargets;
static int			 port = FAILMON_PORT;
static pth_mutex_t		 update_mutex = PTH_MUTEX_INIT;
static pth_cond_t		 update_cond = PTH_COND_INIT;
static uint64_t			 updates;	/* snapshots and failures */

/* The usage: on stdout for --help (exit 0), else on stderr (exit 2). */
static __attribute__((noreturn)) void
usage(int code)
{
	fprintf(code ? stderr : stdout, "usage: failmon [-V] [-d facility] "
	    "[-c | -l | -1 | -j | -H] [-p port] [target ...]\n");
	exit(code);
}

static void
failmon_updated(void)
{
	updates++;
	pth_cond_notify(&update_cond, TRUE);
}

/* Read snapshots from one connected target until it goes away. Yields. */
static void
failmon_read(struct mon_target *t, int fd)
{
	struct net_lines	 lines;
	struct mon_parser	 parser = { NULL };
	struct mon_snapshot	*snap;
	char			 line[1024], err[128];
	ssize_t			 n;

	net_lines_init(&lines, fd);
	for (;;) {
		n = net_lines_read(&lines, line, sizeof(line), -1);
		if (n == -3)
			continue;	/* longer than any valid line: skip */
		if (n < 0) {
			snprintf(t->error, sizeof(t->error), "%s", n == -2 ?
			    "failsh closed the connection" : strerror(errno));
			break;
		}
		snap = NULL;
		if (mon_parse_line(&parser, line, &snap, err,
		    sizeof(err)) < 0) {
			snprintf(t->error, sizeof(t->error), "not a failsh "
			    "monitor stream: %s", err);
			break;
		}
		if (snap != NULL) {
			mon_snapshot_free(t->snap);
			t->snap = snap;
			t->updated_ms = time_now_ms();
			t->snapshots++;
			failmon_updated();
		}
	}
	mon_snapshot_free(parser.cur);
}

static void *
failmon_target_thread(void *arg)
{
	struct mon_target	*t = arg;
	struct net_addr		 a;
	char			 err[128];
	int			 fd;

	if (net_parse_addr(t->spec, port, &a, err, sizeof(err)) < 0) {
		snprintf(t->error, sizeof(t->error), "%s", err);
		failmon_updated();
		return NULL;
	}
	for (;;) {
		fd = net_connect(&a, SOCK_STREAM,
		    time_mono_ms() + FAILMON_CONNECT_MS, err, sizeof(err));
		if (fd < 0) {
			snprintf(t->error, sizeof(t->error), "%s", err);
			failmon_updated();
			pth_nap(pth_time(0, FAILMON_RETRY_MS * 1000));
			continue;
		}
		log_debug(FAC_NET, 1, "%s: connected", t->spec);
		t->connected = 1;
		t->error[0] = '\0';
		failmon_read(t, fd);
		close(fd);
		t->connected = 0;
		log_debug(FAC_NET, 1, "%s: %s", t->spec, t->error);
		failmon_updated();
		pth_nap(pth_time(0, FAILMON_RETRY_MS * 1000));
	}
	return NULL;
}

/* Wait for the next update or the deadline (-1: none); 0 if one came. */
static int
failmon_wait(uint64_t seen, int64_t deadline)
{
	pth_event_t	ev = NULL;
	int64_t		left;
	int		rc = 0;

	pth_mutex_acquire(&update_mutex, FALSE, NULL);
	while (updates == seen) {
		if (deadline >= 0) {
			if ((left = deadline - time_mono_ms()) <= 0) {
				rc = -1;
				break;
			}
			if (ev != NULL)
				pth_event_free(ev, PTH_FREE_THIS);
			ev = pth_event(PTH_EVENT_TIME, pth_timeout(
			    (long)(left / 1000), (long)(left % 1000) * 1000));
		}
		pth_cond_await(&update_cond, &update_mutex, ev);
	}
	pth_mutex_release(&update_mutex);
	if (ev != NULL)
		pth_event_free(ev, PTH_FREE_THIS);
	return rc;
}

/* Has every target either a snapshot or a reason it has none? */
static int
failmon_all_known(void)
{
	int	i;

	for (i = 0; i < ntargets; i++)
		if (targets[i].snap == NULL && targets[i].error[0] == '\0')
			return 0;
	return 1;
}

static int
failmon_exit_code(void)
{
	int	i;

	for (i = 0; i < ntargets; i++)
		if (targets[i].snap == NULL)
			return 3;
	return 0;
}

enum failmon_mode {
	MODE_CURSES,
	MODE_LINE,
	MODE_ONCE,
	MODE_JSON,
	MODE_HTML
};

static void
failmon_render(enum failmon_mode mode, int cgi)
{
	switch (mode) {
	case MODE_JSON:
		view_json(targets, ntargets);
		break;
	case MODE_HTML:
		view_html(targets, ntargets, cgi);
		break;
	default:
		view_text(targets, ntargets);
		break;
	}
	fflush(stdout);
}

#define FAILMON_REDRAW_MS	250	/* ages tick, snapshots show */

/* The curses view: redraw on a key, a resize, or every quarter second. */
static void
failmon_curses(void)
{
	int	key, run = 1;

	view_curses_start();
	while (run) {
		view_curses_draw(targets, ntargets);
		net_wait(0, 0, time_mono_ms() + FAILMON_REDRAW_MS);
		while (run && (key = getch()) != ERR)
			run = view_curses_key(key);
	}
	view_curses_stop();
}

/* Line mode: each RETURN (any line) on stdin prints the state. */
static void
failmon_line_mode(void)
{
	char	buf[256];
	ssize_t	n, i;

	for (;;) {
		net_wait(0, 0, -1);
		if ((n = read(0, buf, sizeof(buf))) == 0)
			return;		/* end of input */
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return;
		for (i = 0; i < n; i++)
			if (buf[i] == '\n')
				failmon_render(MODE_LINE, 0);
	}
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = { CMDLINE_LONGOPTS,
				    { NULL, 0, NULL, 0 } };
	enum failmon_mode	 mode = isatty(0) && isatty(1) ? MODE_CURSES :
				    MODE_LINE;
	const char		*prog = basename(argv[0]), *env;
	char			 host[256], *end;
	int			 ch, i, once = 0, cgi = 0;
	uint64_t		 seen;
	long			 p;

	log_init("failmon", 1);
	if (strcmp(prog, "failmon.cgi") == 0) {
		mode = MODE_HTML;
		cgi = 1;
	}
	while ((ch = getopt_long(argc, argv, "1cd:Hhjlp:V", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case '1':
			once = 1;
			if (mode == MODE_LINE || mode == MODE_CURSES)
				mode = MODE_ONCE;
			break;
		case 'c':
			mode = MODE_CURSES;
			break;
		case 'd':
			log_fac_raise(optarg);
			break;
		case 'H':
		case 'h':		/* the old spelling */
			mode = MODE_HTML;
			break;
		case 'j':
			mode = MODE_JSON;
			break;
		case 'l':
			mode = MODE_LINE;
			break;
		case 'p':
			p = strtol(optarg, &end, 10);
			if (*end != '\0' || p < 1 || p > 65535) {
				fprintf(stderr, "failmon: bad port \"%s\"\n",
				    optarg);
				exit(2);
			}
			port = (int)p;
			break;
		case 'V':
			printf("failmon (failover) %s, protocol %d\n",
			    PACKAGE_VERSION, PROTO_VERSION);
			exit(0);
		case CMDLINE_HELP:
			usage(0);
		default:
			usage(2);
		}
	}
	argc -= optind;
	argv += optind;
	if (mode == MODE_HTML)
		once = 1;

	/* Targets: the arguments, FAILMON_TARGETS (for the CGI), or the
	 * address this host's name resolves to, as the original did. */
	if (argc == 0 && (env = getenv("FAILMON_TARGETS")) != NULL &&
	    env[0] != '\0') {
		char *s = xstrdup(env), *tok;

		argv = xcalloc(strlen(env) + 1, sizeof(*argv));
		for (tok = strtok(s, " ,"); tok != NULL; tok = strtok(NULL, " ,"))
			argv[argc++] = tok;
	}
	if (argc == 0) {
		if (gethostname(host, sizeof(host)) < 0)
			snprintf(host, sizeof(host), "127.0.0.1");
		host[sizeof(host) - 1] = '\0';
		argv = xcalloc(1, sizeof(*argv));
		argv[0] = host;
		argc = 1;
	}
	if (!pth_init())
		fatal("pth_init");
	ntargets = argc;
	targets = xcalloc((size_t)ntargets, sizeof(*targets));
	for (i = 0; i < ntargets; i++) {
		targets[i].spec = argv[i];
		if (pth_spawn(PTH_ATTR_DEFAULT, failmon_target_thread,
		    &targets[i]) == NULL)
			fatal("pth_spawn");
	}

	/* First every target's first snapshot, or why there is none. */
	seen = updates;
	while (!failmon_all_known() && failmon_wait(seen,
	    time_mono_ms() + FAILMON_FIRST_MS) == 0)
		seen = updates;
	if (once) {
		failmon_render(mode, cgi);
		return failmon_exit_code();
	}
	if (mode == MODE_JSON) {
		for (;;) {
			failmon_render(mode, 0);
			failmon_wait(seen, -1);
			seen = updates;
		}
	}
	if (mode == MODE_CURSES)
		failmon_curses();
	else
		failmon_line_mode();
	return 0;
}
