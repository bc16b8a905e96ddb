/*
 * state.c: the service state model and an in-memory table of services,
 * a hash of names with chained buckets that grows as services are added.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "state.h"
#include "xmalloc.h"

struct state_table {
	struct service	**buckets;	/* owned, with their chains */
	size_t		  nbuckets;	/* a power of two */
	size_t		  count;
	size_t		  max;		/* services at most */
};

static const char *const svc_state_names[] = {
	[SVC_UP] = "UP",
	[SVC_RECOVER] = "RECOVER",
	[SVC_FAIL] = "FAIL",
	[SVC_NONE] = "NONE",
};

const char *
svc_state_str(enum svc_state s)
{
	return s <= SVC_NONE ? svc_state_names[s] : "?";
}

int
svc_state_parse(const char *s, enum svc_state *out)
{
	int	i;

	for (i = SVC_UP; i <= SVC_FAIL; i++)
		if (strcasecmp(s, svc_state_names[i]) == 0) {
			*out = (enum svc_state)i;
			return 0;
		}
	return -1;
}

static size_t
state_hash(const char *s)
{
	size_t	h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

struct state_table *
state_table_new(size_t max_services)
{
	struct state_table	*t = xcalloc(1, sizeof(*t));

	t->max = max_services;
	t->nbuckets = 64;
	t->buckets = xcalloc(t->nbuckets, sizeof(*t->buckets));
	return t;
}

void
state_table_free(struct state_table *t)
{
	struct service	*s, *next;
	size_t		 i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nbuckets; i++)
		for (s = t->buckets[i]; s != NULL; s = next) {
			next = s->next;
			free(s);
		}
	free(t->buckets);
	free(t);
}

size_t
state_count(const struct state_table *t)
{
	return t->count;
}

struct service *
state_get(const struct state_table *t, const char *name)
{
	struct service	*s;

	for (s = t->buckets[state_hash(name) & (t->nbuckets - 1)]; s != NULL;
	    s = s->next)
		if (strcmp(s->name, name) == 0)
			return s;
	return NULL;
}

static void
state_grow(struct state_table *t)
{
	struct service	**old = t->buckets, *s, *next;
	size_t		  i, n = t->nbuckets;

	t->nbuckets *= 2;
	t->buckets = xcalloc(t->nbuckets, sizeof(*t->buckets));
	for (i = 0; i < n; i++)
		for (s = old[i]; s != NULL; s = next) {
			size_t b = state_hash(s->name) & (t->nbuckets - 1);

			next = s->next;
			s->next = t->buckets[b];
			t->buckets[b] = s;
		}
	free(old);
}

/* A new service, or NULL if the table is full. */
static struct service *
state_add(struct state_table *t, const char *name)
{
	struct service	*s;
	size_t		 b;

	if (t->count >= t->max)
		return NULL;
	s = xcalloc(1, sizeof(*s));
	if (t->count + 1 > t->nbuckets)
		state_grow(t);
	b = state_hash(name) & (t->nbuckets - 1);
	strncpy(s->name, name, sizeof(s->name) - 1);
	s->state = SVC_NONE;
	s->next = t->buckets[b];
	t->buckets[b] = s;
	t->count++;
	return s;
}

static void
state_set_setter(struct service *s, const char *setter)
{
	strncpy(s->setter, setter, sizeof(s->setter) - 1);
	s->setter[sizeof(s->setter) - 1] = '\0';
}

int
state_set(struct state_table *t, const char *name, enum svc_state st,
    int64_t now_ms, const char *setter, enum svc_state *old)
{
	struct service	*s = state_get(t, name);

	if (s == NULL && (s = state_add(t, name)) == NULL)
		return -1;
	*old = s->state;
	if (s->state == st)
		return 0;
	s->state = st;
	s->changed_ms = now_ms;
	state_set_setter(s, setter);
	return 1;
}

int
state_restore(struct state_table *t, const struct service *saved,
    const char *name)
{
	struct service	*s;

	if (saved == NULL) {
		state_delete(t, name);
		return 0;
	}
	if ((s = state_get(t, name)) == NULL &&
	    (s = state_add(t, name)) == NULL)
		return -1;
	s->state = saved->state;
	s->changed_ms = saved->changed_ms;
	state_set_setter(s, saved->setter);
	return 0;
}

int
state_delete(struct state_table *t, const char *name)
{
	struct service	**pp, *s;

	for (pp = &t->buckets[state_hash(name) & (t->nbuckets - 1)];
	    (s = *pp) != NULL; pp = &s->next)
		if (strcmp(s->name, name) == 0) {
			*pp = s->next;
			free(s);
			t->count--;
			return 0;
		}
	return -1;
}

static int
state_cmp(const void *a, const void *b)
{
	const struct service	*sa = *(const struct service *const *)a;
	const struct service	*sb = *(const struct service *const *)b;

	return strcmp(sa->name, sb->name);
}

struct service **
state_sorted(const struct state_table *t, size_t *n)
{
	struct service	**v = xcalloc(t->count + 1, sizeof(*v)), *s;
	size_t		  i, k = 0;

	for (i = 0; i < t->nbuckets; i++)
		for (s = t->buckets[i]; s != NULL; s = s->next)
			v[k++] = s;
	qsort(v, k, sizeof(*v), state_cmp);
	*n = k;
	return v;
}
