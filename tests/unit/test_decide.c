/*
 * test_decide.c: cmocka tests of lib/decide.c, the failover decision.
 * Most cases are rows of tests/unit/decide.table (its header describes
 * the syntax), parsed strictly here; every failing row is reported with
 * its line number. A few edge cases are tested directly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decide.h"

#ifndef DECIDE_TABLE
#define DECIDE_TABLE	"tests/unit/decide.table"
#endif

#define ROW_MAX_PEERS	8
#define ROW_MAX_LINE	512
#define ROW_MIN_ROWS	200

struct row {
	char			 buf[ROW_MAX_LINE];	/* names point here */
	struct decide_peer	 masters[ROW_MAX_PEERS];
	struct decide_peer	 slaves[ROW_MAX_PEERS];
	struct decide_input	 in;
	enum decide_action	 action;
	const char		*reason;		/* into buf, maybe "" */
};

static const char	*table_path = DECIDE_TABLE;

/* A decimal integer, the whole string; -1 if not. */
static int
row_int(const char *s, long long min, long long max, long long *out)
{
	char		*end;
	long long	 n;

	if (*s == '\0' || (*s != '-' && (*s < '0' || *s > '9')))
		return -1;
	n = strtoll(s, &end, 10);
	if (*end != '\0' || n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

/* "A/B" with both integers in range. */
static int
row_pair(char *s, long long min, long long max, long long *a, long long *b)
{
	char	*slash;

	if ((slash = strchr(s, '/')) == NULL)
		return -1;
	*slash = '\0';
	return row_int(s, min, max, a) == 0 &&
	    row_int(slash + 1, min, max, b) == 0 ? 0 : -1;
}

/*
 * One observation: UP, RECOVER or FAIL (heard, no failure), the same
 * followed by !N (N failed polls since), + (back: answered again after
 * it was FAIL, or changed state unseen) or - (left: was seen UP, is not), ?N or XN (never heard, N failed
 * polls; ? alone is ?0); any of them then ~ (the last answer was
 * unconfirmed).
 */
static int
row_peer(char *s, struct decide_peer *p, char *err, size_t errlen)
{
	char		*eq, *bang;
	long long	 n = 0;

	if ((eq = strchr(s, '=')) == NULL || eq == s) {
		snprintf(err, errlen, "peer \"%s\": want name=observation", s);
		return -1;
	}
	*eq++ = '\0';
	p->name = s;
	p->unconfirmed = 0;
	if (*eq != '\0' && eq[strlen(eq) - 1] == '~') {
		eq[strlen(eq) - 1] = '\0';
		p->unconfirmed = 1;
	}
	p->last = SVC_FAIL;
	p->heard = 0;
	p->fails = 0;
	p->back = 0;
	p->left = 0;
	if (*eq == '?' || *eq == 'X') {
		if ((eq[1] != '\0' || *eq == 'X') &&
		    row_int(eq + 1, 0, 1000, &n) == -1)
			goto bad;
		p->fails = (int)n;
		return 0;
	}
	if ((bang = strchr(eq, '!')) != NULL) {
		*bang++ = '\0';
		if (row_int(bang, 0, 1000, &n) == -1)
			goto bad;
	} else if ((bang = strpbrk(eq, "+-")) != NULL) {
		if (bang[1] != '\0')
			goto bad;
		if (*bang == '+')
			p->back = 1;
		else
			p->left = 1;
		*bang = '\0';
	}
	if (svc_state_parse(eq, &p->last) == -1)
		goto bad;
	p->heard = 1;
	p->fails = (int)n;
	return 0;
bad:
	snprintf(err, errlen, "peer %s: bad observation", s);
	return -1;
}

/* "-" or a comma-separated list of observations. */
static int
row_peers(char *s, struct decide_peer *v, size_t *n, char *err,
    size_t errlen)
{
	char	*tok, *next;

	*n = 0;
	if (strcmp(s, "-") == 0)
		return 0;
	for (tok = s; tok != NULL; tok = next) {
		if ((next = strchr(tok, ',')) != NULL)
			*next++ = '\0';
		if (*n == ROW_MAX_PEERS) {
			snprintf(err, errlen, "more than %d peers",
			    ROW_MAX_PEERS);
			return -1;
		}
		if (row_peer(tok, &v[*n], err, errlen) == -1)
			return -1;
		(*n)++;
	}
	return 0;
}

/*
 * The local state: UP, RECOVER or FAIL, then * (UP taken over after a
 * restart or a stall, not checked since) or !N (the local faild did not
 * answer the last N runs), then any of :ok and :sick (the health check,
 * after rise/fall), :back (it turned OK this run), :held (an operator's
 * hold), :released (the hold ended this run) and :rN (restarts left in
 * the window).
 */
static int
row_local(char *s, struct decide_input *in)
{
	char		*mark, *opt;
	long long	 n;

	/* :ok or :sick (the health check), :rN (restarts left) */
	while ((opt = strrchr(s, ':')) != NULL) {
		*opt++ = '\0';
		if (strcmp(opt, "ok") == 0)
			in->health = HEALTH_OK;
		else if (strcmp(opt, "sick") == 0)
			in->health = HEALTH_FAIL;
		else if (strcmp(opt, "back") == 0)
			in->health_back = 1;
		else if (strcmp(opt, "held") == 0)
			in->held = 1;
		else if (strcmp(opt, "released") == 0)
			in->hold_released = 1;
		else if (*opt == 'r' && row_int(opt + 1, 0, 1000, &n) == 0)
			in->restarts_left = (int)n;
		else
			return -1;
	}
	if ((mark = strpbrk(s, "*!")) != NULL) {
		if (*mark == '*' && mark[1] == '\0')
			in->unverified = 1;
		else if (*mark == '!' && row_int(mark + 1, 1, 1000, &n) == 0)
			in->local_fails = (int)n;
		else
			return -1;
		*mark = '\0';
	}
	return svc_state_parse(s, &in->local);
}

static int
row_action(const char *s, enum decide_action *out)
{
	int	a;

	for (a = ACT_NONE; a <= ACT_HOLD; a++)
		if (strcmp(s, decide_action_str((enum decide_action)a)) == 0) {
			*out = (enum decide_action)a;
			return 0;
		}
	return -1;
}

/*
 * row_parse --
 *	Parse one table line:
 *	LOCAL MASTERS SLAVES DEADCOUNT QUORUM LATE/DEAD RECLAIM -> ACTION
 *	[REASON-SUBSTRING...]
 *
 * Results:
 *	1 for a row, 0 for a blank or comment line, -1 with err set.
 */
static int
row_parse(const char *line, struct row *r, char *err, size_t errlen)
{
	char		*tok[9], *s, *end;
	long long	 a, b;
	size_t		 i, len;

	memset(r, 0, sizeof(*r));
	if ((len = strlen(line)) >= sizeof(r->buf)) {
		snprintf(err, errlen, "line too long");
		return -1;
	}
	memcpy(r->buf, line, len + 1);
	while (len > 0 && strchr(" \t\r\n", r->buf[len - 1]) != NULL)
		r->buf[--len] = '\0';
	s = r->buf + strspn(r->buf, " \t");
	if (*s == '\0' || *s == '#')
		return 0;

	for (i = 0; i < 9; i++) {
		if (*s == '\0') {
			snprintf(err, errlen, "%zu fields, want at least 9",
			    i);
			return -1;
		}
		tok[i] = s;
		s += strcspn(s, " \t");
		end = s;
		s += strspn(s, " \t");
		*end = '\0';
	}
	r->reason = s;

	if (row_local(tok[0], &r->in) == -1) {
		snprintf(err, errlen, "bad local state \"%s\"", tok[0]);
		return -1;
	}
	r->in.masters = r->masters;
	r->in.slaves = r->slaves;
	if (row_peers(tok[1], r->masters, &r->in.nmasters, err, errlen) == -1 ||
	    row_peers(tok[2], r->slaves, &r->in.nslaves, err, errlen) == -1)
		return -1;
	if (row_int(tok[3], 0, 1000, &a) == -1) {
		snprintf(err, errlen, "bad deadcount \"%s\"", tok[3]);
		return -1;
	}
	r->in.deadcount = (int)a;
	if (strcmp(tok[4], "-") != 0) {
		if (row_pair(tok[4], 0, 1000, &a, &b) == -1 || a > b) {
			snprintf(err, errlen, "bad quorum, want - or R/T");
			return -1;
		}
		r->in.quorum_reachable = (size_t)a;
		r->in.quorum_total = (size_t)b;
	}
	if (row_pair(tok[5], -1000000, 1000000, &a, &b) == -1) {
		snprintf(err, errlen, "bad late/dead, want L/D in ms");
		return -1;
	}
	r->in.late_ms = a;
	r->in.dead_ms = b;
	if (strcmp(tok[6], "yes") == 0)
		r->in.have_reclaim = 1;
	else if (strcmp(tok[6], "no") != 0) {
		snprintf(err, errlen, "bad reclaim \"%s\", want yes or no",
		    tok[6]);
		return -1;
	}
	if (strcmp(tok[7], "->") != 0) {
		snprintf(err, errlen, "want -> before the action, got \"%s\"",
		    tok[7]);
		return -1;
	}
	if (row_action(tok[8], &r->action) == -1) {
		snprintf(err, errlen, "bad action \"%s\"", tok[8]);
		return -1;
	}
	return 1;
}

static void
test_decide_table(void **state)
{
	FILE			*f;
	char			 line[ROW_MAX_LINE + 2], err[256];
	struct row		 r;
	struct decide_result	 res;
	int			 lineno = 0, rows = 0, bad = 0, rc;

	(void)state;
	if ((f = fopen(table_path, "r")) == NULL)
		fail_msg("%s: cannot open", table_path);
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			print_error("%s:%d: line too long: row failed\n",
			    table_path, lineno);
			bad++;
			while (fgets(line, sizeof(line), f) != NULL &&
			    strchr(line, '\n') == NULL)
				;
			continue;
		}
		if ((rc = row_parse(line, &r, err, sizeof(err))) == 0)
			continue;
		rows++;
		if (rc == -1) {
			print_error("%s:%d: malformed row failed: %s\n",
			    table_path, lineno, err);
			bad++;
			continue;
		}
		memset(&res, 0xa5, sizeof(res));
		decide(&r.in, &res);
		if (res.action != r.action ||
		    memchr(res.reason, '\0', sizeof(res.reason)) == NULL ||
		    strstr(res.reason, r.reason) == NULL) {
			print_error("%s:%d: row failed: want %s (%s), "
			    "got %s (%.*s)\n", table_path, lineno,
			    decide_action_str(r.action), r.reason,
			    decide_action_str(res.action),
			    (int)sizeof(res.reason), res.reason);
			bad++;
		}
	}
	fclose(f);
	if (bad > 0)
		fail_msg("%d of %d rows failed", bad, rows);
	if (rows < ROW_MIN_ROWS)
		fail_msg("%s: %d rows, want at least %d", table_path, rows,
		    ROW_MIN_ROWS);
}

/* The parser must refuse what it does not understand. */
static void
test_decide_parse(void **state)
{
	static const char *const bad[] = {
		"UP - - 3 - 0/3000 no ->",
		"UP - - 3 - 0/3000 no => NONE",
		"UPP - - 3 - 0/3000 no -> NONE",
		"NONE - - 3 - 0/3000 no -> NONE",
		"UP a - 3 - 0/3000 no -> NONE",
		"UP =UP - 3 - 0/3000 no -> NONE",
		"UP a=UPX - 3 - 0/3000 no -> NONE",
		"UP a=UP!x - 3 - 0/3000 no -> NONE",
		"UP a=UP! - 3 - 0/3000 no -> NONE",
		"UP a=X - 3 - 0/3000 no -> NONE",
		"UP a=?1x - 3 - 0/3000 no -> NONE",
		"UP a=UP,,b=UP - 3 - 0/3000 no -> NONE",
		"UP a=UP, - 3 - 0/3000 no -> NONE",
		"UP - - x - 0/3000 no -> NONE",
		"UP - - 3 3/2 0/3000 no -> NONE",
		"UP - - 3 2 0/3000 no -> NONE",
		"UP - - 3 - 0 no -> NONE",
		"UP - - 3 - 0/3000x no -> NONE",
		"UP - - 3 - 0/3000 maybe -> NONE",
		"UP - - 3 - 0/3000 no -> STAY",
		"UP - - 3 - 0/3000 no -> none",
		("UP a=UP,b=UP,c=UP,d=UP,e=UP,f=UP,g=UP,h=UP,i=UP - 3 - "
		    "0/3000 no -> NONE"),
	};
	struct row	r;
	char		err[256];
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (row_parse(bad[i], &r, err, sizeof(err)) != -1)
			fail_msg("accepted: %s", bad[i]);
	assert_int_equal(row_parse("", &r, err, sizeof(err)), 0);
	assert_int_equal(row_parse("  # x", &r, err, sizeof(err)), 0);
	assert_int_equal(row_parse("FAIL a=UP!2,b=?,c=X4 d=?1 1 2/3 5/9 yes "
	    "-> RECLAIM  some reason  \n", &r, err, sizeof(err)), 1);
	assert_int_equal(r.in.local, SVC_FAIL);
	assert_int_equal(r.in.nmasters, 3);
	assert_string_equal(r.masters[0].name, "a");
	assert_int_equal(r.masters[0].last, SVC_UP);
	assert_true(r.masters[0].heard);
	assert_int_equal(r.masters[0].fails, 2);
	assert_false(r.masters[1].heard);
	assert_int_equal(r.masters[1].fails, 0);
	assert_false(r.masters[2].heard);
	assert_int_equal(r.masters[2].fails, 4);
	assert_int_equal(r.in.nslaves, 1);
	assert_int_equal(r.slaves[0].fails, 1);
	assert_int_equal(r.in.deadcount, 1);
	assert_int_equal(r.in.quorum_reachable, 2);
	assert_int_equal(r.in.quorum_total, 3);
	assert_int_equal(r.in.late_ms, 5);
	assert_int_equal(r.in.dead_ms, 9);
	assert_true(r.in.have_reclaim);
	assert_int_equal(r.action, ACT_RECLAIM);
	assert_string_equal(r.reason, "some reason");
}

static void
test_decide_names(void **state)
{
	(void)state;
	assert_string_equal(decide_action_str(ACT_NONE), "NONE");
	assert_string_equal(decide_action_str(ACT_REANNOUNCE), "REANNOUNCE");
	assert_string_equal(decide_action_str(ACT_REPOLL), "REPOLL");
	assert_string_equal(decide_action_str((enum decide_action)99), "?");
	assert_string_equal(decide_view_str(VIEW_UNKNOWN), "UNKNOWN");
	assert_string_equal(decide_view_str((enum decide_view)99), "?");
}

static void
test_decide_view(void **state)
{
	struct decide_peer	p = { "a", SVC_UP, 1, 0 };

	(void)state;
	assert_int_equal(decide_peer_view(&p, 3), VIEW_UP);
	p.fails = 2;
	assert_int_equal(decide_peer_view(&p, 3), VIEW_UP);
	p.fails = 3;
	assert_int_equal(decide_peer_view(&p, 3), VIEW_FAIL);
	/* deadcount 1: the first failed poll is enough */
	p.fails = 0;
	assert_int_equal(decide_peer_view(&p, 1), VIEW_UP);
	p.fails = 1;
	assert_int_equal(decide_peer_view(&p, 1), VIEW_FAIL);
	/* deadcount 0 or less means the default, 3 */
	p.fails = 2;
	assert_int_equal(decide_peer_view(&p, 0), VIEW_UP);
	assert_int_equal(decide_peer_view(&p, -1), VIEW_UP);
	p.fails = 3;
	assert_int_equal(decide_peer_view(&p, 0), VIEW_FAIL);
	/* never heard */
	p.heard = 0;
	p.fails = 0;
	assert_int_equal(decide_peer_view(&p, 1), VIEW_UNKNOWN);
	p.fails = 1;
	assert_int_equal(decide_peer_view(&p, 1), VIEW_FAIL);
	p.fails = -5;
	assert_int_equal(decide_peer_view(&p, 3), VIEW_UNKNOWN);
	/* NONE (service unknown there) and junk count as FAIL */
	p.heard = 1;
	p.fails = 0;
	p.last = SVC_NONE;
	assert_int_equal(decide_peer_view(&p, 3), VIEW_FAIL);
	p.last = (enum svc_state)42;
	assert_int_equal(decide_peer_view(&p, 3), VIEW_FAIL);
	p.last = SVC_RECOVER;
	assert_int_equal(decide_peer_view(&p, 3), VIEW_RECOVER);
	assert_int_equal(decide_peer_view(NULL, 3), VIEW_FAIL);
}

static void
test_decide_empty(void **state)
{
	struct decide_input	in;
	struct decide_result	res;

	(void)state;
	memset(&in, 0, sizeof(in));
	in.local = SVC_RECOVER;
	decide(&in, &res);
	assert_int_equal(res.action, ACT_START);
	assert_string_equal(res.reason, "no master up");

	/* NULL lists with a count are empty lists */
	in.nmasters = 4;
	in.nslaves = 4;
	in.local = SVC_UP;
	decide(&in, &res);
	assert_int_equal(res.action, ACT_NONE);

	/* NONE locally is not UP */
	in.local = SVC_NONE;
	decide(&in, &res);
	assert_int_equal(res.action, ACT_START);

	/* no input, no result: no crash */
	decide(NULL, &res);
	assert_int_equal(res.action, ACT_NONE);
	decide(&in, NULL);
	decide(NULL, NULL);
}

static void
test_decide_reason(void **state)
{
	struct decide_peer	m[2] = {
		{ NULL, SVC_FAIL, 0, 1 },
		{ NULL, SVC_UP, 1, 0 },
	};
	struct decide_input	in;
	struct decide_result	res;
	char			long_name[400];

	(void)state;
	memset(&in, 0, sizeof(in));
	in.local = SVC_UP;
	in.masters = m;
	in.nmasters = 2;
	in.deadcount = 3;
	decide(&in, &res);
	assert_int_equal(res.action, ACT_STOP);
	assert_string_equal(res.reason, "master ? UP");

	m[1].last = SVC_FAIL;
	in.local = SVC_FAIL;
	decide(&in, &res);
	assert_int_equal(res.action, ACT_NONE);
	assert_string_equal(res.reason, "master ? not heard yet "
	    "(1/3 polls failed)");

	/* a name longer than the buffer is cut, never overflows */
	memset(long_name, 'h', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	m[0].name = long_name;
	m[0].heard = 1;
	m[0].last = SVC_RECOVER;
	memset(&res, 'x', sizeof(res));
	decide(&in, &res);
	assert_int_equal(res.action, ACT_NONE);
	assert_int_equal(strlen(res.reason), sizeof(res.reason) - 1);
	assert_memory_equal(res.reason, "master hhh", 10);

	/* stall: the lateness is named, and wins over everything */
	in.late_ms = 2300;
	in.dead_ms = 2299;
	decide(&in, &res);
	assert_int_equal(res.action, ACT_REPOLL);
	assert_string_equal(res.reason, "stalled 2300 ms, re-polling");
}

static void
test_decide_deadcount_one(void **state)
{
	struct decide_peer	m = { "b", SVC_UP, 1, 0 };
	struct decide_input	in;
	struct decide_result	res;

	(void)state;
	memset(&in, 0, sizeof(in));
	in.local = SVC_RECOVER;
	in.masters = &m;
	in.nmasters = 1;
	in.deadcount = 1;
	in.dead_ms = 1000;
	decide(&in, &res);
	assert_int_equal(res.action, ACT_NONE);
	assert_string_equal(res.reason, "master b UP");
	m.fails = 1;
	decide(&in, &res);
	assert_int_equal(res.action, ACT_START);
	/* restart: never heard, nothing failed yet: wait */
	m.heard = 0;
	m.fails = 0;
	decide(&in, &res);
	assert_int_equal(res.action, ACT_NONE);
	assert_string_equal(res.reason, "master b not heard yet "
	    "(0/1 polls failed)");
	m.fails = 1;
	decide(&in, &res);
	assert_int_equal(res.action, ACT_START);
}

int
main(int argc, char *argv[])
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decide_table),
		cmocka_unit_test(test_decide_parse),
		cmocka_unit_test(test_decide_names),
		cmocka_unit_test(test_decide_view),
		cmocka_unit_test(test_decide_empty),
		cmocka_unit_test(test_decide_reason),
		cmocka_unit_test(test_decide_deadcount_one),
	};

	if (argc > 1)
		table_path = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
