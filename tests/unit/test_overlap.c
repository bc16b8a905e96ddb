/*
 * test_overlap.c: cmocka tests of the overlap checker (tests/helpers/
 * overlap.c, included here without its main) over hand-written logs: no
 * overlap, a clean handover at one instant, an overlap of 1 ms, a stop
 * missing, events out of order in the file, the gap bound, a malformed
 * line; and marks appended by the checker's own mark.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#define OVERLAP_NO_MAIN
#include "../helpers/overlap.c"

/* Check TEXT as a log with BOUND_MS; the report in *REPORT (owned by the
 * caller), the counts in R; returns the problems. */
static int
check(const char *text, int64_t bound_ms, char **report,
    struct overlap_result *r)
{
	struct overlap_log	 log = { NULL, 0, 0 };
	FILE			*in, *out;
	char			 err[256];
	size_t			 len;
	int			 bad;

	in = fmemopen((void *)text, strlen(text), "r");
	assert_non_null(in);
	assert_int_equal(overlap_parse(in, "log", &log, err, sizeof(err)), 0);
	fclose(in);
	out = open_memstream(report, &len);
	bad = overlap_check(&log, bound_ms, out, r);
	fclose(out);
	overlap_log_free(&log);
	return bad;
}

static void
test_no_overlap(void **state)
{
	struct overlap_result	 r;
	char			*rep;

	(void)state;
	assert_int_equal(check(
	    "1000000 a www start\n"
	    "2000000 a www stop\n"
	    "5000000 b www start\n"
	    "9000000 b www stop\n"
	    "1500000 b db start\n", -1, &rep, &r), 0);
	assert_int_equal(r.services, 2);
	assert_int_equal(r.starts, 3);
	assert_int_equal(r.stops, 2);
	assert_int_equal(r.overlaps, 0);
	assert_non_null(strstr(rep, "service www starts 2 stops 2 hosts 2 "
	    "overlaps 0 longest_gap_ms 3.000 running_at_end -\n"));
	assert_non_null(strstr(rep, "service db starts 1 stops 0 hosts 1 "
	    "overlaps 0 longest_gap_ms 0.000 running_at_end b\n"));
	assert_null(strstr(rep, "overlap service"));
	free(rep);
}

/* a stops and b starts at the same instant, b's line first in the file:
 * no overlap, a gap of 0. */
static void
test_clean_handover(void **state)
{
	struct overlap_result	 r;
	char			*rep;

	(void)state;
	assert_int_equal(check(
	    "100 a www start\n"
	    "5000 b www start\n"
	    "5000 a www stop\n"
	    "9000 b www stop\n", 0, &rep, &r), 0);
	assert_int_equal(r.overlaps, 0);
	assert_int_equal(r.gaps_over, 0);
	assert_non_null(strstr(rep, "longest_gap_ms 0.000"));
	free(rep);
}

static void
test_overlap_1ms(void **state)
{
	struct overlap_result	 r;
	char			*rep;

	(void)state;
	assert_int_equal(check(
	    "1000000000 a www start\n"
	    "2000000000 b www start\n"
	    "2001000000 a www stop\n"
	    "3000000000 b www stop\n", -1, &rep, &r), 1);
	assert_int_equal(r.overlaps, 1);
	assert_non_null(strstr(rep, "overlap service www hosts a,b from "
	    "2000000000 to 2001000000 (1.000 ms)\n"));
	free(rep);
	/* one nanosecond is an overlap too */
	assert_int_equal(check(
	    "10 a www start\n"
	    "20 b www start\n"
	    "21 a www stop\n", -1, &rep, &r), 1);
	free(rep);
}

/* a's stop is missing: b's whole run overlaps it; a alone without its
 * stop is no overlap, only running at the end. */
static void
test_stop_missing(void **state)
{
	struct overlap_result	 r;
	char			*rep;

	(void)state;
	assert_int_equal(check(
	    "1000 a www start\n"
	    "5000000 b www start\n"
	    "7000000 b www stop\n", -1, &rep, &r), 1);
	assert_non_null(strstr(rep, "overlap service www hosts a,b from "
	    "5000000 to 7000000 (2.000 ms)\n"));
	assert_non_null(strstr(rep, "running_at_end a\n"));
	free(rep);
	/* both without a stop: the overlap runs to the log's end */
	assert_int_equal(check(
	    "1000 a www start\n"
	    "2000 b www start\n"
	    "3000000 c db start\n", -1, &rep, &r), 1);
	assert_non_null(strstr(rep, "overlap service www hosts a,b from 2000 "
	    "to end 3000000"));
	free(rep);
	assert_int_equal(check("1000 a www start\n", -1, &rep, &r), 0);
	assert_non_null(strstr(rep, "running_at_end a\n"));
	free(rep);
}

/* The file in any order gives the report of the sorted one. */
static void
test_out_of_order(void **state)
{
	struct overlap_result	 r;
	char			*sorted, *shuffled;

	(void)state;
	assert_int_equal(check(
	    "100 a www start\n"
	    "200 b www start\n"
	    "300 a www stop\n"
	    "400 b www stop\n"
	    "500 a www start\n"
	    "600 a www stop\n", -1, &sorted, &r), 1);
	assert_int_equal(check(
	    "600 a www stop\n"
	    "300 a www stop\n"
	    "500 a www start\n"
	    "200 b www start\n"
	    "400 b www stop\n"
	    "100 a www start\n", -1, &shuffled, &r), 1);
	assert_string_equal(sorted, shuffled);
	assert_non_null(strstr(sorted, "hosts a,b from 200 to 300"));
	assert_int_equal(r.notes, 0);
	free(sorted);
	free(shuffled);
	/* in order, the clean log stays clean */
	assert_int_equal(check(
	    "4000 b www stop\n"
	    "1000 a www start\n"
	    "3000 b www start\n"
	    "2000 a www stop\n", -1, &sorted, &r), 0);
	assert_int_equal(r.notes, 0);
	free(sorted);
}

static void
test_gap_bound(void **state)
{
	const char		*log = "0 a www start\n"
				    "1000000 a www stop\n"
				    "6000000 b www start\n"
				    "7000000 b www stop\n";
	struct overlap_result	 r;
	char			*rep;

	(void)state;
	assert_int_equal(check(log, 4, &rep, &r), 1);
	assert_int_equal(r.gaps_over, 1);
	assert_non_null(strstr(rep, "gap service www from 1000000 to 6000000 "
	    "(5.000 ms, bound 4.000 ms)\n"));
	free(rep);
	assert_int_equal(check(log, 5, &rep, &r), 0);
	free(rep);
	assert_int_equal(check(log, -1, &rep, &r), 0);
	assert_non_null(strstr(rep, "longest_gap_ms 5.000"));
	free(rep);
}

static void
test_notes(void **state)
{
	struct overlap_result	 r;
	char			*rep;

	(void)state;
	assert_int_equal(check(
	    "10 a www stop\n"
	    "20 a www start\n"
	    "30 a www start\n"
	    "40 a www stop\n", -1, &rep, &r), 0);
	assert_int_equal(r.notes, 2);
	assert_non_null(strstr(rep, "note service www host a: stop without "
	    "start (line 1)\n"));
	assert_non_null(strstr(rep, "note service www host a: start while "
	    "running (line 3)\n"));
	free(rep);
}

static void
test_malformed(void **state)
{
	struct overlap_log	 log = { NULL, 0, 0 };
	const char		*bad[] = {
		"1 a www start\nx a www stop\n",
		"1 a www start\n2 a www halt\n",
		"1 a www start\n2 a www stop extra\n",
		"1 a www start\n2 a\n",
	};
	FILE			*in;
	char			 err[256];
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		in = fmemopen((void *)bad[i], strlen(bad[i]), "r");
		assert_int_equal(overlap_parse(in, "f.log", &log, err,
		    sizeof(err)), -1);
		assert_string_equal(err, "f.log:2: expected \"mono_ns host "
		    "service start|stop\"");
		fclose(in);
		overlap_log_free(&log);
	}
	/* a torn last line (a mark being written) is left out */
	in = fmemopen("1 a www start\n2 a www st", 23, "r");
	assert_int_equal(overlap_parse(in, "f.log", &log, err, sizeof(err)),
	    0);
	assert_int_equal(log.n, 1);
	fclose(in);
	overlap_log_free(&log);
}

static void
test_mark(void **state)
{
	struct overlap_log	 log = { NULL, 0, 0 };
	char			 path[] = "/tmp/test_overlap.XXXXXX", err[256];
	FILE			*in;
	int			 fd, i;

	(void)state;
	assert_true((fd = mkstemp(path)) >= 0);
	close(fd);
	for (i = 0; i < 10; i++)
		assert_int_equal(overlap_mark(path, i % 2 ? "b" : "a", "www",
		    i % 2 ? "stop" : "start", err, sizeof(err)), 0);
	assert_int_equal(overlap_mark(path, "a b", "www", "start", err,
	    sizeof(err)), -1);
	assert_int_equal(overlap_mark(path, "a", "www", "begin", err,
	    sizeof(err)), -1);
	in = fopen(path, "r");
	assert_non_null(in);
	assert_int_equal(overlap_parse(in, path, &log, err, sizeof(err)), 0);
	fclose(in);
	unlink(path);
	assert_int_equal(log.n, 10);
	for (i = 1; i < 10; i++)
		assert_true(log.ev[i].t_ns >= log.ev[i - 1].t_ns);
	assert_string_equal(log.ev[3].host, "b");
	assert_int_equal(log.ev[3].start, 0);
	overlap_log_free(&log);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_overlap),
		cmocka_unit_test(test_clean_handover),
		cmocka_unit_test(test_overlap_1ms),
		cmocka_unit_test(test_stop_missing),
		cmocka_unit_test(test_out_of_order),
		cmocka_unit_test(test_gap_bound),
		cmocka_unit_test(test_notes),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_mark),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
