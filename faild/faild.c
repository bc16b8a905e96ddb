/*
 * faild.c: the failover state daemon. Holds the state of named services,
 * answers failproto(5) over UDP and TCP, persists every change, never acts
 * on its own. This file: options, start-up, privileges, signals.
 */
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <libgen.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdline.h"
#include "faild.h"
#include "log.h"
#include "service.h"
#include "signals.h"
#include "timeutil.h"
#include "xmalloc.h"

struct log_facility log_facilities[] = {
	[FAC_MAIN] = { "main", 0 },
	[FAC_NET] = { "net", 0 },
	[FAC_PROTO] = { "proto", 0 },
	[FAC_STATE] = { "state", 0 },
	[FAC_AUTH] = { "auth", 0 },
	{ NULL, 0 }
};

struct faild	faild;

#define FAILD_MAX_CONN_LIMIT	(FD_SETSIZE - 64)	/* Pth uses select() */

/* The usage: on stdout for --help (exit 0), else on stderr (exit 2). */
static __attribute__((noreturn)) void
usage(int code)
{
	fprintf(code ? stderr : stdout, "usage: faild [-FmTtUV] [-C "
	    "maxperaddr] [-c communityfile] [-d facility]\n"
	    "             [-e [address:]port] [-i pidfile] [-k keyfile] "
	    "[-l address]\n"
	    "             [-M maxconn] [-N node] [-n nonice] [-p port] "
	    "[-R rate]\n"
	    "             [-S maxservices] [-s statefile] [-u user] "
	    "[-w window]\n"
	    "       -t checks the configuration; see faild(8)\n");
	exit(code);
}

/*
 * What the start will need of the state file's directory: there, a
 * directory, writable (by user, with -u). Exits 1 with the problem, so a
 * start without -F never fails after it has left the foreground.
 */
static void
faild_check_statedir(const char *user)
{
	char		*copy = xstrdup(faild.statefile), *dir = dirname(copy);
	struct stat	 st;
	struct passwd	*pw = NULL;

	if (user != NULL && (pw = getpwnam(user)) == NULL)
		fatalx("no such user %s (-u)", user);
	if (stat(dir, &st) < 0)
		fatal("state directory %s", dir);
	if (!S_ISDIR(st.st_mode))
		fatalx("state directory %s: not a directory", dir);
	if (pw == NULL ? access(dir, W_OK) < 0 : !((st.st_uid == pw->pw_uid &&
	    (st.st_mode & S_IWUSR)) || (st.st_gid == pw->pw_gid &&
	    (st.st_mode & S_IWGRP)) || (st.st_mode & S_IWOTH)))
		fatalx("state directory %s: not writable%s%s", dir,
		    user ? " by " : "", user ? user : "");
	free(copy);
}

static int
faild_number(const char *s, const char *what, int min, int max)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s || v < min || v > max) {
		fprintf(stderr, "faild: bad %s \"%s\" (%d to %d)\n", what, s,
		    min, max);
		exit(2);
	}
	return (int)v;
}

/* Load the community and key files into fresh tables; -1 with err. */
static int
faild_load_access(struct community_table **ct, struct keyring **kr,
    char *err, size_t errlen)
{
	*ct = NULL;
	*kr = NULL;
	if (faild.communityfile != NULL &&
	    (*ct = community_load(faild.communityfile, err, errlen)) == NULL)
		return -1;
	if (faild.keyfile != NULL &&
	    (*kr = keyring_load(faild.keyfile, err, errlen)) == NULL) {
		community_free(*ct);
		*ct = NULL;
		return -1;
	}
	return 0;
}

/*
 * A state the local failsh set (setter "failsh@...") is one that only a
 * running failsh maintains. Loaded from the file, nobody maintains it
 * yet (the host may have rebooted): get marks it unconfirmed until it is
 * set again, and failsh's pollers count such an answer as none.
 */
static void
faild_mark_unconfirmed(struct state_table *t)
{
	struct service	**v;
	size_t		  i, n;

	v = state_sorted(t, &n);
	for (i = 0; i < n; i++)
		v[i]->unconfirmed = strncmp(v[i]->setter, "failsh@", 7) == 0;
	free(v);
}

/* SIGHUP: new community and key files, or the old ones if they are bad. */
static void
faild_reload(void)
{
	struct community_table	*ct;
	struct keyring		*kr;
	char			 err[512];

	service_notify("RELOADING=1", "reloading the access files");
	if (faild_load_access(&ct, &kr, err, sizeof(err)) < 0) {
		log_warnx("reload failed, keeping the old access files: %s",
		    err);
		service_notify("READY=1", "reload failed, old access files "
		    "kept: %s", err);
		return;
	}
	community_free(faild.communities);
	keyring_free(faild.keys);
	faild.communities = ct;
	faild.keys = kr;
	log_info("reloaded access files (%zu community entries, %zu keys)",
	    ct ? ct->n : 0, kr ? kr->n : 0);
	service_notify("READY=1", "serving, access files reloaded");
}

struct faild_listener {
	int	fd;
	int	tcp;
	char	name[NET_ADDRSTRLEN + 16];
};

static void *
faild_listener_thread(void *arg)
{
	struct faild_listener	*l = arg;

	if (l->tcp)
		faild_serve_tcp(l->fd);
	else
		faild_serve_udp(l->fd);
	return NULL;
}

/* Bind every listen address for UDP and TCP; returns the count. */
static int
faild_bind_all(struct faild_listener *ls, int max)
{
	static const char	*defaults[] = { "0.0.0.0", "::" };
	const char		**addrs = faild.listen;
	struct net_addr		  a;
	char			  err[256];
	int			  i, t, n = 0, naddrs = faild.nlisten;

	if (naddrs == 0) {
		addrs = defaults;
		naddrs = 2;
	}
	for (i = 0; i < naddrs; i++) {
		if (net_parse_addr(addrs[i], faild.port, &a, err,
		    sizeof(err)) < 0)
			fatalx("listen address: %s", err);
		for (t = 0; t < 2; t++) {
			if ((t == 0 && faild.no_udp) || (t == 1 && faild.no_tcp))
				continue;
			if (n == max)
				fatalx("too many listeners");
			ls[n].tcp = t;
			ls[n].fd = net_bind(&a, t ? SOCK_STREAM : SOCK_DGRAM,
			    err, sizeof(err));
			if (ls[n].fd < 0) {
				/* No IPv6 on this host: fine for the default. */
				if (faild.nlisten == 0 && i == 1 &&
				    (errno == EAFNOSUPPORT ||
				    errno == EADDRNOTAVAIL))
					continue;
				fatalx("cannot listen: %s", err);
			}
			snprintf(ls[n].name, sizeof(ls[n].name), "%s ",
			    t ? "tcp" : "udp");
			net_addr_port_str((struct sockaddr *)&a.ss,
			    ls[n].name + 4, sizeof(ls[n].name) - 4);
			n++;
		}
	}
	return n;
}

int
main(int argc, char *argv[])
{
	static const int	 sigs[] = { SIGTERM, SIGINT, SIGHUP };
	static const struct option longopts[] = { CMDLINE_LONGOPTS,
				    { NULL, 0, NULL, 0 } };
	struct faild_listener	 ls[2 * FAILD_MAX_LISTEN];
	const char		*pidfile = FAIL_RUNDIR "/faild.pid";
	const char		*user = NULL;
	char			 err[512], names[1024], host[256];
	int			 ch, foreground = 0, mlock = 0, nonice = 0;
	int			 check = 0, nls, i, sig;
	pth_attr_t		 attr;

	faild.statefile = FAIL_STATEDIR "/faild.state";
	faild.port = FAIL_DEFAULT_PORT;
	faild.max_conn = 512;
	faild.max_per_addr = FAILD_MAX_PER_ADDR;
	faild.rate = 0;
	faild.window_ms = 30000;
	faild.max_services = FAILD_MAX_SERVICES;
	log_init("faild", 1);

	while ((ch = getopt_long(argc, argv,
	    "C:c:d:e:Fi:k:l:M:mN:n:p:R:r:S:s:TtUu:Vw:", longopts, NULL))
	    != -1) {
		switch (ch) {
		case 'C':
			faild.max_per_addr = faild_number(optarg, "connection "
			    "limit per address", 1, FAILD_MAX_CONN_LIMIT);
			break;
		case 'c':
			faild.communityfile = optarg;
			break;
		case 'd':
			log_fac_raise(optarg);
			break;
		case 'e':
			faild.metrics_addr = optarg;
			break;
		case 'F':
			foreground = 1;
			break;
		case 'k':
			faild.keyfile = optarg;
			break;
		case 'l':
			if (faild.nlisten == FAILD_MAX_LISTEN) {
				fprintf(stderr, "faild: at most %d -l\n",
				    FAILD_MAX_LISTEN);
				exit(2);
			}
			faild.listen[faild.nlisten++] = optarg;
			break;
		case 'M':
			faild.max_conn = faild_number(optarg, "connection "
			    "limit", 1, FAILD_MAX_CONN_LIMIT);
			break;
		case 'm':
			mlock = 1;
			break;
		case 'N':
			faild.node = optarg;
			break;
		case 'n':
			nonice = faild_number(optarg, "nonice", 0, 39);
			break;
		case 'p':
			faild.port = faild_number(optarg, "port", 1, 65535);
			break;
		case 'R':
			faild.rate = faild_number(optarg, "rate", 0, 10000000);
			break;
		case 'i':
		case 'r':		/* the old spelling */
			pidfile = optarg;
			break;
		case 'S':
			faild.max_services = (size_t)faild_number(optarg,
			    "service limit", 1, 10000000);
			break;
		case 's':
			faild.statefile = optarg;
			break;
		case 'T':
			faild.no_tcp = 1;
			break;
		case 't':
			check = 1;
			break;
		case 'U':
			faild.no_udp = 1;
			break;
		case 'u':
			user = optarg;
			break;
		case 'V':
			printf("faild (failover) %s, protocol %d\n",
			    PACKAGE_VERSION, PROTO_VERSION);
			exit(0);
		case 'w':
			faild.window_ms = 1000LL * faild_number(optarg,
			    "window", 1, 3600);
			break;
		case CMDLINE_HELP:
			usage(0);
		default:
			usage(2);
		}
	}
	if (optind != argc)
		usage(2);
	if (faild.node == NULL) {
		if (gethostname(host, sizeof(host)) < 0)
			fatal("gethostname");
		host[sizeof(host) - 1] = '\0';
		faild.node = host;
	}
	if (!proto_name_valid(faild.node)) {
		fprintf(stderr, "faild: bad node name \"%s\" (1 to %d of "
		    "A-Z a-z 0-9 . _ -; -N sets it)\n", faild.node,
		    PROTO_MAX_NAME);
		exit(2);
	}
	if (faild.no_tcp && faild.no_udp) {
		fprintf(stderr, "faild: -T and -U leave nothing to serve\n");
		exit(2);
	}

	if (faild_load_access(&faild.communities, &faild.keys, err,
	    sizeof(err)) < 0)
		fatalx("%s", err);
	faild.table = state_table_new(faild.max_services);
	if (statefile_load(faild.table, faild.statefile, err,
	    sizeof(err)) < 0)
		fatalx("%s", err);
	faild_mark_unconfirmed(faild.table);
	faild_check_statedir(user);
	if (check) {
		printf("faild: configuration OK: node %s, %zu services in %s, "
		    "%zu community entries, %zu keys\n", faild.node,
		    state_count(faild.table),
		    faild.statefile, faild.communities ?
		    faild.communities->n : 0, faild.keys ? faild.keys->n : 0);
		exit(0);
	}
	faild.nonces = nonce_cache_new(65536, faild.window_ms, time_now_ms());
	faild.peers = peer_table_new(&(struct peer_limits){ faild.max_conn,
	    faild.max_per_addr, faild.rate }, FAILD_PEERS);

	nls = faild_bind_all(ls, 2 * FAILD_MAX_LISTEN);
	if (nls == 0)
		fatalx("no address to listen on");
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);	/* a file size limit: EFBIG, ERR 500 */
	if (mlock && mlockall(MCL_CURRENT | MCL_FUTURE) < 0)
		fatal("mlockall");
	if (nonice > 0 && setpriority(PRIO_PROCESS, 0, -nonice) < 0)
		fatal("cannot lower the nice value by %d", nonice);
	service_detach(foreground, pidfile, user);
	/*
	 * Fold the journal into a new snapshot and start an empty one: this
	 * proves now, not at the first change, that the table can be saved.
	 */
	if ((faild.journal = state_journal_open(faild.table, faild.statefile,
	    STATE_COMPACT_BYTES, err, sizeof(err))) == NULL)
		fatalx("cannot write the state file: %s", err);

	if (!pth_init())
		fatal("pth_init");
	faild.start_ms = time_now_ms();
	pth_mutex_init(&faild.watch_mutex);
	pth_cond_init(&faild.watch_cond);
	if (signals_init(sigs, 3) < 0)
		fatal("signals");
	faild_metrics_start();

	attr = pth_attr_new();
	pth_attr_set(attr, PTH_ATTR_JOINABLE, FALSE);
	names[0] = '\0';
	for (i = 0; i < nls; i++) {
		pth_attr_set(attr, PTH_ATTR_NAME, ls[i].name);
		if (pth_spawn(attr, faild_listener_thread, &ls[i]) == NULL)
			fatal("pth_spawn");
		snprintf(names + strlen(names), sizeof(names) - strlen(names),
		    "%s%s", i ? ", " : "", ls[i].name);
	}
	log_info("ready: node %s, %s; %zu services from %s", faild.node, names,
	    state_count(faild.table), faild.statefile);
	service_notify("READY=1", "serving %s; %zu services", names,
	    state_count(faild.table));

	for (;;) {
		sig = signals_next();
		if (sig == SIGHUP) {
			faild_reload();
			continue;
		}
		log_info("exiting on signal %d, services left as they are",
		    sig);
		service_notify("STOPPING=1", "exiting on signal %d", sig);
		if (pidfile[0] != '\0')
			unlink(pidfile);
		exit(0);
	}
}
