/*
 * failcheck.c: a cluster health check for Nagios, Icinga and the like. It
 * reads the faild of every host of a cluster at once, judges each service
 * across them (one owner UP, a standby ready), and answers as a plugin
 * does: one line of text, "|" performance data, details on the lines
 * below, exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
 */
#include "config.h"

#include <inttypes.h>
#include <pth.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client_opts.h"
#include "cmdline.h"
#include "state.h"
#include "timeutil.h"
#include "xmalloc.h"

#define CHECK_MAX_HOSTS		64
#define CHECK_MAX_SERVICES	256	/* -s */
#define CHECK_STACK_BYTES	(256 * 1024)

/* Plugin exit codes, worst last. */
enum check_status {
	CHECK_OK = 0,
	CHECK_WARNING = 1,
	CHECK_CRITICAL = 2,
	CHECK_UNKNOWN = 3
};

static const char *
check_status_str(enum check_status st)
{
	switch (st) {
	case CHECK_OK:
		return "OK";
	case CHECK_WARNING:
		return "WARNING";
	case CHECK_CRITICAL:
		return "CRITICAL";
	default:
		return "UNKNOWN";
	}
}

/* A record as a faild answers it: name STATE changed_ms setter. */
struct record {
	char	*name;		/* owned, as the other strings */
	char	*state;
	char	*changed;
	char	*setter;
	int	 unconfirmed;
};

/* One host of the command line and what its faild said. */
struct host {
	const char		*label;		/* argv's, borrowed */
	struct fail_client	 c;
	int			 readable;	/* every request answered */
	char			 err[512];	/* why not */
	int64_t			 ms;		/* time its requests took */
	struct record		*recs;		/* owned */
	int			 nrecs;
};

/* What the check reads and judges; the options are immutable after main. */
static struct client_opts	 opts;
static const char		*names[CHECK_MAX_SERVICES];	/* -s, argv's */
static int			 nnames;
static struct host		 hosts[CHECK_MAX_HOSTS];
static int			 nhosts;

static const char check_synopsis[] =
    "             [-c community | -k keyfile [-K keyid]] [-N node]\n"
    "             [-s service ...] host[:port] ...\n";

/*
 * Usage errors: one line on stdout for the monitoring system, the synopsis
 * on stderr for a person, exit UNKNOWN (plugin guidelines).
 */
static __attribute__((noreturn, format(printf, 1, 2))) void
check_usage(const char *fmt, ...)
{
	va_list	ap;

	printf("FAILOVER UNKNOWN - ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fprintf(stderr, "usage: failcheck [-V] [-P udp|tcp] [-p port] "
	    "[-t timeout_ms]\n%s", check_synopsis);
	exit(CHECK_UNKNOWN);
}

/*
 * The shared options exit 2 on a bad value, a plugin must exit 3: check
 * first what client_opts_parse would refuse.
 */
static void
check_opt_value(int ch, const char *arg)
{
	char	*end;
	long	 v;

	switch (ch) {
	case 'P':
		if (strcmp(arg, "udp") != 0 && strcmp(arg, "tcp") != 0)
			check_usage("-P takes udp or tcp");
		break;
	case 'N':
		if (!proto_name_valid(arg))
			check_usage("bad node name \"%s\"", arg);
		break;
	case 'p':
	case 't':
		v = strtol(arg, &end, 10);
		if (*arg == '\0' || *end != '\0' || (ch == 'p' ? v < 1 ||
		    v > 65535 : v < 10 || v > 3600000))
			check_usage("bad %s \"%s\"", ch == 'p' ? "port" :
			    "timeout (ms)", arg);
		break;
	}
}

static void
check_add(struct host *h, const char *const *f, int unconfirmed)
{
	struct record	*r;

	h->recs = xrealloc(h->recs, (h->nrecs + 1) * sizeof(*h->recs));
	r = &h->recs[h->nrecs++];
	r->name = xstrdup(f[0]);
	r->state = xstrdup(f[1]);
	r->changed = xstrdup(f[2]);
	r->setter = xstrdup(f[3]);
	r->unconfirmed = unconfirmed;
}

/* One request; 0 with r filled (an ERR 404 only if may_miss), or -1. */
static int
check_call(struct host *h, const char *req, struct proto_resp *r,
    int may_miss)
{
	if (fail_client_call(&h->c, req, r, h->err, sizeof(h->err)) < 0)
		return -1;
	if (strcmp(r->kind, "ERR") == 0 && !(may_miss &&
	    r->code == PERR_NOTFOUND)) {
		snprintf(h->err, sizeof(h->err), "refused: ERR %d %s", r->code,
		    r->text);
		return -1;
	}
	return 0;
}

/* get prefix+name into h's records; a missing one is left out. */
static int
check_get(struct host *h, const char *prefix, const char *name)
{
	struct proto_resp	r = { 0 };
	char			req[PROTO_MAX_NAME * 2 + 16];
	int			rc = -1;

	snprintf(req, sizeof(req), "get %s%s", prefix, name);
	if (check_call(h, req, &r, 1) < 0)
		goto fail;
	if (strcmp(r.kind, "OK") == 0) {
		if (r.nfields != 4 && r.nfields != 5) {
			snprintf(h->err, sizeof(h->err), "malformed answer");
			goto fail;
		}
		check_add(h, r.fields, r.nfields == 5);
	}
	rc = 0;
fail:
	proto_resp_clear(&r);
	return rc;
}

static int
check_list(struct host *h)
{
	struct proto_resp	r = { 0 };
	int			k, rc = -1;

	if (check_call(h, "list", &r, 0) < 0)
		goto fail;
	if (r.nfields < 1 || (r.nfields - 1) % 4 != 0) {
		snprintf(h->err, sizeof(h->err), "malformed answer");
		goto fail;
	}
	for (k = 1; k + 3 < r.nfields; k += 4)
		check_add(h, r.fields + k, 0);
	rc = 0;
fail:
	proto_resp_clear(&r);
	return rc;
}

/*
 * check_read --
 *	A thread per host: read its records, every one with a list, or with
 *	-s each named service, its hold and health, and the standby.
 *
 * Results:
 *	NULL.
 *
 * Side effects:
 *	Fills the host's records, readable or err, and ms.
 */
static void *
check_read(void *arg)
{
	struct host	*h = arg;
	int64_t		 t0 = time_mono_ms();
	int		 i, rc = 0;

	if (nnames == 0)
		rc = check_list(h);
	for (i = 0; i < nnames && rc == 0; i++)
		if ((rc = check_get(h, "", names[i])) == 0 &&
		    (rc = check_get(h, STATE_HOLD, names[i])) == 0)
			rc = check_get(h, STATE_HEALTH, names[i]);
	if (nnames > 0 && rc == 0)
		rc = check_get(h, STATE_STANDBY, "");
	h->ms = time_mono_ms() - t0;
	h->readable = rc == 0;
	fail_client_close(&h->c);
	return NULL;
}

static const struct record *
check_find(const struct host *h, const char *prefix, const char *name)
{
	size_t	n = strlen(prefix);
	int	i;

	for (i = 0; i < h->nrecs; i++)
		if (strncmp(h->recs[i].name, prefix, n) == 0 &&
		    strcmp(h->recs[i].name + n, name) == 0)
			return &h->recs[i];
	return NULL;
}

/* The hold or standby record in force on h for service, or NULL. */
static const struct record *
check_held(const struct host *h, const char *service)
{
	const struct record	*r;

	if ((r = check_find(h, STATE_HOLD, service)) != NULL &&
	    strcmp(r->state, "FAIL") == 0)
		return r;
	if ((r = check_find(h, "", STATE_STANDBY)) != NULL &&
	    strcmp(r->state, "FAIL") == 0)
		return r;
	return NULL;
}

static int
check_sick(const struct host *h, const char *service)
{
	const struct record	*r = check_find(h, STATE_HEALTH, service);

	return r != NULL && strcmp(r->state, "FAIL") == 0;
}

/* The state of service on h: a record's, "none", or NULL if unreadable. */
static const char *
check_state(const struct host *h, const char *service)
{
	const struct record	*r;

	if (!h->readable)
		return NULL;
	r = check_find(h, "", service);
	return r != NULL ? r->state : "none";
}

/* The verdict on one service, and the counts of the performance data. */
struct verdict {
	enum check_status	 status;
	struct pbuf		 why;		/* the problem, "" if OK */
};

struct counts {
	int	services, placed, no_standby, not_running, split, reachable;
};

/* Hosts whose state of service is state, as "a, b and c". */
static void
check_hosts_in(struct pbuf *b, const char *service, const char *state)
{
	int	i, n = 0, k = 0;

	for (i = 0; i < nhosts; i++)
		n += check_state(&hosts[i], service) != NULL &&
		    strcmp(check_state(&hosts[i], service), state) == 0;
	for (i = 0; i < nhosts; i++) {
		const char *st = check_state(&hosts[i], service);

		if (st == NULL || strcmp(st, state) != 0)
			continue;
		k++;
		pbuf_printf(b, "%s%s", k == 1 ? "" : k == n ? " and " : ", ",
		    hosts[i].label);
	}
}

/*
 * check_judge --
 *	Judge one service across the hosts: CRITICAL with no owner or more
 *	than one, WARNING with one owner but no ready standby (RECOVER on a
 *	readable host, not held, health not failing) unless a single host
 *	was given, else OK.
 *
 * Results:
 *	The verdict, its reason in v->why (owned by the caller).
 *
 * Side effects:
 *	Counts the service in c.
 */
static void
check_judge(const char *service, struct verdict *v, struct counts *c)
{
	const char	*st;
	int		 i, nup = 0, n = 0;

	memset(v, 0, sizeof(*v));
	pbuf_add(&v->why, "", 0);
	c->services++;
	for (i = 0; i < nhosts; i++)
		if ((st = check_state(&hosts[i], service)) != NULL &&
		    strcmp(st, "UP") == 0)
			nup++;
	if (nup > 1) {
		c->split++;
		v->status = CHECK_CRITICAL;
		pbuf_printf(&v->why, "%s UP on ", service);
		check_hosts_in(&v->why, service, "UP");
		pbuf_printf(&v->why, " (split brain)");
		return;
	}
	if (nup == 0) {
		c->not_running++;
		v->status = CHECK_CRITICAL;
		pbuf_printf(&v->why, "%s not running (", service);
		for (i = 0; i < nhosts; i++) {
			st = check_state(&hosts[i], service);
			pbuf_printf(&v->why, "%s%s %s", i ? ", " : "",
			    hosts[i].label, st == NULL ? "unreachable" :
			    strcmp(st, "none") == 0 ? "no record" : st);
		}
		pbuf_printf(&v->why, ")");
		return;
	}
	c->placed++;
	if (nhosts == 1)
		return;
	for (i = 0; i < nhosts; i++) {
		st = check_state(&hosts[i], service);
		if (st != NULL && strcmp(st, "UP") == 0)
			continue;
		if (st != NULL && strcmp(st, "RECOVER") == 0 &&
		    check_held(&hosts[i], service) == NULL &&
		    !check_sick(&hosts[i], service)) {
			pbuf_reset(&v->why);	/* a standby ready */
			return;
		}
		if (n++ == 0)
			pbuf_printf(&v->why, "%s no standby (", service);
		else
			pbuf_printf(&v->why, ", ");
		pbuf_printf(&v->why, "%s %s", hosts[i].label, st == NULL ? "unreachable" :
		    check_held(&hosts[i], service) != NULL ? "held" :
		    strcmp(st, "RECOVER") == 0 ? "health FAIL" :
		    strcmp(st, "none") == 0 ? "no record" : st);
	}
	c->no_standby++;
	v->status = CHECK_WARNING;
	pbuf_printf(&v->why, ")");
}

static int
check_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The services to judge: the -s names, or every name not starting "_". */
static const char **
check_services(int *n)
{
	const char	**v;
	int		  i, j, k = 0, cap = 0;

	if (nnames > 0) {
		v = xcalloc(nnames, sizeof(*v));
		for (i = 0; i < nnames; i++)
			v[i] = names[i];
		*n = nnames;
		return v;
	}
	for (i = 0; i < nhosts; i++)
		cap += hosts[i].nrecs;
	v = xmalloc((cap + 1) * sizeof(*v));
	for (i = 0; i < nhosts; i++)
		for (j = 0; j < hosts[i].nrecs; j++)
			if (hosts[i].recs[j].name[0] != '_')
				v[k++] = hosts[i].recs[j].name;
	qsort(v, k, sizeof(*v), check_cmp);
	for (i = j = 0; i < k; i++)
		if (j == 0 || strcmp(v[j - 1], v[i]) != 0)
			v[j++] = v[i];
	*n = j;
	return v;
}

/* A performance data label, quoted ('' for a quote inside). */
static void
check_label(struct pbuf *b, const char *prefix, const char *label)
{
	const char	*p;

	pbuf_printf(b, " '%s", prefix);
	for (p = label; *p != '\0'; p++)
		if (*p == '\'')
			pbuf_add(b, "''", 2);
		else
			pbuf_add(b, *p == '=' ? "_" : p, 1);
	pbuf_printf(b, "'");
}

static void
check_perfdata(struct pbuf *b, const struct counts *c)
{
	int	i;

	pbuf_printf(b, "| 'services'=%d;;;0 'placed'=%d;;;0;%d "
	    "'no_standby'=%d;0;;0;%d 'not_running'=%d;;0;0;%d "
	    "'split'=%d;;0;0;%d 'hosts_reachable'=%d;%d:;1:;0;%d", c->services,
	    c->placed, c->services, c->no_standby, c->services, c->not_running,
	    c->services, c->split, c->services, c->reachable, nhosts, nhosts);
	for (i = 0; i < nhosts; i++) {
		check_label(b, "time ", hosts[i].label);
		if (hosts[i].readable)
			pbuf_printf(b, "=%" PRId64 "ms;;;0;%d", hosts[i].ms,
			    opts.timeout_ms);
		else
			pbuf_printf(b, "=U");
	}
}

/* The long output: a line per host, per service, per hold and move. */
static void
check_details(struct pbuf *b, const char **svc, int nsvc,
    const struct verdict *v)
{
	const struct record	*r;
	char			 iso[40];
	int			 i, j;

	for (i = 0; i < nhosts; i++) {
		if (!hosts[i].readable)
			pbuf_printf(b, "\nhost %s: unreachable: %s",
			    hosts[i].label, hosts[i].err);
		else
			pbuf_printf(b, "\nhost %s: %" PRId64 " ms", hosts[i].label,
			    hosts[i].ms);
	}
	for (j = 0; j < nsvc; j++) {
		pbuf_printf(b, "\nservice %s: %s -", svc[j],
		    check_status_str(v[j].status));
		for (i = 0; i < nhosts; i++) {
			const char *st = check_state(&hosts[i], svc[j]);

			pbuf_printf(b, "%s %s %s", i ? "," : "",
			    hosts[i].label, st == NULL ? "unreachable" :
			    strcmp(st, "none") == 0 ? "no record" : st);
			if (st != NULL && (r = check_find(&hosts[i], "",
			    svc[j])) != NULL && r->unconfirmed)
				pbuf_printf(b, " (unconfirmed)");
			if (st != NULL && check_held(&hosts[i], svc[j]) != NULL)
				pbuf_printf(b, " (held)");
			if (st != NULL && check_sick(&hosts[i], svc[j]))
				pbuf_printf(b, " (health FAIL)");
		}
	}
	for (i = 0; i < nhosts; i++)
		for (j = 0; j < hosts[i].nrecs; j++) {
			r = &hosts[i].recs[j];
			if (strcmp(r->state, "FAIL") != 0 || (strncmp(r->name,
			    STATE_HOLD, strlen(STATE_HOLD)) != 0 &&
			    strncmp(r->name, STATE_MOVE, strlen(STATE_MOVE)) !=
			    0 && strcmp(r->name, STATE_STANDBY) != 0))
				continue;
			time_format_iso(strtoll(r->changed, NULL, 10), iso,
			    sizeof(iso));
			if (r->name[1] == 'h')
				pbuf_printf(b, "\nhold: %s held off %s",
				    r->name + strlen(STATE_HOLD),
				    hosts[i].label);
			else if (r->name[1] == 's')
				pbuf_printf(b, "\nhold: every service held off "
				    "%s (standby)", hosts[i].label);
			else
				pbuf_printf(b, "\nmove: %s (in the faild of %s)",
				    r->name + strlen(STATE_MOVE),
				    hosts[i].label);
			pbuf_printf(b, " by %s, since %s", r->setter, iso);
		}
}

/*
 * check_report --
 *	Judge every service, print the plugin's answer.
 *
 * Results:
 *	The overall status, the worst of the services' and the hosts'.
 *
 * Side effects:
 *	Prints on stdout.
 */
static enum check_status
check_report(void)
{
	struct counts	  c = { 0 };
	struct verdict	 *v;
	struct pbuf	  line = { 0 }, perf = { 0 }, details = { 0 };
	const char	**svc;
	enum check_status worst = CHECK_OK, st;
	int		  i, nsvc, shown = 0;

	for (i = 0; i < nhosts; i++)
		c.reachable += hosts[i].readable;
	if (c.reachable == 0) {
		pbuf_printf(&line, "no host reachable (");
		for (i = 0; i < nhosts; i++)
			pbuf_printf(&line, "%s%s: %s", i ? "; " : "",
			    hosts[i].label, hosts[i].err);
		pbuf_printf(&line, ")");
		printf("FAILOVER UNKNOWN - %s\n", line.data);
		pbuf_free(&line);
		return CHECK_UNKNOWN;
	}
	svc = check_services(&nsvc);
	v = xcalloc(nsvc + 1, sizeof(*v));
	for (i = 0; i < nsvc; i++) {
		check_judge(svc[i], &v[i], &c);
		if (v[i].status > worst)
			worst = v[i].status;
	}
	if (c.reachable < nhosts)
		worst = worst > CHECK_WARNING ? worst : CHECK_WARNING;
	/* The problems, worst first, each lesser one with its status. */
	for (st = CHECK_CRITICAL; st > CHECK_OK; st--) {
		for (i = 0; i < nsvc; i++)
			if (v[i].status == st)
				pbuf_printf(&line, "%s%s%s%s", shown++ ? "; " :
				    "", st < worst ? check_status_str(st) : "",
				    st < worst ? " " : "", v[i].why.data);
		for (i = 0; st == CHECK_WARNING && i < nhosts; i++)
			if (!hosts[i].readable)
				pbuf_printf(&line, "%s%s%s unreachable",
				    shown++ ? "; " : "", st < worst ?
				    "WARNING " : "", hosts[i].label);
	}
	if (c.services == 0)
		pbuf_printf(&line, "%sno services", shown ? "; " : "");
	else if (c.placed == c.services && c.no_standby == 0)
		pbuf_printf(&line, "%s%d service%s placed, %s", shown ? "; " :
		    "", c.services, c.services == 1 ? "" : "s", nhosts == 1 ?
		    "single host (no standby expected)" : c.services == 1 ?
		    "with a standby" : "each with a standby");
	check_perfdata(&perf, &c);
	check_details(&details, svc, nsvc, v);
	printf("FAILOVER %s - %s %s%s\n", check_status_str(worst), line.data,
	    perf.data, details.data);
	for (i = 0; i < nsvc; i++)
		pbuf_free(&v[i].why);
	free(v);
	free(svc);
	pbuf_free(&line);
	pbuf_free(&perf);
	pbuf_free(&details);
	return worst;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = { CMDLINE_LONGOPTS,
			    { NULL, 0, NULL, 0 } };
	pth_attr_t	 attr = NULL;
	pth_t		 tid[CHECK_MAX_HOSTS];
	char		 err[512];
	enum check_status rc;
	int		 ch, i, j;

	client_opts_init(&opts, "failcheck");
	opts.usage_exit = CHECK_UNKNOWN;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, CLIENT_OPTS_GETOPT "s:V",
	    longopts, NULL)) != -1) {
		check_opt_value(ch, optarg);
		if (client_opts_parse(&opts, ch, optarg))
			continue;
		switch (ch) {
		case 's':
			if (!proto_name_valid(optarg) || optarg[0] == '_')
				check_usage("bad service name \"%s\"", optarg);
			for (j = 0; j < nnames; j++)
				if (strcmp(names[j], optarg) == 0)
					break;
			if (j < nnames)
				break;
			if (nnames == CHECK_MAX_SERVICES)
				check_usage("more than %d services",
				    CHECK_MAX_SERVICES);
			names[nnames++] = optarg;
			break;
		case 'V':
			printf("failcheck (failover) %s\n", PACKAGE_VERSION);
			exit(CHECK_OK);
		case CMDLINE_HELP:
			printf("usage: failcheck [-V] [-P udp|tcp] [-p port] "
			    "[-t timeout_ms]\n%s", check_synopsis);
			exit(CHECK_OK);
		default:
			check_usage("bad option or missing argument: -%c",
			    optopt);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		check_usage("no host given");
	if (argc > CHECK_MAX_HOSTS)
		check_usage("more than %d hosts", CHECK_MAX_HOSTS);
	if (opts.community != NULL && opts.keyfile != NULL)
		check_usage("-c and -k exclude each other");
	if (opts.keyfile != NULL) {
		if ((opts.keys = keyring_load(opts.keyfile, err,
		    sizeof(err))) == NULL)
			check_usage("%s", err);
		if (opts.keyid != NULL && keyring_find(opts.keys,
		    opts.keyid) == NULL)
			check_usage("no key \"%s\" in %s", opts.keyid,
			    opts.keyfile);
	}
	/* A thread per host; one whose address is bad is not asked. */
	for (nhosts = 0; nhosts < argc; nhosts++) {
		struct host	*h = &hosts[nhosts];

		h->label = argv[nhosts];
		tid[nhosts] = NULL;
		if (client_opts_setup(&opts, h->label, &h->c, h->err,
		    sizeof(h->err)) != 0)
			continue;
		if (attr == NULL) {	/* pth_init is client_opts_setup's */
			attr = pth_attr_new();
			pth_attr_set(attr, PTH_ATTR_STACK_SIZE,
			    (unsigned)CHECK_STACK_BYTES);
			pth_attr_set(attr, PTH_ATTR_JOINABLE, TRUE);
		}
		if ((tid[nhosts] = pth_spawn(attr, check_read, h)) == NULL)
			check_read(h);
	}
	for (i = 0; i < nhosts; i++)
		if (tid[i] != NULL)
			pth_join(tid[i], NULL);
	if (attr != NULL)
		pth_attr_destroy(attr);
	rc = check_report();
	fflush(stdout);
	for (i = 0; i < nhosts; i++) {
		for (j = 0; j < hosts[i].nrecs; j++) {
			free(hosts[i].recs[j].name);
			free(hosts[i].recs[j].state);
			free(hosts[i].recs[j].changed);
			free(hosts[i].recs[j].setter);
		}
		free(hosts[i].recs);
	}
	keyring_free(opts.keys);
	return rc;
}
