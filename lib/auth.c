/*
 * auth.c: the community file of the original (service|* community RO|RW)
 * and HMAC-SHA256 keys: loading with file:line errors, access look-ups,
 * signing and checking lines. HMAC-SHA256 and the constant-time compare
 * come from OpenSSL's libcrypto, loaded when first needed (crypto.h).
 */
#include <sys/stat.h>
#include <sys/random.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "crypto.h"
#include "xmalloc.h"

#define AUTH_MAC_LEN	CRYPTO_HMAC_LEN

/* Split a config line into at most max words; '#' starts a comment. */
static int
auth_words(char *line, char **w, int max)
{
	int	 n = 0;
	char	*p = strchr(line, '#');

	if (p != NULL)
		*p = '\0';
	for (p = strtok(line, " \t\r\n"); p != NULL;
	    p = strtok(NULL, " \t\r\n")) {
		if (n == max)
			return max + 1;
		w[n++] = p;
	}
	return n;
}

struct community_table *
community_load(const char *path, char *err, size_t errlen)
{
	struct community_table	*t = xcalloc(1, sizeof(*t));
	FILE			*f;
	char			 line[1024], *w[4];
	int			 lineno = 0, n;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(t);
		return NULL;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		struct community_entry	*e;

		lineno++;
		if ((n = auth_words(line, w, 3)) == 0)
			continue;
		if (n != 3) {
			snprintf(err, errlen, "%s:%d: expected \"service|* "
			    "community RO|RW\"", path, lineno);
			goto fail;
		}
		if (strcmp(w[0], "*") != 0 && !proto_name_valid(w[0])) {
			snprintf(err, errlen, "%s:%d: bad service name \"%s\"",
			    path, lineno, w[0]);
			goto fail;
		}
		if (strlen(w[1]) > PROTO_MAX_COMMUNITY ||
		    strchr(w[1], '=') != NULL) {
			snprintf(err, errlen, "%s:%d: bad community (1 to %d "
			    "characters, no '=')", path, lineno,
			    PROTO_MAX_COMMUNITY);
			goto fail;
		}
		if (strcmp(w[2], "RO") != 0 && strcmp(w[2], "RW") != 0) {
			snprintf(err, errlen, "%s:%d: access must be RO or RW, "
			    "not \"%s\"", path, lineno, w[2]);
			goto fail;
		}
		t->entries = xrealloc(t->entries, (t->n + 1) * sizeof(*e));
		e = &t->entries[t->n++];
		e->service = xstrdup(w[0]);
		e->community = xstrdup(w[1]);
		e->rw = strcmp(w[2], "RW") == 0;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	fclose(f);
	return t;
fail:
	fclose(f);
	community_free(t);
	return NULL;
}

void
community_free(struct community_table *t)
{
	size_t	i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++) {
		free(t->entries[i].service);
		free(t->entries[i].community);
	}
	free(t->entries);
	free(t);
}

enum auth_access
community_access(const struct community_table *t, const char *service,
    const char *community)
{
	const struct community_entry	*e, *wild = NULL;
	size_t				 i;

	for (i = 0; i < t->n; i++) {
		e = &t->entries[i];
		if (strcmp(e->community, community) != 0)
			continue;
		if (strcmp(e->service, service) == 0)
			return e->rw ? ACCESS_RW : ACCESS_RO;
		if (wild == NULL && strcmp(e->service, "*") == 0)
			wild = e;
	}
	if (wild == NULL)
		return ACCESS_NONE;
	return wild->rw ? ACCESS_RW : ACCESS_RO;
}

static int
auth_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

struct keyring *
keyring_load(const char *path, char *err, size_t errlen)
{
	struct keyring	*r = xcalloc(1, sizeof(*r));
	struct stat	 sb;
	FILE		*f;
	char		 line[1024], *w[3];
	int		 lineno = 0, n;
	size_t		 i, hexlen;

	if (crypto_load(err, errlen) < 0) {
		free(r);
		return NULL;
	}
	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(r);
		return NULL;
	}
	if (fstat(fileno(f), &sb) == 0 && (sb.st_mode & 077) != 0) {
		snprintf(err, errlen, "%s: mode %04o lets group or others "
		    "read or write the keys (chmod 600)", path,
		    (unsigned)(sb.st_mode & 07777));
		goto fail;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		struct auth_key	*k;

		lineno++;
		if ((n = auth_words(line, w, 2)) == 0)
			continue;
		hexlen = n == 2 ? strlen(w[1]) : 0;
		if (n != 2) {
			snprintf(err, errlen, "%s:%d: expected \"keyid hexkey\"",
			    path, lineno);
			goto fail;
		}
		if (strlen(w[0]) > PROTO_MAX_KEYID || !proto_name_valid(w[0])) {
			snprintf(err, errlen, "%s:%d: bad key id \"%.40s\"",
			    path, lineno, w[0]);
			goto fail;
		}
		if (hexlen < 32 || hexlen > 2 * AUTH_KEY_MAX || hexlen % 2) {
			snprintf(err, errlen, "%s:%d: key must be 32 to %d hex "
			    "digits, an even number", path, lineno,
			    2 * AUTH_KEY_MAX);
			goto fail;
		}
		if (keyring_find(r, w[0]) != NULL) {
			snprintf(err, errlen, "%s:%d: key id \"%s\" repeated",
			    path, lineno, w[0]);
			goto fail;
		}
		r->keys = xrealloc(r->keys, (r->n + 1) * sizeof(*k));
		k = &r->keys[r->n];
		memset(k, 0, sizeof(*k));
		strcpy(k->id, w[0]);
		for (i = 0; i < hexlen; i += 2) {
			int hi = auth_hexval(w[1][i]), lo = auth_hexval(w[1][i + 1]);

			if (hi < 0 || lo < 0) {
				snprintf(err, errlen, "%s:%d: key is not hex",
				    path, lineno);
				goto fail;
			}
			k->key[i / 2] = (unsigned char)(hi << 4 | lo);
		}
		k->len = hexlen / 2;
		r->n++;
	}
	if (r->n == 0) {
		snprintf(err, errlen, "%s: no keys", path);
		goto fail;
	}
	fclose(f);
	return r;
fail:
	fclose(f);
	keyring_free(r);
	return NULL;
}

void
keyring_free(struct keyring *r)
{
	if (r == NULL)
		return;
	if (r->keys != NULL)
		explicit_bzero(r->keys, r->n * sizeof(*r->keys));
	free(r->keys);
	free(r);
}

const struct auth_key *
keyring_find(const struct keyring *r, const char *id)
{
	size_t	i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->keys[i].id, id) == 0)
			return &r->keys[i];
	return NULL;
}

void
auth_mac_hex(const struct auth_key *k, const char *data, size_t len,
    char out[65])
{
	static const char	hex[] = "0123456789abcdef";
	unsigned char		md[CRYPTO_HMAC_LEN];
	int			i;

	char			err[256];

	if (crypto_load(err, sizeof(err)) < 0)
		abort();	/* a key was loaded, so libcrypto was */
	if (crypto_hmac_sha256(k->key, k->len, data, len, md) < 0)
		abort();	/* libcrypto without SHA-256: broken */
	for (i = 0; i < AUTH_MAC_LEN; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}

int
auth_mac_ok(const struct auth_key *k, const char *data, size_t len,
    const char *machex)
{
	char	want[65];

	if (strlen(machex) != 64)
		return 0;
	auth_mac_hex(k, data, len, want);
	return crypto_equal(want, machex, 64);
}

void
auth_sign_answer(const struct auth_key *k, const char *nonce, struct pbuf *b,
    size_t line_start)
{
	char	mac[65];

	pbuf_printf(b, " k=%s n=%s", k->id, nonce);
	auth_mac_hex(k, b->data + line_start, b->len - line_start, mac);
	pbuf_printf(b, " mac=%s", mac);
}

void
auth_sign_request(const struct auth_key *k, const char *node, int64_t now_ms,
    struct pbuf *b, char nonce_out[PROTO_MAX_NONCE + 1])
{
	char	mac[65];

	auth_nonce(nonce_out);
	if (node != NULL)
		pbuf_printf(b, " to=%s", node);
	pbuf_printf(b, " k=%s t=%" PRId64 " n=%s", k->id, now_ms, nonce_out);
	auth_mac_hex(k, b->data, b->len, mac);
	pbuf_printf(b, " mac=%s", mac);
}

void
auth_nonce(char out[PROTO_MAX_NONCE + 1])
{
	static const char	hex[] = "0123456789abcdef";
	unsigned char		r[16];
	size_t			i;

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
		/* getrandom(2) cannot fail for 16 bytes once seeded. */
		abort();
	}
	for (i = 0; i < sizeof(r); i++) {
		out[2 * i] = hex[r[i] >> 4];
		out[2 * i + 1] = hex[r[i] & 15];
	}
	out[32] = '\0';
}

int
auth_verify_request(const struct keyring *keys, struct nonce_cache *nonces,
    const char *line, const struct proto_req *req, const char *node,
    int64_t now_ms, const struct auth_key **key, char *why, size_t whylen)
{
	enum nonce_verdict	v;

	*key = NULL;
	if (keys == NULL || (*key = keyring_find(keys,
	    req->auth.keyid)) == NULL) {
		snprintf(why, whylen, "unknown key id");
		return PERR_AUTH;
	}
	if (!auth_mac_ok(*key, line, req->auth.signed_len, req->auth.mac)) {
		*key = NULL;
		snprintf(why, whylen, "bad mac");
		return PERR_AUTH;
	}
	if (node != NULL && (req->to == NULL || strcmp(req->to, node) != 0)) {
		*key = NULL;
		if (req->to == NULL)
			snprintf(why, whylen, "signed request without to= "
			    "(protocol %d: name the faild it is for, here %s)",
			    PROTO_VERSION, node);
		else
			snprintf(why, whylen, "signed for %s, this is %s",
			    req->to, node);
		return PERR_MISDIRECTED;
	}
	v = nonce_cache_check(nonces, req->auth.keyid, req->auth.nonce,
	    req->auth.ts_ms, now_ms);
	if (v == NONCE_FRESH)
		return 0;
	*key = NULL;
	if (v == NONCE_REPLAY) {
		snprintf(why, whylen, "nonce already used (replay)");
		return PERR_REPLAY;
	}
	snprintf(why, whylen, "timestamp outside the window (check clocks)");
	return PERR_WINDOW;
}
