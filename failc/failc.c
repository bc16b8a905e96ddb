/*
 * failc.c: set (or delete) a service's state in a faild, for init scripts
 * and operators: "failc www UP" after starting www by hand; and hold a
 * service off a host, or all of them ("*": standby), move it to a named
 * host (held off every other), or release it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "client_opts.h"
#include "cmdline.h"
#include "state.h"

/* The usage: on stdout for --help (exit 0), else on stderr. */
static __attribute__((noreturn)) void
usage(int code)
{
	fprintf(code ? stderr : stdout, "usage: failc [-V] [-b by] [-h host[:port]] "
	    "[-P udp|tcp] [-p port] [-t timeout_ms]\n"
	    "             [-c community | -k keyfile [-K keyid]] "
	    "service UP|RECOVER|FAIL|delete\n"
	    "       failc [options] service|'*' hold|release\n"
	    "       failc [options] service move host\n");
	exit(code);
}

/* Room for a record's name before it is checked: none is cut short. */
#define FAILC_NAME	(3 * PROTO_MAX_NAME)

static struct client_opts	o;
static struct fail_client	c;
static const char		*host = "127.0.0.1";

/* Send req; exit on no answer, or on an ERR (but "not found" if
 * missing_ok). The answer is left in r. */
static void
failc_call(const char *req, int missing_ok, struct proto_resp *r)
{
	char	err[512];

	if (fail_client_call(&c, req, r, err, sizeof(err)) < 0)
		client_die(&o, host, EXIT_UNREACHABLE, "%s", err);
	if (!(missing_ok && strcmp(r->kind, "ERR") == 0 &&
	    r->code == PERR_NOTFOUND))
		client_check_refused(&o, host, EXIT_REFUSED, r);
}

/* The name of a record, with its prefix: a bad one is a usage error. */
static void
failc_record(char *name, size_t len, const char *prefix, const char *what,
    const char *suffix)
{
	snprintf(name, len, "%s%s%s%s", prefix, what, suffix[0] ? "." : "",
	    suffix);
	if (!proto_name_valid(name)) {
		fprintf(stderr, "failc: bad name \"%s\" (1 to %d of A-Z a-z "
		    "0-9 . _ -, prefix included)\n", name, PROTO_MAX_NAME);
		exit(EXIT_USAGE);
	}
}

/* Release: the hold of service, and the moves of it this faild holds. */
static void
failc_release(const char *service)
{
	struct proto_resp	r = { 0 }, d = { 0 };
	char			name[FAILC_NAME], req[FAILC_NAME + 8];
	size_t			len;
	int			k;

	failc_record(name, sizeof(name), STATE_HOLD, service, "");
	snprintf(req, sizeof(req), "delete %s", name);
	failc_call(req, 1, &d);
	failc_record(name, sizeof(name), STATE_MOVE, service, "");
	len = strlen(name);
	failc_call("list", 0, &r);
	for (k = 1; k + 3 < r.nfields; k += 4)
		if (strncmp(r.fields[k], name, len) == 0 &&
		    r.fields[k][len] == '.') {
			snprintf(req, sizeof(req), "delete %s", r.fields[k]);
			failc_call(req, 1, &d);
		}
	proto_resp_clear(&r);
	proto_resp_clear(&d);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = { CMDLINE_LONGOPTS,
			    { NULL, 0, NULL, 0 } };
	struct proto_resp	 r = { 0 };
	const char		*verb;
	char			 name[FAILC_NAME], req[FAILC_NAME + 32];
	enum svc_state		 st = SVC_FAIL;
	int			 ch, standby, operator = 1;

	client_opts_init(&o, "failc");
	while ((ch = getopt_long(argc, argv, CLIENT_OPTS_GETOPT "b:h:V",
	    longopts, NULL)) != -1) {
		if (client_opts_parse(&o, ch, optarg))
			continue;
		switch (ch) {
		case 'b':
			o.by = optarg;
			break;
		case 'h':
			host = optarg;
			break;
		case 'V':
			printf("failc (failover) %s\n", PACKAGE_VERSION);
			exit(EXIT_OK);
		case CMDLINE_HELP:
			usage(EXIT_OK);
		default:
			usage(EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 3 && strcasecmp(argv[1], "move") == 0)
		verb = "move";
	else if (argc == 2)
		verb = argv[1];
	else
		usage(EXIT_USAGE);
	if (o.by != NULL && !proto_name_valid(o.by)) {
		fprintf(stderr, "failc: bad -b name \"%s\"\n", o.by);
		exit(EXIT_USAGE);
	}
	/* Holds and moves are records of their own in the faild of the host
	 * they take the service off (see state.h): failsh there stops it
	 * first, then publishes FAIL. */
	standby = strcmp(argv[0], "*") == 0;
	if (strcasecmp(verb, "hold") == 0 && standby)
		snprintf(name, sizeof(name), "%s", STATE_STANDBY);
	else if (strcasecmp(verb, "hold") == 0)
		failc_record(name, sizeof(name), STATE_HOLD, argv[0], "");
	else if (strcasecmp(verb, "move") == 0)
		failc_record(name, sizeof(name), STATE_MOVE, argv[0], argv[2]);
	else if (strcasecmp(verb, "release") == 0)
		snprintf(name, sizeof(name), "%s", standby ? STATE_STANDBY : "");
	else if (strcasecmp(verb, "delete") == 0 ||
	    svc_state_parse(verb, &st) == 0) {
		failc_record(name, sizeof(name), "", argv[0], "");
		operator = 0;
	} else {
		fprintf(stderr, "failc: bad state \"%s\" (UP, RECOVER, FAIL, "
		    "delete, hold, release or move)\n", verb);
		exit(EXIT_USAGE);
	}
	if (o.by == NULL && operator)
		o.by = "operator";
	client_opts_connect(&o, host, &c);
	if (strcasecmp(verb, "release") == 0 && !standby)
		failc_release(argv[0]);
	else {
		if (strcasecmp(verb, "delete") == 0 ||
		    strcasecmp(verb, "release") == 0)
			snprintf(req, sizeof(req), "delete %s", name);
		else
			snprintf(req, sizeof(req), "set %s %s", name,
			    svc_state_str(st));
		/* nothing to release is fine */
		failc_call(req, strcasecmp(verb, "release") == 0, &r);
	}
	proto_resp_clear(&r);
	fail_client_close(&c);
	keyring_free(o.keys);
	return EXIT_OK;
}
