/*
 * crypto.c: libcrypto's HMAC, CRYPTO_memcmp and EVP_DecodeBlock through
 * dlopen, for lib/auth.c (failproto keys) and faildns's TSIG.
 */
#include <dlfcn.h>
#include <stdio.h>

#include <openssl/evp.h>

#include "crypto.h"

static struct {
	unsigned char	*(*hmac)(const EVP_MD *, const void *, int,
			    const unsigned char *, size_t, unsigned char *,
			    unsigned int *);
	const EVP_MD	*(*sha256)(void);
	int		 (*memcmp)(const void *, const void *, size_t);
	int		 (*decode)(unsigned char *, const unsigned char *, int);
} crypto;

int
crypto_load(char *err, size_t errlen)
{
	static const char	*const names[] = { "libcrypto.so.3",
				    "libcrypto.so" };
	void			*h = NULL;
	size_t			 i;

	if (crypto.memcmp != NULL)
		return 0;
	for (i = 0; h == NULL && i < sizeof(names) / sizeof(names[0]); i++)
		h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		snprintf(err, errlen, "cannot load libcrypto: %s", dlerror());
		return -1;
	}
	/* POSIX's way from an object pointer to a function pointer */
	*(void **)&crypto.hmac = dlsym(h, "HMAC");
	*(void **)&crypto.sha256 = dlsym(h, "EVP_sha256");
	*(void **)&crypto.decode = dlsym(h, "EVP_DecodeBlock");
	*(void **)&crypto.memcmp = dlsym(h, "CRYPTO_memcmp");
	if (crypto.hmac == NULL || crypto.sha256 == NULL ||
	    crypto.decode == NULL || crypto.memcmp == NULL) {
		crypto.memcmp = NULL;
		snprintf(err, errlen, "libcrypto without HMAC, EVP_sha256, "
		    "EVP_DecodeBlock or CRYPTO_memcmp");
		return -1;
	}
	return 0;
}

int
crypto_hmac_sha256(const void *key, size_t keylen, const void *data,
    size_t len, unsigned char mac[CRYPTO_HMAC_LEN])
{
	unsigned int	mdlen = 0;

	if (crypto.hmac(crypto.sha256(), key, (int)keylen, data, len, mac,
	    &mdlen) == NULL || mdlen != CRYPTO_HMAC_LEN)
		return -1;
	return 0;
}

int
crypto_equal(const void *a, const void *b, size_t len)
{
	return crypto.memcmp(a, b, len) == 0;
}

int
crypto_base64_block(unsigned char *out, const char *in, size_t len)
{
	return crypto.decode(out, (const unsigned char *)in, (int)len);
}
