/*
 * dns_msg.c: faildns's DNS messages. dns_query_parse reads what a client
 * sent, trusting no length in it; the dns_writer functions build the answer
 * with name compression and the truncation rules of RFC 1035, 2181 and
 * 6891. No I/O, no allocation, no clock: the server around it does those.
 */
#include <stdio.h>
#include <string.h>

#include "dns_msg.h"

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void
wr16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* ASCII only: names are octets, and the locale must not change them. */
static uint8_t
lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/*
 * Wire names
 */

int
dns_name_len(const uint8_t *wire, size_t max)
{
	size_t	n = 0;

	for (;;) {
		if (n >= max || n >= DNS_NAME_MAX)
			return -1;
		if (wire[n] > DNS_LABEL_MAX)	/* pointers included */
			return -1;
		if (wire[n] == 0)
			return (int)n + 1;
		n += 1 + wire[n];
	}
}

int
dns_name_from_text(const char *text, uint8_t *wire)
{
	size_t	 lab = 0;	/* where the open label's length octet is */
	int	 c, d;

	if (strcmp(text, ".") == 0) {
		wire[0] = 0;
		return 1;
	}
	wire[0] = 0;
	while (*text != '\0') {
		if (*text == '.') {
			/* An empty label, unless it is the final dot. */
			if (wire[lab] == 0)
				return -1;
			text++;
			if (*text == '\0')
				break;
			lab += 1 + wire[lab];
			if (lab >= DNS_NAME_MAX - 1)
				return -1;
			wire[lab] = 0;
			continue;
		}
		c = (unsigned char)*text++;
		if (c == '\\') {
			if (*text >= '0' && *text <= '9') {
				for (c = 0, d = 0; d < 3; d++, text++) {
					if (*text < '0' || *text > '9')
						return -1;
					c = c * 10 + (*text - '0');
				}
				if (c > 255)
					return -1;
			} else if (*text != '\0')
				c = (unsigned char)*text++;
			else
				return -1;
		}
		if (wire[lab] == DNS_LABEL_MAX)
			return -1;
		/* Room for this octet and the root label after it. */
		if (lab + 1 + wire[lab] + 1 >= DNS_NAME_MAX)
			return -1;
		wire[lab + 1 + wire[lab]] = (uint8_t)c;
		wire[lab]++;
	}
	if (wire[lab] == 0)	/* "" */
		return -1;
	lab += 1 + wire[lab];
	wire[lab] = 0;
	return (int)lab + 1;
}

int
dns_name_to_text(const uint8_t *wire, char *text, size_t textlen)
{
	size_t	 t = 0, i;
	int	 n;
	uint8_t	 c;

	if (dns_name_len(wire, DNS_NAME_MAX) == -1)
		return -1;
	if (wire[0] == 0) {
		if (textlen < 2)
			return -1;
		text[0] = '.';
		text[1] = '\0';
		return 0;
	}
	for (; *wire != 0; wire += 1 + *wire) {
		for (i = 1; i <= *wire; i++) {
			c = wire[i];
			if (c == '.' || c == '\\')
				n = snprintf(text + t, textlen - t, "\\%c", c);
			else if (c <= ' ' || c >= 0x7f)
				n = snprintf(text + t, textlen - t, "\\%03u", c);
			else
				n = snprintf(text + t, textlen - t, "%c", c);
			if (n < 0 || (size_t)n >= textlen - t)
				return -1;
			t += n;
		}
		if (t + 1 >= textlen)
			return -1;
		text[t++] = '.';
		text[t] = '\0';
	}
	return 0;
}

int
dns_name_cmp(const uint8_t *a, const uint8_t *b)
{
	size_t	i = 0, n;

	for (;;) {
		if (a[i] != b[i])
			return a[i] - b[i];
		if (a[i] == 0)
			return 0;
		for (n = a[i++]; n > 0; n--, i++)
			if (lower(a[i]) != lower(b[i]))
				return lower(a[i]) - lower(b[i]);
	}
}

void
dns_name_lower(uint8_t *dst, const uint8_t *src)
{
	int	len = dns_name_len(src, DNS_NAME_MAX), i;

	for (i = 0; i < len; i++)
		dst[i] = lower(src[i]);
}

int
dns_name_unpack(const uint8_t *pkt, size_t len, size_t *off, uint8_t *wire)
{
	size_t	pos = *off, seg = *off, w = 0, n;
	int	jumps = 0, moved = 0;

	for (;;) {
		if (pos >= len)
			return -1;
		n = pkt[pos];
		if ((n & 0xc0) == 0xc0) {
			if (pos + 2 > len)
				return -1;
			if (!moved)
				*off = pos + 2;
			moved = 1;
			pos = (n & 0x3f) << 8 | pkt[pos + 1];
			/*
			 * Only backwards, before where this part of the name
			 * began: each part starts earlier than the last, so
			 * no packet can make us loop.
			 */
			if (pos >= seg || ++jumps > DNS_MAX_JUMPS)
				return -1;
			seg = pos;
			continue;
		}
		if (n > DNS_LABEL_MAX || pos + 1 + n > len ||
		    w + 1 + n > DNS_NAME_MAX)
			return -1;
		memcpy(wire + w, pkt + pos, n + 1);
		w += n + 1;
		pos += n + 1;
		if (n == 0)
			break;
	}
	if (!moved)
		*off = pos;
	return (int)w;
}

/*
 * Queries
 */

/* Step over a possibly compressed name without following it. */
static int
name_skip(const uint8_t *pkt, size_t len, size_t *off)
{
	size_t	pos = *off, n;

	for (;;) {
		if (pos >= len)
			return -1;
		n = pkt[pos];
		if ((n & 0xc0) == 0xc0) {
			if (pos + 2 > len)
				return -1;
			*off = pos + 2;
			return 0;
		}
		if (n > DNS_LABEL_MAX || pos + 1 + n > len ||
		    pos + 1 + n - *off > DNS_NAME_MAX)
			return -1;
		pos += 1 + n;
		if (n == 0)
			break;
	}
	*off = pos;
	return 0;
}

/*
 * The Client Subnet option's data (RFC 7871 section 6): family, source
 * prefix, scope prefix, then just the bytes the source prefix needs, with
 * no bit set past it. 0, or -1 for FORMERR.
 */
static int
ecs_parse(struct dns_query *q, const uint8_t *d, size_t n)
{
	unsigned	family, source, maxbits;
	size_t		addrlen;

	if (q->ecs || n < 4)
		return -1;
	family = rd16(d);
	source = d[2];
	addrlen = n - 4;
	if (family == 1)
		maxbits = 32;
	else if (family == 2)
		maxbits = 128;
	else
		return -1;
	if (source > maxbits || addrlen != (source + 7) / 8)
		return -1;
	if (source % 8 != 0 && (d[4 + addrlen - 1] & (0xff >> source % 8)))
		return -1;
	q->ecs = 1;
	q->ecs_family = family;
	q->ecs_source = source;
	memcpy(q->ecs_addr, d + 4, addrlen);
	q->ecs_addrlen = addrlen;
	return 0;
}

/*
 * The OPT record (RFC 6891 section 6.1.2): class is the payload size, ttl
 * the extended rcode, version and flags. Results: 0; -1 for a FORMERR
 * where the answer carries no OPT (the record itself is bad); -2 for a
 * FORMERR where it does (a bad Client Subnet option).
 */
static int
opt_parse(struct dns_query *q, uint16_t class, uint32_t ttl,
    const uint8_t *d, size_t n)
{
	size_t		off = 0, olen;
	uint16_t	code;
	int		bad_ecs = 0;

	/* The options must tile the data exactly. */
	while (off < n) {
		if (off + 4 > n)
			return -1;
		olen = rd16(d + off + 2);
		if (off + 4 + olen > n)
			return -1;
		off += 4 + olen;
	}
	q->edns = 1;
	q->edns_version = (ttl >> 16) & 0xff;
	q->edns_do = (ttl & DNS_EDNS_F_DO) != 0;
	q->edns_udp_size = class < DNS_UDP_MIN ? DNS_UDP_MIN : class;
	/* Under another version the options may mean anything. */
	if (q->edns_version != 0)
		return 0;
	for (off = 0; off < n; off += 4 + olen) {
		code = rd16(d + off);
		olen = rd16(d + off + 2);
		/* Other options are ignored, and so never echoed. */
		if (code == DNS_OPT_ECS && ecs_parse(q, d + off + 4, olen) == -1)
			bad_ecs = 1;
	}
	if (bad_ecs) {
		q->ecs = 0;
		return -2;
	}
	return 0;
}

static int	query_sections(const uint8_t *, size_t, struct dns_query *);

/*
 * dns_query_parse --
 *	Read a query: header, the one question, then every other record
 *	just far enough to find and check the OPT record.
 *
 * Results:
 *	An rcode to answer with, or DNS_PARSE_DROP.
 *
 * Side effects:
 *	Fills q; q->has_question and q->edns tell what the answer echoes
 *	(a FORMERR caused by the OPT record itself clears q->edns).
 */
int
dns_query_parse(const uint8_t *pkt, size_t len, struct dns_query *q)
{
	int	rc;

	memset(q, 0, sizeof(*q));
	/* Without a whole header there is no id to answer to. */
	if (len < DNS_HEADER_LEN)
		return DNS_PARSE_DROP;
	q->id = rd16(pkt);
	q->flags = rd16(pkt + 2);
	/* Answering a response could start a loop between two servers. */
	if (q->flags & DNS_F_QR)
		return DNS_PARSE_DROP;
	q->opcode = (q->flags >> 11) & 0xf;
	q->rd = (q->flags & DNS_F_RD) != 0;
	rc = query_sections(pkt, len, q);
	/*
	 * Another opcode gets NOTIMP, but with the question and the OPT
	 * record read first, so that the answer echoes them (RFC 6891
	 * section 6.1.1: an OPT for an OPT, whatever the rcode).
	 */
	return q->opcode != DNS_OPCODE_QUERY ? DNS_RCODE_NOTIMP : rc;
}

/* The question, then the OPT record among the other sections: an rcode. */
static int
query_sections(const uint8_t *pkt, size_t len, struct dns_query *q)
{
	size_t		off, rdlen, i, n;
	unsigned	qd, an, ns, ar;
	uint16_t	type, class;
	uint32_t	ttl;
	int		root, rc = DNS_RCODE_NOERROR;
	uint8_t		c;

	qd = rd16(pkt + 4);
	an = rd16(pkt + 6);
	ns = rd16(pkt + 8);
	ar = rd16(pkt + 10);
	if (qd != 1)
		return DNS_RCODE_FORMERR;

	/*
	 * The question, read flat: nothing comes before it that a pointer
	 * could point to.
	 */
	off = DNS_HEADER_LEN;
	for (n = 0;;) {
		if (off >= len)
			return DNS_RCODE_FORMERR;
		c = pkt[off];
		/* Pointers (and the obsolete label types) are refused too. */
		if (c > DNS_LABEL_MAX || off + 1 + c > len ||
		    n + 1 + c > DNS_NAME_MAX)
			return DNS_RCODE_FORMERR;
		memcpy(q->qname + n, pkt + off, 1 + c);
		n += 1 + c;
		off += 1 + c;
		if (c == 0)
			break;
	}
	q->qname_len = n;
	if (off + 4 > len)
		return DNS_RCODE_FORMERR;
	q->qtype = rd16(pkt + off);
	q->qclass = rd16(pkt + off + 2);
	off += 4;
	dns_name_lower(q->qname_lc, q->qname);
	q->has_question = 1;

	/*
	 * The other sections, only to find the OPT record among the
	 * additional ones. Bytes after the last counted record are ignored:
	 * no RFC makes them an error, and being strict gains nothing.
	 */
	for (i = 0; i < (size_t)an + ns + ar; i++) {
		root = off < len && pkt[off] == 0;
		if (name_skip(pkt, len, &off) == -1 || off + 10 > len)
			goto formerr;
		type = rd16(pkt + off);
		class = rd16(pkt + off + 2);
		ttl = rd32(pkt + off + 4);
		rdlen = rd16(pkt + off + 8);
		off += 10;
		if (off + rdlen > len)
			goto formerr;
		if (type == DNS_TYPE_OPT) {
			/* Only one, only additional, owned by the root. */
			if (q->edns || i < (size_t)an + ns || !root)
				goto formerr;
			switch (opt_parse(q, class, ttl, pkt + off, rdlen)) {
			case -1:
				goto formerr;
			case -2:
				rc = DNS_RCODE_FORMERR;
				break;
			}
		}
		off += rdlen;
	}
	if (rc == DNS_RCODE_NOERROR && q->edns && q->edns_version > 0)
		return DNS_RCODE_BADVERS;
	return rc;

 formerr:
	/* RFC 6891 section 7: a bad OPT gets a FORMERR without one. */
	q->edns = 0;
	q->ecs = 0;
	return DNS_RCODE_FORMERR;
}

const char *
dns_msg_rcode_str(int rcode)
{
	static char	 buf[16];
	static const char *names[] = { "NOERROR", "FORMERR", "SERVFAIL",
	    "NXDOMAIN", "NOTIMP", "REFUSED" };

	if (rcode >= 0 && rcode < (int)(sizeof(names) / sizeof(names[0])))
		return names[rcode];
	if (rcode == DNS_RCODE_BADVERS)
		return "BADVERS";
	snprintf(buf, sizeof(buf), "RCODE%d", rcode);
	return buf;
}

/*
 * Answers
 */

/* Size of the OPT record the answer to q will carry, 0 for none. */
static size_t
opt_size(const struct dns_query *q)
{
	if (!q->edns)
		return 0;
	/* root, type, class, ttl, rdlength; then Client Subnet's option */
	return 11 + (q->ecs ? 4 + 4 + q->ecs_addrlen : 0);
}

static void
put(struct dns_writer *w, const void *d, size_t n)
{
	if (w->overflow || w->len + n > w->limit) {
		w->overflow = 1;
		return;
	}
	memcpy(w->buf + w->len, d, n);
	w->len += n;
}

static void
put16(struct dns_writer *w, uint16_t v)
{
	uint8_t	b[2];

	wr16(b, v);
	put(w, b, 2);
}

static void
put32(struct dns_writer *w, uint32_t v)
{
	put16(w, v >> 16);
	put16(w, v & 0xffff);
}

/* Does the name written at buf[off] (maybe compressed) equal s? */
static int
name_at_eq(const uint8_t *buf, size_t off, const uint8_t *s)
{
	size_t	i;

	/* Our own buffer: its pointers go backwards and end. */
	for (;;) {
		while ((buf[off] & 0xc0) == 0xc0)
			off = (buf[off] & 0x3f) << 8 | buf[off + 1];
		if (buf[off] != *s)
			return 0;
		if (*s == 0)
			return 1;
		for (i = 1; i <= *s; i++)
			if (lower(buf[off + i]) != lower(s[i]))
				return 0;
		off += 1 + *s;
		s += 1 + *s;
	}
}

/*
 * Write the valid wire name with its longest suffix already in the message
 * replaced by a pointer (RFC 1035 section 4.1.4), and remember its labels
 * as targets for later names.
 */
static void
put_name(struct dns_writer *w, const uint8_t *name)
{
	const uint8_t	*s;
	size_t		 start = w->len;
	int		 i = 0;

	for (s = name; *s != 0; s += 1 + *s) {
		for (i = 0; i < w->nnames; i++)
			if (name_at_eq(w->buf, w->names[i], s))
				break;
		if (i < w->nnames)
			break;
	}
	put(w, name, s - name);
	if (*s != 0)
		put16(w, 0xc000 | w->names[i]);
	else
		put(w, s, 1);
	if (w->overflow)
		return;
	/* Remember the labels written out; pointers reach 0x3fff. */
	for (; name < s; name += 1 + *name) {
		if (w->nnames == DNS_WRITER_NAMES || start >= 0x4000)
			break;
		w->names[w->nnames++] = start;
		start += 1 + *name;
	}
}

int
dns_writer_init(struct dns_writer *w, uint8_t *buf, size_t buflen,
    const struct dns_query *q, int tcp)
{
	size_t	limit;

	memset(w, 0, sizeof(*w));
	if (buflen < DNS_UDP_MIN)
		return -1;
	if (tcp)
		limit = DNS_TCP_MAX;
	else if (q->edns)
		limit = q->edns_udp_size > DNS_EDNS_UDP_MAX ?
		    DNS_EDNS_UDP_MAX : q->edns_udp_size;
	else
		limit = DNS_UDP_MIN;
	if (limit > buflen)
		limit = buflen;
	w->buf = buf;
	w->q = q;
	w->tcp = tcp;
	/* The OPT record goes last but must always fit: keep its room. */
	w->limit = limit - opt_size(q);
	memset(buf, 0, DNS_HEADER_LEN);
	w->len = DNS_HEADER_LEN;
	if (q->has_question) {
		/* As the client wrote it: some check their case (0x20). */
		put_name(w, q->qname);
		put16(w, q->qtype);
		put16(w, q->qclass);
		w->count[0] = 1;
	}
	/* A header, a question and an OPT record fit in 512 bytes. */
	return w->overflow ? -1 : 0;
}

/* Check the names in rdata for type; 1 if it has names to compress. */
static int
rdata_names(uint16_t type, const uint8_t *rdata, size_t rdlen)
{
	int	n, m;

	switch (type) {
	case DNS_TYPE_NS:
	case DNS_TYPE_CNAME:
	case DNS_TYPE_PTR:
		if (dns_name_len(rdata, rdlen) != (int)rdlen)
			return -1;
		return 1;
	case DNS_TYPE_MX:
		if (rdlen < 3 || dns_name_len(rdata + 2, rdlen - 2) !=
		    (int)rdlen - 2)
			return -1;
		return 1;
	case DNS_TYPE_SOA:
		if ((n = dns_name_len(rdata, rdlen)) == -1 ||
		    (m = dns_name_len(rdata + n, rdlen - n)) == -1 ||
		    (size_t)(n + m + 20) != rdlen)
			return -1;
		return 1;
	}
	return 0;
}

/*
 * dns_writer_rr --
 *	Append one record, compressing its owner and, for the types of RFC
 *	1035 (NS, CNAME, PTR, MX, SOA), the names in its data.
 *
 * Results:
 *	DNS_RR_OK, DNS_RR_FULL or DNS_RR_BAD.
 *
 * Side effects:
 *	On DNS_RR_FULL the buffer and the compression table are as before
 *	the call; in the answer and authority sections w->stopped is set,
 *	and w->tc too over UDP.
 */
int
dns_writer_rr(struct dns_writer *w, int section, const uint8_t *owner,
    uint16_t type, uint16_t class, uint32_t ttl, const uint8_t *rdata,
    size_t rdlen)
{
	size_t	mark = w->len, rdstart;
	int	nnames = w->nnames, names, n;

	if (section < DNS_SEC_ANSWER || section > DNS_SEC_ADDITIONAL ||
	    section < w->section || type == DNS_TYPE_OPT ||
	    dns_name_len(owner, DNS_NAME_MAX) == -1 ||
	    (names = rdata_names(type, rdata, rdlen)) == -1)
		return DNS_RR_BAD;
	w->section = section;
	if (w->stopped)
		return DNS_RR_FULL;

	put_name(w, owner);
	put16(w, type);
	put16(w, class);
	put32(w, ttl);
	put16(w, 0);		/* rdlength, known at the end */
	rdstart = w->len;
	if (!names)
		put(w, rdata, rdlen);
	else if (type == DNS_TYPE_MX) {
		put(w, rdata, 2);
		put_name(w, rdata + 2);
	} else {
		put_name(w, rdata);
		if (type == DNS_TYPE_SOA) {
			n = dns_name_len(rdata, rdlen);
			put_name(w, rdata + n);
			put(w, rdata + rdlen - 20, 20);
		}
	}
	if (w->overflow || w->len - rdstart > 0xffff) {
		/* Undo the record, and the names it taught the table. */
		w->len = mark;
		w->nnames = nnames;
		w->overflow = 0;
		/*
		 * A partial answer or authority section misleads (RFC 2181
		 * section 9): over UDP say TC so the client retries over
		 * TCP; extra records may simply be left out.
		 */
		if (section != DNS_SEC_ADDITIONAL) {
			w->stopped = 1;
			if (!w->tcp)
				w->tc = 1;
		}
		return DNS_RR_FULL;
	}
	wr16(w->buf + rdstart - 2, w->len - rdstart);
	w->count[section]++;
	return DNS_RR_OK;
}

size_t
dns_writer_finish(struct dns_writer *w, int rcode, int aa)
{
	const struct dns_query	*q = w->q;
	uint16_t		 flags;
	uint8_t			*b = w->buf;
	size_t			 at;

	/* Without OPT there is no room for an extended rcode. */
	if (rcode > 15 && !q->edns)
		rcode = DNS_RCODE_SERVFAIL;
	flags = DNS_F_QR | (q->opcode & 0xf) << 11 | (rcode & 0xf);
	if (aa)
		flags |= DNS_F_AA;
	if (w->tc)
		flags |= DNS_F_TC;
	/* RD and CD are copied back (RFC 1035, RFC 4035 section 3.1.1). */
	flags |= q->flags & (DNS_F_RD | DNS_F_CD);
	wr16(b, q->id);
	wr16(b + 2, flags);
	wr16(b + 4, w->count[0]);
	wr16(b + 6, w->count[DNS_SEC_ANSWER]);
	wr16(b + 8, w->count[DNS_SEC_AUTHORITY]);
	wr16(b + 10, w->count[DNS_SEC_ADDITIONAL]);
	if (!q->edns)
		return w->len;

	/*
	 * OPT: our version 0 and payload size, only the DO flag echoed (the
	 * other flags are zero, RFC 6891 section 6.1.4), and of the
	 * options only Client Subnet, with scope 0: one answer for all
	 * (RFC 7871 section 7.2.1).
	 */
	at = w->len;
	b[at++] = 0;
	wr16(b + at, DNS_TYPE_OPT);
	wr16(b + at + 2, DNS_EDNS_UDP_MAX);
	b[at + 4] = (rcode >> 4) & 0xff;
	b[at + 5] = 0;
	wr16(b + at + 6, q->edns_do ? DNS_EDNS_F_DO : 0);
	wr16(b + at + 8, q->ecs ? 8 + q->ecs_addrlen : 0);
	at += 10;
	if (q->ecs) {
		wr16(b + at, DNS_OPT_ECS);
		wr16(b + at + 2, 4 + q->ecs_addrlen);
		wr16(b + at + 4, q->ecs_family);
		b[at + 6] = q->ecs_source;
		b[at + 7] = 0;
		memcpy(b + at + 8, q->ecs_addr, q->ecs_addrlen);
		at += 8 + q->ecs_addrlen;
	}
	wr16(b + 10, w->count[DNS_SEC_ADDITIONAL] + 1);
	return at;
}
