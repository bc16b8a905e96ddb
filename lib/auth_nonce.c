/*
 * auth_nonce.c: the replay cache. Nonces seen within the time window are
 * kept in a hash set and a FIFO ring; a full ring evicts its oldest entry
 * and raises a floor below which requests are refused, so a bounded cache
 * never lets a replay through.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "xmalloc.h"

struct nonce_entry {
	char	 key[PROTO_MAX_KEYID + 1 + PROTO_MAX_NONCE + 1];
	int64_t	 ts_ms;
	int	 used;
	size_t	 next;		/* hash chain, index + 1, 0 = end */
};

struct nonce_cache {
	struct nonce_entry	*ring;		/* owned, capacity entries */
	size_t			*heads;		/* owned, hash heads, idx + 1 */
	size_t			 nheads;
	size_t			 capacity;
	size_t			 oldest;	/* ring index of the oldest */
	size_t			 count;
	int64_t			 window_ms;
	int64_t			 floor_ms;	/* refuse ts <= this */
};

static size_t
nonce_hash(const char *s)
{
	size_t	h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

struct nonce_cache *
nonce_cache_new(size_t capacity, int64_t window_ms, int64_t not_before_ms)
{
	struct nonce_cache	*c = xcalloc(1, sizeof(*c));

	c->capacity = capacity < 2 ? 2 : capacity;
	c->ring = xcalloc(c->capacity, sizeof(*c->ring));
	for (c->nheads = 16; c->nheads < c->capacity; c->nheads *= 2)
		;
	c->heads = xcalloc(c->nheads, sizeof(*c->heads));
	c->window_ms = window_ms;
	c->floor_ms = not_before_ms;
	return c;
}

void
nonce_cache_free(struct nonce_cache *c)
{
	if (c == NULL)
		return;
	free(c->ring);
	free(c->heads);
	free(c);
}

static void
nonce_unlink(struct nonce_cache *c, size_t idx)
{
	struct nonce_entry	*e = &c->ring[idx];
	size_t			*pp = &c->heads[nonce_hash(e->key) &
				    (c->nheads - 1)];

	while (*pp != 0 && *pp != idx + 1)
		pp = &c->ring[*pp - 1].next;
	if (*pp != 0)
		*pp = e->next;
	e->used = 0;
	c->count--;
}

/* Drop the oldest entry; remember its time if it had not yet expired. */
static void
nonce_evict_oldest(struct nonce_cache *c, int64_t now_ms)
{
	struct nonce_entry	*e = &c->ring[c->oldest];

	if (e->used) {
		if (e->ts_ms >= now_ms - c->window_ms && e->ts_ms > c->floor_ms)
			c->floor_ms = e->ts_ms;
		nonce_unlink(c, c->oldest);
	}
	c->oldest = (c->oldest + 1) % c->capacity;
}

enum nonce_verdict
nonce_cache_check(struct nonce_cache *c, const char *keyid, const char *nonce,
    int64_t ts_ms, int64_t now_ms)
{
	char			 key[sizeof(c->ring[0].key)];
	struct nonce_entry	*e;
	size_t			 h, i, slot;

	if (ts_ms < now_ms - c->window_ms || ts_ms > now_ms + c->window_ms)
		return NONCE_WINDOW;
	/* Expire entries older than the window, oldest first. */
	while (c->count > 0 && (!c->ring[c->oldest].used ||
	    c->ring[c->oldest].ts_ms < now_ms - 2 * c->window_ms))
		nonce_evict_oldest(c, now_ms);
	snprintf(key, sizeof(key), "%s/%s", keyid, nonce);
	h = nonce_hash(key) & (c->nheads - 1);
	for (i = c->heads[h]; i != 0; i = c->ring[i - 1].next)
		if (strcmp(c->ring[i - 1].key, key) == 0)
			return NONCE_REPLAY;
	if (ts_ms <= c->floor_ms)
		return NONCE_WINDOW;
	if (c->count == c->capacity)
		nonce_evict_oldest(c, now_ms);
	slot = (c->oldest + c->count) % c->capacity;
	e = &c->ring[slot];
	strcpy(e->key, key);
	e->ts_ms = ts_ms;
	e->used = 1;
	e->next = c->heads[h];
	c->heads[h] = slot + 1;
	c->count++;
	return NONCE_FRESH;
}
