/*
 * peer.c: the per-address table behind connection limits and rate limits.
 * Entries are found by a seeded hash and an exact compare of the address;
 * when the table is full, the least recently used entry without
 * connections whose bucket has refilled makes room, else the newcomer
 * shares one overflow entry: spreading requests over many addresses never
 * buys more than the table's worth of buckets.
 */
#include <sys/random.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <string.h>
#include <stdlib.h>

#include "peer.h"
#include "timeutil.h"
#include "xmalloc.h"

#define PEER_HASH	1024

struct peer {
	struct peer	*hnext;			/* hash chain */
	struct peer	*older, *newer;		/* use order */
	int		 family;
	unsigned char	 addr[16];
	int		 nconn;
	double		 tokens;
	int64_t		 last_ms;		/* 0: bucket full */
};

struct peer_table {
	struct peer_limits	 lim;
	size_t			 max_addrs, n;
	uint32_t		 seed;
	struct peer		*hash[PEER_HASH];
	struct peer		*newest, *oldest;
	struct peer		 overflow;
	struct peer_conn	*first, *last;	/* connections, oldest first */
	int			 nconn;
};

struct peer_table *
peer_table_new(const struct peer_limits *lim, size_t max_addrs)
{
	struct peer_table	*t = xcalloc(1, sizeof(*t));

	t->lim = *lim;
	t->max_addrs = max_addrs;
	if (getrandom(&t->seed, sizeof(t->seed), GRND_NONBLOCK) !=
	    sizeof(t->seed))
		t->seed = (uint32_t)(uintptr_t)t;
	return t;
}

void
peer_table_free(struct peer_table *t)
{
	struct peer	*p, *next;

	if (t == NULL)
		return;
	for (p = t->newest; p != NULL; p = next) {
		next = p->older;
		free(p);
	}
	free(t);
}

int
peer_conns(const struct peer_table *t)
{
	return t->nconn;
}

/* The address as family and 16 bytes; IPv4-mapped IPv6 counts as IPv4. */
static void
peer_key(const struct sockaddr *sa, int *family, unsigned char addr[16])
{
	const struct sockaddr_in6	*s6 = (const void *)sa;
	const struct sockaddr_in	*s4 = (const void *)sa;

	memset(addr, 0, 16);
	if (sa->sa_family == AF_INET6 &&
	    !IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		*family = AF_INET6;
		memcpy(addr, &s6->sin6_addr, 16);
	} else if (sa->sa_family == AF_INET6) {
		*family = AF_INET;
		memcpy(addr, s6->sin6_addr.s6_addr + 12, 4);
	} else {
		*family = AF_INET;
		memcpy(addr, &s4->sin_addr, 4);
	}
}

static uint32_t
peer_hash(const struct peer_table *t, int family, const unsigned char *a)
{
	uint32_t	h = 2166136261u ^ t->seed;
	int		i;

	h = (h ^ (uint32_t)family) * 16777619u;
	for (i = 0; i < 16; i++)
		h = (h ^ a[i]) * 16777619u;
	return h ^ (h >> 15);
}

static void
peer_unlist(struct peer_table *t, struct peer *p)
{
	if (p->older != NULL)
		p->older->newer = p->newer;
	else
		t->oldest = p->newer;
	if (p->newer != NULL)
		p->newer->older = p->older;
	else
		t->newest = p->older;
}

static void
peer_list_newest(struct peer_table *t, struct peer *p)
{
	p->newer = NULL;
	p->older = t->newest;
	if (t->newest != NULL)
		t->newest->newer = p;
	else
		t->oldest = p;
	t->newest = p;
}

/* Tokens p has at now_ms, its bucket refilled. */
static double
peer_tokens(const struct peer_table *t, const struct peer *p, int64_t now_ms)
{
	double	burst = 2.0 * t->lim.rate, v;

	if (p->last_ms == 0)
		return burst;
	v = p->tokens + (double)(now_ms - p->last_ms) * t->lim.rate / 1000.0;
	return v > burst ? burst : v;
}

/* Remove p from its hash chain. */
static void
peer_unhash(struct peer_table *t, struct peer *p)
{
	struct peer	**pp;

	pp = &t->hash[peer_hash(t, p->family, p->addr) % PEER_HASH];
	while (*pp != p)
		pp = &(*pp)->hnext;
	*pp = p->hnext;
}

/*
 * The entry of sa, made when missing. Results: the entry, or the shared
 * overflow entry when the table is full of entries still in use.
 */
static struct peer *
peer_lookup(struct peer_table *t, const struct sockaddr *sa, int64_t now_ms)
{
	struct peer	*p;
	unsigned char	 a[16];
	int		 family;
	uint32_t	 h;

	peer_key(sa, &family, a);
	h = peer_hash(t, family, a) % PEER_HASH;
	for (p = t->hash[h]; p != NULL; p = p->hnext)
		if (p->family == family && memcmp(p->addr, a, 16) == 0)
			break;
	if (p != NULL) {
		peer_unlist(t, p);
		peer_list_newest(t, p);
		return p;
	}
	if (t->n < t->max_addrs) {
		p = xcalloc(1, sizeof(*p));
		t->n++;
	} else {
		/* Reuse the least recently used entry that holds nothing. */
		for (p = t->oldest; p != NULL && p->nconn > 0; p = p->newer)
			;
		if (p == NULL || (t->lim.rate > 0 && peer_tokens(t, p,
		    now_ms) < 2.0 * t->lim.rate))
			return &t->overflow;
		peer_unhash(t, p);
		peer_unlist(t, p);
		memset(p, 0, sizeof(*p));
	}
	p->family = family;
	memcpy(p->addr, a, 16);
	p->hnext = t->hash[h];
	t->hash[h] = p;
	peer_list_newest(t, p);
	return p;
}

int
peer_rate_ok(struct peer_table *t, const struct sockaddr *sa, int64_t now_ms)
{
	struct peer	*p;

	if (t->lim.rate <= 0)
		return 1;
	p = peer_lookup(t, sa, now_ms);
	p->tokens = peer_tokens(t, p, now_ms);
	p->last_ms = now_ms > 0 ? now_ms : 1;
	if (p->tokens < 1.0)
		return 0;
	p->tokens -= 1.0;
	return 1;
}

static void
peer_unlink(struct peer_table *t, struct peer_conn *c)
{
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		t->first = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	else
		t->last = c->prev;
	c->prev = c->next = NULL;
	c->peer->nconn--;
	c->peer = NULL;
	t->nconn--;
}

/* Close the oldest idle connection of p (any address when p is NULL). */
static int
peer_evict(struct peer_table *t, const struct peer *p)
{
	struct peer_conn	*c;

	for (c = t->first; c != NULL; c = c->next)
		if (c->idle && (p == NULL || c->peer == p))
			break;
	if (c == NULL)
		return -1;
	peer_unlink(t, c);
	shutdown(c->fd, SHUT_RDWR);
	return 0;
}

int
peer_admit(struct peer_table *t, const struct sockaddr *sa, int fd,
    struct peer_conn *c, const char **why)
{
	struct peer	*p = peer_lookup(t, sa, time_mono_ms());

	if (p->nconn >= t->lim.max_per_addr && peer_evict(t, p) < 0) {
		*why = "too many connections from this address";
		return -1;
	}
	if (t->nconn >= t->lim.max_conn && peer_evict(t, NULL) < 0) {
		*why = "too many connections";
		return -1;
	}
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->peer = p;
	c->prev = t->last;
	if (t->last != NULL)
		t->last->next = c;
	else
		t->first = c;
	t->last = c;
	p->nconn++;
	t->nconn++;
	return 0;
}

void
peer_release(struct peer_table *t, struct peer_conn *c)
{
	if (c->peer != NULL)
		peer_unlink(t, c);
}

int
peer_share(const struct peer_conn *c, int quota)
{
	if (c->peer == NULL || c->peer->nconn <= 1)
		return quota;
	return quota / c->peer->nconn > 0 ? quota / c->peer->nconn : 1;
}
