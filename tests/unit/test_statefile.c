/*
 * test_statefile.c: cmocka tests of lib/state_file.c, faild's state file:
 * save/load round trip, missing, truncated and malformed files with their
 * file:line errors, a leftover temporary file, and failed saves that must
 * leave the old file intact. Each test works in its own mkdtemp directory.
 */
#define _XOPEN_SOURCE 700
#include <sys/stat.h>

#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "state.h"

#define MAGIC	"# faild state v1\n"

struct fixture {
	char	dir[64];
	char	path[128];	/* dir/state */
	char	tmp[160];	/* dir/state.tmp */
	char	err[512];
};

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path);
	return unlink(path);
}

static int
setup(void **state)
{
	struct fixture	*f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	strcpy(f->dir, "/tmp/test_statefile.XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof(f->path), "%s/state", f->dir);
	snprintf(f->tmp, sizeof(f->tmp), "%s/state.tmp", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	chmod(f->dir, 0700);
	nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static void
write_file(const char *path, const char *text)
{
	FILE	*fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

static char *
read_file(const char *path)
{
	static char	 buf[4096];
	FILE		*fp = fopen(path, "r");
	size_t		 n;

	assert_non_null(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static struct state_table *
sample_table(void)
{
	struct state_table	*t = state_table_new(100000);
	enum svc_state		 old;

	state_set(t, "www", SVC_UP, 1795417200123LL, "failsh@127.0.0.2", &old);
	state_set(t, "ftp", SVC_RECOVER, 0, "", &old);
	state_set(t, "db.main", SVC_FAIL, 42, "127.0.0.1", &old);
	return t;
}

static void
check_sample(const struct state_table *t)
{
	struct service	*s;

	assert_int_equal(state_count(t), 3);
	s = state_get(t, "www");
	assert_non_null(s);
	assert_int_equal(s->state, SVC_UP);
	assert_int_equal(s->changed_ms, 1795417200123LL);
	assert_string_equal(s->setter, "failsh@127.0.0.2");
	s = state_get(t, "ftp");
	assert_non_null(s);
	assert_int_equal(s->state, SVC_RECOVER);
	assert_int_equal(s->changed_ms, 0);
	assert_string_equal(s->setter, "");
	s = state_get(t, "db.main");
	assert_non_null(s);
	assert_int_equal(s->state, SVC_FAIL);
	assert_int_equal(s->changed_ms, 42);
	assert_string_equal(s->setter, "127.0.0.1");
}

/* Load text from the state file; must fail with exactly want_err. */
static void
load_fails(struct fixture *f, const char *text, const char *want_err)
{
	struct state_table	*t = state_table_new(100000);
	char			 want[512];

	write_file(f->path, text);
	f->err[0] = '\0';
	if (statefile_load(t, f->path, f->err, sizeof(f->err)) != -1)
		fail_msg("accepted: %s", text);
	snprintf(want, sizeof(want), "%s:%s", f->path, want_err);
	assert_string_equal(f->err, want);
	state_table_free(t);
}

static void
test_roundtrip(void **state)
{
	struct fixture		*f = *state;
	struct state_table	*t = sample_table(), *u = state_table_new(100000);

	assert_int_equal(statefile_save(t, f->path, f->err, sizeof(f->err)),
	    0);
	assert_string_equal(read_file(f->path), MAGIC
	    "db.main FAIL 42 127.0.0.1\n"
	    "ftp RECOVER 0 -\n"
	    "www UP 1795417200123 failsh@127.0.0.2\n"
	    "# end 3\n");
	assert_int_equal(access(f->tmp, F_OK), -1);
	assert_int_equal(statefile_load(u, f->path, f->err, sizeof(f->err)),
	    0);
	check_sample(u);

	/* A second save replaces the file. */
	state_table_free(t);
	t = state_table_new(100000);
	assert_int_equal(statefile_save(t, f->path, f->err, sizeof(f->err)),
	    0);
	assert_string_equal(read_file(f->path), MAGIC "# end 0\n");
	state_table_free(u);
	u = state_table_new(100000);
	assert_int_equal(statefile_load(u, f->path, f->err, sizeof(f->err)),
	    0);
	assert_int_equal(state_count(u), 0);
	state_table_free(t);
	state_table_free(u);
}

/* Every fifth service has an empty setter, saved as "-". */
static void
setter_for(char *buf, size_t len, int i)
{
	if (i % 5 == 0)
		buf[0] = '\0';
	else
		snprintf(buf, len, "by%d@10.1.1.1", i);
}

static void
test_roundtrip_many(void **state)
{
	struct fixture		*f = *state;
	struct state_table	*t = state_table_new(100000), *u = state_table_new(100000);
	struct service		*s;
	enum svc_state		 old;
	char			 name[32], setter[32];
	int			 i;

	for (i = 0; i < 2000; i++) {
		snprintf(name, sizeof(name), "s%d", i);
		setter_for(setter, sizeof(setter), i);
		state_set(t, name, (enum svc_state)(i % 3), i * 1000LL, setter,
		    &old);
	}
	assert_int_equal(statefile_save(t, f->path, f->err, sizeof(f->err)),
	    0);
	assert_int_equal(statefile_load(u, f->path, f->err, sizeof(f->err)),
	    0);
	assert_int_equal(state_count(u), 2000);
	for (i = 0; i < 2000; i++) {
		snprintf(name, sizeof(name), "s%d", i);
		setter_for(setter, sizeof(setter), i);
		s = state_get(u, name);
		assert_non_null(s);
		assert_int_equal(s->state, i % 3);
		assert_int_equal(s->changed_ms, i * 1000LL);
		assert_string_equal(s->setter, setter);
	}
	state_table_free(t);
	state_table_free(u);
}

static void
test_missing(void **state)
{
	struct fixture		*f = *state;
	struct state_table	*t = state_table_new(100000);

	assert_int_equal(statefile_load(t, f->path, f->err, sizeof(f->err)),
	    0);
	assert_int_equal(state_count(t), 0);
	state_table_free(t);
}

static void
test_truncated(void **state)
{
	struct fixture	*f = *state;

	load_fails(f, MAGIC "www UP 1 x\n", "2: truncated (no end line)");
	load_fails(f, MAGIC, "1: truncated (no end line)");
	load_fails(f, "", "1: empty (a faild state file has at least its first "
	    "and end lines)");
	load_fails(f, MAGIC "a UP 1 x\nb FAIL 2 y\n",
	    "3: truncated (no end line)");
	/* Cut in the middle of the end line. */
	load_fails(f, MAGIC "www UP 1 x\n# end", "3: line too long or "
	    "unterminated");
	load_fails(f, MAGIC "www UP 1 x", "2: line too long or unterminated");
}

static void
test_bad_line(void **state)
{
	struct fixture	*f = *state;
	const char	*want = "2: expected \"name UP|RECOVER|FAIL changed_ms "
			    "setter\"";

	load_fails(f, MAGIC "www BROKEN 1 x\n# end 1\n", want);
	load_fails(f, MAGIC "www UP -5 x\n# end 1\n", want);
	load_fails(f, MAGIC "www UP abc x\n# end 1\n", want);
	load_fails(f, MAGIC "www UP 1\n# end 1\n", want);
	load_fails(f, MAGIC "www UP 1 x extra\n# end 1\n", want);
	load_fails(f, MAGIC "bad/name UP 1 x\n# end 1\n", want);
	load_fails(f, MAGIC "www\n# end 1\n", want);
	load_fails(f, MAGIC "a UP 1 x\nb UP 2 y\nc NONE 3 z\n# end 3\n",
	    "4: expected \"name UP|RECOVER|FAIL changed_ms setter\"");
}

/* The end line carries the count saved: a file missing lines is torn. */
static void
test_end_count(void **state)
{
	struct fixture		*f = *state;
	struct state_table	*t = state_table_new(100000);
	char			 want[256];

	write_file(f->path, MAGIC "a UP 1 x\n# end 2\n");
	assert_int_equal(statefile_load(t, f->path, f->err, sizeof(f->err)),
	    -1);
	snprintf(want, sizeof(want), "%s:3:", f->path);
	assert_memory_equal(f->err, want, strlen(want));
	state_table_free(t);
}

static void
test_first_line(void **state)
{
	struct fixture	*f = *state;

	load_fails(f, "www UP 1 x\n# end 1\n", "1: not a faild state file");
	load_fails(f, "# faild state v2\n# end 0\n",
	    "1: not a faild state file");
	load_fails(f, "\n" MAGIC "# end 0\n", "1: not a faild state file");
}

static void
test_leftover_tmp(void **state)
{
	struct fixture		*f = *state;
	struct state_table	*t = sample_table(), *u = state_table_new(100000);

	assert_int_equal(statefile_save(t, f->path, f->err, sizeof(f->err)),
	    0);
	/* A crash between open and rename left half a new table. */
	write_file(f->tmp, MAGIC "www FAIL 99 crash\nftp");
	assert_int_equal(statefile_load(u, f->path, f->err, sizeof(f->err)),
	    0);
	check_sample(u);

	/* The next save overwrites it. */
	assert_int_equal(statefile_save(t, f->path, f->err, sizeof(f->err)),
	    0);
	assert_int_equal(access(f->tmp, F_OK), -1);
	state_table_free(u);
	u = state_table_new(100000);
	assert_int_equal(statefile_load(u, f->path, f->err, sizeof(f->err)),
	    0);
	check_sample(u);
	state_table_free(t);
	state_table_free(u);
}

static void
test_save_fails(void **state)
{
	struct fixture		*f = *state;
	struct state_table	*t = sample_table(), *u = state_table_new(100000);
	struct state_table	*other = state_table_new(100000);
	enum svc_state		 old;
	char			 path[256], want[512], *before;

	state_set(other, "zzz", SVC_UP, 7, "x", &old);

	/* A directory that does not exist. */
	snprintf(path, sizeof(path), "%s/nosuch/state", f->dir);
	f->err[0] = '\0';
	assert_int_equal(statefile_save(t, path, f->err, sizeof(f->err)), -1);
	snprintf(want, sizeof(want), "%s/nosuch/state.tmp: %s", f->dir,
	    strerror(ENOENT));
	assert_string_equal(f->err, want);

	/* The temporary file cannot be created: the old file stays. */
	assert_int_equal(statefile_save(t, f->path, f->err, sizeof(f->err)),
	    0);
	before = strdup(read_file(f->path));
	assert_int_equal(mkdir(f->tmp, 0700), 0);
	f->err[0] = '\0';
	assert_int_equal(statefile_save(other, f->path, f->err,
	    sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, f->tmp));
	assert_non_null(strstr(f->err, strerror(EISDIR)));
	assert_string_equal(read_file(f->path), before);
	assert_int_equal(statefile_load(u, f->path, f->err, sizeof(f->err)),
	    0);
	check_sample(u);
	assert_int_equal(rmdir(f->tmp), 0);

	/* An unwritable directory (root writes anyway: skip that part). */
	if (geteuid() != 0) {
		assert_int_equal(chmod(f->dir, 0500), 0);
		f->err[0] = '\0';
		assert_int_equal(statefile_save(other, f->path, f->err,
		    sizeof(f->err)), -1);
		assert_non_null(strstr(f->err, strerror(EACCES)));
		assert_string_equal(read_file(f->path), before);
		assert_int_equal(chmod(f->dir, 0700), 0);
	}
	free(before);
	state_table_free(t);
	state_table_free(u);
	state_table_free(other);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_roundtrip_many, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bad_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_end_count, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_first_line, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_leftover_tmp, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_save_fails, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
