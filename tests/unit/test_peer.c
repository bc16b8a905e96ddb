/*
 * test_peer.c: cmocka tests of lib/peer.c: rate buckets keyed by the
 * exact address (two addresses never share one, whatever their hash),
 * the bounded table with its overflow bucket, and connection limits that
 * close the oldest idle connection of an address, then of the table.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "peer.h"

static struct sockaddr *
v4(struct sockaddr_in *sin, const char *a)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	inet_pton(AF_INET, a, &sin->sin_addr);
	return (struct sockaddr *)sin;
}

/* Requests answered at one instant: the burst of twice the rate. */
static int
burst(struct peer_table *t, struct sockaddr *sa, int64_t now)
{
	int	n = 0;

	while (n < 1000 && peer_rate_ok(t, sa, now))
		n++;
	return n;
}

static void
test_rate_per_address(void **state)
{
	struct peer_limits	 lim = { 10, 10, 5 };
	struct peer_table	*t = peer_table_new(&lim, 64);
	struct sockaddr_in	 a, b;
	int			 i, ok = 0;

	(void)state;
	assert_int_equal(burst(t, v4(&a, "127.0.0.2"), 1000), 10);
	/* Alternating with another address refills nothing. */
	for (i = 0; i < 200; i++)
		ok += peer_rate_ok(t, v4(i % 2 ? &b : &a, i % 2 ?
		    "127.0.0.3" : "127.0.0.2"), 1000);
	assert_int_equal(ok, 10);		/* b's burst only */
	/* A second later, 5 more tokens each. */
	assert_int_equal(burst(t, v4(&a, "127.0.0.2"), 2000), 5);
	peer_table_free(t);
}

static void
test_rate_table_full(void **state)
{
	struct peer_limits	 lim = { 10, 10, 1 };
	struct peer_table	*t = peer_table_new(&lim, 4);
	struct sockaddr_in	 a;
	char			 s[32];
	int			 i, ok = 0;

	(void)state;
	/* 100 addresses, 2 tokens each, but only 4 entries + overflow. */
	for (i = 0; i < 100; i++) {
		snprintf(s, sizeof(s), "127.0.1.%d", i);
		ok += burst(t, v4(&a, s), 5000);
	}
	assert_int_equal(ok, 4 * 2 + 2);
	peer_table_free(t);
}

static void
test_conn_limits(void **state)
{
	struct peer_limits	 lim = { 4, 2, 0 };
	struct peer_table	*t = peer_table_new(&lim, 16);
	struct peer_conn	 c[6];
	struct sockaddr_in	 a;
	const char		*why;
	int			 sv[6][2], i;

	(void)state;
	for (i = 0; i < 6; i++)
		assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv[i]),
		    0);
	assert_int_equal(peer_admit(t, v4(&a, "10.0.0.1"), sv[0][0], &c[0],
	    &why), 0);
	assert_int_equal(peer_admit(t, v4(&a, "10.0.0.1"), sv[1][0], &c[1],
	    &why), 0);
	/* At the address's cap with none idle: refused. */
	assert_int_equal(peer_admit(t, v4(&a, "10.0.0.1"), sv[2][0], &c[2],
	    &why), -1);
	assert_string_equal(why, "too many connections from this address");
	/* With one idle: the oldest idle goes, shut down. */
	c[1].idle = 1;
	assert_int_equal(peer_admit(t, v4(&a, "10.0.0.1"), sv[2][0], &c[2],
	    &why), 0);
	assert_null(c[1].peer);
	assert_int_equal(read(sv[1][0], &i, 1), 0);	/* EOF */
	peer_release(t, &c[1]);			/* a no-op now */
	assert_int_equal(peer_conns(t), 2);
	/* Its two connections share a turn's quota. */
	assert_int_equal(peer_share(&c[0], 32), 16);
	assert_int_equal(peer_share(&c[1], 32), 32);	/* evicted */
	/* The table's cap: another address makes room likewise. */
	assert_int_equal(peer_admit(t, v4(&a, "10.0.0.2"), sv[3][0], &c[3],
	    &why), 0);
	assert_int_equal(peer_admit(t, v4(&a, "10.0.0.3"), sv[4][0], &c[4],
	    &why), 0);
	assert_int_equal(peer_admit(t, v4(&a, "10.0.0.4"), sv[5][0], &c[5],
	    &why), -1);
	assert_string_equal(why, "too many connections");
	c[0].idle = 1;
	assert_int_equal(peer_admit(t, v4(&a, "10.0.0.4"), sv[5][0], &c[5],
	    &why), 0);
	assert_null(c[0].peer);
	for (i = 0; i < 6; i++)
		peer_release(t, &c[i]);
	assert_int_equal(peer_conns(t), 0);
	peer_table_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rate_per_address),
		cmocka_unit_test(test_rate_table_full),
		cmocka_unit_test(test_conn_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
