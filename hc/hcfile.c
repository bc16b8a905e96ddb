/*
 * hcfile.c: the Hcfile, hc's configuration, read like a Makefile:
 *
 *	interval = 10			settings, "name = value", column 0
 *	web1: db1 dns1			a target and its dependencies
 *		check http 198.18.0.10	its lines, indented alike
 *		on fail mail ops@example.com
 *
 * Every problem is reported as "file:line: problem" and the whole file is
 * refused: hc does not start, or on SIGHUP keeps the file it runs.
 */
#define _GNU_SOURCE
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_util.h"
#include "hc.h"
#include "words.h"
#include "xmalloc.h"

#define HCFILE_MAX_SIZE		(1024 * 1024)
#define HCFILE_MAX_LINE		4096
#define HCFILE_MAX_WORDS	64
#define HCFILE_MAX_DEPTH	256	/* of dependencies */

struct parser {
	const char		*path;
	int			 line;
	char			*err;
	size_t			 errlen;
	struct hc_config	*conf;
	struct hc_target	*cur, **tail;
	char			 indent[HCFILE_MAX_LINE];	/* of cur's first body line */
	int			 indent_line;
	int			 set_line[16];	/* where each setting was set */
};

static int __attribute__((format(printf, 2, 3)))
perr(struct parser *p, const char *fmt, ...)
{
	char	msg[512];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "%s:%d: %s", p->path, p->line, msg);
	return -1;
}

/* Split a line into words (words.h); -1 with the error set. */
static int
split(struct parser *p, const char *s, char *buf, char **w)
{
	char	why[64];
	int	n;

	if ((n = words_split(s, buf, w, HCFILE_MAX_WORDS, why, sizeof(why))) < 0)
		return perr(p, "%s", why);
	return n;
}

static int
parse_count(struct parser *p, const char *what, const char *s, int *out)
{
	char	err[256];
	long	v;

	if (hc_parse_int(s, 1, 100, &v, what, err, sizeof(err)) < 0)
		return perr(p, "%s", err);
	*out = (int)v;
	return 0;
}

static int
parse_dur(struct parser *p, const char *what, const char *s, int64_t *out)
{
	char	err[256];

	if (hc_parse_duration(s, out, err, sizeof(err)) < 0)
		return perr(p, "%s: %s", what, err);
	return 0;
}

static int
parse_name(struct parser *p, const char *what, const char *s)
{
	if (!proto_name_valid(s))
		return perr(p, "bad %s \"%.80s\" (1 to %d of A-Z a-z 0-9 . _ -)",
		    what, s, PROTO_MAX_NAME);
	return 0;
}

/* "name = value" in column 0. */
static const char *const settings[] = {
	"faild", "faild_protocol", "community", "keyfile", "keyid", "node",
	"sendmail", "interval", "timeout", "rise", "fall", "action_timeout",
	NULL
};

static int
parse_setting(struct parser *p, int n, char **w)
{
	struct hc_config	*c = p->conf;
	int			 i;

	for (i = 0; settings[i] != NULL; i++)
		if (strcmp(w[0], settings[i]) == 0)
			break;
	if (settings[i] == NULL)
		return perr(p, "unknown setting \"%.80s\"", w[0]);
	if (n != 3)
		return perr(p, "%s: expected \"%s = value\" (quote a value "
		    "with blanks)", w[0], w[0]);
	if (p->set_line[i] != 0)
		return perr(p, "%s set twice (first at line %d)", w[0],
		    p->set_line[i]);
	p->set_line[i] = p->line;

	switch (i) {
	case 0:
		free(c->faild);
		c->faild = xstrdup(w[2]);
		break;
	case 1:
		if (strcmp(w[2], "tcp") != 0 && strcmp(w[2], "udp") != 0)
			return perr(p, "faild_protocol must be tcp or udp, not "
			    "\"%.80s\"", w[2]);
		c->faild_tcp = strcmp(w[2], "tcp") == 0;
		break;
	case 2:
		c->community = xstrdup(w[2]);
		break;
	case 3:
		c->keyfile = xstrdup(w[2]);
		break;
	case 4:
		c->keyid = xstrdup(w[2]);
		break;
	case 5:
		if (parse_name(p, "node name", w[2]) < 0)
			return -1;
		free(c->node);
		c->node = xstrdup(w[2]);
		break;
	case 6:
		free(c->sendmail);
		c->sendmail = xstrdup(w[2]);
		break;
	case 7:
		return parse_dur(p, "interval", w[2], &c->interval_ms);
	case 8:
		return parse_dur(p, "timeout", w[2], &c->timeout_ms);
	case 9:
		return parse_count(p, "rise", w[2], &c->rise);
	case 10:
		return parse_count(p, "fall", w[2], &c->fall);
	case 11:
		return parse_dur(p, "action_timeout", w[2],
		    &c->action_timeout_ms);
	}
	return 0;
}

/* "target: dep ..." in column 0. */
static int
parse_rule(struct parser *p, char *line)
{
	char			*colon = strchr(line, ':'), *w[HCFILE_MAX_WORDS];
	char			 buf[HCFILE_MAX_LINE];
	struct hc_target	*t, *o;
	int			 n, i;

	*colon = '\0';
	if ((n = split(p, line, buf, w)) < 0)
		return -1;
	if (n != 1)
		return perr(p, "expected one target name before ':'");
	if (parse_name(p, "target name", w[0]) < 0)
		return -1;
	for (o = p->conf->targets; o != NULL; o = o->next)
		if (strcmp(o->name, w[0]) == 0)
			return perr(p, "target %s defined twice (first at line "
			    "%d)", w[0], o->line);
	t = xcalloc(1, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", w[0]);
	snprintf(t->service, sizeof(t->service), "%s", w[0]);
	t->line = p->line;
	t->interval_ms = t->timeout_ms = t->action_timeout_ms = -1;
	t->rise = t->fall = -1;
	*p->tail = t;
	p->tail = &t->next;
	p->cur = t;
	p->conf->ntargets++;
	p->indent[0] = '\0';

	if ((n = split(p, colon + 1, buf, w)) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (parse_name(p, "dependency", w[i]) < 0)
			return -1;
		if (t->ndeps == HC_MAX_DEPS)
			return perr(p, "more than %d dependencies",
			    HC_MAX_DEPS);
		t->dep_names[t->ndeps++] = xstrdup(w[i]);
	}
	return 0;
}

static int
parse_action(struct parser *p, struct hc_target *t, int n, char **w)
{
	static const char *const kinds[] = { "exec", "mail", "failc", "log" };
	struct hc_action	*a, **ap;
	enum svc_state		 st;
	struct net_addr		 addr;
	char			 err[256];
	int			 i, k;

	if (n < 3 || (strcmp(w[1], "up") != 0 && strcmp(w[1], "fail") != 0))
		return perr(p, "expected \"on up|fail exec|mail|failc|log "
		    "...\"");
	for (k = 0; k < 4; k++)
		if (strcmp(w[2], kinds[k]) == 0)
			break;
	if (k == 4)
		return perr(p, "unknown action \"%.80s\" (known: exec, mail, "
		    "failc, log)", w[2]);
	switch (k) {
	case ACT_EXEC:
		if (n < 4)
			return perr(p, "on %s exec: no command", w[1]);
		break;
	case ACT_MAIL:
		if (n < 4)
			return perr(p, "on %s mail: no address", w[1]);
		for (i = 3; i < n; i++)
			if (w[i][0] == '-' || strchr(w[i], '@') == NULL ||
			    strpbrk(w[i], " \t\r\n,;<>\"'") != NULL)
				return perr(p, "on %s mail: bad address "
				    "\"%.80s\"", w[1], w[i]);
		break;
	case ACT_FAILC:
		if (n != 6)
			return perr(p, "expected \"on %s failc host[:port] "
			    "service UP|RECOVER|FAIL\"", w[1]);
		if (net_parse_addr(w[3], FAIL_DEFAULT_PORT, &addr, err,
		    sizeof(err)) < 0)
			return perr(p, "on %s failc: %s", w[1], err);
		if (parse_name(p, "service", w[4]) < 0)
			return -1;
		if (svc_state_parse(w[5], &st) < 0)
			return perr(p, "on %s failc: bad state \"%.80s\" "
			    "(UP, RECOVER or FAIL)", w[1], w[5]);
		break;
	}
	a = xcalloc(1, sizeof(*a));
	a->on = strcmp(w[1], "up") == 0 ? SVC_UP : SVC_FAIL;
	a->kind = (enum hc_action_kind)k;
	a->line = p->line;
	a->argc = n - 3;
	a->argv = xcalloc(n - 2, sizeof(char *));
	for (i = 3; i < n; i++)
		a->argv[i - 3] = xstrdup(w[i]);
	for (ap = &t->actions; *ap != NULL; ap = &(*ap)->next)
		;
	*ap = a;
	return 0;
}

static int
parse_agree(struct parser *p, struct hc_target *t, int n, char **w)
{
	struct net_addr	addr;
	char		err[256];
	long		v;
	int		i;

	if (n < 3)
		return perr(p, "expected \"agree N host[:port] ...\"");
	if (t->nagree > 0)
		return perr(p, "target %s has a second agree line", t->name);
	if (n - 2 > HC_MAX_AGREE)
		return perr(p, "agree: more than %d hosts", HC_MAX_AGREE);
	if (hc_parse_int(w[1], 1, n - 1, &v, "agree's count (this hc and "
	    "the hosts listed)", err, sizeof(err)) < 0)
		return perr(p, "%s", err);
	for (i = 2; i < n; i++) {
		if (net_parse_addr(w[i], FAIL_DEFAULT_PORT, &addr, err,
		    sizeof(err)) < 0)
			return perr(p, "agree: %s", err);
		t->agree_hosts[t->nagree++] = xstrdup(w[i]);
	}
	t->agree = (int)v;
	return 0;
}

/* An indented line of the current target. */
static int
parse_body(struct parser *p, int n, char **w, const char *raw)
{
	static const char *const one_value[] = { "interval", "timeout",
		"action_timeout", "rise", "fall", "service", NULL };
	struct hc_target	*t = p->cur;
	char			 err[512];
	int			 i;

	if (strcmp(w[0], "check") == 0) {
		if (t->check != NULL)
			return perr(p, "target %s has a second check line",
			    t->name);
		if (n < 2)
			return perr(p, "check: which? (%s)", hc_check_names());
		if ((t->check = hc_check_find(w[1])) == NULL)
			return perr(p, "unknown check \"%.80s\" (known: %s)",
			    w[1], hc_check_names());
		err[0] = '\0';
		if ((t->check_conf = t->check->parse(n - 2, w + 2, err,
		    sizeof(err))) == NULL) {
			t->check = NULL;
			return perr(p, "check %s: %s", w[1], err);
		}
		while (*raw == ' ' || *raw == '\t')
			raw++;
		t->check_text = xstrdup(raw + strlen("check "));
		return 0;
	}
	if (strcmp(w[0], "on") == 0)
		return parse_action(p, t, n, w);
	if (strcmp(w[0], "agree") == 0)
		return parse_agree(p, t, n, w);
	for (i = 0; one_value[i] != NULL; i++)
		if (strcmp(w[0], one_value[i]) == 0)
			break;
	if (one_value[i] == NULL)
		return perr(p, "unknown line \"%.80s\" in target %s (known: "
		    "check, interval, timeout, rise, fall, service, agree, "
		    "action_timeout, on)", w[0], t->name);
	if (n != 2)
		return perr(p, "%s takes one value", w[0]);
	switch (i) {
	case 0:
		return parse_dur(p, "interval", w[1], &t->interval_ms);
	case 1:
		return parse_dur(p, "timeout", w[1], &t->timeout_ms);
	case 2:
		return parse_dur(p, "action_timeout", w[1],
		    &t->action_timeout_ms);
	case 3:
		return parse_count(p, "rise", w[1], &t->rise);
	case 4:
		return parse_count(p, "fall", w[1], &t->fall);
	default:
		if (parse_name(p, "service", w[1]) < 0)
			return -1;
		snprintf(t->service, sizeof(t->service), "%s", w[1]);
		return 0;
	}
}

static int
parse_line(struct parser *p, char *line)
{
	char	*w[HCFILE_MAX_WORDS], buf[HCFILE_MAX_LINE];
	size_t	 ind = strspn(line, " \t");
	int	 n;

	if ((n = split(p, line, buf, w)) <= 0)
		return n;		/* blank, comment, or error */
	if (ind > 0) {
		if (p->cur == NULL)
			return perr(p, "indented line outside a target (a "
			    "target starts with \"name:\" in column 1)");
		if (p->indent[0] == '\0') {
			snprintf(p->indent, sizeof(p->indent), "%.*s",
			    (int)ind, line);
			p->indent_line = p->line;
		} else if (strlen(p->indent) != ind ||
		    strncmp(p->indent, line, ind) != 0)
			return perr(p, "indentation differs from line %d's "
			    "(tabs and spaces mixed?)", p->indent_line);
		return parse_body(p, n, w, line);
	}
	if (n >= 2 && strcmp(w[1], "=") == 0) {
		p->cur = NULL;
		return parse_setting(p, n, w);
	}
	if (strchr(line, ':') != NULL)
		return parse_rule(p, line);
	return perr(p, "expected \"target: dependencies\" or \"setting = "
	    "value\", not \"%.80s\"", w[0]);
}

/*
 * Depth-first from t, marking targets as it goes: one met again while it
 * is still on the path closes a cycle; one already done is not walked
 * twice, so the search is linear in targets and dependencies.
 */
static int
find_cycle(struct parser *p, struct hc_target *t)
{
	struct hc_target	*path[HCFILE_MAX_DEPTH], *d;
	int			 next[HCFILE_MAX_DEPTH], depth = 1, k;
	char			 chain[1024];

	path[0] = t;
	next[0] = 0;
	t->visit = VISIT_PATH;
	while (depth > 0) {
		struct hc_target *top = path[depth - 1];

		if (next[depth - 1] == top->ndeps) {
			top->visit = VISIT_DONE;
			depth--;
			continue;
		}
		d = top->deps[next[depth - 1]++];
		if (d->visit == VISIT_DONE)
			continue;
		if (d->visit == VISIT_PATH) {
			for (k = 0; path[k] != d; k++)
				;
			chain[0] = '\0';
			for (; k < depth; k++) {
				strncat(chain, path[k]->name, sizeof(chain) -
				    strlen(chain) - 1);
				strncat(chain, " -> ", sizeof(chain) -
				    strlen(chain) - 1);
			}
			strncat(chain, d->name, sizeof(chain) - strlen(chain) -
			    1);
			p->line = d->line;
			return perr(p, "dependency cycle: %s", chain);
		}
		if (depth == HCFILE_MAX_DEPTH) {
			p->line = t->line;
			return perr(p, "dependencies nested deeper than %d",
			    HCFILE_MAX_DEPTH);
		}
		d->visit = VISIT_PATH;
		path[depth] = d;
		next[depth++] = 0;
	}
	return 0;
}

/* Link dependencies by name and refuse cycles. */
static int
link_deps(struct parser *p)
{
	struct hc_target	*t, *d;
	int			 i;

	for (t = p->conf->targets; t != NULL; t = t->next)
		for (i = 0; i < t->ndeps; i++) {
			p->line = t->line;
			if ((d = hc_target_find(p->conf, t->dep_names[i])) ==
			    NULL)
				return perr(p, "target %s: unknown dependency "
				    "\"%s\"", t->name, t->dep_names[i]);
			t->deps[i] = d;
		}
	for (t = p->conf->targets; t != NULL; t = t->next)
		if (t->visit == VISIT_NEW && find_cycle(p, t) < 0)
			return -1;
	return 0;
}

/* Defaults for what the targets leave open, then the checks across. */
static int
finish(struct parser *p)
{
	struct hc_config	*c = p->conf;
	struct hc_target	*t;

	if (c->node == NULL) {
		char host[256];

		if (gethostname(host, sizeof(host)) < 0)
			snprintf(host, sizeof(host), "localhost");
		host[sizeof(host) - 1] = '\0';
		host[strcspn(host, ".")] = '\0';
		c->node = xstrdup(host);
	}
	if (c->keyid != NULL && c->keyfile == NULL) {
		p->line = p->set_line[4];
		return perr(p, "keyid without keyfile");
	}
	for (t = c->targets; t != NULL; t = t->next) {
		p->line = t->line;
		if (t->interval_ms < 0)
			t->interval_ms = c->interval_ms;
		if (t->timeout_ms < 0)
			t->timeout_ms = c->timeout_ms;
		if (t->action_timeout_ms < 0)
			t->action_timeout_ms = c->action_timeout_ms;
		if (t->rise < 0)
			t->rise = c->rise;
		if (t->fall < 0)
			t->fall = c->fall;
		if (t->check == NULL && t->ndeps == 0)
			return perr(p, "target %s has neither a check nor "
			    "dependencies", t->name);
		if (t->agree > 0 && t->check == NULL)
			return perr(p, "target %s: agree needs a check",
			    t->name);
		if (t->agree > 0 && strlen(t->service) +
		    strlen(HC_SEEN_SUFFIX) > PROTO_MAX_NAME)
			return perr(p, "target %s: service name too long for "
			    "agree (it publishes %s%s)", t->name, t->service,
			    HC_SEEN_SUFFIX);
	}
	return link_deps(p);
}

struct hc_config *
hcfile_parse(const char *path, const char *text, size_t len, char *err,
    size_t errlen)
{
	struct parser	 p;
	char		 line[HCFILE_MAX_LINE];
	const char	*s = text, *end = text + len, *nl;
	size_t		 n;

	memset(&p, 0, sizeof(p));
	p.path = path;
	p.err = err;
	p.errlen = errlen;
	p.conf = xcalloc(1, sizeof(*p.conf));
	p.conf->path = xstrdup(path);
	p.conf->faild = xstrdup("127.0.0.1");
	p.conf->faild_tcp = 1;
	p.conf->sendmail = xstrdup("/usr/sbin/sendmail");
	p.conf->interval_ms = HC_INTERVAL_MS;
	p.conf->timeout_ms = HC_TIMEOUT_MS;
	p.conf->action_timeout_ms = HC_ACTION_TIMEOUT_MS;
	p.conf->rise = HC_RISE;
	p.conf->fall = HC_FALL;
	p.tail = &p.conf->targets;

	while (s < end) {
		p.line++;
		nl = memchr(s, '\n', end - s);
		n = (nl ? nl : end) - s;
		if (n >= sizeof(line)) {
			perr(&p, "line longer than %d bytes",
			    HCFILE_MAX_LINE - 1);
			goto fail;
		}
		if (memchr(s, '\0', n) != NULL) {
			perr(&p, "NUL byte in line");
			goto fail;
		}
		memcpy(line, s, n);
		line[n] = '\0';
		if (n > 0 && line[n - 1] == '\r')
			line[n - 1] = '\0';
		if (parse_line(&p, line) < 0)
			goto fail;
		s += n + 1;
	}
	if (p.conf->targets == NULL) {
		snprintf(err, errlen, "%s: no targets", path);
		goto fail;
	}
	if (finish(&p) < 0)
		goto fail;
	return p.conf;
fail:
	hcfile_free(p.conf);
	return NULL;
}

/*
 * Read and parse path. It must be a regular file that only its owner
 * (root or us) can write, as faild and failsh demand of their files.
 */
struct hc_config *
hcfile_load(const char *path, char *err, size_t errlen)
{
	struct hc_config	*c;
	struct stat		 st;
	char			*text, abs[PATH_MAX];
	FILE			*f;
	size_t			 n;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		fclose(f);
		return NULL;
	}
	if ((st.st_mode & 022) != 0 || (st.st_uid != 0 &&
	    st.st_uid != geteuid())) {
		snprintf(err, errlen, "%s: refused: writable by group or "
		    "others, or owned by another user", path);
		fclose(f);
		return NULL;
	}
	if (st.st_size > HCFILE_MAX_SIZE) {
		snprintf(err, errlen, "%s: larger than %d bytes", path,
		    HCFILE_MAX_SIZE);
		fclose(f);
		return NULL;
	}
	text = xmalloc(st.st_size + 1);
	n = fread(text, 1, st.st_size, f);
	fclose(f);
	if (realpath(path, abs) == NULL)
		snprintf(abs, sizeof(abs), "%s", path);
	c = hcfile_parse(abs, text, n, err, errlen);
	free(text);
	if (c != NULL && c->keyfile != NULL) {
		char kerr[512];

		if ((c->keys = keyring_load(c->keyfile, kerr,
		    sizeof(kerr))) == NULL) {
			snprintf(err, errlen, "%s: keyfile: %s", abs, kerr);
			hcfile_free(c);
			return NULL;
		}
		if (c->keyid == NULL)
			c->key = &c->keys->keys[0];
		else if ((c->key = keyring_find(c->keys, c->keyid)) == NULL) {
			snprintf(err, errlen, "%s: keyid %s is not in %s", abs,
			    c->keyid, c->keyfile);
			hcfile_free(c);
			return NULL;
		}
	}
	return c;
}

struct hc_target *
hc_target_find(struct hc_config *c, const char *name)
{
	struct hc_target	*t;

	for (t = c->targets; t != NULL; t = t->next)
		if (strcmp(t->name, name) == 0)
			return t;
	return NULL;
}

void
hcfile_free(struct hc_config *c)
{
	struct hc_target	*t, *tn;
	struct hc_action	*a, *an;
	int			 i;

	if (c == NULL)
		return;
	for (t = c->targets; t != NULL; t = tn) {
		tn = t->next;
		for (i = 0; i < t->ndeps; i++)
			free(t->dep_names[i]);
		for (i = 0; i < t->nagree; i++)
			free(t->agree_hosts[i]);
		if (t->check != NULL)
			t->check->free(t->check_conf);
		free(t->check_text);
		for (a = t->actions; a != NULL; a = an) {
			an = a->next;
			for (i = 0; i < a->argc; i++)
				free(a->argv[i]);
			free(a->argv);
			free(a);
		}
		free(t);
	}
	free(c->path);
	free(c->faild);
	free(c->community);
	free(c->keyfile);
	free(c->keyid);
	free(c->node);
	free(c->sendmail);
	if (c->keys != NULL)
		keyring_free(c->keys);
	free(c);
}
