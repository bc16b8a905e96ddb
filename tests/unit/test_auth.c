/*
 * test_auth.c: cmocka tests of lib/auth.c and lib/auth_nonce.c: community
 * file loading and precedence, key files (permissions, syntax errors with
 * file:line), HMAC-SHA256 against RFC 4231, mac checks and signing, and
 * the nonce cache against replays (window, expiry, eviction floor), and
 * the faild a signed request names (to=).
 */
#define _XOPEN_SOURCE 700
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "auth.h"

#define HEX16	"0123456789abcdef"
#define HEX32	HEX16 HEX16

struct fixture {
	char	dir[64];
	char	path[128];	/* dir/file */
	char	err[512];
};

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path);
	return unlink(path);
}

static int
setup(void **state)
{
	struct fixture	*f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	strcpy(f->dir, "/tmp/test_auth.XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof(f->path), "%s/file", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

/* (Re)write the fixture's file with text and mode. */
static void
put(struct fixture *f, const char *text, mode_t mode)
{
	FILE	*fp;

	unlink(f->path);
	fp = fopen(f->path, "w");
	assert_non_null(fp);
	assert_true(fputs(text, fp) >= 0);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(chmod(f->path, mode), 0);
}

/* Check that err is "<path><rest>". */
static void
err_is(struct fixture *f, const char *rest)
{
	char	want[512];

	snprintf(want, sizeof(want), "%s%s", f->path, rest);
	assert_string_equal(f->err, want);
}

static struct community_table *
community(struct fixture *f, const char *text)
{
	struct community_table	*t;

	put(f, text, 0644);
	f->err[0] = '\0';
	if ((t = community_load(f->path, f->err, sizeof(f->err))) == NULL)
		fail_msg("community_load: %s", f->err);
	return t;
}

static void
community_fails(struct fixture *f, const char *text, const char *rest)
{
	put(f, text, 0644);
	f->err[0] = '\0';
	assert_null(community_load(f->path, f->err, sizeof(f->err)));
	err_is(f, rest);
}

static void
test_community_load(void **state)
{
	struct fixture		*f = *state;
	struct community_table	*t;

	t = community(f,
	    "# the original's community file\n"
	    "www public RO\n"
	    "\n"
	    "   \t\n"
	    "*\tadmin   RW   # everything\n"
	    "www ops RW\r\n"
	    "ftp ops RO\n"
	    "* ops RO\n"
	    "#* nobody RW\n"
	    "* public RO");
	assert_int_equal(t->n, 6);
	assert_string_equal(t->entries[0].service, "www");
	assert_string_equal(t->entries[0].community, "public");
	assert_int_equal(t->entries[0].rw, 0);
	assert_string_equal(t->entries[1].service, "*");
	assert_string_equal(t->entries[1].community, "admin");
	assert_int_equal(t->entries[1].rw, 1);
	assert_string_equal(t->entries[2].community, "ops");
	assert_int_equal(t->entries[2].rw, 1);
	assert_string_equal(t->entries[5].service, "*");
	assert_string_equal(t->entries[5].community, "public");
	community_free(t);
	community_free(NULL);

	t = community(f, "");
	assert_int_equal(t->n, 0);
	assert_int_equal(community_access(t, "www", "public"), ACCESS_NONE);
	community_free(t);
}

static void
test_community_precedence(void **state)
{
	struct fixture		*f = *state;
	struct community_table	*t;

	(void)state;
	t = community(f,
	    "www public RO\n"
	    "* admin RW\n"
	    "* ops RO\n"
	    "www ops RW\n"
	    "ftp ops RO\n"
	    "* public RW\n"
	    "db only RW\n");
	/* A line naming the service beats a * line, wherever it is. */
	assert_int_equal(community_access(t, "www", "public"), ACCESS_RO);
	assert_int_equal(community_access(t, "ftp", "public"), ACCESS_RW);
	assert_int_equal(community_access(t, "www", "ops"), ACCESS_RW);
	assert_int_equal(community_access(t, "ftp", "ops"), ACCESS_RO);
	assert_int_equal(community_access(t, "mail", "ops"), ACCESS_RO);
	assert_int_equal(community_access(t, "www", "admin"), ACCESS_RW);
	assert_int_equal(community_access(t, "db", "only"), ACCESS_RW);
	assert_int_equal(community_access(t, "www", "only"), ACCESS_NONE);
	/* Table-wide verbs ask for "*". */
	assert_int_equal(community_access(t, "*", "ops"), ACCESS_RO);
	assert_int_equal(community_access(t, "*", "admin"), ACCESS_RW);
	assert_int_equal(community_access(t, "*", "only"), ACCESS_NONE);
	/* Unknown communities, exact match only. */
	assert_int_equal(community_access(t, "www", "nobody"), ACCESS_NONE);
	assert_int_equal(community_access(t, "www", "PUBLIC"), ACCESS_NONE);
	assert_int_equal(community_access(t, "www", "publi"), ACCESS_NONE);
	assert_int_equal(community_access(t, "www", ""), ACCESS_NONE);
	assert_int_equal(community_access(t, "WWW", "public"), ACCESS_RW);
	community_free(t);

	/* Among equals the first wins. */
	t = community(f, "www c RO\nwww c RW\n* c RW\n* c RO\n");
	assert_int_equal(community_access(t, "www", "c"), ACCESS_RO);
	assert_int_equal(community_access(t, "ftp", "c"), ACCESS_RW);
	community_free(t);
	t = community(f, "www c RW\nwww c RO\n* c RO\n* c RW\n");
	assert_int_equal(community_access(t, "www", "c"), ACCESS_RW);
	assert_int_equal(community_access(t, "ftp", "c"), ACCESS_RO);
	community_free(t);
}

static void
test_community_errors(void **state)
{
	struct fixture	*f = *state;
	char		 text[256];

	community_fails(f, "www public\n",
	    ":1: expected \"service|* community RO|RW\"");
	community_fails(f, "www public RO extra\n",
	    ":1: expected \"service|* community RO|RW\"");
	community_fails(f, "# header\n\nwww public RO\n  \nwww\n",
	    ":5: expected \"service|* community RO|RW\"");
	community_fails(f, "ww/w public RO\n", ":1: bad service name \"ww/w\"");
	community_fails(f, "www public RO\n** public RO\n",
	    ":2: bad service name \"**\"");
	community_fails(f, "www pub=lic RO\n",
	    ":1: bad community (1 to 64 characters, no '=')");
	snprintf(text, sizeof(text), "www %s%s RO\n", HEX32 HEX32, "x");
	community_fails(f, text,
	    ":1: bad community (1 to 64 characters, no '=')");
	community_fails(f, "www public rw\n",
	    ":1: access must be RO or RW, not \"rw\"");
	community_fails(f, "www public WO\n",
	    ":1: access must be RO or RW, not \"WO\"");

	/* 64 characters is the limit. */
	snprintf(text, sizeof(text), "www %s RW\n", HEX32 HEX32);
	community_free(community(f, text));

	unlink(f->path);
	assert_null(community_load(f->path, f->err, sizeof(f->err)));
	err_is(f, ": No such file or directory");
}

static struct keyring *
keys(struct fixture *f, const char *text)
{
	struct keyring	*r;

	put(f, text, 0600);
	f->err[0] = '\0';
	if ((r = keyring_load(f->path, f->err, sizeof(f->err))) == NULL)
		fail_msg("keyring_load: %s", f->err);
	return r;
}

static void
keys_fail(struct fixture *f, const char *text, const char *rest)
{
	put(f, text, 0600);
	f->err[0] = '\0';
	assert_null(keyring_load(f->path, f->err, sizeof(f->err)));
	err_is(f, rest);
}

static void
test_keyring_good(void **state)
{
	struct fixture		*f = *state;
	struct keyring		*r;
	const struct auth_key	*k;
	unsigned char		 want[64];
	int			 i;

	r = keys(f,
	    "# rotation: new key first\n"
	    "\n"
	    "k1 000102030405060708090a0b0c0d0e0f   # 16 bytes\n"
	    "rot.2_b-C\t" HEX32 HEX32 "0123456789ABCDEF0123456789ABCDEF"
	    "fedcba9876543210FEDCBA9876543210\n");
	assert_int_equal(r->n, 2);
	assert_string_equal(r->keys[0].id, "k1");
	assert_int_equal(r->keys[0].len, 16);
	for (i = 0; i < 16; i++)
		want[i] = (unsigned char)i;
	assert_memory_equal(r->keys[0].key, want, 16);
	k = keyring_find(r, "rot.2_b-C");
	assert_non_null(k);
	assert_ptr_equal(k, &r->keys[1]);
	assert_int_equal(k->len, 64);
	assert_int_equal(k->key[0], 0x01);
	assert_int_equal(k->key[7], 0xef);
	assert_int_equal(k->key[39], 0xef);
	assert_int_equal(k->key[48], 0xfe);
	assert_int_equal(k->key[63], 0x10);
	assert_null(keyring_find(r, "k2"));
	assert_null(keyring_find(r, "K1"));
	keyring_free(r);
	keyring_free(NULL);

	/* Read-only for the owner is fine; so is a 32-character id. */
	put(f, "abcdefghijklmnopqrstuvwxyz012345 " HEX32 "\n", 0400);
	r = keyring_load(f->path, f->err, sizeof(f->err));
	assert_non_null(r);
	assert_int_equal(r->n, 1);
	keyring_free(r);
}

static void
test_keyring_mode(void **state)
{
	struct fixture	*f = *state;
	static const mode_t modes[] = { 0640, 0604, 0620, 0602, 0644, 0666 };
	size_t		 i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		put(f, "k1 " HEX32 "\n", modes[i]);
		f->err[0] = '\0';
		assert_null(keyring_load(f->path, f->err, sizeof(f->err)));
		if (strstr(f->err, "chmod 600") == NULL ||
		    strstr(f->err, f->path) == NULL)
			fail_msg("mode %04o: \"%s\"", (unsigned)modes[i],
			    f->err);
	}
}

static void
test_keyring_errors(void **state)
{
	struct fixture	*f = *state;
	const char	*len = ":1: key must be 32 to 128 hex digits, an even "
			    "number";

	keys_fail(f, "k1 " HEX16 HEX16 HEX16 "0123456789abcdeg\n",
	    ":1: key is not hex");
	keys_fail(f, "k1 " HEX16 "x123456789abcdef\n", ":1: key is not hex");
	keys_fail(f, "k1 " HEX32 "0\n", len);
	keys_fail(f, "k1 " HEX16 "0123456789abcd\n", len);
	keys_fail(f, "k1 " HEX32 HEX32 HEX32 HEX32 "00\n", len);
	keys_fail(f, "k1 " HEX32 "\n# again\nk1 " HEX32 HEX16 "\n",
	    ":3: key id \"k1\" repeated");
	keys_fail(f, "", ": no keys");
	keys_fail(f, "# nothing here\n\n", ": no keys");
	keys_fail(f, "k1\n", ":1: expected \"keyid hexkey\"");
	keys_fail(f, "k1 " HEX32 " extra\n", ":1: expected \"keyid hexkey\"");
	keys_fail(f, "k/1 " HEX32 "\n", ":1: bad key id \"k/1\"");
	keys_fail(f, "abcdefghijklmnopqrstuvwxyz0123456 " HEX32 "\n",
	    ":1: bad key id \"abcdefghijklmnopqrstuvwxyz0123456\"");
}

/* auth_mac_hex (libcrypto's HMAC) of data under key must be want. */
static void
check_hmac(const unsigned char *key, size_t keylen, const char *data,
    size_t len, const char *want)
{
	struct auth_key	k = { .id = "k" };
	char		out[65];

	memcpy(k.key, key, keylen);
	k.len = keylen;
	memset(out, 'X', sizeof(out));
	auth_mac_hex(&k, data, len, out);
	assert_string_equal(out, want);
	assert_int_equal(auth_mac_ok(&k, data, len, want), 1);
}

/*
 * The HMAC-SHA256 wrapper against RFC 4231's test cases 1 to 4 (5 is a
 * truncated mac, 6 and 7 use keys longer than a key file allows), and a
 * key of exactly one block (64 bytes, from Python's hmac module).
 */
static void
test_hmac_rfc4231(void **state)
{
	unsigned char	key[64], data[50];
	size_t		i;

	(void)state;
	memset(key, 0x0b, 20);
	check_hmac(key, 20, "Hi There", 8, "b0344c61d8db38535ca8afceaf0bf12b"
	    "881dc200c9833da726e9376c2e32cff7");
	check_hmac((const unsigned char *)"Jefe", 4,
	    "what do ya want for nothing?", 28, "5bdcc146bf60754e6a042426089575c7"
	    "5a003f089d2739839dec58b964ec3843");
	memset(key, 0xaa, 20);
	memset(data, 0xdd, 50);
	check_hmac(key, 20, (const char *)data, 50, "773ea91e36800e46854db8ebd0"
	    "9181a72959098b3ef8c122d9635514ced565fe");
	for (i = 0; i < 25; i++)
		key[i] = (unsigned char)(i + 1);
	memset(data, 0xcd, 50);
	check_hmac(key, 25, (const char *)data, 50, "82558a389a443c0ea4cc819899"
	    "f2083a85f0faa3e578f8077a2e3ff46729665b");
	memset(key, 0xaa, 64);
	check_hmac(key, 64, "Test Using Larger Than Block-Size Key - Hash Key "
	    "First", 54, "84332a7580ed3cf75de83c644c8d2c1c262ad90e0190e5c5ae4b"
	    "82b2102e8e75");
}

static void
test_mac_ok(void **state)
{
	struct auth_key	 k = { .id = "a", .len = 16 }, k2 = k;
	const char	*line = "1 set www UP k=a t=1 n=" HEX16;
	char		 mac[65], bad[65];
	size_t		 i;

	(void)state;
	memcpy(k.key, "0123456789abcdef", 16);
	memcpy(k2.key, "0123456789abcdeF", 16);
	auth_mac_hex(&k, line, strlen(line), mac);
	assert_int_equal(strlen(mac), 64);
	for (i = 0; i < 64; i++)
		assert_true(isdigit((unsigned char)mac[i]) ||
		    (mac[i] >= 'a' && mac[i] <= 'f'));
	assert_int_equal(auth_mac_ok(&k, line, strlen(line), mac), 1);

	/* Forged: one digit changed, first or last. */
	memcpy(bad, mac, sizeof(bad));
	bad[0] = bad[0] == '0' ? '1' : '0';
	assert_int_equal(auth_mac_ok(&k, line, strlen(line), bad), 0);
	memcpy(bad, mac, sizeof(bad));
	bad[63] = bad[63] == '0' ? '1' : '0';
	assert_int_equal(auth_mac_ok(&k, line, strlen(line), bad), 0);
	/* Upper case is not the wire form. */
	for (i = 0; i < 64; i++)
		bad[i] = (char)toupper((unsigned char)mac[i]);
	if (strcmp(bad, mac) != 0)
		assert_int_equal(auth_mac_ok(&k, line, strlen(line), bad), 0);
	/* Truncated or extended. */
	memcpy(bad, mac, sizeof(bad));
	bad[63] = '\0';
	assert_int_equal(auth_mac_ok(&k, line, strlen(line), bad), 0);
	assert_int_equal(auth_mac_ok(&k, line, strlen(line), ""), 0);
	/* Another key, other bytes. */
	assert_int_equal(auth_mac_ok(&k2, line, strlen(line), mac), 0);
	assert_int_equal(auth_mac_ok(&k, line, strlen(line) - 1, mac), 0);
	assert_int_equal(auth_mac_ok(&k, "1 set www FAIL", 14, mac), 0);
}

static void
test_sign_answer(void **state)
{
	struct auth_key	 k = { .id = "key1", .len = 16 };
	struct pbuf	 b = { 0 };
	char		 mac[65], want[256];
	const char	*line = "7 OK www UP 1795417200123 127.0.0.1";
	size_t		 start;

	(void)state;
	memcpy(k.key, "0123456789abcdef", 16);
	pbuf_printf(&b, "6 OK pong 1\n");
	start = b.len;
	pbuf_printf(&b, "%s", line);
	auth_sign_answer(&k, HEX32, &b, start);
	snprintf(want, sizeof(want), "%s k=key1 n=%s", line, HEX32);
	auth_mac_hex(&k, want, strlen(want), mac);
	assert_memory_equal(b.data + start, want, strlen(want));
	assert_string_equal(b.data + start + strlen(want) + 5, mac);
	assert_memory_equal(b.data + start + strlen(want), " mac=", 5);
	pbuf_free(&b);
}

static void
test_nonce(void **state)
{
	char	a[PROTO_MAX_NONCE + 1], b[PROTO_MAX_NONCE + 1];
	size_t	i;

	(void)state;
	auth_nonce(a);
	auth_nonce(b);
	assert_int_equal(strlen(a), 32);
	for (i = 0; i < 32; i++)
		assert_true(isdigit((unsigned char)a[i]) ||
		    (a[i] >= 'a' && a[i] <= 'f'));
	assert_string_not_equal(a, b);
}

#define W	30000
#define T0	1795417200000LL

static void
test_nonce_replay(void **state)
{
	struct nonce_cache	*c = nonce_cache_new(100, W, -1);

	(void)state;
	assert_int_equal(nonce_cache_check(c, "k1", HEX16, T0, T0),
	    NONCE_FRESH);
	assert_int_equal(nonce_cache_check(c, "k1", HEX16, T0, T0),
	    NONCE_REPLAY);
	/* Later, still within the window. */
	assert_int_equal(nonce_cache_check(c, "k1", HEX16, T0, T0 + W),
	    NONCE_REPLAY);
	/* Same nonce under another key id, another nonce: fresh. */
	assert_int_equal(nonce_cache_check(c, "k2", HEX16, T0, T0),
	    NONCE_FRESH);
	assert_int_equal(nonce_cache_check(c, "k2", HEX16, T0 + 5, T0 + 5),
	    NONCE_REPLAY);
	assert_int_equal(nonce_cache_check(c, "k1", HEX32, T0, T0),
	    NONCE_FRESH);
	/* The key is keyid/nonce: no confusion across the separator. */
	assert_int_equal(nonce_cache_check(c, "k", "1" HEX16, T0, T0),
	    NONCE_FRESH);
	nonce_cache_free(c);
	nonce_cache_free(NULL);
}

static void
test_nonce_window(void **state)
{
	struct nonce_cache	*c = nonce_cache_new(100, W, -1);

	(void)state;
	assert_int_equal(nonce_cache_check(c, "k", "a1", T0 - W - 1, T0),
	    NONCE_WINDOW);
	assert_int_equal(nonce_cache_check(c, "k", "a2", T0 + W + 1, T0),
	    NONCE_WINDOW);
	assert_int_equal(nonce_cache_check(c, "k", "a3", T0 - 10 * W, T0),
	    NONCE_WINDOW);
	assert_int_equal(nonce_cache_check(c, "k", "a4", T0 + 10 * W, T0),
	    NONCE_WINDOW);
	assert_int_equal(nonce_cache_check(c, "k", "a5", T0 - W, T0),
	    NONCE_FRESH);
	assert_int_equal(nonce_cache_check(c, "k", "a6", T0 + W, T0),
	    NONCE_FRESH);
	/* A refused request was not remembered. */
	assert_int_equal(nonce_cache_check(c, "k", "a1", T0, T0),
	    NONCE_FRESH);
	/* A replay outside the window is refused for its time. */
	assert_int_equal(nonce_cache_check(c, "k", "a5", T0 - W, T0 + 1),
	    NONCE_WINDOW);
	nonce_cache_free(c);
}

static void
test_nonce_expiry(void **state)
{
	struct nonce_cache	*c = nonce_cache_new(100, W, -1);

	(void)state;
	assert_int_equal(nonce_cache_check(c, "k", HEX16, T0, T0),
	    NONCE_FRESH);
	/* Remembered for two windows after its time... */
	assert_int_equal(nonce_cache_check(c, "k", HEX16, T0 + 2 * W,
	    T0 + 2 * W), NONCE_REPLAY);
	/* ...then forgotten: a new request may reuse it. */
	assert_int_equal(nonce_cache_check(c, "k", HEX16, T0 + 2 * W + 1,
	    T0 + 2 * W + 1), NONCE_FRESH);
	assert_int_equal(nonce_cache_check(c, "k", HEX16, T0 + 2 * W + 1,
	    T0 + 2 * W + 1), NONCE_REPLAY);
	nonce_cache_free(c);
}

static void
test_nonce_eviction(void **state)
{
	struct nonce_cache	*c = nonce_cache_new(4, W, -1);

	(void)state;
	assert_int_equal(nonce_cache_check(c, "k", "n1", T0 + 1, T0),
	    NONCE_FRESH);
	assert_int_equal(nonce_cache_check(c, "k", "n2", T0 + 2, T0),
	    NONCE_FRESH);
	assert_int_equal(nonce_cache_check(c, "k", "n3", T0 + 3, T0),
	    NONCE_FRESH);
	assert_int_equal(nonce_cache_check(c, "k", "n4", T0 + 4, T0),
	    NONCE_FRESH);
	/* Full: n5 evicts n1 and raises the floor to its time. */
	assert_int_equal(nonce_cache_check(c, "k", "n5", T0 + 5, T0),
	    NONCE_FRESH);
	assert_int_equal(nonce_cache_check(c, "k", "n1", T0 + 1, T0),
	    NONCE_WINDOW);
	assert_int_equal(nonce_cache_check(c, "k", "n2", T0 + 2, T0),
	    NONCE_REPLAY);
	assert_int_equal(nonce_cache_check(c, "k", "n6", T0 + 6, T0),
	    NONCE_FRESH);
	assert_int_equal(nonce_cache_check(c, "k", "n2", T0 + 2, T0),
	    NONCE_WINDOW);
	/* A new nonce as old as an evicted one is refused too. */
	assert_int_equal(nonce_cache_check(c, "k", "new", T0 + 1, T0),
	    NONCE_WINDOW);
	/* Newer requests still pass, and entries kept still catch replays. */
	assert_int_equal(nonce_cache_check(c, "k", "n7", T0 + 7, T0 + 1),
	    NONCE_FRESH);
	assert_int_equal(nonce_cache_check(c, "k", "n5", T0 + 5, T0 + 1),
	    NONCE_REPLAY);
	assert_int_equal(nonce_cache_check(c, "k", "n7", T0 + 7, T0 + 1),
	    NONCE_REPLAY);
	nonce_cache_free(c);

	/* A capacity below 2 is raised to 2. */
	c = nonce_cache_new(0, W, -1);
	assert_int_equal(nonce_cache_check(c, "k", "a", T0 + 1, T0),
	    NONCE_FRESH);
	assert_int_equal(nonce_cache_check(c, "k", "b", T0 + 2, T0),
	    NONCE_FRESH);
	assert_int_equal(nonce_cache_check(c, "k", "a", T0 + 1, T0),
	    NONCE_REPLAY);
	assert_int_equal(nonce_cache_check(c, "k", "c", T0 + 3, T0),
	    NONCE_FRESH);
	assert_int_equal(nonce_cache_check(c, "k", "a", T0 + 1, T0),
	    NONCE_WINDOW);
	nonce_cache_free(c);
}

/* Requests signed before the cache was made (faild started) are refused. */
static void
test_nonce_not_before(void **state)
{
	struct nonce_cache	*c = nonce_cache_new(100, W, T0);

	(void)state;
	assert_int_equal(nonce_cache_check(c, "k", "00000000000000000001",
	    T0 - 5, T0 + 10), NONCE_WINDOW);
	assert_int_equal(nonce_cache_check(c, "k", "00000000000000000002",
	    T0, T0 + 10), NONCE_WINDOW);
	assert_int_equal(nonce_cache_check(c, "k", "00000000000000000003",
	    T0 + 1, T0 + 10), NONCE_FRESH);
	nonce_cache_free(c);
}

/* A bounded cache never lets a replay through, whatever the load. */
static void
test_nonce_no_replay_under_load(void **state)
{
	struct nonce_cache	*c = nonce_cache_new(1000, W, -1);
	char			 nonce[32];
	int64_t			 now;
	int			 i, verdict;

	(void)state;
	for (i = 0; i < 20000; i++) {
		snprintf(nonce, sizeof(nonce), "%020d", i);
		now = T0 + i;
		assert_int_equal(nonce_cache_check(c, i % 2 ? "a" : "b", nonce,
		    now - (i % 7), now), NONCE_FRESH);
	}
	now = T0 + 20000;
	for (i = 0; i < 20000; i++) {
		snprintf(nonce, sizeof(nonce), "%020d", i);
		verdict = nonce_cache_check(c, i % 2 ? "a" : "b", nonce,
		    T0 + i - (i % 7), now);
		if (verdict == NONCE_FRESH)
			fail_msg("replay %d accepted", i);
		if (i >= 19000 && verdict != NONCE_REPLAY)
			fail_msg("replay %d: verdict %d", i, verdict);
	}
	nonce_cache_free(c);
}

/* Verify "1 set www UP" signed for node (NULL: no to=) by a faild named me. */
static int
verify_for(const struct keyring *r, struct nonce_cache *c, const char *node,
    const char *me, char *why, size_t whylen)
{
	struct proto_req	 req;
	struct pbuf		 b = { 0 };
	const struct auth_key	*key;
	char			 nonce[PROTO_MAX_NONCE + 1], err[128];
	int			 code, rc;

	pbuf_printf(&b, "1 set www UP");
	auth_sign_request(&r->keys[0], node, 1795417200123LL, &b, nonce);
	assert_int_equal(proto_parse_request(b.data, b.len, &req, &code, err,
	    sizeof(err)), 0);
	why[0] = '\0';
	rc = auth_verify_request(r, c, b.data, &req, me, 1795417200123LL, &key,
	    why, whylen);
	assert_true(rc == 0 ? key == &r->keys[0] : key == NULL);
	pbuf_free(&b);
	return rc;
}

/* A signed request names its faild; another faild refuses it. */
static void
test_verify_destination(void **state)
{
	struct auth_key		 k = { .id = "k1", .len = 32 };
	struct keyring		 r = { &k, 1 };
	struct nonce_cache	*c = nonce_cache_new(16, 30000, 0);
	char			 why[256];

	(void)state;
	memset(k.key, 7, 32);
	assert_int_equal(verify_for(&r, c, "node-a", "node-a", why,
	    sizeof(why)), 0);
	assert_int_equal(verify_for(&r, c, "node-a", "node-b", why,
	    sizeof(why)), PERR_MISDIRECTED);
	assert_string_equal(why, "signed for node-a, this is node-b");
	assert_int_equal(verify_for(&r, c, NULL, "node-b", why, sizeof(why)),
	    PERR_MISDIRECTED);
	assert_string_equal(why, "signed request without to= (protocol 2: "
	    "name the faild it is for, here node-b)");
	/* A server without a node name (failsh's, hc's ports) checks none. */
	assert_int_equal(verify_for(&r, c, NULL, NULL, why, sizeof(why)), 0);
	assert_int_equal(verify_for(&r, c, "x", NULL, why, sizeof(why)), 0);
	nonce_cache_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_community_load, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_community_precedence,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_community_errors, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_keyring_good, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_keyring_mode, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_keyring_errors, setup,
		    teardown),
		cmocka_unit_test(test_hmac_rfc4231),
		cmocka_unit_test(test_verify_destination),
		cmocka_unit_test(test_mac_ok),
		cmocka_unit_test(test_sign_answer),
		cmocka_unit_test(test_nonce),
		cmocka_unit_test(test_nonce_replay),
		cmocka_unit_test(test_nonce_window),
		cmocka_unit_test(test_nonce_expiry),
		cmocka_unit_test(test_nonce_eviction),
		cmocka_unit_test(test_nonce_no_replay_under_load),
		cmocka_unit_test(test_nonce_not_before),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
