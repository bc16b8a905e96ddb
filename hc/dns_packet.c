/*
 * dns_packet.c: DNS queries and answers for the dns check (RFC 1035), no
 * I/O. An answer comes from the network and may be anything: every count,
 * length and compression pointer is checked against the packet before it
 * is used, and names may only point backwards, a bounded number of times.
 */
#include <arpa/inet.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dns_packet.h"

#define DNS_CLASS_IN	1
#define DNS_FLAG_QR	0x8000
#define DNS_FLAG_TC	0x0200
#define DNS_FLAG_RD	0x0100

static const struct {
	int		 type;
	const char	*name;
} dns_types[] = {
	{ DNS_T_A, "A" }, { DNS_T_NS, "NS" }, { DNS_T_CNAME, "CNAME" },
	{ DNS_T_SOA, "SOA" }, { DNS_T_PTR, "PTR" }, { DNS_T_MX, "MX" },
	{ DNS_T_TXT, "TXT" }, { DNS_T_AAAA, "AAAA" }
};

static const char *dns_rcodes[] = {
	"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
	"YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE"
};

int
dns_type_parse(const char *s)
{
	size_t	i;

	for (i = 0; i < sizeof(dns_types) / sizeof(dns_types[0]); i++)
		if (strcasecmp(s, dns_types[i].name) == 0)
			return dns_types[i].type;
	return -1;
}

const char *
dns_type_str(int type)
{
	static char	buf[16];
	size_t		i;

	for (i = 0; i < sizeof(dns_types) / sizeof(dns_types[0]); i++)
		if (dns_types[i].type == type)
			return dns_types[i].name;
	snprintf(buf, sizeof(buf), "TYPE%d", type);
	return buf;
}

const char *
dns_rcode_str(int rcode)
{
	static char	buf[16];

	if (rcode >= 0 && rcode < (int)(sizeof(dns_rcodes) /
	    sizeof(dns_rcodes[0])))
		return dns_rcodes[rcode];
	snprintf(buf, sizeof(buf), "RCODE%d", rcode);
	return buf;
}

int
dns_query_name(struct dns_query *q, const char *name, char *err,
    size_t errlen)
{
	enum dns_name_err	why;
	int			n;

	/* Without a final dot a name is below the root all the same. */
	if ((n = dns_name_parse(name, (const uint8_t *)"", 1, q->qname,
	    &why)) == -1) {
		switch (why) {
		case DNS_NAME_TOO_LONG:
			snprintf(err, errlen, "name longer than 255 bytes");
			break;
		case DNS_NAME_EMPTY:
			snprintf(err, errlen, "empty name");
			break;
		case DNS_NAME_LONG_LABEL:
			snprintf(err, errlen, "label longer than 63 bytes in "
			    "name \"%s\"", name);
			break;
		default:
			snprintf(err, errlen, "%s in name \"%s\"",
			    dns_name_err_str(why), name);
			break;
		}
		return -1;
	}
	q->qnamelen = (size_t)n;
	return 0;
}

static void
put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static unsigned
get16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static unsigned long
get32(const uint8_t *p)
{
	return (unsigned long)get16(p) << 16 | get16(p + 2);
}

int
dns_query_build(const struct dns_query *q, uint8_t *buf, size_t len)
{
	size_t	n = DNS_HEADER_LEN + q->qnamelen + 4;

	if (len < n)
		return -1;
	memset(buf, 0, DNS_HEADER_LEN);
	put16(buf, q->id);
	put16(buf + 2, DNS_FLAG_RD);
	put16(buf + 4, 1);		/* one question */
	memcpy(buf + DNS_HEADER_LEN, q->qname, q->qnamelen);
	put16(buf + DNS_HEADER_LEN + q->qnamelen, (unsigned)q->type);
	put16(buf + DNS_HEADER_LEN + q->qnamelen + 2, DNS_CLASS_IN);
	return (int)n;
}

/* Copy in to out, each word without its final dot but a lone "." (the
 * root). out has room for in. */
static void
dns_copy_names(char *out, size_t outlen, const char *in)
{
	size_t	w, keep, o = 0;

	while (*in != '\0') {
		w = *in == ' ' ? 1 : strcspn(in, " ");
		keep = w > 1 && in[w - 1] == '.' ? w - 1 : w;
		if (o + keep >= outlen)
			break;
		memcpy(out + o, in, keep);
		o += keep;
		in += w;
	}
	out[o] = '\0';
}

int
dns_expect_norm(int type, const char *in, char *out, size_t outlen,
    char *err, size_t errlen)
{
	unsigned char	 addr[16];
	char		*end, mx[DNS_TEXT_MAX];
	long		 pref;

	if (strlen(in) >= outlen || strlen(in) >= DNS_TEXT_MAX) {
		snprintf(err, errlen, "expected value too long");
		return -1;
	}
	switch (type) {
	case DNS_T_A:
	case DNS_T_AAAA:
		if (inet_pton(type == DNS_T_A ? AF_INET : AF_INET6, in,
		    addr) != 1 || inet_ntop(type == DNS_T_A ? AF_INET :
		    AF_INET6, addr, out, (socklen_t)outlen) == NULL) {
			snprintf(err, errlen, "\"%s\" is not an %s address", in,
			    type == DNS_T_A ? "IPv4" : "IPv6");
			return -1;
		}
		return 0;
	case DNS_T_MX:
		pref = strtol(in, &end, 10);
		if (!isdigit((unsigned char)in[0]) || *end != ' ' ||
		    pref > 65535 || end[1] == '\0' || strchr(end + 1, ' ')) {
			snprintf(err, errlen, "an MX record is expected as "
			    "\"preference name\" (\"10 mail.example.com\"), "
			    "not \"%s\"", in);
			return -1;
		}
		snprintf(mx, sizeof(mx), "%ld %s", pref, end + 1);
		dns_copy_names(out, outlen, mx);
		return 0;
	case DNS_T_TXT:
		snprintf(out, outlen, "%s", in);
		return 0;
	default:
		dns_copy_names(out, outlen, in);
		return 0;
	}
}

void
dns_name_text(const uint8_t *wire, char *text, size_t textlen)
{
	size_t	t = 0, i, n;

	if (textlen == 0)
		return;
	if (wire[0] == 0) {
		snprintf(text, textlen, ".");
		return;
	}
	for (; (n = *wire) != 0; wire += n + 1) {
		if (t > 0 && t + 1 < textlen)
			text[t++] = '.';
		for (i = 1; i <= n && t + 1 < textlen; i++)
			text[t++] = wire[i] > 0x20 && wire[i] < 0x7f ?
			    (char)wire[i] : '?';
	}
	text[t] = '\0';
}

/* Read a name inside rdata [*off, end) as text; -1 with err set. */
static int
dns_rdata_name(const uint8_t *pkt, size_t end, size_t *off, char *text,
    size_t textlen, char *err, size_t errlen)
{
	uint8_t	wire[DNS_NAME_MAX];

	/*
	 * The packet up to the record's end: a pointer may go back anywhere
	 * before, but the name itself must not spill into the next record.
	 */
	if (dns_name_read(pkt, end, off, wire, err, errlen) < 0)
		return -1;
	dns_name_text(wire, text, textlen);
	return 0;
}

/*
 * The data of a record of type at pkt[off..off+rdlen) as text, the way
 * dns_expect_norm writes expected values. 0, or -1 with err set.
 */
static int
dns_rdata_text(const uint8_t *pkt, size_t off, size_t rdlen, int type,
    char *text, size_t textlen, char *err, size_t errlen)
{
	char	name[DNS_NAME_MAX + 1], name2[DNS_NAME_MAX + 1];
	size_t	end = off + rdlen, i, n;

	switch (type) {
	case DNS_T_A:
	case DNS_T_AAAA:
		if (rdlen != (type == DNS_T_A ? 4u : 16u)) {
			snprintf(err, errlen, "%s record of %zu bytes",
			    dns_type_str(type), rdlen);
			return -1;
		}
		inet_ntop(type == DNS_T_A ? AF_INET : AF_INET6, pkt + off,
		    text, (socklen_t)textlen);
		return 0;
	case DNS_T_MX:
		if (rdlen < 3) {
			snprintf(err, errlen, "MX record of %zu bytes", rdlen);
			return -1;
		}
		n = get16(pkt + off);
		off += 2;
		if (dns_rdata_name(pkt, end, &off, name, sizeof(name), err,
		    errlen) < 0)
			return -1;
		snprintf(text, textlen, "%zu %s", n, name);
		break;
	case DNS_T_TXT:
		if (rdlen < 1 || 1 + (size_t)pkt[off] > rdlen) {
			snprintf(err, errlen, "TXT string longer than its "
			    "record");
			return -1;
		}
		n = pkt[off];
		for (i = 0; i < n && i + 1 < textlen; i++)
			text[i] = pkt[off + 1 + i] >= 0x20 &&
			    pkt[off + 1 + i] < 0x7f ? (char)pkt[off + 1 + i] :
			    '?';
		text[i] = '\0';
		return 0;
	case DNS_T_SOA:
		if (dns_rdata_name(pkt, end, &off, name, sizeof(name), err,
		    errlen) < 0 || dns_rdata_name(pkt, end, &off, name2,
		    sizeof(name2), err, errlen) < 0)
			return -1;
		if (end - off < 20) {
			snprintf(err, errlen, "SOA record too short");
			return -1;
		}
		snprintf(text, textlen, "%s %s %lu %lu %lu %lu %lu", name,
		    name2, get32(pkt + off), get32(pkt + off + 4),
		    get32(pkt + off + 8), get32(pkt + off + 12),
		    get32(pkt + off + 16));
		off += 20;
		break;
	default:			/* NS, CNAME, PTR */
		if (dns_rdata_name(pkt, end, &off, text, textlen, err,
		    errlen) < 0)
			return -1;
		break;
	}
	if (off != end) {
		snprintf(err, errlen, "%s record with %zu bytes left over",
		    dns_type_str(type), end - off);
		return -1;
	}
	return 0;
}

/* Does the record text equal the expected text? Names ignore case. */
static int
dns_text_match(int type, const char *text, const char *expect)
{
	if (type == DNS_T_TXT)
		return strcmp(text, expect) == 0;
	return strcasecmp(text, expect) == 0;
}

/* The answer section from *off: count and compare records of q's type. */
static int
dns_answer_records(const uint8_t *pkt, size_t len, size_t off, unsigned an,
    const struct dns_query *q, struct dns_answer *a, char *err,
    size_t errlen)
{
	uint8_t		wire[DNS_NAME_MAX];
	char		text[DNS_TEXT_MAX], why[128];
	unsigned	i, type, class;
	size_t		rdlen;

	for (i = 0; i < an; i++) {
		if (dns_name_read(pkt, len, &off, wire, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "answer %u: %s", i + 1, why);
			return -1;
		}
		if (len - off < 10) {
			snprintf(err, errlen, "answer %u cut short", i + 1);
			return -1;
		}
		type = get16(pkt + off);
		class = get16(pkt + off + 2);
		rdlen = get16(pkt + off + 8);
		off += 10;
		if (len - off < rdlen) {
			snprintf(err, errlen, "answer %u: data of %zu bytes "
			    "past the end", i + 1, rdlen);
			return -1;
		}
		if (type == (unsigned)q->type && class == DNS_CLASS_IN) {
			if (dns_rdata_text(pkt, off, rdlen, q->type, text,
			    sizeof(text), why, sizeof(why)) < 0) {
				snprintf(err, errlen, "answer %u: %s", i + 1,
				    why);
				return -1;
			}
			if (a->count++ == 0)
				snprintf(a->first, sizeof(a->first), "%s",
				    text);
			if (q->expect != NULL &&
			    dns_text_match(q->type, text, q->expect))
				a->found = 1;
		}
		off += rdlen;
	}
	return 0;
}

int
dns_answer_parse(const uint8_t *pkt, size_t len, const struct dns_query *q,
    struct dns_answer *a, char *err, size_t errlen)
{
	uint8_t		wire[DNS_NAME_MAX];
	char		why[128];
	unsigned	flags, qd, an;
	size_t		off = DNS_HEADER_LEN;
	int		n;

	memset(a, 0, sizeof(*a));
	if (len < 2) {
		snprintf(err, errlen, "%zu bytes, not even an id", len);
		return DNS_ANSWER_OTHER;
	}
	if (get16(pkt) != q->id) {
		snprintf(err, errlen, "id %u, not %u", get16(pkt), q->id);
		return DNS_ANSWER_OTHER;
	}
	if (len < DNS_HEADER_LEN) {
		snprintf(err, errlen, "%zu bytes, shorter than a header", len);
		return DNS_ANSWER_BAD;
	}
	flags = get16(pkt + 2);
	qd = get16(pkt + 4);
	an = get16(pkt + 6);
	if (!(flags & DNS_FLAG_QR)) {
		snprintf(err, errlen, "a query, not an answer");
		return DNS_ANSWER_OTHER;
	}
	a->rcode = flags & 0xf;
	a->tc = (flags & DNS_FLAG_TC) != 0;
	/* An error answer may leave the question out; ours has one. */
	if (qd == 0 && a->rcode != DNS_R_NOERROR)
		return DNS_ANSWER_OK;
	if (qd != 1) {
		snprintf(err, errlen, "%u questions", qd);
		return DNS_ANSWER_BAD;
	}
	if ((n = dns_name_read(pkt, len, &off, wire, why, sizeof(why))) < 0) {
		snprintf(err, errlen, "question: %s", why);
		return DNS_ANSWER_BAD;
	}
	if (len - off < 4) {
		snprintf(err, errlen, "question cut short");
		return DNS_ANSWER_BAD;
	}
	if ((size_t)n != q->qnamelen || dns_name_cmp(wire, q->qname) != 0 ||
	    get16(pkt + off) != (unsigned)q->type ||
	    get16(pkt + off + 2) != DNS_CLASS_IN) {
		snprintf(err, errlen, "answer to another question");
		return DNS_ANSWER_OTHER;
	}
	off += 4;
	if (a->tc)
		return DNS_ANSWER_OK;
	if (dns_answer_records(pkt, len, off, an, q, a, err, errlen) < 0)
		return DNS_ANSWER_BAD;
	return DNS_ANSWER_OK;
}
