/*
 * dns_name.h: DNS names in wire form (RFC 1035 section 3.1), for hc's dns
 * check and faildns: from and to master-file text, length, comparison and
 * case, and reading one out of a message. libc only, no allocation.
 */
#ifndef FAIL_DNS_NAME_H
#define FAIL_DNS_NAME_H

#include <stddef.h>
#include <stdint.h>

#define DNS_NAME_MAX	255	/* a name in wire form, RFC 1035 */
#define DNS_LABEL_MAX	63
#define DNS_MAX_JUMPS	32	/* compression pointers in one name */
#define DNS_NAME_TEXT_MAX	(4 * DNS_NAME_MAX + 2)	/* all \DDD, ".", NUL */

/* Why dns_name_parse refused a text. */
enum dns_name_err {
	DNS_NAME_OK = 0,
	DNS_NAME_EMPTY,		/* "" */
	DNS_NAME_EMPTY_LABEL,	/* "a..b", ".a" */
	DNS_NAME_LONG_LABEL,	/* more than DNS_LABEL_MAX octets */
	DNS_NAME_TOO_LONG,	/* more than DNS_NAME_MAX octets in wire form */
	DNS_NAME_BAD_ESCAPE,	/* "a\\", "\\256", "\\12" */
	DNS_NAME_RELATIVE	/* no final dot, and no origin given */
};

/* DNS_NAME_EMPTY_LABEL -> "empty label", as zone files report it. */
const char	*dns_name_err_str(enum dns_name_err);

/*
 * Every function is bounded by DNS_NAME_MAX and DNS_LABEL_MAX and never
 * reads past what it is given; wire buffers are DNS_NAME_MAX bytes.
 */

/*
 * Text to wire, as in a master file: labels separated by dots, \X and \DDD
 * escapes, "." the root. A name with a final dot is absolute; one without
 * has origin (a wire name of originlen bytes) appended, and is refused
 * with DNS_NAME_RELATIVE when origin is NULL. Returns the wire length, or
 * -1 with the reason in *why (why may be NULL).
 */
int	 dns_name_parse(const char *text, const uint8_t *origin,
	    size_t originlen, uint8_t *wire, enum dns_name_err *why);
/*
 * Text ("www.example.com", final dot optional, "." the root; \. \\ and
 * \DDD escapes) to wire. Returns the wire length, or -1.
 */
int	 dns_name_from_text(const char *text, uint8_t *wire);
/*
 * One character of master-file text (a name's or a character string's)
 * at s, with \X and \DDD, into *c. Returns what follows it, or NULL for a
 * bad escape.
 */
const char	*dns_unescape(const char *s, uint8_t *c);
/*
 * Wire to text, with a final dot and the escapes master files need (so
 * dns_name_from_text reads it back); at most DNS_NAME_TEXT_MAX bytes.
 * Returns 0, or -1 when textlen is too small or wire is not a valid name.
 */
int	 dns_name_to_text(const uint8_t *wire, char *text, size_t textlen);
/* Length of the uncompressed name at wire[0..max), or -1 if invalid. */
int	 dns_name_len(const uint8_t *wire, size_t max);
/*
 * Compare two valid wire names ignoring ASCII case: 0 when equal (the
 * sign of others is not DNSSEC's canonical order).
 */
int	 dns_name_cmp(const uint8_t *a, const uint8_t *b);
/* Copy the valid wire name src to dst (which may be src) in lower case. */
void	 dns_name_lower(uint8_t *dst, const uint8_t *src);
/*
 * Read the name at *off of pkt[0..len), following compression pointers
 * (only backwards, at most DNS_MAX_JUMPS) into wire (DNS_NAME_MAX bytes);
 * *off moves past the name as it stands there. Returns the wire length,
 * or -1 with err set ("name at 12 runs past the end", "compression loop
 * in the name at 12", "bad label type 0x40 in the name at 14", "name at 12
 * longer than 255 bytes"); err may be NULL when errlen is 0.
 */
int	 dns_name_read(const uint8_t *pkt, size_t len, size_t *off,
	    uint8_t *wire, char *err, size_t errlen);
/* dns_name_read without the reason. */
int	 dns_name_unpack(const uint8_t *pkt, size_t len, size_t *off,
	    uint8_t *wire);

#endif
