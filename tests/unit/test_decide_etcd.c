/*
 * test_decide_etcd.c: cmocka test of decide_etcd (lib/decide.c), the etcd
 * backend's decision: every row of tests/unit/decide_etcd.table (its
 * header describes the syntax), each failing row reported with its line.
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

#ifndef DECIDE_ETCD_TABLE
#define DECIDE_ETCD_TABLE	"tests/unit/decide_etcd.table"
#endif

static int
parse_state(const char *w, enum svc_state *st)
{
	if (strcmp(w, "UP") == 0)
		*st = SVC_UP;
	else if (strcmp(w, "RECOVER") == 0)
		*st = SVC_RECOVER;
	else if (strcmp(w, "FAIL") == 0)
		*st = SVC_FAIL;
	else
		return -1;
	return 0;
}

static int
parse_action(const char *w, enum decide_action *a)
{
	int	i;

	for (i = ACT_NONE; i <= ACT_HOLD; i++)
		if (strcmp(w, decide_action_str(i)) == 0) {
			*a = i;
			return 0;
		}
	return -1;
}

static int
parse_rank(const char *w, int *rank)
{
	char	*end;
	long	 n;

	if (strcmp(w, "-") == 0) {
		*rank = -1;
		return 0;
	}
	n = strtol(w, &end, 10);
	if (*w == '\0' || *end != '\0' || n < -1 || n > 100)
		return -1;
	*rank = (int)n;
	return 0;
}

/* One row into in and the expected action; -1 on a syntax error. */
static int
parse_row(char *line, struct decide_etcd_input *in, enum decide_action *a)
{
	char	*w[24], *save;
	int	 n = 0, i;

	for (w[n] = strtok_r(line, " \t\n", &save); w[n] != NULL && n < 23;
	    w[n] = strtok_r(NULL, " \t\n", &save))
		n++;
	if (n < 4 || strcmp(w[n - 2], "->") != 0 ||
	    parse_action(w[n - 1], a) < 0 || parse_state(w[0], &in->local) < 0)
		return -1;
	memset(in, 0, sizeof(*in));
	parse_state(w[0], &in->local);
	in->synced = 1;
	in->restarts_left = 3;
	in->owner_rank = -1;
	in->nmasters = 1;
	if (strcmp(w[1], "none") == 0)
		in->owner = OWNER_NONE;
	else if (strcmp(w[1], "self") == 0) {
		in->owner = OWNER_SELF;
		in->owner_rank = 0;
	} else if (strncmp(w[1], "other:", 6) == 0) {
		in->owner = OWNER_OTHER;
		if (parse_rank(w[1] + 6, &in->owner_rank) < 0)
			return -1;
	} else
		return -1;
	for (i = 2; i < n - 2; i++) {
		if (strcmp(w[i], "starting") == 0)
			in->starting = 1;
		else if (strcmp(w[i], "lost") == 0)
			in->coord = COORD_LOST;
		else if (strcmp(w[i], "unsure") == 0)
			in->coord = COORD_UNSURE;
		else if (strcmp(w[i], "keep") == 0)
			in->keep = 1;
		else if (strcmp(w[i], "unsynced") == 0)
			in->synced = 0;
		else if (strcmp(w[i], "ok") == 0)
			in->health = HEALTH_OK;
		else if (strcmp(w[i], "sick") == 0)
			in->health = HEALTH_FAIL;
		else if (strcmp(w[i], "r0") == 0)
			in->restarts_left = 0;
		else if (strcmp(w[i], "held") == 0)
			in->held = 1;
		else if (strcmp(w[i], "cooling") == 0)
			in->cooling = 1;
		else if (strcmp(w[i], "release") == 0)
			in->release_asked = 1;
		else if (strncmp(w[i], "self=", 5) == 0) {
			if (parse_rank(w[i] + 5, &in->self_rank) < 0)
				return -1;
		} else if (strncmp(w[i], "masters=", 8) == 0) {
			if (parse_rank(w[i] + 8, &in->nmasters) < 0)
				return -1;
		} else if (strncmp(w[i], "first=", 6) == 0) {
			if (parse_rank(w[i] + 6, &in->first_eligible) < 0)
				return -1;
		} else
			return -1;
	}
	return 0;
}

static void
test_table(void **state)
{
	struct decide_etcd_input	in;
	struct decide_result		res;
	enum decide_action		want;
	char				line[512], copy[512];
	FILE				*f;
	int				lineno = 0, rows = 0, bad = 0;

	(void)state;
	f = fopen(DECIDE_ETCD_TABLE, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (line[0] == '#' || strspn(line, " \t\n") == strlen(line))
			continue;
		snprintf(copy, sizeof(copy), "%s", line);
		copy[strcspn(copy, "\n")] = '\0';
		if (parse_row(line, &in, &want) < 0) {
			fprintf(stderr, "%s:%d: bad row: %s\n",
			    DECIDE_ETCD_TABLE, lineno, copy);
			bad++;
			continue;
		}
		rows++;
		memset(&res, 0, sizeof(res));
		decide_etcd(&in, &res);
		if (res.action != want) {
			fprintf(stderr, "%s:%d: %s: got %s (%s)\n",
			    DECIDE_ETCD_TABLE, lineno, copy,
			    decide_action_str(res.action), res.reason);
			bad++;
		}
	}
	fclose(f);
	assert_int_equal(bad, 0);
	assert_true(rows >= 40);
}

/* Every reason is set and short enough for the log. */
static void
test_reasons(void **state)
{
	struct decide_etcd_input	in;
	struct decide_result		res;
	int				c, o;

	(void)state;
	for (c = COORD_OK; c <= COORD_LOST; c++)
		for (o = OWNER_NONE; o <= OWNER_OTHER; o++) {
			memset(&in, 0, sizeof(in));
			memset(&res, 0, sizeof(res));
			in.coord = c;
			in.owner = o;
			in.local = SVC_UP;
			in.synced = 1;
			in.nmasters = 1;
			decide_etcd(&in, &res);
			assert_true(res.reason[0] != '\0');
		}
	assert_string_equal(decide_coord_str(COORD_UNSURE), "UNSURE");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_reasons),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
