/*
 * fuzz_zone.c: libFuzzer target for faildns/zone.c. The input is a zone
 * file: it is written to one file in a folder of /dev/shm (made once per
 * process, beside inc.db for $INCLUDE to find) and loaded twice, with the
 * origin "example.com" and with none (a $ORIGIN must give it). A zone that
 * loads is checked record by record; a broken invariant aborts. Built and
 * run by scripts/fuzz.sh fuzz_zone.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dns_name.h"
#include "zone.h"

#define CHECK(c) do {							\
	if (!(c))							\
		fuzz_fail(__LINE__, #c);				\
} while (0)

static char	dir[64];
static char	path[96];
static char	inc[96];

static void
fuzz_fail(int line, const char *what)
{
	fprintf(stderr, "fuzz_zone.c:%d: invariant broken: %s\n", line, what);
	abort();
}

static void
cleanup(void)
{
	unlink(path);
	unlink(inc);
	rmdir(dir);
}

/* Is the wire name name (len bytes) origin or below it? */
static int
inside(const uint8_t *name, size_t len, const uint8_t *origin,
    size_t originlen)
{
	size_t	at = 0;

	for (;;) {
		if (len - at == originlen)
			return memcmp(name + at, origin, originlen) == 0;
		if (len - at < originlen || name[at] == 0)
			return 0;
		at += 1 + name[at];
	}
}

static int
lower_case(const uint8_t *name, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++)
		if (name[i] >= 'A' && name[i] <= 'Z')
			return 0;
	return 1;
}

/* The text of a name reads back as the same name. */
static void
round_trip(const uint8_t *name, size_t len)
{
	uint8_t	back[ZONE_NAME_MAX];
	char	text[1024], why[64];

	zone_name_str(name, text, sizeof(text));
	CHECK(text[0] != '\0' && text[strlen(text) - 1] == '.');
	CHECK(zone_name_parse(text, NULL, 0, back, why, sizeof(why)) ==
	    (int)len);
	CHECK(memcmp(back, name, len) == 0);
}

/* The names of a record of type in rdata, and its fixed sizes. */
static void
rdata_check(const struct zone_rr *rr)
{
	int	i, n, m;

	CHECK((rr->rdlen > 0) == (rr->rdata != NULL));
	CHECK(rr->nnames >= 0 && rr->nnames <= ZONE_RR_NAMES);
	for (i = 0; i < rr->nnames; i++) {
		CHECK(rr->names[i] < rr->rdlen);
		CHECK(dns_name_len(rr->rdata + rr->names[i],
		    rr->rdlen - rr->names[i]) > 0);
		if (i > 0)
			CHECK(rr->names[i] > rr->names[i - 1]);
	}
	switch (rr->type) {
	case ZONE_T_A:
		CHECK(rr->rdlen == 4 && rr->nnames == 0);
		break;
	case ZONE_T_AAAA:
		CHECK(rr->rdlen == 16 && rr->nnames == 0);
		break;
	case ZONE_T_NS:
	case ZONE_T_CNAME:
	case ZONE_T_PTR:
		CHECK(rr->nnames == 1 && rr->names[0] == 0);
		CHECK(dns_name_len(rr->rdata, rr->rdlen) == rr->rdlen);
		break;
	case ZONE_T_MX:
		CHECK(rr->nnames == 1 && rr->names[0] == 2);
		CHECK(dns_name_len(rr->rdata + 2, rr->rdlen - 2) ==
		    rr->rdlen - 2);
		break;
	case ZONE_T_SOA:
		CHECK(rr->nnames == 2 && rr->names[0] == 0);
		n = dns_name_len(rr->rdata, rr->rdlen);
		CHECK(n > 0 && rr->names[1] == n);
		m = dns_name_len(rr->rdata + n, rr->rdlen - (size_t)n);
		CHECK(m > 0 && n + m + 20 == rr->rdlen);
		break;
	case ZONE_T_SRV:
		CHECK(rr->nnames == 0 && rr->rdlen > 6);
		CHECK(dns_name_len(rr->rdata + 6, rr->rdlen - 6) ==
		    rr->rdlen - 6);
		break;
	default:
		CHECK(rr->nnames == 0);
		break;
	}
}

static int
same_owner(const struct zone_rr *a, const struct zone_rr *b)
{
	return a->ownerlen == b->ownerlen &&
	    memcmp(a->owner, b->owner, a->ownerlen) == 0;
}

static void
zone_check(const struct zone *z)
{
	const struct zone_rr	*rr, *o;
	size_t			 i, j, soa = 0;

	CHECK(z->originlen > 0 && z->originlen <= ZONE_NAME_MAX);
	CHECK(dns_name_len(z->origin, z->originlen) == (int)z->originlen);
	CHECK(lower_case(z->origin, z->originlen));
	CHECK(z->nrrs <= z->rrcap);
	CHECK(z->nfiles > 0);
	round_trip(z->origin, z->originlen);
	for (i = 0; i < z->nrrs; i++) {
		rr = &z->rrs[i];
		CHECK(rr->ownerlen > 0 && rr->ownerlen <= ZONE_NAME_MAX);
		CHECK(dns_name_len(rr->owner, rr->ownerlen) ==
		    (int)rr->ownerlen);
		CHECK(lower_case(rr->owner, rr->ownerlen));
		CHECK(inside(rr->owner, rr->ownerlen, z->origin,
		    z->originlen));
		round_trip(rr->owner, rr->ownerlen);
		CHECK(rr->class == ZONE_C_IN);
		CHECK(rr->ttl <= ZONE_TTL_MAX);
		CHECK(rr->type != 0 && rr->type != 41 &&
		    !(rr->type >= 128 && rr->type <= 255));
		CHECK(rr->file != NULL && rr->line > 0);
		rdata_check(rr);
		if (rr->type == ZONE_T_SOA) {
			soa++;
			CHECK(rr->ownerlen == z->originlen &&
			    memcmp(rr->owner, z->origin, z->originlen) == 0);
		}
		/* A CNAME is alone at its name, but for DNSSEC records. */
		if (rr->type != ZONE_T_CNAME)
			continue;
		for (j = 0; j < z->nrrs; j++) {
			o = &z->rrs[j];
			if (j != i && same_owner(rr, o))
				CHECK(o->type == ZONE_T_RRSIG ||
				    o->type == ZONE_T_NSEC);
		}
	}
	CHECK(soa == 1);
}

static void
load(const char *origin)
{
	struct zone	*z = NULL;
	char		 err[512];
	int		 rc;

	memset(err, 0, sizeof(err));
	rc = zone_load(path, origin, &z, err, sizeof(err));
	CHECK(rc == 0 || rc == -1);
	CHECK((rc == 0) == (z != NULL));
	if (rc == -1) {
		/* One message, naming a file or what went wrong. */
		CHECK(err[0] != '\0' && memchr(err, '\0', sizeof(err)));
		return;
	}
	zone_check(z);
	zone_free(z);
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*base;
	FILE		*fp;

	if (path[0] == '\0') {
		base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" :
		    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
		snprintf(dir, sizeof(dir), "%s/fuzz_zone.XXXXXX", base);
		CHECK(mkdtemp(dir) != NULL);
		snprintf(path, sizeof(path), "%s/zone.db", dir);
		snprintf(inc, sizeof(inc), "%s/inc.db", dir);
		atexit(cleanup);
		CHECK((fp = fopen(inc, "w")) != NULL);
		fputs("$TTL 60\nwww A 198.18.0.1\n\tAAAA 2001:db8::1\n", fp);
		CHECK(fclose(fp) == 0);
	}
	CHECK((fp = fopen(path, "w")) != NULL);
	CHECK(fwrite(data, 1, size, fp) == size);
	CHECK(fclose(fp) == 0);

	load("example.com");
	load(NULL);
	return 0;
}
