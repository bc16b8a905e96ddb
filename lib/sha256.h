/*
 * sha256.h: SHA-256 and HMAC-SHA256, for request and answer signatures.
 */
#ifndef FAIL_SHA256_H
#define FAIL_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN	32

struct sha256 {
	uint32_t	 h[8];
	uint64_t	 len;
	unsigned char	 buf[64];
	size_t		 nbuf;
};

void	sha256_init(struct sha256 *);
void	sha256_update(struct sha256 *, const void *, size_t);
void	sha256_final(struct sha256 *, unsigned char out[SHA256_LEN]);
void	hmac_sha256(const void *key, size_t keylen, const void *data,
	    size_t n, unsigned char out[SHA256_LEN]);

#endif
