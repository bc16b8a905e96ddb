/*
 * test_state.c: cmocka tests of lib/state.c, the service state model and
 * table: state names, set/get/delete with change times and setters, undo
 * by state_restore, growth to thousands of services, sorted listing, the
 * limit on services.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "state.h"

static void
test_state_str_parse(void **state)
{
	enum svc_state	st;

	(void)state;
	assert_string_equal(svc_state_str(SVC_UP), "UP");
	assert_string_equal(svc_state_str(SVC_RECOVER), "RECOVER");
	assert_string_equal(svc_state_str(SVC_FAIL), "FAIL");
	assert_string_equal(svc_state_str(SVC_NONE), "NONE");
	assert_string_equal(svc_state_str((enum svc_state)17), "?");

	assert_int_equal(svc_state_parse("UP", &st), 0);
	assert_int_equal(st, SVC_UP);
	assert_int_equal(svc_state_parse("recover", &st), 0);
	assert_int_equal(st, SVC_RECOVER);
	assert_int_equal(svc_state_parse("Fail", &st), 0);
	assert_int_equal(st, SVC_FAIL);
	assert_int_equal(svc_state_parse("uP", &st), 0);
	assert_int_equal(st, SVC_UP);

	st = SVC_FAIL;
	assert_int_equal(svc_state_parse("NONE", &st), -1);
	assert_int_equal(svc_state_parse("", &st), -1);
	assert_int_equal(svc_state_parse("UPX", &st), -1);
	assert_int_equal(svc_state_parse("U", &st), -1);
	assert_int_equal(svc_state_parse(" UP", &st), -1);
	assert_int_equal(st, SVC_FAIL);
}

static void
test_state_set_get(void **state)
{
	struct state_table	*t = state_table_new(100000);
	struct service		*s;
	enum svc_state		 old = SVC_UP;

	(void)state;
	assert_int_equal(state_count(t), 0);
	assert_null(state_get(t, "www"));

	assert_int_equal(state_set(t, "www", SVC_UP, 1000, "127.0.0.1", &old),
	    1);
	assert_int_equal(old, SVC_NONE);
	assert_int_equal(state_count(t), 1);
	s = state_get(t, "www");
	assert_non_null(s);
	assert_string_equal(s->name, "www");
	assert_int_equal(s->state, SVC_UP);
	assert_int_equal(s->changed_ms, 1000);
	assert_string_equal(s->setter, "127.0.0.1");

	/* Same state: no change of time or setter. */
	assert_int_equal(state_set(t, "www", SVC_UP, 2000, "failsh@10.0.0.2",
	    &old), 0);
	assert_int_equal(old, SVC_UP);
	assert_int_equal(s->changed_ms, 1000);
	assert_string_equal(s->setter, "127.0.0.1");
	assert_int_equal(state_count(t), 1);

	assert_int_equal(state_set(t, "www", SVC_FAIL, 3000, "hc@10.0.0.3",
	    &old), 1);
	assert_int_equal(old, SVC_UP);
	s = state_get(t, "www");
	assert_int_equal(s->state, SVC_FAIL);
	assert_int_equal(s->changed_ms, 3000);
	assert_string_equal(s->setter, "hc@10.0.0.3");

	assert_int_equal(state_set(t, "www", SVC_RECOVER, 4000, "", &old), 1);
	assert_int_equal(old, SVC_FAIL);
	assert_string_equal(s->setter, "");

	/* Names are case-sensitive and independent. */
	assert_null(state_get(t, "WWW"));
	assert_int_equal(state_set(t, "WWW", SVC_UP, 5000, "x", &old), 1);
	assert_int_equal(old, SVC_NONE);
	assert_int_equal(state_count(t), 2);
	assert_int_equal(state_get(t, "www")->state, SVC_RECOVER);
	assert_int_equal(state_get(t, "WWW")->state, SVC_UP);
	state_table_free(t);
	state_table_free(NULL);
}

static void
test_state_setter_long(void **state)
{
	struct state_table	*t = state_table_new(100000);
	char			 setter[300];
	enum svc_state		 old;
	struct service		*s;

	(void)state;
	memset(setter, 'a', sizeof(setter) - 1);
	setter[sizeof(setter) - 1] = '\0';
	state_set(t, "www", SVC_UP, 1, setter, &old);
	s = state_get(t, "www");
	assert_int_equal(strlen(s->setter), STATE_MAX_SETTER - 1);
	assert_memory_equal(s->setter, setter, STATE_MAX_SETTER - 1);
	state_table_free(t);
}

static void
test_state_delete(void **state)
{
	struct state_table	*t = state_table_new(100000);
	enum svc_state		 old;

	(void)state;
	state_set(t, "a", SVC_UP, 1, "x", &old);
	state_set(t, "b", SVC_FAIL, 2, "y", &old);
	assert_int_equal(state_delete(t, "a"), 0);
	assert_int_equal(state_count(t), 1);
	assert_null(state_get(t, "a"));
	assert_non_null(state_get(t, "b"));
	assert_int_equal(state_delete(t, "a"), -1);
	assert_int_equal(state_delete(t, "nosuch"), -1);
	assert_int_equal(state_count(t), 1);

	/* Re-created: a new service, changed_ms from the new set. */
	assert_int_equal(state_set(t, "a", SVC_UP, 10, "z", &old), 1);
	assert_int_equal(old, SVC_NONE);
	assert_int_equal(state_get(t, "a")->changed_ms, 10);
	assert_string_equal(state_get(t, "a")->setter, "z");
	assert_int_equal(state_delete(t, "b"), 0);
	assert_int_equal(state_delete(t, "a"), 0);
	assert_int_equal(state_count(t), 0);
	state_table_free(t);
}

static void
test_state_restore(void **state)
{
	struct state_table	*t = state_table_new(100000);
	struct service		 saved, *s;
	enum svc_state		 old;

	(void)state;
	state_set(t, "www", SVC_UP, 1000, "first", &old);
	saved = *state_get(t, "www");

	/* Undo a change. */
	state_set(t, "www", SVC_FAIL, 2000, "second", &old);
	state_restore(t, &saved, "www");
	s = state_get(t, "www");
	assert_int_equal(s->state, SVC_UP);
	assert_int_equal(s->changed_ms, 1000);
	assert_string_equal(s->setter, "first");
	assert_int_equal(state_count(t), 1);

	/* Undo a delete. */
	assert_int_equal(state_delete(t, "www"), 0);
	state_restore(t, &saved, "www");
	s = state_get(t, "www");
	assert_non_null(s);
	assert_int_equal(s->state, SVC_UP);
	assert_int_equal(s->changed_ms, 1000);
	assert_string_equal(s->setter, "first");
	assert_int_equal(state_count(t), 1);

	/* Undo a creation: the service had not existed. */
	state_set(t, "new", SVC_RECOVER, 3000, "third", &old);
	assert_int_equal(old, SVC_NONE);
	state_restore(t, NULL, "new");
	assert_null(state_get(t, "new"));
	assert_int_equal(state_count(t), 1);
	state_table_free(t);
}

/* A full table refuses new services, and only new ones. */
static void
test_state_limit(void **state)
{
	struct state_table	*t = state_table_new(2);
	struct service		 saved;
	enum svc_state		 old;

	(void)state;
	assert_int_equal(state_set(t, "a", SVC_UP, 1, "x", &old), 1);
	assert_int_equal(state_set(t, "b", SVC_UP, 1, "x", &old), 1);
	old = SVC_UP;
	assert_int_equal(state_set(t, "c", SVC_UP, 1, "x", &old), -1);
	assert_null(state_get(t, "c"));
	assert_int_equal(state_count(t), 2);
	/* Existing services still change. */
	assert_int_equal(state_set(t, "a", SVC_FAIL, 2, "y", &old), 1);
	assert_int_equal(state_set(t, "a", SVC_FAIL, 3, "z", &old), 0);
	saved = *state_get(t, "b");
	saved.state = SVC_RECOVER;
	assert_int_equal(state_restore(t, &saved, "b"), 0);
	assert_int_equal(state_get(t, "b")->state, SVC_RECOVER);
	assert_int_equal(state_restore(t, &saved, "c"), -1);
	/* A delete makes room. */
	assert_int_equal(state_delete(t, "b"), 0);
	assert_int_equal(state_set(t, "c", SVC_UP, 4, "x", &old), 1);
	assert_int_equal(state_count(t), 2);
	state_table_free(t);
}

static void
test_state_grow(void **state)
{
	struct state_table	*t = state_table_new(100000);
	struct service		*s;
	enum svc_state		 old;
	char			 name[32], setter[32];
	int			 i;

	(void)state;
	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "svc%05d", i);
		snprintf(setter, sizeof(setter), "h%d@10.0.%d.%d", i,
		    i / 256, i % 256);
		assert_int_equal(state_set(t, name, (enum svc_state)(i % 3),
		    1795417200000LL + i, setter, &old), 1);
		assert_int_equal(old, SVC_NONE);
	}
	assert_int_equal(state_count(t), 5000);
	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "svc%05d", i);
		snprintf(setter, sizeof(setter), "h%d@10.0.%d.%d", i,
		    i / 256, i % 256);
		s = state_get(t, name);
		if (s == NULL)
			fail_msg("%s lost after growth", name);
		assert_string_equal(s->name, name);
		assert_int_equal(s->state, i % 3);
		assert_int_equal(s->changed_ms, 1795417200000LL + i);
		assert_string_equal(s->setter, setter);
	}
	assert_null(state_get(t, "svc05000"));
	for (i = 0; i < 5000; i += 2) {
		snprintf(name, sizeof(name), "svc%05d", i);
		assert_int_equal(state_delete(t, name), 0);
	}
	assert_int_equal(state_count(t), 2500);
	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "svc%05d", i);
		if (i % 2 == 0)
			assert_null(state_get(t, name));
		else
			assert_non_null(state_get(t, name));
	}
	state_table_free(t);
}

static void
test_state_sorted(void **state)
{
	static const char *const in[] = {
		"www", "ftp", "a", "Zed", "mail.2", "mail.10", "mail-1", "_x",
		"b", "aa", "9", "www2",
	};
	static const char *const want[] = {
		"9", "Zed", "_x", "a", "aa", "b", "ftp", "mail-1", "mail.10",
		"mail.2", "www", "www2",
	};
	struct state_table	*t = state_table_new(100000);
	struct service		**v;
	enum svc_state		 old;
	size_t			 i, n = 99;

	(void)state;
	v = state_sorted(t, &n);
	assert_non_null(v);
	assert_int_equal(n, 0);
	free(v);

	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		state_set(t, in[i], SVC_UP, (int64_t)i, "s", &old);
	v = state_sorted(t, &n);
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < n; i++)
		assert_string_equal(v[i]->name, want[i]);
	/* The array points at the live records. */
	assert_ptr_equal(v[0], state_get(t, "9"));
	free(v);

	/* 300 services, inserted in reverse, come back in order. */
	for (i = 300; i > 0; i--) {
		char name[16];

		snprintf(name, sizeof(name), "s%03zu", i);
		state_set(t, name, SVC_FAIL, 1, "s", &old);
	}
	v = state_sorted(t, &n);
	assert_int_equal(n, 312);
	for (i = 1; i < n; i++)
		if (strcmp(v[i - 1]->name, v[i]->name) >= 0)
			fail_msg("%s before %s", v[i - 1]->name, v[i]->name);
	free(v);
	state_table_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_str_parse),
		cmocka_unit_test(test_state_set_get),
		cmocka_unit_test(test_state_setter_long),
		cmocka_unit_test(test_state_delete),
		cmocka_unit_test(test_state_restore),
		cmocka_unit_test(test_state_limit),
		cmocka_unit_test(test_state_grow),
		cmocka_unit_test(test_state_sorted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
