/*
 * zone.c: reads zone files (RFC 1035 section 5, $TTL of RFC 2308, the
 * generic RDATA of RFC 3597) into wire-form records for faildns. A lexer
 * cuts the file into entries (one logical line, parentheses joined), then
 * one function per record type turns an entry's fields into RDATA. The
 * input is untrusted and fuzzed: every buffer is bounded, the only
 * recursion ($INCLUDE) has a depth limit, and the first mistake stops the
 * load with "file:line: what is wrong".
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_name.h"
#include "zone.h"

/*
 * One entry's text. The largest sensible entry is 64 KiB of RDATA written
 * as \DDD escapes (four characters a byte); more is refused, not grown.
 */
#define ZONE_ENTRY_MAX	(4 * ZONE_RDATA_MAX + 4096)
#define ZONE_TOKENS_MAX	16384
#define ZONE_SHOW	60	/* characters of a field quoted in errors */

struct ztoken {
	const char	*s;		/* entry's buf, escapes still in */
	int		 quoted;
	int		 line;
};

struct zentry {
	char		 buf[ZONE_ENTRY_MAX];
	size_t		 used;
	struct ztoken	 tok[ZONE_TOKENS_MAX];
	int		 ntok;
	int		 next;		/* the first field not yet used */
	int		 blank;		/* began with a space: previous owner */
	int		 line;
};

/* A file being read; the includers are up the chain. */
struct zfile {
	FILE		*fp;
	const char	*path;		/* zone's files[] */
	int		 line;
	dev_t		 dev;
	ino_t		 ino;
	struct zfile	*up;
};

struct zparse {
	struct zone	*zone;
	struct zentry	*e;		/* owned; shared by all files */
	struct zfile	*f;		/* the file being read */
	uint8_t		 origin[ZONE_NAME_MAX];	/* $ORIGIN, as written */
	size_t		 originlen;		/* 0: none yet */
	uint8_t		 owner[ZONE_NAME_MAX];	/* the previous owner */
	size_t		 ownerlen;		/* 0: none yet */
	uint32_t	 ttl_dollar;		/* $TTL */
	int		 has_ttl_dollar;
	uint32_t	 ttl_last;		/* the last explicit TTL */
	int		 has_ttl_last;
	const char	*soa_file;		/* where the SOA was */
	int		 soa_line;
	uint8_t		 rd[ZONE_RDATA_MAX];	/* the record being built */
	size_t		 rdlen;
	uint16_t	 names[ZONE_RR_NAMES];
	int		 nnames;
	char		*err;
	size_t		 errlen;
};

struct ztype {
	const char	*name;
	uint16_t	 type;
	/*
	 * The RDATA's wire layout, to check the RFC 3597 form of a known
	 * type: b, w, l one, two, four bytes; x sixteen; n a compressible
	 * name, N another name; s a character-string, S one or more up to
	 * the end; r the rest.
	 */
	const char	*wire;
	int		(*parse)(struct zparse *);
};

static int	 zerr(struct zparse *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static int	 parse_file(struct zparse *, const char *, int);

/*
 * Results: -1, always, so callers can "return zerr(...)".
 * Side effects: the message "file:line: ..." in p->err; line 0 leaves the
 * line out, a NULL file the whole prefix.
 */
static int
zerr(struct zparse *p, int line, const char *fmt, ...)
{
	va_list	ap;
	int	n = 0;

	if (p->errlen == 0)
		return -1;
	if (p->f != NULL && line > 0)
		n = snprintf(p->err, p->errlen, "%s:%d: ", p->f->path, line);
	else if (p->f != NULL)
		n = snprintf(p->err, p->errlen, "%s: ", p->f->path);
	if (n < 0 || (size_t)n >= p->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Names. */

int
zone_name_parse(const char *s, const uint8_t *origin, size_t originlen,
    uint8_t *out, char *why, size_t whylen)
{
	enum dns_name_err	e;
	int			n;

	if (strcmp(s, "@") == 0) {
		if (originlen == 0) {
			snprintf(why, whylen, "%s",
			    dns_name_err_str(DNS_NAME_RELATIVE));
			return -1;
		}
		memcpy(out, origin, originlen);
		return (int)originlen;
	}
	if ((n = dns_name_parse(s, originlen ? origin : NULL, originlen, out,
	    &e)) == -1)
		snprintf(why, whylen, "%s", dns_name_err_str(e));
	return n;
}

const char *
zone_name_str(const uint8_t *name, char *buf, size_t len)
{
	if (dns_name_to_text(name, buf, len) == -1 && len > 0)
		buf[0] = '\0';
	return buf;
}

/* Is name (lower case) origin or below it? */
static int
name_in_zone(const uint8_t *name, size_t len, const uint8_t *origin,
    size_t originlen)
{
	size_t	at = 0;

	while (at < len) {
		if (len - at == originlen &&
		    memcmp(name + at, origin, originlen) == 0)
			return 1;
		if (name[at] == 0)
			break;
		at += name[at] + 1;
	}
	return 0;
}

/* The lexer. */

static int
lex_getc(struct zparse *p)
{
	int	c = getc(p->f->fp);

	if (c == '\n')
		p->f->line++;
	return c;
}

static void
lex_ungetc(struct zparse *p, int c)
{
	if (c == EOF)
		return;
	if (c == '\n')
		p->f->line--;
	ungetc(c, p->f->fp);
}

static int
lex_put(struct zparse *p, int c)
{
	struct zentry	*e = p->e;

	if (c == '\0')
		return zerr(p, p->f->line, "NUL byte in the file");
	if (e->used + 1 >= sizeof(e->buf))
		return zerr(p, p->f->line, "entry longer than %zu bytes",
		    sizeof(e->buf));
	e->buf[e->used++] = (char)c;
	return 0;
}

/* Ends the open field. */
static int
lex_end(struct zparse *p)
{
	struct zentry	*e = p->e;

	if (e->used + 1 > sizeof(e->buf))
		return zerr(p, p->f->line, "entry longer than %zu bytes",
		    sizeof(e->buf));
	e->buf[e->used++] = '\0';
	return 0;
}

static int
lex_token(struct zparse *p, int quoted)
{
	struct zentry	*e = p->e;

	if (e->ntok == ZONE_TOKENS_MAX)
		return zerr(p, p->f->line, "more than %d fields",
		    ZONE_TOKENS_MAX);
	e->tok[e->ntok].s = e->buf + e->used;
	e->tok[e->ntok].quoted = quoted;
	e->tok[e->ntok].line = p->f->line;
	if (e->ntok == 0)
		e->line = p->f->line;
	e->ntok++;
	return 0;
}

/* A quoted string, the opening quote read; escapes stay for later. */
static int
lex_quoted(struct zparse *p)
{
	int	c;

	if (lex_token(p, 1) == -1)
		return -1;
	for (;;) {
		c = lex_getc(p);
		if (c == EOF || c == '\n')
			return zerr(p, p->e->tok[p->e->ntok - 1].line,
			    "unterminated quoted string");
		if (c == '"')
			break;
		if (lex_put(p, c) == -1)
			return -1;
		if (c == '\\') {
			if ((c = lex_getc(p)) == EOF || c == '\n')
				return zerr(p, p->f->line - (c == '\n'),
				    "backslash at the end of a line");
			if (lex_put(p, c) == -1)
				return -1;
		}
	}
	return lex_end(p);
}

/*
 * Results: 1 with an entry in p->e, 0 at the end of the file, -1 on error.
 * Side effects: reads p->f up to the end of the entry's last line.
 */
static int
lex_entry(struct zparse *p)
{
	struct zentry	*e = p->e;
	int		 c, paren = 0, paren_line = 0;

	e->used = 0;
	e->ntok = 0;
	e->next = 0;
	e->blank = 0;
	e->line = p->f->line;
	c = lex_getc(p);
	e->blank = (c == ' ' || c == '\t');
	lex_ungetc(p, c);
	for (;;) {
		c = lex_getc(p);
		switch (c) {
		case EOF:
			if (ferror(p->f->fp))
				return zerr(p, 0, "read: %s", strerror(errno));
			if (paren)
				return zerr(p, paren_line,
				    "parenthesis not closed");
			return e->ntok > 0;
		case '\n':
			if (paren)
				break;
			if (e->ntok > 0)
				return 1;
			c = lex_getc(p);
			e->blank = (c == ' ' || c == '\t');
			lex_ungetc(p, c);
			break;
		case ' ':
		case '\t':
		case '\r':
			break;
		case ';':
			while ((c = lex_getc(p)) != EOF && c != '\n')
				;
			lex_ungetc(p, c);
			break;
		case '(':
			if (paren)
				return zerr(p, p->f->line,
				    "nested parentheses");
			paren = 1;
			paren_line = p->f->line;
			break;
		case ')':
			if (!paren)
				return zerr(p, p->f->line,
				    "')' without '('");
			paren = 0;
			break;
		case '"':
			if (lex_quoted(p) == -1)
				return -1;
			break;
		default:
			if (lex_token(p, 0) == -1)
				return -1;
			for (;;) {
				if (lex_put(p, c) == -1)
					return -1;
				if (c == '\\') {
					c = lex_getc(p);
					if (c == EOF || c == '\n')
						return zerr(p, p->f->line -
						    (c == '\n'),
						    "backslash at the end of "
						    "a line");
					if (lex_put(p, c) == -1)
						return -1;
				}
				c = lex_getc(p);
				if (c == EOF || c == ' ' || c == '\t' ||
				    c == '\r' || c == '\n' || c == ';' ||
				    c == '(' || c == ')' || c == '"')
					break;
			}
			lex_ungetc(p, c);
			if (lex_end(p) == -1)
				return -1;
			break;
		}
	}
}

/* Fields of an entry. */

/* The next field, or NULL after an error naming what was missing. */
static const struct ztoken *
field(struct zparse *p, const char *what)
{
	struct zentry	*e = p->e;

	if (e->next >= e->ntok) {
		zerr(p, e->line, "missing %s", what);
		return NULL;
	}
	return &e->tok[e->next++];
}

static int
more_fields(struct zparse *p)
{
	return p->e->next < p->e->ntok;
}

/* A decimal number up to max; -1 for anything else. */
static int
number_parse(const char *s, uint32_t max, uint32_t *v)
{
	uint64_t	n = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		n = n * 10 + (uint64_t)(*s - '0');
		if (n > max)
			return -1;
	}
	*v = (uint32_t)n;
	return 0;
}

/* A TTL: seconds, or with units as BIND allows ("1h30m", "2w"). */
static int
ttl_parse(const char *s, uint32_t *v)
{
	uint64_t	total = 0, n, unit;

	if (!isdigit((unsigned char)*s))
		return -1;
	while (*s != '\0') {
		if (!isdigit((unsigned char)*s))
			return -1;
		for (n = 0; isdigit((unsigned char)*s); s++) {
			n = n * 10 + (uint64_t)(*s - '0');
			if (n > ZONE_TTL_MAX)
				return -1;
		}
		switch (tolower((unsigned char)*s)) {
		case '\0':
			unit = 1;
			s--;
			break;
		case 's':
			unit = 1;
			break;
		case 'm':
			unit = 60;
			break;
		case 'h':
			unit = 3600;
			break;
		case 'd':
			unit = 86400;
			break;
		case 'w':
			unit = 604800;
			break;
		default:
			return -1;
		}
		s++;
		total += n * unit;
		if (total > ZONE_TTL_MAX)
			return -1;
	}
	*v = (uint32_t)total;
	return 0;
}

static int
rd_put(struct zparse *p, const void *b, size_t n)
{
	if (n > sizeof(p->rd) - p->rdlen)
		return zerr(p, p->e->line, "record data longer than %d bytes",
		    ZONE_RDATA_MAX);
	memcpy(p->rd + p->rdlen, b, n);
	p->rdlen += n;
	return 0;
}

static int
rd_u8(struct zparse *p, uint8_t v)
{
	return rd_put(p, &v, 1);
}

static int
rd_u16(struct zparse *p, uint16_t v)
{
	uint8_t	b[2] = { v >> 8, v & 0xff };

	return rd_put(p, b, 2);
}

static int
rd_u32(struct zparse *p, uint32_t v)
{
	uint8_t	b[4] = { v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff,
		    v & 0xff };

	return rd_put(p, b, 4);
}

/* A decimal field of at most max, written in bytes (1, 2 or 4). */
static int
rd_number(struct zparse *p, const char *what, uint32_t max, int bytes)
{
	const struct ztoken	*t;
	uint32_t		 v;

	if ((t = field(p, what)) == NULL)
		return -1;
	if (t->quoted || number_parse(t->s, max, &v) == -1)
		return zerr(p, t->line, "bad %s \"%.*s\" (0 to %lu)", what,
		    ZONE_SHOW, t->s, (unsigned long)max);
	if (bytes == 1)
		return rd_u8(p, (uint8_t)v);
	if (bytes == 2)
		return rd_u16(p, (uint16_t)v);
	return rd_u32(p, v);
}

/* A TTL-like field of the SOA (refresh, retry...): units allowed. */
static int
rd_period(struct zparse *p, const char *what)
{
	const struct ztoken	*t;
	uint32_t		 v;

	if ((t = field(p, what)) == NULL)
		return -1;
	if (t->quoted || ttl_parse(t->s, &v) == -1)
		return zerr(p, t->line, "bad %s \"%.*s\"", what, ZONE_SHOW,
		    t->s);
	return rd_u32(p, v);
}

/* A domain name; compress says whether a packer may compress it. */
static int
rd_name(struct zparse *p, const char *what, int compress)
{
	const struct ztoken	*t;
	uint8_t			 name[ZONE_NAME_MAX];
	char			 why[64];
	int			 n;

	if ((t = field(p, what)) == NULL)
		return -1;
	if (t->quoted)
		return zerr(p, t->line, "%s is a quoted string", what);
	if ((n = zone_name_parse(t->s, p->origin, p->originlen, name, why,
	    sizeof(why))) == -1)
		return zerr(p, t->line, "bad %s \"%.*s\": %s", what,
		    ZONE_SHOW, t->s, why);
	if (compress) {
		if (p->nnames == ZONE_RR_NAMES)
			return zerr(p, t->line, "too many names");
		p->names[p->nnames++] = (uint16_t)p->rdlen;
	}
	return rd_put(p, name, (size_t)n);
}

/*
 * Decodes a string's escapes into out. Results: its length; max + 1 when
 * it does not fit (out holds max bytes then); -1 for a bad escape.
 */
static int
text_decode(const char *s, uint8_t *out, size_t max)
{
	size_t	n = 0;

	while (*s != '\0') {
		if (n == max)
			return (int)max + 1;
		if ((s = dns_unescape(s, &out[n])) == NULL)
			return -1;
		n++;
	}
	return (int)n;
}

/* A <character-string>: its length byte, then at most 255 bytes. */
static int
rd_string(struct zparse *p, const struct ztoken *t, const char *what)
{
	uint8_t	b[1 + 255];
	int	n;

	if ((n = text_decode(t->s, b + 1, sizeof(b) - 1)) == -1)
		return zerr(p, t->line, "bad %s \"%.*s\"", what, ZONE_SHOW,
		    t->s);
	if (n > 255)
		return zerr(p, t->line, "%s \"%.*s...\" longer than 255 "
		    "bytes", what, ZONE_SHOW, t->s);
	b[0] = (uint8_t)n;
	return rd_put(p, b, (size_t)n + 1);
}

/* Record types: one function each. */

static int
rr_a(struct zparse *p)
{
	const struct ztoken	*t;
	struct in_addr		 a;

	if ((t = field(p, "IPv4 address")) == NULL)
		return -1;
	if (t->quoted || inet_pton(AF_INET, t->s, &a) != 1)
		return zerr(p, t->line, "bad IPv4 address \"%.*s\"",
		    ZONE_SHOW, t->s);
	return rd_put(p, &a, 4);
}

static int
rr_aaaa(struct zparse *p)
{
	const struct ztoken	*t;
	struct in6_addr		 a;

	if ((t = field(p, "IPv6 address")) == NULL)
		return -1;
	if (t->quoted || inet_pton(AF_INET6, t->s, &a) != 1)
		return zerr(p, t->line, "bad IPv6 address \"%.*s\"",
		    ZONE_SHOW, t->s);
	return rd_put(p, &a, 16);
}

static int
rr_ns(struct zparse *p)
{
	return rd_name(p, "name server", 1);
}

static int
rr_cname(struct zparse *p)
{
	return rd_name(p, "canonical name", 1);
}

static int
rr_ptr(struct zparse *p)
{
	return rd_name(p, "pointer name", 1);
}

static int
rr_mx(struct zparse *p)
{
	if (rd_number(p, "MX preference", 65535, 2) == -1)
		return -1;
	return rd_name(p, "mail exchanger", 1);
}

static int
rr_soa(struct zparse *p)
{
	if (rd_name(p, "SOA primary server", 1) == -1 ||
	    rd_name(p, "SOA mailbox", 1) == -1 ||
	    rd_number(p, "SOA serial", UINT32_MAX, 4) == -1 ||
	    rd_period(p, "SOA refresh") == -1 ||
	    rd_period(p, "SOA retry") == -1 ||
	    rd_period(p, "SOA expire") == -1 ||
	    rd_period(p, "SOA minimum") == -1)
		return -1;
	return 0;
}

static int
rr_txt(struct zparse *p)
{
	const struct ztoken	*t;

	if ((t = field(p, "text")) == NULL)
		return -1;
	do {
		if (rd_string(p, t, "text") == -1)
			return -1;
	} while (more_fields(p) && (t = field(p, "text")) != NULL);
	return 0;
}

/* RFC 2782; the target is never compressed. */
static int
rr_srv(struct zparse *p)
{
	if (rd_number(p, "SRV priority", 65535, 2) == -1 ||
	    rd_number(p, "SRV weight", 65535, 2) == -1 ||
	    rd_number(p, "SRV port", 65535, 2) == -1)
		return -1;
	return rd_name(p, "SRV target", 0);
}

/* RFC 8659: flags, tag, and a value that runs to the end. */
static int
rr_caa(struct zparse *p)
{
	const struct ztoken	*t;
	const char		*c;
	int			 n;

	if (rd_number(p, "CAA flags", 255, 1) == -1)
		return -1;
	if ((t = field(p, "CAA tag")) == NULL)
		return -1;
	for (c = t->s; *c != '\0'; c++)
		if (!isalnum((unsigned char)*c))
			break;
	if (t->quoted || *c != '\0' || c == t->s || c - t->s > 255)
		return zerr(p, t->line, "bad CAA tag \"%.*s\"", ZONE_SHOW,
		    t->s);
	if (rd_u8(p, (uint8_t)(c - t->s)) == -1 ||
	    rd_put(p, t->s, (size_t)(c - t->s)) == -1)
		return -1;
	if ((t = field(p, "CAA value")) == NULL)
		return -1;
	/* The value has no length byte: decode it in place. */
	if ((n = text_decode(t->s, p->rd + p->rdlen, sizeof(p->rd) -
	    p->rdlen)) == -1)
		return zerr(p, t->line, "bad CAA value \"%.*s\"", ZONE_SHOW,
		    t->s);
	if ((size_t)n > sizeof(p->rd) - p->rdlen)
		return zerr(p, p->e->line, "record data longer than %d bytes",
		    ZONE_RDATA_MAX);
	p->rdlen += (size_t)n;
	return 0;
}

static const struct ztype ztypes[] = {
	{ "A",		ZONE_T_A,	"l",		rr_a },
	{ "NS",		ZONE_T_NS,	"n",		rr_ns },
	{ "CNAME",	ZONE_T_CNAME,	"n",		rr_cname },
	{ "SOA",	ZONE_T_SOA,	"nnlllll",	rr_soa },
	{ "PTR",	ZONE_T_PTR,	"n",		rr_ptr },
	{ "MX",		ZONE_T_MX,	"wn",		rr_mx },
	{ "TXT",	ZONE_T_TXT,	"S",		rr_txt },
	{ "AAAA",	ZONE_T_AAAA,	"x",		rr_aaaa },
	{ "SRV",	ZONE_T_SRV,	"wwwN",		rr_srv },
	{ "CAA",	ZONE_T_CAA,	"bsr",		rr_caa },
};

static const struct ztype *
ztype_find(uint16_t type)
{
	size_t	i;

	for (i = 0; i < sizeof(ztypes) / sizeof(ztypes[0]); i++)
		if (ztypes[i].type == type)
			return &ztypes[i];
	return NULL;
}

const char *
zone_type_str(uint16_t type, char *buf, size_t len)
{
	const struct ztype	*t;

	if ((t = ztype_find(type)) != NULL)
		snprintf(buf, len, "%s", t->name);
	else
		snprintf(buf, len, "TYPE%u", type);
	return buf;
}

/* "MX", "mx" or "TYPE15" -> 15; -1 when it is no type. */
static int
type_parse(const char *s)
{
	uint32_t	v;
	size_t		i;

	for (i = 0; i < sizeof(ztypes) / sizeof(ztypes[0]); i++)
		if (strcasecmp(s, ztypes[i].name) == 0)
			return ztypes[i].type;
	if (strncasecmp(s, "TYPE", 4) == 0 && number_parse(s + 4, 65535,
	    &v) == 0)
		return (int)v;
	return -1;
}

/* The RFC 3597 form: \# length hex... */

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * Results: 0 when generic RDATA fits the type's wire layout, else -1.
 * Side effects: p->names gets the compressible names' offsets.
 */
static int
rdata_check(struct zparse *p, const struct ztype *zt, int line)
{
	const char	*l;
	size_t		 o = 0, len = p->rdlen;
	int		 n, strings;

	for (l = zt->wire; *l != '\0'; l++) {
		switch (*l) {
		case 'b':
			o += 1;
			break;
		case 'w':
			o += 2;
			break;
		case 'l':
			o += 4;
			break;
		case 'x':
			o += 16;
			break;
		case 'n':
		case 'N':
			if ((n = dns_name_len(p->rd + o, len - o)) == -1)
				goto bad;
			if (*l == 'n')
				p->names[p->nnames++] = (uint16_t)o;
			o += (size_t)n;
			break;
		case 's':
			if (o >= len)
				goto bad;
			o += 1 + p->rd[o];
			break;
		case 'S':
			for (strings = 0; o < len; strings++)
				o += 1 + p->rd[o];
			if (strings == 0)
				goto bad;
			break;
		case 'r':
			o = len;
			break;
		}
		if (o > len)
			goto bad;
	}
	if (o == len)
		return 0;
bad:
	return zerr(p, line, "generic data do not fit type %s", zt->name);
}

static int
rr_generic(struct zparse *p, uint16_t type)
{
	const struct ztoken	*t;
	const struct ztype	*zt;
	const char		*c;
	uint32_t		 len;
	int			 line, hi = -1, v;

	if ((t = field(p, "generic data length")) == NULL)
		return -1;
	line = t->line;
	if (t->quoted || number_parse(t->s, ZONE_RDATA_MAX, &len) == -1)
		return zerr(p, t->line, "bad generic data length \"%.*s\"",
		    ZONE_SHOW, t->s);
	while (more_fields(p)) {
		t = field(p, "generic data");
		for (c = t->s; *c != '\0'; c++) {
			if (t->quoted || (v = hexval((unsigned char)*c)) == -1)
				return zerr(p, t->line, "bad hex \"%.*s\"",
				    ZONE_SHOW, t->s);
			if (hi == -1) {
				hi = v;
				continue;
			}
			if (p->rdlen == len)
				return zerr(p, t->line, "generic data longer "
				    "than %lu bytes", (unsigned long)len);
			p->rd[p->rdlen++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	if (hi != -1)
		return zerr(p, line, "odd number of hex digits");
	if (p->rdlen != len)
		return zerr(p, line, "generic data of %zu bytes, not %lu",
		    p->rdlen, (unsigned long)len);
	if ((zt = ztype_find(type)) != NULL)
		return rdata_check(p, zt, line);
	return 0;
}

/* Records. */

/* 1 for IN, 0 for another class, -1 when s is no class. */
static int
class_parse(const char *s)
{
	uint32_t	v;

	if (strcasecmp(s, "IN") == 0)
		return 1;
	if (strcasecmp(s, "CH") == 0 || strcasecmp(s, "HS") == 0 ||
	    strcasecmp(s, "CS") == 0 || strcasecmp(s, "NONE") == 0 ||
	    strcasecmp(s, "ANY") == 0)
		return 0;
	if (strncasecmp(s, "CLASS", 5) == 0 && number_parse(s + 5, 65535,
	    &v) == 0)
		return v == ZONE_C_IN;
	return -1;
}

static int
zone_add(struct zparse *p, struct zone_rr *rr)
{
	struct zone	*z = p->zone;
	struct zone_rr	*n;
	size_t		 cap;

	if (z->nrrs == z->rrcap) {
		cap = z->rrcap ? z->rrcap * 2 : 64;
		if ((n = reallocarray(z->rrs, cap, sizeof(*n))) == NULL)
			return zerr(p, rr->line, "out of memory");
		z->rrs = n;
		z->rrcap = cap;
	}
	rr->rdata = NULL;
	if (rr->rdlen > 0 && (rr->rdata = malloc(rr->rdlen)) == NULL)
		return zerr(p, rr->line, "out of memory");
	if (rr->rdlen > 0)
		memcpy(rr->rdata, p->rd, rr->rdlen);
	z->rrs[z->nrrs++] = *rr;
	return 0;
}

/*
 * Results: 0 when the entry was a good record, now in the zone; else -1.
 * Side effects: sets the previous owner and the last TTL.
 */
static int
do_record(struct zparse *p)
{
	struct zentry		*e = p->e;
	struct zone		*z = p->zone;
	const struct ztoken	*t;
	const struct ztype	*zt;
	struct zone_rr		 rr;
	char			 why[64], name[1024], oname[1024], tname[16];
	uint32_t		 ttl;
	int			 n, type, has_ttl = 0, has_class = 0, cl;

	memset(&rr, 0, sizeof(rr));
	rr.file = p->f->path;
	rr.line = e->line;
	if (!e->blank) {
		t = field(p, "owner");
		if (t->quoted)
			return zerr(p, t->line, "owner is a quoted string");
		if ((n = zone_name_parse(t->s, p->origin, p->originlen,
		    p->owner, why, sizeof(why))) == -1) {
			p->ownerlen = 0;
			return zerr(p, t->line, "bad owner \"%.*s\": %s",
			    ZONE_SHOW, t->s, why);
		}
		p->ownerlen = (size_t)n;
	} else if (p->ownerlen == 0)
		return zerr(p, e->line, "no owner and no previous one");
	memcpy(rr.owner, p->owner, p->ownerlen);
	rr.ownerlen = p->ownerlen;
	dns_name_lower(rr.owner, rr.owner);

	/* TTL and class come in either order, each optional. */
	for (;;) {
		if ((t = field(p, "type")) == NULL)
			return -1;
		if (t->quoted)
			return zerr(p, t->line, "type is a quoted string");
		if (!has_ttl && isdigit((unsigned char)t->s[0])) {
			if (ttl_parse(t->s, &ttl) == -1)
				return zerr(p, t->line, "bad TTL \"%.*s\"",
				    ZONE_SHOW, t->s);
			has_ttl = 1;
			continue;
		}
		if (!has_class && (cl = class_parse(t->s)) != -1) {
			if (cl == 0)
				return zerr(p, t->line, "class %.*s not "
				    "supported (only IN)", ZONE_SHOW, t->s);
			has_class = 1;
			continue;
		}
		break;
	}
	if ((type = type_parse(t->s)) == -1)
		return zerr(p, t->line, "unknown type \"%.*s\"", ZONE_SHOW,
		    t->s);
	/* OPT and the query types (RFC 6895) have no place in a zone. */
	if (type == 0 || type == 41 || (type >= 128 && type <= 255))
		return zerr(p, t->line, "type %.*s cannot be in a zone",
		    ZONE_SHOW, t->s);
	rr.type = (uint16_t)type;
	rr.class = ZONE_C_IN;

	p->rdlen = 0;
	p->nnames = 0;
	zt = ztype_find(rr.type);
	if (more_fields(p) && !e->tok[e->next].quoted &&
	    strcmp(e->tok[e->next].s, "\\#") == 0) {
		e->next++;
		if (rr_generic(p, rr.type) == -1)
			return -1;
	} else if (zt == NULL)
		return zerr(p, t->line, "type %s needs generic data "
		    "(\\# length hex)", zone_type_str(rr.type, tname,
		    sizeof(tname)));
	else if (zt->parse(p) == -1)
		return -1;
	if (more_fields(p)) {
		t = &e->tok[e->next];
		return zerr(p, t->line, "trailing field \"%.*s\" in %s record",
		    ZONE_SHOW, t->s, zone_type_str(rr.type, tname,
		    sizeof(tname)));
	}
	rr.rdlen = (uint16_t)p->rdlen;
	memcpy(rr.names, p->names, sizeof(rr.names));
	rr.nnames = p->nnames;

	/*
	 * Without a TTL: $TTL (RFC 2308), else the last one given (RFC
	 * 1035), else for the SOA its minimum, as BIND does.
	 */
	if (has_ttl) {
		rr.ttl = ttl;
		p->ttl_last = ttl;
		p->has_ttl_last = 1;
	} else if (p->has_ttl_dollar)
		rr.ttl = p->ttl_dollar;
	else if (p->has_ttl_last)
		rr.ttl = p->ttl_last;
	else if (rr.type == ZONE_T_SOA) {
		rr.ttl = (uint32_t)p->rd[p->rdlen - 4] << 24 |
		    (uint32_t)p->rd[p->rdlen - 3] << 16 |
		    (uint32_t)p->rd[p->rdlen - 2] << 8 | p->rd[p->rdlen - 1];
		if (rr.ttl > ZONE_TTL_MAX)
			rr.ttl = 0;
		p->ttl_last = rr.ttl;
		p->has_ttl_last = 1;
	} else
		return zerr(p, e->line, "no TTL, and no $TTL before");

	if (z->originlen == 0)
		return zerr(p, e->line, "no zone origin: none given, and no "
		    "$ORIGIN before the first record");
	if (!name_in_zone(rr.owner, rr.ownerlen, z->origin, z->originlen))
		return zerr(p, e->line, "%s is outside the zone %s",
		    zone_name_str(rr.owner, name, sizeof(name)),
		    zone_name_str(z->origin, oname, sizeof(oname)));
	if (rr.type == ZONE_T_SOA) {
		if (rr.ownerlen != z->originlen ||
		    memcmp(rr.owner, z->origin, z->originlen) != 0)
			return zerr(p, e->line, "SOA record at %s, not at "
			    "the zone apex", zone_name_str(rr.owner, name,
			    sizeof(name)));
		if (p->soa_file != NULL)
			return zerr(p, e->line, "second SOA record (the "
			    "first at %s:%d)", p->soa_file, p->soa_line);
		p->soa_file = rr.file;
		p->soa_line = rr.line;
	}
	return zone_add(p, &rr);
}

/* Directives and files. */

static int
do_origin(struct zparse *p)
{
	const struct ztoken	*t;
	uint8_t			 name[ZONE_NAME_MAX];
	char			 why[64];
	int			 n;

	if ((t = field(p, "$ORIGIN name")) == NULL)
		return -1;
	if (t->quoted || (n = zone_name_parse(t->s, p->origin, p->originlen,
	    name, why, sizeof(why))) == -1)
		return zerr(p, t->line, "bad $ORIGIN \"%.*s\"%s%s", ZONE_SHOW,
		    t->s, t->quoted ? "" : ": ", t->quoted ? "" : why);
	memcpy(p->origin, name, (size_t)n);
	p->originlen = (size_t)n;
	/* Without an origin from the caller, the first $ORIGIN is the zone. */
	if (p->zone->originlen == 0 && p->zone->nrrs == 0) {
		memcpy(p->zone->origin, name, (size_t)n);
		p->zone->originlen = (size_t)n;
		dns_name_lower(p->zone->origin, p->zone->origin);
	}
	return 0;
}

static int
do_ttl(struct zparse *p)
{
	const struct ztoken	*t;

	if ((t = field(p, "$TTL value")) == NULL)
		return -1;
	if (t->quoted || ttl_parse(t->s, &p->ttl_dollar) == -1)
		return zerr(p, t->line, "bad $TTL \"%.*s\"", ZONE_SHOW, t->s);
	p->has_ttl_dollar = 1;
	return 0;
}

/*
 * Results: 0 when the included file was read without error, else -1.
 * Side effects: the included records join the zone; the origin and the
 * previous owner are the includer's again afterwards (RFC 1035 5.1).
 */
static int
do_include(struct zparse *p, int depth)
{
	const struct ztoken	*t;
	uint8_t			 origin[ZONE_NAME_MAX];
	uint8_t			 owner[ZONE_NAME_MAX];
	size_t			 originlen, ownerlen;
	char			 path[PATH_MAX], why[64];
	const char		*slash;
	uint8_t			 file[PATH_MAX];
	int			 n, rc, line = p->e->line;

	if ((t = field(p, "$INCLUDE file")) == NULL)
		return -1;
	if ((n = text_decode(t->s, file, sizeof(file) - 1)) == -1 ||
	    n == 0 || (size_t)n >= sizeof(file) ||
	    memchr(file, '\0', (size_t)n) != NULL)
		return zerr(p, t->line, "bad $INCLUDE file \"%.*s\"",
		    ZONE_SHOW, t->s);
	file[n] = '\0';
	/* A relative path is from the including file's folder. */
	slash = strrchr(p->f->path, '/');
	if (file[0] == '/' || slash == NULL)
		rc = snprintf(path, sizeof(path), "%s", (char *)file);
	else
		rc = snprintf(path, sizeof(path), "%.*s/%s",
		    (int)(slash - p->f->path), p->f->path, (char *)file);
	if (rc < 0 || (size_t)rc >= sizeof(path))
		return zerr(p, t->line, "$INCLUDE path too long");

	memcpy(origin, p->origin, p->originlen);
	originlen = p->originlen;
	memcpy(owner, p->owner, p->ownerlen);
	ownerlen = p->ownerlen;
	if (more_fields(p)) {
		t = field(p, "$INCLUDE origin");
		if (t->quoted || (n = zone_name_parse(t->s, origin,
		    originlen, p->origin, why, sizeof(why))) == -1)
			return zerr(p, t->line, "bad $INCLUDE origin "
			    "\"%.*s\"", ZONE_SHOW, t->s);
		p->originlen = (size_t)n;
	}
	if (more_fields(p))
		return zerr(p, p->e->tok[p->e->next].line, "trailing field "
		    "\"%.*s\" after $INCLUDE", ZONE_SHOW,
		    p->e->tok[p->e->next].s);
	if (depth + 1 >= ZONE_INCLUDE_DEPTH)
		return zerr(p, line, "$INCLUDE nested more than %d deep",
		    ZONE_INCLUDE_DEPTH);
	rc = parse_file(p, path, depth + 1);
	memcpy(p->origin, origin, originlen);
	p->originlen = originlen;
	memcpy(p->owner, owner, ownerlen);
	p->ownerlen = ownerlen;
	return rc;
}

static int
do_entry(struct zparse *p, int depth)
{
	struct zentry		*e = p->e;
	const struct ztoken	*t = &e->tok[0];

	if (e->blank || t->quoted || t->s[0] != '$')
		return do_record(p);
	e->next = 1;
	if (strcasecmp(t->s, "$ORIGIN") == 0) {
		if (do_origin(p) == -1)
			return -1;
	} else if (strcasecmp(t->s, "$TTL") == 0) {
		if (do_ttl(p) == -1)
			return -1;
	} else if (strcasecmp(t->s, "$INCLUDE") == 0)
		return do_include(p, depth);
	else
		return zerr(p, t->line, "unknown directive %.*s", ZONE_SHOW,
		    t->s);
	if (more_fields(p))
		return zerr(p, e->tok[e->next].line, "trailing field "
		    "\"%.*s\" after %s", ZONE_SHOW, e->tok[e->next].s, t->s);
	return 0;
}

/* Keeps a file's name for the records' file fields and messages. */
static const char *
zone_file_add(struct zone *z, const char *path)
{
	char	**n, *s;

	if ((n = reallocarray(z->files, z->nfiles + 1, sizeof(*n))) == NULL)
		return NULL;
	z->files = n;
	if ((s = strdup(path)) == NULL)
		return NULL;
	z->files[z->nfiles++] = s;
	return s;
}

/*
 * Results: 0 when path and what it includes were read without error.
 * Side effects: their records join p->zone.
 */
static int
parse_file(struct zparse *p, const char *path, int depth)
{
	struct zfile	 f, *up;
	struct stat	 st;
	int		 rc;

	memset(&f, 0, sizeof(f));
	f.up = p->f;
	if ((f.path = zone_file_add(p->zone, path)) == NULL)
		return zerr(p, p->e->line, "out of memory");
	if ((f.fp = fopen(path, "r")) == NULL) {
		if (p->f != NULL)
			return zerr(p, p->e->line, "%s: %s", path,
			    strerror(errno));
		snprintf(p->err, p->errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(f.fp), &st) == -1 || !S_ISREG(st.st_mode)) {
		fclose(f.fp);
		if (p->f != NULL)
			return zerr(p, p->e->line, "%s: not a file", path);
		snprintf(p->err, p->errlen, "%s: not a file", path);
		return -1;
	}
	for (up = p->f; up != NULL; up = up->up)
		if (up->dev == st.st_dev && up->ino == st.st_ino) {
			fclose(f.fp);
			return zerr(p, p->e->line, "$INCLUDE loop: %s "
			    "includes itself", path);
		}
	f.dev = st.st_dev;
	f.ino = st.st_ino;
	f.line = 1;
	p->f = &f;
	while ((rc = lex_entry(p)) == 1)
		if ((rc = do_entry(p, depth)) == -1)
			break;
	p->f = f.up;
	fclose(f.fp);
	return rc;
}

/* Orders records by owner, for the CNAME check. */
static int
rr_cmp(const void *a, const void *b)
{
	const struct zone_rr	*x = *(struct zone_rr * const *)a;
	const struct zone_rr	*y = *(struct zone_rr * const *)b;

	if (x->ownerlen != y->ownerlen)
		return x->ownerlen < y->ownerlen ? -1 : 1;
	return memcmp(x->owner, y->owner, x->ownerlen);
}

/*
 * A CNAME is alone at its name (RFC 1034 3.6.2), but for the DNSSEC
 * records that sign it.
 */
static int
check_cname(struct zone *z, char *err, size_t errlen)
{
	struct zone_rr	**v, *c, *o;
	size_t		  i, j, k;
	char		  name[1024], tname[16];
	int		  rc = -1;

	if (z->nrrs == 0)
		return 0;
	if ((v = calloc(z->nrrs, sizeof(*v))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < z->nrrs; i++)
		v[i] = &z->rrs[i];
	qsort(v, z->nrrs, sizeof(*v), rr_cmp);
	for (i = 0; i < z->nrrs; i = j) {
		c = NULL;
		o = NULL;
		for (j = i; j < z->nrrs && rr_cmp(&v[i], &v[j]) == 0; j++)
			;
		for (k = i; k < j; k++) {
			if (v[k]->type != ZONE_T_CNAME)
				continue;
			if (c != NULL) {
				/* Report the later one, as it is read. */
				snprintf(err, errlen, "%s:%d: second CNAME at "
				    "%s (the first at %s:%d)",
				    v[k]->file, v[k]->line, zone_name_str(
				    v[k]->owner, name, sizeof(name)),
				    c->file, c->line);
				goto fail;
			}
			c = v[k];
		}
		if (c == NULL)
			continue;
		for (k = i; k < j; k++)
			if (v[k]->type != ZONE_T_CNAME &&
			    v[k]->type != ZONE_T_RRSIG &&
			    v[k]->type != ZONE_T_NSEC) {
				o = v[k];
				break;
			}
		if (o != NULL) {
			snprintf(err, errlen, "%s:%d: CNAME beside other data "
			    "at %s (%s at %s:%d)", c->file, c->line,
			    zone_name_str(c->owner, name, sizeof(name)),
			    zone_type_str(o->type, tname, sizeof(tname)),
			    o->file, o->line);
			goto fail;
		}
	}
	rc = 0;
fail:
	free(v);
	return rc;
}

int
zone_load(const char *path, const char *origin, struct zone **zp,
    char *err, size_t errlen)
{
	struct zparse	*p;
	struct zone	*z;
	char		 why[64], name[1024];
	int		 n, rc = -1;

	*zp = NULL;
	if (errlen > 0)
		err[0] = '\0';
	if ((z = calloc(1, sizeof(*z))) == NULL ||
	    (p = calloc(1, sizeof(*p))) == NULL) {
		free(z);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	p->zone = z;
	p->err = err;
	p->errlen = errlen;
	if ((p->e = malloc(sizeof(*p->e))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	p->e->line = 0;
	if (origin != NULL) {
		/* The caller's origin is absolute, with or without a dot. */
		if ((n = zone_name_parse(origin, (const uint8_t *)"", 1,
		    z->origin, why, sizeof(why))) == -1) {
			snprintf(err, errlen, "%s: bad origin \"%.*s\": %s",
			    path, ZONE_SHOW, origin, why);
			goto fail;
		}
		z->originlen = (size_t)n;
		memcpy(p->origin, z->origin, z->originlen);
		p->originlen = z->originlen;
		dns_name_lower(z->origin, z->origin);
	}
	if (parse_file(p, path, 0) == -1)
		goto fail;
	if (p->soa_file == NULL) {
		snprintf(err, errlen, "%s: no SOA record at the zone apex %s",
		    path, z->originlen ? zone_name_str(z->origin, name,
		    sizeof(name)) : "(no origin)");
		goto fail;
	}
	if (check_cname(z, err, errlen) == -1)
		goto fail;
	*zp = z;
	z = NULL;
	rc = 0;
fail:
	zone_free(z);
	if (p != NULL)
		free(p->e);
	free(p);
	return rc;
}

void
zone_free(struct zone *z)
{
	size_t	i;

	if (z == NULL)
		return;
	for (i = 0; i < z->nrrs; i++)
		free(z->rrs[i].rdata);
	free(z->rrs);
	for (i = 0; i < z->nfiles; i++)
		free(z->files[i]);
	free(z->files);
	free(z);
}
