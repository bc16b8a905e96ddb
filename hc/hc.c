/*
 * hc.c: the health checker. Reads an Hcfile, checks every target as a
 * client would, and publishes each target's state into faild; or, with -x,
 * runs one check line once and prints its result.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdline.h"
#include "hc.h"
#include "check_util.h"
#include "log.h"
#include "service.h"
#include "signals.h"
#include "timeutil.h"
#include "xmalloc.h"

struct log_facility log_facilities[] = {
	{ "main", 0 },
	{ "check", 0 },
	{ "action", 0 },
	{ "net", 0 },
	{ "monitor", 0 },
	{ NULL, 0 }
};

struct hc	hc;

/* The usage: on stdout for --help (exit 0), else on stderr (exit 2). */
static __attribute__((noreturn)) void
usage(int code)
{
	fprintf(code ? stderr : stdout, "usage: hc [-FmtV] [-d facility] "
	    "[-e [address:]port] [-f hcfile]\n"
	    "          [-i pidfile] [-M [address:]port] [-u user]\n"
	    "       hc -x [-T timeout] check-name arguments ...\n"
	    "       -t checks the Hcfile (-n too); see hc(8)\n");
	exit(code);
}

/* -x: run one check line once; exit 0 healthy, 1 not, 2 bad line. */
static __attribute__((noreturn)) void
check_once(int argc, char **argv, const char *timeout)
{
	const struct hc_check_type	*ct;
	char				 err[512], why[HC_MAX_WHY];
	int64_t				 tmo = HC_TIMEOUT_MS, t0;
	void				*conf;
	int				 rc;

	if (argc < 1)
		usage(2);
	if (timeout != NULL &&
	    hc_parse_duration(timeout, &tmo, err, sizeof(err)) < 0) {
		fprintf(stderr, "hc: -T: %s\n", err);
		exit(2);
	}
	if ((ct = hc_check_find(argv[0])) == NULL) {
		fprintf(stderr, "hc: unknown check \"%s\" (known: %s)\n",
		    argv[0], hc_check_names());
		exit(2);
	}
	if ((conf = ct->parse(argc - 1, argv + 1, err, sizeof(err))) == NULL) {
		fprintf(stderr, "hc: check %s: %s\n", argv[0], err);
		exit(2);
	}
	if (!pth_init())
		fatal("pth_init");
	signal(SIGPIPE, SIG_IGN);
	t0 = time_mono_ms();
	why[0] = '\0';
	rc = ct->run(conf, "-", t0 + tmo, why, sizeof(why));
	printf("%s: %s (%lld ms)\n", rc == 0 ? "ok" : "fail", why,
	    (long long)(time_mono_ms() - t0));
	ct->free(conf);
	exit(rc == 0 ? 0 : 1);
}

static void *
signal_thread(void *arg)
{
	(void)arg;
	for (;;) {
		switch (signals_next()) {
		case SIGHUP:
			service_notify("RELOADING=1", "reloading %s",
			    hc.conf->path);
			hc_reload();
			service_notify("READY=1", "checking %d targets from %s",
			    hc.conf->ntargets, hc.conf->path);
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

int
main(int argc, char *argv[])
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };
	static const struct option longopts[] = { CMDLINE_LONGOPTS,
			    { NULL, 0, NULL, 0 } };
	const char	*path = "Hcfile", *pidfile = "", *timeout = NULL;
	const char	*user = NULL;
	char		*monitor = NULL;
	char		 err[1024];
	int		 ch, foreground = 0, check = 0, once = 0;

	log_init("hc", 1);
	while ((ch = getopt_long(argc, argv, "+d:e:Ff:i:mM:nT:tu:Vx", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'd':
			log_fac_raise(optarg);
			foreground = 1;
			break;
		case 'e':
			hc.metrics_addr = optarg;
			break;
		case 'F':
			foreground = 1;
			break;
		case 'f':
			path = optarg;
			break;
		case 'i':
			pidfile = optarg;
			break;
		case 'm':
			if (hc.monitor_addr == NULL)
				hc.monitor_addr = "0.0.0.0:1850";
			break;
		case 'M':
			hc.monitor_addr = optarg;
			if (strspn(optarg, "0123456789") == strlen(optarg))
				xasprintf(&monitor, "0.0.0.0:%s", optarg);
			break;
		case 'n':		/* the old spelling */
			check = 1;
			break;
		case 'T':
			timeout = optarg;
			break;
		case 't':		/* after -x: -T, the old spelling */
			if (!once) {
				check = 1;
				break;
			}
			if (optind >= argc)
				usage(2);
			timeout = argv[optind++];
			break;
		case 'u':
			user = optarg;
			break;
		case 'V':
			printf("hc (failover) %s, protocol %d\n",
			    PACKAGE_VERSION, PROTO_VERSION);
			exit(0);
		case 'x':
			once = 1;
			break;
		case CMDLINE_HELP:
			usage(0);
		default:
			usage(2);
		}
	}
	if (monitor != NULL)
		hc.monitor_addr = monitor;
	if (once)
		check_once(argc - optind, argv + optind, timeout);
	if (optind != argc)
		usage(2);

	if ((hc.conf = hcfile_load(path, err, sizeof(err))) == NULL)
		fatalx("%s", err);
	if (check) {
		printf("hc: %s OK: %d targets\n", hc.conf->path,
		    hc.conf->ntargets);
		exit(0);
	}
	if (!pth_init())
		fatal("pth_init");
	hc.start_ms = time_now_ms();
	signal(SIGPIPE, SIG_IGN);
	pth_mutex_init(&hc.lock);
	pth_cond_init(&hc.publish_cond);
	if (hc.monitor_addr != NULL)
		hc_monitor_start();
	hc_metrics_start();
	service_detach(foreground, pidfile, user);
	if (signals_init(sigs, 3) < 0)
		fatal("signals");
	hc_run_start();
	log_info("ready: %d targets from %s, faild %s", hc.conf->ntargets,
	    hc.conf->path, hc.conf->faild);
	service_notify("READY=1", "checking %d targets from %s",
	    hc.conf->ntargets, hc.conf->path);
	signal_thread(NULL);
	return 0;
}
