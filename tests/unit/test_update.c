/*
 * test_update.c: cmocka tests of faildns/update.c. The request is checked
 * byte for byte, TSIG and all, against what nsupdate (BIND 9.18) sent for
 * the same update, and the response check against what named answered
 * to it; responses with the server's TSIG errors are made here with
 * OpenSSL's HMAC directly. Then the BIND key file reader and its errors.
 */
#include <sys/socket.h>
#include <arpa/inet.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "update.h"

/*
 * Captured with a TCP proxy between nsupdate -v -y hmac-sha256:upd-key:
 * <KEY1> and named 9.18.49 serving example.test with allow-update { key
 * upd-key; }; nsupdate's commands: zone example.test, update delete
 * www.example.test A, update delete www.example.test AAAA, update add
 * www.example.test 60 A 192.0.2.1, update add www.example.test 60 AAAA
 * 2001:db8::1, send. Id 0x3260, time signed 0x6b119d8b.
 */
#define KEY1		"DA65QJpem7YszyAh4NX9Cm4WC/rhvRJLr7mHfPhWDjc="
#define KEY1_ID		0x3260
#define KEY1_TIME	0x6b119d8bULL
static const char	req1_hex[] =
    "326028000001000000040001076578616d706c650474657374000006000103777777"
    "c00c000100ff000000000000c01e001c00ff000000000000c01e000100010000003c"
    "0004c0000201c01e001c00010000003c001020010db8000000000000000000000001"
    "077570642d6b65790000fa00ff00000000003d0b686d61632d7368613235360000006b"
    "119d8b012c002065b5800c6682b6f13911f6304337a0a28c7a286d82db280327be5d"
    "d06ec3f8b1326000000000";
static const char	resp1_hex[] =
    "3260a8000001000000000001076578616d706c6504746573740000060001077570642d"
    "6b65790000fa00ff00000000003d0b686d61632d7368613235360000006b119d8b012c"
    "0020c9a839acee76288d37c2c09869bd878d5a2f9ff977fe462888655717f7a13143"
    "326000000000";
/* The same update from nsupdate with key "testkey" (no server). */
#define KEY2		"ejHIa0Vg9cDRQDcpyPB88ld1USrKUrNZs42iq00byWQ="
#define KEY2_ID		0xf52c
#define KEY2_TIME	0x6b119cbdULL
static const char	req2_hex[] =
    "f52c28000001000000040001076578616d706c650474657374000006000103777777"
    "c00c000100ff000000000000c01e001c00ff000000000000c01e000100010000003c"
    "0004c0000201c01e001c00010000003c001020010db8000000000000000000000001"
    "07746573746b65790000fa00ff00000000003d0b686d61632d7368613235360000006b"
    "119cbd012c0020bfbc3c66ecb6a7edc06480e3459636f99001d8ceec6f8d195915e2"
    "6aed6a26aaf52c00000000";

/* A TSIG RR of hmac-sha256 with a 32-byte MAC and no other data. */
#define TSIG_RR_LEN(keywire)	((keywire) + 10 + 13 + 10 + 32 + 6)

static char		 tmpdir[] = "/tmp/test_update.XXXXXX";
static char		 oldcwd[4096];
static char		 err[512];
static struct update_key key;

struct bytes {
	uint8_t	b[4096];
	size_t	len;
};

static void
hex(struct bytes *x, const char *h)
{
	unsigned	v;

	x->len = 0;
	while (h[0] != '\0') {
		assert_int_equal(sscanf(h, "%2x", &v), 1);
		x->b[x->len++] = (uint8_t)v;
		h += 2;
	}
}

static void
put_file(const char *name, const char *text)
{
	FILE	*fp;

	assert_non_null(fp = fopen(name, "w"));
	assert_int_equal(fwrite(text, 1, strlen(text), fp), strlen(text));
	assert_int_equal(fclose(fp), 0);
}

/* A key named name with the base64 secret b64, decoded by OpenSSL. */
static void
make_key(struct update_key *k, const char *name, const char *b64)
{
	uint8_t		 buf[128];
	const char	*p;
	int		 n;

	memset(k, 0, sizeof(*k));
	snprintf(k->name, sizeof(k->name), "%s", name);
	n = EVP_DecodeBlock(buf, (const unsigned char *)b64, (int)strlen(b64));
	assert_true(n > 0);
	for (p = b64 + strlen(b64); p > b64 && p[-1] == '='; p--)
		n--;
	memcpy(k->secret, buf, (size_t)n);
	k->len = (size_t)n;
}

static struct update_addr
addr4(const char *s)
{
	struct update_addr	a;

	memset(&a, 0, sizeof(a));
	a.family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, s, a.a), 1);
	return a;
}

static struct update_addr
addr6(const char *s)
{
	struct update_addr	a;

	memset(&a, 0, sizeof(a));
	a.family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, s, a.a), 1);
	return a;
}

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* ------------------------------------------------------------------ */
/* Building and signing */

static void
test_build_as_nsupdate(void **state)
{
	struct update_addr	a[2];
	struct bytes		want;
	uint8_t			buf[512];
	ssize_t			n;

	(void)state;
	a[0] = addr4("192.0.2.1");
	a[1] = addr6("2001:db8::1");
	hex(&want, req1_hex);
	n = update_build(buf, sizeof(buf), KEY1_ID, "example.test",
	    "www.example.test", 60, a, 2, err, sizeof(err));
	/* nsupdate's message up to its TSIG RR, whose count is 1 there */
	assert_int_equal(n, want.len - TSIG_RR_LEN(9));
	want.b[11] = 0;
	assert_memory_equal(buf, want.b, (size_t)n);
	/* header: opcode UPDATE, ZO 1, PR 0, UP 4, AD 0 */
	assert_int_equal(rd16(buf + 2), 0x2800);
	assert_int_equal(rd16(buf + 4), 1);
	assert_int_equal(rd16(buf + 6), 0);
	assert_int_equal(rd16(buf + 8), 4);
}

/* Sign with KEYn at its time: nsupdate's bytes, MAC included. */
static void
sign_vector(const char *keyname, const char *secret, uint16_t id,
    uint64_t t, const char *reqhex)
{
	struct update_addr	a[2];
	struct bytes		want;
	uint8_t			buf[512], mac[UPDATE_MAC_LEN];
	ssize_t			n;

	a[0] = addr4("192.0.2.1");
	a[1] = addr6("2001:db8::1");
	make_key(&key, keyname, secret);
	hex(&want, reqhex);
	n = update_build(buf, sizeof(buf), id, "example.test",
	    "www.example.test", 60, a, 2, err, sizeof(err));
	assert_true(n > 0);
	n = update_sign(buf, (size_t)n, sizeof(buf), &key, t, mac, err,
	    sizeof(err));
	if (n < 0)
		fail_msg("%s", err);
	assert_int_equal(n, want.len);
	/* the MAC alone first, for a clearer failure */
	assert_memory_equal(mac, want.b + want.len - 6 - UPDATE_MAC_LEN,
	    UPDATE_MAC_LEN);
	assert_memory_equal(buf, want.b, want.len);
}

static void
test_sign_as_nsupdate(void **state)
{
	(void)state;
	sign_vector("upd-key", KEY1, KEY1_ID, KEY1_TIME, req1_hex);
	sign_vector("testkey", KEY2, KEY2_ID, KEY2_TIME, req2_hex);
}

static void
test_build_apex_and_case(void **state)
{
	struct update_addr	a = addr4("198.51.100.7");
	uint8_t			buf[512];
	ssize_t			n;
	static const uint8_t	apex[] = {
		/* zone section at 12 */
		7, 'E', 'x', 'a', 'm', 'p', 'l', 'e', 4, 't', 'e', 's', 't', 0,
		0, 6, 0, 1,
		/* delete A, delete AAAA, add A: owner the zone's name */
		0xc0, 12, 0, 1, 0, 255, 0, 0, 0, 0, 0, 0,
		0xc0, 12, 0, 28, 0, 255, 0, 0, 0, 0, 0, 0,
		0xc0, 12, 0, 1, 0, 1, 0, 1, 0x51, 0x80, 0, 4, 198, 51, 100, 7
	};

	(void)state;
	/* the name is the zone, written as given: a final dot, any case */
	n = update_build(buf, sizeof(buf), 7, "Example.test.", "example.TEST",
	    86400, &a, 1, err, sizeof(err));
	assert_int_equal(n, 12 + sizeof(apex));
	assert_memory_equal(buf + 12, apex, sizeof(apex));
	assert_int_equal(rd16(buf), 7);
	assert_int_equal(rd16(buf + 8), 3);
	/* a name two labels down keeps both before the pointer */
	n = update_build(buf, sizeof(buf), 7, "example.test",
	    "a.B.example.test.", 60, NULL, 0, err, sizeof(err));
	assert_int_equal(n, 12 + 14 + 4 + (6 + 10) + (2 + 10));
	assert_memory_equal(buf + 30, "\001a\001B\300\014", 6);
	assert_memory_equal(buf + 46, "\300\036\000\034\000\377", 6);
	assert_int_equal(rd16(buf + 8), 2);
}

static void
test_build_errors(void **state)
{
	struct update_addr	a = addr4("192.0.2.1"), bad;
	uint8_t			buf[512];
	char			label64[80], longname[300];
	int			i;

	(void)state;
	assert_int_equal(update_build(buf, sizeof(buf), 1, "example.test",
	    "www.example.org", 60, &a, 1, err, sizeof(err)), -1);
	assert_string_equal(err, "name \"www.example.org\" is not in zone "
	    "\"example.test\"");
	/* a suffix that is not at a label's edge */
	assert_int_equal(update_build(buf, sizeof(buf), 1, "example.test",
	    "badexample.test", 60, &a, 1, err, sizeof(err)), -1);
	assert_string_equal(err, "name \"badexample.test\" is not in zone "
	    "\"example.test\"");
	/* the zone below the name */
	assert_int_equal(update_build(buf, sizeof(buf), 1, "a.example.test",
	    "example.test", 60, &a, 1, err, sizeof(err)), -1);
	assert_int_equal(update_build(buf, sizeof(buf), 1, "example.test",
	    "a..example.test", 60, &a, 1, err, sizeof(err)), -1);
	assert_string_equal(err, "bad name \"a..example.test\"");
	assert_int_equal(update_build(buf, sizeof(buf), 1, "example..test",
	    "example.test", 60, &a, 1, err, sizeof(err)), -1);
	assert_string_equal(err, "bad zone name \"example..test\"");
	assert_int_equal(update_build(buf, sizeof(buf), 1, "example.test",
	    "a\\.b.example.test", 60, &a, 1, err, sizeof(err)), -1);
	memset(label64, 'x', 64);
	strcpy(label64 + 64, ".example.test");
	assert_int_equal(update_build(buf, sizeof(buf), 1, "example.test",
	    label64, 60, &a, 1, err, sizeof(err)), -1);
	label64[1] = '.';	/* now 1 and 62 */
	assert_true(update_build(buf, sizeof(buf), 1, "example.test",
	    label64, 60, &a, 1, err, sizeof(err)) > 0);
	/* 255 bytes of wire at most */
	longname[0] = '\0';
	for (i = 0; i < 62; i++)	/* 62 * 4 + 5 + 1: 254 */
		strcat(longname, "abc.");
	strcat(longname, "test");
	assert_true(update_build(buf, sizeof(buf), 1, "test", longname,
	    60, &a, 1, err, sizeof(err)) > 0);
	longname[0] = '\0';
	for (i = 0; i < 63; i++)
		strcat(longname, "abc.");
	strcat(longname, "test");
	assert_int_equal(update_build(buf, sizeof(buf), 1, "test", longname,
	    60, &a, 1, err, sizeof(err)), -1);
	bad = a;
	bad.family = AF_UNIX;
	assert_int_equal(update_build(buf, sizeof(buf), 1, "example.test",
	    "example.test", 60, &bad, 1, err, sizeof(err)), -1);
	assert_string_equal(err, "address 0: family 1 is neither AF_INET nor "
	    "AF_INET6");
	assert_int_equal(update_build(buf, 60, 1, "example.test",
	    "example.test", 60, &a, 1, err, sizeof(err)), -1);
	assert_string_equal(err, "1 addresses do not fit in 60 bytes");
}

static void
test_sign_no_room(void **state)
{
	struct update_addr	a = addr4("192.0.2.1");
	uint8_t			buf[512], mac[UPDATE_MAC_LEN];
	ssize_t			n;

	(void)state;
	make_key(&key, "k", KEY1);
	n = update_build(buf, sizeof(buf), 1, "example.test", "example.test",
	    60, &a, 1, err, sizeof(err));
	assert_int_equal(update_sign(buf, (size_t)n, (size_t)n + 70, &key, 1,
	    mac, err, sizeof(err)), -1);
	assert_string_equal(err, "no room for the TSIG record");
	assert_int_equal(update_sign(buf, (size_t)n, (size_t)n +
	    TSIG_RR_LEN(3), &key, 1, mac, err, sizeof(err)),
	    n + TSIG_RR_LEN(3));
	assert_int_equal(rd16(buf + 10), 1);
}

/* ------------------------------------------------------------------ */
/* Responses */

/* named's answer to req1 checks; the request MAC is req1's. */
static void
resp1(struct bytes *req, struct bytes *resp, const uint8_t **reqmac)
{
	make_key(&key, "upd-key", KEY1);
	hex(req, req1_hex);
	hex(resp, resp1_hex);
	*reqmac = req->b + req->len - 6 - UPDATE_MAC_LEN;
}

static void
test_response_named(void **state)
{
	struct bytes	 req, resp;
	const uint8_t	*reqmac;

	(void)state;
	resp1(&req, &resp, &reqmac);
	err[0] = '\0';
	assert_int_equal(update_check_response(resp.b, resp.len, KEY1_ID,
	    &key, reqmac, KEY1_TIME, err, sizeof(err)), UPDATE_NOERROR);
	assert_string_equal(err, "");
	/* within the fudge either way; the key's name in another case */
	assert_int_equal(update_check_response(resp.b, resp.len, KEY1_ID,
	    &key, reqmac, KEY1_TIME + 300, err, sizeof(err)), 0);
	snprintf(key.name, sizeof(key.name), "UPD-Key");
	assert_int_equal(update_check_response(resp.b, resp.len, KEY1_ID,
	    &key, reqmac, KEY1_TIME - 300, err, sizeof(err)), 0);
}

static void
test_response_bad(void **state)
{
	struct bytes	 req, resp, r;
	const uint8_t	*reqmac;
	uint8_t		 othermac[UPDATE_MAC_LEN];
	size_t		 i;

	(void)state;
	resp1(&req, &resp, &reqmac);
	/* each byte of the MAC, and one of the covered message */
	for (i = resp.len - 6 - UPDATE_MAC_LEN; i < resp.len - 6; i += 7) {
		r = resp;
		r.b[i] ^= 0x01;
		assert_int_equal(update_check_response(r.b, r.len, KEY1_ID,
		    &key, reqmac, KEY1_TIME, err, sizeof(err)), -1);
		assert_string_equal(err, "TSIG BADSIG: the response's MAC "
		    "does not match");
	}
	r = resp;
	r.b[13] = 'E';		/* the zone's name, upper case */
	assert_int_equal(update_check_response(r.b, r.len, KEY1_ID, &key,
	    reqmac, KEY1_TIME, err, sizeof(err)), -1);
	assert_string_equal(err, "TSIG BADSIG: the response's MAC does not "
	    "match");
	/* another request's MAC */
	memcpy(othermac, reqmac, sizeof(othermac));
	othermac[0] ^= 0x80;
	assert_int_equal(update_check_response(resp.b, resp.len, KEY1_ID,
	    &key, othermac, KEY1_TIME, err, sizeof(err)), -1);
	assert_string_equal(err, "TSIG BADSIG: the response's MAC does not "
	    "match");
	/* another key: its secret, its name */
	make_key(&key, "upd-key", KEY2);
	assert_int_equal(update_check_response(resp.b, resp.len, KEY1_ID,
	    &key, reqmac, KEY1_TIME, err, sizeof(err)), -1);
	assert_string_equal(err, "TSIG BADSIG: the response's MAC does not "
	    "match");
	make_key(&key, "upd-key2", KEY1);
	assert_int_equal(update_check_response(resp.b, resp.len, KEY1_ID,
	    &key, reqmac, KEY1_TIME, err, sizeof(err)), -1);
	assert_string_equal(err, "TSIG BADKEY: the response is signed with "
	    "another key than \"upd-key2\"");
	make_key(&key, "upd-key", KEY1);
	/* our clock 301 s off */
	assert_int_equal(update_check_response(resp.b, resp.len, KEY1_ID,
	    &key, reqmac, KEY1_TIME + 301, err, sizeof(err)), -1);
	assert_string_equal(err, "TSIG BADTIME: the response was signed at "
	    "1796316555, 301 s from our clock (fudge 300)");
	/* wrong id */
	assert_int_equal(update_check_response(resp.b, resp.len, KEY1_ID + 1,
	    &key, reqmac, KEY1_TIME, err, sizeof(err)), -1);
	assert_string_equal(err, "response with id 12896, not 12897");
	/* QR clear, another opcode */
	r = resp;
	r.b[2] &= 0x7f;
	assert_int_equal(update_check_response(r.b, r.len, KEY1_ID, &key,
	    reqmac, KEY1_TIME, err, sizeof(err)), -1);
	assert_string_equal(err, "a query (QR clear) instead of a response");
	r = resp;
	r.b[2] = 0x80;
	assert_int_equal(update_check_response(r.b, r.len, KEY1_ID, &key,
	    reqmac, KEY1_TIME, err, sizeof(err)), -1);
	assert_string_equal(err, "response with opcode 0, not UPDATE (5)");
	/* cut short anywhere, or with a byte too many */
	for (i = 0; i < resp.len; i++) {
		assert_int_equal(update_check_response(resp.b, i, KEY1_ID,
		    &key, reqmac, KEY1_TIME, err, sizeof(err)), -1);
	}
	r = resp;
	r.b[r.len++] = 0;
	assert_int_equal(update_check_response(r.b, r.len, KEY1_ID, &key,
	    reqmac, KEY1_TIME, err, sizeof(err)), -1);
	assert_string_equal(err, "malformed response: 1 bytes after its last "
	    "record");
	/* the TSIG RR's original id */
	r = resp;
	r.b[r.len - 5] ^= 1;
	assert_int_equal(update_check_response(r.b, r.len, KEY1_ID, &key,
	    reqmac, KEY1_TIME, err, sizeof(err)), -1);
	assert_string_equal(err, "TSIG original id 12897, not 12896");
}

/*
 * A response made here: rcode, zone section, and unless error < 0 a TSIG
 * RR with that error, a MAC over reqmac (HMAC from OpenSSL directly; none
 * when macsize is 0) and other data.
 */
static void
make_resp(struct bytes *r, uint16_t id, int rcode, int error, int macsize,
    uint64_t t, const uint8_t *reqmac, const uint8_t *other,
    size_t otherlen)
{
	static const uint8_t	zone[] =
	    "\007example\004test\000\000\006\000\001";
	static const uint8_t	kw[] = "\007upd-key";
	static const uint8_t	alg[] = "\013hmac-sha256";
	uint8_t			data[1024], mac[32], vars[256];
	unsigned int		maclen = 0;
	size_t			dlen = 0, vlen = 0;

	r->len = 0;
	memset(r->b, 0, 12);
	r->b[0] = id >> 8;
	r->b[1] = id & 0xff;
	r->b[2] = 0xa8;
	r->b[3] = (uint8_t)rcode;
	r->b[5] = 1;
	r->len = 12;
	memcpy(r->b + r->len, zone, sizeof(zone) - 1);
	r->len += sizeof(zone) - 1;
	if (error < 0)
		return;
	/* request MAC, message, variables */
	data[0] = 0;
	data[1] = 32;
	memcpy(data + 2, reqmac, 32);
	memcpy(data + 34, r->b, r->len);
	dlen = 34 + r->len;
	memcpy(vars, kw, sizeof(kw));
	vlen = sizeof(kw);
	memcpy(vars + vlen, "\000\377\000\000\000\000", 6);
	vlen += 6;
	memcpy(vars + vlen, alg, sizeof(alg));
	vlen += sizeof(alg);
	vars[vlen++] = 0;
	vars[vlen++] = 0;
	vars[vlen++] = (uint8_t)(t >> 24);
	vars[vlen++] = (uint8_t)(t >> 16);
	vars[vlen++] = (uint8_t)(t >> 8);
	vars[vlen++] = (uint8_t)t;
	vars[vlen++] = 300 >> 8;
	vars[vlen++] = 300 & 0xff;
	vars[vlen++] = 0;
	vars[vlen++] = (uint8_t)error;
	vars[vlen++] = 0;
	vars[vlen++] = (uint8_t)otherlen;
	memcpy(vars + vlen, other, otherlen);
	vlen += otherlen;
	memcpy(data + dlen, vars, vlen);
	dlen += vlen;
	assert_non_null(HMAC(EVP_sha256(), key.secret, (int)key.len, data,
	    dlen, mac, &maclen));
	/* the RR: owner, type, class, ttl, rdlen, rdata */
	r->b[11] = 1;
	memcpy(r->b + r->len, kw, sizeof(kw));
	r->len += sizeof(kw);
	memcpy(r->b + r->len, "\000\372\000\377\000\000\000\000", 8);
	r->len += 8;
	r->b[r->len++] = 0;
	r->b[r->len++] = (uint8_t)(sizeof(alg) + 16 + macsize + otherlen);
	memcpy(r->b + r->len, alg, sizeof(alg));
	r->len += sizeof(alg);
	memcpy(r->b + r->len, vars + sizeof(kw) + 6 + sizeof(alg), 8);
	r->len += 8;
	r->b[r->len++] = 0;
	r->b[r->len++] = (uint8_t)macsize;
	memcpy(r->b + r->len, mac, (size_t)macsize);
	r->len += (size_t)macsize;
	r->b[r->len++] = id >> 8;
	r->b[r->len++] = id & 0xff;
	r->b[r->len++] = 0;
	r->b[r->len++] = (uint8_t)error;
	r->b[r->len++] = 0;
	r->b[r->len++] = (uint8_t)otherlen;
	memcpy(r->b + r->len, other, otherlen);
	r->len += otherlen;
}

static void
test_response_made(void **state)
{
	struct bytes	 r;
	uint8_t		 reqmac[32];
	static const uint8_t	srvtime[6] = { 0, 0, 0x6b, 0x11, 0xa0, 0 };

	(void)state;
	memset(reqmac, 0x5a, sizeof(reqmac));
	make_key(&key, "upd-key", KEY1);
	/* the helper agrees with named: a signed NOERROR checks */
	make_resp(&r, 9, 0, 0, 32, 1000, reqmac, NULL, 0);
	assert_int_equal(update_check_response(r.b, r.len, 9, &key, reqmac,
	    1000, err, sizeof(err)), 0);
	/* signed REFUSED: the rcode, named */
	make_resp(&r, 9, UPDATE_REFUSED, 0, 32, 1000, reqmac, NULL, 0);
	assert_int_equal(update_check_response(r.b, r.len, 9, &key, reqmac,
	    1000, err, sizeof(err)), UPDATE_REFUSED);
	assert_string_equal(err, "REFUSED");
	/* the server's BADSIG and BADKEY come without a MAC */
	make_resp(&r, 9, UPDATE_NOTAUTH, UPDATE_TSIG_BADSIG, 0, 1000, reqmac,
	    NULL, 0);
	assert_int_equal(update_check_response(r.b, r.len, 9, &key, reqmac,
	    1000, err, sizeof(err)), UPDATE_NOTAUTH);
	assert_string_equal(err, "NOTAUTH, TSIG error BADSIG");
	make_resp(&r, 9, UPDATE_NOTAUTH, UPDATE_TSIG_BADKEY, 0, 1000, reqmac,
	    NULL, 0);
	assert_int_equal(update_check_response(r.b, r.len, 9, &key, reqmac,
	    1000, err, sizeof(err)), UPDATE_NOTAUTH);
	assert_string_equal(err, "NOTAUTH, TSIG error BADKEY");
	/* ... but never pass for a success */
	make_resp(&r, 9, UPDATE_NOERROR, UPDATE_TSIG_BADSIG, 0, 1000, reqmac,
	    NULL, 0);
	assert_int_equal(update_check_response(r.b, r.len, 9, &key, reqmac,
	    1000, err, sizeof(err)), -1);
	assert_string_equal(err, "NOERROR with TSIG error BADSIG and no MAC");
	/* BADTIME is signed, with the server's time as other data */
	make_resp(&r, 9, UPDATE_NOTAUTH, UPDATE_TSIG_BADTIME, 32, 1000,
	    reqmac, srvtime, sizeof(srvtime));
	assert_int_equal(update_check_response(r.b, r.len, 9, &key, reqmac,
	    1000, err, sizeof(err)), UPDATE_NOTAUTH);
	assert_string_equal(err, "NOTAUTH, TSIG error BADTIME (server time "
	    "1796317184, ours 1000)");
	make_resp(&r, 9, UPDATE_NOTAUTH, UPDATE_TSIG_BADTIME, 32, 1000,
	    reqmac, srvtime, sizeof(srvtime));
	r.b[r.len - 10] ^= 1;	/* in the MAC */
	assert_int_equal(update_check_response(r.b, r.len, 9, &key, reqmac,
	    1000, err, sizeof(err)), -1);
	assert_string_equal(err, "TSIG BADSIG: the response's MAC does not "
	    "match");
	/* a truncated MAC is not accepted */
	make_resp(&r, 9, UPDATE_NOERROR, 0, 16, 1000, reqmac, NULL, 0);
	assert_int_equal(update_check_response(r.b, r.len, 9, &key, reqmac,
	    1000, err, sizeof(err)), -1);
	assert_string_equal(err, "TSIG BADTRUNC: the response's MAC has 16 "
	    "bytes, not 32");
	/* unsigned answers to a signed request */
	make_resp(&r, 9, UPDATE_NOERROR, -1, 0, 0, NULL, NULL, 0);
	assert_int_equal(update_check_response(r.b, r.len, 9, &key, reqmac,
	    1000, err, sizeof(err)), -1);
	assert_string_equal(err, "NOERROR, but the response is not signed");
	make_resp(&r, 9, UPDATE_REFUSED, -1, 0, 0, NULL, NULL, 0);
	assert_int_equal(update_check_response(r.b, r.len, 9, &key, reqmac,
	    1000, err, sizeof(err)), UPDATE_REFUSED);
	assert_string_equal(err, "REFUSED (response not signed)");
	/* to an unsigned request */
	assert_int_equal(update_check_response(r.b, r.len, 9, NULL, NULL,
	    1000, err, sizeof(err)), UPDATE_REFUSED);
	assert_string_equal(err, "REFUSED");
	make_resp(&r, 9, UPDATE_NOERROR, -1, 0, 0, NULL, NULL, 0);
	err[0] = '\0';
	assert_int_equal(update_check_response(r.b, r.len, 9, NULL, NULL,
	    1000, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	make_resp(&r, 9, UPDATE_NOTZONE, -1, 0, 0, NULL, NULL, 0);
	assert_int_equal(update_check_response(r.b, r.len, 9, NULL, NULL,
	    1000, err, sizeof(err)), UPDATE_NOTZONE);
	assert_string_equal(err, "NOTZONE");
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(update_rcode_str(0), "NOERROR");
	assert_string_equal(update_rcode_str(5), "REFUSED");
	assert_string_equal(update_rcode_str(9), "NOTAUTH");
	assert_string_equal(update_rcode_str(10), "NOTZONE");
	assert_string_equal(update_rcode_str(11), "RCODE11");
	assert_string_equal(update_tsig_error_str(16), "BADSIG");
	assert_string_equal(update_tsig_error_str(17), "BADKEY");
	assert_string_equal(update_tsig_error_str(18), "BADTIME");
	assert_string_equal(update_tsig_error_str(22), "BADTRUNC");
	assert_string_equal(update_tsig_error_str(23), "TSIG error 23");
}

/* ------------------------------------------------------------------ */
/* Key files */

static int
load(const char *text, const char *name)
{
	put_file("key.conf", text);
	err[0] = '\0';
	return update_key_load("key.conf", name, &key, err, sizeof(err));
}

static void
load_fails(const char *text, const char *name, const char *msg)
{
	assert_int_equal(load(text, name), -1);
	assert_string_equal(err, msg);
	assert_int_equal(key.len, 0);
}

/* As tsig-keygen -a hmac-sha256 writes them. */
#define TSIG_KEYGEN(name, secret) "key \"" name "\" {\n" \
	"\talgorithm hmac-sha256;\n\tsecret \"" secret "\";\n};\n"

static void
test_key_load(void **state)
{
	struct update_key	want;
	char			text[300];

	(void)state;
	make_key(&want, "upd-key", KEY1);
	assert_int_equal(load(TSIG_KEYGEN("upd-key", KEY1), NULL), 0);
	assert_string_equal(key.name, "upd-key");
	assert_int_equal(key.len, 32);
	assert_memory_equal(key.secret, want.secret, 32);
	/* by name, in any case, with a final dot; among others */
	assert_int_equal(load(TSIG_KEYGEN("first", KEY2)
	    "# a comment\n// another\n/* and\n a third */\n"
	    TSIG_KEYGEN("Upd-Key.", KEY1), "UPD-KEY"), 0);
	assert_string_equal(key.name, "upd-key");
	assert_memory_equal(key.secret, want.secret, 32);
	assert_int_equal(load(TSIG_KEYGEN("first", KEY2)
	    TSIG_KEYGEN("upd-key", KEY1), NULL), 0);
	assert_string_equal(key.name, "first");
	/* the chosen key is the one checked: another's algorithm is fine */
	assert_int_equal(load("key old { algorithm hmac-md5; secret "
	    "\"YWJj\"; };\nkey new{algorithm HMAC-SHA256;secret \"YWJj\";};",
	    "new"), 0);
	assert_string_equal(key.name, "new");
	/* padding: 3, 2 and 1 bytes; blanks inside */
	assert_int_equal(load("key a { algorithm hmac-sha256; secret "
	    "\"YWJj\"; };", NULL), 0);
	assert_int_equal(key.len, 3);
	assert_memory_equal(key.secret, "abc", 3);
	assert_int_equal(load("key a { algorithm hmac-sha256; secret "
	    "\"YWI=\"; };", NULL), 0);
	assert_int_equal(key.len, 2);
	assert_memory_equal(key.secret, "ab", 2);
	assert_int_equal(load("key a { algorithm hmac-sha256; secret "
	    "\"YQ==\"; };", NULL), 0);
	assert_int_equal(key.len, 1);
	assert_int_equal(load("key a { algorithm hmac-sha256; secret "
	    "\"YWJj ZGVm\"; };", NULL), 0);
	assert_int_equal(key.len, 6);
	assert_memory_equal(key.secret, "abcdef", 6);
	/* 128 bytes at most */
	memset(text, 'A', sizeof(text));
	memcpy(text, "key a { algorithm hmac-sha256; secret \"", 39);
	strcpy(text + 39 + 168, "AAA=\"; };");
	assert_int_equal(load(text, NULL), 0);
	assert_int_equal(key.len, 128);
	strcpy(text + 39 + 168, "AAAA\"; };");
	load_fails(text, NULL, "key.conf:1: key \"a\": the secret is not "
	    "base64 of 1 to 128 bytes");
	update_key_clear(&key);
	assert_int_equal(key.len, 0);
	assert_int_equal(key.secret[0], 0);
}

static void
test_key_errors(void **state)
{
	(void)state;
	load_fails("key \"a\" {\n\talgorithm hmac-md5;\n\tsecret \"YWJj\";\n"
	    "};\n", NULL, "key.conf:2: key \"a\": algorithm \"hmac-md5\" is "
	    "not supported (only hmac-sha256)");
	load_fails("key a { algorithm hmac-sha512; secret \"YWJj\"; };", "a",
	    "key.conf:1: key \"a\": algorithm \"hmac-sha512\" is not "
	    "supported (only hmac-sha256)");
	load_fails("\n\nkey a {\n algorithm hmac-sha256;\n secret \"YWJ\";\n"
	    "};", NULL, "key.conf:5: key \"a\": the secret is not base64 of "
	    "1 to 128 bytes");
	load_fails("key a { algorithm hmac-sha256; secret \"Y===\"; };", NULL,
	    "key.conf:1: key \"a\": the secret is not base64 of 1 to 128 "
	    "bytes");
	load_fails("key a { algorithm hmac-sha256; secret \"YW=j\"; };", NULL,
	    "key.conf:1: key \"a\": the secret is not base64 of 1 to 128 "
	    "bytes");
	load_fails("key a { algorithm hmac-sha256; secret \"YW*j\"; };", NULL,
	    "key.conf:1: key \"a\": the secret is not base64 of 1 to 128 "
	    "bytes");
	load_fails("key a { algorithm hmac-sha256; secret \"\"; };", NULL,
	    "key.conf:1: key \"a\" has no secret");
	load_fails("key a {\n algorithm hmac-sha256;\n};", NULL,
	    "key.conf:1: key \"a\" has no secret");
	load_fails("\nkey a {\n secret \"YWJj\";\n};", NULL,
	    "key.conf:2: key \"a\" has no algorithm");
	load_fails("key a {\n algorithm hmac-sha256\n secret \"YWJj\";\n};",
	    NULL, "key.conf:3: expected \";\" after the value, not "
	    "\"secret\"");
	load_fails("key a {\n algorithm hmac-sha256;\n secret \"YWJj\";\n}",
	    NULL, "key.conf:4: expected \";\" after the key's \"}\", not "
	    "\"end of file\"");
	load_fails("key a {\n algorithm hmac-sha256;\n owner me;\n};", NULL,
	    "key.conf:3: key \"a\": unknown statement \"owner\"");
	load_fails("options { };", NULL,
	    "key.conf:1: expected \"key\", not \"options\"");
	load_fails("key { algorithm hmac-sha256; };", NULL,
	    "key.conf:1: expected the key's name after \"key\", not \"{\"");
	load_fails("key a algorithm", NULL,
	    "key.conf:1: expected \"{\" after the key's name, not "
	    "\"algorithm\"");
	load_fails("key a {\n algorithm hmac-sha256;\n", NULL,
	    "key.conf:1: key \"a\": no closing \"}\"");
	load_fails("key \"a {\n", NULL, "key.conf:1: string not closed");
	load_fails("\n/* key a {", NULL, "key.conf:2: comment not closed");
	load_fails("key \"a..b\" { algorithm hmac-sha256; secret \"YWJj\"; };",
	    NULL, "key.conf:1: key \"a..b\": not a valid domain name");
	/* a syntax error after the chosen key still fails */
	load_fails(TSIG_KEYGEN("a", "YWJj") "key b {", NULL,
	    "key.conf:5: key \"b\": no closing \"}\"");
	load_fails(TSIG_KEYGEN("a", "YWJj") "key b", NULL,
	    "key.conf:5: expected \"{\" after the key's name, not \"end of "
	    "file\"");
	load_fails(TSIG_KEYGEN("a", "YWJj"), "b", "key.conf: no key \"b\"");
	load_fails("# nothing\n", NULL, "key.conf: no key");
	load_fails("", NULL, "key.conf: no key");
	assert_int_equal(update_key_load("missing.conf", NULL, &key, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "missing.conf: No such file or directory");
}

/* ------------------------------------------------------------------ */

static int
setup(void **state)
{
	(void)state;
	if (getcwd(oldcwd, sizeof(oldcwd)) == NULL ||
	    mkdtemp(tmpdir) == NULL || chdir(tmpdir) < 0)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink("key.conf");
	if (chdir(oldcwd) < 0 || rmdir(tmpdir) < 0)
		return -1;
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_as_nsupdate),
		cmocka_unit_test(test_sign_as_nsupdate),
		cmocka_unit_test(test_build_apex_and_case),
		cmocka_unit_test(test_build_errors),
		cmocka_unit_test(test_sign_no_room),
		cmocka_unit_test(test_response_named),
		cmocka_unit_test(test_response_bad),
		cmocka_unit_test(test_response_made),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_key_load),
		cmocka_unit_test(test_key_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
