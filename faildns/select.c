/*
 * select.c: which addresses a failover name answers (select.h). The
 * members' states as the name sees them (scope), then one rule: the
 * unknown rule, the all-down rule, or the best level with the selection
 * mode's variants. Pure: no I/O, no clock, no allocation.
 */
#include <sys/socket.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "select.h"

/* Members of one pool looked at (conf.c allows FDNS_MAX_ANSWER). */
#define SEL_MAX_MEMBERS	256
#define SEL_MAX_WEIGHT	1000	/* conf.c's bound, kept if set by hand */

/* The pool's members as n sees them, counted. */
struct sel {
	const struct fdns_conf	*conf;
	const struct fdns_name	*n;
	const struct fdns_pool	*pool;
	size_t			 nm;
	enum fdns_mstate	 st[SEL_MAX_MEMBERS];
	int			 nenabled, nup, ndown, nunknown, nwatched;
};

/* A set of members (indexes into pool->members) in answer order. */
struct sel_set {
	int	m[FDNS_MAX_ANSWER];
	int	k;
};

static int
sel_addr_equal(const struct fdns_addr *a, const struct fdns_addr *b)
{
	return a->family == b->family && memcmp(a->a, b->a,
	    a->family == AF_INET ? 4 : 16) == 0;
}

static void __attribute__((format(printf, 2, 3)))
sel_why(struct fdns_choice *c, const char *fmt, ...)
{
	size_t	len = strlen(c->why);
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(c->why + len, sizeof(c->why) - len, fmt, ap);
	va_end(ap);
}

static const char *
sel_plural(int k)
{
	return k == 1 ? "" : "s";
}

/*
 * Results:
 *	m's state for n: UP for a static member (no services); DOWN if it is
 *	DOWN, or if the same address is DOWN in a pool of scope "domain"
 *	that a name of n's zone answers from (the scope is the pool's where
 *	the member is DOWN: "DOWN here is DOWN for the zone"); else its own.
 * Side effects:
 *	None.
 */
enum fdns_mstate
fdns_member_state(const struct fdns_conf *conf, const struct fdns_name *n,
    const struct fdns_member *m)
{
	const struct fdns_pool	*p;
	size_t			 i, j;

	if (m->nservices == 0)
		return FDNS_M_UP;
	if (m->state == FDNS_M_DOWN || conf == NULL || n == NULL)
		return m->state;
	for (i = 0; i < conf->nnames; i++) {
		if (conf->names[i].zone != n->zone ||
		    (p = conf->names[i].pool) == NULL ||
		    p->scope != FDNS_SCOPE_DOMAIN)
			continue;
		for (j = 0; j < p->nmembers; j++)
			if (&p->members[j] != m &&
			    p->members[j].nservices > 0 &&
			    p->members[j].state == FDNS_M_DOWN &&
			    sel_addr_equal(&p->members[j].addr, &m->addr))
				return FDNS_M_DOWN;
	}
	return m->state;
}

int
fdns_worst_case_s(const struct fdns_name *n)
{
	return (n->pool != NULL ? n->pool->detect_s : 0) + (int)n->ttl;
}

/* ------------------------------------------------------------------ */
/* Variants */

static void
sel_add(struct fdns_choice *c, const struct fdns_addr *a)
{
	if (c->nbase < FDNS_MAX_ANSWER)
		c->base[c->nbase++] = *a;
}

static void
sel_one_variant(struct fdns_choice *c)
{
	int	i;

	for (i = 0; i < c->nbase; i++)
		c->variant[0][i] = (uint8_t)i;
	c->nvariant[0] = (uint8_t)c->nbase;
	c->nvariants = 1;
}

/* One rotation of base per variant. */
static void
sel_rotations(struct fdns_choice *c)
{
	int	j, t;

	for (j = 0; j < c->nbase && j < FDNS_MAX_VARIANTS; j++) {
		for (t = 0; t < c->nbase; t++)
			c->variant[j][t] = (uint8_t)((j + t) % c->nbase);
		c->nvariant[j] = (uint8_t)c->nbase;
	}
	c->nvariants = j > 0 ? j : 1;
}

static int
sel_gcd(int a, int b)
{
	while (b != 0) {
		int t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/*
 * Scale the k weights a[] (summing to sum > FDNS_MAX_VARIANTS) to shares
 * of a cycle of FDNS_MAX_VARIANTS, each at least 1 (a weight is never
 * "never"): the quotas rounded down, the rest to the largest remainders,
 * the excess the minimums caused taken from the largest.
 */
static void
sel_scale(int *a, int k, long sum)
{
	const long	 t = FDNS_MAX_VARIANTS;
	long		 rem[FDNS_MAX_ANSWER], s = 0;
	int		 i, best;

	for (i = 0; i < k; i++) {
		long q = a[i] * t;

		rem[i] = q % sum;
		a[i] = (int)(q / sum);
		if (a[i] == 0) {
			a[i] = 1;
			rem[i] = -1;
		}
		s += a[i];
	}
	while (s < t) {
		for (best = -1, i = 0; i < k; i++)
			if (rem[i] >= 0 && (best < 0 || rem[i] > rem[best]))
				best = i;
		if (best < 0) {
			for (best = 0, i = 1; i < k; i++)
				if (a[i] > a[best])
					best = i;
		} else
			rem[best] = -1;
		a[best]++;
		s++;
	}
	while (s > t) {
		for (best = 0, i = 1; i < k; i++)
			if (a[i] > a[best])
				best = i;
		a[best]--;
		s--;
	}
}

/*
 * "weighted N": variant j starts with the j-th pick of a smooth weighted
 * round robin over the cycle (so the first addresses' shares are the
 * weights' exactly), followed by the next picks of the same sequence that
 * are not in it yet, up to N. Returns the cycle's length.
 */
static int
sel_weighted(struct fdns_choice *c, const int *weight, int count)
{
	int	a[FDNS_MAX_ANSWER], cur[FDNS_MAX_ANSWER];
	int	seq[FDNS_MAX_VARIANTS], used[FDNS_MAX_ANSWER];
	int	k = c->nbase, i, j, t, v, g = 0, best, n;
	long	sum = 0;

	for (i = 0; i < k; i++) {
		a[i] = weight[i] < 1 ? 1 : weight[i] > SEL_MAX_WEIGHT ?
		    SEL_MAX_WEIGHT : weight[i];
		g = sel_gcd(g, a[i]);
	}
	for (i = 0; i < k; i++) {
		a[i] /= g;
		sum += a[i];
	}
	if (sum > FDNS_MAX_VARIANTS) {
		sel_scale(a, k, sum);
		sum = FDNS_MAX_VARIANTS;
	}
	memset(cur, 0, sizeof(cur));
	for (j = 0; j < sum; j++) {
		for (best = 0, i = 0; i < k; i++) {
			cur[i] += a[i];
			if (cur[i] > cur[best])
				best = i;
		}
		cur[best] -= (int)sum;
		seq[j] = best;
	}
	n = count < 1 ? 1 : count > k ? k : count;
	for (j = 0; j < sum; j++) {
		memset(used, 0, sizeof(used));
		for (v = 0, t = 0; v < n && t < sum; t++) {
			i = seq[(j + t) % sum];
			if (!used[i]) {
				used[i] = 1;
				c->variant[j][v++] = (uint8_t)i;
			}
		}
		c->nvariant[j] = (uint8_t)v;
	}
	c->nvariants = (int)sum;
	return (int)sum;
}

/* ------------------------------------------------------------------ */
/* Rules */

/* Every enabled member (or every enabled offsite one): by level, onsite
 * first, then in the order of the file. */
static void
sel_enabled(const struct sel *s, int offsite_only, struct sel_set *set)
{
	const struct fdns_member	*m = s->pool->members;
	size_t				 i;
	int				 j, x;

	set->k = 0;
	for (i = 0; i < s->nm && set->k < FDNS_MAX_ANSWER; i++) {
		if (m[i].priority == FDNS_PRIO_DISABLED ||
		    (offsite_only && !m[i].offsite))
			continue;
		/* Insertion, stable: after every member that sorts before. */
		for (j = set->k; j > 0; j--) {
			x = set->m[j - 1];
			if (m[x].offsite < m[i].offsite ||
			    (m[x].offsite == m[i].offsite &&
			    m[x].priority <= m[i].priority))
				break;
			set->m[j] = x;
		}
		set->m[j] = (int)i;
		set->k++;
	}
}

/* A set of members answered whole: rotated with "rotate". */
static void
sel_answer_set(const struct sel *s, const struct sel_set *set,
    struct fdns_choice *c)
{
	int	i;

	for (i = 0; i < set->k; i++)
		sel_add(c, &s->pool->members[set->m[i]].addr);
	if (s->n->select == FDNS_SEL_ROTATE)
		sel_rotations(c);
	else
		sel_one_variant(c);
}

/*
 * The all-down rule, or with unknown set the unknown rule: why already
 * holds the situation ("every member down"), the rule adds the rest.
 * A rule's addresses are answered together (all of them in every answer,
 * rotated with "select rotate"), whatever the mode.
 */
static void
sel_rule(const struct sel *s, enum fdns_rule r, int unknown,
    struct fdns_choice *c)
{
	static const char *const down_rules[] = { "all down: all",
		"all down: fallback", "all down: offsite", "all down: nodata",
		"all down: servfail", "all down: all" };
	static const char *const unknown_rules[] = { "unknown: all",
		"unknown: fallback", "unknown: offsite", "unknown: nodata",
		"unknown: servfail", "unknown: last" };
	const char	*what = unknown ? "unknown" : "alldown";
	struct sel_set	 set;
	int		 i;

	if ((int)r < 0 || r > FDNS_RULE_LAST || (r == FDNS_RULE_LAST &&
	    !unknown))
		r = FDNS_RULE_ALL;
	c->rule = unknown ? unknown_rules[r] : down_rules[r];
	c->degraded = 1;
	if (r == FDNS_RULE_FALLBACK && s->n->nfallback > 0) {
		for (i = 0; i < s->n->nfallback && i < FDNS_MAX_FALLBACK; i++)
			sel_add(c, &s->n->fallback[i]);
		if (s->n->select == FDNS_SEL_ROTATE)
			sel_rotations(c);
		else
			sel_one_variant(c);
		sel_why(c, ": answering the %d fallback address%s (%s "
		    "fallback)", c->nbase, c->nbase == 1 ? "" : "es", what);
		return;
	}
	if (r == FDNS_RULE_NODATA || r == FDNS_RULE_SERVFAIL) {
		c->kind = r == FDNS_RULE_NODATA ? FDNS_ANS_NODATA :
		    FDNS_ANS_SERVFAIL;
		sel_why(c, ": %s (%s %s)", r == FDNS_RULE_NODATA ?
		    "NOERROR without address" : "SERVFAIL", what,
		    fdns_rule_str(r));
		return;
	}
	if (r == FDNS_RULE_OFFSITE) {
		sel_enabled(s, 1, &set);
		if (set.k > 0) {
			sel_answer_set(s, &set, c);
			sel_why(c, ": answering the %d offsite member%s (%s "
			    "offsite)", set.k, sel_plural(set.k), what);
			return;
		}
		sel_why(c, ": no offsite member");
	} else if (r == FDNS_RULE_LAST)
		sel_why(c, ", none persisted");
	else if (r == FDNS_RULE_FALLBACK)
		sel_why(c, ": no fallback address");
	/* all, last with nothing persisted, offsite or fallback without. */
	sel_enabled(s, 0, &set);
	if (set.k == 0) {
		c->kind = FDNS_ANS_NODATA;
		sel_why(c, ": nothing to answer, NOERROR without address (%s "
		    "%s)", what, fdns_rule_str(r));
		return;
	}
	sel_answer_set(s, &set, c);
	if (set.k == 1)
		sel_why(c, ": answering the 1 enabled member (%s %s)", what,
		    fdns_rule_str(r));
	else
		sel_why(c, ": answering all %d enabled members (%s %s)", set.k,
		    what, fdns_rule_str(r));
}

/* ------------------------------------------------------------------ */
/* The best level */

/* The best (lowest) enabled level among offsite or onsite members, up
 * ones only if up_only; FDNS_PRIO_MAX + 1 if there is none. */
static int
sel_best_level(const struct sel *s, int offsite, int up_only)
{
	const struct fdns_member	*m = s->pool->members;
	size_t				 i;
	int				 best = FDNS_PRIO_MAX + 1;

	for (i = 0; i < s->nm; i++)
		if (m[i].priority != FDNS_PRIO_DISABLED &&
		    !m[i].offsite == !offsite && m[i].priority < best &&
		    (!up_only || s->st[i] == FDNS_M_UP))
			best = m[i].priority;
	return best;
}

static void
sel_levels(const struct sel *s, struct fdns_choice *c)
{
	const struct fdns_member	*m = s->pool->members;
	const struct fdns_name		*n = s->n;
	struct sel_set			 set;
	char				 lvbuf[16], a[64];
	const char			*lv;
	int				 weight[FDNS_MAX_ANSWER];
	int				 best, best_off, level, offsite, i;
	size_t				 k;

	/* The best configured level: onsite, or offsite if none is. */
	best_off = 0;
	if ((best = sel_best_level(s, 0, 0)) > FDNS_PRIO_MAX) {
		best = sel_best_level(s, 1, 0);
		best_off = 1;
	}
	offsite = 0;
	if ((level = sel_best_level(s, 0, 1)) > FDNS_PRIO_MAX) {
		level = sel_best_level(s, 1, 1);
		offsite = 1;
	}
	set.k = 0;
	for (k = 0; k < s->nm && set.k < FDNS_MAX_ANSWER; k++)
		if (m[k].priority == level && !m[k].offsite == !offsite &&
		    s->st[k] == FDNS_M_UP)
			set.m[set.k++] = (int)k;

	c->degraded = level != best || offsite != best_off;
	if (!c->degraded)
		c->rule = n->select == FDNS_SEL_ORDERED ? "ordered" :
		    "best level";
	else
		c->rule = offsite ? "offsite" : "backup level";
	sel_why(c, "%d of %d members up", s->nup, s->nenabled);
	if (offsite && !best_off)
		sel_why(c, ", no onsite one");
	lv = fdns_prio_str(level, lvbuf, sizeof(lvbuf));

	switch (n->select) {
	case FDNS_SEL_ORDERED:
		sel_add(c, &m[set.m[0]].addr);
		sel_one_variant(c);
		sel_why(c, "; answering the first up, %s%s, at level %s",
		    offsite ? "offsite " : "",
		    fdns_addr_str(&m[set.m[0]].addr, a, sizeof(a)), lv);
		return;
	case FDNS_SEL_WEIGHTED:
		for (i = 0; i < set.k; i++) {
			sel_add(c, &m[set.m[i]].addr);
			weight[i] = m[set.m[i]].weight;
		}
		i = sel_weighted(c, weight, n->count);
		sel_why(c, "; answering %d of the %d up%s at level %s by "
		    "weight (a cycle of %d)", c->nvariant[0], set.k,
		    offsite ? " offsite" : "", lv, i);
		return;
	default:
		for (i = 0; i < set.k; i++)
			sel_add(c, &m[set.m[i]].addr);
		if (n->select == FDNS_SEL_ROTATE)
			sel_rotations(c);
		else
			sel_one_variant(c);
		sel_why(c, "; answering the %d up%s at level %s%s", set.k,
		    offsite ? " offsite" : "", lv, n->select ==
		    FDNS_SEL_ROTATE ? ", rotated" : "");
		return;
	}
}

/*
 * Results:
 *	*c: the addresses and variants n answers, the rule that chose them,
 *	why in a sentence, and whether that is degraded.
 * Side effects:
 *	None.
 *
 * The unknown rule answers only before anything is known: every enabled
 * member that has services UNKNOWN and none UP (a static member is UP).
 * When some are known and none is UP, the unknown ones count as not up
 * and the all-down rule answers: a failure already seen weighs more than
 * states not yet heard of.
 */
void
fdns_select(const struct fdns_conf *conf, const struct fdns_name *n,
    struct fdns_choice *c)
{
	struct sel	 s;
	size_t		 i;

	memset(c, 0, sizeof(*c));
	memset(&s, 0, sizeof(s));
	s.conf = conf;
	s.n = n;
	s.pool = n->pool;
	c->kind = FDNS_ANS_ADDRS;
	if (s.pool != NULL && s.pool->members != NULL)
		s.nm = s.pool->nmembers < SEL_MAX_MEMBERS ?
		    s.pool->nmembers : SEL_MAX_MEMBERS;
	for (i = 0; i < s.nm; i++) {
		const struct fdns_member *m = &s.pool->members[i];

		if (m->priority == FDNS_PRIO_DISABLED)
			continue;
		s.st[i] = fdns_member_state(conf, n, m);
		s.nenabled++;
		if (m->nservices > 0)
			s.nwatched++;
		if (s.st[i] == FDNS_M_UP)
			s.nup++;
		else if (s.st[i] == FDNS_M_DOWN)
			s.ndown++;
		else
			s.nunknown++;
	}

	if (s.nenabled == 0) {
		sel_why(c, "no enabled member");
		if (s.pool == NULL)
			s.pool = &(const struct fdns_pool){ 0 };
		sel_rule(&s, n->alldown, 0, c);
	} else if (s.nup == 0 && s.nunknown == s.nwatched) {
		sel_why(c, "no member state known yet");
		sel_rule(&s, n->unknown, 1, c);
	} else if (s.nup == 0) {
		if (s.nunknown > 0)
			sel_why(c, "no member up (%d down, %d unknown)",
			    s.ndown, s.nunknown);
		else
			sel_why(c, "every member down");
		sel_rule(&s, n->alldown, 0, c);
	} else
		sel_levels(&s, c);
}
