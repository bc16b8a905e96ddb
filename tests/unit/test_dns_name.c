/*
 * test_dns_name.c: cmocka tests of lib/dns_name.c, the wire-name codec hc
 * and faildns share: text to wire and back (escapes, limits, relative
 * names and their reasons), length, comparison, case, and reading names
 * out of packets (pointers, loops, cut packets, random bytes, the texts of
 * dns_name_read's errors).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dns_name.h"

static void
wire(const char *text, uint8_t *buf)
{
	assert_true(dns_name_from_text(text, buf) > 0);
}

static void
test_name_from_text(void **state)
{
	uint8_t	b[DNS_NAME_MAX];

	(void)state;
	assert_int_equal(dns_name_from_text("www.Example.com", b), 17);
	assert_memory_equal(b, "\3www\7Example\3com\0", 17);
	assert_int_equal(dns_name_from_text("www.example.com.", b), 17);
	assert_int_equal(dns_name_from_text(".", b), 1);
	assert_int_equal(b[0], 0);
	assert_int_equal(dns_name_from_text("a", b), 3);
	assert_memory_equal(b, "\1a\0", 3);
}

static void
test_name_from_text_escapes(void **state)
{
	uint8_t	b[DNS_NAME_MAX];

	(void)state;
	assert_int_equal(dns_name_from_text("a\\.b.c", b), 7);
	assert_memory_equal(b, "\3a.b\1c\0", 7);
	assert_int_equal(dns_name_from_text("\\065\\\\\\000", b), 5);
	assert_memory_equal(b, "\3A\\\0\0", 5);
	assert_int_equal(dns_name_from_text("a\\256", b), -1);
	assert_int_equal(dns_name_from_text("a\\12", b), -1);
	assert_int_equal(dns_name_from_text("a\\", b), -1);
}

static void
test_name_from_text_bad(void **state)
{
	uint8_t	b[DNS_NAME_MAX];
	char	t[400];
	int	i;

	(void)state;
	assert_int_equal(dns_name_from_text("", b), -1);
	assert_int_equal(dns_name_from_text("a..b", b), -1);
	assert_int_equal(dns_name_from_text(".a", b), -1);
	assert_int_equal(dns_name_from_text("a..", b), -1);
	/* Labels: 63 octets fit, 64 do not. */
	memset(t, 'x', 63);
	t[63] = '\0';
	assert_int_equal(dns_name_from_text(t, b), 65);
	memset(t, 'x', 64);
	t[64] = '\0';
	assert_int_equal(dns_name_from_text(t, b), -1);
	/* Names: 255 octets in wire form fit, 256 do not. */
	for (i = 0; i < 4; i++) {
		memset(t + i * 64, 'x', 63);
		t[i * 64 + 63] = '.';
	}
	t[3 * 64 + 61] = '\0';	/* 3 * 64 + 62 + root = 255 */
	assert_int_equal(dns_name_from_text(t, b), 255);
	t[3 * 64 + 61] = 'x';
	t[3 * 64 + 62] = '\0';
	assert_int_equal(dns_name_from_text(t, b), -1);
}

/* Random text: a valid name or -1, never past 255 octets. */
static void
test_name_from_text_random(void **state)
{
	static const char	 alphabet[] = "..\\019aZ";
	uint8_t			 b[DNS_NAME_MAX + 16];
	char			 t[400];
	int			 i, j, n, rc;

	(void)state;
	srand(4);
	for (i = 0; i < 50000; i++) {
		n = rand() % (int)sizeof(t);
		for (j = 0; j < n; j++)
			t[j] = rand() % 2 ? 'x' :
			    alphabet[rand() % (int)(sizeof(alphabet) - 1)];
		t[n] = '\0';
		memset(b, 0xee, sizeof(b));
		rc = dns_name_from_text(t, b);
		assert_true(rc == -1 || (rc > 0 && rc <= DNS_NAME_MAX));
		if (rc > 0)
			assert_int_equal(dns_name_len(b, (size_t)rc), rc);
		/* Nothing written past the limit. */
		for (j = DNS_NAME_MAX; j < (int)sizeof(b); j++)
			assert_int_equal(b[j], 0xee);
	}
}

static void
test_name_to_text(void **state)
{
	uint8_t	b[DNS_NAME_MAX];
	char	t[DNS_NAME_TEXT_MAX];

	(void)state;
	wire("www.Example.com", b);
	assert_int_equal(dns_name_to_text(b, t, sizeof(t)), 0);
	assert_string_equal(t, "www.Example.com.");
	wire(".", b);
	assert_int_equal(dns_name_to_text(b, t, sizeof(t)), 0);
	assert_string_equal(t, ".");
	memcpy(b, "\4a.\\ \2\0\377\0", 9);
	assert_int_equal(dns_name_to_text(b, t, sizeof(t)), 0);
	assert_string_equal(t, "a\\.\\\\\\032.\\000\\255.");
	/* And back again. */
	assert_int_equal(dns_name_from_text(t, b), 9);
	assert_memory_equal(b, "\4a.\\ \2\0\377\0", 9);
	/* Too small a buffer, a bad name. */
	wire("www.example.com", b);
	assert_int_equal(dns_name_to_text(b, t, 16), -1);
	assert_int_equal(dns_name_to_text(b, t, 17), 0);
	b[0] = 0xc0;
	assert_int_equal(dns_name_to_text(b, t, sizeof(t)), -1);
}

static void
test_name_cmp_lower(void **state)
{
	uint8_t	a[DNS_NAME_MAX], b[DNS_NAME_MAX], c[DNS_NAME_MAX];

	(void)state;
	wire("WWW.Example.COM", a);
	wire("www.example.com", b);
	assert_int_equal(dns_name_cmp(a, b), 0);
	wire("www.example.co", c);
	assert_int_not_equal(dns_name_cmp(a, c), 0);
	wire("ww.wexample.com", c);	/* same octets, other labels */
	assert_int_not_equal(dns_name_cmp(b, c), 0);
	/* Only ASCII letters fold: 0xc4 and 0xe4 stay apart. */
	memcpy(a, "\1\304\0", 3);
	memcpy(b, "\1\344\0", 3);
	assert_int_not_equal(dns_name_cmp(a, b), 0);
	wire("WWW.Ex-Ample.COM", a);
	dns_name_lower(c, a);
	assert_memory_equal(c, "\3www\010ex-ample\3com\0", 18);
}

static void
test_name_len(void **state)
{
	uint8_t	b[300];

	(void)state;
	assert_int_equal(dns_name_len((const uint8_t *)"\3www\0", 5), 5);
	assert_int_equal(dns_name_len((const uint8_t *)"\3www\0", 4), -1);
	assert_int_equal(dns_name_len((const uint8_t *)"\3ww", 3), -1);
	assert_int_equal(dns_name_len((const uint8_t *)"\300\014", 2), -1);
	assert_int_equal(dns_name_len((const uint8_t *)"\100x", 2), -1);
	/* 256 octets of labels that never end within the limit. */
	memset(b, 1, sizeof(b));
	assert_int_equal(dns_name_len(b, sizeof(b)), -1);
}

static void
test_name_unpack(void **state)
{
	uint8_t	pk[64], b[DNS_NAME_MAX];
	size_t	off;

	(void)state;
	/* "example.com" at 0, "www" + pointer to it at 13. */
	memcpy(pk, "\7example\3com\0\3www\300\0", 19);
	off = 13;
	assert_int_equal(dns_name_unpack(pk, 19, &off, b), 17);
	assert_int_equal(off, 19);
	assert_memory_equal(b, "\3www\7example\3com\0", 17);
	off = 0;
	assert_int_equal(dns_name_unpack(pk, 19, &off, b), 13);
	assert_int_equal(off, 13);
	/* Cut anywhere: never a name. */
	for (size_t n = 13; n < 19; n++) {
		off = 13;
		assert_int_equal(dns_name_unpack(pk, n, &off, b), -1);
	}
}

static void
test_name_unpack_loops(void **state)
{
	uint8_t	pk[64], b[DNS_NAME_MAX];
	size_t	off;

	(void)state;
	/* A pointer to itself. */
	memcpy(pk, "\300\000", 2);
	off = 0;
	assert_int_equal(dns_name_unpack(pk, 2, &off, b), -1);
	/* Two pointers to each other. */
	memcpy(pk, "\1a\300\004\1b\300\000", 8);
	off = 4;
	assert_int_equal(dns_name_unpack(pk, 8, &off, b), -1);
	/* A forward pointer. */
	memcpy(pk, "\300\002\0", 3);
	off = 0;
	assert_int_equal(dns_name_unpack(pk, 3, &off, b), -1);
	/* A label looping back into its own middle. */
	memcpy(pk, "\0\2ab\300\002", 6);
	off = 1;
	assert_int_equal(dns_name_unpack(pk, 6, &off, b), -1);
	/* Reserved label types 0x40 and 0x80. */
	memcpy(pk, "\100\0", 2);
	off = 0;
	assert_int_equal(dns_name_unpack(pk, 2, &off, b), -1);
	memcpy(pk, "\200\0", 2);
	off = 0;
	assert_int_equal(dns_name_unpack(pk, 2, &off, b), -1);
}

/* Random bytes as names: never a crash, never more than 255 octets. */
static void
test_name_unpack_random(void **state)
{
	uint8_t	pk[128], b[DNS_NAME_MAX];
	size_t	off, n;
	int	i, j, rc;

	(void)state;
	srand(2);
	for (i = 0; i < 50000; i++) {
		n = (size_t)(rand() % (int)sizeof(pk));
		for (j = 0; j < (int)n; j++)
			pk[j] = (uint8_t)(rand() % 3 == 0 ? 0xc0 : rand() % 8);
		off = n > 0 ? (size_t)rand() % n : 0;
		rc = dns_name_unpack(pk, n, &off, b);
		assert_true(rc == -1 || (rc > 0 && rc <= DNS_NAME_MAX));
		if (rc > 0)
			assert_int_equal(dns_name_len(b, (size_t)rc), rc);
	}
}

/* Relative names, origins, and why a text is refused. */
static void
test_name_parse_origin(void **state)
{
	uint8_t			 b[DNS_NAME_MAX], origin[DNS_NAME_MAX];
	enum dns_name_err	 why;
	char			 t[400];
	int			 n;

	(void)state;
	n = dns_name_from_text("example.com", origin);
	assert_int_equal(n, 13);
	assert_int_equal(dns_name_parse("www", origin, 13, b, &why), 17);
	assert_memory_equal(b, "\3www\7example\3com\0", 17);
	assert_int_equal(dns_name_parse("www.", origin, 13, b, &why), 5);
	assert_memory_equal(b, "\3www\0", 5);
	assert_int_equal(dns_name_parse(".", NULL, 0, b, &why), 1);
	assert_int_equal(dns_name_parse("www.example.com.", NULL, 0, b, &why),
	    17);

	assert_int_equal(dns_name_parse("www", NULL, 0, b, &why), -1);
	assert_int_equal(why, DNS_NAME_RELATIVE);
	assert_string_equal(dns_name_err_str(why),
	    "relative name and no origin");
	assert_int_equal(dns_name_parse("", origin, 13, b, &why), -1);
	assert_int_equal(why, DNS_NAME_EMPTY);
	assert_int_equal(dns_name_parse("a..b", origin, 13, b, &why), -1);
	assert_int_equal(why, DNS_NAME_EMPTY_LABEL);
	assert_string_equal(dns_name_err_str(why), "empty label");
	assert_int_equal(dns_name_parse("a\\25", origin, 13, b, &why), -1);
	assert_int_equal(why, DNS_NAME_BAD_ESCAPE);
	memset(t, 'x', 64);
	t[64] = '\0';
	assert_int_equal(dns_name_parse(t, origin, 13, b, &why), -1);
	assert_int_equal(why, DNS_NAME_LONG_LABEL);
	/* 243 octets and the origin's 13: one too many. */
	memset(t, 'x', 63);
	t[63] = '.';
	memcpy(t + 64, t, 64);
	memcpy(t + 128, t, 64);
	memset(t + 192, 'x', 49);
	t[241] = '\0';
	assert_int_equal(dns_name_parse(t, origin, 13, b, &why), 255);
	t[241] = 'x';
	t[242] = '\0';
	assert_int_equal(dns_name_parse(t, origin, 13, b, &why), -1);
	assert_int_equal(why, DNS_NAME_TOO_LONG);
	assert_string_equal(dns_name_err_str(why),
	    "name longer than 255 octets");
	/* why may be NULL. */
	assert_int_equal(dns_name_parse("", NULL, 0, b, NULL), -1);
}

/* What master files read as syntax is escaped, and read back. */
static void
test_name_to_text_master_file(void **state)
{
	uint8_t	b[DNS_NAME_MAX];
	char	t[DNS_NAME_TEXT_MAX];

	(void)state;
	memcpy(b, "\6\"();@$\0", 8);
	assert_int_equal(dns_name_to_text(b, t, sizeof(t)), 0);
	assert_string_equal(t, "\\\"\\(\\)\\;\\@\\$.");
	assert_int_equal(dns_name_from_text(t, b), 8);
	assert_memory_equal(b, "\6\"();@$\0", 8);
}

/* dns_name_read's reasons, which hc reports. */
static void
test_name_read_errors(void **state)
{
	uint8_t	pk[512], b[DNS_NAME_MAX];
	char	err[128];
	size_t	off;
	int	i;

	(void)state;
	memcpy(pk, "\0\0\3www\300\0", 8);
	off = 2;
	assert_int_equal(dns_name_read(pk, 8, &off, b, err, sizeof(err)), 5);
	assert_int_equal(off, 8);
	off = 2;
	assert_int_equal(dns_name_read(pk, 5, &off, b, err, sizeof(err)), -1);
	assert_string_equal(err, "name at 2 runs past the end");
	off = 2;
	assert_int_equal(dns_name_read(pk, 7, &off, b, err, sizeof(err)), -1);
	assert_string_equal(err, "name at 2 runs past the end");
	memcpy(pk, "\0\0\3www\300\2", 8);
	off = 2;
	assert_int_equal(dns_name_read(pk, 8, &off, b, err, sizeof(err)), -1);
	assert_string_equal(err, "compression loop in the name at 2");
	memcpy(pk, "\0\0\3www\100\0", 8);
	off = 2;
	assert_int_equal(dns_name_read(pk, 8, &off, b, err, sizeof(err)), -1);
	assert_string_equal(err, "bad label type 0x40 in the name at 6");
	/* Five labels of 63: 320 octets. */
	for (i = 0; i < 5; i++) {
		pk[i * 64] = 63;
		memset(pk + i * 64 + 1, 'x', 63);
	}
	pk[320] = 0;
	off = 0;
	assert_int_equal(dns_name_read(pk, 321, &off, b, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "name at 0 longer than 255 bytes");
	/* dns_name_unpack is the same without the reason. */
	off = 0;
	assert_int_equal(dns_name_unpack(pk, 321, &off, b), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_from_text),
		cmocka_unit_test(test_name_from_text_escapes),
		cmocka_unit_test(test_name_from_text_bad),
		cmocka_unit_test(test_name_from_text_random),
		cmocka_unit_test(test_name_parse_origin),
		cmocka_unit_test(test_name_to_text),
		cmocka_unit_test(test_name_to_text_master_file),
		cmocka_unit_test(test_name_cmp_lower),
		cmocka_unit_test(test_name_len),
		cmocka_unit_test(test_name_unpack),
		cmocka_unit_test(test_name_unpack_loops),
		cmocka_unit_test(test_name_unpack_random),
		cmocka_unit_test(test_name_read_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
