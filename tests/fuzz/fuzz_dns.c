/*
 * fuzz_dns.c: libFuzzer target for hc/dns_packet.c, the reading of DNS
 * answers that come off the network: dns_answer_parse against a query
 * made afresh by dns_query_name and dns_query_build, and dns_name_read and
 * dns_name_text at any offset of the packet. Results are checked against
 * the packet's own header. Built by scripts/fuzz.sh.
 *
 * An input is three control bytes, then the packet:
 *	byte 0	bits 0-2 the type asked (A NS CNAME SOA PTR MX TXT AAAA),
 *		bit 3 with an expected value, bits 4-5 the name asked
 *		(www.example.com, WWW.Example.COM, example.com, the root),
 *		bit 6 "spliced": the packet is the query itself, with the
 *		flags and answer count of the packet's first 4 bytes, and
 *		the packet's other bytes after the question (the records)
 *	byte 1	where dns_name_read starts in the packet
 *	byte 2	the size of the buffer dns_name_text writes into
 * The query's id is 0x1234, as in tests/unit/test_hc_dns.c.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_packet.h"

#define FUZZ_ID		0x1234
#define FUZZ_ERRLEN	128		/* as check_dns.c passes */

#define CHECK(c) do {							\
	if (!(c))							\
		fuzz_fail(__LINE__, #c);				\
} while (0)

static const struct {
	int		 type;
	const char	*expect;	/* as an Hcfile would write it */
} fuzz_types[8] = {
	{ DNS_T_A, "198.18.0.5" },
	{ DNS_T_NS, "ns1.example.com." },
	{ DNS_T_CNAME, "web.example.com" },
	{ DNS_T_SOA, "ns1.example.com. hostmaster.example.com. 1 7200 900 "
	    "1209600 300" },
	{ DNS_T_PTR, "host.example.com" },
	{ DNS_T_MX, "10 mx1.example.com" },
	{ DNS_T_TXT, "v=spf1 -all" },
	{ DNS_T_AAAA, "2001:db8::1" }
};

static const char *const fuzz_names[4] = {
	"www.example.com", "WWW.Example.COM", "example.com", "."
};

static void
fuzz_fail(int line, const char *what)
{
	fprintf(stderr, "fuzz_dns.c:%d: invariant broken: %s\n", line, what);
	abort();
}

static unsigned
fuzz_get16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* An error: set, and NUL-terminated inside its buffer. */
static void
fuzz_err_ok(const char *err)
{
	CHECK(memchr(err, '\0', FUZZ_ERRLEN) != NULL);
	CHECK(err[0] != '\0');
}

static int
fuzz_printable(const char *s, size_t max)
{
	const char	*end = memchr(s, '\0', max);

	if (end == NULL)
		return 0;
	for (; s < end; s++)
		if (*s < 0x20 || *s >= 0x7f)
			return 0;
	return 1;
}

/* The question: a fresh query, as check_dns_parse and _run make it. */
static void
fuzz_query(uint8_t sel, struct dns_query *q, char *norm, uint8_t *qbuf,
    int *qlen)
{
	char	err[FUZZ_ERRLEN];
	int	t = sel & 7;

	memset(q, 0, sizeof(*q));
	q->id = FUZZ_ID;
	q->type = fuzz_types[t].type;
	CHECK(dns_query_name(q, fuzz_names[(sel >> 4) & 3], err,
	    sizeof(err)) == 0);
	CHECK(q->qnamelen >= 1 && q->qnamelen <= DNS_NAME_MAX);
	if (sel & 8) {
		CHECK(dns_expect_norm(q->type, fuzz_types[t].expect, norm,
		    DNS_TEXT_MAX, err, sizeof(err)) == 0);
		q->expect = norm;
	}
	*qlen = dns_query_build(q, qbuf, DNS_QUERY_MAX);
	CHECK(*qlen == (int)(DNS_HEADER_LEN + q->qnamelen + 4));
	CHECK(fuzz_get16(qbuf) == FUZZ_ID && fuzz_get16(qbuf + 4) == 1);
}

static void
fuzz_answer(const uint8_t *pkt, size_t len, const struct dns_query *q)
{
	struct dns_answer	 a;
	char			*err;
	unsigned		 flags;
	int			 rc;

	err = malloc(FUZZ_ERRLEN);
	CHECK(err != NULL);
	memset(err, 'X', FUZZ_ERRLEN);
	memset(&a, 'X', sizeof(a));
	rc = dns_answer_parse(pkt, len, q, &a, err, FUZZ_ERRLEN);
	CHECK(rc == DNS_ANSWER_OK || rc == DNS_ANSWER_BAD ||
	    rc == DNS_ANSWER_OTHER);
	/* What the header alone decides. */
	if (len < 2 || fuzz_get16(pkt) != q->id) {
		CHECK(rc == DNS_ANSWER_OTHER);
		fuzz_err_ok(err);
		goto done;
	}
	if (len < DNS_HEADER_LEN) {
		CHECK(rc == DNS_ANSWER_BAD);
		fuzz_err_ok(err);
		goto done;
	}
	flags = fuzz_get16(pkt + 2);
	if (!(flags & 0x8000)) {
		CHECK(rc == DNS_ANSWER_OTHER);
		fuzz_err_ok(err);
		goto done;
	}
	if (rc != DNS_ANSWER_OK) {
		fuzz_err_ok(err);
		goto done;
	}
	CHECK(a.rcode == (int)(flags & 0xf));
	CHECK(a.tc == ((flags & 0x0200) != 0));
	CHECK(a.count >= 0 && (unsigned)a.count <= fuzz_get16(pkt + 6));
	CHECK(!a.tc || a.count == 0);
	CHECK(fuzz_get16(pkt + 4) == 1 ||
	    (fuzz_get16(pkt + 4) == 0 && a.rcode != 0 && a.count == 0));
	CHECK(!a.found || (q->expect != NULL && a.count > 0));
	CHECK(fuzz_printable(a.first, sizeof(a.first)));
	/* A TXT record may hold an empty string; names are "." at least. */
	CHECK(a.count > 0 || a.first[0] == '\0');
	CHECK(a.count == 0 || q->type == DNS_T_TXT || a.first[0] != '\0');
done:
	free(err);
}

/* Is wire[0..w) one name in wire form, as dns_name_read promises? */
static int
fuzz_wire_ok(const uint8_t *wire, int w)
{
	int	i = 0;

	if (w < 1 || w > DNS_NAME_MAX)
		return 0;
	while (i < w && wire[i] != 0) {
		if (wire[i] > 63)
			return 0;
		i += wire[i] + 1;
	}
	return i == w - 1;
}

static void
fuzz_name(const uint8_t *pkt, size_t len, size_t at, size_t textlen)
{
	uint8_t	wire[DNS_NAME_MAX];
	char	err[FUZZ_ERRLEN], *text;
	size_t	off = at;
	int	w;

	memset(err, 'X', sizeof(err));
	if ((w = dns_name_read(pkt, len, &off, wire, err, sizeof(err))) < 0) {
		fuzz_err_ok(err);
		return;
	}
	CHECK(fuzz_wire_ok(wire, w));
	CHECK(off > at && off <= len);
	/* Uncompressed, a name's bytes are its wire form. */
	if (off - at == (size_t)w)
		CHECK(memcmp(pkt + at, wire, (size_t)w) == 0);

	text = malloc(textlen > 0 ? textlen : 1);
	CHECK(text != NULL);
	memset(text, 'X', textlen > 0 ? textlen : 1);
	dns_name_text(wire, text, textlen);
	if (textlen == 0)
		CHECK(text[0] == 'X');
	else
		CHECK(fuzz_printable(text, textlen));
	free(text);

	/* With room for any name, the whole text. */
	text = malloc(DNS_NAME_MAX + 1);
	CHECK(text != NULL);
	dns_name_text(wire, text, DNS_NAME_MAX + 1);
	CHECK(strlen(text) == (w == 1 ? 1u : (size_t)w - 2));
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_query	 q;
	char			 norm[DNS_TEXT_MAX];
	uint8_t			 qbuf[DNS_QUERY_MAX], *pkt;
	size_t			 len;
	int			 qlen;

	if (size < 3)
		return 0;
	fuzz_query(data[0], &q, norm, qbuf, &qlen);
	data += 3;
	size -= 3;
	if (data[-3] & 0x40) {
		/* The query, its flags and answer count from the input. */
		len = (size_t)qlen + (size > 4 ? size - 4 : 0);
		pkt = malloc(len);
		CHECK(pkt != NULL);
		memcpy(pkt, qbuf, (size_t)qlen);
		memcpy(pkt + 2, data, size < 2 ? size : 2);
		if (size > 2)
			memcpy(pkt + 6, data + 2, size < 4 ? size - 2 : 2);
		if (size > 4)
			memcpy(pkt + qlen, data + 4, size - 4);
	} else {
		len = size;
		pkt = malloc(len > 0 ? len : 1);
		CHECK(pkt != NULL);
		memcpy(pkt, data, len);
	}
	fuzz_answer(pkt, len, &q);
	if (data[-2] < len)
		fuzz_name(pkt, len, data[-2], data[-1]);
	free(pkt);
	return 0;
}
