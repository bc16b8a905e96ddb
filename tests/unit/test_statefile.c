/*
 * test_statefile.c: cmocka tests of lib/state_file.c and state_journal.c,
 * faild's state file and its journal: save/load round trip, missing,
 * truncated and malformed files with their file:line errors, a leftover
 * temporary file, links planted at the temporary file and the journal,
 * failed saves and appends that must leave the files as they were, the
 * journal's replay, torn last record and compaction, and the limit on
 * services. Each test works in its own mkdtemp directory.
 */
#define _XOPEN_SOURCE 700
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <ftw.h>
#include <signal.h>
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
	char	journal[160];	/* dir/state.journal */
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
	snprintf(f->journal, sizeof(f->journal), "%s/state.journal", f->dir);
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

/* Numbers past int64, and a service listed twice, are errors. */
static void
test_out_of_range_and_twice(void **state)
{
	struct fixture	*f = *state;

	load_fails(f, MAGIC "www UP 99999999999999999999 x\n# end 1\n",
	    "2: changed_ms 99999999999999999999 out of range (0 to "
	    "9223372036854775807)");
	load_fails(f, MAGIC "a UP 1 x\nb UP 9223372036854775808 x\n# end 2\n",
	    "3: changed_ms 9223372036854775808 out of range (0 to "
	    "9223372036854775807)");
	load_fails(f, MAGIC "a UP 1 x\nb UP 2 y\na FAIL 3 z\n# end 3\n",
	    "4: service a listed twice");
}

static void
test_directory(void **state)
{
	struct fixture		*f = *state;
	struct state_table	*t = state_table_new(100000);
	char			 want[256];

	assert_int_equal(mkdir(f->path, 0700), 0);
	assert_int_equal(statefile_load(t, f->path, f->err, sizeof(f->err)),
	    -1);
	snprintf(want, sizeof(want), "%s: is a directory", f->path);
	assert_string_equal(f->err, want);
	state_table_free(t);
}

/* More services than the table may hold, in the snapshot or the journal. */
static void
test_limit(void **state)
{
	struct fixture		*f = *state;
	struct state_table	*t = state_table_new(2);
	char			 want[256];

	write_file(f->path, MAGIC "a UP 1 x\nb UP 2 y\nc UP 3 z\n# end 3\n");
	assert_int_equal(statefile_load(t, f->path, f->err, sizeof(f->err)),
	    -1);
	snprintf(want, sizeof(want), "%s:4: more than 2 services, the limit "
	    "(faild -S)", f->path);
	assert_string_equal(f->err, want);
	state_table_free(t);
}

/* A link planted at the temporary file or the journal is not followed. */
static void
test_planted_links(void **state)
{
	struct fixture		*f = *state;
	struct state_table	*t = sample_table();
	struct state_journal	*j;
	struct stat		 sb;
	char			 victim[160];

	snprintf(victim, sizeof(victim), "%s/victim", f->dir);
	write_file(victim, "precious\n");
	assert_int_equal(symlink(victim, f->tmp), 0);
	assert_int_equal(statefile_save(t, f->path, f->err, sizeof(f->err)),
	    0);
	assert_string_equal(read_file(victim), "precious\n");
	assert_int_equal(lstat(f->path, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	assert_int_equal(lstat(f->tmp, &sb), -1);

	/* The same for the journal, and for a dangling link. */
	assert_int_equal(symlink(victim, f->journal), 0);
	assert_int_equal(symlink("nosuch", f->tmp), 0);
	j = state_journal_open(t, f->path, 1 << 20, f->err, sizeof(f->err));
	assert_non_null(j);
	assert_int_equal(state_journal_append(j, t, "www", f->err,
	    sizeof(f->err)), 0);
	state_journal_close(j);
	assert_string_equal(read_file(victim), "precious\n");
	assert_int_equal(lstat(f->journal, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	assert_int_equal(access(f->dir, F_OK), 0);
	snprintf(victim, sizeof(victim), "%s/nosuch", f->dir);
	assert_int_equal(access(victim, F_OK), -1);
	state_table_free(t);
}

/* Change t and record it in j. */
static void
change(struct fixture *f, struct state_journal *j, struct state_table *t,
    const char *name, enum svc_state st, int64_t ms)
{
	enum svc_state	old;

	if (st == SVC_NONE)
		assert_int_equal(state_delete(t, name), 0);
	else
		assert_int_equal(state_set(t, name, st, ms, "j@10.0.0.1", &old),
		    1);
	assert_int_equal(state_journal_append(j, t, name, f->err,
	    sizeof(f->err)), 0);
}

/* Load path into a fresh table and compare it with t. */
static void
check_loads_as(struct fixture *f, const struct state_table *t)
{
	struct state_table	*u = state_table_new(100000);
	struct service		**v, *s;
	size_t			  i, n;

	assert_int_equal(statefile_load(u, f->path, f->err, sizeof(f->err)),
	    0);
	assert_int_equal(state_count(u), state_count(t));
	v = state_sorted(t, &n);
	for (i = 0; i < n; i++) {
		s = state_get(u, v[i]->name);
		assert_non_null(s);
		assert_int_equal(s->state, v[i]->state);
		assert_int_equal(s->changed_ms, v[i]->changed_ms);
		assert_string_equal(s->setter, v[i]->setter);
	}
	free(v);
	state_table_free(u);
}

/* Changes go to the journal only, and a load replays them. */
static void
test_journal_replay(void **state)
{
	struct fixture		*f = *state;
	struct state_table	*t = sample_table();
	struct state_journal	*j;
	char			*snapshot, journal[4096];

	j = state_journal_open(t, f->path, 1 << 20, f->err, sizeof(f->err));
	assert_non_null(j);
	snapshot = strdup(read_file(f->path));
	assert_string_equal(read_file(f->journal), "");
	change(f, j, t, "www", SVC_FAIL, 100);
	change(f, j, t, "ftp", SVC_NONE, 0);
	change(f, j, t, "new", SVC_UP, 200);
	change(f, j, t, "www", SVC_RECOVER, 300);
	change(f, j, t, "ftp", SVC_UP, 400);	/* back after its delete */
	assert_string_equal(read_file(f->path), snapshot);
	assert_memory_equal(read_file(f->journal), "set www FAIL 100 "
	    "j@10.0.0.1 ", 28);
	check_loads_as(f, t);
	/* A restart folds the journal into the snapshot. */
	state_journal_close(j);
	strcpy(journal, read_file(f->journal));
	j = state_journal_open(t, f->path, 1 << 20, f->err, sizeof(f->err));
	assert_non_null(j);
	assert_string_equal(read_file(f->journal), "");
	check_loads_as(f, t);
	/*
	 * A crash after the new snapshot, before the journal was emptied:
	 * the old journal replays over it to the same table.
	 */
	write_file(f->journal, journal);
	check_loads_as(f, t);
	state_journal_close(j);
	free(snapshot);
	state_table_free(t);
}

/* A torn last record is ignored; a bad one before the last is an error. */
static void
test_journal_torn(void **state)
{
	struct fixture		*f = *state;
	struct state_table	*t = sample_table();
	struct state_journal	*j;
	char			 good[4096], text[4096], want[512];
	FILE			*fp;
	size_t			 cut;

	j = state_journal_open(t, f->path, 1 << 20, f->err, sizeof(f->err));
	assert_non_null(j);
	change(f, j, t, "www", SVC_FAIL, 100);
	change(f, j, t, "ftp", SVC_UP, 200);
	state_journal_close(j);
	strcpy(good, read_file(f->journal));

	/* Every cut of one more record, from one byte to all but its end. */
	for (cut = 1; cut < 30; cut++) {
		snprintf(text, sizeof(text), "%s%.*s", good, (int)cut,
		    "set www UP 999 torn@10.0.0.1 01234567\n");
		write_file(f->journal, text);
		check_loads_as(f, t);
	}
	/* A whole line whose checksum does not match, last. */
	snprintf(text, sizeof(text), "%sset www UP 999 x 00000000\n", good);
	write_file(f->journal, text);
	check_loads_as(f, t);
	/* Zeros where the disk lost the end of the file. */
	fp = fopen(f->journal, "w");
	assert_non_null(fp);
	fputs(good, fp);
	fwrite("\0\0\0\0\0\0\0\0", 1, 8, fp);
	fclose(fp);
	check_loads_as(f, t);

	/* A bad record followed by others is damage, not a torn append. */
	snprintf(text, sizeof(text), "set www UP 999 x 00000000\n%s", good);
	write_file(f->journal, text);
	state_table_free(t);
	t = state_table_new(100000);
	assert_int_equal(statefile_load(t, f->path, f->err, sizeof(f->err)),
	    -1);
	snprintf(want, sizeof(want), "%s:1: bad checksum", f->journal);
	assert_string_equal(f->err, want);
	state_table_free(t);
}

/* Past its bound the journal is folded into the snapshot and emptied. */
static void
test_journal_compaction(void **state)
{
	struct fixture		*f = *state;
	struct state_table	*t = sample_table();
	struct state_journal	*j;
	struct stat		 sb;
	off_t			 last = 0;
	int			 i, compactions = 0;

	/* The snapshot is 100 bytes: the bound is the 300 asked for. */
	j = state_journal_open(t, f->path, 300, f->err, sizeof(f->err));
	assert_non_null(j);
	for (i = 0; i < 20; i++) {
		change(f, j, t, "www", i % 2 ? SVC_UP : SVC_FAIL, 1000 + i);
		assert_int_equal(stat(f->journal, &sb), 0);
		assert_true(sb.st_size < 300);
		if (sb.st_size < last) {
			compactions++;
			assert_int_equal(sb.st_size, 0);
			assert_non_null(strstr(read_file(f->path),
			    i % 2 ? "www UP " : "www FAIL "));
		}
		last = sb.st_size;
		check_loads_as(f, t);
	}
	/* Records of 39 bytes: every 8th append compacts. */
	assert_int_equal(compactions, 2);

	/*
	 * A compaction that fails keeps the change (in the journal) and is
	 * tried again 300 bytes later, not on every append.
	 */
	assert_int_equal(mkdir(f->tmp, 0700), 0);
	compactions = 0;
	for (i = 0; i < 20; i++) {
		enum svc_state	old;
		int		rc;

		state_set(t, "www", i % 2 ? SVC_UP : SVC_FAIL, 2000 + i,
		    "j@10.0.0.1", &old);
		rc = state_journal_append(j, t, "www", f->err, sizeof(f->err));
		assert_true(rc == 0 || rc == 1);
		compactions += rc;
		check_loads_as(f, t);
	}
	/* 156 bytes, then 20 x 39: tried at 312 and 624 bytes only. */
	assert_int_equal(compactions, 2);
	assert_non_null(strstr(f->err, f->tmp));
	assert_int_equal(rmdir(f->tmp), 0);
	state_journal_close(j);
	state_table_free(t);
}

/* An append that fails (a full disk) leaves the journal as it was. */
static void
test_journal_append_fails(void **state)
{
	struct fixture		*f = *state;
	struct state_table	*t = sample_table();
	struct state_journal	*j;
	struct rlimit		 rl, limited;
	struct stat		 sb;
	enum svc_state		 old;
	off_t			 size;

	j = state_journal_open(t, f->path, 1 << 20, f->err, sizeof(f->err));
	assert_non_null(j);
	change(f, j, t, "www", SVC_FAIL, 100);
	assert_int_equal(stat(f->journal, &sb), 0);
	size = sb.st_size;

	/* Room for part of the next record only (EFBIG, not SIGXFSZ). */
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &rl), 0);
	limited = rl;
	limited.rlim_cur = (rlim_t)size + 10;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &limited), 0);
	state_set(t, "www", SVC_UP, 200, "x", &old);
	f->err[0] = '\0';
	assert_int_equal(state_journal_append(j, t, "www", f->err,
	    sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, f->journal));
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &rl), 0);
	assert_int_equal(stat(f->journal, &sb), 0);
	assert_int_equal(sb.st_size, size);

	/* Undone by the caller, as faild does; the next append works. */
	state_set(t, "www", SVC_FAIL, 100, "j@10.0.0.1", &old);
	check_loads_as(f, t);
	change(f, j, t, "ftp", SVC_FAIL, 300);
	check_loads_as(f, t);
	state_journal_close(j);
	state_table_free(t);
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
		cmocka_unit_test_setup_teardown(test_out_of_range_and_twice,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_directory, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_planted_links, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_journal_replay, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_journal_torn, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_journal_compaction, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_journal_append_fails,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
