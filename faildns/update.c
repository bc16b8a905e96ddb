/*
 * update.c: RFC 2136 dynamic updates for faildns, to drive an existing
 * BIND or Knot: the BIND key file, the UPDATE message that replaces a
 * name's A and AAAA RRsets, its TSIG signature (RFC 8945, HMAC-SHA256),
 * the check of the response, and the exchange over TCP on Pth (lib/net).
 * libcrypto is loaded on first use (lib/crypto.h).
 */
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "crypto.h"
#include "net.h"
#include "timeutil.h"
#include "update.h"
#include "xmalloc.h"

#define NAME_WIRE_MAX	255
#define LABEL_MAX	63
#define HEADER_LEN	12
#define OPCODE_UPDATE	5
#define F_QR		0x8000

#define TYPE_A		1
#define TYPE_SOA	6
#define TYPE_AAAA	28
#define TYPE_TSIG	250
#define CLASS_IN	1
#define CLASS_ANY	255

#define KEYFILE_MAX	(1024 * 1024)
#define TOKEN_MAX	1024

/* "hmac-sha256." in wire form: the algorithm's name in the TSIG RR. */
static const uint8_t	alg_wire[] = "\013hmac-sha256";
#define ALG_WIRE_LEN	sizeof(alg_wire)	/* with the root's 0 */

static int
update_hmac(const struct update_key *k, const uint8_t *data, size_t len,
    uint8_t mac[UPDATE_MAC_LEN], char *err, size_t errlen)
{
	if (crypto_load(err, errlen) < 0)
		return -1;
	if (crypto_hmac_sha256(k->secret, k->len, data, len, mac) < 0) {
		snprintf(err, errlen, "HMAC-SHA256 failed in libcrypto");
		return -1;
	}
	return 0;
}

const char *
update_rcode_str(int rcode)
{
	static const char	*const names[] = { "NOERROR", "FORMERR",
				    "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
				    "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH",
				    "NOTZONE" };
	static char		 buf[16];

	if (rcode >= 0 && rcode < (int)(sizeof(names) / sizeof(names[0])))
		return names[rcode];
	snprintf(buf, sizeof(buf), "RCODE%d", rcode);
	return buf;
}

const char *
update_tsig_error_str(int error)
{
	static const char	*const names[] = { "BADSIG", "BADKEY",
				    "BADTIME", "BADMODE", "BADNAME", "BADALG",
				    "BADTRUNC" };
	static char		 buf[24];

	if (error == UPDATE_TSIG_OK)
		return "NOERROR";
	if (error >= UPDATE_TSIG_BADSIG && error <= UPDATE_TSIG_BADTRUNC)
		return names[error - UPDATE_TSIG_BADSIG];
	snprintf(buf, sizeof(buf), "TSIG error %d", error);
	return buf;
}

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
wr16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void
wr32(uint8_t *p, uint32_t v)
{
	wr16(p, v >> 16);
	wr16(p + 2, v & 0xffff);
}

static uint8_t
lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/*
 * Text to wire: "www.example.com", the final dot optional, "." the root;
 * no escapes. Kept small and local until lib/dns_name.c is there to share.
 * lc folds ASCII case (the canonical form TSIG names take). Returns the
 * wire length, or -1.
 */
static int
update_name_wire(const char *text, uint8_t wire[NAME_WIRE_MAX], int lc)
{
	size_t	len = 0, label;

	if (strcmp(text, ".") == 0)
		text++;
	while (*text != '\0') {
		label = strcspn(text, ".");
		if (label == 0 || label > LABEL_MAX ||
		    len + 1 + label + 1 > NAME_WIRE_MAX ||
		    memchr(text, '\\', label) != NULL)
			return -1;
		wire[len++] = (uint8_t)label;
		while (label-- > 0)
			wire[len++] = lc ? lower((uint8_t)*text++) :
			    (uint8_t)*text++;
		if (*text == '.')
			text++;
	}
	wire[len++] = 0;
	return (int)len;
}

/* Equal wire names, ignoring ASCII case; both valid. */
static int
update_name_eq(const uint8_t *a, const uint8_t *b)
{
	size_t	i = 0;

	for (;;) {
		if (lower(a[i]) != lower(b[i]))
			return 0;
		if (a[i] == 0)
			return 1;
		i++;
	}
}

/*
 * Read the name at *off of pkt[0..len) into wire, following compression
 * pointers backwards only; *off moves past the name as it stands there.
 * Returns the wire length, or -1.
 */
static int
update_name_unpack(const uint8_t *pkt, size_t len, size_t *off,
    uint8_t wire[NAME_WIRE_MAX])
{
	size_t	p = *off, out = 0, end = 0, ptr;
	int	jumped = 0;

	for (;;) {
		if (p >= len)
			return -1;
		if ((pkt[p] & 0xc0) == 0xc0) {
			if (p + 1 >= len)
				return -1;
			ptr = (size_t)(pkt[p] & 0x3f) << 8 | pkt[p + 1];
			if (ptr >= p)
				return -1;	/* only backwards: no loops */
			if (!jumped)
				end = p + 2;
			jumped = 1;
			p = ptr;
			continue;
		}
		if (pkt[p] > LABEL_MAX || p + 1 + pkt[p] > len ||
		    out + 1 + pkt[p] > NAME_WIRE_MAX)
			return -1;
		memcpy(wire + out, pkt + p, 1 + (size_t)pkt[p]);
		out += 1 + (size_t)pkt[p];
		if (pkt[p] == 0)
			break;
		p += 1 + (size_t)pkt[p];
	}
	*off = jumped ? end : p + 1;
	return (int)out;
}

/* ------------------------------------------------------------------ */
/* The key file */

enum keyfile_tok {
	TOK_EOF,
	TOK_WORD,
	TOK_STRING,
	TOK_PUNCT	/* { } ; */
};

struct keyfile {
	const char	*path;
	const char	*p;		/* into the file's text */
	int		 line;
	int		 tokline;	/* the last token's */
	enum keyfile_tok tok;
	char		 text[TOKEN_MAX];
	char		*err;
	size_t		 errlen;
};

static int	keyfile_error(struct keyfile *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

/* "file:line: message" into the caller's err; returns -1. */
static int
keyfile_error(struct keyfile *kf, int line, const char *fmt, ...)
{
	va_list	ap;
	char	msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(kf->err, kf->errlen, "%s:%d: %s", kf->path, line, msg);
	return -1;
}

/* Skip blanks and comments (#, //, C style); -1 on an open comment. */
static int
keyfile_skip(struct keyfile *kf)
{
	int	start;

	for (;;) {
		if (*kf->p == '\n') {
			kf->line++;
			kf->p++;
		} else if (*kf->p == ' ' || *kf->p == '\t' ||
		    *kf->p == '\r') {
			kf->p++;
		} else if (*kf->p == '#' ||
		    (kf->p[0] == '/' && kf->p[1] == '/')) {
			kf->p += strcspn(kf->p, "\n");
		} else if (kf->p[0] == '/' && kf->p[1] == '*') {
			start = kf->line;
			for (kf->p += 2; !(kf->p[0] == '*' && kf->p[1] == '/');
			    kf->p++) {
				if (*kf->p == '\0')
					return keyfile_error(kf, start,
					    "comment not closed");
				if (*kf->p == '\n')
					kf->line++;
			}
			kf->p += 2;
		} else
			return 0;
	}
}

/* The next token into kf->tok and kf->text; -1 with the error set. */
static int
keyfile_next(struct keyfile *kf)
{
	size_t	n = 0;

	if (keyfile_skip(kf) < 0)
		return -1;
	kf->tokline = kf->line;
	kf->text[0] = '\0';
	if (*kf->p == '\0') {
		kf->tok = TOK_EOF;
		strcpy(kf->text, "end of file");
		return 0;
	}
	if (strchr("{};", *kf->p) != NULL) {
		kf->tok = TOK_PUNCT;
		kf->text[0] = *kf->p++;
		kf->text[1] = '\0';
		return 0;
	}
	if (*kf->p == '"') {
		kf->tok = TOK_STRING;
		for (kf->p++; *kf->p != '"'; kf->p++) {
			if (*kf->p == '\0' || *kf->p == '\n')
				return keyfile_error(kf, kf->tokline,
				    "string not closed");
			if (*kf->p == '\\' && kf->p[1] != '\0' &&
			    kf->p[1] != '\n')
				kf->p++;
			if (n + 1 >= sizeof(kf->text))
				return keyfile_error(kf, kf->tokline,
				    "string too long");
			kf->text[n++] = *kf->p;
		}
		kf->p++;
		kf->text[n] = '\0';
		return 0;
	}
	kf->tok = TOK_WORD;
	while (*kf->p != '\0' && strchr(" \t\r\n{};\"#", *kf->p) == NULL &&
	    !(kf->p[0] == '/' && (kf->p[1] == '/' || kf->p[1] == '*'))) {
		if (n + 1 >= sizeof(kf->text))
			return keyfile_error(kf, kf->tokline,
			    "word too long");
		kf->text[n++] = *kf->p++;
	}
	kf->text[n] = '\0';
	return 0;
}

/* The next token must be punctuation c. */
static int
keyfile_expect(struct keyfile *kf, char c, const char *after)
{
	char	want[2] = { c, '\0' };

	if (keyfile_next(kf) < 0)
		return -1;
	if (kf->tok != TOK_PUNCT || kf->text[0] != c) {
		snprintf(kf->err, kf->errlen, "%s:%d: expected \"%s\" after "
		    "%s, not \"%s\"", kf->path, kf->tokline, want, after,
		    kf->text);
		return -1;
	}
	return 0;
}

/* The next token must be a word or string: a value. */
static int
keyfile_value(struct keyfile *kf, const char *what)
{
	if (keyfile_next(kf) < 0)
		return -1;
	if (kf->tok != TOK_WORD && kf->tok != TOK_STRING)
		return keyfile_error(kf, kf->tokline, "expected %s, not "
		    "\"%s\"", what, kf->text);
	return 0;
}

/* Key names compare without case and without a final dot. */
static void
keyname_norm(char *dst, const char *src, size_t len)
{
	size_t	i;

	for (i = 0; src[i] != '\0' && i + 1 < len; i++)
		dst[i] = (char)lower((uint8_t)src[i]);
	dst[i] = '\0';
	if (i > 1 && dst[i - 1] == '.')
		dst[i - 1] = '\0';
}

/*
 * Base64 to at most UPDATE_SECRET_MAX bytes. EVP_DecodeBlock decodes whole
 * quanta and counts padding as zero bytes, so padding is checked and taken
 * off here. Returns the length, or -1.
 */
static int
keyfile_base64(const char *text, uint8_t out[UPDATE_SECRET_MAX])
{
	char		 in[TOKEN_MAX];
	uint8_t		 tmp[TOKEN_MAX];
	size_t		 n = 0, pad = 0;
	int		 len = -1;

	for (; *text != '\0' && n + 1 < sizeof(in); text++)
		if (strchr(" \t\r\n", *text) == NULL)	/* BIND allows them */
			in[n++] = *text;
	in[n] = '\0';
	if (n == 0 || n % 4 != 0)
		goto done;
	while (pad < 2 && in[n - 1 - pad] == '=')
		pad++;
	if (memchr(in, '=', n - pad) != NULL)
		goto done;
	len = crypto_base64_block(tmp, in, n);
	if (len < 0 || (size_t)len != n / 4 * 3) {
		len = -1;
		goto done;
	}
	len -= (int)pad;
	if (len == 0 || len > UPDATE_SECRET_MAX) {
		len = -1;
		goto done;
	}
	memcpy(out, tmp, (size_t)len);
done:
	explicit_bzero(tmp, sizeof(tmp));
	explicit_bzero(in, sizeof(in));
	return len;
}

/* Read the whole file (a key file is small); NULL with err set. */
static char *
keyfile_read(const char *path, char *err, size_t errlen)
{
	FILE	*fp;
	char	*text;
	size_t	 n;

	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	text = xmalloc(KEYFILE_MAX + 1);
	n = fread(text, 1, KEYFILE_MAX + 1, fp);
	if (ferror(fp) || n > KEYFILE_MAX) {
		snprintf(err, errlen, "%s: %s", path, ferror(fp) ?
		    strerror(errno) : "larger than 1 MB: not a key file");
		fclose(fp);
		free(text);
		return NULL;
	}
	fclose(fp);
	text[n] = '\0';
	if (strlen(text) != n) {
		snprintf(err, errlen, "%s: a NUL byte: not a key file", path);
		free(text);
		return NULL;
	}
	return text;
}

/*
 * One key statement after "key": its name, block and final ";". The
 * chosen key (want: its normalized name, or "" for the first) is checked
 * and decoded into k; *found is set when it was this one.
 */
static int
keyfile_key(struct keyfile *kf, const char *want, struct update_key *k,
    int *found)
{
	char		 name[TOKEN_MAX], norm[UPDATE_KEY_NAME_MAX + 1];
	char		 alg[TOKEN_MAX], secret[TOKEN_MAX];
	uint8_t		 wire[NAME_WIRE_MAX];
	int		 keyline, algline = 0, secretline = 0, len;

	keyline = kf->tokline;
	if (keyfile_value(kf, "the key's name after \"key\"") < 0)
		return -1;
	snprintf(name, sizeof(name), "%s", kf->text);
	if (keyfile_expect(kf, '{', "the key's name") < 0)
		return -1;
	alg[0] = secret[0] = '\0';
	for (;;) {
		if (keyfile_next(kf) < 0)
			return -1;
		if (kf->tok == TOK_PUNCT && kf->text[0] == '}')
			break;
		if (kf->tok == TOK_EOF)
			return keyfile_error(kf, keyline, "key \"%s\": no "
			    "closing \"}\"", name);
		if (kf->tok == TOK_WORD && strcmp(kf->text, "algorithm") == 0) {
			algline = kf->tokline;
			if (keyfile_value(kf, "an algorithm") < 0)
				return -1;
			snprintf(alg, sizeof(alg), "%s", kf->text);
		} else if (kf->tok == TOK_WORD &&
		    strcmp(kf->text, "secret") == 0) {
			secretline = kf->tokline;
			if (keyfile_value(kf, "a secret") < 0)
				return -1;
			snprintf(secret, sizeof(secret), "%s", kf->text);
		} else
			return keyfile_error(kf, kf->tokline, "key \"%s\": "
			    "unknown statement \"%s\"", name, kf->text);
		if (keyfile_expect(kf, ';', "the value") < 0)
			return -1;
	}
	if (keyfile_expect(kf, ';', "the key's \"}\"") < 0)
		return -1;
	if (alg[0] == '\0')
		return keyfile_error(kf, keyline, "key \"%s\" has no "
		    "algorithm", name);
	if (secret[0] == '\0')
		return keyfile_error(kf, keyline, "key \"%s\" has no "
		    "secret", name);
	keyname_norm(norm, name, sizeof(norm));
	if (*found || (want[0] != '\0' && strcmp(norm, want) != 0))
		return 0;
	if (strlen(name) > UPDATE_KEY_NAME_MAX ||
	    update_name_wire(norm, wire, 1) < 0)
		return keyfile_error(kf, keyline, "key \"%s\": not a valid "
		    "domain name", name);
	if (strcasecmp(alg, "hmac-sha256") != 0)
		return keyfile_error(kf, algline, "key \"%s\": algorithm "
		    "\"%s\" is not supported (only hmac-sha256)", name, alg);
	if ((len = keyfile_base64(secret, k->secret)) < 0) {
		explicit_bzero(secret, sizeof(secret));
		return keyfile_error(kf, secretline, "key \"%s\": the secret "
		    "is not base64 of 1 to %d bytes", name,
		    UPDATE_SECRET_MAX);
	}
	explicit_bzero(secret, sizeof(secret));
	snprintf(k->name, sizeof(k->name), "%s", norm);
	k->len = (size_t)len;
	*found = 1;
	return 0;
}

/*
 * update_key_load --
 *	Read a BIND key file: every statement is checked, the chosen key
 *	also for its algorithm and secret.
 *
 * Results:
 *	0, or -1 with err set to "file:line: what is wrong".
 *
 * Side effects:
 *	Loads libcrypto. k is filled only on success (wiped on failure).
 */
int
update_key_load(const char *path, const char *keyname, struct update_key *k,
    char *err, size_t errlen)
{
	struct keyfile	 kf;
	char		 want[UPDATE_KEY_NAME_MAX + 1] = "";
	char		*text = NULL;
	int		 found = 0;

	memset(k, 0, sizeof(*k));
	if (crypto_load(err, errlen) < 0)
		goto fail;
	if ((text = keyfile_read(path, err, errlen)) == NULL)
		goto fail;
	if (keyname != NULL)
		keyname_norm(want, keyname, sizeof(want));
	memset(&kf, 0, sizeof(kf));
	kf.path = path;
	kf.p = text;
	kf.line = 1;
	kf.err = err;
	kf.errlen = errlen;
	for (;;) {
		if (keyfile_next(&kf) < 0)
			goto fail;
		if (kf.tok == TOK_EOF)
			break;
		if (kf.tok != TOK_WORD || strcmp(kf.text, "key") != 0) {
			keyfile_error(&kf, kf.tokline, "expected \"key\", not "
			    "\"%s\"", kf.text);
			goto fail;
		}
		if (keyfile_key(&kf, want, k, &found) < 0)
			goto fail;
	}
	if (!found) {
		if (keyname != NULL)
			snprintf(err, errlen, "%s: no key \"%s\"", path,
			    keyname);
		else
			snprintf(err, errlen, "%s: no key", path);
		goto fail;
	}
	explicit_bzero(text, strlen(text));
	free(text);
	return 0;
fail:
	if (text != NULL)
		explicit_bzero(text, strlen(text));
	free(text);
	update_key_clear(k);
	return -1;
}

void
update_key_clear(struct update_key *k)
{
	explicit_bzero(k, sizeof(*k));
}

/* ------------------------------------------------------------------ */
/* The request */

/* Append an RR's fixed part (owner already written). */
static void
put_rr_head(uint8_t *p, uint16_t type, uint16_t class, uint32_t ttl,
    uint16_t rdlen)
{
	wr16(p, type);
	wr16(p + 2, class);
	wr32(p + 4, ttl);
	wr16(p + 8, rdlen);
}

/*
 * update_build --
 *	The UPDATE message, laid out as nsupdate lays it out: the name is
 *	written once, its zone part as a pointer to the zone section, and
 *	every later owner is a pointer to it.
 *
 * Results:
 *	The length, or -1 with err set (bad name or address, name outside
 *	the zone, no room).
 *
 * Side effects:
 *	Writes buf.
 */
ssize_t
update_build(uint8_t *buf, size_t cap, uint16_t id, const char *zone,
    const char *name, uint32_t ttl_s, const struct update_addr *addrs,
    size_t n, char *err, size_t errlen)
{
	uint8_t		 zw[NAME_WIRE_MAX], nw[NAME_WIRE_MAX];
	int		 zlen, nlen;
	size_t		 prefix, off, nameoff, i, need, rdlen;
	uint16_t	 type;

	if ((zlen = update_name_wire(zone, zw, 0)) < 0) {
		snprintf(err, errlen, "bad zone name \"%s\"", zone);
		return -1;
	}
	if ((nlen = update_name_wire(name, nw, 0)) < 0) {
		snprintf(err, errlen, "bad name \"%s\"", name);
		return -1;
	}
	/* the labels of name before zone: name must end at a label edge */
	for (prefix = 0; nlen - (int)prefix > zlen; prefix += 1 + nw[prefix])
		;
	if (nlen - (int)prefix != zlen || !update_name_eq(nw + prefix, zw)) {
		snprintf(err, errlen, "name \"%s\" is not in zone \"%s\"",
		    name, zone);
		return -1;
	}
	need = HEADER_LEN + (size_t)zlen + 4 + prefix + 2 + 2 * 10;
	for (i = 0; i < n; i++)
		need += 2 + 10 + 16;
	if (need > cap) {
		snprintf(err, errlen, "%zu addresses do not fit in %zu bytes",
		    n, cap);
		return -1;
	}
	memset(buf, 0, HEADER_LEN);
	wr16(buf, id);
	wr16(buf + 2, OPCODE_UPDATE << 11);
	wr16(buf + 4, 1);			/* ZOCOUNT */
	wr16(buf + 8, (uint16_t)(2 + n));	/* UPCOUNT */
	off = HEADER_LEN;
	memcpy(buf + off, zw, (size_t)zlen);
	off += (size_t)zlen;
	put_rr_head(buf + off, TYPE_SOA, CLASS_IN, 0, 0);
	off += 4;	/* a question: type and class only */

	nameoff = prefix > 0 ? off : HEADER_LEN;
	if (prefix > 0) {
		memcpy(buf + off, nw, prefix);
		off += prefix;
	}
	wr16(buf + off, 0xc000 | HEADER_LEN);
	off += 2;
	put_rr_head(buf + off, TYPE_A, CLASS_ANY, 0, 0);
	off += 10;
	wr16(buf + off, (uint16_t)(0xc000 | nameoff));
	off += 2;
	put_rr_head(buf + off, TYPE_AAAA, CLASS_ANY, 0, 0);
	off += 10;
	for (i = 0; i < n; i++) {
		if (addrs[i].family == AF_INET) {
			type = TYPE_A;
			rdlen = 4;
		} else if (addrs[i].family == AF_INET6) {
			type = TYPE_AAAA;
			rdlen = 16;
		} else {
			snprintf(err, errlen, "address %zu: family %d is "
			    "neither AF_INET nor AF_INET6", i,
			    addrs[i].family);
			return -1;
		}
		wr16(buf + off, (uint16_t)(0xc000 | nameoff));
		off += 2;
		put_rr_head(buf + off, type, CLASS_IN, ttl_s,
		    (uint16_t)rdlen);
		off += 10;
		memcpy(buf + off, addrs[i].a, rdlen);
		off += rdlen;
	}
	return (ssize_t)off;
}

/*
 * The TSIG variables of RFC 8945 section 4.3.3 at p: key name and
 * algorithm in canonical form, class ANY, ttl, time, fudge, error, other
 * data. Returns their length.
 */
static size_t
tsig_vars(uint8_t *p, const uint8_t *keywire, size_t keylen, uint32_t ttl,
    uint64_t time_signed, uint16_t fudge, uint16_t error,
    const uint8_t *other, uint16_t otherlen)
{
	size_t	off = 0;

	memcpy(p, keywire, keylen);
	off += keylen;
	wr16(p + off, CLASS_ANY);
	wr32(p + off + 2, ttl);
	off += 6;
	memcpy(p + off, alg_wire, ALG_WIRE_LEN);
	off += ALG_WIRE_LEN;
	wr16(p + off, (uint16_t)(time_signed >> 32));
	wr32(p + off + 2, (uint32_t)time_signed);
	wr16(p + off + 6, fudge);
	wr16(p + off + 8, error);
	wr16(p + off + 10, otherlen);
	off += 12;
	if (otherlen > 0)
		memcpy(p + off, other, otherlen);
	return off + otherlen;
}

/*
 * update_sign --
 *	Sign a request (RFC 8945 section 4.3.3): the MAC over the message
 *	as it stands and the TSIG variables, then the TSIG RR appended.
 *
 * Results:
 *	The new length, or -1 with err set.
 *
 * Side effects:
 *	Writes the TSIG RR after buf[len) and increments ARCOUNT; mac gets
 *	the MAC.
 */
ssize_t
update_sign(uint8_t *buf, size_t len, size_t cap, const struct update_key *k,
    uint64_t time_signed, uint8_t mac[UPDATE_MAC_LEN], char *err,
    size_t errlen)
{
	uint8_t		 kw[NAME_WIRE_MAX], *data;
	int		 klen;
	size_t		 rdlen, off, dlen;

	if (len < HEADER_LEN) {
		snprintf(err, errlen, "no message to sign");
		return -1;
	}
	if ((klen = update_name_wire(k->name, kw, 1)) < 0) {
		snprintf(err, errlen, "bad key name \"%s\"", k->name);
		return -1;
	}
	rdlen = ALG_WIRE_LEN + 6 + 2 + 2 + UPDATE_MAC_LEN + 2 + 2 + 2;
	if (len + (size_t)klen + 10 + rdlen > cap) {
		snprintf(err, errlen, "no room for the TSIG record");
		return -1;
	}
	data = xmalloc(len + NAME_WIRE_MAX + 64);
	memcpy(data, buf, len);
	dlen = len + tsig_vars(data + len, kw, (size_t)klen, 0, time_signed,
	    UPDATE_FUDGE_S, 0, NULL, 0);
	if (update_hmac(k, data, dlen, mac, err, errlen) < 0) {
		free(data);
		return -1;
	}
	free(data);

	off = len;
	memcpy(buf + off, kw, (size_t)klen);
	off += (size_t)klen;
	put_rr_head(buf + off, TYPE_TSIG, CLASS_ANY, 0, (uint16_t)rdlen);
	off += 10;
	memcpy(buf + off, alg_wire, ALG_WIRE_LEN);
	off += ALG_WIRE_LEN;
	wr16(buf + off, (uint16_t)(time_signed >> 32));
	wr32(buf + off + 2, (uint32_t)time_signed);
	wr16(buf + off + 6, UPDATE_FUDGE_S);
	wr16(buf + off + 8, UPDATE_MAC_LEN);
	off += 10;
	memcpy(buf + off, mac, UPDATE_MAC_LEN);
	off += UPDATE_MAC_LEN;
	memcpy(buf + off, buf, 2);	/* original id */
	wr16(buf + off + 2, 0);		/* error */
	wr16(buf + off + 4, 0);		/* other len */
	off += 6;
	wr16(buf + 10, (uint16_t)(rd16(buf + 10) + 1));
	return (ssize_t)off;
}

/* ------------------------------------------------------------------ */
/* The response */

struct tsig_rr {
	size_t		 start;		/* offset of the RR in the response */
	uint8_t		 owner[NAME_WIRE_MAX];
	uint8_t		 alg[NAME_WIRE_MAX];
	uint16_t	 class;
	uint32_t	 ttl;
	uint64_t	 time_signed;
	uint16_t	 fudge;
	uint16_t	 macsize;
	const uint8_t	*mac;
	uint16_t	 orig_id;
	uint16_t	 error;
	uint16_t	 otherlen;
	const uint8_t	*other;
};

/* Parse the TSIG RR's RDATA at buf[off..off+rdlen). */
static int
tsig_parse_rdata(const uint8_t *buf, size_t len, size_t off, size_t rdlen,
    struct tsig_rr *t)
{
	size_t	end = off + rdlen;

	if (update_name_unpack(buf, end, &off, t->alg) < 0 || off + 10 > end)
		return -1;
	t->time_signed = (uint64_t)rd16(buf + off) << 32 |
	    (uint64_t)rd16(buf + off + 2) << 16 | rd16(buf + off + 4);
	t->fudge = rd16(buf + off + 6);
	t->macsize = rd16(buf + off + 8);
	off += 10;
	if (off + t->macsize + 6 > end)
		return -1;
	t->mac = buf + off;
	off += t->macsize;
	t->orig_id = rd16(buf + off);
	t->error = rd16(buf + off + 2);
	t->otherlen = rd16(buf + off + 4);
	off += 6;
	if (off + t->otherlen != end || end > len)
		return -1;
	t->other = buf + off;
	return 0;
}

/*
 * Walk every record of the response, which must end with the last one;
 * *tsig is set when the last additional record is a TSIG (then t holds
 * it). Returns 0, or -1 with err set.
 */
static int
response_walk(const uint8_t *buf, size_t len, int *tsig, struct tsig_rr *t,
    char *err, size_t errlen)
{
	uint8_t		 wire[NAME_WIRE_MAX];
	size_t		 off = HEADER_LEN, start, rdlen;
	unsigned	 i, nq, nrr;
	uint16_t	 type;

	*tsig = 0;
	nq = rd16(buf + 4);
	nrr = (unsigned)rd16(buf + 6) + rd16(buf + 8) + rd16(buf + 10);
	for (i = 0; i < nq; i++)
		if (update_name_unpack(buf, len, &off, wire) < 0 ||
		    (off += 4) > len)
			goto bad;
	for (i = 0; i < nrr; i++) {
		start = off;
		if (update_name_unpack(buf, len, &off, wire) < 0 ||
		    off + 10 > len)
			goto bad;
		type = rd16(buf + off);
		rdlen = rd16(buf + off + 8);
		if (off + 10 + rdlen > len)
			goto bad;
		if (type == TYPE_TSIG && i + 1 == nrr && rd16(buf + 10) > 0) {
			memset(t, 0, sizeof(*t));
			t->start = start;
			memcpy(t->owner, wire, sizeof(wire));
			t->class = rd16(buf + off + 2);
			t->ttl = (uint32_t)rd16(buf + off + 4) << 16 |
			    rd16(buf + off + 6);
			if (tsig_parse_rdata(buf, len, off + 10, rdlen, t) < 0)
				goto bad;
			*tsig = 1;
		}
		off += 10 + rdlen;
	}
	if (off != len) {
		snprintf(err, errlen, "malformed response: %zu bytes after "
		    "its last record", len - off);
		return -1;
	}
	return 0;
bad:
	snprintf(err, errlen, "malformed response: record %u cut short or "
	    "a bad name", i + 1);
	return -1;
}

/* Check the response's TSIG RR against the key; -1 with err set. */
static int
response_tsig_ok(const uint8_t *buf, const struct tsig_rr *t,
    const struct update_key *k, const uint8_t reqmac[UPDATE_MAC_LEN],
    uint64_t now_s, char *err, size_t errlen)
{
	uint8_t		 kw[NAME_WIRE_MAX], mac[UPDATE_MAC_LEN], *data;
	size_t		 dlen;
	int		 klen, ok;
	uint64_t	 skew;

	if ((klen = update_name_wire(k->name, kw, 1)) < 0 ||
	    !update_name_eq(t->owner, kw)) {
		snprintf(err, errlen, "TSIG BADKEY: the response is signed "
		    "with another key than \"%s\"", k->name);
		return -1;
	}
	if (!update_name_eq(t->alg, alg_wire)) {
		snprintf(err, errlen, "TSIG BADKEY: the response is signed "
		    "with another algorithm than hmac-sha256");
		return -1;
	}
	if (t->macsize != UPDATE_MAC_LEN) {
		snprintf(err, errlen, "TSIG BADTRUNC: the response's MAC has "
		    "%u bytes, not %d", t->macsize, UPDATE_MAC_LEN);
		return -1;
	}
	/* request MAC, response without its TSIG, TSIG variables */
	data = xmalloc(2 + UPDATE_MAC_LEN + t->start + NAME_WIRE_MAX + 64 +
	    t->otherlen);
	wr16(data, UPDATE_MAC_LEN);
	memcpy(data + 2, reqmac, UPDATE_MAC_LEN);
	dlen = 2 + UPDATE_MAC_LEN;
	memcpy(data + dlen, buf, t->start);
	wr16(data + dlen, t->orig_id);
	wr16(data + dlen + 10, (uint16_t)(rd16(buf + 10) - 1));
	dlen += t->start;
	dlen += tsig_vars(data + dlen, kw, (size_t)klen, t->ttl,
	    t->time_signed, t->fudge, t->error, t->other, t->otherlen);
	if (update_hmac(k, data, dlen, mac, err, errlen) < 0) {
		free(data);
		return -1;
	}
	free(data);
	ok = crypto_equal(mac, t->mac, UPDATE_MAC_LEN);
	explicit_bzero(mac, sizeof(mac));
	if (!ok) {
		snprintf(err, errlen, "TSIG BADSIG: the response's MAC does "
		    "not match");
		return -1;
	}
	if (t->error != UPDATE_TSIG_OK)
		return 0;	/* the server's error, signed: the caller's */
	skew = now_s > t->time_signed ? now_s - t->time_signed :
	    t->time_signed - now_s;
	if (skew > t->fudge) {
		snprintf(err, errlen, "TSIG BADTIME: the response was signed "
		    "at %llu, %llu s from our clock (fudge %u)",
		    (unsigned long long)t->time_signed,
		    (unsigned long long)skew, t->fudge);
		return -1;
	}
	return 0;
}

/*
 * update_check_response --
 *	The header, every record, and for a signed request the TSIG RR:
 *	errors the server put in it are reported by name; a NOERROR only
 *	with a MAC that checks.
 *
 * Results:
 *	The rcode (err set when it is not NOERROR), or -1 with err set.
 *
 * Side effects:
 *	None.
 */
int
update_check_response(const uint8_t *buf, size_t len, uint16_t id,
    const struct update_key *k, const uint8_t reqmac[UPDATE_MAC_LEN],
    uint64_t now_s, char *err, size_t errlen)
{
	struct tsig_rr	 t;
	uint16_t	 flags;
	int		 rcode, tsig;

	if (len < HEADER_LEN) {
		snprintf(err, errlen, "malformed response: %zu bytes", len);
		return -1;
	}
	flags = rd16(buf + 2);
	if (rd16(buf) != id) {
		snprintf(err, errlen, "response with id %u, not %u",
		    rd16(buf), id);
		return -1;
	}
	if (!(flags & F_QR)) {
		snprintf(err, errlen, "a query (QR clear) instead of a "
		    "response");
		return -1;
	}
	if ((flags >> 11 & 0xf) != OPCODE_UPDATE) {
		snprintf(err, errlen, "response with opcode %d, not UPDATE "
		    "(5)", flags >> 11 & 0xf);
		return -1;
	}
	rcode = flags & 0xf;
	if (response_walk(buf, len, &tsig, &t, err, errlen) < 0)
		return -1;
	if (k != NULL && !tsig) {
		if (rcode == UPDATE_NOERROR) {
			snprintf(err, errlen, "NOERROR, but the response is "
			    "not signed");
			return -1;
		}
		snprintf(err, errlen, "%s (response not signed)",
		    update_rcode_str(rcode));
		return rcode;
	}
	if (k != NULL && t.error != UPDATE_TSIG_OK && t.macsize == 0) {
		/* BADSIG, BADKEY: the server could not sign (8945 5.3.2) */
		if (rcode == UPDATE_NOERROR) {
			snprintf(err, errlen, "NOERROR with TSIG error %s and "
			    "no MAC", update_tsig_error_str(t.error));
			return -1;
		}
		snprintf(err, errlen, "%s, TSIG error %s",
		    update_rcode_str(rcode), update_tsig_error_str(t.error));
		return rcode;
	}
	if (k != NULL) {
		if (t.orig_id != id) {
			snprintf(err, errlen, "TSIG original id %u, not %u",
			    t.orig_id, id);
			return -1;
		}
		if (response_tsig_ok(buf, &t, k, reqmac, now_s, err,
		    errlen) < 0)
			return -1;
		if (t.error != UPDATE_TSIG_OK) {
			if (rcode == UPDATE_NOERROR)
				rcode = UPDATE_NOTAUTH;
			if (t.error == UPDATE_TSIG_BADTIME && t.otherlen == 6)
				snprintf(err, errlen, "%s, TSIG error BADTIME "
				    "(server time %llu, ours %llu)",
				    update_rcode_str(rcode),
				    (unsigned long long)((uint64_t)rd16(
				    t.other) << 32 | (uint64_t)rd16(t.other +
				    2) << 16 | rd16(t.other + 4)),
				    (unsigned long long)now_s);
			else
				snprintf(err, errlen, "%s, TSIG error %s",
				    update_rcode_str(rcode),
				    update_tsig_error_str(t.error));
			return rcode;
		}
	}
	if (rcode != UPDATE_NOERROR)
		snprintf(err, errlen, "%s", update_rcode_str(rcode));
	return rcode;
}

/* ------------------------------------------------------------------ */
/* The exchange */

/*
 * Read exactly n bytes before the deadline. Returns 0; -1 with errno
 * (ETIMEDOUT for the deadline); -2 at end of file.
 */
static int
read_full(int fd, uint8_t *p, size_t n, int64_t deadline)
{
	ssize_t	r;

	while (n > 0) {
		r = read(fd, p, n);
		if (r == 0)
			return -2;
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (net_wait(fd, 0, deadline) < 0)
				return -1;
			continue;
		}
		if (r < 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/*
 * update_replace --
 *	Build, sign, send over TCP and check the answer, all before one
 *	deadline.
 *
 * Results:
 *	The rcode, or -1; err names the server and, for anything but
 *	NOERROR, what went wrong.
 *
 * Side effects:
 *	Resolves server (may block), yields to other Pth threads while it
 *	waits, opens and closes a socket.
 */
int
update_replace(const char *server, const char *zone, const char *name,
    uint32_t ttl_s, const struct update_addr *addrs, size_t n,
    const struct update_key *k, int timeout_ms, char *err, size_t errlen)
{
	struct net_addr	 a;
	uint8_t		*req = NULL, *resp = NULL, mac[UPDATE_MAC_LEN];
	uint8_t		 lenbuf[2];
	uint16_t	 id;
	ssize_t		 len;
	int64_t		 deadline;
	int		 fd = -1, rc = -1, r;
	char		 e[512];

	deadline = time_mono_ms() + timeout_ms;
	memset(mac, 0, sizeof(mac));
	if (getrandom(&id, sizeof(id), 0) != sizeof(id))
		id = (uint16_t)(time_mono_ms() ^ getpid());
	req = xmalloc(2 + UPDATE_MSG_MAX);
	if ((len = update_build(req + 2, UPDATE_MSG_MAX, id, zone, name,
	    ttl_s, addrs, n, e, sizeof(e))) < 0)
		goto fail;
	if (k != NULL && (len = update_sign(req + 2, (size_t)len,
	    UPDATE_MSG_MAX, k, (uint64_t)(time_now_ms() / 1000), mac, e,
	    sizeof(e))) < 0)
		goto fail;
	wr16(req, (uint16_t)len);
	if (net_parse_addr(server, UPDATE_DEFAULT_PORT, &a, e, sizeof(e)) < 0)
		goto fail;
	if ((fd = net_connect(&a, SOCK_STREAM, deadline, e, sizeof(e))) < 0)
		goto fail;
	if (net_write_all(fd, (const char *)req, (size_t)len + 2,
	    deadline) < 0) {
		snprintf(e, sizeof(e), "sending the update: %s",
		    errno == ETIMEDOUT ? "timed out" : strerror(errno));
		goto fail;
	}
	resp = xmalloc(UPDATE_MSG_MAX);
	if ((r = read_full(fd, lenbuf, 2, deadline)) == 0)
		r = read_full(fd, resp, rd16(lenbuf), deadline);
	if (r == -2) {
		snprintf(e, sizeof(e), "connection closed before a whole "
		    "answer");
		goto fail;
	}
	if (r < 0) {
		if (errno == ETIMEDOUT)
			snprintf(e, sizeof(e), "no answer within %d ms",
			    timeout_ms);
		else
			snprintf(e, sizeof(e), "reading the answer: %s",
			    strerror(errno));
		goto fail;
	}
	rc = update_check_response(resp, rd16(lenbuf), id, k, mac,
	    (uint64_t)(time_now_ms() / 1000), e, sizeof(e));
	if (rc != UPDATE_NOERROR)
		goto fail;
	close(fd);
	free(req);
	free(resp);
	return rc;
fail:
	snprintf(err, errlen, "server %s: %s", server, e);
	if (fd >= 0)
		close(fd);
	free(req);
	free(resp);
	return rc;
}
