/*
 * faildns.c: the authoritative DNS server whose failover names follow the
 * states in faild (faildns(8)). Reads faildns.conf(5) and its zones,
 * answers on port 53, follows its sources, pushes RFC 2136 updates,
 * reloads on SIGHUP: a refused file leaves the running one in place.
 */
#include "config.h"

#include <sys/socket.h>

#include <pth.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdline.h"
#include "faildns.h"
#include "log.h"
#include "net.h"
#include "proto.h"
#include "service.h"
#include "signals.h"
#include "timeutil.h"
#include "xmalloc.h"

struct log_facility log_facilities[] = {
	{ "main", 0 },
	{ "dns", 0 },
	{ "source", 0 },
	{ "push", 0 },
	{ "monitor", 0 },
	{ NULL, 0 }
};

struct faildns	faildns;

/* The usage: on stdout for --help (exit 0), else on stderr (exit 2). */
static __attribute__((noreturn)) void
usage(int code)
{
	fprintf(code ? stderr : stdout, "usage: faildns [-FmtV] [-d facility] "
	    "[-e [address:]port] [-f conffile]\n"
	    "               [-i pidfile] [-l address[:port]] ... "
	    "[-M [address:]port]\n"
	    "               [-p port] [-s statefile] [-u user]\n"
	    "       -t checks the configuration and zones; see faildns(8)\n");
	exit(code);
}

const char *
faildns_answer_str(const struct fdns_choice *c, char *buf, size_t len)
{
	char	a[64];
	size_t	at = 0;
	int	i;

	if (c->kind == FDNS_ANS_NODATA)
		return snprintf(buf, len, "NODATA"), buf;
	if (c->kind == FDNS_ANS_SERVFAIL)
		return snprintf(buf, len, "SERVFAIL"), buf;
	buf[0] = '\0';
	for (i = 0; i < c->nbase && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s%s", i ? " " : "",
		    fdns_addr_str(&c->base[i], a, sizeof(a)));
	if (c->nbase == 0)
		snprintf(buf, len, "nothing");
	return buf;
}

void
faildns_changed(size_t i, const struct db_name_status *st,
    const struct fdns_choice *old)
{
	const struct fdns_name	*n = &faildns.conf->names[i];
	char			 now[1024], was[1024];

	faildns.stats.changes++;
	log_info("name %s: %s (%s) was %s: %s", n->name,
	    faildns_answer_str(&st->choice, now, sizeof(now)), st->choice.rule,
	    old->rule == NULL ? "-" : faildns_answer_str(old, was,
	    sizeof(was)), st->choice.why);
	if (n->nupdates > 0)
		push_name(i);
}

/* Load the configuration and its zones: 0, or -1 with err. */
static int
load(const char *path, struct fdns_conf **cp, struct db **dbp, char *err,
    size_t errlen)
{
	if (fdns_conf_load(path, cp, err, errlen) < 0)
		return -1;
	if ((*dbp = db_build(*cp, err, errlen)) == NULL) {
		fdns_conf_free(*cp);
		return -1;
	}
	return 0;
}

/* -t: the check, with each name's worst case. */
static __attribute__((noreturn)) void
check(void)
{
	const struct fdns_conf	*conf = faildns.conf;
	const struct fdns_name	*n;
	size_t			 i;

	printf("faildns: %s OK: %zu zones (%zu records), %zu sources, "
	    "%zu pools, %zu names\n", conf->path, conf->nzones,
	    db_records(faildns.db), conf->nsources, conf->npools,
	    conf->nnames);
	for (i = 0; i < conf->nnames; i++) {
		n = &conf->names[i];
		printf("  %s: pool %s, select %s", n->name, n->pool->name,
		    fdns_select_str(n->select));
		if (n->select == FDNS_SEL_WEIGHTED)
			printf(" %d", n->count);
		printf(", ttl %u, worst case %d s (detection %d + ttl %u)%s\n",
		    n->ttl, fdns_worst_case_s(n),
		    n->pool->detect_s, n->ttl, n->answer ? "" :
		    ", pushed only");
	}
	exit(0);
}

static void
reload(void)
{
	struct fdns_conf	*conf, *old = faildns.conf;
	struct db		*db, *olddb = faildns.db;
	char			 err[1024];
	size_t			 i;

	if (load(faildns.confpath, &conf, &db, err, sizeof(err)) < 0) {
		log_warnx("reload refused, going on with the running "
		    "configuration: %s", err);
		return;
	}
	faildns.conf = conf;
	faildns.db = db;
	faildns.reloads++;
	source_reload(old);		/* states carried over, votes again */
	db_choose(db, NULL, NULL);
	db_free(olddb);
	fdns_conf_free(old);
	for (i = 0; i < conf->nnames; i++)
		if (conf->names[i].nupdates > 0)
			push_name(i);
	log_info("reloaded %s: %zu zones (%zu records), %zu names",
	    conf->path, conf->nzones, db_records(db), conf->nnames);
}

static void *
signal_thread(void *arg)
{
	(void)arg;
	for (;;) {
		switch (signals_next()) {
		case SIGHUP:
			service_notify("RELOADING=1", "reloading %s",
			    faildns.confpath);
			reload();
			service_notify("READY=1", "answering %zu names",
			    faildns.conf->nnames);
			break;
		case SIGTERM:
		case SIGINT:
			log_info("exiting on signal");
			service_notify("STOPPING=1", "exiting on signal");
			exit(0);
		}
	}
	return NULL;
}

static int
number(const char *s, const char *what, int min, int max)
{
	char	*end;
	long	 v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "faildns: %s \"%s\": not a number from %d to "
		    "%d\n", what, s, min, max);
		exit(2);
	}
	return (int)v;
}

int
main(int argc, char *argv[])
{
	static const int	sigs[] = { SIGTERM, SIGINT, SIGHUP };
	static const struct option longopts[] = { CMDLINE_LONGOPTS,
			    { NULL, 0, NULL, 0 } };
	const char		*pidfile = "", *user = NULL;
	char			*monitor = NULL, err[1024];
	int			 ch, foreground = 0, checkonly = 0, i;

	log_init("faildns", 1);
	faildns.confpath = FAIL_SYSCONFDIR "/faildns.conf";
	faildns.port = FAILDNS_PORT;
	while ((ch = getopt_long(argc, argv, "d:e:Ff:i:l:mM:p:s:tu:V", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'd':
			log_fac_raise(optarg);
			foreground = 1;
			break;
		case 'e':
			faildns.metrics_addr = optarg;
			break;
		case 'F':
			foreground = 1;
			break;
		case 'f':
			faildns.confpath = optarg;
			break;
		case 'i':
			pidfile = optarg;
			break;
		case 'l':
			if (faildns.nlisten == FAILDNS_MAX_LISTEN) {
				fprintf(stderr, "faildns: at most %d -l\n",
				    FAILDNS_MAX_LISTEN);
				exit(2);
			}
			faildns.listen[faildns.nlisten++] = optarg;
			break;
		case 'm':
			if (faildns.monitor_addr == NULL)
				faildns.monitor_addr = "0.0.0.0";
			break;
		case 'M':
			faildns.monitor_addr = optarg;
			if (strspn(optarg, "0123456789") == strlen(optarg))
				xasprintf(&monitor, "0.0.0.0:%s", optarg);
			break;
		case 'p':
			faildns.port = number(optarg, "port", 1, 65535);
			break;
		case 's':
			faildns.statefile = optarg;
			break;
		case 't':
			checkonly = 1;
			break;
		case 'u':
			user = optarg;
			break;
		case 'V':
			printf("faildns (failover) %s, protocol %d\n",
			    PACKAGE_VERSION, PROTO_VERSION);
			exit(0);
		case CMDLINE_HELP:
			usage(0);
		default:
			usage(2);
		}
	}
	if (optind != argc)
		usage(2);
	if (monitor != NULL)
		faildns.monitor_addr = monitor;

	if (load(faildns.confpath, &faildns.conf, &faildns.db, err,
	    sizeof(err)) < 0)
		fatalx("%s", err);
	if (checkonly)
		check();
	if (faildns.statefile == NULL)
		faildns.statefile = faildns.conf->statefile != NULL ?
		    faildns.conf->statefile : FAILDNS_STATEFILE;
	if (!pth_init())
		fatal("pth_init");
	faildns.start_ms = time_now_ms();
	signal(SIGPIPE, SIG_IGN);
	if (dns_serve_start(err, sizeof(err)) < 0)
		fatalx("%s", err);
	if (faildns.monitor_addr != NULL)
		monitor_start();
	dns_metrics_start();
	service_detach(foreground, pidfile, user);
	if (signals_init(sigs, 3) < 0)
		fatal("signals");
	source_restore();
	source_start();
	push_start();
	for (i = 0; (size_t)i < faildns.conf->nnames; i++)
		if (faildns.conf->names[i].nupdates > 0)
			push_name((size_t)i);
	log_info("ready: %zu zones (%zu records), %zu names, %zu sources "
	    "from %s", faildns.conf->nzones, db_records(faildns.db),
	    faildns.conf->nnames, faildns.conf->nsources, faildns.conf->path);
	service_notify("READY=1", "answering %zu names",
	    faildns.conf->nnames);
	signal_thread(NULL);
	return 0;
}
