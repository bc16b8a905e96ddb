/*
 * check_smtp.c: an SMTP server is healthy when it greets with 220 and
 * answers EHLO with 250; then we say QUIT. Plain TCP: a port of implicit
 * TLS is checked with check tcp.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_greet.h"
#include "check_util.h"
#include "hc_check.h"
#include "xmalloc.h"

#define SMTP_PORT	25
#define SMTP_NAME_MAX	255	/* a domain name, RFC 1035 */

/* The EHLO name must be one word of printable ASCII. */
static int
smtp_name_ok(const char *name)
{
	size_t	len = strlen(name), i;

	if (len == 0 || len > SMTP_NAME_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (!isgraph((unsigned char)name[i]))
			return 0;
	return 1;
}

/* This host's name, as it calls itself; "localhost" if it has none. */
static char *
smtp_default_name(void)
{
	char	name[SMTP_NAME_MAX + 1];

	if (gethostname(name, sizeof(name)) < 0)
		name[0] = '\0';
	name[sizeof(name) - 1] = '\0';
	return xstrdup(smtp_name_ok(name) ? name : "localhost");
}

static void *
smtp_parse(int argc, char **argv, char *err, size_t errlen)
{
	struct greet_conf	*gc;
	const char		*helo = NULL;
	int			 i;

	if ((gc = greet_parse("smtp", SMTP_PORT, argc, argv, 1, err,
	    errlen)) == NULL)
		return NULL;
	for (i = 1; i < argc; i += 2) {
		if (strcmp(argv[i], "helo") != 0) {
			hc_opt_unknown("smtp", argv[i], "helo", err, errlen);
			goto fail;
		}
		if ((helo = hc_opt_value(argc, argv, i, err, errlen)) == NULL)
			goto fail;
		if (!smtp_name_ok(helo)) {
			snprintf(err, errlen, "option \"helo\" must be a host "
			    "name, not \"%s\"", helo);
			goto fail;
		}
	}
	gc->helo = helo != NULL ? xstrdup(helo) : smtp_default_name();
	return gc;
fail:
	greet_free(gc);
	return NULL;
}

static int
smtp_run(void *conf, const char *target, int64_t deadline, char *why,
    size_t whylen)
{
	struct greet_conf	*gc = conf;
	struct greet		*g;
	char			 ehlo[SMTP_NAME_MAX + 8];
	int			 rc = -1;

	(void)target;
	if ((g = greet_open(gc, deadline, why, whylen)) == NULL)
		return -1;
	if (greet_reply(g, 220, "greeting") < 0)
		goto done;
	snprintf(ehlo, sizeof(ehlo), "EHLO %s", gc->helo);
	if (greet_send(g, ehlo) < 0 || greet_reply(g, 250, "EHLO") < 0)
		goto done;
	snprintf(why, whylen, "smtp 220, EHLO 250");
	rc = 0;
done:
	greet_close(g, "QUIT", NULL);
	return rc;
}

const struct hc_check_type hc_check_smtp = {
	"smtp", smtp_parse, smtp_run, greet_free
};
