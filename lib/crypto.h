/*
 * crypto.h: the few libcrypto functions failover needs (HMAC-SHA256, a
 * constant-time compare, base64), from OpenSSL loaded on first use rather
 * than linked: mapped, its relocated data costs every process some 600 kB
 * of PSS, and a daemon without keys never needs it. systemd loads its
 * optional libraries the same way.
 */
#ifndef FAIL_CRYPTO_H
#define FAIL_CRYPTO_H

#include <stddef.h>

#define CRYPTO_HMAC_LEN	32	/* SHA-256 */

/* Load libcrypto (once): 0, or -1 with err set. */
int	 crypto_load(char *err, size_t errlen);
/* After crypto_load: HMAC-SHA256 of data under key into mac; 0, or -1. */
int	 crypto_hmac_sha256(const void *key, size_t keylen, const void *data,
	    size_t len, unsigned char mac[CRYPTO_HMAC_LEN]);
/* After crypto_load: 1 when a and b are equal, in constant time. */
int	 crypto_equal(const void *a, const void *b, size_t len);
/*
 * After crypto_load: EVP_DecodeBlock, base64 in[0..len) (a multiple of 4)
 * into out (3/4 of len); the padding counts as zero bytes. The length, or
 * -1 when in is not base64.
 */
int	 crypto_base64_block(unsigned char *out, const char *in, size_t len);

#endif
