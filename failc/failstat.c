/*
 * failstat.c: read service states from a faild, as text or JSON, with an
 * exit code an init script can test (0 all UP, 1 some RECOVER, 2 some
 * FAIL, 3 unreachable), or follow every change (-w).
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client_opts.h"
#include "state.h"
#include "timeutil.h"

static int	json;

static __attribute__((noreturn)) void
usage(void)
{
	fprintf(stderr, "usage: failstat [-jVw] [-P udp|tcp] [-p port] "
	    "[-t timeout_ms]\n"
	    "             [-c community | -k keyfile [-K keyid]] "
	    "[host[:port] [service ...]]\n");
	exit(EXIT_USAGE);
}

/* Print one service record (name state changed_ms setter) after lead. */
static void
failstat_print(const char *const *f, const char *lead)
{
	char		 iso[40];
	int64_t		 ms = strtoll(f[2], NULL, 10);

	time_format_iso(ms, iso, sizeof(iso));
	if (json)
		printf("%s{\"name\": \"%s\", \"state\": \"%s\", "
		    "\"changed_ms\": %" PRId64 ", \"changed\": \"%s\", "
		    "\"setter\": \"%s\"}", lead, f[0], f[1], ms, iso, f[3]);
	else
		printf("%-24s %-8s %s %s\n", f[0], f[1], iso, f[3]);
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
				failstat_print(r.fields, "");
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
	struct client_opts	 o;
	struct fail_client	 c;
	struct proto_resp	 r = { 0 };
	const char		*host = "127.0.0.1";
	char			 err[512], req[128], **names;
	int			 ch, i, k, n, watch = 0, worst = 0, shown = 0;

	client_opts_init(&o, "failstat");
	while ((ch = getopt(argc, argv, CLIENT_OPTS_GETOPT "jVw")) != -1) {
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
		default:
			usage();
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
			exit(EXIT_USAGE);
		}
	if (watch)
		o.tcp = 1;
	client_opts_connect(&o, host, &c);
	if (watch)
		return failstat_watch(&o, &c, host, names, n);

	if (json)
		printf("{\"host\": \"%s\", \"services\": [", host);
	if (n == 0) {
		if (fail_client_call(&c, "list", &r, err, sizeof(err)) < 0)
			client_die(&o, host, EXIT_UNREACHABLE, "%s", err);
		client_check_refused(&o, host, EXIT_UNREACHABLE, &r);
		for (k = 1; k + 3 < r.nfields; k += 4) {
			failstat_print(r.fields + k, shown++ ? ",\n    " : "\n    ");
			if (failstat_rank(r.fields[k + 1]) > worst)
				worst = failstat_rank(r.fields[k + 1]);
		}
	}
	for (i = 0; i < n; i++) {
		snprintf(req, sizeof(req), "get %s", names[i]);
		if (fail_client_call(&c, req, &r, err, sizeof(err)) < 0)
			client_die(&o, host, EXIT_UNREACHABLE, "%s", err);
		if (strcmp(r.kind, "ERR") == 0 && r.code == PERR_NOTFOUND) {
			const char *f[4] = { names[i], "UNKNOWN", "0", "-" };

			failstat_print(f, shown++ ? ",\n    " : "\n    ");
			worst = 2;
			continue;
		}
		client_check_refused(&o, host, EXIT_UNREACHABLE, &r);
		if (r.nfields != 4 && r.nfields != 5)
			client_die(&o, host, EXIT_UNREACHABLE, "malformed "
			    "answer");
		failstat_print(r.fields, shown++ ? ",\n    " : "\n    ");
		if (r.nfields == 5 && !json)
			printf("%-24s (unconfirmed: faild restarted, its failsh "
			    "has not set it since)\n", "");
		if (failstat_rank(r.fields[1]) > worst)
			worst = failstat_rank(r.fields[1]);
	}
	if (json)
		printf("%s]}\n", shown ? "\n" : "");
	proto_resp_clear(&r);
	fail_client_close(&c);
	keyring_free(o.keys);
	return worst;
}
