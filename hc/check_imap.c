/*
 * check_imap.c: an IMAP server is healthy when it greets with "* OK" or
 * "* PREAUTH" ("* BYE" is a refusal); then we log out. Plain TCP: port
 * 993 (implicit TLS) is checked with check tcp.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "check_greet.h"
#include "hc_check.h"

#define IMAP_PORT	143

static void *
imap_parse(int argc, char **argv, char *err, size_t errlen)
{
	return greet_parse("imap", IMAP_PORT, argc, argv, 0, err, errlen);
}

/* Is line the untagged response word ("* OK text")? Case does not count. */
static int
imap_is(const char *line, const char *word)
{
	size_t	n = strlen(word);

	return strncasecmp(line, word, n) == 0 &&
	    (line[n] == ' ' || line[n] == '\0');
}

static int
imap_run(void *conf, const char *target, int64_t deadline, char *why,
    size_t whylen)
{
	struct greet	*g;
	int		 rc = -1;

	(void)target;
	if ((g = greet_open(conf, deadline, why, whylen)) == NULL)
		return -1;
	if (greet_line(g, "greeting") == 0) {
		if (imap_is(g->line, "* OK")) {
			snprintf(why, whylen, "imap * OK");
			rc = 0;
		} else if (imap_is(g->line, "* PREAUTH")) {
			snprintf(why, whylen, "imap * PREAUTH");
			rc = 0;
		} else
			greet_unexpected(g, "greeting");
	}
	/* The server answers "* BYE ..." then "a1 OK ...". */
	greet_close(g, "a1 LOGOUT", "a1 ");
	return rc;
}

const struct hc_check_type hc_check_imap = {
	"imap", imap_parse, imap_run, greet_free
};
