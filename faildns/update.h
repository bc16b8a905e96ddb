/*
 * update.h: faildns's pushes to an existing BIND or Knot: an RFC 2136
 * dynamic update that replaces a name's A and AAAA RRsets, signed with
 * TSIG (RFC 8945, HMAC-SHA256) with a key from a BIND key file, sent over
 * TCP from a Pth thread. The pure parts (building, signing, checking the
 * response) are exported for the unit tests.
 */
#ifndef FAILDNS_UPDATE_H
#define FAILDNS_UPDATE_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#define UPDATE_DEFAULT_PORT	53
#define UPDATE_KEY_NAME_MAX	255	/* text, without the final dot */
#define UPDATE_SECRET_MAX	128	/* bytes; tsig-keygen makes 32 */
#define UPDATE_MAC_LEN		32	/* HMAC-SHA256 */
#define UPDATE_FUDGE_S		300
#define UPDATE_MSG_MAX		65535	/* over TCP */

/* Response codes of RFC 1035, 2136 and 8945 (NOTAUTH). */
enum update_rcode {
	UPDATE_NOERROR = 0,
	UPDATE_FORMERR = 1,
	UPDATE_SERVFAIL = 2,
	UPDATE_NXDOMAIN = 3,
	UPDATE_NOTIMP = 4,
	UPDATE_REFUSED = 5,
	UPDATE_YXDOMAIN = 6,
	UPDATE_YXRRSET = 7,
	UPDATE_NXRRSET = 8,
	UPDATE_NOTAUTH = 9,
	UPDATE_NOTZONE = 10
};

/* The TSIG RR's error field (RFC 8945 section 3). */
enum update_tsig_error {
	UPDATE_TSIG_OK = 0,
	UPDATE_TSIG_BADSIG = 16,
	UPDATE_TSIG_BADKEY = 17,
	UPDATE_TSIG_BADTIME = 18,
	UPDATE_TSIG_BADMODE = 19,
	UPDATE_TSIG_BADNAME = 20,
	UPDATE_TSIG_BADALG = 21,
	UPDATE_TSIG_BADTRUNC = 22
};

/* "NOTAUTH"; "RCODE23" style for others, in a static buffer. */
const char	*update_rcode_str(int rcode);
/* "BADSIG"; "TSIG error 99" style for others, in a static buffer. */
const char	*update_tsig_error_str(int error);

/* A TSIG key; the algorithm is always hmac-sha256. */
struct update_key {
	char		 name[UPDATE_KEY_NAME_MAX + 1];	/* lower case, no
							   final dot */
	uint8_t		 secret[UPDATE_SECRET_MAX];
	size_t		 len;
};

/* One address of the name; the layout of faildns's struct fdns_addr. */
struct update_addr {
	int		 family;	/* AF_INET or AF_INET6 */
	uint8_t		 a[16];		/* 4 or 16 bytes, network order */
};

/*
 * Load the key keyname (NULL: the first) from a BIND key file, as
 * tsig-keygen -a hmac-sha256 NAME writes it (key "NAME" { algorithm
 * hmac-sha256; secret "BASE64"; };, with #, // and C comments). Returns 0,
 * or -1 with err set to "file:line: what is wrong" (or "file: ...").
 * Loads libcrypto.
 */
int	 update_key_load(const char *path, const char *keyname,
	    struct update_key *, char *err, size_t errlen);
/* Wipe a key's secret. */
void	 update_key_clear(struct update_key *);

/*
 * Send the update that replaces name's A and AAAA RRsets in zone by the n
 * addresses (n may be 0: the name is left without addresses) with ttl_s,
 * to server ("host", "host:port", "[v6]:port"; port 53 by default) over
 * TCP, signed with key (NULL: unsigned), and check the answer, all
 * within timeout_ms. Call it from a Pth thread (it yields while waiting).
 * Results: the server's rcode (UPDATE_NOERROR: done; any other with err
 * set to what the server said, naming it), or -1 with err naming the
 * server and what failed (resolving, connecting, timing out, a response
 * that is malformed or fails its TSIG check).
 */
int	 update_replace(const char *server, const char *zone, const char *name,
	    uint32_t ttl_s, const struct update_addr *, size_t n,
	    const struct update_key *key, int timeout_ms, char *err,
	    size_t errlen);

/*
 * The pure parts of update_replace: no I/O, no clock.
 *
 * Build the unsigned UPDATE message with id into buf[0..cap): zone
 * section (zone SOA IN), no prerequisites, then delete the RRsets A and
 * AAAA of name and add each address. name must be zone or below it.
 * Returns the length, or -1 with err set.
 */
ssize_t	 update_build(uint8_t *buf, size_t cap, uint16_t id, const char *zone,
	    const char *name, uint32_t ttl_s, const struct update_addr *,
	    size_t n, char *err, size_t errlen);
/*
 * Sign the message in buf[0..len) with key at time_signed (seconds since
 * the epoch), fudge UPDATE_FUDGE_S: append the TSIG RR and count it in
 * ARCOUNT. mac gets the request's MAC, which the response's covers.
 * Returns the new length, or -1 with err set (no room, no libcrypto).
 */
ssize_t	 update_sign(uint8_t *buf, size_t len, size_t cap,
	    const struct update_key *, uint64_t time_signed,
	    uint8_t mac[UPDATE_MAC_LEN], char *err, size_t errlen);
/*
 * Check the response in buf[0..len) to the request with id (signed with
 * key and carrying reqmac; key NULL: unsigned) at now_s: id, QR, opcode
 * UPDATE, and the TSIG RR: same key and algorithm, the MAC over reqmac and
 * the response, the time within the fudge. A signed request's NOERROR
 * counts only with a good MAC.
 * Results: the rcode, with err set to it when not NOERROR ("NOTAUTH, TSIG
 * error BADSIG" when the server's TSIG error field says so); -1 with err
 * set when the response is not one or fails the check ("TSIG BADSIG: the
 * MAC does not match", "TSIG BADKEY: ...", "TSIG BADTIME: ...").
 */
int	 update_check_response(const uint8_t *buf, size_t len, uint16_t id,
	    const struct update_key *, const uint8_t reqmac[UPDATE_MAC_LEN],
	    uint64_t now_s, char *err, size_t errlen);

#endif
