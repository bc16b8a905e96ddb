/*
 * test_hc_dns.c: cmocka tests of hc/dns_packet.c, the dns check's packets:
 * queries byte for byte, expected values, good answers of every type (with
 * compression), and hand-made bad ones: other ids and questions, cut
 * packets, compression loops, records whose data lies about its length.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dns_packet.h"

/* A packet under construction. */
struct pkt {
	uint8_t	b[1024];
	size_t	len;
	size_t	rdlen_at;	/* the open record's rdlength */
};

static struct pkt		p;
static struct dns_query		q;
static struct dns_answer	a;
static char			err[256];

static void
put8(unsigned v)
{
	assert_true(p.len < sizeof(p.b));
	p.b[p.len++] = (uint8_t)v;
}

static void
put16(unsigned v)
{
	put8(v >> 8);
	put8(v & 0xff);
}

static void
put32(unsigned long v)
{
	put16((unsigned)(v >> 16));
	put16((unsigned)(v & 0xffff));
}

static void
putbytes(const void *d, size_t n)
{
	assert_true(p.len + n <= sizeof(p.b));
	memcpy(p.b + p.len, d, n);
	p.len += n;
}

/* Labels of a dotted name, without the final 0 (add it or a pointer). */
static void
putlabels(const char *name)
{
	const char	*dot;
	size_t		 n;

	while (*name != '\0') {
		dot = strchr(name, '.');
		n = dot ? (size_t)(dot - name) : strlen(name);
		put8((unsigned)n);
		putbytes(name, n);
		name += n + (dot != NULL);
	}
}

static void
putname(const char *name)
{
	putlabels(name);
	put8(0);
}

static void
putptr(unsigned off)
{
	put16(0xc000 | off);
}

/* A header; the question q asks, when qd is 1. */
static void
start(unsigned id, unsigned flags, unsigned qd, unsigned an)
{
	memset(&p, 0, sizeof(p));
	put16(id);
	put16(flags);
	put16(qd);
	put16(an);
	put16(0);
	put16(0);
}

static void
question(const char *name, unsigned type)
{
	putname(name);
	put16(type);
	put16(1);
}

/* A record's fixed part after its owner name; rr_end fills rdlength. */
static void
rr(unsigned type)
{
	put16(type);
	put16(1);
	put32(300);
	p.rdlen_at = p.len;
	put16(0);
}

static void
rr_end(void)
{
	size_t	n = p.len - p.rdlen_at - 2;

	p.b[p.rdlen_at] = (uint8_t)(n >> 8);
	p.b[p.rdlen_at + 1] = (uint8_t)n;
}

/* An A record owned by the question's name (a pointer to offset 12). */
static void
rr_a(const char *addr)
{
	unsigned	o[4];

	assert_int_equal(sscanf(addr, "%u.%u.%u.%u", &o[0], &o[1], &o[2],
	    &o[3]), 4);
	putptr(12);
	rr(DNS_T_A);
	put8(o[0]);
	put8(o[1]);
	put8(o[2]);
	put8(o[3]);
	rr_end();
}

/* The query the answers answer: id 0x1234, name, type, expect. */
static void
ask(const char *name, int type, const char *expect)
{
	static char	norm[DNS_TEXT_MAX];

	memset(&q, 0, sizeof(q));
	q.id = 0x1234;
	q.type = type;
	assert_int_equal(dns_query_name(&q, name, err, sizeof(err)), 0);
	if (expect != NULL) {
		assert_int_equal(dns_expect_norm(type, expect, norm,
		    sizeof(norm), err, sizeof(err)), 0);
		q.expect = norm;
	}
}

/* Parse a copy of just the packet's bytes: sanitizers see reads past it. */
static int
parse(void)
{
	uint8_t	*copy = malloc(p.len > 0 ? p.len : 1);
	int	 rc;

	assert_non_null(copy);
	memcpy(copy, p.b, p.len);
	err[0] = '\0';
	rc = dns_answer_parse(copy, p.len, &q, &a, err, sizeof(err));
	free(copy);
	return rc;
}

static void
parse_ok(void)
{
	int	rc = parse();

	if (rc != DNS_ANSWER_OK)
		fail_msg("answer refused (%d): %s", rc, err);
}

/* Refused as malformed, with want in the error. */
static void
parse_bad(const char *want)
{
	int	rc = parse();

	if (rc != DNS_ANSWER_BAD)
		fail_msg("want malformed (\"%s\"), got %d (%s)", want, rc, err);
	if (strstr(err, want) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err, want);
}

static void
parse_other(const char *want)
{
	int	rc = parse();

	if (rc != DNS_ANSWER_OTHER)
		fail_msg("want not ours (\"%s\"), got %d (%s)", want, rc, err);
	if (strstr(err, want) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err, want);
}

static void
test_query_build(void **state)
{
	static const uint8_t	want[] = {
		0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
		3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
		3, 'c', 'o', 'm', 0, 0, 28, 0, 1
	};
	uint8_t			buf[DNS_QUERY_MAX];
	struct dns_query	q2;
	int			n;

	(void)state;
	ask("www.example.com", DNS_T_AAAA, NULL);
	n = dns_query_build(&q, buf, sizeof(buf));
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(dns_query_build(&q, buf, sizeof(want) - 1), -1);

	/* A final dot changes nothing. */
	memset(&q2, 0, sizeof(q2));
	assert_int_equal(dns_query_name(&q2, "www.example.com.", err,
	    sizeof(err)), 0);
	assert_int_equal(q2.qnamelen, q.qnamelen);
	assert_memory_equal(q2.qname, q.qname, q.qnamelen);

	/* The root. */
	assert_int_equal(dns_query_name(&q2, ".", err, sizeof(err)), 0);
	assert_int_equal(q2.qnamelen, 1);
	assert_int_equal(q2.qname[0], 0);
}

static void
test_query_name_bad(void **state)
{
	char	name[400], label[64];

	(void)state;
	assert_int_equal(dns_query_name(&q, "a..b", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "empty label"));
	assert_int_equal(dns_query_name(&q, ".a", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "empty label"));
	assert_int_equal(dns_query_name(&q, "", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "empty name"));

	memset(name, 'x', 64);
	name[64] = '\0';
	assert_int_equal(dns_query_name(&q, name, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "longer than 63"));
	name[63] = '\0';
	assert_int_equal(dns_query_name(&q, name, err, sizeof(err)), 0);

	/* 4 labels of 63 and one of 1: 4 * 64 + 2 + 1 = 259 bytes. */
	memcpy(label, name, sizeof(label));
	snprintf(name, sizeof(name), "%s.%s.%s.%s.z", label, label, label,
	    label);
	assert_int_equal(dns_query_name(&q, name, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "longer than 255"));
	/* 4 labels of 63: 257 bytes, still too long; 3 fit. */
	name[4 * 64 - 1] = '\0';
	assert_int_equal(dns_query_name(&q, name, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "longer than 255"));
	name[3 * 64 - 1] = '\0';
	assert_int_equal(dns_query_name(&q, name, err, sizeof(err)), 0);
	assert_int_equal(q.qnamelen, 3 * 64 + 1);

	/* The texts in full, as hc's configuration errors show them. */
	assert_int_equal(dns_query_name(&q, "a..b", err, sizeof(err)), -1);
	assert_string_equal(err, "empty label in name \"a..b\"");
	assert_int_equal(dns_query_name(&q, "a\\", err, sizeof(err)), -1);
	assert_string_equal(err, "bad escape in name \"a\\\"");
}

/* Names take master-file escapes (lib/dns_name.c), as faildns's do. */
static void
test_query_name_escapes(void **state)
{
	(void)state;
	assert_int_equal(dns_query_name(&q, "a\\.b.example", err,
	    sizeof(err)), 0);
	assert_int_equal(q.qnamelen, 13);
	assert_memory_equal(q.qname, "\3a.b\7example\0", 13);
	assert_int_equal(dns_query_name(&q, "\\065.", err, sizeof(err)), 0);
	assert_memory_equal(q.qname, "\1A\0", 3);
}

static void
test_names_of_types_and_rcodes(void **state)
{
	(void)state;
	assert_int_equal(dns_type_parse("A"), DNS_T_A);
	assert_int_equal(dns_type_parse("aaaa"), DNS_T_AAAA);
	assert_int_equal(dns_type_parse("Mx"), DNS_T_MX);
	assert_int_equal(dns_type_parse("SOA"), DNS_T_SOA);
	assert_int_equal(dns_type_parse("ANY"), -1);
	assert_int_equal(dns_type_parse(""), -1);
	assert_string_equal(dns_type_str(DNS_T_CNAME), "CNAME");
	assert_string_equal(dns_type_str(99), "TYPE99");
	assert_string_equal(dns_rcode_str(DNS_R_NXDOMAIN), "NXDOMAIN");
	assert_string_equal(dns_rcode_str(DNS_R_SERVFAIL), "SERVFAIL");
	assert_string_equal(dns_rcode_str(12), "RCODE12");
}

static void
test_expect_norm(void **state)
{
	char	out[DNS_TEXT_MAX];

	(void)state;
	assert_int_equal(dns_expect_norm(DNS_T_A, "198.18.0.5", out,
	    sizeof(out), err, sizeof(err)), 0);
	assert_string_equal(out, "198.18.0.5");
	assert_int_equal(dns_expect_norm(DNS_T_A, "198.18.0", out,
	    sizeof(out), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not an IPv4 address"));
	assert_int_equal(dns_expect_norm(DNS_T_A, "::1", out, sizeof(out),
	    err, sizeof(err)), -1);
	assert_int_equal(dns_expect_norm(DNS_T_AAAA, "2001:DB8:0::1", out,
	    sizeof(out), err, sizeof(err)), 0);
	assert_string_equal(out, "2001:db8::1");
	assert_int_equal(dns_expect_norm(DNS_T_AAAA, "1.2.3.4", out,
	    sizeof(out), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not an IPv6 address"));
	assert_int_equal(dns_expect_norm(DNS_T_CNAME, "web.example.com.",
	    out, sizeof(out), err, sizeof(err)), 0);
	assert_string_equal(out, "web.example.com");
	assert_int_equal(dns_expect_norm(DNS_T_NS, ".", out, sizeof(out),
	    err, sizeof(err)), 0);
	assert_string_equal(out, ".");
	assert_int_equal(dns_expect_norm(DNS_T_MX, "10 mx.example.com.", out,
	    sizeof(out), err, sizeof(err)), 0);
	assert_string_equal(out, "10 mx.example.com");
	assert_int_equal(dns_expect_norm(DNS_T_MX, "mx.example.com", out,
	    sizeof(out), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "preference name"));
	assert_int_equal(dns_expect_norm(DNS_T_MX, "70000 mx", out,
	    sizeof(out), err, sizeof(err)), -1);
	assert_int_equal(dns_expect_norm(DNS_T_MX, "10 ", out, sizeof(out),
	    err, sizeof(err)), -1);
	/* TXT is taken as it is, final dot and all. */
	assert_int_equal(dns_expect_norm(DNS_T_TXT, "v=spf1 -all.", out,
	    sizeof(out), err, sizeof(err)), 0);
	assert_string_equal(out, "v=spf1 -all.");
}

static void
test_answer_a(void **state)
{
	(void)state;
	ask("www.example.com", DNS_T_A, "198.18.0.6");
	start(0x1234, 0x8180, 1, 2);
	question("www.example.com", DNS_T_A);
	rr_a("198.18.0.5");
	rr_a("198.18.0.6");
	parse_ok();
	assert_int_equal(a.rcode, DNS_R_NOERROR);
	assert_int_equal(a.tc, 0);
	assert_int_equal(a.count, 2);
	assert_int_equal(a.found, 1);
	assert_string_equal(a.first, "198.18.0.5");

	ask("www.example.com", DNS_T_A, "198.18.0.7");
	parse_ok();
	assert_int_equal(a.count, 2);
	assert_int_equal(a.found, 0);

	/* The question's name in other case; bytes after the answer. */
	ask("WWW.Example.COM", DNS_T_A, NULL);
	put8('\n');
	parse_ok();
	assert_int_equal(a.count, 2);
	assert_int_equal(a.found, 0);
}

static void
test_answer_cname_chain(void **state)
{
	(void)state;
	/* www CNAME web.example.com (compressed), web A 198.18.0.9. */
	ask("www.example.com", DNS_T_A, "198.18.0.9");
	start(0x1234, 0x8180, 1, 2);
	question("www.example.com", DNS_T_A);
	putptr(12);
	rr(DNS_T_CNAME);
	putlabels("web");
	putptr(16);			/* "example.com" in the question */
	rr_end();
	putptr(p.rdlen_at + 2);		/* the CNAME's data */
	rr(DNS_T_A);
	putbytes("\xc6\x12\x00\x09", 4);
	rr_end();
	parse_ok();
	assert_int_equal(a.count, 1);
	assert_int_equal(a.found, 1);
	assert_string_equal(a.first, "198.18.0.9");

	/* Asked for the CNAME itself: its target, as text. */
	ask("www.example.com", DNS_T_CNAME, "WEB.example.com.");
	p.b[DNS_HEADER_LEN + 17 + 1] = DNS_T_CNAME;
	parse_ok();
	assert_int_equal(a.count, 1);
	assert_int_equal(a.found, 1);
	assert_string_equal(a.first, "web.example.com");
}

static void
test_answer_other_types(void **state)
{
	(void)state;
	ask("example.com", DNS_T_AAAA, "2001:db8::1");
	start(0x1234, 0x8180, 1, 1);
	question("example.com", DNS_T_AAAA);
	putptr(12);
	rr(DNS_T_AAAA);
	putbytes("\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
	rr_end();
	parse_ok();
	assert_string_equal(a.first, "2001:db8::1");
	assert_int_equal(a.found, 1);

	ask("example.com", DNS_T_MX, "20 mx2.example.com");
	start(0x1234, 0x8180, 1, 2);
	question("example.com", DNS_T_MX);
	putptr(12);
	rr(DNS_T_MX);
	put16(10);
	putlabels("mx1");
	putptr(12);
	rr_end();
	putptr(12);
	rr(DNS_T_MX);
	put16(20);
	putname("mx2.example.com");
	rr_end();
	parse_ok();
	assert_int_equal(a.count, 2);
	assert_string_equal(a.first, "10 mx1.example.com");
	assert_int_equal(a.found, 1);

	ask("example.com", DNS_T_TXT, "v=spf1 -all");
	start(0x1234, 0x8180, 1, 1);
	question("example.com", DNS_T_TXT);
	putptr(12);
	rr(DNS_T_TXT);
	put8(11);
	putbytes("v=spf1 -all", 11);
	put8(3);
	putbytes("two", 3);
	rr_end();
	parse_ok();
	assert_string_equal(a.first, "v=spf1 -all");
	assert_int_equal(a.found, 1);

	/* An empty string, then a control byte shown as "?". */
	start(0x1234, 0x8180, 1, 2);
	question("example.com", DNS_T_TXT);
	putptr(12);
	rr(DNS_T_TXT);
	put8(0);
	rr_end();
	putptr(12);
	rr(DNS_T_TXT);
	put8(2);
	putbytes("a\x01", 2);
	rr_end();
	ask("example.com", DNS_T_TXT, "a?");
	parse_ok();
	assert_int_equal(a.count, 2);
	assert_string_equal(a.first, "");
	assert_int_equal(a.found, 1);

	ask("example.com", DNS_T_SOA, NULL);
	start(0x1234, 0x8180, 1, 1);
	question("example.com", DNS_T_SOA);
	putptr(12);
	rr(DNS_T_SOA);
	putlabels("ns1");
	putptr(12);
	putlabels("hostmaster");
	putptr(12);
	put32(2024010101UL);
	put32(7200);
	put32(900);
	put32(1209600);
	put32(300);
	rr_end();
	parse_ok();
	assert_string_equal(a.first, "ns1.example.com hostmaster.example.com "
	    "2024010101 7200 900 1209600 300");

	ask("5.0.18.198.in-addr.arpa", DNS_T_PTR, "www.example.com.");
	start(0x1234, 0x8180, 1, 1);
	question("5.0.18.198.in-addr.arpa", DNS_T_PTR);
	putptr(12);
	rr(DNS_T_PTR);
	putname("www.example.com");
	rr_end();
	parse_ok();
	assert_int_equal(a.found, 1);

	ask("example.com", DNS_T_NS, "a.iana-servers.net");
	start(0x1234, 0x8180, 1, 1);
	question("example.com", DNS_T_NS);
	putptr(12);
	rr(DNS_T_NS);
	putname("b.iana-servers.net");
	rr_end();
	parse_ok();
	assert_int_equal(a.count, 1);
	assert_int_equal(a.found, 0);
	assert_string_equal(a.first, "b.iana-servers.net");
}

static void
test_answer_rcodes(void **state)
{
	(void)state;
	ask("nosuch.example.com", DNS_T_A, NULL);
	start(0x1234, 0x8183, 1, 0);
	question("nosuch.example.com", DNS_T_A);
	parse_ok();
	assert_int_equal(a.rcode, DNS_R_NXDOMAIN);
	assert_int_equal(a.count, 0);

	/* No record of the type: NOERROR, another type only. */
	start(0x1234, 0x8180, 1, 1);
	question("nosuch.example.com", DNS_T_A);
	putptr(12);
	rr(DNS_T_TXT);
	putbytes("\x02hi", 3);
	rr_end();
	parse_ok();
	assert_int_equal(a.rcode, DNS_R_NOERROR);
	assert_int_equal(a.count, 0);
	assert_string_equal(a.first, "");

	/* A record of the type in another class does not count. */
	start(0x1234, 0x8180, 1, 1);
	question("nosuch.example.com", DNS_T_A);
	putptr(12);
	put16(DNS_T_A);
	put16(3);			/* CHAOS */
	put32(0);
	put16(4);
	put32(0x01020304);
	parse_ok();
	assert_int_equal(a.count, 0);

	/* An error answer without the question. */
	start(0x1234, 0x8185, 0, 0);
	parse_ok();
	assert_int_equal(a.rcode, DNS_R_REFUSED);
	/* But a NOERROR without it is broken. */
	start(0x1234, 0x8180, 0, 0);
	parse_bad("0 questions");
}

static void
test_answer_truncated_tc(void **state)
{
	(void)state;
	/* TC: the answer section is not read, whatever it claims. */
	ask("www.example.com", DNS_T_A, NULL);
	start(0x1234, 0x8380, 1, 5);
	question("www.example.com", DNS_T_A);
	rr_a("198.18.0.5");
	p.len -= 3;
	parse_ok();
	assert_int_equal(a.tc, 1);
	assert_int_equal(a.count, 0);
}

static void
test_answer_not_ours(void **state)
{
	(void)state;
	ask("www.example.com", DNS_T_A, NULL);
	start(0x4321, 0x8180, 1, 1);
	question("www.example.com", DNS_T_A);
	rr_a("198.18.0.5");
	parse_other("id 17185, not 4660");
	/* Another id is not ours however short the packet. */
	p.len = 2;
	parse_other("id 17185");
	/* Nor a packet too short for an id. */
	p.len = 1;
	parse_other("not even an id");
	p.len = 0;
	parse_other("0 bytes");

	/* A query (QR clear), e.g. our own looped back. */
	start(0x1234, 0x0100, 1, 0);
	question("www.example.com", DNS_T_A);
	parse_other("not an answer");

	/* The same id for another name, another type. */
	start(0x1234, 0x8180, 1, 0);
	question("www.example.org", DNS_T_A);
	parse_other("another question");
	start(0x1234, 0x8180, 1, 0);
	question("www.example.com", DNS_T_AAAA);
	parse_other("another question");
	start(0x1234, 0x8180, 1, 0);
	question("www.example", DNS_T_A);
	parse_other("another question");
}

static void
test_answer_cut(void **state)
{
	size_t	full, n;

	(void)state;
	ask("www.example.com", DNS_T_A, NULL);
	start(0x1234, 0x8180, 1, 1);
	question("www.example.com", DNS_T_A);
	rr_a("198.18.0.5");
	full = p.len;
	parse_ok();
	/* Every cut of the packet is refused, none read past the end. */
	for (n = full - 1; n >= 2; n--) {
		p.len = n;
		if (parse() != DNS_ANSWER_BAD)
			fail_msg("cut at %zu of %zu: accepted (%s)", n, full,
			    err);
	}
	p.len = 11;
	parse_bad("shorter than a header");
	p.len = DNS_HEADER_LEN + 5;
	parse_bad("runs past the end");
	p.len = DNS_HEADER_LEN + 17 + 2;
	parse_bad("question cut short");
	p.len = full - 9;
	parse_bad("answer 1 cut short");
	p.len = full - 1;
	parse_bad("past the end");

	/* Two questions. */
	start(0x1234, 0x8180, 2, 0);
	question("www.example.com", DNS_T_A);
	question("www.example.com", DNS_T_A);
	parse_bad("2 questions");
}

static void
test_answer_compression_loops(void **state)
{
	size_t	at;
	int	i;

	(void)state;
	ask("www.example.com", DNS_T_A, NULL);

	/* The question's name points at itself. */
	start(0x1234, 0x8180, 1, 0);
	putptr(12);
	parse_bad("compression loop");

	/* It points forward, to a name after it. */
	start(0x1234, 0x8180, 1, 0);
	putptr(18);
	put16(DNS_T_A);
	put16(1);
	putname("www.example.com");
	parse_bad("compression loop");

	/* An answer's owner: labels, then back to its own start. */
	start(0x1234, 0x8180, 1, 1);
	question("www.example.com", DNS_T_A);
	at = p.len;
	putlabels("loop");
	putptr((unsigned)at);
	parse_bad("compression loop");

	/* Two names pointing at each other: the second goes forward. */
	start(0x1234, 0x8180, 1, 2);
	question("www.example.com", DNS_T_A);
	at = p.len;
	putlabels("a");
	putptr((unsigned)at + 4 + 10 + 4);	/* the next record */
	rr(DNS_T_A);
	put32(0x01020304);
	rr_end();
	putlabels("b");
	putptr((unsigned)at);
	rr(DNS_T_A);
	put32(0x01020304);
	rr_end();
	parse_bad("compression loop");

	/*
	 * A chain of backward pointers, each to the one before, kept in
	 * the data of a TXT record (not asked for, so not read as names).
	 * The A record's owner name enters the chain at its end.
	 */
	start(0x1234, 0x8180, 1, 2);
	question("www.example.com", DNS_T_A);
	putptr(12);
	rr(DNS_T_TXT);
	at = p.len;
	put8(0);			/* the root, at the chain's end */
	for (i = 0; i < DNS_MAX_JUMPS; i++)
		putptr((unsigned)(i == 0 ? at : at + 1 + (size_t)(i - 1) * 2));
	rr_end();
	/* Through all the chain: DNS_MAX_JUMPS + 1 jumps. */
	putptr((unsigned)(at + 1 + (size_t)(DNS_MAX_JUMPS - 1) * 2));
	rr(DNS_T_A);
	put32(0x01020304);
	rr_end();
	parse_bad("compression loop");
	/* Entering one pointer later: DNS_MAX_JUMPS jumps, fine. */
	p.b[p.len - 4 - 10 - 1] -= 2;
	parse_ok();
	assert_int_equal(a.count, 1);
}

static void
test_answer_bad_names(void **state)
{
	int	i;

	(void)state;
	ask("www.example.com", DNS_T_A, NULL);
	/* Label types 01 and 10 are not in use. */
	start(0x1234, 0x8180, 1, 0);
	put8(0x41);
	put8('x');
	put8(0);
	parse_bad("bad label type 0x40");
	start(0x1234, 0x8180, 1, 0);
	put8(0x80);
	parse_bad("bad label type 0x80");

	/* A label running past the end. */
	start(0x1234, 0x8180, 1, 0);
	put8(20);
	putbytes("www", 3);
	parse_bad("runs past the end");

	/* A pointer's second byte missing. */
	start(0x1234, 0x8180, 1, 0);
	put8(0xc0);
	parse_bad("runs past the end");

	/*
	 * A name longer than 255 bytes made of pointers to a long earlier
	 * name: each part is legal, the whole is not.
	 */
	start(0x1234, 0x8180, 1, 1);
	question("www.example.com", DNS_T_A);
	for (i = 0; i < 4; i++) {
		put8(60);
		putbytes("0123456789012345678901234567890123456789"
		    "01234567890123456789", 60);
	}
	putptr(12);			/* + 17: 244 + 17 = 261 */
	rr(DNS_T_A);
	put32(0x01020304);
	rr_end();
	parse_bad("longer than 255");
}

static void
test_answer_bad_rdata(void **state)
{
	(void)state;
	ask("www.example.com", DNS_T_A, NULL);
	/* An A record of 5 bytes. */
	start(0x1234, 0x8180, 1, 1);
	question("www.example.com", DNS_T_A);
	putptr(12);
	rr(DNS_T_A);
	putbytes("\1\2\3\4\5", 5);
	rr_end();
	parse_bad("A record of 5 bytes");

	/* rdlength past the end of the packet. */
	start(0x1234, 0x8180, 1, 1);
	question("www.example.com", DNS_T_A);
	putptr(12);
	rr(DNS_T_A);
	put32(0x01020304);
	rr_end();
	p.b[p.rdlen_at + 1] = 200;
	parse_bad("data of 200 bytes past the end");

	/* A record of another type with a bad length is skipped... */
	start(0x1234, 0x8180, 1, 2);
	question("www.example.com", DNS_T_A);
	putptr(12);
	rr(DNS_T_AAAA);
	put32(0x01020304);
	rr_end();
	rr_a("198.18.0.1");
	parse_ok();
	assert_int_equal(a.count, 1);

	/* ...but one of the asked type is read to its end. */
	ask("example.com", DNS_T_CNAME, NULL);
	start(0x1234, 0x8180, 1, 1);
	question("example.com", DNS_T_CNAME);
	putptr(12);
	rr(DNS_T_CNAME);
	putname("web.example.com");
	put16(0);
	rr_end();
	parse_bad("2 bytes left over");

	/* A name in the data that runs into the next record. */
	start(0x1234, 0x8180, 1, 2);
	question("example.com", DNS_T_CNAME);
	putptr(12);
	rr(DNS_T_CNAME);
	putlabels("web");
	rr_end();
	putname("x");
	rr(DNS_T_TXT);
	rr_end();
	parse_bad("answer 1: name at");

	/* MX of 2 bytes; TXT whose string is longer than the record. */
	ask("example.com", DNS_T_MX, NULL);
	start(0x1234, 0x8180, 1, 1);
	question("example.com", DNS_T_MX);
	putptr(12);
	rr(DNS_T_MX);
	put16(10);
	rr_end();
	parse_bad("MX record of 2 bytes");
	ask("example.com", DNS_T_TXT, NULL);
	start(0x1234, 0x8180, 1, 1);
	question("example.com", DNS_T_TXT);
	putptr(12);
	rr(DNS_T_TXT);
	put8(10);
	putbytes("short", 5);
	rr_end();
	parse_bad("TXT string longer");
	start(0x1234, 0x8180, 1, 1);
	question("example.com", DNS_T_TXT);
	putptr(12);
	rr(DNS_T_TXT);
	rr_end();
	parse_bad("TXT string longer");

	/* SOA without its 20 bytes of numbers. */
	ask("example.com", DNS_T_SOA, NULL);
	start(0x1234, 0x8180, 1, 1);
	question("example.com", DNS_T_SOA);
	putptr(12);
	rr(DNS_T_SOA);
	putptr(12);
	putptr(12);
	put32(1);
	rr_end();
	parse_bad("SOA record too short");
}

/* Random bytes after a good header and question: never a crash. */
static void
test_answer_garbage(void **state)
{
	size_t	n;
	int	i, j, rc;

	(void)state;
	srand(1);
	ask("www.example.com", DNS_T_A, "1.2.3.4");
	for (i = 0; i < 20000; i++) {
		start(0x1234, 0x8180, 1, (unsigned)(rand() % 4));
		question("www.example.com", DNS_T_A);
		n = (size_t)(rand() % 120);
		for (j = 0; j < (int)n; j++)
			put8((unsigned)(rand() % 4 == 0 ? 0xc0 | rand() % 2 :
			    rand() % 256));
		rc = parse();
		assert_true(rc == DNS_ANSWER_OK || rc == DNS_ANSWER_BAD);
		assert_true(strlen(a.first) < sizeof(a.first));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query_build),
		cmocka_unit_test(test_query_name_bad),
		cmocka_unit_test(test_query_name_escapes),
		cmocka_unit_test(test_names_of_types_and_rcodes),
		cmocka_unit_test(test_expect_norm),
		cmocka_unit_test(test_answer_a),
		cmocka_unit_test(test_answer_cname_chain),
		cmocka_unit_test(test_answer_other_types),
		cmocka_unit_test(test_answer_rcodes),
		cmocka_unit_test(test_answer_truncated_tc),
		cmocka_unit_test(test_answer_not_ours),
		cmocka_unit_test(test_answer_cut),
		cmocka_unit_test(test_answer_compression_loops),
		cmocka_unit_test(test_answer_bad_names),
		cmocka_unit_test(test_answer_bad_rdata),
		cmocka_unit_test(test_answer_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
