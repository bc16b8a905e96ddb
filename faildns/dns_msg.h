/*
 * dns_msg.h: the DNS message layer of faildns, apart from any I/O: reading
 * a query (header, its one question, EDNS0 and Client Subnet) and writing
 * the answer (header, question, records with name compression, truncation,
 * the OPT record). Wire names are lib/dns_name.c's, declared here too for
 * whoever includes only this. libc only.
 */
#ifndef FAILDNS_DNS_MSG_H
#define FAILDNS_DNS_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "dns_name.h"

#define DNS_HEADER_LEN	12

#define DNS_UDP_MIN	512	/* without EDNS, and EDNS's floor */
#define DNS_EDNS_UDP_MAX 1232	/* what we advertise and send at most */
#define DNS_TCP_MAX	65535

#define DNS_CLASS_IN	1
#define DNS_OPCODE_QUERY 0
#define DNS_OPT_ECS	8	/* EDNS Client Subnet option, RFC 7871 */

/* Header flag bits, in the 16-bit word after the id. */
#define DNS_F_QR	0x8000
#define DNS_F_AA	0x0400
#define DNS_F_TC	0x0200
#define DNS_F_RD	0x0100
#define DNS_F_RA	0x0080
#define DNS_F_CD	0x0010
#define DNS_EDNS_F_DO	0x8000	/* in the OPT TTL's low 16 bits */

/* Types whose RDATA names we compress (RFC 3597 section 4). */
enum dns_msg_type {
	DNS_TYPE_A = 1,
	DNS_TYPE_NS = 2,
	DNS_TYPE_CNAME = 5,
	DNS_TYPE_SOA = 6,
	DNS_TYPE_PTR = 12,
	DNS_TYPE_MX = 15,
	DNS_TYPE_TXT = 16,
	DNS_TYPE_AAAA = 28,
	DNS_TYPE_SRV = 33,
	DNS_TYPE_OPT = 41
};

/* Response codes; above 15 only with EDNS (the high bits go in OPT). */
enum dns_msg_rcode {
	DNS_RCODE_NOERROR = 0,
	DNS_RCODE_FORMERR = 1,
	DNS_RCODE_SERVFAIL = 2,
	DNS_RCODE_NXDOMAIN = 3,
	DNS_RCODE_NOTIMP = 4,
	DNS_RCODE_REFUSED = 5,
	DNS_RCODE_BADVERS = 16
};

/* Sections of an answer, in the order they must be written. */
enum dns_msg_section {
	DNS_SEC_ANSWER = 1,
	DNS_SEC_AUTHORITY = 2,
	DNS_SEC_ADDITIONAL = 3
};

/* dns_query_parse result besides an rcode: send nothing back. */
#define DNS_PARSE_DROP	(-1)

/* A query as read by dns_query_parse. */
struct dns_query {
	uint16_t	 id;
	uint16_t	 flags;		/* the header's second word */
	int		 opcode;
	int		 rd;		/* recursion desired, copied back */

	int		 has_question;	/* the question below was read */
	uint8_t		 qname[DNS_NAME_MAX];	/* wire, the client's case */
	uint8_t		 qname_lc[DNS_NAME_MAX];	/* lowercased, for lookups */
	size_t		 qname_len;
	uint16_t	 qtype;
	uint16_t	 qclass;

	int		 edns;		/* a valid OPT record was present */
	int		 edns_version;
	uint16_t	 edns_udp_size;	/* at least DNS_UDP_MIN */
	int		 edns_do;	/* DNSSEC OK */

	int		 ecs;		/* a valid Client Subnet option */
	uint16_t	 ecs_family;	/* 1 IPv4, 2 IPv6 */
	uint8_t		 ecs_source;	/* source prefix length */
	uint8_t		 ecs_addr[16];	/* the first ecs_addrlen bytes */
	size_t		 ecs_addrlen;
};

/*
 * Read the query in pkt[0..len) into q. Results: an rcode to answer with
 * (DNS_RCODE_NOERROR: go on and look q->qname_lc up; FORMERR, NOTIMP,
 * BADVERS: answer with just that), or DNS_PARSE_DROP for what must get no
 * answer at all (a response, less than a header). q->has_question and
 * q->edns say what the answer may echo.
 */
int	 dns_query_parse(const uint8_t *pkt, size_t len, struct dns_query *q);

#define DNS_WRITER_NAMES	64	/* names remembered for compression */

/* An answer under construction in a caller's buffer. */
struct dns_writer {
	uint8_t			*buf;	/* the caller's */
	size_t			 len;
	size_t			 limit;	/* for records: the size limit less
					   the room kept for OPT */
	const struct dns_query	*q;	/* the caller's, for the header and OPT */
	int			 tcp;
	int			 section;	/* the last one written to */
	uint16_t		 count[4];	/* indexed by section; 0 question */
	int			 tc;
	int			 stopped;	/* a needed record did not fit */
	int			 overflow;	/* the record being written */
	uint16_t		 names[DNS_WRITER_NAMES];	/* offsets */
	int			 nnames;
};

/* dns_writer_rr results */
#define DNS_RR_OK	0
#define DNS_RR_FULL	1	/* left out: no room (TC may be set) */
#define DNS_RR_BAD	(-1)	/* a caller's mistake: bad rdata, order */

/*
 * Start the answer to q in buf[0..buflen) (at least DNS_UDP_MIN bytes):
 * over UDP it may take 512 bytes, or the client's EDNS size up to
 * DNS_EDNS_UDP_MAX; over TCP, DNS_TCP_MAX. The question is written as the
 * client sent it. Returns 0, or -1 when buflen is too small.
 */
int	 dns_writer_init(struct dns_writer *w, uint8_t *buf, size_t buflen,
	    const struct dns_query *q, int tcp);
/*
 * Add a record to section (in order: answer, authority, additional).
 * owner and the names in rdata come uncompressed and are compressed here.
 * Compression matches names ignoring case, so a suffix may take the
 * spelling already written (the question's, say). Results: DNS_RR_OK;
 * DNS_RR_FULL when it does not fit (in the answer and authority sections
 * this refuses every later record too, and over UDP sets TC; in the
 * additional section it is only left out); DNS_RR_BAD.
 */
int	 dns_writer_rr(struct dns_writer *w, int section, const uint8_t *owner,
	    uint16_t type, uint16_t class, uint32_t ttl, const uint8_t *rdata,
	    size_t rdlen);
/*
 * Finish the answer with rcode (extended ones through OPT) and aa: the
 * header's flags and counts, and the OPT record when the query had one.
 * Returns the answer's length.
 */
size_t	 dns_writer_finish(struct dns_writer *w, int rcode, int aa);

/* 3 -> "NXDOMAIN"; "RCODE99" style for others, in a static buffer. */
const char	*dns_msg_rcode_str(int rcode);

#endif
