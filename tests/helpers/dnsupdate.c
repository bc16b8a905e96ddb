/*
 * dnsupdate.c: faildns/update.c from the command line, for the tests:
 * replaces a name's A and AAAA records on a server with the addresses
 * given (none: no addresses left) and prints the server's rcode.
 * Exit 0 on NOERROR, 1 for another rcode, 2 for usage or a bad key file,
 * 3 when no valid answer came (unreachable, timeout, bad response).
 */
#include <sys/socket.h>
#include <arpa/inet.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pth.h>

#include "update.h"

#define DNSUPDATE_MAX_ADDRS	1000

static void
usage(void)
{
	fprintf(stderr, "usage: dnsupdate [-k keyfile [-n keyname]] [-t ttl] "
	    "[-w timeout_ms] server zone name [addr ...]\n");
	exit(2);
}

static long
number(const char *s, long min, long max, const char *what)
{
	char	*end;
	long	 v;

	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "dnsupdate: %s must be from %ld to %ld, not "
		    "\"%s\"\n", what, min, max, s);
		exit(2);
	}
	return v;
}

int
main(int argc, char *argv[])
{
	static struct update_addr	 addrs[DNSUPDATE_MAX_ADDRS];
	struct update_key		 key;
	const char			*keyfile = NULL, *keyname = NULL;
	char				 err[1024];
	uint32_t			 ttl = 60;
	int				 timeout_ms = 5000, c, i, n, rc;

	while ((c = getopt(argc, argv, "k:n:t:w:")) != -1) {
		switch (c) {
		case 'k':
			keyfile = optarg;
			break;
		case 'n':
			keyname = optarg;
			break;
		case 't':
			ttl = (uint32_t)number(optarg, 0, INT_MAX, "ttl");
			break;
		case 'w':
			timeout_ms = (int)number(optarg, 1, 3600000,
			    "timeout_ms");
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 3 || argc - 3 > DNSUPDATE_MAX_ADDRS ||
	    (keyname != NULL && keyfile == NULL))
		usage();
	for (i = 3, n = 0; i < argc; i++, n++) {
		memset(&addrs[n], 0, sizeof(addrs[n]));
		if (inet_pton(AF_INET, argv[i], addrs[n].a) == 1)
			addrs[n].family = AF_INET;
		else if (inet_pton(AF_INET6, argv[i], addrs[n].a) == 1)
			addrs[n].family = AF_INET6;
		else {
			fprintf(stderr, "dnsupdate: not an address: \"%s\"\n",
			    argv[i]);
			return 2;
		}
	}
	if (keyfile != NULL &&
	    update_key_load(keyfile, keyname, &key, err, sizeof(err)) < 0) {
		fprintf(stderr, "dnsupdate: %s\n", err);
		return 2;
	}
	if (!pth_init()) {
		fprintf(stderr, "dnsupdate: pth_init failed\n");
		return 3;
	}
	rc = update_replace(argv[0], argv[1], argv[2], ttl, addrs, (size_t)n,
	    keyfile != NULL ? &key : NULL, timeout_ms, err, sizeof(err));
	pth_kill();
	update_key_clear(&key);
	if (rc >= 0)
		printf("%s\n", update_rcode_str(rc));
	if (rc != UPDATE_NOERROR)
		fprintf(stderr, "dnsupdate: %s\n", err);
	return rc == UPDATE_NOERROR ? 0 : rc > 0 ? 1 : 3;
}
