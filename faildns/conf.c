/*
 * conf.c: faildns.conf(5), faildns's configuration: "key = value"
 * settings, then zone, source, pool, name and update blocks whose
 * directives are indented. Block names are resolved once the whole file
 * is read (forward references); every mistake is "path:line: what" and
 * the whole file is refused. The daemon owns the members' run-time state.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "proto.h"
#include "select.h"
#include "words.h"
#include "xmalloc.h"

#define CONF_MAX_SIZE		(1024 * 1024)
#define CONF_MAX_LINE		4096
#define CONF_MAX_WORDS		64
#define CONF_MAX_MEMBERS	FDNS_MAX_ANSWER	/* of one pool */
#define CONF_MAX_SECONDS	86400		/* ttl, detect */
#define CONF_MAX_WEIGHT		1000
#define CONF_LABEL_MAX		63

enum conf_kind {
	KIND_NONE,
	KIND_ZONE,
	KIND_SOURCE,
	KIND_POOL,
	KIND_NAME,
	KIND_UPDATE
};

static const char *const kinds[] = {
	"", "zone", "source", "pool", "name", "update", NULL
};

/* The directives of each kind, and where each was seen in the block. */
#define CONF_MAX_DIRS	8
static const char *const dirs[][CONF_MAX_DIRS + 1] = {
	[KIND_NONE] = { NULL },
	[KIND_ZONE] = { "file", NULL },
	[KIND_SOURCE] = { "faild", NULL },
	[KIND_POOL] = { "member", "sources", "agree", "scope", "detect",
	    NULL },
	[KIND_NAME] = { "pool", "select", "ttl", "alldown", "unknown",
	    "fallback", "answer", "update", NULL },
	[KIND_UPDATE] = { "server", "zone", "key", NULL }
};
static const char *const dirs_known[] = {
	[KIND_NONE] = "",
	[KIND_ZONE] = "file",
	[KIND_SOURCE] = "faild",
	[KIND_POOL] = "member, sources, agree, scope, detect",
	[KIND_NAME] = ("pool, select, ttl, alldown, unknown, fallback, "
	    "answer, update"),
	[KIND_UPDATE] = "server, zone, key"
};

/* What a pool says of other blocks, resolved at the end. */
struct pend_pool {
	char		*sources[FDNS_MAX_SOURCES];	/* owned */
	int		 nsources;
	int		 sources_line;
	int		 agree_line;
	int		 detect_line;
};

struct pend_name {
	char		*pool;				/* owned */
	int		 pool_line;
	char		*updates[FDNS_MAX_SOURCES];	/* owned */
	int		 update_line;
	int		 fallback_line;	/* where the fallback set was given */
	int		 alldown_line;
	int		 unknown_line;
};

struct parser {
	const char		*path;
	const char		*dir;	/* of the file, for relative paths */
	int			 line;
	char			*err;
	size_t			 errlen;
	struct fdns_conf	*conf;
	enum conf_kind		 kind;	/* of the current block */
	int			 seen[CONF_MAX_DIRS];	/* its directives' lines */
	int			 set_line[4];	/* the settings' lines */
	int			 detect_set;
	struct pend_pool	*ppools;	/* as conf->pools */
	struct pend_name	*pnames;	/* as conf->names */
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

/* Room for one more element at the end of *arr (n of them), zeroed. */
static void *
grow(void *arr, size_t n, size_t size)
{
	char	*a = xrealloc(arr, (n + 1) * size);

	memset(a + n * size, 0, size);
	return a;
}

/* Split a line into words (words.h); -1 with the error set. */
static int
split(struct parser *p, const char *s, char *buf, char **w)
{
	char	why[64];
	int	n;

	if ((n = words_split(s, buf, w, CONF_MAX_WORDS, why, sizeof(why))) < 0)
		return perr(p, "%s", why);
	return n;
}

/*
 * A DNS name in text ("www.Example.com", a final dot optional, "." the
 * root) to wire form in lower case. Host-like names only: labels of 1 to
 * 63 of A-Z a-z 0-9 - _, no escapes. To merge into lib/dns_name.c.
 * Returns 0, or -1 if the name is not one.
 */
static int
conf_name_wire(const char *text, uint8_t *wire, size_t *lenp)
{
	const char	*s = text;
	size_t		 len = 0, lab, i;
	char		 c;

	if (strcmp(text, ".") == 0) {
		wire[0] = 0;
		*lenp = 1;
		return 0;
	}
	if (*s == '\0')
		return -1;
	while (*s != '\0') {
		lab = strcspn(s, ".");
		if (lab == 0 || lab > CONF_LABEL_MAX ||
		    len + 1 + lab + 1 > FDNS_NAME_MAX)
			return -1;
		wire[len++] = (uint8_t)lab;
		for (i = 0; i < lab; i++) {
			c = s[i];
			if (c >= 'A' && c <= 'Z')
				c += 'a' - 'A';
			else if (!(c >= 'a' && c <= 'z') &&
			    !(c >= '0' && c <= '9') && c != '-' && c != '_')
				return -1;
			wire[len++] = (uint8_t)c;
		}
		s += lab;
		if (*s == '.')
			s++;
	}
	wire[len++] = 0;
	*lenp = len;
	return 0;
}

/* The name as written, without its final dot ("." stays). */
static char *
conf_name_text(const char *s)
{
	size_t	 n = strlen(s);
	char	*t;

	if (n > 1 && s[n - 1] == '.')
		n--;
	t = xmalloc(n + 1);
	memcpy(t, s, n);
	t[n] = '\0';
	return t;
}

static int
parse_dns_name(struct parser *p, const char *what, const char *s,
    uint8_t *wire, size_t *len)
{
	if (conf_name_wire(s, wire, len) < 0)
		return perr(p, "bad %s \"%.80s\" (labels of 1 to %d of A-Z "
		    "a-z 0-9 - _, %d bytes in all)", what, s, CONF_LABEL_MAX,
		    FDNS_NAME_MAX);
	return 0;
}

static int
parse_word_name(struct parser *p, const char *what, const char *s)
{
	if (!proto_name_valid(s))
		return perr(p, "bad %s \"%.80s\" (1 to %d of A-Z a-z 0-9 . "
		    "_ -)", what, s, PROTO_MAX_NAME);
	return 0;
}

/* A decimal number from min to max, digits only. */
static int
parse_num(struct parser *p, const char *what, const char *s, long min,
    long max, int *out)
{
	long	v = 0;
	size_t	i;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9' || i > 8)	/* < 2^31 */
			break;
		v = v * 10 + (s[i] - '0');
	}
	if (i == 0 || s[i] != '\0' || v < min || v > max)
		return perr(p, "bad %s \"%.80s\" (a number from %ld to %ld)",
		    what, s, min, max);
	*out = (int)v;
	return 0;
}

static int
parse_addr(struct parser *p, const char *what, const char *s,
    struct fdns_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->a) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, s, a->a) == 1)
		a->family = AF_INET6;
	else
		return perr(p, "%s: bad address \"%.80s\" (IPv4 or IPv6)",
		    what, s);
	return 0;
}

static int
addr_equal(const struct fdns_addr *a, const struct fdns_addr *b)
{
	return a->family == b->family && memcmp(a->a, b->a,
	    a->family == AF_INET ? 4 : 16) == 0;
}

/*
 * "host[:port]", "[IPv6]:port" or a bare IPv6 address: the form only,
 * host names are resolved by the daemon.
 */
static int
parse_hostport(struct parser *p, const char *what, const char *s)
{
	struct in6_addr	 a6;
	char		 host[256];
	const char	*port = NULL, *c;
	size_t		 n;
	int		 v;

	if (s[0] == '[') {
		if ((c = strchr(s, ']')) == NULL || (n = c - s - 1) >=
		    sizeof(host))
			goto bad;
		memcpy(host, s + 1, n);
		host[n] = '\0';
		if (inet_pton(AF_INET6, host, &a6) != 1)
			goto bad;
		if (c[1] == ':')
			port = c + 2;
		else if (c[1] != '\0')
			goto bad;
	} else if ((c = strchr(s, ':')) != NULL && strchr(c + 1, ':') !=
	    NULL) {
		if (inet_pton(AF_INET6, s, &a6) != 1)
			goto bad;
	} else {
		n = c != NULL ? (size_t)(c - s) : strlen(s);
		if (n == 0 || n >= sizeof(host))
			goto bad;
		for (c = s; c < s + n; c++)
			if (!(*c >= 'a' && *c <= 'z') &&
			    !(*c >= 'A' && *c <= 'Z') &&
			    !(*c >= '0' && *c <= '9') && *c != '.' &&
			    *c != '-' && *c != '_')
				goto bad;
		if (s[n] == ':')
			port = s + n + 1;
	}
	if (port != NULL && parse_num(p, "port", port, 1, 65535, &v) < 0)
		goto bad;
	return 0;
bad:
	return perr(p, "%s: bad address \"%.80s\" (host[:port], "
	    "[IPv6]:port)", what, s);
}

/* A file name, relative ones to the configuration's directory. */
static char *
conf_path(struct parser *p, const char *file)
{
	char	*s;

	if (file[0] == '/' || p->dir == NULL)
		return xstrdup(file);
	xasprintf(&s, "%s/%s", p->dir, file);
	return s;
}

/* "name = value" at the top level. */
static const char *const settings[] = {
	"statefile", "keyfile", "community", "detect", NULL
};

static int
parse_setting(struct parser *p, int n, char **w)
{
	struct fdns_conf	*c = p->conf;
	int			 i;

	for (i = 0; settings[i] != NULL; i++)
		if (strcmp(w[0], settings[i]) == 0)
			break;
	if (settings[i] == NULL)
		return perr(p, "unknown setting \"%.80s\" (known: statefile, "
		    "keyfile, community, detect)", w[0]);
	if (n != 3)
		return perr(p, "%s: expected \"%s = value\" (quote a value "
		    "with blanks)", w[0], w[0]);
	if (p->set_line[i] != 0)
		return perr(p, "%s set twice (first at line %d)", w[0],
		    p->set_line[i]);
	if (w[2][0] == '\0')
		return perr(p, "%s: empty value", w[0]);
	p->set_line[i] = p->line;
	switch (i) {
	case 0:
		c->statefile = conf_path(p, w[2]);
		break;
	case 1:
		c->keyfile = conf_path(p, w[2]);
		break;
	case 2:
		c->community = xstrdup(w[2]);
		break;
	default:
		return parse_num(p, "detect", w[2], 0, CONF_MAX_SECONDS,
		    &c->detect_s);
	}
	return 0;
}

/* "KIND NAME:" at the top level starts a block. */
static int
parse_block(struct parser *p, int n, char **w)
{
	struct fdns_conf	*c = p->conf;
	const char		*kind = w[0];
	uint8_t			 wire[FDNS_NAME_MAX];
	size_t			 wl, i, len;
	char			*last = w[n - 1];
	int			 k;

	for (k = 1; kinds[k] != NULL; k++)
		if (strcmp(kind, kinds[k]) == 0)
			break;
	if (kinds[k] == NULL)
		return perr(p, "unknown block kind \"%.80s\" (known: zone, "
		    "source, pool, name, update)", kind);
	len = strlen(last);
	if (n == 1 && last[len - 1] != ':')
		return perr(p, "%s without a name (expected \"%s NAME:\")",
		    kind, kind);
	if (len == 0 || last[len - 1] != ':')
		return perr(p, "missing ':' after \"%.80s\" (a block starts "
		    "with \"%s NAME:\")", last, kind);
	last[len - 1] = '\0';
	if (last[0] == '\0')
		n--;
	if (n == 1)
		return perr(p, "%s without a name (expected \"%s NAME:\")",
		    kind, kind);
	if (n > 2)
		return perr(p, "%s: one name before ':', not %d words", kind,
		    n - 1);
	p->kind = (enum conf_kind)k;
	memset(p->seen, 0, sizeof(p->seen));

	switch (p->kind) {
	case KIND_ZONE:
		if (parse_dns_name(p, "zone name", w[1], wire, &wl) < 0)
			return -1;
		for (i = 0; i < c->nzones; i++)
			if (c->zones[i].wirelen == wl &&
			    memcmp(c->zones[i].wire, wire, wl) == 0)
				return perr(p, "zone %.80s defined twice "
				    "(first at line %d)", w[1],
				    c->zones[i].line);
		c->zones = grow(c->zones, c->nzones, sizeof(*c->zones));
		c->zones[c->nzones].name = conf_name_text(w[1]);
		memcpy(c->zones[c->nzones].wire, wire, wl);
		c->zones[c->nzones].wirelen = wl;
		c->zones[c->nzones++].line = p->line;
		break;
	case KIND_SOURCE:
		if (parse_word_name(p, "source name", w[1]) < 0)
			return -1;
		for (i = 0; i < c->nsources; i++)
			if (strcmp(c->sources[i].name, w[1]) == 0)
				return perr(p, "source %s defined twice "
				    "(first at line %d)", w[1],
				    c->sources[i].line);
		if (c->nsources == FDNS_MAX_SOURCES)
			return perr(p, "more than %d sources",
			    FDNS_MAX_SOURCES);
		c->sources = grow(c->sources, c->nsources,
		    sizeof(*c->sources));
		c->sources[c->nsources].name = xstrdup(w[1]);
		c->sources[c->nsources++].line = p->line;
		break;
	case KIND_POOL:
		if (parse_word_name(p, "pool name", w[1]) < 0)
			return -1;
		for (i = 0; i < c->npools; i++)
			if (strcmp(c->pools[i].name, w[1]) == 0)
				return perr(p, "pool %s defined twice (first "
				    "at line %d)", w[1], c->pools[i].line);
		c->pools = grow(c->pools, c->npools, sizeof(*c->pools));
		p->ppools = grow(p->ppools, c->npools, sizeof(*p->ppools));
		c->pools[c->npools].name = xstrdup(w[1]);
		c->pools[c->npools].agree = 1;
		c->pools[c->npools].scope = FDNS_SCOPE_NAME;
		c->pools[c->npools++].line = p->line;
		break;
	case KIND_NAME:
		if (parse_dns_name(p, "name", w[1], wire, &wl) < 0)
			return -1;
		for (i = 0; i < c->nnames; i++)
			if (c->names[i].wirelen == wl &&
			    memcmp(c->names[i].wire, wire, wl) == 0)
				return perr(p, "name %.80s defined twice "
				    "(first at line %d)", w[1],
				    c->names[i].line);
		c->names = grow(c->names, c->nnames, sizeof(*c->names));
		p->pnames = grow(p->pnames, c->nnames, sizeof(*p->pnames));
		{
			struct fdns_name *nm = &c->names[c->nnames++];

			nm->name = conf_name_text(w[1]);
			memcpy(nm->wire, wire, wl);
			nm->wirelen = wl;
			nm->zone = -1;
			nm->select = FDNS_SEL_ALL;
			nm->count = 1;
			nm->ttl = FDNS_TTL_DEFAULT;
			nm->alldown = FDNS_RULE_ALL;
			nm->unknown = FDNS_RULE_LAST;
			nm->answer = 1;
			nm->line = p->line;
		}
		break;
	case KIND_UPDATE:
		if (parse_word_name(p, "update name", w[1]) < 0)
			return -1;
		for (i = 0; i < c->nupdates; i++)
			if (strcmp(c->updates[i].name, w[1]) == 0)
				return perr(p, "update %s defined twice "
				    "(first at line %d)", w[1],
				    c->updates[i].line);
		c->updates = grow(c->updates, c->nupdates,
		    sizeof(*c->updates));
		c->updates[c->nupdates].name = xstrdup(w[1]);
		c->updates[c->nupdates++].line = p->line;
		break;
	default:
		break;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Pools */

static int
parse_level(struct parser *p, int n, char **w, int *i, int *prio)
{
	static const struct {
		const char	*word;
		int		 prio;
	} levels[] = {
		{ "primary", FDNS_PRIO_PRIMARY },
		{ "backup", FDNS_PRIO_BACKUP },
		{ "backup2", FDNS_PRIO_BACKUP2 },
		{ "backup3", FDNS_PRIO_BACKUP3 },
		{ "disabled", FDNS_PRIO_DISABLED },
	};
	size_t	k;

	if (strcmp(w[*i], "priority") == 0) {
		if (++*i == n)
			return perr(p, "member: priority without a number");
		return parse_num(p, "priority", w[*i], 1, FDNS_PRIO_MAX,
		    prio);
	}
	for (k = 0; k < sizeof(levels) / sizeof(levels[0]); k++)
		if (strcmp(w[*i], levels[k].word) == 0) {
			*prio = levels[k].prio;
			return 0;
		}
	return 1;
}

static int
is_level(const char *s)
{
	return strcmp(s, "primary") == 0 || strcmp(s, "backup") == 0 ||
	    strcmp(s, "backup2") == 0 || strcmp(s, "backup3") == 0 ||
	    strcmp(s, "disabled") == 0 || strcmp(s, "priority") == 0;
}

static int
parse_services(struct parser *p, struct fdns_member *m, const char *list)
{
	char	 buf[CONF_MAX_LINE], *s, *e;
	int	 i;

	snprintf(buf, sizeof(buf), "%s", list);
	for (s = buf;; s = e + 1) {
		if ((e = strchr(s, ',')) != NULL)
			*e = '\0';
		if (parse_word_name(p, "service", s) < 0)
			return -1;
		for (i = 0; i < m->nservices; i++)
			if (strcmp(m->services[i], s) == 0)
				return perr(p, "member: service %s twice", s);
		if (m->nservices == FDNS_MAX_SERVICES)
			return perr(p, "member: more than %d services",
			    FDNS_MAX_SERVICES);
		m->services[m->nservices++] = xstrdup(s);
		if (e == NULL)
			return 0;
	}
}

static void
member_clear(struct fdns_member *m)
{
	int	i;

	for (i = 0; i < m->nservices; i++)
		free(m->services[i]);
	memset(m, 0, sizeof(*m));
}

/* member ADDRESS [LEVEL] [weight N] [offsite] [service NAME[,NAME...]] */
static int
parse_member(struct parser *p, struct fdns_pool *pool, int n, char **w)
{
	struct fdns_member	 m;
	char			 a[64];
	size_t			 k;
	int			 i, r, level = 0, weight = 0, service = 0;

	memset(&m, 0, sizeof(m));
	if (n < 2)
		return perr(p, "member: which address?");
	if (parse_addr(p, "member", w[1], &m.addr) < 0)
		return -1;
	for (k = 0; k < pool->nmembers; k++)
		if (addr_equal(&pool->members[k].addr, &m.addr))
			return perr(p, "member %s twice in pool %s (first at "
			    "line %d)", fdns_addr_str(&m.addr, a, sizeof(a)),
			    pool->name, pool->members[k].line);
	if (pool->nmembers == CONF_MAX_MEMBERS)
		return perr(p, "more than %d members in pool %s",
		    CONF_MAX_MEMBERS, pool->name);
	m.priority = FDNS_PRIO_PRIMARY;
	m.weight = 1;
	m.line = p->line;
	m.state = FDNS_M_UNKNOWN;
	for (i = 2; i < n; i++) {
		if (level && is_level(w[i])) {
			perr(p, "member: a second level \"%.80s\"", w[i]);
			goto fail;
		}
		if ((r = parse_level(p, n, w, &i, &m.priority)) < 0)
			goto fail;
		if (r == 0)
			level = 1;
		else if (strcmp(w[i], "weight") == 0) {
			if (weight++) {
				perr(p, "member: weight given twice");
				goto fail;
			}
			if (++i == n) {
				perr(p, "member: weight without a number");
				goto fail;
			}
			if (parse_num(p, "weight", w[i], 1, CONF_MAX_WEIGHT,
			    &m.weight) < 0)
				goto fail;
		} else if (strcmp(w[i], "offsite") == 0) {
			if (m.offsite++) {
				perr(p, "member: offsite given twice");
				goto fail;
			}
		} else if (strcmp(w[i], "service") == 0) {
			if (service++) {
				perr(p, "member: service given twice (list "
				    "the names with commas)");
				goto fail;
			}
			if (++i == n) {
				perr(p, "member: service without a name");
				goto fail;
			}
			if (parse_services(p, &m, w[i]) < 0)
				goto fail;
		} else {
			perr(p, "member: unknown word \"%.80s\" (known: "
			    "primary, backup, backup2, backup3, disabled, "
			    "priority N, weight N, offsite, service NAMES)",
			    w[i]);
			goto fail;
		}
	}
	pool->members = grow(pool->members, pool->nmembers,
	    sizeof(*pool->members));
	pool->members[pool->nmembers++] = m;
	return 0;
fail:
	member_clear(&m);
	return -1;
}

static int
parse_pool(struct parser *p, int d, int n, char **w)
{
	struct fdns_pool	*pool = &p->conf->pools[p->conf->npools - 1];
	struct pend_pool	*pp = &p->ppools[p->conf->npools - 1];
	int			 i, j;

	switch (d) {
	case 0:
		return parse_member(p, pool, n, w);
	case 1:
		if (n < 2)
			return perr(p, "sources: which? (source names)");
		if (n - 1 > FDNS_MAX_SOURCES)
			return perr(p, "sources: more than %d",
			    FDNS_MAX_SOURCES);
		for (i = 1; i < n; i++) {
			if (parse_word_name(p, "source name", w[i]) < 0)
				return -1;
			for (j = 1; j < i; j++)
				if (strcmp(w[i], w[j]) == 0)
					return perr(p, "sources: %s twice",
					    w[i]);
		}
		for (i = 1; i < n; i++)
			pp->sources[pp->nsources++] = xstrdup(w[i]);
		pp->sources_line = p->line;
		return 0;
	case 2:
		if (n != 2)
			return perr(p, "agree takes one number");
		pp->agree_line = p->line;
		return parse_num(p, "agree", w[1], 1, FDNS_MAX_SOURCES,
		    &pool->agree);
	case 3:
		if (n != 2 || (strcmp(w[1], "name") != 0 &&
		    strcmp(w[1], "domain") != 0))
			return perr(p, "expected \"scope name\" or \"scope "
			    "domain\"");
		pool->scope = strcmp(w[1], "name") == 0 ? FDNS_SCOPE_NAME :
		    FDNS_SCOPE_DOMAIN;
		return 0;
	default:
		if (n != 2)
			return perr(p, "detect takes one number of seconds");
		pp->detect_line = p->line;
		return parse_num(p, "detect", w[1], 0, CONF_MAX_SECONDS,
		    &pool->detect_s);
	}
}

/* ------------------------------------------------------------------ */
/* Names */

/* The name's one fallback set, from a fallback line or a rule's tail. */
static int
parse_fallback(struct parser *p, struct fdns_name *nm, struct pend_name *pn,
    const char *what, int n, char **w)
{
	struct fdns_addr	a[FDNS_MAX_FALLBACK];
	char			s[64];
	int			i, j, k = 0;

	if (n == 0)
		return 0;
	if (n > FDNS_MAX_FALLBACK)
		return perr(p, "%s: more than %d fallback addresses", what,
		    FDNS_MAX_FALLBACK);
	for (i = 0; i < n; i++) {
		if (parse_addr(p, what, w[i], &a[k]) < 0)
			return -1;
		for (j = 0; j < k; j++)
			if (addr_equal(&a[j], &a[k]))
				return perr(p, "%s: %s twice", what,
				    fdns_addr_str(&a[k], s, sizeof(s)));
		k++;
	}
	if (pn->fallback_line != 0) {
		if (nm->nfallback != k)
			goto differ;
		for (i = 0; i < k; i++)
			if (!addr_equal(&nm->fallback[i], &a[i]))
				goto differ;
		return 0;
	}
	memcpy(nm->fallback, a, k * sizeof(a[0]));
	nm->nfallback = k;
	pn->fallback_line = p->line;
	return 0;
differ:
	return perr(p, "%s: fallback addresses differ from line %d's (a name "
	    "has one fallback set)", what, pn->fallback_line);
}

/* alldown|unknown RULE [ADDR...] */
static int
parse_rule(struct parser *p, struct fdns_name *nm, struct pend_name *pn,
    int n, char **w, enum fdns_rule *out)
{
	static const char *const rules[] = { "all", "fallback", "offsite",
		"nodata", "servfail", "last", NULL };
	int	r;

	if (n < 2)
		return perr(p, "%s: which rule? (all, fallback, offsite, "
		    "nodata, servfail%s)", w[0], strcmp(w[0], "unknown") ==
		    0 ? ", last" : "");
	for (r = 0; rules[r] != NULL; r++)
		if (strcmp(w[1], rules[r]) == 0)
			break;
	if (rules[r] == NULL)
		return perr(p, "%s: unknown rule \"%.80s\" (known: all, "
		    "fallback, offsite, nodata, servfail%s)", w[0], w[1],
		    strcmp(w[0], "unknown") == 0 ? ", last" : "");
	if (r == FDNS_RULE_LAST && strcmp(w[0], "alldown") == 0)
		return perr(p, "alldown: \"last\" is a rule of unknown only");
	if (r != FDNS_RULE_FALLBACK && n > 2)
		return perr(p, "%s %s takes no addresses", w[0], w[1]);
	*out = (enum fdns_rule)r;
	if (strcmp(w[0], "alldown") == 0)
		pn->alldown_line = p->line;
	else
		pn->unknown_line = p->line;
	return parse_fallback(p, nm, pn, w[0], n - 2, w + 2);
}

static int
parse_name(struct parser *p, int d, int n, char **w)
{
	struct fdns_name	*nm = &p->conf->names[p->conf->nnames - 1];
	struct pend_name	*pn = &p->pnames[p->conf->nnames - 1];
	int			 i, j, v;

	switch (d) {
	case 0:
		if (n != 2)
			return perr(p, "pool takes one pool name");
		if (parse_word_name(p, "pool name", w[1]) < 0)
			return -1;
		pn->pool = xstrdup(w[1]);
		pn->pool_line = p->line;
		return 0;
	case 1:
		if (n == 2 && strcmp(w[1], "all") == 0)
			nm->select = FDNS_SEL_ALL;
		else if (n == 2 && strcmp(w[1], "ordered") == 0)
			nm->select = FDNS_SEL_ORDERED;
		else if (n == 2 && strcmp(w[1], "rotate") == 0)
			nm->select = FDNS_SEL_ROTATE;
		else if ((n == 2 || n == 3) && strcmp(w[1], "weighted") == 0) {
			nm->select = FDNS_SEL_WEIGHTED;
			if (n == 3)
				return parse_num(p, "select weighted count",
				    w[2], 1, FDNS_MAX_ANSWER, &nm->count);
		} else
			return perr(p, "expected \"select all\", \"select "
			    "weighted [N]\", \"select ordered\" or \"select "
			    "rotate\"");
		return 0;
	case 2:
		if (n != 2)
			return perr(p, "ttl takes one number of seconds");
		if (parse_num(p, "ttl", w[1], 0, CONF_MAX_SECONDS, &v) < 0)
			return -1;
		nm->ttl = (uint32_t)v;
		return 0;
	case 3:
		return parse_rule(p, nm, pn, n, w, &nm->alldown);
	case 4:
		return parse_rule(p, nm, pn, n, w, &nm->unknown);
	case 5:
		if (n < 2)
			return perr(p, "fallback: no address");
		return parse_fallback(p, nm, pn, "fallback", n - 1, w + 1);
	case 6:
		if (n != 2 || (strcmp(w[1], "yes") != 0 &&
		    strcmp(w[1], "no") != 0))
			return perr(p, "expected \"answer yes\" or \"answer "
			    "no\"");
		nm->answer = strcmp(w[1], "yes") == 0;
		return 0;
	default:
		if (n < 2)
			return perr(p, "update: which? (update names)");
		if (n - 1 > FDNS_MAX_SOURCES)
			return perr(p, "update: more than %d targets",
			    FDNS_MAX_SOURCES);
		for (i = 1; i < n; i++) {
			if (parse_word_name(p, "update name", w[i]) < 0)
				return -1;
			for (j = 1; j < i; j++)
				if (strcmp(w[i], w[j]) == 0)
					return perr(p, "update: %s twice",
					    w[i]);
		}
		for (i = 1; i < n; i++)
			pn->updates[nm->nupdates++] = xstrdup(w[i]);
		pn->update_line = p->line;
		return 0;
	}
}

/* ------------------------------------------------------------------ */
/* Zones, sources, updates */

static int
parse_small(struct parser *p, int d, int n, char **w)
{
	struct fdns_conf	*c = p->conf;
	struct fdns_update	*u;
	uint8_t			 wire[FDNS_NAME_MAX];
	size_t			 wl;

	switch (p->kind) {
	case KIND_ZONE:
		if (n != 2)
			return perr(p, "file takes one path (quote one with "
			    "blanks)");
		c->zones[c->nzones - 1].file = conf_path(p, w[1]);
		return 0;
	case KIND_SOURCE:
		if (n != 2)
			return perr(p, "faild takes one host[:port]");
		if (parse_hostport(p, "faild", w[1]) < 0)
			return -1;
		c->sources[c->nsources - 1].faild = xstrdup(w[1]);
		return 0;
	default:
		break;
	}
	u = &c->updates[c->nupdates - 1];
	switch (d) {
	case 0:
		if (n != 2)
			return perr(p, "server takes one host[:port]");
		if (parse_hostport(p, "server", w[1]) < 0)
			return -1;
		u->server = xstrdup(w[1]);
		return 0;
	case 1:
		if (n != 2)
			return perr(p, "zone takes one name");
		if (parse_dns_name(p, "zone name", w[1], wire, &wl) < 0)
			return -1;
		u->zone = conf_name_text(w[1]);
		return 0;
	default:
		if (n != 2 && n != 3)
			return perr(p, "expected \"key PATH [KEYNAME]\"");
		if (n == 3) {
			if (parse_dns_name(p, "key name", w[2], wire, &wl) < 0)
				return -1;
			u->keyname = xstrdup(w[2]);
		}
		u->keyfile = conf_path(p, w[1]);
		return 0;
	}
}

/* An indented line: a directive of the current block. */
static int
parse_directive(struct parser *p, int n, char **w)
{
	int	d;

	if (p->kind == KIND_NONE)
		return perr(p, "directive \"%.80s\" outside a block (a block "
		    "starts with \"KIND NAME:\" in column 1)", w[0]);
	for (d = 0; dirs[p->kind][d] != NULL; d++)
		if (strcmp(w[0], dirs[p->kind][d]) == 0)
			break;
	if (dirs[p->kind][d] == NULL)
		return perr(p, "unknown directive \"%.80s\" in %s (known: %s)",
		    w[0], kinds[p->kind], dirs_known[p->kind]);
	if (p->seen[d] != 0 && !(p->kind == KIND_POOL && d == 0))
		return perr(p, "%s given twice (first at line %d)", w[0],
		    p->seen[d]);
	p->seen[d] = p->line;
	switch (p->kind) {
	case KIND_POOL:
		return parse_pool(p, d, n, w);
	case KIND_NAME:
		return parse_name(p, d, n, w);
	default:
		return parse_small(p, d, n, w);
	}
}

static int
parse_line(struct parser *p, char *line)
{
	char	*w[CONF_MAX_WORDS], buf[CONF_MAX_LINE];
	size_t	 len;
	int	 n, k;

	if ((n = split(p, line, buf, w)) <= 0)
		return n;		/* blank, comment, or error */
	if (line[0] == ' ' || line[0] == '\t')
		return parse_directive(p, n, w);
	p->kind = KIND_NONE;
	if (n >= 2 && strcmp(w[1], "=") == 0)
		return parse_setting(p, n, w);
	for (k = 1; kinds[k] != NULL; k++)
		if (strcmp(w[0], kinds[k]) == 0)
			return parse_block(p, n, w);
	len = strlen(w[0]);
	if (len > 1 && w[0][len - 1] == ':') {
		w[0][len - 1] = '\0';
		for (k = 1; kinds[k] != NULL; k++)
			if (strcmp(w[0], kinds[k]) == 0)
				return perr(p, "%s without a name (expected "
				    "\"%s NAME:\")", w[0], w[0]);
		w[0][len - 1] = ':';
	}
	if (w[n - 1][0] != '\0' && w[n - 1][strlen(w[n - 1]) - 1] == ':')
		return parse_block(p, n, w);
	for (k = 0; settings[k] != NULL; k++)
		if (strcmp(w[0], settings[k]) == 0)
			return perr(p, "%s: expected \"%s = value\"", w[0],
			    w[0]);
	return perr(p, "unknown line \"%.80s\" (expected \"setting = "
	    "value\" or \"KIND NAME:\")", w[0]);
}

/* ------------------------------------------------------------------ */
/* The whole file read: required directives, references, defaults */

/* The zone of a name: the longest origin it ends with, on labels. */
static int
conf_name_zone(const struct fdns_conf *c, const uint8_t *wire, size_t len)
{
	size_t	i, o;
	int	best = -1;

	for (i = 0; i < c->nzones; i++) {
		const struct fdns_zone *z = &c->zones[i];

		for (o = 0; o < len; o += wire[o] + 1) {
			if (len - o == z->wirelen &&
			    memcmp(wire + o, z->wire, z->wirelen) == 0) {
				if (best < 0 || z->wirelen >
				    c->zones[best].wirelen)
					best = (int)i;
				break;
			}
			if (wire[o] == 0)
				break;
		}
	}
	return best;
}

static int
finish_pools(struct parser *p)
{
	struct fdns_conf	*c = p->conf;
	size_t			 i, s;
	int			 j;

	for (i = 0; i < c->npools; i++) {
		struct fdns_pool	*pool = &c->pools[i];
		struct pend_pool	*pp = &p->ppools[i];

		p->line = pool->line;
		if (pool->nmembers == 0)
			return perr(p, "pool %s: no member", pool->name);
		if (pp->detect_line == 0)
			pool->detect_s = c->detect_s;
		p->line = pp->sources_line;
		for (j = 0; j < pp->nsources; j++) {
			for (s = 0; s < c->nsources; s++)
				if (strcmp(c->sources[s].name,
				    pp->sources[j]) == 0)
					break;
			if (s == c->nsources)
				return perr(p, "pool %s: unknown source "
				    "\"%s\"", pool->name, pp->sources[j]);
			pool->sources[pool->nsources++] = (int)s;
		}
		if (pp->nsources == 0)
			for (s = 0; s < c->nsources; s++)
				pool->sources[pool->nsources++] = (int)s;
		p->line = pp->agree_line;
		if (pool->nsources > 0 && pool->agree > pool->nsources)
			return perr(p, "pool %s: agree %d, but %d source%s "
			    "vote%s", pool->name, pool->agree,
			    pool->nsources, pool->nsources == 1 ? "" : "s",
			    pool->nsources == 1 ? "s" : "");
	}
	return 0;
}

static int
finish_names(struct parser *p)
{
	struct fdns_conf	*c = p->conf;
	size_t			 i, k;
	int			 j;

	for (i = 0; i < c->nnames; i++) {
		struct fdns_name	*nm = &c->names[i];
		struct pend_name	*pn = &p->pnames[i];

		p->line = nm->line;
		if (pn->pool == NULL)
			return perr(p, "name %s: no pool", nm->name);
		if ((nm->zone = conf_name_zone(c, nm->wire, nm->wirelen)) < 0)
			return perr(p, "name %s is in no zone", nm->name);
		p->line = pn->pool_line;
		for (k = 0; k < c->npools; k++)
			if (strcmp(c->pools[k].name, pn->pool) == 0)
				break;
		if (k == c->npools)
			return perr(p, "name %s: unknown pool \"%s\"",
			    nm->name, pn->pool);
		nm->pool = &c->pools[k];
		p->line = pn->update_line;
		for (j = 0; j < nm->nupdates; j++) {
			for (k = 0; k < c->nupdates; k++)
				if (strcmp(c->updates[k].name,
				    pn->updates[j]) == 0)
					break;
			if (k == c->nupdates)
				return perr(p, "name %s: unknown update "
				    "\"%s\"", nm->name, pn->updates[j]);
			nm->updates[j] = &c->updates[k];
		}
		if (nm->nfallback == 0 && nm->alldown == FDNS_RULE_FALLBACK) {
			p->line = pn->alldown_line;
			return perr(p, "alldown fallback: no fallback "
			    "addresses (list them here or on a fallback "
			    "line)");
		}
		if (nm->nfallback == 0 && nm->unknown == FDNS_RULE_FALLBACK) {
			p->line = pn->unknown_line;
			return perr(p, "unknown fallback: no fallback "
			    "addresses (list them here or on a fallback "
			    "line)");
		}
	}
	return 0;
}

static int
finish(struct parser *p)
{
	struct fdns_conf	*c = p->conf;
	size_t			 i;

	if (p->set_line[3] == 0)
		c->detect_s = FDNS_DETECT_DEFAULT;
	for (i = 0; i < c->nzones; i++) {
		p->line = c->zones[i].line;
		if (c->zones[i].file == NULL)
			return perr(p, "zone %s: no file", c->zones[i].name);
	}
	for (i = 0; i < c->nsources; i++) {
		p->line = c->sources[i].line;
		if (c->sources[i].faild == NULL)
			return perr(p, "source %s: no faild",
			    c->sources[i].name);
	}
	for (i = 0; i < c->nupdates; i++) {
		p->line = c->updates[i].line;
		if (c->updates[i].server == NULL)
			return perr(p, "update %s: no server",
			    c->updates[i].name);
	}
	if (finish_pools(p) < 0)
		return -1;
	return finish_names(p);
}

static void
parser_free(struct parser *p, size_t npools, size_t nnames)
{
	size_t	i;
	int	j;

	for (i = 0; i < npools; i++)
		for (j = 0; j < p->ppools[i].nsources; j++)
			free(p->ppools[i].sources[j]);
	for (i = 0; i < nnames; i++) {
		free(p->pnames[i].pool);
		for (j = 0; j < FDNS_MAX_SOURCES; j++)
			free(p->pnames[i].updates[j]);
	}
	free(p->ppools);
	free(p->pnames);
}

static int
conf_parse(const char *path, const char *dir, const char *text, size_t len,
    struct fdns_conf **cp, char *err, size_t errlen)
{
	struct parser	 p;
	char		 line[CONF_MAX_LINE];
	const char	*s = text, *end = text + len, *nl;
	size_t		 n;
	int		 rc = -1;

	*cp = NULL;
	memset(&p, 0, sizeof(p));
	p.path = path;
	p.dir = dir;
	p.err = err;
	p.errlen = errlen;
	p.conf = xcalloc(1, sizeof(*p.conf));
	p.conf->path = xstrdup(path);
	p.conf->detect_s = FDNS_DETECT_DEFAULT;

	while (s < end) {
		p.line++;
		nl = memchr(s, '\n', end - s);
		n = (nl ? nl : end) - s;
		if (n >= sizeof(line)) {
			perr(&p, "line longer than %d bytes",
			    CONF_MAX_LINE - 1);
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
	if (finish(&p) < 0)
		goto fail;
	*cp = p.conf;
	rc = 0;
fail:
	parser_free(&p, p.conf->npools, p.conf->nnames);
	if (rc < 0)
		fdns_conf_free(p.conf);
	return rc;
}

int
fdns_conf_parse(const char *path, const char *text, size_t len,
    struct fdns_conf **cp, char *err, size_t errlen)
{
	char	*dir = NULL, *slash;
	int	 rc;

	if ((slash = strrchr(path, '/')) != NULL) {
		dir = xstrdup(path);
		dir[slash - path] = '\0';
		if (slash == path)
			dir[0] = '\0';	/* "/x": "" + "/" + file */
	}
	rc = conf_parse(path, dir, text, len, cp, err, errlen);
	free(dir);
	return rc;
}

/*
 * Read path: a regular file that only its owner (root or us) can write,
 * as the other daemons of the project demand of their files.
 */
int
fdns_conf_load(const char *path, struct fdns_conf **cp, char *err,
    size_t errlen)
{
	struct stat	 st;
	char		*text, abs[PATH_MAX];
	FILE		*f;
	size_t		 n;
	int		 rc;

	*cp = NULL;
	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		fclose(f);
		return -1;
	}
	if ((st.st_mode & 022) != 0 || (st.st_uid != 0 &&
	    st.st_uid != geteuid())) {
		snprintf(err, errlen, "%s: refused: writable by group or "
		    "others, or owned by another user", path);
		fclose(f);
		return -1;
	}
	if (st.st_size > CONF_MAX_SIZE) {
		snprintf(err, errlen, "%s: larger than %d bytes", path,
		    CONF_MAX_SIZE);
		fclose(f);
		return -1;
	}
	text = xmalloc(st.st_size + 1);
	n = fread(text, 1, st.st_size, f);
	fclose(f);
	if (realpath(path, abs) == NULL)
		snprintf(abs, sizeof(abs), "%s", path);
	rc = fdns_conf_parse(abs, text, n, cp, err, errlen);
	free(text);
	return rc;
}

void
fdns_conf_free(struct fdns_conf *c)
{
	size_t	i, j;
	int	k;

	if (c == NULL)
		return;
	for (i = 0; i < c->nzones; i++) {
		free(c->zones[i].name);
		free(c->zones[i].file);
	}
	for (i = 0; i < c->nsources; i++) {
		free(c->sources[i].name);
		free(c->sources[i].faild);
	}
	for (i = 0; i < c->npools; i++) {
		for (j = 0; j < c->pools[i].nmembers; j++)
			for (k = 0; k < c->pools[i].members[j].nservices; k++)
				free(c->pools[i].members[j].services[k]);
		free(c->pools[i].members);
		free(c->pools[i].name);
	}
	for (i = 0; i < c->nnames; i++)
		free(c->names[i].name);
	for (i = 0; i < c->nupdates; i++) {
		free(c->updates[i].name);
		free(c->updates[i].server);
		free(c->updates[i].zone);
		free(c->updates[i].keyfile);
		free(c->updates[i].keyname);
	}
	free(c->zones);
	free(c->sources);
	free(c->pools);
	free(c->names);
	free(c->updates);
	free(c->path);
	free(c->statefile);
	free(c->keyfile);
	free(c->community);
	free(c);
}

/* ------------------------------------------------------------------ */
/* Strings */

const char *
fdns_addr_str(const struct fdns_addr *a, char *buf, size_t len)
{
	if (len == 0)
		return buf;
	if ((a->family != AF_INET && a->family != AF_INET6) ||
	    inet_ntop(a->family, a->a, buf, len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}

const char *
fdns_select_str(enum fdns_select s)
{
	switch (s) {
	case FDNS_SEL_ALL:
		return "all";
	case FDNS_SEL_WEIGHTED:
		return "weighted";
	case FDNS_SEL_ORDERED:
		return "ordered";
	case FDNS_SEL_ROTATE:
		return "rotate";
	}
	return "?";
}

const char *
fdns_rule_str(enum fdns_rule r)
{
	switch (r) {
	case FDNS_RULE_ALL:
		return "all";
	case FDNS_RULE_FALLBACK:
		return "fallback";
	case FDNS_RULE_OFFSITE:
		return "offsite";
	case FDNS_RULE_NODATA:
		return "nodata";
	case FDNS_RULE_SERVFAIL:
		return "servfail";
	case FDNS_RULE_LAST:
		return "last";
	}
	return "?";
}

const char *
fdns_prio_str(int priority, char *buf, size_t len)
{
	switch (priority) {
	case FDNS_PRIO_DISABLED:
		return "disabled";
	case FDNS_PRIO_PRIMARY:
		return "primary";
	case FDNS_PRIO_BACKUP:
		return "backup";
	case FDNS_PRIO_BACKUP2:
		return "backup2";
	case FDNS_PRIO_BACKUP3:
		return "backup3";
	}
	snprintf(buf, len, "%d", priority);
	return buf;
}
