/*
 * check_ftp.c: an FTP server is healthy when it greets with 220 (120,
 * "ready in a few minutes", is not ready); then we say QUIT. Plain TCP:
 * port 990 (implicit TLS) is checked with check tcp.
 */
#include <stdio.h>

#include "check_greet.h"
#include "hc_check.h"

#define FTP_PORT	21

static void *
ftp_parse(int argc, char **argv, char *err, size_t errlen)
{
	return greet_parse("ftp", FTP_PORT, argc, argv, 0, err, errlen);
}

static int
ftp_run(void *conf, const char *target, int64_t deadline, char *why,
    size_t whylen)
{
	struct greet	*g;
	int		 rc = -1;

	(void)target;
	if ((g = greet_open(conf, deadline, why, whylen)) == NULL)
		return -1;
	if (greet_reply(g, 220, "greeting") == 0) {
		snprintf(why, whylen, "ftp 220");
		rc = 0;
	}
	greet_close(g, "QUIT", NULL);
	return rc;
}

const struct hc_check_type hc_check_ftp = {
	"ftp", ftp_parse, ftp_run, greet_free
};
