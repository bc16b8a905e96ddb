/*
 * etcdtool.c: lib/etcd.c from the command line, for test_etcd.tcl. Runs
 * one command (again with -n) inside Pth and prints its results one a
 * line; with -r a second Pth thread prints "tick" meanwhile, which shows
 * that a waiting call does not block the scheduler; with -w N:PREFIX a
 * second Pth thread watches PREFIX on the same client meanwhile, printing
 * "event TYPE KEY" for N events, which the command waits for.
 * Exit 0 on success, 1 when etcd refused, 2 for usage, 3 when no etcd
 * answered in time (or a watch ended).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pth.h>

#include "etcd.h"
#include "timeutil.h"

static int	 deadline_ms = 5000;

struct watcher {
	struct etcd		*e;
	struct etcd_watch	*w;
	int			 count;
};

static void
usage(void)
{
	fprintf(stderr, "usage: etcdtool [-L] [-e endpoints] [-u user:password] "
	    "[-C cafile] [-c certfile -k keyfile]\n"
	    "\t[-t attempt_ms] [-T deadline_ms] [-r tick_ms] "
	    "[-n times [-i interval_ms]] [-w count:prefix] command ...\n"
	    "commands: grant TTL | keepalive LEASE | revoke LEASE | "
	    "ttl LEASE |\n"
	    "\tput KEY VALUE [LEASE] | get KEY | range PREFIX | del KEY |\n"
	    "\tdelprefix PREFIX | create KEY VALUE LEASE | "
	    "delete-if KEY REV |\n"
	    "\twatch PREFIX [START_REV [COUNT [progress]]]\n");
	exit(2);
}

static int64_t
number(const char *s)
{
	char		*end;
	long long	 v = strtoll(s, &end, 10);

	if (*s == '\0' || *end != '\0') {
		fprintf(stderr, "etcdtool: not a number: \"%s\"\n", s);
		exit(2);
	}
	return v;
}

static void *
ticker(void *arg)
{
	int	ms = *(int *)arg;

	for (;;) {
		pth_nap(pth_time(ms / 1000, (ms % 1000) * 1000));
		printf("tick\n");
		fflush(stdout);
	}
	return NULL;
}

/* The -w thread: count events of its watch, then close it. */
static void *
watcher(void *arg)
{
	struct watcher		*wt = arg;
	struct etcd_event	 ev;
	char			 err[512];
	int			 i, rc;

	for (i = 0; i < wt->count; ) {
		rc = etcd_watch_next(wt->w, &ev, time_mono_ms() + 60000, err,
		    sizeof(err));
		if (rc < 0) {
			fprintf(stderr, "etcdtool: watcher: %s\n", err);
			break;
		}
		if (rc == 0 || ev.type == ETCD_EV_PROGRESS)
			continue;
		printf("event %s %s\n", etcd_ev_type_str(ev.type), ev.kv.key);
		fflush(stdout);
		i++;
	}
	etcd_watch_close(wt->w);
	return NULL;
}

static void
print_kvs(struct etcd_kv *kvs, size_t n, int64_t rev)
{
	size_t	i;

	for (i = 0; i < n; i++)
		printf("%s %s %" PRId64 " %" PRId64 " %" PRId64 "\n",
		    kvs[i].key, kvs[i].value, kvs[i].create_rev,
		    kvs[i].mod_rev, kvs[i].lease);
	printf("rev %" PRId64 "\n", rev);
}

static int
watch(struct etcd *e, int argc, char **argv, char *err, size_t errlen)
{
	struct etcd_watch	*w;
	struct etcd_event	 ev;
	int64_t			 start = argc > 1 ? number(argv[1]) : 0;
	int64_t			 count = argc > 2 ? number(argv[2]) : 0, seen;
	int			 rc;

	w = etcd_watch_open(e, argv[0], start, argc > 3 &&
	    strcmp(argv[3], "progress") == 0, time_mono_ms() + deadline_ms,
	    err, errlen);
	if (w == NULL)
		return ETCD_UNREACHABLE;
	printf("watching\n");
	fflush(stdout);
	for (seen = 0; count == 0 || seen < count; ) {
		rc = etcd_watch_next(w, &ev, time_mono_ms() + 3600000, err,
		    errlen);
		if (rc < 0) {
			etcd_watch_close(w);
			return ETCD_UNREACHABLE;
		}
		if (rc == 0)
			continue;
		seen++;
		if (ev.type == ETCD_EV_PROGRESS)
			printf("PROGRESS %" PRId64 "\n", ev.rev);
		else if (ev.type == ETCD_EV_DELETE)
			printf("DELETE %s %" PRId64 "\n", ev.kv.key,
			    ev.kv.mod_rev);
		else
			printf("PUT %s %s %" PRId64 " %" PRId64 "\n",
			    ev.kv.key, ev.kv.value, ev.kv.create_rev,
			    ev.kv.mod_rev);
		fflush(stdout);
	}
	etcd_watch_close(w);
	return 0;
}

/* One command; its results on stdout. */
static int
command(struct etcd *e, int argc, char **argv, char *err, size_t errlen)
{
	struct etcd_kv	*kvs;
	const char	*cmd = argv[0];
	int64_t		 d = time_mono_ms() + deadline_ms, a, b, rev;
	size_t		 n;
	int		 rc, ok;

	argc--;
	argv++;
	if (strcmp(cmd, "grant") == 0 && argc == 1) {
		if ((rc = etcd_lease_grant(e, (int)number(argv[0]), &a, &b, d,
		    err, errlen)) == 0)
			printf("%" PRId64 " %" PRId64 "\n", a, b);
	} else if (strcmp(cmd, "keepalive") == 0 && argc == 1) {
		if ((rc = etcd_lease_keepalive(e, number(argv[0]), &a, &b, d,
		    err, errlen)) == 0)
			printf("%" PRId64 "\n", a);
	} else if (strcmp(cmd, "revoke") == 0 && argc == 1) {
		if ((rc = etcd_lease_revoke(e, number(argv[0]), d, err,
		    errlen)) == 0)
			printf("revoked\n");
	} else if (strcmp(cmd, "ttl") == 0 && argc == 1) {
		if ((rc = etcd_lease_ttl(e, number(argv[0]), &a, &b, d, err,
		    errlen)) == 0)
			printf("%" PRId64 " %" PRId64 "\n", a, b);
	} else if (strcmp(cmd, "put") == 0 && (argc == 2 || argc == 3)) {
		if ((rc = etcd_put(e, argv[0], argv[1], argc == 3 ?
		    number(argv[2]) : 0, &rev, d, err, errlen)) == 0)
			printf("%" PRId64 "\n", rev);
	} else if ((strcmp(cmd, "get") == 0 || strcmp(cmd, "range") == 0) &&
	    argc == 1) {
		if ((rc = etcd_range(e, argv[0], cmd[0] == 'r', &kvs, &n, &rev,
		    d, err, errlen)) == 0) {
			print_kvs(kvs, n, rev);
			etcd_kvs_free(kvs, n);
		}
	} else if ((strcmp(cmd, "del") == 0 || strcmp(cmd, "delprefix") ==
	    0) && argc == 1) {
		if ((rc = etcd_delete(e, argv[0], cmd[3] == 'p', &a, d, err,
		    errlen)) == 0)
			printf("%" PRId64 "\n", a);
	} else if (strcmp(cmd, "create") == 0 && argc == 3) {
		if ((rc = etcd_create(e, argv[0], argv[1], number(argv[2]),
		    &ok, &rev, &a, d, err, errlen)) == 0)
			printf("%s %" PRId64 " %" PRId64 "\n", ok ? "created" :
			    "exists", rev, a);
	} else if (strcmp(cmd, "delete-if") == 0 && argc == 2) {
		if ((rc = etcd_delete_if(e, argv[0], number(argv[1]), &ok, d,
		    err, errlen)) == 0)
			printf("%s\n", ok ? "deleted" : "kept");
	} else if (strcmp(cmd, "watch") == 0 && argc >= 1 && argc <= 4)
		rc = watch(e, argc, argv, err, errlen);
	else
		usage();
	fflush(stdout);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct etcd_opts	 o;
	struct etcd		*e;
	struct watcher		 wt;
	pth_t			 wtid = NULL;
	char			 err[512], *colon, *wprefix = NULL;
	int			 c, rc = 0, tick_ms = 0, times = 1, i;
	int			 interval_ms = 0;

	memset(&o, 0, sizeof(o));
	o.endpoints = "http://127.0.0.1:2379";
	o.timeout_ms = 1000;
	while ((c = getopt(argc, argv, "C:c:e:i:k:Ln:r:T:t:u:w:")) != -1) {
		switch (c) {
		case 'C': o.cafile = optarg; break;
		case 'c': o.certfile = optarg; break;
		case 'e': o.endpoints = optarg; break;
		case 'i': interval_ms = (int)number(optarg); break;
		case 'k': o.keyfile = optarg; break;
		case 'L': o.require_leader = 1; break;
		case 'n': times = (int)number(optarg); break;
		case 'r': tick_ms = (int)number(optarg); break;
		case 'T': deadline_ms = (int)number(optarg); break;
		case 't': o.timeout_ms = (int)number(optarg); break;
		case 'u':
			if ((colon = strchr(optarg, ':')) == NULL)
				usage();
			*colon = '\0';
			o.user = optarg;
			o.password = colon + 1;
			break;
		case 'w':
			if ((colon = strchr(optarg, ':')) == NULL)
				usage();
			*colon = '\0';
			wt.count = (int)number(optarg);
			wprefix = colon + 1;
			break;
		default: usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	if (!pth_init()) {
		fprintf(stderr, "etcdtool: pth_init failed\n");
		return 2;
	}
	if ((e = etcd_new(&o, err, sizeof(err))) == NULL) {
		fprintf(stderr, "etcdtool: %s\n", err);
		return 2;
	}
	if (tick_ms > 0)
		pth_spawn(PTH_ATTR_DEFAULT, ticker, &tick_ms);
	if (wprefix != NULL) {
		wt.e = e;
		if ((wt.w = etcd_watch_open(e, wprefix, 0, 0, time_mono_ms() +
		    deadline_ms, err, sizeof(err))) == NULL) {
			fprintf(stderr, "etcdtool: %s\n", err);
			etcd_free(e);
			return 3;
		}
		wtid = pth_spawn(PTH_ATTR_DEFAULT, watcher, &wt);
	}
	for (i = 0; i < times && rc == 0; i++) {
		if (i > 0)
			pth_nap(pth_time(interval_ms / 1000,
			    (interval_ms % 1000) * 1000));
		rc = command(e, argc, argv, err, sizeof(err));
	}
	if (rc != 0) {
		fprintf(stderr, "etcdtool: %s\n", err);
		if (wtid != NULL)	/* still watching: no clean-up */
			return rc == ETCD_REFUSED ? 1 : 3;
	}
	if (wtid != NULL)
		pth_join(wtid, NULL);
	etcd_free(e);
	return rc == 0 ? 0 : rc == ETCD_REFUSED ? 1 : 3;
}
