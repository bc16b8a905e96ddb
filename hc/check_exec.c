/*
 * check_exec.c: a command line run by /bin/sh is healthy when it exits 0.
 * hc_proc.c runs it on Pth with HC_TARGET set and kills its whole process
 * group at the deadline; the first line of its output explains a failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "hc_check.h"
#include "hc_proc.h"
#include "xmalloc.h"

#define EXEC_OUT	1024	/* output kept, for its first line */
#define EXEC_WHY_TEXT	100	/* of that line, in a reason */

struct exec_conf {
	char	*cmd;		/* the words after "exec"; owned */
};

static void
exec_free(void *conf)
{
	struct exec_conf	*ec = conf;

	if (ec == NULL)
		return;
	free(ec->cmd);
	free(ec);
}

static void *
exec_parse(int argc, char **argv, char *err, size_t errlen)
{
	struct exec_conf	*ec;
	size_t			 len = 1, n;
	char			*p;
	int			 i;

	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	ec = xcalloc(1, sizeof(*ec));
	p = ec->cmd = xcalloc(1, len);
	for (i = 0; i < argc; i++) {
		if (i > 0)
			*p++ = ' ';
		n = strlen(argv[i]);
		memcpy(p, argv[i], n);
		p += n;
	}
	if (ec->cmd[strspn(ec->cmd, " \t")] == '\0') {
		snprintf(err, errlen,
		    "missing command (exec COMMAND [ARG ...])");
		exec_free(ec);
		return NULL;
	}
	return ec;
}

/* Append ": " and the first line of out that is not blank, cut, to why. */
static void
exec_why_output(const char *out, char *why, size_t whylen)
{
	size_t	n, used = strlen(why);

	out += strspn(out, " \t\r\n");
	n = strcspn(out, "\r\n");
	while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\t'))
		n--;
	if (n == 0 || used + 3 >= whylen)
		return;
	if (n > EXEC_WHY_TEXT)
		n = EXEC_WHY_TEXT;
	snprintf(why + used, whylen - used, ": ");
	hc_why_text(why + used + 2, whylen - used - 2, out, n);
}

static int
exec_run(void *conf, const char *target, int64_t deadline, char *why,
    size_t whylen)
{
	struct exec_conf	*ec = conf;
	char			*argv[] = { "/bin/sh", "-c", NULL, NULL };
	char			*env[] = { NULL, NULL };
	char			 out[EXEC_OUT];
	struct hc_proc		 p;
	size_t			 len;
	int			 status;

	argv[2] = ec->cmd;
	len = strlen("HC_TARGET=") + strlen(target) + 1;
	env[0] = xmalloc(len);
	snprintf(env[0], len, "HC_TARGET=%s", target);
	memset(&p, 0, sizeof(p));
	p.argv = argv;
	p.env = env;
	p.out = out;
	p.outlen = sizeof(out);
	status = hc_proc_run(&p, deadline, why, whylen);
	free(env[0]);
	if (status < 0)
		return -1;
	hc_proc_status_str(status, why, whylen);
	if (status == 0)
		return 0;
	exec_why_output(out, why, whylen);
	return -1;
}

const struct hc_check_type hc_check_exec = {
	"exec", exec_parse, exec_run, exec_free
};
