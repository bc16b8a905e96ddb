/*
 * test_zone.c: cmocka tests of faildns/zone.c, the zone file reader: each
 * directive, each type's RDATA byte for byte (with the offsets of the
 * names a packer may compress), escapes, parentheses, $INCLUDE with its
 * loops and depth, the RFC 3597 forms, limits of names and numbers, and
 * every error with its file:line. Zone files are written to a temporary
 * folder, which is the current one while the tests run.
 */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "zone.h"

/* Lines 1 and 2 of most zones: the $TTL and the SOA. */
#define HEAD	"$TTL 3600\n@ IN SOA ns1 hostmaster 1 7200 900 1209600 300\n"

static char		 tmpdir[] = "/tmp/test_zone.XXXXXX";
static char		 oldcwd[4096];
static struct zone	*z;
static char		 err[512];

/* Expected RDATA under construction. */
static struct {
	uint8_t	b[70000];
	size_t	len;
}			 x;

static void
put_file(const char *name, const char *text)
{
	FILE	*fp;

	assert_non_null(fp = fopen(name, "w"));
	assert_int_equal(fwrite(text, 1, strlen(text), fp), strlen(text));
	assert_int_equal(fclose(fp), 0);
}

/* zone_load of path, the zone of the previous test freed first. */
static int
load_path(const char *path, const char *origin, size_t errlen)
{
	zone_free(z);
	z = NULL;
	err[0] = '\0';
	return zone_load(path, origin, &z, err, errlen);
}

static int
load_origin(const char *text, const char *origin)
{
	put_file("zone.db", text);
	return load_path("zone.db", origin, sizeof(err));
}

static void
load_ok(const char *text)
{
	if (load_origin(text, "example.com") == -1)
		fail_msg("%s", err);
	assert_non_null(z);
}

/* The zone fails to load with exactly msg. */
static void
load_fails(const char *text, const char *msg)
{
	assert_int_equal(load_origin(text, "example.com"), -1);
	assert_null(z);
	assert_string_equal(err, msg);
}

/* The n-th record (from 0) of a type. */
static struct zone_rr *
rr_of(uint16_t type, int n)
{
	size_t	i;

	for (i = 0; i < z->nrrs; i++)
		if (z->rrs[i].type == type && n-- == 0)
			return &z->rrs[i];
	fail_msg("no record %d of type %u", n, type);
	return NULL;
}

static void
x8(unsigned v)
{
	x.b[x.len++] = (uint8_t)v;
}

static void
x16(unsigned v)
{
	x8(v >> 8);
	x8(v & 0xff);
}

static void
x32(unsigned long v)
{
	x16((unsigned)(v >> 16));
	x16((unsigned)(v & 0xffff));
}

static void
xbytes(const void *d, size_t n)
{
	memcpy(x.b + x.len, d, n);
	x.len += n;
}

/* A dotted name ("www.example.com", "" the root) in wire form. */
static void
xname(const char *name)
{
	const char	*dot;
	size_t		 n;

	while (*name != '\0') {
		dot = strchr(name, '.');
		n = dot ? (size_t)(dot - name) : strlen(name);
		x8((unsigned)n);
		xbytes(name, n);
		name += n + (dot != NULL);
	}
	x8(0);
}

static void
rdata_is(const struct zone_rr *rr)
{
	assert_int_equal(rr->rdlen, x.len);
	assert_memory_equal(rr->rdata, x.b, x.len);
	x.len = 0;
}

static void
owner_is(const struct zone_rr *rr, const char *name)
{
	x.len = 0;
	xname(name);
	assert_int_equal(rr->ownerlen, x.len);
	assert_memory_equal(rr->owner, x.b, x.len);
	x.len = 0;
}

static int
setup(void **state)
{
	(void)state;
	if (getcwd(oldcwd, sizeof(oldcwd)) == NULL ||
	    mkdtemp(tmpdir) == NULL || chdir(tmpdir) == -1)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	char	cmd[128];

	(void)state;
	zone_free(z);
	z = NULL;
	if (chdir(oldcwd) == -1)
		return -1;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Directives. */

static void
test_minimal_zone(void **state)
{
	struct zone_rr	*rr;

	(void)state;
	load_ok(HEAD "@ NS ns1\nns1 A 192.0.2.1\n");
	assert_int_equal(z->nrrs, 3);
	x.len = 0;
	xname("example.com");
	assert_int_equal(z->originlen, x.len);
	assert_memory_equal(z->origin, x.b, x.len);
	x.len = 0;
	rr = &z->rrs[2];
	owner_is(rr, "ns1.example.com");
	assert_int_equal(rr->type, ZONE_T_A);
	assert_int_equal(rr->class, ZONE_C_IN);
	assert_int_equal(rr->ttl, 3600);
	assert_string_equal(rr->file, "zone.db");
	assert_int_equal(rr->line, 4);
}

static void
test_origin_directive(void **state)
{
	(void)state;
	load_ok(HEAD "$ORIGIN sub.example.com.\nwww A 192.0.2.1\n"
	    "$ORIGIN deeper\nx A 192.0.2.2\n@ A 192.0.2.3\n");
	owner_is(rr_of(ZONE_T_A, 0), "www.sub.example.com");
	owner_is(rr_of(ZONE_T_A, 1), "x.deeper.sub.example.com");
	owner_is(rr_of(ZONE_T_A, 2), "deeper.sub.example.com");
}

static void
test_origin_from_file(void **state)
{
	(void)state;
	put_file("zone.db", "$ORIGIN Example.ORG.\n" HEAD "www A 1.2.3.4\n");
	assert_int_equal(load_path("zone.db", NULL, sizeof(err)),
	    0);
	x.len = 0;
	xname("example.org");
	assert_memory_equal(z->origin, x.b, x.len);
	x.len = 0;
	assert_int_equal(load_origin("$TTL 1\nwww.example.com. A 1.2.3.4\n",
	    NULL), -1);
	assert_string_equal(err, "zone.db:2: no zone origin: none given, "
	    "and no $ORIGIN before the first record");
	assert_int_equal(load_origin(HEAD, NULL), -1);
	assert_string_equal(err, "zone.db:2: bad owner \"@\": relative "
	    "name and no origin");
	assert_int_equal(load_origin(HEAD, "bad..origin"), -1);
	assert_string_equal(err, "zone.db: bad origin \"bad..origin\": "
	    "empty label");
}

static void
test_ttl_directive_units(void **state)
{
	(void)state;
	load_ok("$TTL 1h30m\n@ SOA ns1 hm 1 1H 15M 2w 1d\n"
	    "a 1W2D3H4M5S A 1.2.3.4\nb A 1.2.3.5\n$TTL 86400\nc A 1.2.3.6\n"
	    "d 2147483647 A 1.2.3.7\n");
	assert_int_equal(rr_of(ZONE_T_SOA, 0)->ttl, 5400);
	assert_int_equal(rr_of(ZONE_T_A, 0)->ttl,
	    604800 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5);
	assert_int_equal(rr_of(ZONE_T_A, 1)->ttl, 5400);
	assert_int_equal(rr_of(ZONE_T_A, 2)->ttl, 86400);
	assert_int_equal(rr_of(ZONE_T_A, 3)->ttl, 2147483647);
	x32(1);
	x32(3600);
	x32(900);
	x32(1209600);
	x32(86400);
	assert_memory_equal(rr_of(ZONE_T_SOA, 0)->rdata +
	    rr_of(ZONE_T_SOA, 0)->rdlen - 20, x.b, 20);
	x.len = 0;
}

static void
test_ttl_defaults(void **state)
{
	(void)state;
	/* No $TTL: the last TTL given, and first the SOA's minimum. */
	load_ok("@ SOA ns1 hm 1 2 3 4 300\nwww A 1.2.3.4\n"
	    "mail 60 A 1.2.3.5\nftp A 1.2.3.6\n");
	assert_int_equal(rr_of(ZONE_T_SOA, 0)->ttl, 300);
	assert_int_equal(rr_of(ZONE_T_A, 0)->ttl, 300);
	assert_int_equal(rr_of(ZONE_T_A, 1)->ttl, 60);
	assert_int_equal(rr_of(ZONE_T_A, 2)->ttl, 60);
	load_fails("www A 1.2.3.4\n@ SOA ns1 hm 1 2 3 4 300\n",
	    "zone.db:1: no TTL, and no $TTL before");
}

static void
test_ttl_errors(void **state)
{
	(void)state;
	load_fails("$TTL 1x\n", "zone.db:1: bad $TTL \"1x\"");
	load_fails("$TTL\n", "zone.db:1: missing $TTL value");
	load_fails("$TTL 1 2\n", "zone.db:1: trailing field \"2\" after $TTL");
	load_fails("$TTL 2147483648\n", "zone.db:1: bad $TTL \"2147483648\"");
	load_fails("$TTL 3551w\n", "zone.db:1: bad $TTL \"3551w\"");
	load_fails(HEAD "www 1h1 A 1.2.3.4\nx 9d9q A 1.2.3.4\n",
	    "zone.db:4: bad TTL \"9d9q\"");
}

static void
test_unknown_directive(void **state)
{
	(void)state;
	load_fails(HEAD "$GENERATE 1-10 a$ A 1.2.3.$\n",
	    "zone.db:3: unknown directive $GENERATE");
	load_fails("$ORIGIN\n", "zone.db:1: missing $ORIGIN name");
	load_fails("$ORIGIN a..b.\n",
	    "zone.db:1: bad $ORIGIN \"a..b.\": empty label");
}

/* $INCLUDE */

static void
test_include(void **state)
{
	(void)state;
	put_file("inc.db", "www A 192.0.2.1\n  A 192.0.2.2\n");
	load_ok(HEAD "$INCLUDE inc.db\nftp A 192.0.2.3\n");
	assert_int_equal(z->nrrs, 4);
	owner_is(rr_of(ZONE_T_A, 1), "www.example.com");
	assert_string_equal(rr_of(ZONE_T_A, 1)->file, "inc.db");
	assert_int_equal(rr_of(ZONE_T_A, 1)->line, 2);
	assert_int_equal(rr_of(ZONE_T_A, 2)->line, 4);
}

static void
test_include_origin_restored(void **state)
{
	(void)state;
	put_file("inc.db", "www A 192.0.2.1\n$ORIGIN other.example.com.\n"
	    "x A 192.0.2.9\n");
	load_ok(HEAD "mail A 192.0.2.5\n$INCLUDE \"inc.db\" sub\n"
	    " A 192.0.2.6\ny A 192.0.2.7\n");
	owner_is(rr_of(ZONE_T_A, 1), "www.sub.example.com");
	owner_is(rr_of(ZONE_T_A, 2), "x.other.example.com");
	/* The includer's previous owner and origin are back. */
	owner_is(rr_of(ZONE_T_A, 3), "mail.example.com");
	owner_is(rr_of(ZONE_T_A, 4), "y.example.com");
}

static void
test_include_relative_path(void **state)
{
	(void)state;
	assert_int_equal(mkdir("sub", 0700), 0);
	put_file("sub/a.db", "$INCLUDE b.db\n");
	put_file("sub/b.db", "b A 192.0.2.1\n");
	load_ok(HEAD "$INCLUDE sub/a.db\n");
	assert_string_equal(rr_of(ZONE_T_A, 0)->file, "sub/b.db");
	unlink("sub/a.db");
	unlink("sub/b.db");
	rmdir("sub");
}

static void
test_include_errors(void **state)
{
	(void)state;
	load_fails(HEAD "$INCLUDE nonesuch.db\n", "zone.db:3: nonesuch.db: "
	    "No such file or directory");
	load_fails(HEAD "$INCLUDE\n", "zone.db:3: missing $INCLUDE file");
	load_fails(HEAD "$INCLUDE a b c\n",
	    "zone.db:3: trailing field \"c\" after $INCLUDE");
	put_file("bad.db", "\n\nwww A 1.2.3\n");
	load_fails(HEAD "$INCLUDE bad.db\n",
	    "bad.db:3: bad IPv4 address \"1.2.3\"");
	load_fails(HEAD "$INCLUDE . \n", "zone.db:3: .: not a file");
}

static void
test_include_loop(void **state)
{
	(void)state;
	put_file("a.db", "a A 1.2.3.4\n$INCLUDE b.db\n");
	put_file("b.db", "\n$INCLUDE a.db\n");
	load_fails(HEAD "$INCLUDE a.db\n",
	    "b.db:2: $INCLUDE loop: a.db includes itself");
	load_fails(HEAD "$INCLUDE zone.db\n",
	    "zone.db:3: $INCLUDE loop: zone.db includes itself");
}

static void
test_include_depth(void **state)
{
	char	name[32], text[64];
	int	i;

	(void)state;
	/* d1 includes d2 ... d9; zone.db is depth 0, d7 at depth 7. */
	for (i = 1; i <= 9; i++) {
		snprintf(name, sizeof(name), "d%d.db", i);
		snprintf(text, sizeof(text), "d%d A 1.2.3.4\n$INCLUDE d%d.db\n",
		    i, i + 1);
		put_file(name, text);
	}
	load_fails(HEAD "$INCLUDE d1.db\n",
	    "d7.db:2: $INCLUDE nested more than 8 deep");
	put_file("d7.db", "d7 A 1.2.3.4\n");
	load_ok(HEAD "$INCLUDE d1.db\n");
	assert_int_equal(z->nrrs, 8);
}

/* Syntax. */

static void
test_parentheses_and_lines(void **state)
{
	(void)state;
	load_ok("$TTL 60\n@ IN SOA ns1.example.com. hostmaster (\n"
	    "\t2024010101 ; serial\n\t3600 ; refresh\n\t900\n"
	    "\t1209600\n\t300 )\nwww A (\n 1.2.3.4 )\ntxt TXT (\"a\"\n"
	    "\"b\" )\nlast A 1.2.3.5\n");
	assert_int_equal(rr_of(ZONE_T_SOA, 0)->line, 2);
	assert_int_equal(rr_of(ZONE_T_A, 0)->line, 8);
	assert_int_equal(rr_of(ZONE_T_TXT, 0)->line, 10);
	assert_int_equal(rr_of(ZONE_T_A, 1)->line, 12);
	load_fails(HEAD "www A ( 1.2.3.4\n\n",
	    "zone.db:3: parenthesis not closed");
	load_fails(HEAD "www A ( ( 1.2.3.4 ) )\n",
	    "zone.db:3: nested parentheses");
	load_fails(HEAD "www A 1.2.3.4 )\n", "zone.db:3: ')' without '('");
}

static void
test_comments_and_quotes(void **state)
{
	(void)state;
	load_ok("; a comment first\n" HEAD "   ; an indented comment\n\n"
	    "txt TXT \"not ; a comment\" ; but this is\n"
	    "txt2 TXT \"with \\\"quotes\\\" and \\\\ and \\065\"\n"
	    "txt3 TXT plain\\032word\n");
	x8(15);
	xbytes("not ; a comment", 15);
	rdata_is(rr_of(ZONE_T_TXT, 0));
	x8(25);
	xbytes("with \"quotes\" and \\ and A", 25);
	rdata_is(rr_of(ZONE_T_TXT, 1));
	x8(10);
	xbytes("plain word", 10);
	rdata_is(rr_of(ZONE_T_TXT, 2));
	load_fails(HEAD "txt TXT \"open\n\"\n",
	    "zone.db:3: unterminated quoted string");
	load_fails(HEAD "txt TXT \"bad \\300\"\n",
	    "zone.db:3: bad text \"bad \\300\"");
	load_fails(HEAD "txt TXT end\\\n",
	    "zone.db:3: backslash at the end of a line");
}

static void
test_blank_owner_and_at(void **state)
{
	(void)state;
	load_ok(HEAD "\tNS ns1\n  NS ns2.example.net.\nwww A 1.2.3.4\n"
	    "\t 300 A 1.2.3.5\n");
	owner_is(rr_of(ZONE_T_NS, 0), "example.com");
	owner_is(rr_of(ZONE_T_NS, 1), "example.com");
	owner_is(rr_of(ZONE_T_A, 1), "www.example.com");
	assert_int_equal(rr_of(ZONE_T_A, 1)->ttl, 300);
	load_fails(" A 1.2.3.4\n" HEAD,
	    "zone.db:1: no owner and no previous one");
}

static void
test_ttl_class_order(void **state)
{
	(void)state;
	load_ok(HEAD "a 60 IN A 1.2.3.4\nb IN 70 A 1.2.3.4\nc IN A 1.2.3.4\n"
	    "d 80 A 1.2.3.4\ne CLASS1 a 1.2.3.4\nf in 1m Txt x\n");
	assert_int_equal(rr_of(ZONE_T_A, 0)->ttl, 60);
	assert_int_equal(rr_of(ZONE_T_A, 1)->ttl, 70);
	assert_int_equal(rr_of(ZONE_T_A, 2)->ttl, 3600);
	assert_int_equal(rr_of(ZONE_T_A, 3)->ttl, 80);
	assert_int_equal(rr_of(ZONE_T_TXT, 0)->ttl, 60);
	load_fails(HEAD "a CH A 1.2.3.4\n",
	    "zone.db:3: class CH not supported (only IN)");
	load_fails(HEAD "a 60 CLASS3 A 1.2.3.4\n",
	    "zone.db:3: class CLASS3 not supported (only IN)");
	load_fails(HEAD "a 60 IN 70 A 1.2.3.4\n",
	    "zone.db:3: unknown type \"70\"");
	load_fails(HEAD "a IN\n", "zone.db:3: missing type");
	load_fails(HEAD "a 60 IN BOGUS 1\n",
	    "zone.db:3: unknown type \"BOGUS\"");
}

static void
test_name_escapes(void **state)
{
	(void)state;
	load_ok(HEAD "a\\.b A 1.2.3.4\n\\065\\066c A 1.2.3.4\n"
	    "sp\\032ace A 1.2.3.4\nCNAME CNAME x\\.y.example.net.\n");
	/* The escaped dot is inside the label. */
	x8(3);
	xbytes("a.b", 3);
	x8(7);
	xbytes("example", 7);
	x8(3);
	xbytes("com", 3);
	x8(0);
	assert_memory_equal(rr_of(ZONE_T_A, 0)->owner, x.b, x.len);
	x.len = 0;
	owner_is(rr_of(ZONE_T_A, 1), "abc.example.com");
	owner_is(rr_of(ZONE_T_A, 2), "sp ace.example.com");
	x8(3);
	xbytes("x.y", 3);
	x8(7);
	xbytes("example", 7);
	x8(3);
	xbytes("net", 3);
	x8(0);
	rdata_is(rr_of(ZONE_T_CNAME, 0));
	load_fails(HEAD "a\\256 A 1.2.3.4\n",
	    "zone.db:3: bad owner \"a\\256\": bad escape");
	load_fails(HEAD "a\\12 A 1.2.3.4\n",
	    "zone.db:3: bad owner \"a\\12\": bad escape");
}

static void
test_owner_lowercase(void **state)
{
	(void)state;
	load_ok(HEAD "WWW.Example.COM. A 1.2.3.4\n"
	    "Mail CNAME MX.Example.Com.\n");
	owner_is(rr_of(ZONE_T_A, 0), "www.example.com");
	owner_is(rr_of(ZONE_T_CNAME, 0), "mail.example.com");
	/* RDATA keeps its case. */
	xname("MX.Example.Com");
	rdata_is(rr_of(ZONE_T_CNAME, 0));
}

static void
test_name_limits(void **state)
{
	char	text[2048], l63[64], l64[65];
	char	name[600];
	int	i;

	(void)state;
	memset(l63, 'a', 63);
	l63[63] = '\0';
	memset(l64, 'b', 64);
	l64[64] = '\0';
	snprintf(text, sizeof(text), HEAD "%s A 1.2.3.4\n", l63);
	load_ok(text);
	snprintf(text, sizeof(text), HEAD "%s A 1.2.3.4\n", l64);
	assert_int_equal(load_origin(text, "example.com"), -1);
	assert_string_equal(strstr(err, ": label"), ": label longer than 63 "
	    "octets");
	/*
	 * 255 octets in all: example.com. takes 13, so 242 for the rest:
	 * three labels of 63 (192) and one of 49 (50).
	 */
	snprintf(name, sizeof(name), "%s.%s.%s.", l63, l63, l63);
	for (i = 0; i < 49; i++)
		strcat(name, "c");
	snprintf(text, sizeof(text), HEAD "%s A 1.2.3.4\n", name);
	load_ok(text);
	assert_int_equal(rr_of(ZONE_T_A, 0)->ownerlen, 255);
	strcat(name, "c");
	snprintf(text, sizeof(text), HEAD "%s A 1.2.3.4\n", name);
	assert_int_equal(load_origin(text, "example.com"), -1);
	assert_non_null(strstr(err, "zone.db:3: bad owner"));
	assert_non_null(strstr(err, ": name longer than 255 octets"));
	/* The same for a name in RDATA, written absolute. */
	snprintf(text, sizeof(text), HEAD "x CNAME %s.%s.%s.%s.%s.\n",
	    l63, l63, l63, l63, l63);
	assert_int_equal(load_origin(text, "example.com"), -1);
	assert_non_null(strstr(err, "zone.db:3: bad canonical name"));
	load_fails(HEAD "a..b A 1.2.3.4\n",
	    "zone.db:3: bad owner \"a..b\": empty label");
	load_fails(HEAD ".a A 1.2.3.4\n",
	    "zone.db:3: bad owner \".a\": empty label");
}

static void
test_name_str(void **state)
{
	uint8_t	w[ZONE_NAME_MAX];
	char	buf[1024], why[64];
	int	n;

	(void)state;
	n = zone_name_parse("a\\.b.\\000x.com.", NULL, 0, w, why, sizeof(why));
	assert_int_equal(n, 12);
	assert_string_equal(zone_name_str(w, buf, sizeof(buf)),
	    "a\\.b.\\000x.com.");
	assert_int_equal(zone_name_parse(".", NULL, 0, w, why, sizeof(why)),
	    1);
	assert_string_equal(zone_name_str(w, buf, sizeof(buf)), ".");
	assert_int_equal(zone_name_parse("www", NULL, 0, w, why, sizeof(why)),
	    -1);
	assert_string_equal(why, "relative name and no origin");
	assert_string_equal(zone_name_str(w, buf, 1), "");
	assert_string_equal(zone_type_str(ZONE_T_CAA, buf, sizeof(buf)),
	    "CAA");
	assert_string_equal(zone_type_str(65534, buf, sizeof(buf)),
	    "TYPE65534");
}

/* Types, byte for byte. */

static void
test_soa_wire(void **state)
{
	struct zone_rr	*rr;

	(void)state;
	load_ok(HEAD);
	rr = rr_of(ZONE_T_SOA, 0);
	owner_is(rr, "example.com");
	xname("ns1.example.com");
	xname("hostmaster.example.com");
	x32(1);
	x32(7200);
	x32(900);
	x32(1209600);
	x32(300);
	rdata_is(rr);
	assert_int_equal(rr->nnames, 2);
	assert_int_equal(rr->names[0], 0);
	assert_int_equal(rr->names[1], 17);
	load_ok("$TTL 1\n@ SOA a. b. 4294967295 1 1 1 1\n");
	load_fails("$TTL 1\n@ SOA a. b. 4294967296 1 1 1 1\n",
	    "zone.db:2: bad SOA serial \"4294967296\" (0 to 4294967295)");
	load_fails("$TTL 1\n@ SOA a. b. 1 1 1 1\n",
	    "zone.db:2: missing SOA minimum");
	load_fails("$TTL 1\n@ SOA a. b. 1 1 1 1 x\n",
	    "zone.db:2: bad SOA minimum \"x\"");
}

static void
test_a_wire(void **state)
{
	(void)state;
	load_ok(HEAD "www A 192.0.2.1\n");
	x8(192);
	x8(0);
	x8(2);
	x8(1);
	rdata_is(rr_of(ZONE_T_A, 0));
	assert_int_equal(rr_of(ZONE_T_A, 0)->nnames, 0);
	load_fails(HEAD "\nwww A 1.2.3.256\n",
	    "zone.db:4: bad IPv4 address \"1.2.3.256\"");
	load_fails(HEAD "www A 1.2.3\n", "zone.db:3: bad IPv4 address "
	    "\"1.2.3\"");
	load_fails(HEAD "www A\n", "zone.db:3: missing IPv4 address");
	load_fails(HEAD "www A 1.2.3.4 5.6.7.8\n",
	    "zone.db:3: trailing field \"5.6.7.8\" in A record");
}

static void
test_aaaa_wire(void **state)
{
	(void)state;
	load_ok(HEAD "www AAAA 2001:db8::1\n");
	x16(0x2001);
	x16(0xdb8);
	x32(0);
	x32(0);
	x32(1);
	rdata_is(rr_of(ZONE_T_AAAA, 0));
	load_fails(HEAD "www AAAA ::g\n",
	    "zone.db:3: bad IPv6 address \"::g\"");
	load_fails(HEAD "www AAAA 1.2.3.4\n",
	    "zone.db:3: bad IPv6 address \"1.2.3.4\"");
}

static void
test_ns_cname_ptr_wire(void **state)
{
	struct zone_rr	*rr;

	(void)state;
	load_ok(HEAD "@ NS ns1\nwww CNAME web.example.net.\n"
	    "4.2 PTR host\n");
	rr = rr_of(ZONE_T_NS, 0);
	xname("ns1.example.com");
	rdata_is(rr);
	assert_int_equal(rr->nnames, 1);
	assert_int_equal(rr->names[0], 0);
	xname("web.example.net");
	rdata_is(rr_of(ZONE_T_CNAME, 0));
	assert_int_equal(rr_of(ZONE_T_CNAME, 0)->nnames, 1);
	rr = rr_of(ZONE_T_PTR, 0);
	owner_is(rr, "4.2.example.com");
	xname("host.example.com");
	rdata_is(rr);
	assert_int_equal(rr->nnames, 1);
	load_fails(HEAD "@ NS \"ns1\"\n",
	    "zone.db:3: name server is a quoted string");
}

static void
test_mx_wire(void **state)
{
	struct zone_rr	*rr;

	(void)state;
	load_ok(HEAD "@ MX 10 mail\n@ MX 65535 .\n");
	rr = rr_of(ZONE_T_MX, 0);
	x16(10);
	xname("mail.example.com");
	rdata_is(rr);
	assert_int_equal(rr->nnames, 1);
	assert_int_equal(rr->names[0], 2);
	x16(65535);
	x8(0);
	rdata_is(rr_of(ZONE_T_MX, 1));
	load_fails(HEAD "@ MX 65536 mail\n",
	    "zone.db:3: bad MX preference \"65536\" (0 to 65535)");
	load_fails(HEAD "@ MX -1 mail\n",
	    "zone.db:3: bad MX preference \"-1\" (0 to 65535)");
	load_fails(HEAD "@ MX 10\n", "zone.db:3: missing mail exchanger");
}

static void
test_txt_wire(void **state)
{
	char	text[1024], s[300];

	(void)state;
	load_ok(HEAD "@ TXT \"v=spf1 -all\" \"\" two\n");
	x8(11);
	xbytes("v=spf1 -all", 11);
	x8(0);
	x8(3);
	xbytes("two", 3);
	rdata_is(rr_of(ZONE_T_TXT, 0));
	memset(s, 'x', 255);
	s[255] = '\0';
	snprintf(text, sizeof(text), HEAD "@ TXT \"%s\" %s\n", s, s);
	load_ok(text);
	assert_int_equal(rr_of(ZONE_T_TXT, 0)->rdlen, 512);
	s[255] = 'x';
	s[256] = '\0';
	snprintf(text, sizeof(text), HEAD "@ TXT \"%s\"\n", s);
	assert_int_equal(load_origin(text, "example.com"), -1);
	assert_non_null(strstr(err, "zone.db:3: text \"xxx"));
	assert_non_null(strstr(err, "...\" longer than 255 bytes"));
	load_fails(HEAD "@ TXT\n", "zone.db:3: missing text");
}

static void
test_txt_too_long(void **state)
{
	char	*text;
	size_t	 i, n;

	(void)state;
	/* 300 strings of 255 bytes: over 65535 bytes of RDATA. */
	n = strlen(HEAD) + 300 * 258 + 16;
	assert_non_null(text = malloc(n));
	strcpy(text, HEAD "@ TXT");
	for (i = 0; i < 300; i++) {
		strcat(text, " ");
		memset(text + strlen(text), 'y', 255);
		text[strlen(HEAD) + 6 + i * 256 + 255] = '\0';
	}
	strcat(text, "\n");
	assert_int_equal(load_origin(text, "example.com"), -1);
	assert_string_equal(err, "zone.db:3: record data longer than 65535 "
	    "bytes");
	free(text);
}

static void
test_srv_wire(void **state)
{
	struct zone_rr	*rr;

	(void)state;
	load_ok(HEAD "_sip._tcp SRV 10 60 5060 sip\n");
	rr = rr_of(ZONE_T_SRV, 0);
	owner_is(rr, "_sip._tcp.example.com");
	x16(10);
	x16(60);
	x16(5060);
	xname("sip.example.com");
	rdata_is(rr);
	/* RFC 2782: the target must not be compressed. */
	assert_int_equal(rr->nnames, 0);
	load_fails(HEAD "_sip._tcp SRV 10 60 65536 sip\n",
	    "zone.db:3: bad SRV port \"65536\" (0 to 65535)");
	load_fails(HEAD "_sip._tcp SRV 10 x 1 sip\n",
	    "zone.db:3: bad SRV weight \"x\" (0 to 65535)");
}

static void
test_caa_wire(void **state)
{
	(void)state;
	load_ok(HEAD "@ CAA 0 issue \"letsencrypt.org\"\n"
	    "@ CAA 128 iodef mailto:x@example.com\n");
	x8(0);
	x8(5);
	xbytes("issue", 5);
	xbytes("letsencrypt.org", 15);
	rdata_is(rr_of(ZONE_T_CAA, 0));
	x8(128);
	x8(5);
	xbytes("iodef", 5);
	xbytes("mailto:x@example.com", 20);
	rdata_is(rr_of(ZONE_T_CAA, 1));
	load_fails(HEAD "@ CAA 256 issue x\n",
	    "zone.db:3: bad CAA flags \"256\" (0 to 255)");
	load_fails(HEAD "@ CAA 0 is-sue x\n",
	    "zone.db:3: bad CAA tag \"is-sue\"");
	load_fails(HEAD "@ CAA 0 issue\n", "zone.db:3: missing CAA value");
}

/* RFC 3597. */

static void
test_generic_unknown(void **state)
{
	struct zone_rr	*rr;

	(void)state;
	load_ok(HEAD "x TYPE65534 \\# 4 0A0b 0c0D\ny type731 \\# 0\n");
	rr = rr_of(65534, 0);
	x32(0x0a0b0c0d);
	rdata_is(rr);
	assert_int_equal(rr->nnames, 0);
	assert_int_equal(rr_of(731, 0)->rdlen, 0);
	load_fails(HEAD "x TYPE65534 1 2\n", "zone.db:3: type TYPE65534 "
	    "needs generic data (\\# length hex)");
	load_fails(HEAD "x TYPE65536 \\# 0\n",
	    "zone.db:3: unknown type \"TYPE65536\"");
}

static void
test_generic_known(void **state)
{
	struct zone_rr	*rr;

	(void)state;
	load_ok(HEAD "a A \\# 4 C0000201\nb TYPE1 \\# 4 c0 00 02 02\n"
	    "c TYPE1 192.0.2.3\n@ MX \\# 7 000a 03 6d7863 00\n"
	    "@ TXT \\# 3 02 6869\n");
	x32(0xc0000201);
	rdata_is(rr_of(ZONE_T_A, 0));
	x32(0xc0000202);
	rdata_is(rr_of(ZONE_T_A, 1));
	x32(0xc0000203);
	rdata_is(rr_of(ZONE_T_A, 2));
	rr = rr_of(ZONE_T_MX, 0);
	x16(10);
	xname("mxc");
	rdata_is(rr);
	assert_int_equal(rr->nnames, 1);
	assert_int_equal(rr->names[0], 2);
	load_fails(HEAD "a A \\# 3 010203\n",
	    "zone.db:3: generic data do not fit type A");
	/* A compression pointer is no name in a zone file. */
	load_fails(HEAD "@ NS \\# 2 c00c\n",
	    "zone.db:3: generic data do not fit type NS");
	load_fails(HEAD "@ TXT \\# 2 0561\n",
	    "zone.db:3: generic data do not fit type TXT");
	load_fails(HEAD "@ TXT \\# 0\n",
	    "zone.db:3: generic data do not fit type TXT");
}

static void
test_generic_errors(void **state)
{
	(void)state;
	load_fails(HEAD "x TYPE9999 \\# 3 0102\n",
	    "zone.db:3: generic data of 2 bytes, not 3");
	load_fails(HEAD "x TYPE9999 \\# 1 0102\n",
	    "zone.db:3: generic data longer than 1 bytes");
	load_fails(HEAD "x TYPE9999 \\# 2 010\n",
	    "zone.db:3: odd number of hex digits");
	load_fails(HEAD "x TYPE9999 \\# 1 0g\n",
	    "zone.db:3: bad hex \"0g\"");
	load_fails(HEAD "x TYPE9999 \\# 65536\n",
	    "zone.db:3: bad generic data length \"65536\"");
	load_fails(HEAD "x TYPE9999 \\#\n",
	    "zone.db:3: missing generic data length");
}

static void
test_meta_types_refused(void **state)
{
	(void)state;
	load_fails(HEAD "x TYPE255 \\# 0\n",
	    "zone.db:3: type TYPE255 cannot be in a zone");
	load_fails(HEAD "x TYPE41 \\# 0\n",
	    "zone.db:3: type TYPE41 cannot be in a zone");
	load_fails(HEAD "x TYPE0 \\# 0\n",
	    "zone.db:3: type TYPE0 cannot be in a zone");
}

/* Zone rules. */

static void
test_out_of_zone(void **state)
{
	(void)state;
	load_ok(HEAD "www.example.com. A 1.2.3.4\n");
	load_fails(HEAD "\n\nwww.example.net. A 1.2.3.4\n", "zone.db:5: "
	    "www.example.net. is outside the zone example.com.");
	load_fails(HEAD "$ORIGIN net.\nwww A 1.2.3.4\n",
	    "zone.db:4: www.net. is outside the zone example.com.");
	/* A suffix on no label boundary is not in the zone. */
	load_fails(HEAD "badexample.com. A 1.2.3.4\n", "zone.db:3: "
	    "badexample.com. is outside the zone example.com.");
	put_file("inc.db", "x.org. A 1.2.3.4\n");
	load_fails(HEAD "$INCLUDE inc.db\n",
	    "inc.db:1: x.org. is outside the zone example.com.");
}

static void
test_soa_rules(void **state)
{
	(void)state;
	load_fails("$TTL 1\nwww A 1.2.3.4\n",
	    "zone.db: no SOA record at the zone apex example.com.");
	load_fails(HEAD "\n@ SOA a. b. 1 2 3 4 5\n", "zone.db:4: second "
	    "SOA record (the first at zone.db:2)");
	load_fails("$TTL 1\nwww SOA a. b. 1 2 3 4 5\n",
	    "zone.db:2: SOA record at www.example.com., not at the zone apex");
}

static void
test_cname_rules(void **state)
{
	(void)state;
	load_fails(HEAD "www CNAME x\nwww A 1.2.3.4\n",
	    "zone.db:3: CNAME beside other data at www.example.com. "
	    "(A at zone.db:4)");
	load_fails(HEAD "www A 1.2.3.4\n\nwww CNAME x\n",
	    "zone.db:5: CNAME beside other data at www.example.com. "
	    "(A at zone.db:3)");
	load_fails(HEAD "www CNAME x\nwww CNAME y\n", "zone.db:4: second "
	    "CNAME at www.example.com. (the first at zone.db:3)");
	load_fails(HEAD "@ CNAME x\n", "zone.db:3: CNAME beside other data "
	    "at example.com. (SOA at zone.db:2)");
	/* DNSSEC records may sign it; other names are free. */
	load_ok(HEAD "www CNAME x\nwww TYPE46 \\# 1 00\nwww.x A 1.2.3.4\n");
}

/* Robustness. */

static void
test_lexer_limits(void **state)
{
	FILE	*fp;

	(void)state;
	assert_non_null(fp = fopen("zone.db", "w"));
	fwrite(HEAD, 1, strlen(HEAD), fp);
	fwrite("a A 1.2\0.3.4\n", 1, 13, fp);
	fclose(fp);
	assert_int_equal(load_path("zone.db", "example.com", sizeof(err)),
	    -1);
	assert_string_equal(err, "zone.db:3: NUL byte in the file");
	assert_int_equal(load_path("nonesuch.db", "example.com",
	    sizeof(err)), -1);
	assert_string_equal(err, "nonesuch.db: No such file or directory");
	/* A tiny error buffer is cut, not overrun. */
	assert_int_equal(load_path("nonesuch.db", "example.com", 5),
	    -1);
	assert_string_equal(err, "none");
	zone_free(NULL);
}

static void
test_entry_too_long(void **state)
{
	FILE	*fp;
	size_t	 i;

	(void)state;
	assert_non_null(fp = fopen("zone.db", "w"));
	fputs(HEAD "x TXT (\n", fp);
	for (i = 0; i < 300000; i++)
		fputs(i % 100 ? "a" : "\n", fp);
	fputs(")\n", fp);
	fclose(fp);
	assert_int_equal(load_path("zone.db", "example.com", sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "entry longer than"));
}

/* Random bytes and random fields: errors, never a crash. */
static void
test_garbage(void **state)
{
	static const char *const words[] = {
		"@", "www", "(", ")", "\"", ";", "\\", "\\#", "$INCLUDE",
		"$ORIGIN", "$TTL", "IN", "A", "AAAA", "MX", "SOA", "TXT",
		"CAA", "SRV", "TYPE1", "1", "65535", "1.2.3.4", "::1", "\n",
		" ", "\t", ".", "..", "\\065", "\\999", "zone.db", "ff",
		"CNAME", "NS", "PTR", "1h", "x."
	};
	char	 text[2048];
	size_t	 len, n;
	int	 i, j;

	(void)state;
	srand(1);
	for (i = 0; i < 3000; i++) {
		strcpy(text, HEAD);
		len = strlen(text);
		n = (size_t)(rand() % 60);
		for (j = 0; j < (int)n; j++) {
			const char *w;
			char	    c[2];

			if (rand() % 4 == 0) {
				c[0] = (char)(1 + rand() % 255);
				c[1] = '\0';
				w = c;
			} else
				w = words[rand() % (sizeof(words) /
				    sizeof(words[0]))];
			if (len + strlen(w) + 2 >= sizeof(text))
				break;
			memcpy(text + len, w, strlen(w));
			len += strlen(w);
			if (rand() % 2)
				text[len++] = ' ';
		}
		text[len] = '\0';
		if (load_origin(text, "example.com") == -1) {
			assert_null(z);
			assert_true(strlen(err) > 0);
		} else
			assert_non_null(z);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal_zone),
		cmocka_unit_test(test_origin_directive),
		cmocka_unit_test(test_origin_from_file),
		cmocka_unit_test(test_ttl_directive_units),
		cmocka_unit_test(test_ttl_defaults),
		cmocka_unit_test(test_ttl_errors),
		cmocka_unit_test(test_unknown_directive),
		cmocka_unit_test(test_include),
		cmocka_unit_test(test_include_origin_restored),
		cmocka_unit_test(test_include_relative_path),
		cmocka_unit_test(test_include_errors),
		cmocka_unit_test(test_include_loop),
		cmocka_unit_test(test_include_depth),
		cmocka_unit_test(test_parentheses_and_lines),
		cmocka_unit_test(test_comments_and_quotes),
		cmocka_unit_test(test_blank_owner_and_at),
		cmocka_unit_test(test_ttl_class_order),
		cmocka_unit_test(test_name_escapes),
		cmocka_unit_test(test_owner_lowercase),
		cmocka_unit_test(test_name_limits),
		cmocka_unit_test(test_name_str),
		cmocka_unit_test(test_soa_wire),
		cmocka_unit_test(test_a_wire),
		cmocka_unit_test(test_aaaa_wire),
		cmocka_unit_test(test_ns_cname_ptr_wire),
		cmocka_unit_test(test_mx_wire),
		cmocka_unit_test(test_txt_wire),
		cmocka_unit_test(test_txt_too_long),
		cmocka_unit_test(test_srv_wire),
		cmocka_unit_test(test_caa_wire),
		cmocka_unit_test(test_generic_unknown),
		cmocka_unit_test(test_generic_known),
		cmocka_unit_test(test_generic_errors),
		cmocka_unit_test(test_meta_types_refused),
		cmocka_unit_test(test_out_of_zone),
		cmocka_unit_test(test_soa_rules),
		cmocka_unit_test(test_cname_rules),
		cmocka_unit_test(test_lexer_limits),
		cmocka_unit_test(test_entry_too_long),
		cmocka_unit_test(test_garbage),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
