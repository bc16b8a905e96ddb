/*
 * zone.h: faildns's zone file reader. It reads a zone in the master-file
 * format of RFC 1035 section 5 (with $TTL of RFC 2308 and the generic form
 * of RFC 3597) into records already in wire form, so answering is copying
 * bytes; names inside RDATA stay uncompressed and their offsets are kept
 * for the packer to compress them.
 */
#ifndef FAILDNS_ZONE_H
#define FAILDNS_ZONE_H

#include <stddef.h>
#include <stdint.h>

#define ZONE_NAME_MAX		255	/* a name in wire form, RFC 1035 */
#define ZONE_LABEL_MAX		63
#define ZONE_RDATA_MAX		65535
#define ZONE_RR_NAMES		2	/* compressible names in one RDATA */
#define ZONE_INCLUDE_DEPTH	8	/* $INCLUDE nesting */
#define ZONE_TTL_MAX		2147483647	/* RFC 2181 section 8 */

enum zone_type {
	ZONE_T_A = 1,
	ZONE_T_NS = 2,
	ZONE_T_CNAME = 5,
	ZONE_T_SOA = 6,
	ZONE_T_PTR = 12,
	ZONE_T_MX = 15,
	ZONE_T_TXT = 16,
	ZONE_T_AAAA = 28,
	ZONE_T_SRV = 33,
	ZONE_T_RRSIG = 46,
	ZONE_T_NSEC = 47,
	ZONE_T_CAA = 257
};

#define ZONE_C_IN	1

struct zone_rr {
	uint8_t		 owner[ZONE_NAME_MAX];	/* wire form, lower case */
	size_t		 ownerlen;
	uint16_t	 type;
	uint16_t	 class;
	uint32_t	 ttl;
	uint8_t		*rdata;			/* owned, rdlen bytes */
	uint16_t	 rdlen;
	/*
	 * Where the names RFC 1035 lets a packer compress (NS, CNAME, PTR,
	 * MX, SOA) begin in rdata; other names (SRV's target) never count.
	 */
	uint16_t	 names[ZONE_RR_NAMES];
	int		 nnames;
	const char	*file;			/* zone's files[] */
	int		 line;
};

struct zone {
	uint8_t		 origin[ZONE_NAME_MAX];	/* wire form, lower case */
	size_t		 originlen;
	struct zone_rr	*rrs;			/* owned, in file order */
	size_t		 nrrs;
	size_t		 rrcap;
	char		**files;		/* owned: the files read */
	size_t		 nfiles;
};

/*
 * Reads the zone in path. origin is the zone's name in text ("example.com"
 * or "example.com."); NULL takes it from a $ORIGIN before the first record.
 * Returns 0 and a new zone in *zp, or -1 with "file:line: what" in err.
 */
int		 zone_load(const char *path, const char *origin,
		    struct zone **zp, char *err, size_t errlen);
void		 zone_free(struct zone *);

/*
 * Text to wire name, relative names ending with origin (wire form, may be
 * NULL). Returns the length, or -1 with the reason in why.
 */
int		 zone_name_parse(const char *text, const uint8_t *origin,
		    size_t originlen, uint8_t *out, char *why, size_t whylen);
/* Wire name to text ("www.example.com."), escaping as master files do. */
const char	*zone_name_str(const uint8_t *name, char *buf, size_t len);
/* ZONE_T_A -> "A", others "TYPE99", in buf. */
const char	*zone_type_str(uint16_t type, char *buf, size_t len);

#endif /* FAILDNS_ZONE_H */
