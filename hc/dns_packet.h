/*
 * dns_packet.h: the DNS messages of the dns check, apart from any I/O so
 * the unit tests can feed them hand-made packets: building a standard
 * query, and reading an answer defensively (every length and compression
 * pointer checked) into what the check decides on.
 */
#ifndef HC_DNS_PACKET_H
#define HC_DNS_PACKET_H

#include <stddef.h>
#include <stdint.h>

#include "dns_name.h"	/* dns_name_read and the other wire-name functions */

#define DNS_HEADER_LEN	12
#define DNS_QUERY_MAX	(DNS_HEADER_LEN + DNS_NAME_MAX + 4)
#define DNS_TEXT_MAX	640	/* a record as text (SOA the longest) */

enum dns_type {
	DNS_T_A = 1,
	DNS_T_NS = 2,
	DNS_T_CNAME = 5,
	DNS_T_SOA = 6,
	DNS_T_PTR = 12,
	DNS_T_MX = 15,
	DNS_T_TXT = 16,
	DNS_T_AAAA = 28
};

enum dns_rcode {
	DNS_R_NOERROR = 0,
	DNS_R_FORMERR = 1,
	DNS_R_SERVFAIL = 2,
	DNS_R_NXDOMAIN = 3,
	DNS_R_NOTIMP = 4,
	DNS_R_REFUSED = 5
};

/* What we asked; the parser compares the answer's question with it. */
struct dns_query {
	uint16_t	 id;
	int		 type;		/* enum dns_type */
	uint8_t		 qname[DNS_NAME_MAX];	/* wire form */
	size_t		 qnamelen;
	const char	*expect;	/* dns_expect_norm form, or NULL */
};

/* What an answer says about our question. */
struct dns_answer {
	int	 rcode;		/* enum dns_rcode, or another number */
	int	 tc;		/* truncated: ask again over TCP */
	int	 count;		/* answer records of the asked type */
	int	 found;		/* one of them equals expect */
	char	 first[DNS_TEXT_MAX];	/* the first of them, or "" */
};

/* "A" -> DNS_T_A (case-insensitive); -1 for a type the check lacks. */
int		 dns_type_parse(const char *);
/* DNS_T_A -> "A"; "TYPE99" style for others, in a static buffer. */
const char	*dns_type_str(int type);
/* 3 -> "NXDOMAIN"; "RCODE11" style for others, in a static buffer. */
const char	*dns_rcode_str(int rcode);

/*
 * Set q->qname from a name in text form ("www.example.com", a final dot
 * allowed, "." for the root, \. \\ and \DDD escapes). Returns 0, or -1
 * with err set ("empty label in ...", "label longer than 63 bytes in ...",
 * "name longer than 255 bytes", "bad escape in ...").
 */
int	 dns_query_name(struct dns_query *q, const char *name, char *err,
	    size_t errlen);
/*
 * Write the standard query for q (recursion desired, one question of
 * class IN) into buf. Returns its length (at most DNS_QUERY_MAX), or -1
 * when buf is too small.
 */
int	 dns_query_build(const struct dns_query *q, uint8_t *buf,
	    size_t len);

/*
 * The text form of an expected value for type, as dns_answer_parse renders
 * records, into out: an address in inet_ntop form for A and AAAA, names
 * without their final dot, MX as "pref name"; TXT unchanged. Returns 0, or
 * -1 with err set ("not an IPv4 address", "MX expects \"pref name\"").
 */
int	 dns_expect_norm(int type, const char *in, char *out, size_t outlen,
	    char *err, size_t errlen);

/* dns_answer_parse results */
#define DNS_ANSWER_OK		0	/* a well-formed answer to q */
#define DNS_ANSWER_BAD		(-1)	/* our id, malformed: see err */
#define DNS_ANSWER_OTHER	(-2)	/* not an answer to q: see err */

/*
 * Read the answer in pkt[0..len) to the query q into a. A message without
 * q's id, that is not a response, or whose question is not q's is
 * DNS_ANSWER_OTHER (over UDP it may be late or forged: wait on). Only the
 * header, question and answer sections are read; bytes after them are
 * ignored; a truncated answer (TC) stops after the question.
 */
int	 dns_answer_parse(const uint8_t *pkt, size_t len,
	    const struct dns_query *q, struct dns_answer *a, char *err,
	    size_t errlen);

/* A wire name as text, without the final dot ("." for the root). */
void	 dns_name_text(const uint8_t *wire, char *text, size_t textlen);

#endif
