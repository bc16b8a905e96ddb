/*
 * check_pop3.c: a POP3 server is healthy when it greets with "+OK"; then
 * we say QUIT. Plain TCP: port 995 (implicit TLS) is checked with check
 * tcp.
 */
#include <stdio.h>
#include <string.h>

#include "check_greet.h"
#include "hc_check.h"

#define POP3_PORT	110

static void *
pop3_parse(int argc, char **argv, char *err, size_t errlen)
{
	return greet_parse("pop3", POP3_PORT, argc, argv, 0, err, errlen);
}

static int
pop3_run(void *conf, const char *target, int64_t deadline, char *why,
    size_t whylen)
{
	struct greet	*g;
	int		 rc = -1;

	(void)target;
	if ((g = greet_open(conf, deadline, why, whylen)) == NULL)
		return -1;
	if (greet_line(g, "greeting") == 0) {
		if (strncmp(g->line, "+OK", 3) == 0 &&
		    (g->line[3] == ' ' || g->line[3] == '\0')) {
			snprintf(why, whylen, "pop3 +OK");
			rc = 0;
		} else
			greet_unexpected(g, "greeting");
	}
	greet_close(g, "QUIT", NULL);
	return rc;
}

const struct hc_check_type hc_check_pop3 = {
	"pop3", pop3_parse, pop3_run, greet_free
};
