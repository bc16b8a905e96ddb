/*
 * auth.h: access control. The original's community file (service|*
 * community RO|RW), and HMAC-SHA256 keys with ids, a time window and a
 * nonce cache against replay. Pure checks; the caller decides policy.
 */
#ifndef FAIL_AUTH_H
#define FAIL_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

enum auth_access {
	ACCESS_NONE,
	ACCESS_RO,
	ACCESS_RW
};

struct community_entry {
	char	*service;	/* owned; "*" for all */
	char	*community;	/* owned */
	int	 rw;
};

struct community_table {
	struct community_entry	*entries;	/* owned */
	size_t			 n;
};

/* Returns a new table, or NULL with err set to "file:line: problem". */
struct community_table	*community_load(const char *path, char *err,
			    size_t errlen);
void			 community_free(struct community_table *);
/* The access a community has to a service ("*" for table-wide verbs). */
enum auth_access	 community_access(const struct community_table *,
			    const char *service, const char *community);

#define AUTH_KEY_MAX	64

struct auth_key {
	char		 id[PROTO_MAX_KEYID + 1];
	unsigned char	 key[AUTH_KEY_MAX];
	size_t		 len;
};

struct keyring {
	struct auth_key	*keys;		/* owned */
	size_t		 n;
};

/*
 * Load "keyid hexkey" lines. The file must not be readable or writable by
 * group or others. Returns NULL with err set on any problem.
 */
struct keyring		*keyring_load(const char *path, char *err, size_t errlen);
void			 keyring_free(struct keyring *);
const struct auth_key	*keyring_find(const struct keyring *, const char *id);

/* HMAC-SHA256 of data as 64 lower-case hex digits plus NUL. */
void	 auth_mac_hex(const struct auth_key *, const char *data, size_t len,
	    char out[65]);
/* Constant-time check of a hex mac over data; returns 1 if it matches. */
int	 auth_mac_ok(const struct auth_key *, const char *data, size_t len,
	    const char *machex);
/* Append " k=<id> n=<nonce> mac=<hex>" to an answer in buf. */
void	 auth_sign_answer(const struct auth_key *, const char *nonce,
	    struct pbuf *buf, size_t line_start);
/*
 * Append " to=<node> k=<id> t=<now> n=<fresh nonce> mac=<hex>" (no to=
 * when node is NULL); nonce_out gets the nonce. node names the faild the
 * request is for, so that it cannot be replayed to another.
 */
void	 auth_sign_request(const struct auth_key *, const char *node,
	    int64_t now_ms, struct pbuf *buf,
	    char nonce_out[PROTO_MAX_NONCE + 1]);
/* Fill out with 32 random hex digits. */
void	 auth_nonce(char out[PROTO_MAX_NONCE + 1]);

/*
 * Replay protection: a request is fresh when its time is within window_ms
 * of now and its (keyid, nonce) was not seen before. The cache holds at most
 * `capacity` nonces; when it evicts one before it expired, it stops accepting
 * requests older than the evicted one, so a bounded cache never lets a
 * replay through.
 */
enum nonce_verdict {
	NONCE_FRESH,
	NONCE_REPLAY,
	NONCE_WINDOW
};

struct nonce_cache;

/*
 * A new cache refuses requests signed at or before not_before_ms: give it
 * the start time, so that a restart, which empties the cache, cannot let
 * a request captured earlier be replayed.
 */
struct nonce_cache	*nonce_cache_new(size_t capacity, int64_t window_ms,
			    int64_t not_before_ms);
void			 nonce_cache_free(struct nonce_cache *);
enum nonce_verdict	 nonce_cache_check(struct nonce_cache *,
			    const char *keyid, const char *nonce, int64_t ts_ms,
			    int64_t now_ms);

/*
 * Check a signed request (req->auth.keyid set) against the keys, the node
 * name of this server (its to= must name it; NULL: not checked) and the
 * nonce cache. Returns 0 with *key set, or a failproto(5) error code
 * (PERR_AUTH, PERR_MISDIRECTED, PERR_REPLAY, PERR_WINDOW) with its text in
 * why.
 */
int	 auth_verify_request(const struct keyring *, struct nonce_cache *,
	    const char *line, const struct proto_req *, const char *node,
	    int64_t now_ms, const struct auth_key **key, char *why,
	    size_t whylen);

#endif
