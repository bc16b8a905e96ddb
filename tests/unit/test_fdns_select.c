/*
 * test_fdns_select.c: cmocka tests of faildns/select.c. A table of
 * scenarios over one pool (members' states + the name's mode and rules ->
 * the rule, degraded, the addresses and the sentence), then the variants
 * of rotate and weighted (their shares over the cycle), static and
 * disabled members, offsite-only pools, scope domain across the names of
 * a zone, and the worst case. Configurations come from fdns_conf_parse.
 */
#include <sys/socket.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conf.h"
#include "select.h"

static struct fdns_conf		*c;
static struct fdns_choice	 ch;

static void
load(const char *text)
{
	char	err[512];

	fdns_conf_free(c);
	c = NULL;
	if (fdns_conf_parse("t.conf", text, strlen(text), &c, err,
	    sizeof(err)) < 0)
		fail_msg("%s", err);
}

/* States of pool pi's members: u up, d down, ? unknown, one a member. */
static void
states(size_t pi, const char *s)
{
	size_t	i;

	assert_int_equal(strlen(s), c->pools[pi].nmembers);
	for (i = 0; s[i] != '\0'; i++)
		c->pools[pi].members[i].state = s[i] == 'u' ? FDNS_M_UP :
		    s[i] == 'd' ? FDNS_M_DOWN : FDNS_M_UNKNOWN;
}

static const struct fdns_name *
name(const char *text)
{
	size_t	i;

	for (i = 0; i < c->nnames; i++)
		if (strcmp(c->names[i].name, text) == 0)
			return &c->names[i];
	fail_msg("no name %s", text);
	return NULL;
}

static void
sel(const char *n)
{
	fdns_select(c, name(n), &ch);
}

/* The addresses of base, or of variant j (j >= 0), joined by blanks. */
static const char *
addrs(int j)
{
	static char	out[1024];
	char		a[64];
	int		i, n = j < 0 ? ch.nbase : ch.nvariant[j];

	out[0] = '\0';
	for (i = 0; i < n; i++) {
		fdns_addr_str(&ch.base[j < 0 ? i : ch.variant[j][i]], a,
		    sizeof(a));
		if (i > 0)
			strcat(out, " ");
		strcat(out, a);
	}
	return out;
}

static int
teardown(void **state)
{
	(void)state;
	fdns_conf_free(c);
	c = NULL;
	return 0;
}

/* ------------------------------------------------------------------ */
/* The scenarios */

#define POOL6 \
	"zone example.com:\n\tfile z\n" \
	"pool web:\n" \
	"\tmember 10.0.0.1 service a\n" \
	"\tmember 10.0.0.2 service b\n" \
	"\tmember 10.0.0.3 backup service c\n" \
	"\tmember 10.0.0.4 offsite service d\n" \
	"\tmember 10.0.0.5 offsite backup service e\n" \
	"\tmember 10.0.0.6 disabled service f\n"

static const char scenario_conf[] = POOL6
	"name all.example.com:\n\tpool web\n"
	"name fb.example.com:\n\tpool web\n"
	"\talldown fallback 192.0.2.1 192.0.2.2\n\tunknown fallback\n"
	"name off.example.com:\n\tpool web\n"
	"\talldown offsite\n\tunknown offsite\n"
	"name nod.example.com:\n\tpool web\n"
	"\talldown nodata\n\tunknown nodata\n"
	"name sf.example.com:\n\tpool web\n"
	"\talldown servfail\n\tunknown servfail\n"
	"name ord.example.com:\n\tpool web\n\tselect ordered\n"
	"\tunknown all\n"
	"name rot.example.com:\n\tpool web\n\tselect rotate\n"
	"name w.example.com:\n\tpool web\n\tselect weighted 2\n";

#define ALL5	"10.0.0.1 10.0.0.2 10.0.0.3 10.0.0.4 10.0.0.5"

static const struct scenario {
	const char	*name;
	const char	*states;	/* 10.0.0.1 .. 10.0.0.6 */
	enum fdns_akind	 kind;
	const char	*rule;
	int		 degraded;
	const char	*base;
	const char	*why;
} scenarios[] = {
	/* Levels: primary, then backup, then offsite, then offsite backup. */
	{ "all", "uuuuuu", FDNS_ANS_ADDRS, "best level", 0,
	    "10.0.0.1 10.0.0.2",
	    "5 of 5 members up; answering the 2 up at level primary" },
	{ "all", "uduuud", FDNS_ANS_ADDRS, "best level", 0, "10.0.0.1",
	    "4 of 5 members up; answering the 1 up at level primary" },
	{ "all", "dduuuu", FDNS_ANS_ADDRS, "backup level", 1, "10.0.0.3",
	    "3 of 5 members up; answering the 1 up at level backup" },
	{ "all", "ddduuu", FDNS_ANS_ADDRS, "offsite", 1, "10.0.0.4",
	    "2 of 5 members up, no onsite one; answering the 1 up offsite at "
	    "level primary" },
	{ "all", "dddduu", FDNS_ANS_ADDRS, "offsite", 1, "10.0.0.5",
	    "1 of 5 members up, no onsite one; answering the 1 up offsite at "
	    "level backup" },
	/* A disabled member is never answered, even up. */
	{ "all", "dddddu", FDNS_ANS_ADDRS, "all down: all", 1, ALL5,
	    "every member down: answering all 5 enabled members (alldown "
	    "all)" },
	/* Unknown: only when nothing is known. */
	{ "all", "??????", FDNS_ANS_ADDRS, "unknown: last", 1, ALL5,
	    "no member state known yet, none persisted: answering all 5 "
	    "enabled members (unknown last)" },
	{ "all", "?????d", FDNS_ANS_ADDRS, "unknown: last", 1, ALL5,
	    "no member state known yet, none persisted: answering all 5 "
	    "enabled members (unknown last)" },
	{ "all", "d?????", FDNS_ANS_ADDRS, "all down: all", 1, ALL5,
	    "no member up (1 down, 4 unknown): answering all 5 enabled "
	    "members (alldown all)" },
	{ "all", "?u????", FDNS_ANS_ADDRS, "best level", 0, "10.0.0.2",
	    "1 of 5 members up; answering the 1 up at level primary" },
	{ "all", "????u?", FDNS_ANS_ADDRS, "offsite", 1, "10.0.0.5",
	    "1 of 5 members up, no onsite one; answering the 1 up offsite at "
	    "level backup" },
	/* The rules. */
	{ "fb", "dddddd", FDNS_ANS_ADDRS, "all down: fallback", 1,
	    "192.0.2.1 192.0.2.2", "every member down: answering the 2 "
	    "fallback addresses (alldown fallback)" },
	{ "fb", "??????", FDNS_ANS_ADDRS, "unknown: fallback", 1,
	    "192.0.2.1 192.0.2.2", "no member state known yet: answering "
	    "the 2 fallback addresses (unknown fallback)" },
	{ "fb", "udddd?", FDNS_ANS_ADDRS, "best level", 0, "10.0.0.1",
	    "1 of 5 members up; answering the 1 up at level primary" },
	{ "off", "dddddd", FDNS_ANS_ADDRS, "all down: offsite", 1,
	    "10.0.0.4 10.0.0.5", "every member down: answering the 2 "
	    "offsite members (alldown offsite)" },
	{ "off", "??????", FDNS_ANS_ADDRS, "unknown: offsite", 1,
	    "10.0.0.4 10.0.0.5", "no member state known yet: answering the "
	    "2 offsite members (unknown offsite)" },
	{ "nod", "dddddd", FDNS_ANS_NODATA, "all down: nodata", 1, "",
	    "every member down: NOERROR without address (alldown nodata)" },
	{ "nod", "??????", FDNS_ANS_NODATA, "unknown: nodata", 1, "",
	    "no member state known yet: NOERROR without address (unknown "
	    "nodata)" },
	{ "nod", "dd?ddd", FDNS_ANS_NODATA, "all down: nodata", 1, "",
	    "no member up (4 down, 1 unknown): NOERROR without address "
	    "(alldown nodata)" },
	{ "sf", "dddddd", FDNS_ANS_SERVFAIL, "all down: servfail", 1, "",
	    "every member down: SERVFAIL (alldown servfail)" },
	{ "sf", "??????", FDNS_ANS_SERVFAIL, "unknown: servfail", 1, "",
	    "no member state known yet: SERVFAIL (unknown servfail)" },
	/* Ordered: the first up, by level then the file's order. */
	{ "ord", "uuuuuu", FDNS_ANS_ADDRS, "ordered", 0, "10.0.0.1",
	    "5 of 5 members up; answering the first up, 10.0.0.1, at level "
	    "primary" },
	{ "ord", "duuuuu", FDNS_ANS_ADDRS, "ordered", 0, "10.0.0.2",
	    "4 of 5 members up; answering the first up, 10.0.0.2, at level "
	    "primary" },
	{ "ord", "dduuuu", FDNS_ANS_ADDRS, "backup level", 1, "10.0.0.3",
	    "3 of 5 members up; answering the first up, 10.0.0.3, at level "
	    "backup" },
	{ "ord", "ddduuu", FDNS_ANS_ADDRS, "offsite", 1, "10.0.0.4",
	    "2 of 5 members up, no onsite one; answering the first up, "
	    "offsite 10.0.0.4, at level primary" },
	{ "ord", "??????", FDNS_ANS_ADDRS, "unknown: all", 1, ALL5,
	    "no member state known yet: answering all 5 enabled members "
	    "(unknown all)" },
	{ "ord", "dddddd", FDNS_ANS_ADDRS, "all down: all", 1, ALL5,
	    "every member down: answering all 5 enabled members (alldown "
	    "all)" },
	/* Rotate and weighted: base is every address chosen. */
	{ "rot", "uuuuuu", FDNS_ANS_ADDRS, "best level", 0,
	    "10.0.0.1 10.0.0.2", "5 of 5 members up; answering the 2 up at "
	    "level primary, rotated" },
	{ "w", "uuuuuu", FDNS_ANS_ADDRS, "best level", 0,
	    "10.0.0.1 10.0.0.2", "5 of 5 members up; answering 2 of the 2 up "
	    "at level primary by weight (a cycle of 2)" },
	{ "w", "ddduud", FDNS_ANS_ADDRS, "offsite", 1, "10.0.0.4",
	    "2 of 5 members up, no onsite one; answering 1 of the 1 up "
	    "offsite at level primary by weight (a cycle of 1)" },
};

static void
test_scenarios(void **state)
{
	const struct scenario	*s;
	char			 n[64];
	size_t			 i;

	(void)state;
	load(scenario_conf);
	for (i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		s = &scenarios[i];
		states(0, s->states);
		snprintf(n, sizeof(n), "%s.example.com", s->name);
		sel(n);
		if (ch.kind != s->kind || strcmp(ch.rule, s->rule) != 0 ||
		    ch.degraded != s->degraded ||
		    strcmp(addrs(-1), s->base) != 0 ||
		    strcmp(ch.why, s->why) != 0)
			fail_msg("scenario %zu (%s %s): got kind %d, rule "
			    "\"%s\", degraded %d, base \"%s\", why \"%s\"", i,
			    s->name, s->states, ch.kind, ch.rule,
			    ch.degraded, addrs(-1), ch.why);
		if (ch.kind == FDNS_ANS_ADDRS && strcmp(s->name, "rot") != 0 &&
		    strcmp(s->name, "w") != 0) {
			assert_int_equal(ch.nvariants, 1);
			assert_string_equal(addrs(0), s->base);
		}
		if (ch.kind != FDNS_ANS_ADDRS) {
			assert_int_equal(ch.nbase, 0);
			assert_int_equal(ch.nvariants, 0);
		}
	}
}

/* ------------------------------------------------------------------ */
/* Variants */

static void
test_rotate(void **state)
{
	(void)state;
	load("zone example.com:\n\tfile z\npool web:\n"
	    "\tmember 10.0.0.1 service a\n\tmember 10.0.0.2 service a\n"
	    "\tmember 10.0.0.3 service a\n\tmember 10.0.0.4 backup\n"
	    "name www.example.com:\n\tpool web\n\tselect rotate\n"
	    "\talldown all\n");
	states(0, "uuuu");
	sel("www.example.com");
	assert_int_equal(ch.nvariants, 3);
	assert_string_equal(addrs(0), "10.0.0.1 10.0.0.2 10.0.0.3");
	assert_string_equal(addrs(1), "10.0.0.2 10.0.0.3 10.0.0.1");
	assert_string_equal(addrs(2), "10.0.0.3 10.0.0.1 10.0.0.2");
	/* One up: one variant. */
	states(0, "udd?");
	sel("www.example.com");
	assert_int_equal(ch.nvariants, 1);
	assert_string_equal(addrs(0), "10.0.0.1");
	/* The static backup (always up) answers alone, not degraded away. */
	states(0, "dddd");
	sel("www.example.com");
	assert_string_equal(ch.rule, "backup level");
	assert_string_equal(addrs(0), "10.0.0.4");
}

/* A rule's addresses are rotated too with "rotate". */
static void
test_rotate_rule(void **state)
{
	(void)state;
	load("zone example.com:\n\tfile z\npool web:\n"
	    "\tmember 10.0.0.1 service a\n\tmember 10.0.0.2 service a\n"
	    "name www.example.com:\n\tpool web\n\tselect rotate\n"
	    "\talldown fallback 192.0.2.1 192.0.2.2 192.0.2.3\n");
	states(0, "dd");
	sel("www.example.com");
	assert_string_equal(ch.rule, "all down: fallback");
	assert_int_equal(ch.nvariants, 3);
	assert_string_equal(addrs(2), "192.0.2.3 192.0.2.1 192.0.2.2");
	states(0, "??");
	sel("www.example.com");
	assert_string_equal(ch.rule, "unknown: last");
	assert_int_equal(ch.nvariants, 2);
	assert_string_equal(addrs(1), "10.0.0.2 10.0.0.1");
}

/* How often each of k members is first in a variant, over the cycle. */
static void
first_counts(int *count, int k)
{
	int	j;

	memset(count, 0, k * sizeof(*count));
	for (j = 0; j < ch.nvariants; j++) {
		assert_true(ch.variant[j][0] < k);
		count[ch.variant[j][0]]++;
	}
}

static void
weighted_conf(const char *weights, int n)
{
	char	 text[4096], *s;
	char	 buf[256], *w, *save = NULL;
	int	 i = 0;

	s = text + sprintf(text, "zone example.com:\n\tfile z\npool web:\n");
	snprintf(buf, sizeof(buf), "%s", weights);
	for (w = strtok_r(buf, " ", &save); w != NULL;
	    w = strtok_r(NULL, " ", &save))
		s += sprintf(s, "\tmember 10.0.1.%d weight %s service s\n",
		    ++i, w);
	sprintf(s, "name www.example.com:\n\tpool web\n\tselect weighted %d\n",
	    n);
	load(text);
	for (i = 0; i < (int)c->pools[0].nmembers; i++)
		c->pools[0].members[i].state = FDNS_M_UP;
	sel("www.example.com");
	assert_string_equal(ch.rule, "best level");
	assert_int_equal(ch.degraded, 0);
}

static void
test_weighted_sequence(void **state)
{
	(void)state;
	/* Smooth weighted round robin of 3:1. */
	weighted_conf("3 1", 1);
	assert_int_equal(ch.nvariants, 4);
	assert_string_equal(addrs(0), "10.0.1.1");
	assert_string_equal(addrs(1), "10.0.1.1");
	assert_string_equal(addrs(2), "10.0.1.2");
	assert_string_equal(addrs(3), "10.0.1.1");
	assert_string_equal(addrs(-1), "10.0.1.1 10.0.1.2");
	/* N = 2: the first pick, then the next other one. */
	weighted_conf("3 1", 2);
	assert_int_equal(ch.nvariants, 4);
	assert_string_equal(addrs(0), "10.0.1.1 10.0.1.2");
	assert_string_equal(addrs(1), "10.0.1.1 10.0.1.2");
	assert_string_equal(addrs(2), "10.0.1.2 10.0.1.1");
	assert_string_equal(addrs(3), "10.0.1.1 10.0.1.2");
	assert_string_equal(ch.why, "2 of 2 members up; answering 2 of the 2 "
	    "up at level primary by weight (a cycle of 4)");
	/* Equal weights reduce to a cycle of one each. */
	weighted_conf("5 5 5", 1);
	assert_int_equal(ch.nvariants, 3);
	assert_string_equal(addrs(0), "10.0.1.1");
	assert_string_equal(addrs(1), "10.0.1.2");
	assert_string_equal(addrs(2), "10.0.1.3");
	assert_string_equal(ch.why, "3 of 3 members up; answering 1 of the 3 "
	    "up at level primary by weight (a cycle of 3)");
	/* N beyond the members up: all of them, the first by weight. */
	weighted_conf("2 1", 5);
	assert_int_equal(ch.nvariants, 3);
	assert_int_equal(ch.nvariant[0], 2);
	assert_int_equal(ch.nvariant[2], 2);
}

/* Over the cycle, each member is first as often as its weight says. */
static void
test_weighted_shares(void **state)
{
	static const struct {
		const char	*weights;
		int		 n;
		int		 cycle;
		int		 count[4];
	} t[] = {
		{ "5 3 2", 1, 10, { 5, 3, 2 } },
		{ "50 30 20", 1, 10, { 5, 3, 2 } },
		{ "5 3 2", 2, 10, { 5, 3, 2 } },
		{ "1 1 1 1", 3, 4, { 1, 1, 1, 1 } },
		{ "7 1", 1, 8, { 7, 1 } },
		{ "64", 1, 1, { 1 } },
		/* Sums beyond 64 are scaled to a cycle of 64. */
		{ "37 23 11", 1, 64, { 33, 21, 10 } },
		{ "1000 1", 1, 64, { 63, 1 } },
		{ "1 1000", 2, 64, { 1, 63 } },
		{ "40 40 1", 1, 64, { 32, 31, 1 } },
	};
	int	count[4], i, j, k, w, sum;
	char	buf[64], *p, *save;

	(void)state;
	for (i = 0; i < (int)(sizeof(t) / sizeof(t[0])); i++) {
		weighted_conf(t[i].weights, t[i].n);
		k = ch.nbase;
		assert_int_equal(ch.nvariants, t[i].cycle);
		first_counts(count, k);
		for (j = 0; j < k; j++)
			if (count[j] != t[i].count[j])
				fail_msg("weights %s: member %d first %d times, "
				    "not %d", t[i].weights, j, count[j],
				    t[i].count[j]);
		/* Within a slot of the weights' own shares. */
		snprintf(buf, sizeof(buf), "%s", t[i].weights);
		sum = 0;
		for (p = strtok_r(buf, " ", &save); p != NULL;
		    p = strtok_r(NULL, " ", &save))
			sum += atoi(p);
		snprintf(buf, sizeof(buf), "%s", t[i].weights);
		for (j = 0, p = strtok_r(buf, " ", &save); p != NULL;
		    p = strtok_r(NULL, " ", &save), j++) {
			w = atoi(p);
			assert_true(abs(count[j] * sum - w * ch.nvariants) <=
			    sum);
		}
		/* Every variant: N distinct members. */
		for (j = 0; j < ch.nvariants; j++) {
			assert_int_equal(ch.nvariant[j], t[i].n < k ? t[i].n :
			    k);
			if (ch.nvariant[j] > 1)
				assert_int_not_equal(ch.variant[j][0],
				    ch.variant[j][1]);
		}
	}
}

/* 32 members of weights 1 to 32: a cycle of 64, each at least once, and
 * a heavier member never first less often than a lighter one. */
static void
test_weighted_many(void **state)
{
	char	w[256], *s = w;
	int	count[32], i;

	(void)state;
	for (i = 1; i <= 32; i++)
		s += sprintf(s, "%s%d", i > 1 ? " " : "", i);
	weighted_conf(w, 3);
	assert_int_equal(ch.nbase, 32);
	assert_int_equal(ch.nvariants, FDNS_MAX_VARIANTS);
	first_counts(count, 32);
	for (i = 0; i < 32; i++) {
		assert_true(count[i] >= 1);
		if (i > 0)
			assert_true(count[i] >= count[i - 1]);
	}
	assert_int_equal(ch.nvariant[63], 3);
}

/* One weight of 1000 and 31 of 1: the minimums of one slot each leave
 * the heavy member 33 of the 64. */
static void
test_weighted_minimums(void **state)
{
	char	w[256], *s = w;
	int	count[32], i;

	(void)state;
	s += sprintf(s, "1000");
	for (i = 1; i < 32; i++)
		s += sprintf(s, " 1");
	weighted_conf(w, 1);
	assert_int_equal(ch.nvariants, FDNS_MAX_VARIANTS);
	first_counts(count, 32);
	assert_int_equal(count[0], 33);
	for (i = 1; i < 32; i++)
		assert_int_equal(count[i], 1);
}

/* ------------------------------------------------------------------ */
/* Members */

static void
test_static(void **state)
{
	(void)state;
	load("zone example.com:\n\tfile z\npool web:\n"
	    "\tmember 10.0.0.1 service a\n\tmember 10.0.0.2 backup\n"
	    "\tmember 10.0.0.3 disabled\n"
	    "name www.example.com:\n\tpool web\n\tunknown servfail\n");
	/* The static member counts as up, whatever its state says. */
	states(0, "udd");
	sel("www.example.com");
	assert_string_equal(addrs(-1), "10.0.0.1");
	states(0, "ddd");
	sel("www.example.com");
	assert_string_equal(ch.rule, "backup level");
	assert_int_equal(ch.degraded, 1);
	assert_string_equal(addrs(-1), "10.0.0.2");
	assert_string_equal(ch.why, "1 of 2 members up; answering the 1 up "
	    "at level backup");
	assert_int_equal(fdns_member_state(c, name("www.example.com"),
	    &c->pools[0].members[1]), FDNS_M_UP);
	/* Nothing known yet, but a static member is up: no unknown rule. */
	states(0, "???");
	sel("www.example.com");
	assert_int_equal(ch.kind, FDNS_ANS_ADDRS);
	assert_string_equal(addrs(-1), "10.0.0.2");

	/* Only static members: always the best level. */
	load("zone example.com:\n\tfile z\npool web:\n"
	    "\tmember 10.0.0.1\n\tmember 10.0.0.2\n"
	    "name www.example.com:\n\tpool web\n");
	sel("www.example.com");
	assert_string_equal(ch.rule, "best level");
	assert_int_equal(ch.degraded, 0);
	assert_string_equal(addrs(0), "10.0.0.1 10.0.0.2");
}

static void
test_disabled(void **state)
{
	(void)state;
	/* Every member disabled: the all-down rule, with nothing. */
	load("zone example.com:\n\tfile z\npool web:\n"
	    "\tmember 10.0.0.1 disabled\n\tmember 10.0.0.2 disabled\n"
	    "name a.example.com:\n\tpool web\n"
	    "name b.example.com:\n\tpool web\n\talldown fallback 192.0.2.1\n"
	    "name c.example.com:\n\tpool web\n\talldown servfail\n"
	    "name d.example.com:\n\tpool web\n\talldown offsite\n");
	states(0, "uu");
	sel("a.example.com");
	assert_int_equal(ch.kind, FDNS_ANS_NODATA);
	assert_string_equal(ch.rule, "all down: all");
	assert_string_equal(ch.why, "no enabled member: nothing to answer, "
	    "NOERROR without address (alldown all)");
	sel("b.example.com");
	assert_int_equal(ch.kind, FDNS_ANS_ADDRS);
	assert_string_equal(addrs(0), "192.0.2.1");
	sel("c.example.com");
	assert_int_equal(ch.kind, FDNS_ANS_SERVFAIL);
	sel("d.example.com");
	assert_int_equal(ch.kind, FDNS_ANS_NODATA);
	assert_string_equal(ch.why, "no enabled member: no offsite member: "
	    "nothing to answer, NOERROR without address (alldown offsite)");

	/* The best configured level is the best enabled one. */
	load("zone example.com:\n\tfile z\npool web:\n"
	    "\tmember 10.0.0.1 disabled service a\n"
	    "\tmember 10.0.0.2 backup service a\n"
	    "name www.example.com:\n\tpool web\n");
	states(0, "uu");
	sel("www.example.com");
	assert_string_equal(ch.rule, "best level");
	assert_int_equal(ch.degraded, 0);
	assert_string_equal(addrs(0), "10.0.0.2");
	assert_string_equal(ch.why, "1 of 1 members up; answering the 1 up "
	    "at level backup");
}

static void
test_offsite(void **state)
{
	(void)state;
	/* alldown offsite without offsite members: as all. */
	load("zone example.com:\n\tfile z\npool web:\n"
	    "\tmember 10.0.0.1 service a\n\tmember 10.0.0.2 backup service a\n"
	    "name www.example.com:\n\tpool web\n\talldown offsite\n"
	    "\tunknown offsite\n");
	states(0, "dd");
	sel("www.example.com");
	assert_string_equal(ch.rule, "all down: offsite");
	assert_string_equal(addrs(0), "10.0.0.1 10.0.0.2");
	assert_string_equal(ch.why, "every member down: no offsite member: "
	    "answering all 2 enabled members (alldown offsite)");
	states(0, "??");
	sel("www.example.com");
	assert_string_equal(ch.rule, "unknown: offsite");
	assert_string_equal(addrs(0), "10.0.0.1 10.0.0.2");

	/* A pool of offsite members only: their best level is the best. */
	load("zone example.com:\n\tfile z\npool dr:\n"
	    "\tmember 10.0.0.1 offsite service a\n"
	    "\tmember 10.0.0.2 offsite backup service a\n"
	    "name www.example.com:\n\tpool dr\n");
	states(0, "uu");
	sel("www.example.com");
	assert_string_equal(ch.rule, "best level");
	assert_int_equal(ch.degraded, 0);
	assert_string_equal(ch.why, "2 of 2 members up; answering the 1 up "
	    "offsite at level primary");
	states(0, "du");
	sel("www.example.com");
	assert_string_equal(ch.rule, "offsite");
	assert_int_equal(ch.degraded, 1);
	assert_string_equal(addrs(0), "10.0.0.2");

	/* Onsite before offsite, even an onsite backup3 before an offsite
	 * primary; the order of a rule's set: onsite by level, then offsite. */
	load("zone example.com:\n\tfile z\npool web:\n"
	    "\tmember 10.0.0.1 offsite service a\n"
	    "\tmember 10.0.0.2 backup3 service a\n"
	    "\tmember 10.0.0.3 priority 9 offsite service a\n"
	    "\tmember 10.0.0.4 service a\n"
	    "name www.example.com:\n\tpool web\n");
	states(0, "uuud");
	sel("www.example.com");
	assert_string_equal(ch.rule, "backup level");
	assert_string_equal(addrs(0), "10.0.0.2");
	states(0, "dddd");
	sel("www.example.com");
	assert_string_equal(addrs(0), "10.0.0.4 10.0.0.2 10.0.0.1 10.0.0.3");
}

/* ------------------------------------------------------------------ */
/* Scope */

static const char scope_conf[] =
	"zone example.com:\n\tfile a\n"
	"zone example.net:\n\tfile b\n"
	"pool web:\n\tmember 10.0.0.1 service web\n"
	"\tmember 10.0.0.2 service web\n\tscope domain\n"
	"pool shop:\n\tmember 10.0.0.1 service shop\n"
	"\tmember 10.0.0.3 service shop\n"
	"name www.example.com:\n\tpool web\n"
	"name shop.example.com:\n\tpool shop\n"
	"name shop.example.net:\n\tpool shop\n";

static void
test_scope_domain(void **state)
{
	const struct fdns_member	*shop1;

	(void)state;
	load(scope_conf);
	shop1 = &c->pools[1].members[0];
	/* DOWN in web (scope domain): DOWN for shop in example.com... */
	states(0, "du");
	states(1, "uu");
	assert_int_equal(fdns_member_state(c, name("shop.example.com"),
	    shop1), FDNS_M_DOWN);
	sel("shop.example.com");
	assert_string_equal(addrs(0), "10.0.0.3");
	assert_string_equal(ch.why, "1 of 2 members up; answering the 1 up "
	    "at level primary");
	/* ...but not in example.net, where no name answers from web. */
	assert_int_equal(fdns_member_state(c, name("shop.example.net"),
	    shop1), FDNS_M_UP);
	sel("shop.example.net");
	assert_string_equal(addrs(0), "10.0.0.1 10.0.0.3");
	/* An unknown state is overridden too. */
	states(1, "?u");
	assert_int_equal(fdns_member_state(c, name("shop.example.com"),
	    shop1), FDNS_M_DOWN);
	assert_int_equal(fdns_member_state(c, name("shop.example.net"),
	    shop1), FDNS_M_UNKNOWN);

	/* DOWN in shop (scope name) stays in shop. */
	states(0, "uu");
	states(1, "du");
	sel("www.example.com");
	assert_string_equal(addrs(0), "10.0.0.1 10.0.0.2");
	assert_int_equal(fdns_member_state(c, name("www.example.com"),
	    &c->pools[0].members[0]), FDNS_M_UP);
	sel("shop.example.com");
	assert_string_equal(addrs(0), "10.0.0.3");

	/* Scope name everywhere: each pool its own. */
	c->pools[0].scope = FDNS_SCOPE_NAME;
	states(0, "du");
	states(1, "uu");
	sel("shop.example.com");
	assert_string_equal(addrs(0), "10.0.0.1 10.0.0.3");
}

static void
test_worst_case(void **state)
{
	(void)state;
	load("detect = 20\nzone example.com:\n\tfile z\n"
	    "pool web:\n\tmember 10.0.0.1\n"
	    "pool fast:\n\tmember 10.0.0.1\n\tdetect 4\n"
	    "name a.example.com:\n\tpool web\n"
	    "name b.example.com:\n\tpool fast\n\tttl 5\n");
	assert_int_equal(fdns_worst_case_s(name("a.example.com")), 50);
	assert_int_equal(fdns_worst_case_s(name("b.example.com")), 9);
	load("zone example.com:\n\tfile z\npool web:\n\tmember 10.0.0.1\n"
	    "name a.example.com:\n\tpool web\n");
	assert_int_equal(fdns_worst_case_s(name("a.example.com")),
	    FDNS_DETECT_DEFAULT + FDNS_TTL_DEFAULT);
}

/* A name built by hand without a pool: never a crash. */
static void
test_no_pool(void **state)
{
	struct fdns_name	n;

	(void)state;
	memset(&n, 0, sizeof(n));
	n.alldown = FDNS_RULE_ALL;
	fdns_select(NULL, &n, &ch);
	assert_int_equal(ch.kind, FDNS_ANS_NODATA);
	n.alldown = FDNS_RULE_FALLBACK;
	fdns_select(NULL, &n, &ch);
	assert_int_equal(ch.kind, FDNS_ANS_NODATA);
	n.alldown = FDNS_RULE_LAST;
	fdns_select(NULL, &n, &ch);
	assert_string_equal(ch.rule, "all down: all");
	assert_int_equal(fdns_worst_case_s(&n), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_scenarios, teardown),
		cmocka_unit_test_teardown(test_rotate, teardown),
		cmocka_unit_test_teardown(test_rotate_rule, teardown),
		cmocka_unit_test_teardown(test_weighted_sequence, teardown),
		cmocka_unit_test_teardown(test_weighted_shares, teardown),
		cmocka_unit_test_teardown(test_weighted_many, teardown),
		cmocka_unit_test_teardown(test_weighted_minimums, teardown),
		cmocka_unit_test_teardown(test_static, teardown),
		cmocka_unit_test_teardown(test_disabled, teardown),
		cmocka_unit_test_teardown(test_offsite, teardown),
		cmocka_unit_test_teardown(test_scope_domain, teardown),
		cmocka_unit_test_teardown(test_worst_case, teardown),
		cmocka_unit_test_teardown(test_no_pool, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
