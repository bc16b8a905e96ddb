/*
 * faildebug.c: read and change the debug levels of a running daemon
 * (faild now; failsh and hc speak the same "debug" verb on their ports).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client_opts.h"
#include "cmdline.h"
#include "log.h"

/* The usage: on stdout for --help (exit 0), else on stderr. */
static __attribute__((noreturn)) void
usage(int code)
{
	fprintf(code ? stderr : stdout, "usage: faildebug [-V] [-h host[:port]] [-P udp|tcp] "
	    "[-p port] [-t timeout_ms]\n"
	    "             [-c community | -k keyfile [-K keyid]] "
	    "[facility=level | facility+ | facility- ...]\n");
	exit(code);
}

/* The index of facility in the daemon's "facility level" list, or -1. */
static int
faildebug_find(const struct proto_resp *r, const char *facility)
{
	int	i;

	for (i = 0; i + 1 < r->nfields; i += 2)
		if (strcmp(r->fields[i], facility) == 0)
			return i / 2;
	return -1;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = { CMDLINE_LONGOPTS,
			    { NULL, 0, NULL, 0 } };
	struct client_opts	 o;
	struct fail_client	 c;
	struct proto_resp	 r = { 0 };
	struct pbuf		 req = { 0 };
	const char		*host = "127.0.0.1";
	char			 err[512], fac[64];
	int			 ch, i, k, level, nfac, *levels;

	client_opts_init(&o, "faildebug");
	while ((ch = getopt_long(argc, argv, CLIENT_OPTS_GETOPT "h:V",
	    longopts, NULL)) != -1) {
		if (client_opts_parse(&o, ch, optarg))
			continue;
		switch (ch) {
		case 'h':
			host = optarg;
			break;
		case 'V':
			printf("faildebug (failover) %s\n", PACKAGE_VERSION);
			exit(EXIT_OK);
		case CMDLINE_HELP:
			usage(EXIT_OK);
		default:
			usage(EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	client_opts_connect(&o, host, &c);
	if (fail_client_call(&c, "debug", &r, err, sizeof(err)) < 0)
		client_die(&o, host, EXIT_UNREACHABLE, "%s", err);
	client_check_refused(&o, host, EXIT_REFUSED, &r);

	/* Apply the arguments in order to a copy of the levels, then send. */
	nfac = r.nfields / 2;
	levels = calloc((size_t)nfac + 1, sizeof(*levels));
	for (i = 0; i < nfac; i++)
		levels[i] = atoi(r.fields[2 * i + 1]);
	for (i = 0; i < argc; i++) {
		const char	*a = argv[i], *eq = strchr(a, '=');
		size_t		 n = eq ? (size_t)(eq - a) : strlen(a) - 1;
		char		 last = a[strlen(a) - 1];

		if (n == 0 || n >= sizeof(fac) || (eq == NULL && last != '+' &&
		    last != '-'))
			usage(EXIT_USAGE);
		memcpy(fac, a, n);
		fac[n] = '\0';
		if ((k = faildebug_find(&r, fac)) < 0)
			client_die(&o, host, EXIT_USAGE, "no debug facility "
			    "\"%s\"", fac);
		level = levels[k];
		if (eq != NULL) {
			char *end;

			level = (int)strtol(eq + 1, &end, 10);
			if (eq[1] == '\0' || *end != '\0' || level < 0 ||
			    level > LOG_LEVEL_MAX)
				client_die(&o, host, EXIT_USAGE, "bad level "
				    "\"%s\" (0 to %d)", eq + 1, LOG_LEVEL_MAX);
		} else if (last == '+')
			level = level < LOG_LEVEL_MAX ? level + 1 : level;
		else
			level = level > 0 ? level - 1 : 0;
		levels[k] = level;
	}
	pbuf_printf(&req, "debug");
	for (i = 0; i < nfac; i++)
		pbuf_printf(&req, " %s %d", r.fields[2 * i], levels[i]);
	if (argc > 0) {
		if (fail_client_call(&c, req.data, &r, err, sizeof(err)) < 0)
			client_die(&o, host, EXIT_UNREACHABLE, "%s", err);
		client_check_refused(&o, host, EXIT_REFUSED, &r);
	}
	for (i = 0; i + 1 < r.nfields; i += 2)
		printf("%s %s\n", r.fields[i], r.fields[i + 1]);
	free(levels);
	pbuf_free(&req);
	proto_resp_clear(&r);
	fail_client_close(&c);
	keyring_free(o.keys);
	return EXIT_OK;
}
