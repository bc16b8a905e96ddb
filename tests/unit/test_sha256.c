/*
 * test_sha256.c: SHA-256 against the FIPS 180-4 examples and HMAC-SHA256
 * against RFC 4231, including a key longer than the block and a message
 * fed in pieces that straddle block boundaries.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "sha256.h"

static void
hex(const unsigned char *m, char out[65])
{
	int	i;

	for (i = 0; i < SHA256_LEN; i++)
		sprintf(out + 2 * i, "%02x", m[i]);
}

static void
check_sha(const char *msg, size_t len, size_t piece, const char *want)
{
	struct sha256	c;
	unsigned char	m[SHA256_LEN];
	char		got[65];
	size_t		i, n;

	sha256_init(&c);
	for (i = 0; i < len; i += n) {
		n = len - i < piece ? len - i : piece;
		sha256_update(&c, msg + i, n);
	}
	sha256_final(&c, m);
	hex(m, got);
	assert_string_equal(got, want);
}

static void
test_sha256_vectors(void **state)
{
	static const char two_blocks[] =
	    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	char	million[1000000];
	size_t	piece;

	(void)state;
	check_sha("abc", 3, 64, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	check_sha("", 0, 64, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
	for (piece = 1; piece <= 64; piece += 7)
		check_sha(two_blocks, strlen(two_blocks), piece,
		    "248d6a61d20638b8e5c026930c3e6039"
		    "a33ce45964ff2167f6ecedd419db06c1");
	memset(million, 'a', sizeof(million));
	check_sha(million, sizeof(million), 1000, "cdc76e5c9914fb9281a1c7e284d"
	    "73e67f1809a48a497200e046d39ccc7112cd0");
}

static void
check_hmac(const void *key, size_t keylen, const char *data, const char *want)
{
	unsigned char	m[SHA256_LEN];
	char		got[65];

	hmac_sha256(key, keylen, data, strlen(data), m);
	hex(m, got);
	assert_string_equal(got, want);
}

static void
test_hmac_rfc4231(void **state)
{
	unsigned char	k1[20], k6[131];

	(void)state;
	memset(k1, 0x0b, sizeof(k1));
	check_hmac(k1, sizeof(k1), "Hi There", "b0344c61d8db38535ca8afceaf0bf1"
	    "2b881dc200c9833da726e9376c2e32cff7");
	check_hmac("Jefe", 4, "what do ya want for nothing?", "5bdcc146bf6075"
	    "4e6a042426089575c75a003f089d2739839dec58b964ec3843");
	memset(k6, 0xaa, sizeof(k6));
	check_hmac(k6, sizeof(k6), "Test Using Larger Than Block-Size Key - "
	    "Hash Key First", "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5"
	    "140546040f0ee37f54");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_vectors),
		cmocka_unit_test(test_hmac_rfc4231),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
