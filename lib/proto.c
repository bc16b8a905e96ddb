/*
 * proto.c: parsing and formatting of failproto(5) lines. Pure functions
 * over buffers: no I/O, no logging, so they are fuzzed and unit tested
 * directly.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proto.h"
#include "xmalloc.h"

static const char *const proto_verbs[VERB_MAX] = {
	[VERB_GET] = "get",
	[VERB_SET] = "set",
	[VERB_DELETE] = "delete",
	[VERB_LIST] = "list",
	[VERB_WATCH] = "watch",
	[VERB_PING] = "ping",
	[VERB_STATS] = "stats",
	[VERB_DEBUG] = "debug",
	[VERB_VERSION] = "version",
	[VERB_SHOW] = "show",
};

const char *
proto_verb_str(enum proto_verb v)
{
	return v < VERB_MAX ? proto_verbs[v] : "?";
}

static int
proto_charset_ok(const char *s, size_t min, size_t max)
{
	size_t	n = 0;

	for (; *s != '\0'; s++, n++)
		if (!isalnum((unsigned char)*s) && *s != '.' && *s != '_' &&
		    *s != '-')
			return 0;
	return n >= min && n <= max;
}

int
proto_name_valid(const char *s)
{
	return proto_charset_ok(s, 1, PROTO_MAX_NAME);
}

int
proto_id_valid(const char *s)
{
	return proto_charset_ok(s, 1, PROTO_MAX_ID);
}

static int
proto_hex_valid(const char *s, size_t min, size_t max)
{
	size_t	n = 0;

	for (; *s != '\0'; s++, n++)
		if (!isxdigit((unsigned char)*s))
			return 0;
	return n >= min && n <= max;
}

static int
proto_ms_parse(const char *s, int64_t *out)
{
	char		*end;
	long long	 v;

	if (!isdigit((unsigned char)*s) || strlen(s) > 18)
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

/* A split line: tokens NUL-terminated in place, with their end offsets. */
struct proto_tokens {
	int	 n;
	int	 max;
	char	**tok;
	size_t	*end;
};

static int
proto_split(char *buf, size_t len, struct proto_tokens *t)
{
	size_t	i = 0;

	t->n = 0;
	while (i < len) {
		while (i < len && (buf[i] == ' ' || buf[i] == '\t'))
			i++;
		if (i == len)
			break;
		if (t->n == t->max)
			return -1;
		t->tok[t->n] = buf + i;
		while (i < len && buf[i] != ' ' && buf[i] != '\t')
			i++;
		t->end[t->n] = i;
		t->n++;
		if (i < len)
			buf[i++] = '\0';
	}
	return 0;
}

/* Copy a line, dropping a trailing CR/LF; -1 if it is too long. */
static ssize_t
proto_copy_line(const char *line, size_t len, char *buf, size_t cap)
{
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (len >= cap)
		return -1;
	memcpy(buf, line, len);
	buf[len] = '\0';
	return (ssize_t)len;
}

/*
 * The request's id as the answer should carry it, read from the raw line
 * so that even a request refused for its length or bytes names its id.
 */
void
proto_peek_id(const char *line, size_t len, char id[PROTO_MAX_ID + 1])
{
	size_t	i = 0, n;

	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	for (n = 0; i + n < len && n <= PROTO_MAX_ID; n++) {
		char c = line[i + n];

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			break;
		if (!isalnum((unsigned char)c) && c != '.' && c != '_' &&
		    c != '-')
			n = PROTO_MAX_ID + 1;	/* not an id */
	}
	if (n == 0 || n > PROTO_MAX_ID) {
		strcpy(id, "-");
		return;
	}
	memcpy(id, line + i, n);
	id[n] = '\0';
}

#define REQ_FAIL(c, ...) do {						\
	*code = (c);							\
	snprintf(err, errlen, __VA_ARGS__);				\
	return -1;							\
} while (0)

static int
proto_parse_attr(struct proto_req *req, struct proto_tokens *t, int i,
    int *code, char *err, size_t errlen)
{
	char		*tok = t->tok[i], *val = strchr(tok, '=');
	const char	**slot;
	size_t		 keylen = (size_t)(val - tok);

	val++;
	if (keylen == 1 && tok[0] == 'c') {
		slot = &req->community;
		if (strlen(val) < 1 || strlen(val) > PROTO_MAX_COMMUNITY)
			REQ_FAIL(PERR_MALFORMED, "bad community (1 to %d "
			    "characters)", PROTO_MAX_COMMUNITY);
	} else if (keylen == 2 && strncmp(tok, "by", 2) == 0) {
		slot = &req->by;
		if (!proto_name_valid(val))
			REQ_FAIL(PERR_MALFORMED, "bad by= name");
	} else if (keylen == 2 && strncmp(tok, "to", 2) == 0) {
		slot = &req->to;
		if (!proto_name_valid(val))
			REQ_FAIL(PERR_MALFORMED, "bad to= node name");
	} else if (keylen == 1 && tok[0] == 'k') {
		slot = &req->auth.keyid;
		if (!proto_charset_ok(val, 1, PROTO_MAX_KEYID))
			REQ_FAIL(PERR_MALFORMED, "bad key id");
	} else if (keylen == 1 && tok[0] == 't') {
		if (req->auth.ts_ms >= 0)
			REQ_FAIL(PERR_MALFORMED, "repeated attribute t=");
		if (proto_ms_parse(val, &req->auth.ts_ms) < 0)
			REQ_FAIL(PERR_MALFORMED, "bad timestamp t=");
		return 0;
	} else if (keylen == 1 && tok[0] == 'n') {
		slot = &req->auth.nonce;
		if (!proto_hex_valid(val, PROTO_MIN_NONCE, PROTO_MAX_NONCE))
			REQ_FAIL(PERR_MALFORMED, "bad nonce (%d to %d hex "
			    "digits)", PROTO_MIN_NONCE, PROTO_MAX_NONCE);
	} else if (keylen == 3 && strncmp(tok, "mac", 3) == 0) {
		slot = &req->auth.mac;
		if (i != t->n - 1)
			REQ_FAIL(PERR_MALFORMED, "mac= must be the last field");
		if (!proto_hex_valid(val, 64, 64))
			REQ_FAIL(PERR_MALFORMED, "bad mac (64 hex digits)");
		req->auth.signed_len = t->end[i - 1];
	} else
		REQ_FAIL(PERR_MALFORMED, "unknown attribute \"%.*s=\"",
		    (int)(keylen > 16 ? 16 : keylen), tok);
	if (*slot != NULL)
		REQ_FAIL(PERR_MALFORMED, "repeated attribute %.*s=",
		    (int)keylen, tok);
	*slot = val;
	return 0;
}

/* Per-verb argument checks. */
static int
proto_check_args(struct proto_req *req, int *code, char *err, size_t errlen)
{
	static const int	 nargs[VERB_MAX] = {
		[VERB_GET] = 1, [VERB_SET] = 2, [VERB_DELETE] = 1,
		[VERB_DEBUG] = -1, [VERB_SHOW] = 1,
	};
	enum proto_verb		 v = req->verb;
	int			 i;

	if (v == VERB_DEBUG) {
		if (req->argc % 2 != 0)
			REQ_FAIL(PERR_MALFORMED,
			    "debug takes facility level pairs");
		for (i = 1; i < req->argc; i += 2)
			if (strlen(req->argv[i]) != 1 ||
			    !isdigit((unsigned char)req->argv[i][0]))
				REQ_FAIL(PERR_MALFORMED, "bad debug level "
				    "\"%.16s\" (0 to 9)", req->argv[i]);
		return 0;
	}
	if (req->argc != nargs[v])
		REQ_FAIL(PERR_MALFORMED, "%s takes %d argument%s, not %d",
		    proto_verbs[v], nargs[v], nargs[v] == 1 ? "" : "s",
		    req->argc);
	if (nargs[v] >= 1 && !proto_name_valid(req->argv[0]))
		REQ_FAIL(PERR_MALFORMED, "bad service name \"%.64s\" (1 to %d "
		    "of A-Z a-z 0-9 . _ -)", req->argv[0], PROTO_MAX_NAME);
	if (v == VERB_SET) {
		const char *s = req->argv[1];

		if (strcasecmp(s, "UP") != 0 && strcasecmp(s, "RECOVER") != 0 &&
		    strcasecmp(s, "FAIL") != 0)
			REQ_FAIL(PERR_MALFORMED, "bad state \"%.16s\" (UP, "
			    "RECOVER or FAIL)", s);
	}
	return 0;
}

int
proto_parse_request(const char *line, size_t len, struct proto_req *req,
    int *code, char *err, size_t errlen)
{
	char			*tok[PROTO_MAX_ARGS + 8];
	size_t			 end[PROTO_MAX_ARGS + 8];
	struct proto_tokens	 t = { 0, PROTO_MAX_ARGS + 8, tok, end };
	ssize_t			 n;
	int			 i, v;

	memset(req, 0, offsetof(struct proto_req, buf));
	req->auth.ts_ms = -1;
	proto_peek_id(line, len, req->id);

	n = proto_copy_line(line, len, req->buf, sizeof(req->buf));
	if (n < 0)
		REQ_FAIL(PERR_TOOBIG, "request longer than %d bytes",
		    PROTO_MAX_LINE);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)req->buf[i];

		if ((c < 0x20 && c != '\t') || c > 0x7e)
			REQ_FAIL(PERR_MALFORMED, "bad byte 0x%02x at offset %d",
			    c, i);
	}
	if (proto_split(req->buf, (size_t)n, &t) < 0)
		REQ_FAIL(PERR_MALFORMED, "too many fields (at most %d)",
		    PROTO_MAX_ARGS + 8);
	if (t.n == 0)
		REQ_FAIL(PERR_MALFORMED, "empty request");
	if (!proto_id_valid(t.tok[0]))
		REQ_FAIL(PERR_MALFORMED, "bad request id (1 to %d of "
		    "A-Z a-z 0-9 . _ -)", PROTO_MAX_ID);
	if (t.n < 2)
		REQ_FAIL(PERR_MALFORMED, "missing verb");
	for (v = 0; v < VERB_MAX; v++)
		if (strcasecmp(t.tok[1], proto_verbs[v]) == 0)
			break;
	if (v == VERB_MAX)
		REQ_FAIL(PERR_VERB, "unknown verb \"%.16s\"", t.tok[1]);
	req->verb = (enum proto_verb)v;

	for (i = 2; i < t.n && strchr(t.tok[i], '=') == NULL; i++) {
		if (req->argc == PROTO_MAX_ARGS)
			REQ_FAIL(PERR_MALFORMED, "too many arguments");
		req->argv[req->argc++] = t.tok[i];
	}
	for (; i < t.n; i++) {
		if (strchr(t.tok[i], '=') == NULL)
			REQ_FAIL(PERR_MALFORMED, "argument \"%.16s\" after "
			    "attributes", t.tok[i]);
		if (proto_parse_attr(req, &t, i, code, err, errlen) < 0)
			return -1;
	}
	if (req->auth.keyid != NULL || req->auth.ts_ms >= 0 ||
	    req->auth.nonce != NULL || req->auth.mac != NULL) {
		if (req->auth.keyid == NULL || req->auth.ts_ms < 0 ||
		    req->auth.nonce == NULL || req->auth.mac == NULL)
			REQ_FAIL(PERR_MALFORMED, "authentication needs all of "
			    "k= t= n= mac=");
	}
	return proto_check_args(req, code, err, errlen);
}

static int
proto_is_attr(const char *tok, const char *key)
{
	size_t	n = strlen(key);

	return strncmp(tok, key, n) == 0 && tok[n] == '=';
}

int
proto_parse_response(const char *line, size_t len, struct proto_resp *resp,
    char *err, size_t errlen)
{
	struct proto_tokens	 t;
	ssize_t			 n, k;
	int			 i, last;

	proto_resp_clear(resp);
	resp->buf = xmalloc(len + 1);
	n = proto_copy_line(line, len, resp->buf, len + 1);
	t.max = 1;
	for (k = 0; k < n; k++)
		if (resp->buf[k] == ' ' || resp->buf[k] == '\t')
			t.max++;
	t.tok = xcalloc((size_t)t.max, sizeof(*t.tok));
	t.end = xcalloc((size_t)t.max, sizeof(*t.end));
	resp->fields = (const char **)t.tok;
	proto_split(resp->buf, (size_t)n, &t);
	free(t.end);
	t.end = NULL;
	if (t.n < 2 || !(proto_id_valid(t.tok[0]) ||
	    strcmp(t.tok[0], "-") == 0)) {
		snprintf(err, errlen, "malformed answer \"%.*s\"",
		    (int)(len < 40 ? len : 40), line);
		return -1;
	}
	strcpy(resp->id, t.tok[0]);
	resp->kind = t.tok[1];
	if (strcmp(resp->kind, "OK") != 0 && strcmp(resp->kind, "ERR") != 0 &&
	    strcmp(resp->kind, "STATE") != 0 &&
	    strcmp(resp->kind, "CHANGE") != 0) {
		snprintf(err, errlen, "unknown answer kind \"%.16s\"",
		    resp->kind);
		return -1;
	}
	last = t.n;
	if (t.n >= 5 && proto_is_attr(t.tok[t.n - 3], "k") &&
	    proto_is_attr(t.tok[t.n - 2], "n") &&
	    proto_is_attr(t.tok[t.n - 1], "mac")) {
		resp->auth.keyid = t.tok[t.n - 3] + 2;
		resp->auth.nonce = t.tok[t.n - 2] + 2;
		resp->auth.mac = t.tok[t.n - 1] + 4;
		/* The mac covers every byte before " mac=". */
		resp->auth.signed_len = (size_t)(t.tok[t.n - 1] - resp->buf) - 1;
		while (resp->auth.signed_len > 0 &&
		    (line[resp->auth.signed_len - 1] == ' ' ||
		    line[resp->auth.signed_len - 1] == '\t'))
			resp->auth.signed_len--;
		last = t.n - 3;
	}
	if (strcmp(resp->kind, "ERR") == 0) {
		char	*e;

		if (last < 3) {
			snprintf(err, errlen, "malformed error answer");
			return -1;
		}
		resp->code = (int)strtol(t.tok[2], &e, 10);
		if (*e != '\0' || resp->code < 100 || resp->code > 999) {
			snprintf(err, errlen, "malformed error code");
			return -1;
		}
		resp->text = "";
		if (last > 3) {
			/* Rejoin the text: split cut it at its spaces. */
			for (i = 3; i < last - 1; i++)
				t.tok[i][strlen(t.tok[i])] = ' ';
			resp->text = t.tok[3];
		}
		return 0;
	}
	/* Fields after the kind: shift the token array down by two. */
	for (i = 2; i < last; i++)
		t.tok[i - 2] = t.tok[i];
	resp->nfields = last - 2;
	return 0;
}

int
proto_resp_truncated(const struct proto_resp *resp)
{
	return strcmp(resp->kind, "ERR") == 0 && resp->code == PERR_TOOBIG &&
	    resp->text != NULL && strncmp(resp->text, PROTO_USE_TCP,
	    strlen(PROTO_USE_TCP)) == 0;
}

void
proto_resp_clear(struct proto_resp *resp)
{
	free(resp->buf);
	free(resp->fields);
	memset(resp, 0, sizeof(*resp));
}

void
pbuf_reset(struct pbuf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

void
pbuf_free(struct pbuf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

static void
pbuf_reserve(struct pbuf *b, size_t more)
{
	if (b->len + more + 1 <= b->cap)
		return;
	while (b->len + more + 1 > b->cap)
		b->cap = b->cap ? b->cap * 2 : 256;
	b->data = xrealloc(b->data, b->cap);
}

void
pbuf_add(struct pbuf *b, const char *s, size_t n)
{
	pbuf_reserve(b, n);
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void
pbuf_vprintf(struct pbuf *b, const char *fmt, va_list ap)
{
	va_list	 ap2;
	int	 n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	pbuf_reserve(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void
pbuf_printf(struct pbuf *b, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	pbuf_vprintf(b, fmt, ap);
	va_end(ap);
}

void
proto_fmt_err(struct pbuf *b, const char *id, int code, const char *fmt, ...)
{
	va_list	ap;

	pbuf_printf(b, "%s ERR %d ", id, code);
	va_start(ap, fmt);
	pbuf_vprintf(b, fmt, ap);
	va_end(ap);
}

void
pbuf_add_pct(struct pbuf *b, const char *s)
{
	static const char	hex[] = "0123456789ABCDEF";
	char			c[3];

	if (*s == '\0') {
		pbuf_add(b, "-", 1);
		return;
	}
	for (; *s != '\0'; s++) {
		unsigned char u = (unsigned char)*s;

		if (u > ' ' && u < 0x7f && u != '%') {
			pbuf_add(b, s, 1);
			continue;
		}
		c[0] = '%';
		c[1] = hex[u >> 4];
		c[2] = hex[u & 15];
		pbuf_add(b, c, 3);
	}
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

void
proto_pct_decode(char *s)
{
	char	*o = s;

	if (strcmp(s, "-") == 0) {
		*s = '\0';
		return;
	}
	for (; *s != '\0'; s++) {
		if (*s == '%' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
			*o++ = (char)(hexval(s[1]) * 16 + hexval(s[2]));
			s += 2;
		} else
			*o++ = *s;
	}
	*o = '\0';
}

const char *
proto_owner_str(const char *owner, int here, int64_t epoch, char *buf,
    size_t len)
{
	if (owner == NULL || owner[0] == '\0' || strcmp(owner, "-") == 0)
		snprintf(buf, len, "none%s", here ? " (here)" : "");
	else
		snprintf(buf, len, "%s%s, epoch %" PRId64, owner,
		    here ? " (here)" : "", epoch);
	return buf;
}
