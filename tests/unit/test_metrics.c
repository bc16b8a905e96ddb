/*
 * test_metrics.c: cmocka tests of lib/metrics.c without sockets: the
 * status of request heads (a table, one row a line), escaping of label
 * values and HELP texts, values, and cumulative histograms.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "metrics.h"

static const struct {
	const char	*head;
	int		 status, head_only;
} heads[] = {
	{ "GET /metrics HTTP/1.0\r\n\r\n",			200, 0 },
	{ "GET /metrics HTTP/1.0\n\n",				200, 0 },
	{ "GET /metrics HTTP/1.1\r\nHost: a\r\n\r\n",		200, 0 },
	{ "GET /metrics HTTP/1.1\r\nhOsT:a\r\nX-Y: z\r\n\r\n",	200, 0 },
	{ "GET /metrics?name[]=up HTTP/1.1\r\nHost: a\r\n\r\n",	200, 0 },
	{ "HEAD /metrics HTTP/1.0\r\n\r\n",			200, 1 },
	{ "GET / HTTP/1.0\r\n\r\n",				404, 0 },
	{ "GET /metricsx HTTP/1.0\r\n\r\n",			404, 0 },
	{ "GET /metric HTTP/1.0\r\n\r\n",			404, 0 },
	{ "POST /metrics HTTP/1.0\r\n\r\n",			405, 0 },
	{ "get /metrics HTTP/1.0\r\n\r\n",			405, 0 },
	{ "OPTIONS /metrics HTTP/1.1\r\nHost: a\r\n\r\n",	405, 0 },
	{ "GET /metrics HTTP/2.0\r\n\r\n",			505, 0 },
	{ "GET /metrics HTTP/1.2\r\n\r\n",			505, 0 },
	{ "GET /metrics HTTP/1.1\r\n\r\n",			400, 0 },
	{ "GET /metrics HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, 0 },
	{ "GET /metrics HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", 400, 0 },
	{ "GET /metrics HTTP/1.0\r\nbad header\r\n\r\n",	400, 0 },
	{ "GET /metrics HTTP/1.0\r\n: empty name\r\n\r\n",	400, 0 },
	{ "GET /metrics HTTP/1.0\r\nName : space\r\n\r\n",	400, 0 },
	{ "GET /metrics HTTP/1.0\r\n folded\r\n\r\n",		400, 0 },
	{ "GET /metrics HTTP/1.0\r\nA: b\x01\r\n\r\n",		400, 0 },
	{ "GET /metrics HTTP/1.0\r\n",				400, 0 },
	{ "GET /metrics\r\n\r\n",				400, 0 },
	{ "GET  /metrics HTTP/1.0\r\n\r\n",			400, 0 },
	{ "GET metrics HTTP/1.0\r\n\r\n",			400, 0 },
	{ "GET /met rics HTTP/1.0\r\n\r\n",			400, 0 },
	{ "GET /metrics HTTP/1.0 \r\n\r\n",			400, 0 },
	{ "GET /metrics http/1.0\r\n\r\n",			400, 0 },
	{ "GET /metrics HTTP/1.x\r\n\r\n",			400, 0 },
	{ "G(T /metrics HTTP/1.0\r\n\r\n",			400, 0 },
	{ " GET /metrics HTTP/1.0\r\n\r\n",			400, 0 },
	{ "\r\n\r\n",						400, 0 },
	{ "",							400, 0 },
};

static void
test_http_status(void **state)
{
	size_t	i;
	int	head_only, st;

	(void)state;
	for (i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		head_only = -1;
		st = metrics_http_status(heads[i].head, strlen(heads[i].head),
		    &head_only);
		if (st != heads[i].status || head_only != heads[i].head_only)
			fail_msg("row %zu \"%s\": %d (head only %d), expected "
			    "%d", i, heads[i].head, st, head_only,
			    heads[i].status);
	}
}

static void
test_escaping(void **state)
{
	struct pbuf	b = { 0 };

	(void)state;
	metrics_head(&b, "failover_x", "gauge", "a \\ back\nslash \"q\"");
	metrics_sample(&b, "failover_x", 1, "a", "q\"b\\s\nn", "e", "", NULL);
	metrics_sample(&b, "failover_x", 2.5, NULL);
	assert_string_equal(b.data,
	    "# HELP failover_x a \\\\ back\\nslash \"q\"\n"
	    "# TYPE failover_x gauge\n"
	    "failover_x{a=\"q\\\"b\\\\s\\nn\",e=\"\"} 1\n"
	    "failover_x 2.5\n");
	pbuf_free(&b);
}

static void
test_values(void **state)
{
	struct pbuf	b = { 0 };

	(void)state;
	metrics_value(&b, 0);
	pbuf_add(&b, " ", 1);
	metrics_value(&b, 12345678901234.0);
	pbuf_add(&b, " ", 1);
	metrics_value(&b, -3);
	pbuf_add(&b, " ", 1);
	metrics_value(&b, 0.1 + 0.2);
	pbuf_add(&b, " ", 1);
	metrics_value(&b, NAN);
	pbuf_add(&b, " ", 1);
	metrics_value(&b, INFINITY);
	pbuf_add(&b, " ", 1);
	metrics_value(&b, -INFINITY);
	assert_string_equal(b.data, "0 12345678901234 -3 0.3 NaN +Inf -Inf");
	pbuf_free(&b);
}

static void
test_histogram(void **state)
{
	struct metrics_hist	h = { { 0 }, 0, 0 };
	struct pbuf		b = { 0 };

	(void)state;
	metrics_hist_observe(&h, 0.0005);
	metrics_hist_observe(&h, 0.001);	/* le is inclusive */
	metrics_hist_observe(&h, 0.2);
	metrics_hist_observe(&h, 100);		/* past every bound */
	assert_int_equal(h.count, 4);
	metrics_hist_sample(&b, "failover_h_seconds", &h, "t", "w", NULL);
	assert_non_null(strstr(b.data,
	    "failover_h_seconds_bucket{t=\"w\",le=\"0.001\"} 2\n"
	    "failover_h_seconds_bucket{t=\"w\",le=\"0.0025\"} 2\n"));
	assert_non_null(strstr(b.data,
	    "failover_h_seconds_bucket{t=\"w\",le=\"0.1\"} 2\n"
	    "failover_h_seconds_bucket{t=\"w\",le=\"0.25\"} 3\n"));
	assert_non_null(strstr(b.data,
	    "failover_h_seconds_bucket{t=\"w\",le=\"30\"} 3\n"
	    "failover_h_seconds_bucket{t=\"w\",le=\"+Inf\"} 4\n"
	    "failover_h_seconds_sum{t=\"w\"} 100.2015\n"
	    "failover_h_seconds_count{t=\"w\"} 4\n"));
	pbuf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_status),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_histogram),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
