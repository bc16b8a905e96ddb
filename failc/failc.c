/*
 * failc.c: set (or delete) a service's state in a faild, for init scripts
 * and operators: "failc www UP" after starting www by hand; and hold a
 * service off a host, or all of them ("*": standby), or release it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "client_opts.h"
#include "state.h"

static __attribute__((noreturn)) void
usage(void)
{
	fprintf(stderr, "usage: failc [-V] [-b by] [-h host[:port]] "
	    "[-P udp|tcp] [-p port] [-t timeout_ms]\n"
	    "             [-c community | -k keyfile [-K keyid]] "
	    "service UP|RECOVER|FAIL|delete\n"
	    "       failc [options] service|'*' hold|release\n");
	exit(EXIT_USAGE);
}

int
main(int argc, char *argv[])
{
	struct client_opts	 o;
	struct fail_client	 c;
	struct proto_resp	 r = { 0 };
	const char		*host = "127.0.0.1";
	char			 req[256], err[512];
	enum svc_state		 st;
	char			 hold[PROTO_MAX_NAME + 8];
	int			 ch, release = 0;

	client_opts_init(&o, "failc");
	while ((ch = getopt(argc, argv, CLIENT_OPTS_GETOPT "b:h:V")) != -1) {
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
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 2)
		usage();
	/* A hold is a record of its own in the faild of the host it holds
	 * the service off: failsh there stops it, then publishes FAIL. */
	if (strcasecmp(argv[1], "hold") == 0 ||
	    strcasecmp(argv[1], "release") == 0) {
		release = strcasecmp(argv[1], "release") == 0;
		snprintf(hold, sizeof(hold), "%s%s", strcmp(argv[0], "*") ?
		    "_hold." : "_standby", strcmp(argv[0], "*") ? argv[0] : "");
		if (!proto_name_valid(hold) && strcmp(argv[0], "*") != 0) {
			fprintf(stderr, "failc: bad service name \"%s\" to "
			    "hold (1 to %d of A-Z a-z 0-9 . _ -)\n", argv[0],
			    PROTO_MAX_NAME - 6);
			exit(EXIT_USAGE);
		}
		argv[0] = hold;
		argv[1] = release ? "delete" : "FAIL";
		if (o.by == NULL)
			o.by = "operator";
	}
	if (!proto_name_valid(argv[0])) {
		fprintf(stderr, "failc: bad service name \"%s\" (1 to %d of "
		    "A-Z a-z 0-9 . _ -)\n", argv[0], PROTO_MAX_NAME);
		exit(EXIT_USAGE);
	}
	if (o.by != NULL && !proto_name_valid(o.by)) {
		fprintf(stderr, "failc: bad -b name \"%s\"\n", o.by);
		exit(EXIT_USAGE);
	}
	if (strcasecmp(argv[1], "delete") == 0)
		snprintf(req, sizeof(req), "delete %s", argv[0]);
	else if (svc_state_parse(argv[1], &st) == 0)
		snprintf(req, sizeof(req), "set %s %s", argv[0],
		    svc_state_str(st));
	else {
		fprintf(stderr, "failc: bad state \"%s\" (UP, RECOVER, FAIL, "
		    "delete, hold or release)\n", argv[1]);
		exit(EXIT_USAGE);
	}
	client_opts_connect(&o, host, &c);
	if (fail_client_call(&c, req, &r, err, sizeof(err)) < 0)
		client_die(&o, host, EXIT_UNREACHABLE, "%s", err);
	if (!(release && strcmp(r.kind, "ERR") == 0 &&
	    r.code == PERR_NOTFOUND))	/* nothing to release: fine */
		client_check_refused(&o, host, EXIT_REFUSED, &r);
	proto_resp_clear(&r);
	fail_client_close(&c);
	keyring_free(o.keys);
	return EXIT_OK;
}
