/*
 * failstat.c: read service states from a faild, as text or JSON, with an
 * exit code an init script can test (0 all UP, 1 some RECOVER, 2 some
 * FAIL, 3 unreachable), or follow every change (-w). The records that
 * tell about a service (state.h: its health, holds and moves, and the
 * standby) are shown with it and count for no exit code. From a failsh's
 * control port under the etcd backend, the backend (stats) and each
 * service's owner (show) are shown too.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client_opts.h"
#include "cmdline.h"
#include "json.h"
#include "state.h"
#include "timeutil.h"
#include "xmalloc.h"

static int	json;

/* The usage: on stdout for --help (exit 0), else on stderr. */
static __attribute__((noreturn)) void
usage(int code)
{
	fprintf(code ? stderr : stdout, "usage: failstat [-jVw] [-P udp|tcp] [-p port] "
	    "[-t timeout_ms]\n"
	    "             [-c community | -k keyfile [-K keyid]] "
	    "[host[:port] [service ...]]\n");
	exit(code);
}

/* A time of change as failstat shows it: "never" for 0 (never set). */
static const char *
failstat_time(int64_t ms, char *buf, size_t len)
{
	if (ms == 0)
		return "never";
	return time_format_iso(ms, buf, len);
}

/* A record: name state changed_ms setter, as faild answers it. */
struct record {
	const char	*name, *state, *changed, *setter;
	int		 unconfirmed;
	/* its owner key, from a failsh under the etcd backend (show) */
	const char	*owner;		/* NULL: not asked; "-": none */
	int64_t		 epoch;
	int		 here;
};

/* The etcd backend of a failsh, as its stats answer says. */
struct backend {
	const char	*kind, *endpoint, *lease, *coord, *unreachable;
	const char	*watch, *watchdog, *error;	/* error "" none */
	int64_t		 left_ms, fence_ms;
};

static struct backend	*backend;	/* NULL: none, or not a failsh */

/* What the records of one faild tell about service (NULL: the standby). */
struct notes {
	const struct record	*health;
	const struct record	*holds[8];	/* _hold., _move., FAIL */
	int			 nholds;
};

static int
failstat_prefixed(const char *name, const char *prefix, const char *service)
{
	size_t	n = strlen(prefix);

	return strncmp(name, prefix, n) == 0 &&
	    strncmp(name + n, service, strlen(service)) == 0;
}

static void
failstat_notes(const struct record *v, int n, const char *service,
    struct notes *out)
{
	const char	*rest;
	int		 i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < n; i++) {
		rest = v[i].name + strlen(service);
		if (failstat_prefixed(v[i].name, STATE_HEALTH, service) &&
		    rest[strlen(STATE_HEALTH)] == '\0')
			out->health = &v[i];
		else if (strcmp(v[i].state, "FAIL") != 0 ||
		    out->nholds == (int)(sizeof(out->holds) /
		    sizeof(out->holds[0])))
			continue;
		else if ((failstat_prefixed(v[i].name, STATE_HOLD, service) &&
		    rest[strlen(STATE_HOLD)] == '\0') ||
		    (failstat_prefixed(v[i].name, STATE_MOVE, service) &&
		    rest[strlen(STATE_MOVE)] == '.'))
			out->holds[out->nholds++] = &v[i];
	}
}

/* "hold" and "-", or "move" and the host a _move. record names. */
static const char *
failstat_hold_kind(const struct record *h, const char *service,
    const char **to)
{
	*to = "";
	if (strncmp(h->name, STATE_MOVE, strlen(STATE_MOVE)) != 0)
		return strcmp(h->name, STATE_STANDBY) == 0 ? "standby" : "hold";
	*to = h->name + strlen(STATE_MOVE) + strlen(service) + 1;
	return "move";
}

/* A hold: JSON object, or the text line "held: move to c by ..., since"
 * (indented to the state column: its start may name what is held). */
static void
failstat_print_hold(const struct record *h, const char *service)
{
	char		 iso[40];
	const char	*to, *kind = failstat_hold_kind(h, service, &to);
	int64_t		 ms = strtoll(h->changed, NULL, 10);

	if (json) {
		printf("{\"kind\": \"%s\", \"to\": \"%s\", \"by\": \"%s\", "
		    "\"since_ms\": %" PRId64 "}", kind, to, h->setter, ms);
		return;
	}
	printf("%-*s held: %s%s%s by %s, since %s\n", kind[0] == 's' ? 23 : 24,
	    "", kind, to[0] ?
	    " to " : "", to, h->setter, failstat_time(ms, iso, sizeof(iso)));
}

/* The backend: a line of text before the services, or a JSON member. */
static void
failstat_print_backend(const struct backend *b)
{
	if (!json) {
		printf("backend %s %s, lease %s (%.2f s left, fence %.2f s), "
		    "coord %s, unreachable %s, watch %s, watchdog %s%s%s\n",
		    b->kind, b->endpoint, b->lease, b->left_ms / 1000.0,
		    b->fence_ms / 1000.0, b->coord, b->unreachable, b->watch,
		    b->watchdog, b->error[0] ? ", error: " : "", b->error);
		return;
	}
	printf("\"backend\": {\"kind\": ");
	json_str(b->kind);
	printf(", \"endpoint\": ");
	json_str(b->endpoint);
	printf(", \"lease\": ");
	json_str(b->lease);
	printf(", \"lease_left_ms\": %" PRId64 ", \"fence_ms\": %" PRId64
	    ", \"coord\": ", b->left_ms, b->fence_ms);
	json_str(b->coord);
	printf(", \"unreachable\": ");
	json_str(b->unreachable);
	printf(", \"watch\": ");
	json_str(b->watch);
	printf(", \"watchdog\": ");
	json_str(b->watchdog);
	printf(", \"error\": ");
	json_str(b->error);
	printf("}, ");
}

/* Print one service with what the other records say of it, after lead. */
static void
failstat_print(const struct record *r, const struct record *v, int n,
    const char *lead)
{
	struct notes	 nt;
	char		 iso[40], owner[PROTO_MAX_NAME + 64];
	const char	*when;
	int64_t		 ms = strtoll(r->changed, NULL, 10);
	int		 i;

	failstat_notes(v, n, r->name, &nt);
	when = failstat_time(ms, iso, sizeof(iso));
	if (!json) {
		printf("%-24s %-8s %s %s\n", r->name, r->state, when, r->setter);
		if (r->unconfirmed)
			printf("%-24s (unconfirmed: faild restarted, its "
			    "failsh has not set it since)\n", "");
		if (nt.health != NULL)
			printf("%-24s health %s\n", "", strcmp(nt.health->state,
			    "UP") == 0 ? "OK" : "FAIL");
		for (i = 0; i < nt.nholds; i++)
			failstat_print_hold(nt.holds[i], r->name);
		if (r->owner != NULL)
			printf("%-24s owner %s\n", "", proto_owner_str(
			    r->owner, r->here, r->epoch, owner,
			    sizeof(owner)));
		return;
	}
	printf("%s{\"name\": \"%s\", \"state\": \"%s\", \"changed_ms\": %"
	    PRId64 ", \"changed\": \"%s\", \"setter\": \"%s\"", lead, r->name,
	    r->state, ms, when, r->setter);
	if (nt.health != NULL)
		printf(", \"health\": \"%s\"", strcmp(nt.health->state, "UP") ==
		    0 ? "OK" : "FAIL");
	if (nt.nholds > 0) {
		printf(", \"holds\": [");
		for (i = 0; i < nt.nholds; i++) {
			printf("%s", i ? ", " : "");
			failstat_print_hold(nt.holds[i], r->name);
		}
		printf("]");
	}
	if (r->owner != NULL) {
		printf(", \"owner\": ");
		if (strcmp(r->owner, "-") == 0)
			printf("null");
		else
			json_str(r->owner);
		printf(", \"epoch\": %" PRId64 ", \"owner_here\": %s",
		    r->epoch, r->here ? "true" : "false");
	}
	printf("}");
}

/* The records a service's line shows, not a line of their own. */
static int
failstat_is_note(const char *name)
{
	return strncmp(name, STATE_HEALTH, strlen(STATE_HEALTH)) == 0 ||
	    strncmp(name, STATE_HOLD, strlen(STATE_HOLD)) == 0 ||
	    strncmp(name, STATE_MOVE, strlen(STATE_MOVE)) == 0 ||
	    strcmp(name, STATE_STANDBY) == 0;
}

/* The records read, copied. */
static struct record	*recs;
static int		 nrecs;

static void
failstat_add(const char *const *f, int unconfirmed)
{
	struct record	*r;

	recs = xrealloc(recs, (nrecs + 1) * sizeof(*recs));
	r = &recs[nrecs++];
	r->name = xstrdup(f[0]);
	r->state = xstrdup(f[1]);
	r->changed = xstrdup(f[2]);
	r->setter = xstrdup(f[3]);
	r->unconfirmed = unconfirmed;
	r->owner = NULL;
}

/* Every record faild shows us. */
static void
failstat_list(struct client_opts *o, struct fail_client *c, const char *host)
{
	struct proto_resp	r = { 0 };
	char			err[512];
	int			k;

	if (fail_client_call(c, "list", &r, err, sizeof(err)) < 0)
		client_die(o, host, EXIT_UNREACHABLE, "%s", err);
	client_check_refused(o, host, EXIT_UNREACHABLE, &r);
	for (k = 1; k + 3 < r.nfields; k += 4)
		failstat_add(r.fields + k, 0);
	proto_resp_clear(&r);
}

/* The record prefix+name; if it is missing, an UNKNOWN one if asked. */
static void
failstat_get(struct client_opts *o, struct fail_client *c, const char *host,
    const char *prefix, const char *name, int unknown)
{
	struct proto_resp	 r = { 0 };
	char			 err[512], req[PROTO_MAX_NAME + 32];
	const char		*f[4] = { name, "UNKNOWN", "0", "-" };

	snprintf(req, sizeof(req), "get %s%s", prefix, name);
	if (fail_client_call(c, req, &r, err, sizeof(err)) < 0)
		client_die(o, host, EXIT_UNREACHABLE, "%s", err);
	if (strcmp(r.kind, "ERR") == 0 && (!unknown ||
	    r.code == PERR_NOTFOUND)) {
		if (unknown)
			failstat_add(f, 0);
	} else {
		client_check_refused(o, host, EXIT_UNREACHABLE, &r);
		if (r.nfields != 4 && r.nfields != 5)
			client_die(o, host, EXIT_UNREACHABLE, "malformed "
			    "answer");
		failstat_add(r.fields, r.nfields == 5);
	}
	proto_resp_clear(&r);
}

/*
 * Is it a failsh's control port that answered? Its records, and only
 * its, have the setter "failsh" (faild's name an address).
 */
static int
failstat_from_failsh(void)
{
	int	i;

	for (i = 0; i < nrecs; i++)
		if (strcmp(recs[i].setter, "failsh") == 0)
			return 1;
	return 0;
}

static int
failstat_int(const char *s, int64_t *v)
{
	char	*end;

	*v = strtoll(s, &end, 10);
	return end != s && *end == '\0' && *v >= 0 ? 0 : -1;
}

/*
 * The backend of a failsh, from the pairs of its stats answer
 * (failproto(5), "FAILSH CONTROL PORT").
 *
 * Results:
 *	None. A failsh without a backend, or one too old to serve it, or a
 *	stats request refused, leaves backend NULL: the backend is a note,
 *	not what failstat is asked for. A backend with a pair missing or
 *	malformed is fatal (exit 3).
 * Side effects:
 *	Sets backend.
 */
static void
failstat_backend(struct client_opts *o, struct fail_client *c,
    const char *host)
{
	static const char *const keys[] = { "backend", "endpoint", "lease",
	    "lease_left_ms", "fence_ms", "coord", "unreachable", "watch",
	    "watchdog", "error" };
	struct proto_resp	 r = { 0 };
	struct backend		*b;
	const char		*v[10];
	char			 err[512], *e;
	size_t			 i;
	int			 k;

	if (fail_client_call(c, "stats", &r, err, sizeof(err)) < 0)
		client_die(o, host, EXIT_UNREACHABLE, "%s", err);
	if (strcmp(r.kind, "OK") != 0)
		goto done;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		v[i] = NULL;
		for (k = 0; k + 1 < r.nfields; k += 2)
			if (strcmp(r.fields[k], keys[i]) == 0)
				v[i] = r.fields[k + 1];
	}
	if (v[0] == NULL)
		goto done;
	for (i = 1; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (v[i] == NULL)
			client_die(o, host, EXIT_UNREACHABLE, "malformed "
			    "answer: backend %s without %s", v[0], keys[i]);
	b = xcalloc(1, sizeof(*b));
	if (failstat_int(v[3], &b->left_ms) < 0 ||
	    failstat_int(v[4], &b->fence_ms) < 0)
		client_die(o, host, EXIT_UNREACHABLE, "malformed answer: "
		    "lease_left_ms %s, fence_ms %s", v[3], v[4]);
	b->kind = xstrdup(v[0]);
	b->endpoint = xstrdup(v[1]);
	b->lease = xstrdup(v[2]);
	b->coord = xstrdup(v[5]);
	b->unreachable = xstrdup(v[6]);
	b->watch = xstrdup(v[7]);
	b->watchdog = xstrdup(v[8]);
	e = xstrdup(v[9]);
	proto_pct_decode(e);
	b->error = strcmp(e, "-") == 0 ? "" : e;
	backend = b;
done:
	proto_resp_clear(&r);
}

/* The owner key of r (show): SERVICE HOST|- EPOCH here|elsewhere. */
static void
failstat_owner(struct client_opts *o, struct fail_client *c,
    const char *host, struct record *rec)
{
	struct proto_resp	 r = { 0 };
	char			 err[512], req[PROTO_MAX_NAME + 32];

	snprintf(req, sizeof(req), "show %s", rec->name);
	if (fail_client_call(c, req, &r, err, sizeof(err)) < 0)
		client_die(o, host, EXIT_UNREACHABLE, "%s", err);
	/* a service named that the policy lacks (UNKNOWN): no owner key */
	if (strcmp(r.kind, "ERR") == 0 && r.code == PERR_NOTFOUND)
		goto done;
	client_check_refused(o, host, EXIT_UNREACHABLE, &r);
	if (r.nfields != 4 || strcmp(r.fields[0], rec->name) != 0 ||
	    failstat_int(r.fields[2], &rec->epoch) < 0 ||
	    (strcmp(r.fields[3], "here") != 0 &&
	    strcmp(r.fields[3], "elsewhere") != 0))
		client_die(o, host, EXIT_UNREACHABLE, "malformed answer to "
		    "show %s", rec->name);
	rec->owner = xstrdup(r.fields[1]);
	rec->here = strcmp(r.fields[3], "here") == 0;
done:
	proto_resp_clear(&r);
}

/* The exit code a state contributes: UP 0, RECOVER 1, FAIL/unknown 2. */
static int
failstat_rank(const char *state)
{
	enum svc_state	st;

	if (svc_state_parse(state, &st) < 0 || st == SVC_FAIL)
		return 2;
	return st == SVC_RECOVER ? 1 : 0;
}

static int
failstat_wanted(char **names, int n, const char *name)
{
	int	i;

	if (n == 0)
		return 1;
	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return 1;
	return 0;
}

/* Follow changes until the connection ends; returns EXIT_UNREACHABLE. */
static int
failstat_watch(struct client_opts *o, struct fail_client *c, const char *host,
    char **names, int n)
{
	struct proto_resp	 r = { 0 };
	char			 err[512], iso[40];

	if (fail_client_watch(c, &r, err, sizeof(err)) < 0)
		client_die(o, host, EXIT_UNREACHABLE, "%s", err);
	client_check_refused(o, host, EXIT_UNREACHABLE, &r);
	for (;;) {
		if (fail_client_next(c, &r, -1, err, sizeof(err)) < 0)
			client_die(o, host, EXIT_UNREACHABLE, "%s", err);
		client_check_refused(o, host, EXIT_UNREACHABLE, &r);
		if (strcmp(r.kind, "STATE") == 0 && r.nfields == 4) {
			if (failstat_wanted(names, n, r.fields[0])) {
				const struct record rec = { r.fields[0],
				    r.fields[1], r.fields[2], r.fields[3], 0,
				    NULL, 0, 0 };

				failstat_print(&rec, NULL, 0, "");
				if (json)
					printf("\n");
			}
		} else if (strcmp(r.kind, "CHANGE") == 0 && r.nfields == 6) {
			const char *const *f = r.fields;

			if (!failstat_wanted(names, n, f[1]))
				continue;
			time_format_iso(strtoll(f[4], NULL, 10), iso,
			    sizeof(iso));
			if (json)
				printf("{\"seq\": %s, \"name\": \"%s\", \"old\": "
				    "\"%s\", \"new\": \"%s\", \"changed_ms\": %s, "
				    "\"changed\": \"%s\", \"setter\": \"%s\"}\n",
				    f[0], f[1], f[2], f[3], f[4], iso, f[5]);
			else
				printf("%s %s: %s -> %s (%s)\n", iso, f[1], f[2],
				    f[3], f[5]);
		}
		fflush(stdout);
	}
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = { CMDLINE_LONGOPTS,
			    { NULL, 0, NULL, 0 } };
	struct client_opts	 o;
	struct fail_client	 c;
	const char		*host = "127.0.0.1";
	char			 **names;
	int			 ch, i, n, watch = 0, worst = 0, shown = 0;

	client_opts_init(&o, "failstat");
	o.usage_exit = EXIT_USAGE_STATUS;
	while ((ch = getopt_long(argc, argv, CLIENT_OPTS_GETOPT "jVw",
	    longopts, NULL)) != -1) {
		if (client_opts_parse(&o, ch, optarg))
			continue;
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 'V':
			printf("failstat (failover) %s\n", PACKAGE_VERSION);
			exit(EXIT_OK);
		case 'w':
			watch = 1;
			break;
		case CMDLINE_HELP:
			usage(EXIT_OK);
		default:
			usage(EXIT_USAGE_STATUS);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 0) {
		host = argv[0];
		argc--;
		argv++;
	}
	names = argv;
	n = argc;
	for (i = 0; i < n; i++)
		if (!proto_name_valid(names[i])) {
			fprintf(stderr, "failstat: bad service name \"%s\"\n",
			    names[i]);
			exit(EXIT_USAGE_STATUS);
		}
	if (watch)
		o.tcp = 1;
	client_opts_connect(&o, host, &c);
	if (watch)
		return failstat_watch(&o, &c, host, names, n);

	if (n == 0)
		failstat_list(&o, &c, host);
	for (i = 0; i < n; i++) {
		failstat_get(&o, &c, host, "", names[i], 1);
		failstat_get(&o, &c, host, STATE_HEALTH, names[i], 0);
		failstat_get(&o, &c, host, STATE_HOLD, names[i], 0);
	}
	if (n > 0)
		failstat_get(&o, &c, host, STATE_STANDBY, "", 0);
	if (failstat_from_failsh())
		failstat_backend(&o, &c, host);
	for (i = 0; backend != NULL && i < nrecs; i++)
		if (n == 0 ? !failstat_is_note(recs[i].name) :
		    failstat_wanted(names, n, recs[i].name))
			failstat_owner(&o, &c, host, &recs[i]);
	if (json)
		printf("{\"host\": \"%s\", ", host);
	if (backend != NULL)
		failstat_print_backend(backend);
	for (i = 0; i < nrecs; i++)
		if (strcmp(recs[i].name, STATE_STANDBY) == 0 &&
		    strcmp(recs[i].state, "FAIL") == 0) {
			printf("%s", json ? "\"standby\": " : "*");
			failstat_print_hold(&recs[i], "");
			printf("%s", json ? ", " : "");
		}
	if (json)
		printf("\"services\": [");
	for (i = 0; i < nrecs; i++) {
		if (n == 0 ? failstat_is_note(recs[i].name) :
		    !failstat_wanted(names, n, recs[i].name))
			continue;
		failstat_print(&recs[i], recs, nrecs, shown++ ? ",\n    " :
		    "\n    ");
		if (failstat_rank(recs[i].state) > worst)
			worst = failstat_rank(recs[i].state);
	}
	if (json)
		printf("%s]}\n", shown ? "\n" : "");
	fail_client_close(&c);
	keyring_free(o.keys);
	return worst;
}
