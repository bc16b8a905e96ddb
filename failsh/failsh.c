/*
 * failsh.c: the failover shell. A Tcl interpreter with failsvc, failhost,
 * failtrap and failquery, and a scheduler that runs every service: polls
 * its peers, decides, runs its scripts, publishes to the local faild.
 * This file: options, the policy script, start-up, signals, the loop.
 */
#include <ctype.h>
#include <pthread.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdline.h"
#include "failsh.h"
#include "log.h"
#include "service.h"
#include "signals.h"
#include "timeutil.h"
#include "xmalloc.h"

struct log_facility log_facilities[] = {
	[FAC_MAIN] = { "main", 0 },
	[FAC_TCL] = { "tcl", 0 },
	[FAC_SCHED] = { "sched", 0 },
	[FAC_NET] = { "net", 0 },
	[FAC_MONITOR] = { "monitor", 0 },
	{ NULL, 0 }
};

struct failsh	failsh;

static const char	*pidfile = FAIL_RUNDIR "/failsh.pid";

static __attribute__((noreturn)) void
usage(int code)
{
	fprintf(code ? stderr : stdout, "usage: failsh [-FtV] [-c community] "
	    "[-D [address:]port] [-d facility]\n"
	    "              [-e [address:]port] [-f tclfile] [-i pidfile] "
	    "[-k keyfile]\n"
	    "              [-L faild-address] [-l dumpfile] "
	    "[-m [address:]port]\n"
	    "              [-N nodename]\n"
	    "       -t checks the policy (-n too); see failsh(8)\n");
	exit(code);
}

/*
 * A port alone ("1848") listens on the default address; "none" not at
 * all; anything else is an address with an optional port.
 */
static const char *
listen_spec(const char *arg, const char *default_addr)
{
	const char	*p;
	char		*s;

	for (p = arg; *p != '\0' && isdigit((unsigned char)*p); p++)
		;
	if (*p != '\0' || p == arg)
		return arg;
	s = xmalloc(strlen(default_addr) + strlen(arg) + 2);
	sprintf(s, "%s:%s", default_addr, arg);
	return s;
}

/* An absolute path: daemon() changes to "/" and reload reads -f again. */
static const char *
absolute(const char *path)
{
	char	cwd[4096], *s;

	if (path[0] == '/' || path[0] == '\0')
		return path;
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		fatal("getcwd");
	s = xmalloc(strlen(cwd) + strlen(path) + 2);
	sprintf(s, "%s/%s", cwd, path);
	return s;
}

/* The interactive shell: read commands from stdin in the event loop. */
static const char repl_script[] =
"namespace eval ::failsh { variable cmd {}; variable repls 0 }\n"
"proc ::failsh::prompt {p} {\n"
"    if {$::tcl_interactive} { puts -nonewline $p; flush stdout }\n"
"}\n"
"proc ::failsh::input {} {\n"
"    variable cmd\n"
"    if {[gets stdin line] < 0} {\n"
"        if {[eof stdin]} { exit 0 }\n"
"        return\n"
"    }\n"
"    append cmd $line \\n\n"
"    if {![info complete $cmd]} { prompt {> }; return }\n"
"    set c $cmd\n"
"    set cmd {}\n"
"    fileevent stdin readable {}\n"
"    coroutine ::failsh::repl[incr ::failsh::repls] ::failsh::repl_eval $c\n"
"}\n"
"# A command runs in a coroutine, so its after, vwait and exec wait\n"
"# without stopping the scheduler; the next is read when it is done.\n"
"proc ::failsh::repl_eval {c} {\n"
"    if {[catch {uplevel #0 $c} r]} {\n"
"        puts stderr \"error: $r\"\n"
"    } elseif {$r ne {} && $::tcl_interactive} {\n"
"        puts $r\n"
"    }\n"
"    prompt {failsh> }\n"
"    fileevent stdin readable ::failsh::input\n"
"}\n"
"fconfigure stdin -blocking 0\n"
"fileevent stdin readable ::failsh::input\n"
"::failsh::prompt {failsh> }\n";

static int
reload_event_proc(Tcl_Event *ev, int flags)
{
	(void)ev;
	if (!(flags & TCL_TIMER_EVENTS))
		return 0;
	service_notify("RELOADING=1", "reloading the policy");
	policy_reload();
	service_notify("READY=1", "running the policy %s", failsh.policy);
	return 1;
}

/* Signals, in a thread of their own: they act through the Tcl loop. */
static void *
signal_thread(void *arg)
{
	int	sig;

	(void)arg;
	for (;;) {
		sig = signals_next();
		log_debug(FAC_MAIN, 1, "signal %d", sig);
		switch (sig) {
		case SIGUSR1:
			monitor_dump();
			break;
		case SIGHUP: {
			Tcl_Event *ev = (Tcl_Event *)ckalloc(sizeof(*ev));

			ev->proc = reload_event_proc;
			Tcl_QueueEvent(ev, TCL_QUEUE_TAIL);
			notify_wake();
			break;
		}
		default:
			log_info("exiting on signal %d, services left as they "
			    "are", sig);
			service_notify("STOPPING=1", "exiting on signal %d",
			    sig);
			if (failsh.policy != NULL && pidfile[0] != '\0')
				unlink(pidfile);
			exit(0);
		}
	}
	return NULL;
}

static void
failsh_local_faild(void)
{
	struct failsh_host	*me = failsh.nodename ?
				    failsh_host_find(failsh.nodename) : NULL;
	const char		*addr = failsh.faild_addr;
	char			 err[256];
	int			 port = FAIL_DEFAULT_PORT;

	if (addr == NULL)
		addr = "127.0.0.1";	/* faild lets loopback write */
	if (me != NULL)
		port = me->port;
	if (fail_client_init(&failsh.faild, addr, port, me ? me->tcp : 1, err,
	    sizeof(err)) < 0)
		fatalx("local faild address: %s", err);
	failsh.faild_host = addr;
	failsh.faild_port = port;
	failsh.faild.by = "failsh";
	failsh.faild.to = failsh.nodename;
	failsh.faild.timeout_ms = 2000;
	if (me != NULL) {
		failsh.faild.community = me->community;
		if (me->keyid != NULL)
			failsh.faild.key = keyring_find(failsh.keys, me->keyid);
	}
	pth_mutex_init(&failsh.faild_mutex);
}

/*
 * -t: the policy loaded; say what it holds, and warn of what will surely
 * fail. Exits 0.
 */
static __attribute__((noreturn)) void
failsh_check(void)
{
	struct failsh_service	*s;
	struct failsh_host	*h;
	char			 buf[512];
	int			 ns = 0, nh = 0;

	failsh_local_faild();		/* its address must resolve */
	for (h = failsh.hosts; h != NULL; h = h->next)
		nh++;
	for (s = failsh.services; s != NULL; s = s->next, ns++) {
		if (s->script[SCRIPT_START] == NULL)
			printf("failsh: warning: service %s has no start "
			    "script: it can never be UP\n", s->name);
		if (etcd_backend() && s->npeers[ROLE_QUORUM] > 0)
			printf("failsh: warning: service %s: quorum hosts are "
			    "not used with the etcd backend\n", s->name);
		if (etcd_backend() && s->self_at[ROLE_MASTER] < 0 &&
		    s->self_at[ROLE_SLAVE] < 0)
			printf("failsh: warning: service %s: this host (%s) "
			    "is in neither masters nor slaves: it never runs "
			    "it\n", s->name, failsh.nodename);
	}
	printf("failsh: configuration OK: %d services, %d hosts in %s\n", ns,
	    nh, failsh.policy ? failsh.policy : "-");
	if (etcd_summary(buf, sizeof(buf)) != NULL)
		printf("failsh: %s\n", buf);
	exit(0);
}

int
main(int argc, char *argv[])
{
	Tcl_Interp	*interp;
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1 };
	static const struct option longopts[] = { CMDLINE_LONGOPTS,
			    { NULL, 0, NULL, 0 } };
	pth_attr_t	 attr;
	char		 err[512], host[256];
	int		 ch, foreground = 0, check = 0;

	failsh.community = "public";
	failsh.dumpfile = "/var/tmp/failsh.dump";
	failsh.monitor_addr = "0.0.0.0:1848";
	failsh.control_addr = "127.0.0.1:1849";
	log_init("failsh", 1);

	while ((ch = getopt_long(argc, argv, "c:D:d:e:Ff:i:k:L:l:m:N:ntV",
	    longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			failsh.community = optarg;
			break;
		case 'D':
			failsh.control_addr = listen_spec(optarg, "127.0.0.1");
			break;
		case 'd':
			log_fac_raise(optarg);
			foreground = 1;
			break;
		case 'e':
			failsh.metrics_addr = optarg;
			break;
		case 'F':
			foreground = 1;
			break;
		case 'f':
			failsh.policy = optarg;
			break;
		case 'i':
			pidfile = optarg;
			break;
		case 'k':
			failsh.keyfile = optarg;
			break;
		case 'L':
			failsh.faild_addr = optarg;
			break;
		case 'l':
			failsh.dumpfile = optarg;
			break;
		case 'm':
			failsh.monitor_addr = listen_spec(optarg, "0.0.0.0");
			break;
		case 'N':
			failsh.nodename = optarg;
			break;
		case 'n':		/* the old spelling */
		case 't':
			check = 1;
			break;
		case 'V':
			printf("failsh (failover) %s, protocol %d, Tcl %s\n",
			    PACKAGE_VERSION, PROTO_VERSION, TCL_PATCH_LEVEL);
			exit(0);
		case CMDLINE_HELP:
			usage(0);
		default:
			usage(2);
		}
	}
	if (optind != argc)
		usage(2);
	if (failsh.nodename == NULL) {
		if (gethostname(host, sizeof(host)) < 0)
			fatal("gethostname");
		host[sizeof(host) - 1] = '\0';
		failsh.nodename = xstrdup(host);
	}
	if (failsh.policy == NULL)
		foreground = 1;		/* interactive */
	if (failsh.keyfile != NULL && (failsh.keys =
	    keyring_load(failsh.keyfile, err, sizeof(err))) == NULL)
		fatalx("%s", err);
	if (failsh.policy != NULL) {
		failsh.policy = absolute(failsh.policy);
		if (policy_check_owner(failsh.policy, err, sizeof(err)) < 0)
			fatalx("%s", err);
	}
	failsh.dumpfile = absolute(failsh.dumpfile);
	pidfile = absolute(pidfile);

	if (!pth_init())
		fatal("pth_init");
	failsh.start_ms = time_now_ms();
	signal(SIGPIPE, SIG_IGN);
	notify_install();
	Tcl_FindExecutable(argv[0]);
	failsh.interp = interp = Tcl_CreateInterp();
	if (Tcl_Init(interp) != TCL_OK)
		fatalx("Tcl: %s", Tcl_GetStringResult(interp));
	failsh_tcl_init(interp);
	job_init(interp);
	Tcl_SetVar(interp, "::failsh::node", failsh.nodename, TCL_GLOBAL_ONLY);
	Tcl_SetVar(interp, "tcl_interactive", failsh.policy == NULL &&
	    isatty(0) ? "1" : "0", TCL_GLOBAL_ONLY);

	if (failsh.policy != NULL &&
	    Tcl_EvalFile(interp, failsh.policy) != TCL_OK)
		fatalx("policy script %s: %s", failsh.policy,
		    Tcl_GetVar(interp, "errorInfo", TCL_GLOBAL_ONLY));
	if (check)
		failsh_check();
	failsh_local_faild();
	monitor_start();
	failsh_metrics_start();

	service_detach(foreground, failsh.policy != NULL ? pidfile : "", NULL);
	if (signals_init(sigs, sizeof(sigs) / sizeof(sigs[0])) < 0)
		fatal("signals");
	/* a daemon a script starts gets the default signals */
	pthread_atfork(NULL, NULL, signals_reset);
	attr = pth_attr_new();
	pth_attr_set(attr, PTH_ATTR_NAME, "signals");
	pth_attr_set(attr, PTH_ATTR_JOINABLE, FALSE);
	if (pth_spawn(attr, signal_thread, NULL) == NULL)
		fatal("pth_spawn");

	watch_start();
	etcd_backend_start();
	sched_start();
	if (!etcd_backend())
		watch_peers_start();
	if (failsh.policy == NULL && Tcl_Eval(interp, repl_script) != TCL_OK)
		fatalx("failsh shell: %s", Tcl_GetStringResult(interp));
	net_addr_port_str((struct sockaddr *)&failsh.faild.addr.ss, host,
	    sizeof(host));
	log_info("ready: node %s, %s, local faild %s", failsh.nodename,
	    failsh.policy ? failsh.policy : "interactive", host);
	service_notify("READY=1", "running the policy %s, local faild %s",
	    failsh.policy ? failsh.policy : "(interactive)", host);
	for (;;)
		Tcl_DoOneEvent(TCL_ALL_EVENTS);
}
