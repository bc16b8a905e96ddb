/*
 * fuzz_query.c: libFuzzer target for faildns/dns_msg.c. The input is a
 * query as a client sends it: dns_query_parse reads it, and when it asks
 * for an answer the dns_writer functions write one over UDP and over TCP
 * (records named after the query, some large enough to truncate or to
 * push names past where pointers reach, and one whose RDATA is the bytes
 * after the question, of the type asked), which is then read back and
 * checked against what was written. A broken invariant aborts. Built and
 * run by scripts/fuzz.sh fuzz_query.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_msg.h"

#define CHECK(c) do {							\
	if (!(c))							\
		fuzz_fail(__LINE__, #c);				\
} while (0)

#define FUZZ_RRS	192	/* records one answer may be asked for */

/* A record handed to the writer, to compare with what it wrote. */
struct fuzz_rr {
	int		 section;
	uint8_t		 owner[DNS_NAME_MAX];
	uint16_t	 type;
	uint8_t		 rdata[1024];
	size_t		 rdlen;
	int		 rc;		/* dns_writer_rr's result */
	int		 bad;		/* rdata the writer must refuse */
};

static struct fuzz_rr	rrs[FUZZ_RRS];
static int		nrrs;
static uint8_t		out[DNS_TCP_MAX];

static void
fuzz_fail(int line, const char *what)
{
	fprintf(stderr, "fuzz_query.c:%d: invariant broken: %s\n", line,
	    what);
	abort();
}

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* prefix + name, when it fits; else name alone. */
static size_t
name_below(uint8_t *dst, const char *label, const uint8_t *name)
{
	size_t	n = strlen(label), len = (size_t)dns_name_len(name,
	    DNS_NAME_MAX);

	if (1 + n + len > DNS_NAME_MAX) {
		memcpy(dst, name, len);
		return len;
	}
	dst[0] = (uint8_t)n;
	memcpy(dst + 1, label, n);
	memcpy(dst + 1 + n, name, len);
	return 1 + n + len;
}

static struct fuzz_rr *
rr_add(int section, const uint8_t *owner, uint16_t type)
{
	struct fuzz_rr	*r;

	CHECK(nrrs < FUZZ_RRS);
	r = &rrs[nrrs++];
	memset(r, 0, sizeof(*r));
	r->section = section;
	memcpy(r->owner, owner, (size_t)dns_name_len(owner, DNS_NAME_MAX));
	r->type = type;
	return r;
}

/* Is rdata no valid RDATA of type for the writer? */
static int
rdata_bad(uint16_t type, const uint8_t *rdata, size_t rdlen)
{
	int	n, m;

	switch (type) {
	case DNS_TYPE_OPT:
		return 1;
	case DNS_TYPE_NS:
	case DNS_TYPE_CNAME:
	case DNS_TYPE_PTR:
		return dns_name_len(rdata, rdlen) != (int)rdlen;
	case DNS_TYPE_MX:
		return rdlen < 3 || dns_name_len(rdata + 2, rdlen - 2) !=
		    (int)rdlen - 2;
	case DNS_TYPE_SOA:
		if ((n = dns_name_len(rdata, rdlen)) == -1 ||
		    (m = dns_name_len(rdata + n, rdlen - (size_t)n)) == -1)
			return 1;
		return (size_t)(n + m + 20) != rdlen;
	}
	return 0;
}

/*
 * The records of an answer to q: an A at the name asked, one of the type
 * asked with the bytes after the question as its data (tail), a CNAME and
 * an MX below it, an SOA in the authority section, then additional A and
 * AAAA records; the query id's low bits choose how many of the large
 * ones, so some answers fit and some truncate, and bit 5 whether a
 * hundred TXT records of 250 bytes push the rest past 16 KiB, beyond
 * where compression pointers reach.
 */
static void
records(const struct dns_query *q, const uint8_t *tail, size_t taillen)
{
	struct fuzz_rr	*r;
	uint8_t		 name[DNS_NAME_MAX];
	size_t		 n, m;
	int		 i, big = q->id & 0x1f;

	nrrs = 0;
	r = rr_add(DNS_SEC_ANSWER, q->qname, DNS_TYPE_A);
	memcpy(r->rdata, "\xc6\x12\x00\x01", 4);
	r->rdlen = 4;
	r = rr_add(DNS_SEC_ANSWER, q->qname, q->qtype);
	r->rdlen = taillen < sizeof(r->rdata) ? taillen : sizeof(r->rdata);
	memcpy(r->rdata, tail, r->rdlen);
	r->bad = rdata_bad(r->type, r->rdata, r->rdlen);
	if (q->id & 0x20)
		for (i = 0; i < 100; i++) {
			name_below(name, i % 2 ? "txt" : "t2", q->qname);
			r = rr_add(DNS_SEC_ANSWER, name, DNS_TYPE_TXT);
			r->rdata[0] = 249;
			memset(r->rdata + 1, i, 249);
			r->rdlen = 250;
		}
	r = rr_add(DNS_SEC_ANSWER, q->qname, DNS_TYPE_CNAME);
	r->rdlen = name_below(r->rdata, "www", q->qname_lc);
	r = rr_add(DNS_SEC_ANSWER, q->qname_lc, DNS_TYPE_MX);
	r->rdata[0] = 0;
	r->rdata[1] = 10;
	r->rdlen = 2 + name_below(r->rdata + 2, "mx", q->qname);
	for (i = 0; i < big / 4; i++) {
		r = rr_add(DNS_SEC_ANSWER, q->qname, DNS_TYPE_TXT);
		r->rdata[0] = 200;
		memset(r->rdata + 1, 'a' + i, 200);
		r->rdlen = 201;
	}
	r = rr_add(DNS_SEC_AUTHORITY, q->qname_lc, DNS_TYPE_SOA);
	n = name_below(r->rdata, "ns1", q->qname);
	m = name_below(r->rdata + n, "hostmaster", q->qname_lc);
	memset(r->rdata + n + m, 0, 20);
	r->rdata[n + m + 3] = 1;	/* serial 1 */
	r->rdlen = n + m + 20;
	for (i = 0; i < big; i++) {
		n = name_below(name, i % 2 ? "mx" : "ns1", q->qname);
		r = rr_add(DNS_SEC_ADDITIONAL, name, i % 3 ? DNS_TYPE_A :
		    DNS_TYPE_AAAA);
		r->rdlen = r->type == DNS_TYPE_A ? 4 : 16;
		memset(r->rdata, i, r->rdlen);
	}
}

/* The name at *off of the answer, uncompressed; aborts when bad. */
static int
name_at(const uint8_t *pkt, size_t len, size_t *off, uint8_t *wire)
{
	int	n = dns_name_unpack(pkt, len, off, wire);

	CHECK(n > 0);
	CHECK(dns_name_len(wire, (size_t)n) == n);
	return n;
}

/* Read one record's RDATA back and compare it with what was given. */
static void
rdata_check(const uint8_t *pkt, size_t off, size_t rdlen,
    const struct fuzz_rr *r)
{
	uint8_t	wire[DNS_NAME_MAX], want[DNS_NAME_MAX];
	size_t	end = off + rdlen, at = off;
	int	n;

	switch (r->type) {
	case DNS_TYPE_NS:
	case DNS_TYPE_CNAME:
	case DNS_TYPE_PTR:
		name_at(pkt, end, &at, wire);
		CHECK(dns_name_cmp(wire, r->rdata) == 0);
		break;
	case DNS_TYPE_MX:
		CHECK(rdlen >= 3 && memcmp(pkt + off, r->rdata, 2) == 0);
		at += 2;
		name_at(pkt, end, &at, wire);
		CHECK(dns_name_cmp(wire, r->rdata + 2) == 0);
		break;
	case DNS_TYPE_SOA:
		name_at(pkt, end, &at, wire);
		CHECK(dns_name_cmp(wire, r->rdata) == 0);
		n = dns_name_len(r->rdata, r->rdlen);
		memcpy(want, r->rdata + n, (size_t)dns_name_len(r->rdata + n,
		    r->rdlen - (size_t)n));
		name_at(pkt, end, &at, wire);
		CHECK(dns_name_cmp(wire, want) == 0);
		CHECK(end - at == 20);
		CHECK(memcmp(pkt + at, r->rdata + r->rdlen - 20, 20) == 0);
		at += 20;
		break;
	default:
		CHECK(rdlen == r->rdlen);
		CHECK(memcmp(pkt + off, r->rdata, rdlen) == 0);
		at = end;
		break;
	}
	CHECK(at == end);
}

/*
 * Write the answer to q with rcode over UDP or TCP into a buffer of
 * buflen bytes, then read it back: header, question, the records that
 * dns_writer_rr took, in order, and the OPT record last.
 */
static void
answer(const struct dns_query *q, int rcode, int tcp, size_t buflen)
{
	struct dns_writer	 w;
	uint8_t			 wire[DNS_NAME_MAX];
	size_t			 len, limit, off, rdlen;
	unsigned		 flags, count[4] = { 0 }, ar;
	int			 i, full = 0, tc = 0, n;
	uint16_t		 type;

	CHECK(dns_writer_init(&w, out, buflen, q, tcp) == 0);
	if (rcode == DNS_RCODE_NOERROR)
		for (i = 0; i < nrrs; i++) {
			rrs[i].rc = dns_writer_rr(&w, rrs[i].section,
			    rrs[i].owner, rrs[i].type, DNS_CLASS_IN, 300,
			    rrs[i].rdata, rrs[i].rdlen);
			if (rrs[i].bad) {
				CHECK(rrs[i].rc == DNS_RR_BAD);
				continue;
			}
			CHECK(rrs[i].rc == DNS_RR_OK ||
			    rrs[i].rc == DNS_RR_FULL);
			if (rrs[i].rc == DNS_RR_OK) {
				/* Nothing after a refused needed record. */
				CHECK(!full);
				count[rrs[i].section]++;
			} else if (rrs[i].section != DNS_SEC_ADDITIONAL) {
				full = 1;
				tc = !tcp;
			}
		}
	len = dns_writer_finish(&w, rcode, 1);

	/* The size: never past the limit the client allowed. */
	if (tcp)
		limit = DNS_TCP_MAX;
	else if (q->edns)
		limit = q->edns_udp_size < DNS_EDNS_UDP_MAX ?
		    q->edns_udp_size : DNS_EDNS_UDP_MAX;
	else
		limit = DNS_UDP_MIN;
	if (limit > buflen)
		limit = buflen;
	CHECK(len >= DNS_HEADER_LEN && len <= limit);

	/* The header. */
	CHECK(rd16(out) == q->id);
	flags = rd16(out + 2);
	CHECK(flags & DNS_F_QR);
	CHECK(((flags >> 11) & 0xf) == (unsigned)q->opcode);
	CHECK(!!(flags & DNS_F_TC) == tc);
	CHECK((flags & DNS_F_RD) == (q->flags & DNS_F_RD));
	CHECK((flags & DNS_F_CD) == (q->flags & DNS_F_CD));
	if (rcode <= 15 || q->edns)
		CHECK((flags & 0xf) == (unsigned)(rcode & 0xf));
	else
		CHECK((flags & 0xf) == DNS_RCODE_SERVFAIL);
	CHECK(rd16(out + 4) == (q->has_question ? 1 : 0));
	CHECK(rd16(out + 6) == count[DNS_SEC_ANSWER]);
	CHECK(rd16(out + 8) == count[DNS_SEC_AUTHORITY]);
	ar = count[DNS_SEC_ADDITIONAL] + (q->edns ? 1 : 0);
	CHECK(rd16(out + 10) == ar);

	/* The question, as the client wrote it. */
	off = DNS_HEADER_LEN;
	if (q->has_question) {
		n = name_at(out, len, &off, wire);
		CHECK((size_t)n == q->qname_len);
		CHECK(memcmp(wire, q->qname, q->qname_len) == 0);
		CHECK(off + 4 <= len);
		CHECK(rd16(out + off) == q->qtype);
		CHECK(rd16(out + off + 2) == q->qclass);
		off += 4;
	}

	/* The records written, in the order given. */
	for (i = 0; i < nrrs && rcode == DNS_RCODE_NOERROR; i++) {
		if (rrs[i].rc != DNS_RR_OK)
			continue;
		name_at(out, len, &off, wire);
		CHECK(dns_name_cmp(wire, rrs[i].owner) == 0);
		CHECK(off + 10 <= len);
		type = rd16(out + off);
		CHECK(type == rrs[i].type);
		CHECK(rd16(out + off + 2) == DNS_CLASS_IN);
		rdlen = rd16(out + off + 8);
		off += 10;
		CHECK(off + rdlen <= len);
		rdata_check(out, off, rdlen, &rrs[i]);
		off += rdlen;
	}

	/* OPT last, owned by the root, with our size and the rcode's top. */
	if (q->edns) {
		CHECK(off + 11 <= len);
		CHECK(out[off] == 0);
		CHECK(rd16(out + off + 1) == DNS_TYPE_OPT);
		CHECK(rd16(out + off + 3) == DNS_EDNS_UDP_MAX);
		CHECK(out[off + 5] == ((rcode >> 4) & 0xff));
		CHECK(out[off + 6] == 0);
		rdlen = rd16(out + off + 9);
		CHECK(rdlen == (q->ecs ? 8 + q->ecs_addrlen : 0));
		off += 11 + rdlen;
	}
	CHECK(off == len);

	/* What we wrote must read back as a query would (QR aside). */
	if (q->has_question && q->opcode == DNS_OPCODE_QUERY) {
		struct dns_query	back;

		out[2] &= ~(DNS_F_QR >> 8);
		n = dns_query_parse(out, len, &back);
		CHECK(n != DNS_PARSE_DROP);
		CHECK(back.has_question);
		CHECK(back.qname_len == q->qname_len &&
		    memcmp(back.qname, q->qname, q->qname_len) == 0);
		CHECK(back.edns == q->edns);
	}
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_query	 q;
	uint8_t			*copy;
	int			 rc;

	/* A copy of exactly size bytes: reads past the end are caught. */
	if ((copy = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	rc = dns_query_parse(copy, size, &q);
	free(copy);
	CHECK(rc == DNS_PARSE_DROP || (rc >= 0 && rc <= DNS_RCODE_BADVERS));
	if (rc == DNS_PARSE_DROP)
		return 0;

	/* What the query says must hold together. */
	if (q.has_question) {
		CHECK(q.qname_len > 0 && q.qname_len <= DNS_NAME_MAX);
		CHECK(dns_name_len(q.qname, q.qname_len) ==
		    (int)q.qname_len);
		CHECK(dns_name_cmp(q.qname, q.qname_lc) == 0);
	}
	if (rc == DNS_RCODE_NOERROR)
		CHECK(q.has_question);
	if (q.edns)
		CHECK(q.edns_udp_size >= DNS_UDP_MIN);
	if (q.ecs) {
		CHECK(q.edns);
		CHECK(q.ecs_family == 1 || q.ecs_family == 2);
		CHECK(q.ecs_addrlen <= (q.ecs_family == 1 ? 4u : 16u));
		CHECK(q.ecs_addrlen == (q.ecs_source + 7u) / 8);
	}

	if (rc == DNS_RCODE_NOERROR)
		records(&q, data + DNS_HEADER_LEN + q.qname_len + 4,
		    size - (DNS_HEADER_LEN + q.qname_len + 4));
	else
		nrrs = 0;
	answer(&q, rc, 0, sizeof(out));
	answer(&q, rc, 1, sizeof(out));
	/* The smallest buffer the writer takes. */
	answer(&q, rc, 1, DNS_UDP_MIN);
	if (rc == DNS_RCODE_NOERROR) {
		/* An rcode of another kind, extended ones included. */
		answer(&q, DNS_RCODE_NXDOMAIN, 0, sizeof(out));
		answer(&q, DNS_RCODE_BADVERS, 0, sizeof(out));
	}
	return 0;
}
