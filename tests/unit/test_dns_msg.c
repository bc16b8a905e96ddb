/*
 * test_dns_msg.c: cmocka tests of faildns/dns_msg.c: queries (the ISC EDNS
 * compliance cases, Client Subnet, malformed ones), answers checked byte
 * by byte (compression, truncation, OPT), random and cut packets, and a
 * round trip through hc's own DNS client code. Wire names themselves are
 * lib/dns_name.c's, tested in test_dns_name.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* hc's client has a struct dns_query of its own: rename it here. */
#define dns_query hc_dns_query
#include "dns_packet.h"
#undef dns_query
#include "dns_msg.h"

/* A packet under construction. */
struct pkt {
	uint8_t	b[1024];
	size_t	len;
};

static struct pkt		p;
static struct dns_query		q;
static struct dns_writer	w;
static uint8_t			out[DNS_TCP_MAX];
static size_t			outlen;

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

static void
putname(const char *name)
{
	uint8_t	wire[DNS_NAME_MAX];
	int	n = dns_name_from_text(name, wire);

	assert_true(n > 0);
	putbytes(wire, (size_t)n);
}

/* A query header with counts, then (when qd) a question. */
static void
start(unsigned id, unsigned flags, unsigned qd, unsigned ar)
{
	memset(&p, 0, sizeof(p));
	put16(id);
	put16(flags);
	put16(qd);
	put16(0);
	put16(0);
	put16(ar);
}

static void
query(const char *name, unsigned type, unsigned ar)
{
	start(0x1234, DNS_F_RD, 1, ar);
	putname(name);
	put16(type);
	put16(DNS_CLASS_IN);
}

/* An OPT record: payload size, version, flags, then options follow. */
static size_t
opt(unsigned udp, unsigned version, unsigned flags, unsigned rdlen)
{
	put8(0);
	put16(DNS_TYPE_OPT);
	put16(udp);
	put8(0);
	put8(version);
	put16(flags);
	put16(rdlen);
	return p.len;
}

/* Parse a copy of just the packet's bytes: sanitizers see reads past it. */
static int
parse(void)
{
	uint8_t	*copy = malloc(p.len > 0 ? p.len : 1);
	int	 rc;

	assert_non_null(copy);
	memcpy(copy, p.b, p.len);
	rc = dns_query_parse(copy, p.len, &q);
	free(copy);
	return rc;
}

/* Answer q with rcode and no records. */
static void
answer_empty(int rcode, int tcp)
{
	assert_int_equal(dns_writer_init(&w, out, sizeof(out), &q, tcp), 0);
	outlen = dns_writer_finish(&w, rcode, 1);
}

static unsigned
out16(size_t at)
{
	assert_true(at + 2 <= outlen);
	return (unsigned)(out[at] << 8 | out[at + 1]);
}

/* Where the answer's OPT record starts (it is always the last record). */
static size_t
out_opt(void)
{
	size_t	at = outlen - 11;

	/* With Client Subnet the option sits after the fixed part. */
	if (q.ecs)
		at -= 8 + q.ecs_addrlen;
	assert_int_equal(out[at], 0);
	assert_int_equal(out16(at + 1), DNS_TYPE_OPT);
	return at;
}

static void
wire(const char *text, uint8_t *buf)
{
	assert_true(dns_name_from_text(text, buf) > 0);
}

/*
 * Queries
 */

static void
test_query_plain(void **state)
{
	(void)state;
	query("www.example.com", DNS_TYPE_A, 0);
	assert_int_equal(parse(), DNS_RCODE_NOERROR);
	assert_int_equal(q.id, 0x1234);
	assert_int_equal(q.opcode, 0);
	assert_int_equal(q.rd, 1);
	assert_int_equal(q.has_question, 1);
	assert_int_equal(q.qtype, DNS_TYPE_A);
	assert_int_equal(q.qclass, DNS_CLASS_IN);
	assert_int_equal(q.qname_len, 17);
	assert_memory_equal(q.qname, "\3www\7example\3com\0", 17);
	assert_int_equal(q.edns, 0);

	/* The plain answer: no OPT, RD copied, AA, our rcode. */
	answer_empty(DNS_RCODE_NXDOMAIN, 0);
	assert_int_equal(outlen, 12 + 17 + 4);
	assert_int_equal(out16(0), 0x1234);
	assert_int_equal(out16(2), DNS_F_QR | DNS_F_AA | DNS_F_RD | 3);
	assert_int_equal(out16(4), 1);
	assert_int_equal(out16(10), 0);
	assert_memory_equal(out + 12, p.b + 12, 17 + 4);
}

static void
test_query_case_kept(void **state)
{
	(void)state;
	query("wWw.ExAmPlE.cOm", DNS_TYPE_AAAA, 0);
	assert_int_equal(parse(), DNS_RCODE_NOERROR);
	assert_memory_equal(q.qname, "\3wWw\7ExAmPlE\3cOm\0", 17);
	assert_memory_equal(q.qname_lc, "\3www\7example\3com\0", 17);
	answer_empty(DNS_RCODE_NOERROR, 0);
	assert_memory_equal(out + 12, "\3wWw\7ExAmPlE\3cOm\0", 17);
}

static void
test_query_response_dropped(void **state)
{
	(void)state;
	query("www.example.com", DNS_TYPE_A, 0);
	p.b[2] |= 0x80;
	assert_int_equal(parse(), DNS_PARSE_DROP);
	/* Less than a header: no id to answer to. */
	query("www.example.com", DNS_TYPE_A, 0);
	p.len = 11;
	assert_int_equal(parse(), DNS_PARSE_DROP);
	p.len = 0;
	assert_int_equal(parse(), DNS_PARSE_DROP);
}

static void
test_query_opcode_notimp(void **state)
{
	(void)state;
	query("www.example.com", DNS_TYPE_A, 0);
	p.b[2] |= 15 << 3;		/* opcode 15 */
	assert_int_equal(parse(), DNS_RCODE_NOTIMP);
	assert_int_equal(q.opcode, 15);
	answer_empty(DNS_RCODE_NOTIMP, 0);
	assert_int_equal(out16(2), DNS_F_QR | 15 << 11 | DNS_F_AA | DNS_F_RD |
	    DNS_RCODE_NOTIMP);
	/* NOTIFY (4) and UPDATE (5) too, for now. */
	p.b[2] = (p.b[2] & 0x87) | 4 << 3;
	assert_int_equal(parse(), DNS_RCODE_NOTIMP);
	p.b[2] = (p.b[2] & 0x87) | 5 << 3;
	assert_int_equal(parse(), DNS_RCODE_NOTIMP);
	/* With EDNS: the question and the OPT are read first, so that the
	 * NOTIMP echoes them (RFC 6891 section 6.1.1). */
	query("www.example.com", DNS_TYPE_A, 1);
	opt(4096, 0, 0, 0);
	p.b[2] |= 15 << 3;
	assert_int_equal(parse(), DNS_RCODE_NOTIMP);
	assert_int_equal(q.has_question, 1);
	assert_int_equal(q.edns, 1);
	answer_empty(DNS_RCODE_NOTIMP, 0);
	assert_int_equal(out16(4), 1);
	assert_int_equal(out16(10), 1);
	out_opt();
}

static void
test_query_qdcount(void **state)
{
	(void)state;
	query("www.example.com", DNS_TYPE_A, 0);
	p.b[5] = 0;
	assert_int_equal(parse(), DNS_RCODE_FORMERR);
	assert_int_equal(q.has_question, 0);
	answer_empty(DNS_RCODE_FORMERR, 0);
	assert_int_equal(outlen, 12);
	assert_int_equal(out16(2) & 0xf, DNS_RCODE_FORMERR);
	p.b[5] = 2;
	assert_int_equal(parse(), DNS_RCODE_FORMERR);
}

static void
test_query_pointer_in_question(void **state)
{
	(void)state;
	start(0x1234, 0, 1, 0);
	put8(3);
	putbytes("www", 3);
	put16(0xc000 | 12);
	put16(DNS_TYPE_A);
	put16(DNS_CLASS_IN);
	assert_int_equal(parse(), DNS_RCODE_FORMERR);
	/* A reserved label type. */
	start(0x1234, 0, 1, 0);
	put8(0x41);
	put8(0);
	put16(DNS_TYPE_A);
	put16(DNS_CLASS_IN);
	assert_int_equal(parse(), DNS_RCODE_FORMERR);
}

/* Every cut of a good query with EDNS and ECS: FORMERR or DROP, no crash. */
static void
test_query_cut(void **state)
{
	size_t	full, n;
	int	rc;

	(void)state;
	query("www.example.com", DNS_TYPE_A, 1);
	opt(4096, 0, 0, 11);
	put16(DNS_OPT_ECS);
	put16(7);
	put16(1);
	put8(24);
	put8(0);
	putbytes("\300\250\001", 3);
	full = p.len;
	assert_int_equal(parse(), DNS_RCODE_NOERROR);
	assert_int_equal(q.ecs, 1);
	for (n = 0; n < full; n++) {
		p.len = n;
		rc = parse();
		if (n < 12)
			assert_int_equal(rc, DNS_PARSE_DROP);
		else
			assert_int_equal(rc, DNS_RCODE_FORMERR);
		assert_int_equal(q.edns, 0);
	}
}

static void
test_query_trailing_ignored(void **state)
{
	(void)state;
	query("www.example.com", DNS_TYPE_A, 0);
	putbytes("garbage", 7);
	assert_int_equal(parse(), DNS_RCODE_NOERROR);
	/* An answer record in a query is stepped over. */
	query("www.example.com", DNS_TYPE_A, 0);
	p.b[7] = 1;
	put16(0xc000 | 12);
	put16(DNS_TYPE_A);
	put16(1);
	put32(60);
	put16(4);
	put32(0x01020304);
	assert_int_equal(parse(), DNS_RCODE_NOERROR);
	/* Whose data runs past the end. */
	p.len -= 1;
	assert_int_equal(parse(), DNS_RCODE_FORMERR);
}

/* Random packets, and random bytes after good headers: never a crash. */
static void
test_query_random(void **state)
{
	size_t	n;
	int	i, j, rc;

	(void)state;
	srand(3);
	for (i = 0; i < 50000; i++) {
		start((unsigned)rand(), (unsigned)rand() & 0x7fff, 1,
		    (unsigned)(rand() % 3));
		if (i % 2)
			p.len = (size_t)(rand() % 12);
		n = (size_t)(rand() % 100);
		for (j = 0; j < (int)n; j++)
			put8((unsigned)(rand() % 4 == 0 ? 0xc0 | rand() % 2 :
			    rand() % 4 == 0 ? 0 : rand() % 64));
		rc = parse();
		assert_true(rc == DNS_PARSE_DROP || (rc >= 0 && rc <= 16));
		if (rc == DNS_PARSE_DROP)
			continue;
		assert_true(q.qname_len <= DNS_NAME_MAX);
		/* Whatever was read can be answered within 512 bytes. */
		answer_empty(rc, 0);
		assert_true(outlen <= DNS_UDP_MIN);
	}
}

/*
 * EDNS: the ISC compliance cases (https://ednscomp.isc.org)
 */

static void
test_edns_0(void **state)
{
	size_t	at;

	(void)state;
	query("example.com", DNS_TYPE_SOA, 1);
	opt(4096, 0, 0, 0);
	assert_int_equal(parse(), DNS_RCODE_NOERROR);
	assert_int_equal(q.edns, 1);
	assert_int_equal(q.edns_version, 0);
	assert_int_equal(q.edns_udp_size, 4096);
	assert_int_equal(q.edns_do, 0);
	answer_empty(DNS_RCODE_NOERROR, 0);
	assert_int_equal(outlen, 12 + 13 + 4 + 11);
	assert_int_equal(out16(10), 1);
	at = out_opt();
	assert_int_equal(out16(at + 3), DNS_EDNS_UDP_MAX);
	assert_memory_equal(out + at + 5, "\0\0\0\0\0\0", 6);
}

static void
test_edns_version_1(void **state)
{
	size_t	at;

	(void)state;
	query("example.com", DNS_TYPE_SOA, 1);
	opt(4096, 1, 0, 0);
	assert_int_equal(parse(), DNS_RCODE_BADVERS);
	assert_int_equal(q.edns_version, 1);
	answer_empty(DNS_RCODE_BADVERS, 0);
	/* BADVERS is 16: 0 in the header, 1 in OPT, and we speak 0. */
	assert_int_equal(out16(2) & 0xf, 0);
	at = out_opt();
	assert_int_equal(out[at + 5], 1);
	assert_int_equal(out[at + 6], 0);
	/* Options of another version are not read, nor echoed. */
	query("example.com", DNS_TYPE_SOA, 1);
	opt(4096, 1, 0, 8);
	put16(DNS_OPT_ECS);
	put16(4);
	put16(1);
	put16(0);
	assert_int_equal(parse(), DNS_RCODE_BADVERS);
	assert_int_equal(q.ecs, 0);
}

static void
test_edns_unknown_option(void **state)
{
	size_t	at;

	(void)state;
	query("example.com", DNS_TYPE_SOA, 1);
	opt(4096, 0, 0, 4 + 3 + 4);
	put16(100);
	put16(3);
	putbytes("abc", 3);
	put16(10);		/* a COOKIE of no length: still ignored */
	put16(0);
	assert_int_equal(parse(), DNS_RCODE_NOERROR);
	answer_empty(DNS_RCODE_NOERROR, 0);
	at = out_opt();
	assert_int_equal(out16(at + 9), 0);	/* no options */
	assert_int_equal(outlen, at + 11);
}

static void
test_edns_unknown_flag(void **state)
{
	size_t	at;

	(void)state;
	query("example.com", DNS_TYPE_SOA, 1);
	opt(4096, 0, 0x4000, 0);
	assert_int_equal(parse(), DNS_RCODE_NOERROR);
	assert_int_equal(q.edns_do, 0);
	answer_empty(DNS_RCODE_NOERROR, 0);
	at = out_opt();
	assert_int_equal(out16(at + 7), 0);
}

static void
test_edns_do(void **state)
{
	size_t	at;

	(void)state;
	query("example.com", DNS_TYPE_SOA, 1);
	opt(4096, 0, 0x8000 | 0x0001, 0);
	assert_int_equal(parse(), DNS_RCODE_NOERROR);
	assert_int_equal(q.edns_do, 1);
	answer_empty(DNS_RCODE_NOERROR, 0);
	at = out_opt();
	assert_int_equal(out16(at + 7), 0x8000);
}

static void
test_edns_small_buffer(void **state)
{
	uint8_t	owner[DNS_NAME_MAX], rdata[255];
	int	i, rc;

	(void)state;
	query("example.com", DNS_TYPE_TXT, 1);
	opt(100, 0, 0, 0);
	assert_int_equal(parse(), DNS_RCODE_NOERROR);
	assert_int_equal(q.edns_udp_size, DNS_UDP_MIN);
	/* Records of 11 + 2 + 10 + 200 bytes: two fit in 512, not three. */
	assert_int_equal(dns_writer_init(&w, out, sizeof(out), &q, 0), 0);
	wire("example.com", owner);
	memset(rdata, 'x', sizeof(rdata));
	rdata[0] = 199;
	for (i = 0; i < 3; i++) {
		rc = dns_writer_rr(&w, DNS_SEC_ANSWER, owner, DNS_TYPE_TXT, 1,
		    60, rdata, 200);
		assert_int_equal(rc, i < 2 ? DNS_RR_OK : DNS_RR_FULL);
	}
	outlen = dns_writer_finish(&w, DNS_RCODE_NOERROR, 1);
	assert_true(outlen <= DNS_UDP_MIN);
	assert_int_equal(out16(2) & DNS_F_TC, DNS_F_TC);
	assert_int_equal(out16(6), 2);
	assert_int_equal(out16(10), 1);	/* OPT still there */
	out_opt();
}

static void
test_edns_large_buffer_capped(void **state)
{
	(void)state;
	query("example.com", DNS_TYPE_A, 1);
	opt(65000, 0, 0, 0);
	assert_int_equal(parse(), DNS_RCODE_NOERROR);
	assert_int_equal(q.edns_udp_size, 65000);
	assert_int_equal(dns_writer_init(&w, out, sizeof(out), &q, 0), 0);
	assert_int_equal(w.limit + 11, DNS_EDNS_UDP_MAX);
	assert_int_equal(dns_writer_init(&w, out, 600, &q, 0), 0);
	assert_int_equal(w.limit + 11, 600);
	assert_int_equal(dns_writer_init(&w, out, 511, &q, 0), -1);
	assert_int_equal(dns_writer_init(&w, out, sizeof(out), &q, 1), 0);
	assert_int_equal(w.limit + 11, DNS_TCP_MAX);
}

static void
test_edns_two_opt(void **state)
{
	(void)state;
	query("example.com", DNS_TYPE_A, 2);
	opt(4096, 0, 0, 0);
	opt(4096, 0, 0, 0);
	assert_int_equal(parse(), DNS_RCODE_FORMERR);
	assert_int_equal(q.edns, 0);
	assert_int_equal(q.has_question, 1);
	answer_empty(DNS_RCODE_FORMERR, 0);
	assert_int_equal(out16(10), 0);
	assert_int_equal(outlen, 12 + 13 + 4);
}

static void
test_edns_owner_not_root(void **state)
{
	(void)state;
	query("example.com", DNS_TYPE_A, 1);
	put16(0xc000 | 12);	/* example.com, not the root */
	put16(DNS_TYPE_OPT);
	put16(4096);
	put32(0);
	put16(0);
	assert_int_equal(parse(), DNS_RCODE_FORMERR);
	assert_int_equal(q.edns, 0);
}

static void
test_edns_bad_options(void **state)
{
	(void)state;
	/* An option longer than the record's data. */
	query("example.com", DNS_TYPE_A, 1);
	opt(4096, 0, 0, 6);
	put16(100);
	put16(3);
	putbytes("ab", 2);
	assert_int_equal(parse(), DNS_RCODE_FORMERR);
	/* Two stray bytes after the options. */
	query("example.com", DNS_TYPE_A, 1);
	opt(4096, 0, 0, 6);
	put16(100);
	put16(0);
	put16(0);
	assert_int_equal(parse(), DNS_RCODE_FORMERR);
	/* OPT in the answer section. */
	query("example.com", DNS_TYPE_A, 0);
	p.b[7] = 1;
	opt(4096, 0, 0, 0);
	assert_int_equal(parse(), DNS_RCODE_FORMERR);
}

/*
 * Client Subnet, RFC 7871
 */

/* A query with an ECS option: family, source, scope, addrlen address. */
static int
ecs_query(unsigned family, unsigned source, unsigned scope,
    const char *addr, size_t addrlen)
{
	query("www.example.com", DNS_TYPE_A, 1);
	opt(1232, 0, 0, 8 + addrlen);
	put16(DNS_OPT_ECS);
	put16(4 + addrlen);
	put16(family);
	put8(source);
	put8(scope);
	putbytes(addr, addrlen);
	return parse();
}

static void
test_ecs_v4(void **state)
{
	size_t	at;

	(void)state;
	assert_int_equal(ecs_query(1, 24, 0, "\300\250\001", 3),
	    DNS_RCODE_NOERROR);
	assert_int_equal(q.ecs, 1);
	assert_int_equal(q.ecs_family, 1);
	assert_int_equal(q.ecs_source, 24);
	assert_int_equal(q.ecs_addrlen, 3);
	answer_empty(DNS_RCODE_NOERROR, 0);
	at = out_opt();
	/* Echoed, with scope 0: the answer is the same for everyone. */
	assert_int_equal(out16(at + 9), 11);
	assert_memory_equal(out + at + 11,
	    "\0\010\0\007\0\001\030\0\300\250\001", 11);
	assert_int_equal(outlen, at + 22);
}

static void
test_ecs_v6_and_zero(void **state)
{
	size_t	at;

	(void)state;
	assert_int_equal(ecs_query(2, 56, 0, "\x20\x01\x0d\xb8\0\0\x01", 7),
	    DNS_RCODE_NOERROR);
	assert_int_equal(q.ecs_addrlen, 7);
	/* A scope in the query is not echoed either. */
	assert_int_equal(ecs_query(2, 0, 9, "", 0), DNS_RCODE_NOERROR);
	answer_empty(DNS_RCODE_NOERROR, 0);
	at = out_opt();
	assert_memory_equal(out + at + 11, "\0\010\0\004\0\002\0\0", 8);
}

static void
test_ecs_bad(void **state)
{
	size_t	at;

	(void)state;
	/* Unknown family. */
	assert_int_equal(ecs_query(3, 8, 0, "\1", 1), DNS_RCODE_FORMERR);
	/* Source prefix longer than the family's address. */
	assert_int_equal(ecs_query(1, 33, 0, "\1\2\3\4\5", 5),
	    DNS_RCODE_FORMERR);
	assert_int_equal(ecs_query(2, 129, 0,
	    "0123456789abcdefg", 17), DNS_RCODE_FORMERR);
	/* Address length not the prefix's. */
	assert_int_equal(ecs_query(1, 24, 0, "\1\2\3\4", 4), DNS_RCODE_FORMERR);
	assert_int_equal(ecs_query(1, 24, 0, "\1\2", 2), DNS_RCODE_FORMERR);
	/* Bits set past the prefix. */
	assert_int_equal(ecs_query(1, 23, 0, "\1\2\3", 3), DNS_RCODE_FORMERR);
	assert_int_equal(ecs_query(1, 23, 0, "\1\2\2", 3), DNS_RCODE_NOERROR);
	/* Shorter than its fixed part. */
	query("www.example.com", DNS_TYPE_A, 1);
	opt(1232, 0, 0, 7);
	put16(DNS_OPT_ECS);
	put16(3);
	putbytes("\0\1\0", 3);
	assert_int_equal(parse(), DNS_RCODE_FORMERR);
	/* The FORMERR still carries OPT (the record was fine), no ECS. */
	assert_int_equal(q.edns, 1);
	assert_int_equal(q.ecs, 0);
	answer_empty(DNS_RCODE_FORMERR, 0);
	at = out_opt();
	assert_int_equal(out16(at + 9), 0);
}

static void
test_ecs_twice(void **state)
{
	(void)state;
	query("www.example.com", DNS_TYPE_A, 1);
	opt(1232, 0, 0, 16);
	put16(DNS_OPT_ECS);
	put16(4);
	put32(0x00010000);
	put16(DNS_OPT_ECS);
	put16(4);
	put32(0x00010000);
	assert_int_equal(parse(), DNS_RCODE_FORMERR);
}

/*
 * Answers
 */

static void
rr(int section, const char *owner, unsigned type, const uint8_t *rdata,
    size_t rdlen, int want)
{
	uint8_t	o[DNS_NAME_MAX];

	wire(owner, o);
	assert_int_equal(dns_writer_rr(&w, section, o, type, DNS_CLASS_IN,
	    300, rdata, rdlen), want);
}

/* rdata that is one name, as text; returns its length. */
static size_t
rd_name(uint8_t *b, const char *name)
{
	return (size_t)dns_name_from_text(name, b);
}

static void
test_answer_compression(void **state)
{
	uint8_t		 rd[600];
	size_t		 n;
	/* The answer, byte by byte. */
	static const uint8_t want[] = {
		0x12, 0x34, 0x85, 0x00, 0, 1, 0, 3, 0, 1, 0, 1,
		/* 12: question www.Example.com A IN */
		3, 'w', 'w', 'w', 7, 'E', 'x', 'a', 'm', 'p', 'l', 'e',
		3, 'c', 'o', 'm', 0, 0, 1, 0, 1,
		/* 33: www CNAME web.example.com: pointers to 12 and 16 */
		0xc0, 12, 0, 5, 0, 1, 0, 0, 1, 0x2c, 0, 6,
		3, 'w', 'e', 'b', 0xc0, 16,
		/* 51: web A 192.0.2.1: the owner is the name at 45 */
		0xc0, 45, 0, 1, 0, 1, 0, 0, 1, 0x2c, 0, 4,
		192, 0, 2, 1,
		/* 67: web MX 10 mail.example.com */
		0xc0, 45, 0, 15, 0, 1, 0, 0, 1, 0x2c, 0, 9,
		0, 10, 4, 'm', 'a', 'i', 'l', 0xc0, 16,
		/* 88: example.com NS ns1.example.com */
		0xc0, 16, 0, 2, 0, 1, 0, 0, 1, 0x2c, 0, 6,
		3, 'n', 's', '1', 0xc0, 16,
		/* 106: mail A: the name at 81, another case matches */
		0xc0, 81, 0, 1, 0, 1, 0, 0, 1, 0x2c, 0, 4,
		192, 0, 2, 2,
	};

	(void)state;
	query("www.Example.com", DNS_TYPE_A, 0);
	assert_int_equal(parse(), DNS_RCODE_NOERROR);
	assert_int_equal(dns_writer_init(&w, out, sizeof(out), &q, 0), 0);
	n = rd_name(rd, "web.example.com");
	rr(DNS_SEC_ANSWER, "www.example.com", DNS_TYPE_CNAME, rd, n, DNS_RR_OK);
	rr(DNS_SEC_ANSWER, "web.example.com", DNS_TYPE_A,
	    (const uint8_t *)"\300\000\002\001", 4, DNS_RR_OK);
	rd[0] = 0;
	rd[1] = 10;
	n = 2 + rd_name(rd + 2, "mail.example.com");
	rr(DNS_SEC_ANSWER, "web.example.com", DNS_TYPE_MX, rd, n, DNS_RR_OK);
	n = rd_name(rd, "ns1.example.com");
	rr(DNS_SEC_AUTHORITY, "example.com", DNS_TYPE_NS, rd, n, DNS_RR_OK);
	rr(DNS_SEC_ADDITIONAL, "MAIL.example.COM", DNS_TYPE_A,
	    (const uint8_t *)"\300\000\002\002", 4, DNS_RR_OK);
	outlen = dns_writer_finish(&w, DNS_RCODE_NOERROR, 1);
	assert_int_equal(outlen, sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
}

static void
test_answer_soa_compressed(void **state)
{
	uint8_t	rd[600];
	size_t	n;
	static const uint8_t want[] = {
		/* 29: example.com SOA ns1.example.com hostmaster.example.com */
		0xc0, 12, 0, 6, 0, 1, 0, 0, 1, 0x2c, 0, 6 + 13 + 20,
		3, 'n', 's', '1', 0xc0, 12,
		10, 'h', 'o', 's', 't', 'm', 'a', 's', 't', 'e', 'r', 0xc0, 12,
		0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5,
	};

	(void)state;
	query("example.com", DNS_TYPE_SOA, 0);
	assert_int_equal(parse(), DNS_RCODE_NOERROR);
	assert_int_equal(dns_writer_init(&w, out, sizeof(out), &q, 0), 0);
	n = rd_name(rd, "ns1.example.com");
	n += rd_name(rd + n, "hostmaster.example.com");
	memcpy(rd + n, "\0\0\0\1\0\0\0\2\0\0\0\3\0\0\0\4\0\0\0\5", 20);
	n += 20;
	rr(DNS_SEC_ANSWER, "example.com", DNS_TYPE_SOA, rd, n, DNS_RR_OK);
	outlen = dns_writer_finish(&w, DNS_RCODE_NOERROR, 1);
	assert_int_equal(outlen, 29 + sizeof(want));
	assert_memory_equal(out + 29, want, sizeof(want));
}

/* SRV, TXT and unknown types: their data goes out as given. */
static void
test_answer_no_rdata_compression(void **state)
{
	uint8_t	rd[600];
	size_t	n;

	(void)state;
	query("example.com", DNS_TYPE_SRV, 0);
	assert_int_equal(parse(), DNS_RCODE_NOERROR);
	assert_int_equal(dns_writer_init(&w, out, sizeof(out), &q, 0), 0);
	memcpy(rd, "\0\1\0\2\0\3", 6);
	n = 6 + rd_name(rd + 6, "example.com");
	rr(DNS_SEC_ANSWER, "example.com", DNS_TYPE_SRV, rd, n, DNS_RR_OK);
	outlen = dns_writer_finish(&w, DNS_RCODE_NOERROR, 1);
	assert_int_equal(outlen, 29 + 12 + n);
	assert_memory_equal(out + 29 + 12, rd, n);
	assert_int_equal(out16(29 + 10), n);
}

static void
test_answer_truncation_tc(void **state)
{
	uint8_t	rd[4];
	int	i, rc, ok = 0;

	(void)state;
	query("many.example.com", DNS_TYPE_A, 0);
	assert_int_equal(parse(), DNS_RCODE_NOERROR);
	assert_int_equal(dns_writer_init(&w, out, sizeof(out), &q, 0), 0);
	/* 16 bytes an A record with a pointer: 30 fit after 34 bytes. */
	for (i = 0; i < 40; i++) {
		memcpy(rd, "\300\000\002", 3);
		rd[3] = (uint8_t)i;
		rc = dns_writer_rr(&w, DNS_SEC_ANSWER, q.qname, DNS_TYPE_A, 1,
		    60, rd, 4);
		if (rc == DNS_RR_OK)
			ok++;
		else
			assert_int_equal(rc, DNS_RR_FULL);
	}
	assert_int_equal(ok, (512 - 34) / 16);
	/* Nothing after the stop, not even an additional record. */
	rr(DNS_SEC_ADDITIONAL, "x", DNS_TYPE_A, rd, 4, DNS_RR_FULL);
	outlen = dns_writer_finish(&w, DNS_RCODE_NOERROR, 1);
	assert_int_equal(outlen, 34 + 16 * ok);
	assert_int_equal(out16(2) & DNS_F_TC, DNS_F_TC);
	assert_int_equal(out16(6), ok);
	assert_int_equal(out16(10), 0);

	/* Over TCP all of them fit, and never a TC. */
	assert_int_equal(dns_writer_init(&w, out, sizeof(out), &q, 1), 0);
	for (i = 0; i < 40; i++)
		assert_int_equal(dns_writer_rr(&w, DNS_SEC_ANSWER, q.qname,
		    DNS_TYPE_A, 1, 60, rd, 4), DNS_RR_OK);
	outlen = dns_writer_finish(&w, DNS_RCODE_NOERROR, 1);
	assert_int_equal(out16(2) & DNS_F_TC, 0);
	assert_int_equal(out16(6), 40);
}

static void
test_answer_additional_dropped(void **state)
{
	uint8_t	big[400], rd[600];
	size_t	n;

	(void)state;
	query("example.com", DNS_TYPE_MX, 0);
	assert_int_equal(parse(), DNS_RCODE_NOERROR);
	assert_int_equal(dns_writer_init(&w, out, sizeof(out), &q, 0), 0);
	rd[0] = 0;
	rd[1] = 10;
	n = 2 + rd_name(rd + 2, "mail.example.com");
	rr(DNS_SEC_ANSWER, "example.com", DNS_TYPE_MX, rd, n, DNS_RR_OK);
	memset(big, 'x', sizeof(big));
	/* Too big for what is left: dropped, no TC, later ones still go. */
	rr(DNS_SEC_ADDITIONAL, "mail.example.com", DNS_TYPE_TXT, big, 400,
	    DNS_RR_OK);
	rr(DNS_SEC_ADDITIONAL, "mail.example.com", DNS_TYPE_TXT, big, 400,
	    DNS_RR_FULL);
	rr(DNS_SEC_ADDITIONAL, "mail.example.com", DNS_TYPE_A,
	    (const uint8_t *)"\300\000\002\001", 4, DNS_RR_OK);
	outlen = dns_writer_finish(&w, DNS_RCODE_NOERROR, 1);
	assert_int_equal(out16(2) & DNS_F_TC, 0);
	assert_int_equal(out16(6), 1);
	assert_int_equal(out16(10), 2);
	assert_true(outlen <= 512);
}

/* A dropped record leaves no name behind for later ones to point to. */
static void
test_answer_rollback_names(void **state)
{
	uint8_t	big[500];

	(void)state;
	query("a", DNS_TYPE_A, 0);
	assert_int_equal(parse(), DNS_RCODE_NOERROR);
	assert_int_equal(dns_writer_init(&w, out, sizeof(out), &q, 0), 0);
	memset(big, 'x', sizeof(big));
	rr(DNS_SEC_ADDITIONAL, "dropped.example", DNS_TYPE_TXT, big, 490,
	    DNS_RR_FULL);
	rr(DNS_SEC_ADDITIONAL, "dropped.example", DNS_TYPE_A,
	    (const uint8_t *)"\1\2\3\4", 4, DNS_RR_OK);
	outlen = dns_writer_finish(&w, DNS_RCODE_NOERROR, 1);
	/* The owner is written out in full, no pointer to lost bytes. */
	assert_int_equal(outlen, 12 + 3 + 4 + 17 + 10 + 4);
	assert_memory_equal(out + 19, "\7dropped\7example\0", 17);
}

static void
test_answer_caller_mistakes(void **state)
{
	uint8_t	rd[600];
	size_t	n;

	(void)state;
	query("example.com", DNS_TYPE_A, 0);
	assert_int_equal(parse(), DNS_RCODE_NOERROR);
	assert_int_equal(dns_writer_init(&w, out, sizeof(out), &q, 0), 0);
	n = rd_name(rd, "a.example.com");
	/* A CNAME whose name is shorter or longer than its data. */
	rr(DNS_SEC_ANSWER, "example.com", DNS_TYPE_CNAME, rd, n - 1,
	    DNS_RR_BAD);
	rr(DNS_SEC_ANSWER, "example.com", DNS_TYPE_CNAME, rd, n + 1,
	    DNS_RR_BAD);
	rr(DNS_SEC_ANSWER, "example.com", DNS_TYPE_MX, rd, 2, DNS_RR_BAD);
	rr(DNS_SEC_ANSWER, "example.com", DNS_TYPE_SOA, rd, n, DNS_RR_BAD);
	rr(DNS_SEC_ANSWER, "example.com", DNS_TYPE_OPT, rd, 0, DNS_RR_BAD);
	/* Sections out of order. */
	rr(DNS_SEC_ADDITIONAL, "example.com", DNS_TYPE_A, rd, 4, DNS_RR_OK);
	rr(DNS_SEC_ANSWER, "example.com", DNS_TYPE_A, rd, 4, DNS_RR_BAD);
	rr(9, "example.com", DNS_TYPE_A, rd, 4, DNS_RR_BAD);
	outlen = dns_writer_finish(&w, DNS_RCODE_NOERROR, 1);
	assert_int_equal(out16(6), 0);
	assert_int_equal(out16(10), 1);
}

/*
 * More names than the compression table holds, over TCP: every owner and
 * target reads back (through dns_name_unpack) as it went in.
 */
static void
test_answer_many_names(void **state)
{
	uint8_t	rd[DNS_NAME_MAX], got[DNS_NAME_MAX], o[DNS_NAME_MAX];
	char	name[64], target[64];
	size_t	off, rdlen, rdstart;
	int	i, n;

	(void)state;
	query("example.com", DNS_TYPE_CNAME, 0);
	assert_int_equal(parse(), DNS_RCODE_NOERROR);
	assert_int_equal(dns_writer_init(&w, out, sizeof(out), &q, 1), 0);
	for (i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "h%d.Sub%d.example.com", i, i % 7);
		snprintf(target, sizeof(target), "t%d.sub%d.EXAMPLE.com", i,
		    i % 5);
		n = rd_name(rd, target);
		rr(DNS_SEC_ANSWER, name, DNS_TYPE_CNAME, rd, (size_t)n,
		    DNS_RR_OK);
	}
	outlen = dns_writer_finish(&w, DNS_RCODE_NOERROR, 1);
	assert_int_equal(out16(6), 200);
	off = 12 + 13 + 4;
	for (i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "h%d.Sub%d.example.com", i, i % 7);
		snprintf(target, sizeof(target), "t%d.sub%d.EXAMPLE.com", i,
		    i % 5);
		assert_true(dns_name_unpack(out, outlen, &off, got) > 0);
		wire(name, o);
		assert_int_equal(dns_name_cmp(got, o), 0);
		assert_int_equal(out16(off), DNS_TYPE_CNAME);
		rdlen = out16(off + 8);
		off += 10;
		rdstart = off;
		assert_true(dns_name_unpack(out, outlen, &off, got) > 0);
		wire(target, o);
		assert_int_equal(dns_name_cmp(got, o), 0);
		/* rdlength counts the compressed name. */
		assert_int_equal(off, rdstart + rdlen);
	}
	assert_int_equal(off, outlen);
}

static void
test_rcode_str(void **state)
{
	(void)state;
	assert_string_equal(dns_msg_rcode_str(DNS_RCODE_NXDOMAIN), "NXDOMAIN");
	assert_string_equal(dns_msg_rcode_str(DNS_RCODE_BADVERS), "BADVERS");
	assert_string_equal(dns_msg_rcode_str(11), "RCODE11");
	/* BADVERS without EDNS cannot be said: SERVFAIL instead. */
	query("example.com", DNS_TYPE_A, 0);
	assert_int_equal(parse(), DNS_RCODE_NOERROR);
	answer_empty(DNS_RCODE_BADVERS, 0);
	assert_int_equal(out16(2) & 0xf, DNS_RCODE_SERVFAIL);
}

/*
 * Round trip: hc's query builder and answer reader on our side's bytes.
 */
static void
test_round_trip_hc(void **state)
{
	struct hc_dns_query	hq;
	struct dns_answer	ha;
	char			err[256];
	uint8_t			rd[DNS_NAME_MAX];
	int			n;

	(void)state;
	memset(&hq, 0, sizeof(hq));
	hq.id = 0xbeef;
	hq.type = DNS_T_CNAME;
	assert_int_equal(dns_query_name(&hq, "Www.Example.com", err,
	    sizeof(err)), 0);
	n = dns_query_build(&hq, p.b, sizeof(p.b));
	assert_true(n > 0);
	p.len = (size_t)n;
	assert_int_equal(parse(), DNS_RCODE_NOERROR);
	assert_int_equal(q.id, 0xbeef);
	assert_int_equal(q.qtype, DNS_TYPE_CNAME);
	assert_memory_equal(q.qname_lc, "\3www\7example\3com\0", 17);

	assert_int_equal(dns_writer_init(&w, out, sizeof(out), &q, 0), 0);
	n = dns_name_from_text("web.example.com", rd);
	rr(DNS_SEC_ANSWER, "www.example.com", DNS_TYPE_CNAME, rd, (size_t)n,
	    DNS_RR_OK);
	outlen = dns_writer_finish(&w, DNS_RCODE_NOERROR, 1);
	assert_int_equal(dns_answer_parse(out, outlen, &hq, &ha, err,
	    sizeof(err)), DNS_ANSWER_OK);
	assert_int_equal(ha.rcode, 0);
	assert_int_equal(ha.count, 1);
	/*
	 * Compression ignores case, so the target's "example.com" points at
	 * the question's spelling: the same name (and the same for DNSSEC,
	 * which lowercases these names, RFC 4034 section 6.2).
	 */
	assert_string_equal(ha.first, "web.Example.com");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query_plain),
		cmocka_unit_test(test_query_case_kept),
		cmocka_unit_test(test_query_response_dropped),
		cmocka_unit_test(test_query_opcode_notimp),
		cmocka_unit_test(test_query_qdcount),
		cmocka_unit_test(test_query_pointer_in_question),
		cmocka_unit_test(test_query_cut),
		cmocka_unit_test(test_query_trailing_ignored),
		cmocka_unit_test(test_query_random),
		cmocka_unit_test(test_edns_0),
		cmocka_unit_test(test_edns_version_1),
		cmocka_unit_test(test_edns_unknown_option),
		cmocka_unit_test(test_edns_unknown_flag),
		cmocka_unit_test(test_edns_do),
		cmocka_unit_test(test_edns_small_buffer),
		cmocka_unit_test(test_edns_large_buffer_capped),
		cmocka_unit_test(test_edns_two_opt),
		cmocka_unit_test(test_edns_owner_not_root),
		cmocka_unit_test(test_edns_bad_options),
		cmocka_unit_test(test_ecs_v4),
		cmocka_unit_test(test_ecs_v6_and_zero),
		cmocka_unit_test(test_ecs_bad),
		cmocka_unit_test(test_ecs_twice),
		cmocka_unit_test(test_answer_compression),
		cmocka_unit_test(test_answer_soa_compressed),
		cmocka_unit_test(test_answer_no_rdata_compression),
		cmocka_unit_test(test_answer_truncation_tc),
		cmocka_unit_test(test_answer_additional_dropped),
		cmocka_unit_test(test_answer_rollback_names),
		cmocka_unit_test(test_answer_caller_mistakes),
		cmocka_unit_test(test_answer_many_names),
		cmocka_unit_test(test_rcode_str),
		cmocka_unit_test(test_round_trip_hc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
