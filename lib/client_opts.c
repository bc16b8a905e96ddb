/*
 * client_opts.c: option parsing and set-up shared by the command-line
 * clients, so that -p, -P, -c, -k, -K, -N and -t mean the same in all of
 * them.
 */
#include <pth.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_opts.h"

void
client_opts_init(struct client_opts *o, const char *prog)
{
	memset(o, 0, sizeof(*o));
	o->prog = prog;
	o->port = FAIL_DEFAULT_PORT;
	o->tcp = 1;
	o->timeout_ms = 2000;
	o->usage_exit = EXIT_USAGE;
}

static int
client_number(const struct client_opts *o, const char *s, const char *what,
    int min, int max)
{
	char	*end;
	long	 v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "%s: bad %s \"%s\" (%d to %d)\n", o->prog, what,
		    s, min, max);
		exit(o->usage_exit);
	}
	return (int)v;
}

int
client_opts_parse(struct client_opts *o, int ch, const char *arg)
{
	switch (ch) {
	case 'c':
		o->community = arg;
		break;
	case 'K':
		o->keyid = arg;
		break;
	case 'k':
		o->keyfile = arg;
		break;
	case 'N':
		if (!proto_name_valid(arg)) {
			fprintf(stderr, "%s: bad node name \"%s\"\n", o->prog,
			    arg);
			exit(o->usage_exit);
		}
		o->node = arg;
		break;
	case 'P':
		if (strcmp(arg, "udp") != 0 && strcmp(arg, "tcp") != 0) {
			fprintf(stderr, "%s: -P takes udp or tcp\n", o->prog);
			exit(o->usage_exit);
		}
		o->tcp = strcmp(arg, "tcp") == 0;
		break;
	case 'p':
		o->port = client_number(o, arg, "port", 1, 65535);
		break;
	case 't':
		o->timeout_ms = client_number(o, arg, "timeout (ms)", 10,
		    3600000);
		break;
	default:
		return 0;
	}
	return 1;
}

void
client_die(const struct client_opts *o, const char *host, int code,
    const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "%s: %s: ", o->prog, host);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

int
client_opts_setup(struct client_opts *o, const char *host,
    struct fail_client *c, char *err, size_t errlen)
{
	static int	pth_started;

	if (o->community != NULL && o->keyfile != NULL) {
		snprintf(err, errlen, "-c and -k exclude each other");
		return -1;
	}
	if (!pth_started && !pth_init()) {
		snprintf(err, errlen, "cannot start GNU Pth");
		return -1;
	}
	pth_started = 1;
	if (o->keyfile != NULL && o->keys == NULL && (o->keys =
	    keyring_load(o->keyfile, err, errlen)) == NULL)
		return -1;
	if (fail_client_init(c, host, o->port, o->tcp, err, errlen) < 0)
		return 1;
	c->timeout_ms = o->timeout_ms;
	c->community = o->community;
	c->by = o->by;
	if (o->node != NULL)
		c->to = o->node;
	if (o->keys != NULL) {
		c->key = o->keyid ? keyring_find(o->keys, o->keyid) :
		    &o->keys->keys[0];
		if (c->key == NULL) {
			snprintf(err, errlen, "no key \"%s\" in %s", o->keyid,
			    o->keyfile);
			return -1;
		}
	}
	return 0;
}

void
client_opts_connect(struct client_opts *o, const char *host,
    struct fail_client *c)
{
	char	err[512];
	int	rc;

	if ((rc = client_opts_setup(o, host, c, err, sizeof(err))) != 0) {
		fprintf(stderr, "%s: %s\n", o->prog, err);
		exit(rc > 0 ? EXIT_UNREACHABLE : o->usage_exit);
	}
}

void
client_check_refused(const struct client_opts *o, const char *host, int code,
    const struct proto_resp *r)
{
	if (strcmp(r->kind, "ERR") == 0)
		client_die(o, host, code, "ERR %d %s", r->code, r->text);
}
