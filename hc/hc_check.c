/*
 * hc_check.c: the table of checks hc knows.
 */
#include <string.h>

#include "hc_check.h"

static const struct hc_check_type *const hc_checks[] = {
	&hc_check_tcp, &hc_check_http, &hc_check_https, &hc_check_smtp,
	&hc_check_pop3, &hc_check_imap, &hc_check_ftp, &hc_check_ping,
	&hc_check_dns, &hc_check_exec
};

#define NCHECKS	(sizeof(hc_checks) / sizeof(hc_checks[0]))

const struct hc_check_type *
hc_check_find(const char *name)
{
	size_t	i;

	for (i = 0; i < NCHECKS; i++)
		if (strcmp(hc_checks[i]->name, name) == 0)
			return hc_checks[i];
	return NULL;
}

const char *
hc_check_names(void)
{
	static char	names[256];
	size_t		i;

	if (names[0] == '\0')
		for (i = 0; i < NCHECKS; i++) {
			if (i > 0)
				strcat(names, ", ");
			strcat(names, hc_checks[i]->name);
		}
	return names;
}
