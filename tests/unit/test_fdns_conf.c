/*
 * test_fdns_conf.c: cmocka tests of faildns/conf.c, faildns.conf(5): every
 * setting, block and directive with its default, forward references, zone
 * membership, relative paths, the limits, and every error with its
 * file:line. fdns_conf_load is tried on files in a temporary folder.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <arpa/inet.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"

#define PATH	"/etc/failover/faildns.conf"

/* Lines 1 to 6 of most files: a zone, a pool, a name. */
#define ZONE	"zone example.com:\n\tfile example.com.zone\n"
#define POOL	"pool web:\n\tmember 198.18.0.10\n"
#define NAME	"name www.example.com:\n\tpool web\n"
#define HEAD	ZONE POOL NAME

static struct fdns_conf	*c;
static char		 err[512];

static int
parse_path(const char *path, const char *text)
{
	fdns_conf_free(c);
	c = NULL;
	err[0] = '\0';
	return fdns_conf_parse(path, text, strlen(text), &c, err,
	    sizeof(err));
}

static void
parse_ok(const char *text)
{
	if (parse_path(PATH, text) < 0)
		fail_msg("%s", err);
	assert_non_null(c);
}

/* Refused with exactly PATH ":" msg. */
static void
parse_fails(const char *text, const char *msg)
{
	char	want[600];

	snprintf(want, sizeof(want), "%s:%s", PATH, msg);
	if (parse_path(PATH, text) == 0)
		fail_msg("accepted: %s", text);
	assert_null(c);
	assert_string_equal(err, want);
}

static struct fdns_addr
addr(const char *s)
{
	struct fdns_addr	a;

	memset(&a, 0, sizeof(a));
	if (inet_pton(AF_INET, s, a.a) == 1)
		a.family = AF_INET;
	else {
		assert_int_equal(inet_pton(AF_INET6, s, a.a), 1);
		a.family = AF_INET6;
	}
	return a;
}

static void
assert_addr(const struct fdns_addr *a, const char *s)
{
	char	buf[64];

	assert_string_equal(fdns_addr_str(a, buf, sizeof(buf)), s);
}

static int
teardown(void **state)
{
	(void)state;
	fdns_conf_free(c);
	c = NULL;
	return 0;
}

/* ------------------------------------------------------------------ */

static void
test_defaults(void **state)
{
	const struct fdns_name		*n;
	const struct fdns_pool		*p;
	const struct fdns_member	*m;
	static const uint8_t		 www[] = "\3www\7example\3com";

	(void)state;
	parse_ok(HEAD);
	assert_string_equal(c->path, PATH);
	assert_null(c->statefile);
	assert_null(c->keyfile);
	assert_null(c->community);
	assert_int_equal(c->detect_s, FDNS_DETECT_DEFAULT);
	assert_int_equal(c->nzones, 1);
	assert_int_equal(c->nsources, 0);
	assert_int_equal(c->npools, 1);
	assert_int_equal(c->nnames, 1);
	assert_int_equal(c->nupdates, 0);

	assert_string_equal(c->zones[0].name, "example.com");
	assert_string_equal(c->zones[0].file,
	    "/etc/failover/example.com.zone");
	assert_int_equal(c->zones[0].wirelen, 13);
	assert_memory_equal(c->zones[0].wire, "\7example\3com", 13);
	assert_int_equal(c->zones[0].line, 1);

	p = &c->pools[0];
	assert_string_equal(p->name, "web");
	assert_int_equal(p->line, 3);
	assert_int_equal(p->nmembers, 1);
	assert_int_equal(p->nsources, 0);
	assert_int_equal(p->agree, 1);
	assert_int_equal(p->scope, FDNS_SCOPE_NAME);
	assert_int_equal(p->detect_s, 35);
	m = &p->members[0];
	assert_addr(&m->addr, "198.18.0.10");
	assert_int_equal(m->addr.family, AF_INET);
	assert_int_equal(m->priority, FDNS_PRIO_PRIMARY);
	assert_int_equal(m->weight, 1);
	assert_int_equal(m->offsite, 0);
	assert_int_equal(m->nservices, 0);
	assert_int_equal(m->line, 4);
	assert_int_equal(m->state, FDNS_M_UNKNOWN);
	assert_int_equal(m->votes_up, 0);
	assert_int_equal(m->votes_down, 0);

	n = &c->names[0];
	assert_string_equal(n->name, "www.example.com");
	assert_int_equal(n->wirelen, sizeof(www));
	assert_memory_equal(n->wire, www, sizeof(www));
	assert_int_equal(n->zone, 0);
	assert_ptr_equal(n->pool, p);
	assert_int_equal(n->select, FDNS_SEL_ALL);
	assert_int_equal(n->count, 1);
	assert_int_equal(n->ttl, FDNS_TTL_DEFAULT);
	assert_int_equal(n->ttl, 30);
	assert_int_equal(n->alldown, FDNS_RULE_ALL);
	assert_int_equal(n->unknown, FDNS_RULE_LAST);
	assert_int_equal(n->nfallback, 0);
	assert_int_equal(n->answer, 1);
	assert_int_equal(n->nupdates, 0);
	assert_int_equal(n->line, 5);
}

static void
test_settings(void **state)
{
	(void)state;
	parse_ok("statefile = /var/tmp/fdns.state\n"
	    "keyfile = keys\n"
	    "community = \"my community\"\n"
	    "detect = 50\n" HEAD
	    "pool other:\n\tmember 198.18.0.11\n\tdetect 0\n");
	assert_string_equal(c->statefile, "/var/tmp/fdns.state");
	assert_string_equal(c->keyfile, "/etc/failover/keys");
	assert_string_equal(c->community, "my community");
	assert_int_equal(c->detect_s, 50);
	assert_int_equal(c->pools[0].detect_s, 50);
	assert_int_equal(c->pools[1].detect_s, 0);

	/* A setting after the blocks applies to them too. */
	parse_ok(HEAD "detect = 12\nstatefile = state\n");
	assert_int_equal(c->pools[0].detect_s, 12);
	assert_string_equal(c->statefile, "/etc/failover/state");

	/* No block at all is a valid, empty configuration. */
	parse_ok("# nothing yet\n\n");
	assert_int_equal(c->nnames, 0);
	parse_ok("");
	assert_int_equal(c->nzones, 0);
}

static void
test_member(void **state)
{
	const struct fdns_member	*m;

	(void)state;
	parse_ok(ZONE "pool web:\n"
	    "\tmember 198.18.0.1 primary\n"
	    "\tmember 198.18.0.2 backup weight 5\n"
	    "\tmember 198.18.0.3 backup2 offsite\n"
	    "\tmember 198.18.0.4 backup3 service web1\n"
	    "\tmember 198.18.0.5 disabled\n"
	    "\tmember 198.18.0.6 priority 9\n"
	    "\tmember 2001:DB8::1 service web1,web2,db.main weight 1000 "
	    "offsite priority 99\n"
	    "\tmember 198.18.0.8 offsite service a weight 2 backup\n"
	    NAME);
	m = c->pools[0].members;
	assert_int_equal(c->pools[0].nmembers, 8);
	assert_int_equal(m[0].priority, FDNS_PRIO_PRIMARY);
	assert_int_equal(m[1].priority, FDNS_PRIO_BACKUP);
	assert_int_equal(m[1].weight, 5);
	assert_int_equal(m[2].priority, FDNS_PRIO_BACKUP2);
	assert_int_equal(m[2].offsite, 1);
	assert_int_equal(m[3].priority, FDNS_PRIO_BACKUP3);
	assert_int_equal(m[3].nservices, 1);
	assert_string_equal(m[3].services[0], "web1");
	assert_int_equal(m[4].priority, FDNS_PRIO_DISABLED);
	assert_int_equal(m[5].priority, 9);
	assert_int_equal(m[6].addr.family, AF_INET6);
	assert_addr(&m[6].addr, "2001:db8::1");
	assert_int_equal(m[6].priority, 99);
	assert_int_equal(m[6].weight, 1000);
	assert_int_equal(m[6].offsite, 1);
	assert_int_equal(m[6].nservices, 3);
	assert_string_equal(m[6].services[0], "web1");
	assert_string_equal(m[6].services[1], "web2");
	assert_string_equal(m[6].services[2], "db.main");
	assert_int_equal(m[7].priority, FDNS_PRIO_BACKUP);
	assert_int_equal(m[7].weight, 2);
	assert_int_equal(m[7].offsite, 1);
	assert_int_equal(m[7].line, 11);
	/* The same address may be a member of two pools. */
	parse_ok(HEAD "pool two:\n\tmember 198.18.0.10\n");
}

static void
test_sources(void **state)
{
	(void)state;
	/* Default: every source, in the order of the file. */
	parse_ok(HEAD "source a:\n\tfaild 198.18.0.1\n"
	    "source b:\n\tfaild [2001:db8::1]:1847\n"
	    "source c:\n\tfaild faild-c.example.net:1847\n"
	    "source d:\n\tfaild 2001:db8::2\n");
	assert_int_equal(c->nsources, 4);
	assert_string_equal(c->sources[0].name, "a");
	assert_string_equal(c->sources[0].faild, "198.18.0.1");
	assert_string_equal(c->sources[1].faild, "[2001:db8::1]:1847");
	assert_string_equal(c->sources[2].faild, "faild-c.example.net:1847");
	assert_int_equal(c->sources[3].line, 13);
	assert_int_equal(c->pools[0].nsources, 4);
	assert_int_equal(c->pools[0].sources[0], 0);
	assert_int_equal(c->pools[0].sources[3], 3);

	/* A list, agree and scope. */
	parse_ok(ZONE "pool web:\n\tmember 198.18.0.10\n\tsources c a\n"
	    "\tagree 2\n\tscope domain\n" NAME
	    "source a:\n\tfaild 198.18.0.1\nsource b:\n\tfaild 198.18.0.2\n"
	    "source c:\n\tfaild 198.18.0.3\n");
	assert_int_equal(c->pools[0].nsources, 2);
	assert_int_equal(c->pools[0].sources[0], 2);
	assert_int_equal(c->pools[0].sources[1], 0);
	assert_int_equal(c->pools[0].agree, 2);
	assert_int_equal(c->pools[0].scope, FDNS_SCOPE_DOMAIN);

	parse_ok(ZONE "pool web:\n\tmember 198.18.0.10\n\tscope name\n" NAME);
	assert_int_equal(c->pools[0].scope, FDNS_SCOPE_NAME);
	/* Without sources, agree is not bounded by their number. */
	parse_ok(ZONE "pool web:\n\tmember 198.18.0.10\n\tagree 3\n" NAME);
	assert_int_equal(c->pools[0].agree, 3);
}

static void
test_name(void **state)
{
	const struct fdns_name	*n;

	(void)state;
	parse_ok(ZONE POOL "name www.example.com:\n\tpool web\n"
	    "\tselect weighted 3\n\tttl 0\n\talldown offsite\n"
	    "\tunknown nodata\n\tanswer no\n\tupdate ns1 ns2\n"
	    "update ns1:\n\tserver 198.18.0.53\n"
	    "update ns2:\n\tserver 198.18.0.54\n");
	n = &c->names[0];
	assert_int_equal(n->select, FDNS_SEL_WEIGHTED);
	assert_int_equal(n->count, 3);
	assert_int_equal(n->ttl, 0);
	assert_int_equal(n->alldown, FDNS_RULE_OFFSITE);
	assert_int_equal(n->unknown, FDNS_RULE_NODATA);
	assert_int_equal(n->answer, 0);
	assert_int_equal(n->nupdates, 2);
	assert_ptr_equal(n->updates[0], &c->updates[0]);
	assert_ptr_equal(n->updates[1], &c->updates[1]);

	parse_ok(ZONE POOL NAME "\tselect weighted\n\tanswer yes\n"
	    "\tttl 86400\n\talldown servfail\n\tunknown all\n");
	n = &c->names[0];
	assert_int_equal(n->select, FDNS_SEL_WEIGHTED);
	assert_int_equal(n->count, 1);
	assert_int_equal(n->answer, 1);
	assert_int_equal(n->ttl, 86400);
	assert_int_equal(n->alldown, FDNS_RULE_SERVFAIL);
	assert_int_equal(n->unknown, FDNS_RULE_ALL);

	parse_ok(HEAD "\tselect ordered\n\tunknown last\n\talldown all\n");
	assert_int_equal(c->names[0].select, FDNS_SEL_ORDERED);
	assert_int_equal(c->names[0].unknown, FDNS_RULE_LAST);
	assert_int_equal(c->names[0].alldown, FDNS_RULE_ALL);
	parse_ok(HEAD "\tselect rotate\n\tunknown offsite\n"
	    "\talldown nodata\n");
	assert_int_equal(c->names[0].select, FDNS_SEL_ROTATE);
	assert_int_equal(c->names[0].unknown, FDNS_RULE_OFFSITE);
	assert_int_equal(c->names[0].alldown, FDNS_RULE_NODATA);
	parse_ok(HEAD "\tselect all\n\tunknown servfail\n");
	assert_int_equal(c->names[0].select, FDNS_SEL_ALL);
	assert_int_equal(c->names[0].unknown, FDNS_RULE_SERVFAIL);
}

static void
test_fallback(void **state)
{
	const struct fdns_name	*n;

	(void)state;
	/* On the rule's line. */
	parse_ok(HEAD "\talldown fallback 192.0.2.1 2001:db8::9\n");
	n = &c->names[0];
	assert_int_equal(n->alldown, FDNS_RULE_FALLBACK);
	assert_int_equal(n->nfallback, 2);
	assert_addr(&n->fallback[0], "192.0.2.1");
	assert_addr(&n->fallback[1], "2001:db8::9");
	/* On a line of its own, before or after the rules using it. */
	parse_ok(HEAD "\tunknown fallback\n\tfallback 192.0.2.1\n"
	    "\talldown fallback\n");
	n = &c->names[0];
	assert_int_equal(n->unknown, FDNS_RULE_FALLBACK);
	assert_int_equal(n->alldown, FDNS_RULE_FALLBACK);
	assert_int_equal(n->nfallback, 1);
	/* The same set twice is fine. */
	parse_ok(HEAD "\talldown fallback 192.0.2.1 192.0.2.2\n"
	    "\tunknown fallback 192.0.2.1 192.0.2.2\n");
	assert_int_equal(c->names[0].nfallback, 2);
	/* A set no rule uses is kept. */
	parse_ok(HEAD "\tfallback 192.0.2.1\n");
	assert_int_equal(c->names[0].nfallback, 1);
	assert_int_equal(c->names[0].alldown, FDNS_RULE_ALL);
}

static void
test_update(void **state)
{
	const struct fdns_update	*u;

	(void)state;
	parse_ok(HEAD "\tupdate ns1\n"
	    "update ns1:\n\tserver primary.example.net:5353\n"
	    "\tzone Example.COM.\n\tkey tsig.key update-key.\n"
	    "update ns2:\n\tserver [2001:db8::53]\n\tkey /k/tsig.key\n");
	u = &c->updates[0];
	assert_string_equal(u->name, "ns1");
	assert_string_equal(u->server, "primary.example.net:5353");
	assert_string_equal(u->zone, "Example.COM");
	assert_string_equal(u->keyfile, "/etc/failover/tsig.key");
	assert_string_equal(u->keyname, "update-key.");
	assert_int_equal(u->line, 8);
	u = &c->updates[1];
	assert_null(u->zone);
	assert_null(u->keyname);
	assert_string_equal(u->keyfile, "/k/tsig.key");
	assert_string_equal(u->server, "[2001:db8::53]");
}

/* Blocks name each other before they are defined. */
static void
test_forward(void **state)
{
	(void)state;
	parse_ok("name www.example.com:\n\tpool web\n\tupdate ns1\n"
	    "pool web:\n\tmember 198.18.0.10\n\tsources a\n"
	    "update ns1:\n\tserver 198.18.0.53\n"
	    "source a:\n\tfaild 198.18.0.1\n"
	    "zone example.com:\n\tfile z\n");
	assert_ptr_equal(c->names[0].pool, &c->pools[0]);
	assert_ptr_equal(c->names[0].updates[0], &c->updates[0]);
	assert_int_equal(c->pools[0].sources[0], 0);
	assert_int_equal(c->names[0].zone, 0);
}

static void
test_zones(void **state)
{
	(void)state;
	parse_ok("zone example.com:\n\tfile a\n"
	    "zone Sub.Example.com.:\n\tfile b\n"
	    "zone .:\n\tfile root\n"
	    POOL
	    "name a.sub.example.com:\n\tpool web\n"
	    "name b.example.com:\n\tpool web\n"
	    "name EXAMPLE.com.:\n\tpool web\n"
	    "name xsub.example.com:\n\tpool web\n"
	    "name sub.example.com:\n\tpool web\n"
	    "name www.example.net:\n\tpool web\n");
	assert_string_equal(c->zones[1].name, "Sub.Example.com");
	assert_memory_equal(c->zones[1].wire, "\3sub\7example\3com", 17);
	assert_string_equal(c->zones[2].name, ".");
	assert_int_equal(c->zones[2].wirelen, 1);
	assert_int_equal(c->names[0].zone, 1);
	assert_int_equal(c->names[1].zone, 0);
	assert_int_equal(c->names[2].zone, 0);
	assert_string_equal(c->names[2].name, "EXAMPLE.com");
	assert_memory_equal(c->names[2].wire, "\7example\3com", 13);
	assert_int_equal(c->names[3].zone, 0);
	assert_int_equal(c->names[4].zone, 1);
	assert_int_equal(c->names[5].zone, 2);
}

static void
test_paths(void **state)
{
	(void)state;
	assert_int_equal(parse_path("faildns.conf", HEAD), 0);
	assert_string_equal(c->zones[0].file, "example.com.zone");
	assert_int_equal(parse_path("/faildns.conf", HEAD), 0);
	assert_string_equal(c->zones[0].file, "/example.com.zone");
	assert_int_equal(parse_path("etc/faildns.conf", HEAD), 0);
	assert_string_equal(c->zones[0].file, "etc/example.com.zone");
	parse_ok("zone example.com:\n\tfile /var/zones/example.com\n"
	    POOL NAME);
	assert_string_equal(c->zones[0].file, "/var/zones/example.com");
	parse_ok("zone example.com:\n\tfile \"zones/my zone\"\n" POOL NAME);
	assert_string_equal(c->zones[0].file, "/etc/failover/zones/my zone");
}

static void
test_syntax(void **state)
{
	(void)state;
	/* Comments, blank lines, CR LF, quotes, spaces or tabs, ':' apart. */
	parse_ok("# faildns.conf\r\n\r\n"
	    "zone example.com :   # the zone\r\n"
	    "    file \"example.com.zone\"\r\n"
	    "   \r\n"
	    "pool \"web\":\r\n"
	    "  member 198.18.0.10 # primary\r\n"
	    "\t  member 198.18.0.11\r\n"
	    "name www.example.com:\r\n\tpool web");
	assert_string_equal(c->zones[0].file,
	    "/etc/failover/example.com.zone");
	assert_int_equal(c->pools[0].nmembers, 2);
	assert_int_equal(c->pools[0].members[1].line, 8);
	assert_int_equal(c->names[0].line, 9);
}

/* ------------------------------------------------------------------ */
/* Limits */

static void
test_limits(void **state)
{
	char	text[16384], *s;
	int	i;

	(void)state;
	/* 32 members, not 33. */
	s = text + sprintf(text, ZONE NAME "pool web:\n");
	for (i = 0; i < 32; i++)
		s += sprintf(s, "\tmember 10.0.0.%d\n", i + 1);
	parse_ok(text);
	assert_int_equal(c->pools[0].nmembers, 32);
	sprintf(s, "\tmember 10.0.1.1\n");
	parse_fails(text, "38: more than 32 members in pool web");

	/* 16 sources. */
	s = text + sprintf(text, HEAD);
	for (i = 0; i < 16; i++)
		s += sprintf(s, "source s%d:\n\tfaild 10.0.0.1\n", i);
	parse_ok(text);
	assert_int_equal(c->pools[0].nsources, 16);
	sprintf(s, "source s16:\n\tfaild 10.0.0.1\n");
	parse_fails(text, "39: more than 16 sources");
	parse_fails(ZONE "pool web:\n\tmember 10.0.0.1\n\tsources a b c d "
	    "e f g h i j k l m n o p q\n" NAME,
	    "5: sources: more than 16");
	parse_fails(ZONE "pool web:\n\tmember 10.0.0.1\n\tagree 17\n" NAME,
	    "5: bad agree \"17\" (a number from 1 to 16)");

	/* 8 services. */
	parse_ok(ZONE "pool web:\n\tmember 10.0.0.1 service "
	    "a,b,c,d,e,f,g,h\n" NAME);
	assert_int_equal(c->pools[0].members[0].nservices, 8);
	assert_string_equal(c->pools[0].members[0].services[7], "h");
	parse_fails(ZONE "pool web:\n\tmember 10.0.0.1 service "
	    "a,b,c,d,e,f,g,h,i\n" NAME,
	    "4: member: more than 8 services");

	/* 16 fallback addresses. */
	s = text + sprintf(text, HEAD "\tfallback");
	for (i = 0; i < 16; i++)
		s += sprintf(s, " 192.0.2.%d", i + 1);
	sprintf(s, "\n");
	parse_ok(text);
	assert_int_equal(c->names[0].nfallback, 16);
	sprintf(s, " 192.0.2.99\n");
	parse_fails(text, "7: fallback: more than 16 fallback addresses");

	/* 16 update targets on a name. */
	s = text + sprintf(text, HEAD "\tupdate");
	for (i = 0; i < 16; i++)
		s += sprintf(s, " u%d", i);
	s += sprintf(s, "\n");
	for (i = 0; i < 16; i++)
		s += sprintf(s, "update u%d:\n\tserver 10.0.0.53\n", i);
	parse_ok(text);
	assert_int_equal(c->names[0].nupdates, 16);
	assert_ptr_equal(c->names[0].updates[15], &c->updates[15]);

	/* Numbers at their bounds. */
	parse_ok(ZONE "pool web:\n\tmember 10.0.0.1 weight 1000 priority 99"
	    "\n\tmember 10.0.0.2 weight 1 priority 1\n\tdetect 86400\n"
	    NAME "\tttl 86400\n\tselect weighted 32\n");
	assert_int_equal(c->names[0].count, 32);
	parse_fails(ZONE "pool web:\n\tmember 10.0.0.1 weight 1001\n" NAME,
	    "4: bad weight \"1001\" (a number from 1 to 1000)");
	parse_fails(ZONE "pool web:\n\tmember 10.0.0.1 weight 0\n" NAME,
	    "4: bad weight \"0\" (a number from 1 to 1000)");
	parse_fails(ZONE "pool web:\n\tmember 10.0.0.1 priority 100\n" NAME,
	    "4: bad priority \"100\" (a number from 1 to 99)");
	parse_fails(ZONE "pool web:\n\tmember 10.0.0.1\n\tdetect 86401\n"
	    NAME, "5: bad detect \"86401\" (a number from 0 to 86400)");
	parse_fails(HEAD "\tttl 86401\n",
	    "7: bad ttl \"86401\" (a number from 0 to 86400)");
	parse_fails(HEAD "\tttl 99999999999999999999\n",
	    "7: bad ttl \"99999999999999999999\" (a number from 0 to "
	    "86400)");
	parse_fails(HEAD "\tselect weighted 33\n",
	    "7: bad select weighted count \"33\" (a number from 1 to 32)");

	/* A label of 63, not 64; a name of 255 bytes in wire form. */
	s = text + sprintf(text, "zone ");
	memset(s, 'a', 63);
	s += 63;
	sprintf(s, ".com:\n\tfile z\n");
	parse_ok(text);
	s = text + sprintf(text, "zone ");
	memset(s, 'a', 64);
	s += 64;
	sprintf(s, ".com:\n\tfile z\n");
	assert_int_equal(parse_path(PATH, text), -1);
	assert_non_null(strstr(err, ":1: bad zone name \"aaaa"));
	/* 4 labels of 63 and 1 of 1: 4 x 64 + 2 + 1 = 259 > 255. */
	s = text + sprintf(text, "zone ");
	for (i = 0; i < 3; i++) {
		memset(s, 'b', 63);
		s += 63;
		*s++ = '.';
	}
	memset(s, 'c', 61);
	s += 61;
	sprintf(s, ":\n\tfile z\n");	/* 3 x 64 + 62 + 1 = 255 */
	parse_ok(text);
	assert_int_equal(c->zones[0].wirelen, 255);
	sprintf(s - 61, "%.62s:\n\tfile z\n", "cccccccccccccccccccccccccccccc"
	    "cccccccccccccccccccccccccccccccc");
	assert_int_equal(parse_path(PATH, text), -1);
	assert_non_null(strstr(err, ":1: bad zone name"));

	/* Lines of 4095 bytes, not 4096; 64 words, not 65. */
	s = text + sprintf(text, "# ");
	memset(s, 'x', 4093);
	s[4093] = '\0';
	parse_ok(text);
	s[4093] = 'x';
	s[4094] = '\0';
	parse_fails(text, "1: line longer than 4095 bytes");
	s = text + sprintf(text, HEAD "\tfallback");
	for (i = 0; i < 64; i++)
		s += sprintf(s, " 1");
	parse_fails(text, "7: more than 64 words");
}

/* ------------------------------------------------------------------ */
/* Errors: each with its line */

struct bad {
	const char	*text;
	const char	*msg;
};

static void
run_bad(const struct bad *b, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		parse_fails(b[i].text, b[i].msg);
}

static void
test_errors_top(void **state)
{
	static const struct bad b[] = {
		{ "foo = 1\n", "1: unknown setting \"foo\" (known: "
		    "statefile, keyfile, community, detect)" },
		{ "detect 3\n", "1: detect: expected \"detect = value\"" },
		{ "statefile = a b\n", "1: statefile: expected "
		    "\"statefile = value\" (quote a value with blanks)" },
		{ "statefile =\n", "1: statefile: expected \"statefile = "
		    "value\" (quote a value with blanks)" },
		{ "community = \"\"\n", "1: community: empty value" },
		{ "detect = 1\n\ndetect = 2\n", "3: detect set twice (first "
		    "at line 1)" },
		{ "detect = x\n", "1: bad detect \"x\" (a number from 0 to "
		    "86400)" },
		{ "detect = -1\n", "1: bad detect \"-1\" (a number from 0 to "
		    "86400)" },
		{ "detect = 1\n\tfile z\n", "2: directive \"file\" outside a "
		    "block (a block starts with \"KIND NAME:\" in column 1)" },
		{ "\tfile z\n", "1: directive \"file\" outside a block (a "
		    "block starts with \"KIND NAME:\" in column 1)" },
		{ "bogus x:\n", "1: unknown block kind \"bogus\" (known: "
		    "zone, source, pool, name, update)" },
		{ "www.example.com:\n", "1: unknown block kind "
		    "\"www.example.com:\" (known: zone, source, pool, name, "
		    "update)" },
		{ "hello\n", "1: unknown line \"hello\" (expected \"setting "
		    "= value\" or \"KIND NAME:\")" },
		{ "zone:\n", "1: zone without a name (expected \"zone "
		    "NAME:\")" },
		{ "pool: web\n", "1: pool without a name (expected \"pool "
		    "NAME:\")" },
		{ "zone\n", "1: zone without a name (expected \"zone "
		    "NAME:\")" },
		{ "source :\n", "1: source without a name (expected \"source "
		    "NAME:\")" },
		{ "zone example.com\n", "1: missing ':' after \"example.com\" "
		    "(a block starts with \"zone NAME:\")" },
		{ "name a b:\n", "1: name: one name before ':', not 2 "
		    "words" },
		{ "zone a..b:\n", "1: bad zone name \"a..b\" (labels of 1 to "
		    "63 of A-Z a-z 0-9 - _, 255 bytes in all)" },
		{ "name w*w.example.com:\n", "1: bad name \"w*w.example.com\" "
		    "(labels of 1 to 63 of A-Z a-z 0-9 - _, 255 bytes in "
		    "all)" },
		{ "source a/b:\n", "1: bad source name \"a/b\" (1 to 64 of "
		    "A-Z a-z 0-9 . _ -)" },
		{ "pool \"\":\n", "1: pool without a name (expected \"pool "
		    "NAME:\")" },
		{ "update -x!:\n", "1: bad update name \"-x!\" (1 to 64 of "
		    "A-Z a-z 0-9 . _ -)" },
		{ "zone \"a\n", "1: unterminated quote" },
	};

	(void)state;
	run_bad(b, sizeof(b) / sizeof(b[0]));
	/* A NUL byte, which strlen would hide. */
	fdns_conf_free(c);
	assert_int_equal(fdns_conf_parse(PATH, HEAD "\tselect all\0\n",
	    sizeof(HEAD) + 12, &c, err, sizeof(err)), -1);
	assert_null(c);
	assert_string_equal(err, PATH ":7: NUL byte in line");
}

static void
test_errors_twice(void **state)
{
	static const struct bad b[] = {
		{ ZONE "zone Example.COM.:\n\tfile y\n", "3: zone "
		    "Example.COM. defined twice (first at line 1)" },
		{ "source a:\n\tfaild 10.0.0.1\nsource a:\n", "3: source a "
		    "defined twice (first at line 1)" },
		{ HEAD "pool web:\n", "7: pool web defined twice (first at "
		    "line 3)" },
		{ HEAD "name WWW.example.com.:\n", "7: name "
		    "WWW.example.com. defined twice (first at line 5)" },
		{ "update u:\n\tserver a\nupdate u:\n", "3: update u defined "
		    "twice (first at line 1)" },
		{ "zone example.com:\n\tfile a\n\tfile b\n", "3: file given "
		    "twice (first at line 2)" },
		{ HEAD "\tpool web\n", "7: pool given twice (first at line "
		    "6)" },
		{ HEAD "\tttl 1\n\tttl 2\n", "8: ttl given twice (first at "
		    "line 7)" },
		{ HEAD "\tselect all\n\tselect all\n", "8: select given "
		    "twice (first at line 7)" },
		{ HEAD "\talldown all\n\talldown all\n", "8: alldown given "
		    "twice (first at line 7)" },
		{ ZONE POOL "\tagree 1\n\tagree 1\n", "6: agree given twice "
		    "(first at line 5)" },
		{ ZONE POOL "\tscope name\n\tscope name\n", "6: scope given "
		    "twice (first at line 5)" },
		{ "source a:\n\tfaild x\n\tfaild y\n", "3: faild given twice "
		    "(first at line 2)" },
		{ "update a:\n\tserver x\n\tkey k\n\tkey k\n", "4: key given "
		    "twice (first at line 3)" },
		{ ZONE POOL "\tmember 198.18.0.10 backup\n", "5: member "
		    "198.18.0.10 twice in pool web (first at line 4)" },
		{ ZONE POOL "\tmember 2001:db8::1\n\tmember 2001:DB8:0::1\n",
		    "6: member 2001:db8::1 twice in pool web (first at line "
		    "5)" },
	};

	(void)state;
	run_bad(b, sizeof(b) / sizeof(b[0]));
}

static void
test_errors_blocks(void **state)
{
	static const struct bad b[] = {
		/* Missing required directives, at the block's line. */
		{ "zone example.com:\n" POOL NAME, "1: zone example.com: no "
		    "file" },
		{ HEAD "source a:\n# none\n", "7: source a: no faild" },
		{ HEAD "update ns1:\n\tzone example.com\n", "7: update ns1: "
		    "no server" },
		{ ZONE "pool web:\n\tscope name\n" NAME, "3: pool web: no "
		    "member" },
		{ ZONE POOL "name www.example.com:\n\tttl 5\n", "5: name "
		    "www.example.com: no pool" },
		/* Unknown directives. */
		{ ZONE "\tpool web\n", "3: unknown directive \"pool\" in zone "
		    "(known: file)" },
		{ "source a:\n\tfile x\n", "2: unknown directive \"file\" in "
		    "source (known: faild)" },
		{ ZONE "pool web:\n\tttl 3\n", "4: unknown directive \"ttl\" "
		    "in pool (known: member, sources, agree, scope, detect)" },
		{ HEAD "\tmember 10.0.0.1\n", "7: unknown directive "
		    "\"member\" in name (known: pool, select, ttl, alldown, "
		    "unknown, fallback, answer, update)" },
		{ "update a:\n\tpool x\n", "2: unknown directive \"pool\" in "
		    "update (known: server, zone, key)" },
		/* Values. */
		{ "zone example.com:\n\tfile\n", "2: file takes one path "
		    "(quote one with blanks)" },
		{ "source a:\n\tfaild 10.0.0.1:0\n", "2: faild: bad address "
		    "\"10.0.0.1:0\" (host[:port], [IPv6]:port)" },
		{ "source a:\n\tfaild 10.0.0.1:65536\n", "2: faild: bad "
		    "address \"10.0.0.1:65536\" (host[:port], [IPv6]:port)" },
		{ "source a:\n\tfaild [::1\n", "2: faild: bad address "
		    "\"[::1\" (host[:port], [IPv6]:port)" },
		{ "source a:\n\tfaild [::1]x\n", "2: faild: bad address "
		    "\"[::1]x\" (host[:port], [IPv6]:port)" },
		{ "source a:\n\tfaild :53\n", "2: faild: bad address \":53\" "
		    "(host[:port], [IPv6]:port)" },
		{ "source a:\n\tfaild a b\n", "2: faild takes one "
		    "host[:port]" },
		{ "update a:\n\tserver 1:2:3:zz\n", "2: server: bad address "
		    "\"1:2:3:zz\" (host[:port], [IPv6]:port)" },
		{ "update a:\n\tserver ho$t\n", "2: server: bad address "
		    "\"ho$t\" (host[:port], [IPv6]:port)" },
		{ "update a:\n\tserver\n", "2: server takes one host[:port]" },
		{ "update a:\n\tzone a..b\n", "2: bad zone name \"a..b\" "
		    "(labels of 1 to 63 of A-Z a-z 0-9 - _, 255 bytes in "
		    "all)" },
		{ "update a:\n\tzone\n", "2: zone takes one name" },
		{ "update a:\n\tkey\n", "2: expected \"key PATH [KEYNAME]\"" },
		{ "update a:\n\tkey a b c\n", "2: expected \"key PATH "
		    "[KEYNAME]\"" },
		{ "update a:\n\tkey a b/c\n", "2: bad key name \"b/c\" "
		    "(labels of 1 to 63 of A-Z a-z 0-9 - _, 255 bytes in "
		    "all)" },
	};

	(void)state;
	run_bad(b, sizeof(b) / sizeof(b[0]));
}

static void
test_errors_pool(void **state)
{
	static const struct bad b[] = {
		{ ZONE "pool web:\n\tmember\n", "4: member: which address?" },
		{ ZONE "pool web:\n\tmember 198.18.0.300\n", "4: member: bad "
		    "address \"198.18.0.300\" (IPv4 or IPv6)" },
		{ ZONE "pool web:\n\tmember www\n", "4: member: bad address "
		    "\"www\" (IPv4 or IPv6)" },
		{ ZONE "pool web:\n\tmember 10.0.0.1 fast\n", "4: member: "
		    "unknown word \"fast\" (known: primary, backup, backup2, "
		    "backup3, disabled, priority N, weight N, offsite, "
		    "service NAMES)" },
		{ ZONE "pool web:\n\tmember 10.0.0.1 backup primary\n", "4: "
		    "member: a second level \"primary\"" },
		{ ZONE "pool web:\n\tmember 10.0.0.1 backup priority 3\n", "4: "
		    "member: a second level \"priority\"" },
		{ ZONE "pool web:\n\tmember 10.0.0.1 priority\n", "4: member: "
		    "priority without a number" },
		{ ZONE "pool web:\n\tmember 10.0.0.1 priority 0\n", "4: bad "
		    "priority \"0\" (a number from 1 to 99)" },
		{ ZONE "pool web:\n\tmember 10.0.0.1 weight 2 weight 3\n", "4: "
		    "member: weight given twice" },
		{ ZONE "pool web:\n\tmember 10.0.0.1 weight\n", "4: member: "
		    "weight without a number" },
		{ ZONE "pool web:\n\tmember 10.0.0.1 weight +2\n", "4: bad "
		    "weight \"+2\" (a number from 1 to 1000)" },
		{ ZONE "pool web:\n\tmember 10.0.0.1 offsite offsite\n", "4: "
		    "member: offsite given twice" },
		{ ZONE "pool web:\n\tmember 10.0.0.1 service\n", "4: member: "
		    "service without a name" },
		{ ZONE "pool web:\n\tmember 10.0.0.1 service a service b\n",
		    "4: member: service given twice (list the names with "
		    "commas)" },
		{ ZONE "pool web:\n\tmember 10.0.0.1 service a,,b\n", "4: bad "
		    "service \"\" (1 to 64 of A-Z a-z 0-9 . _ -)" },
		{ ZONE "pool web:\n\tmember 10.0.0.1 service a,\n", "4: bad "
		    "service \"\" (1 to 64 of A-Z a-z 0-9 . _ -)" },
		{ ZONE "pool web:\n\tmember 10.0.0.1 service a,b,a\n", "4: "
		    "member: service a twice" },
		{ ZONE "pool web:\n\tmember 10.0.0.1 service w/1\n", "4: bad "
		    "service \"w/1\" (1 to 64 of A-Z a-z 0-9 . _ -)" },
		{ ZONE POOL "\tsources\n", "5: sources: which? (source "
		    "names)" },
		{ ZONE POOL "\tsources a b a\n", "5: sources: a twice" },
		{ ZONE POOL "\tsources a\n" NAME "source b:\n\tfaild x\n",
		    "5: pool web: unknown source \"a\"" },
		{ ZONE POOL "\tagree 0\n", "5: bad agree \"0\" (a number from "
		    "1 to 16)" },
		{ ZONE POOL "\tagree\n", "5: agree takes one number" },
		{ ZONE POOL "\tagree 3\n" NAME "source a:\n\tfaild x\n"
		    "source b:\n\tfaild y\n", "5: pool web: agree 3, but 2 "
		    "sources vote" },
		{ ZONE POOL "\tsources b\n\tagree 2\n" NAME
		    "source a:\n\tfaild x\nsource b:\n\tfaild y\n", "6: pool "
		    "web: agree 2, but 1 source votes" },
		{ ZONE POOL "\tscope zone\n", "5: expected \"scope name\" or "
		    "\"scope domain\"" },
		{ ZONE POOL "\tdetect\n", "5: detect takes one number of "
		    "seconds" },
		{ ZONE POOL "\tdetect 1s\n", "5: bad detect \"1s\" (a number "
		    "from 0 to 86400)" },
	};

	(void)state;
	run_bad(b, sizeof(b) / sizeof(b[0]));
}

static void
test_errors_name(void **state)
{
	static const struct bad b[] = {
		{ ZONE POOL "name www.example.net:\n\tpool web\n", "5: name "
		    "www.example.net is in no zone" },
		{ ZONE POOL "name example.com.au:\n\tpool web\n", "5: name "
		    "example.com.au is in no zone" },
		{ ZONE POOL "name www.example.com:\n\tpool www\n", "6: name "
		    "www.example.com: unknown pool \"www\"" },
		{ ZONE POOL "name www.example.com:\n\tpool\n", "6: pool takes "
		    "one pool name" },
		{ ZONE POOL "name www.example.com:\n\tpool a b\n", "6: pool "
		    "takes one pool name" },
		{ HEAD "\tselect weighted 0\n", "7: bad select weighted count "
		    "\"0\" (a number from 1 to 32)" },
		{ HEAD "\tselect weighted -1\n", "7: bad select weighted "
		    "count \"-1\" (a number from 1 to 32)" },
		{ HEAD "\tselect random\n", "7: expected \"select all\", "
		    "\"select weighted [N]\", \"select ordered\" or \"select "
		    "rotate\"" },
		{ HEAD "\tselect\n", "7: expected \"select all\", \"select "
		    "weighted [N]\", \"select ordered\" or \"select rotate\"" },
		{ HEAD "\tselect all 2\n", "7: expected \"select all\", "
		    "\"select weighted [N]\", \"select ordered\" or \"select "
		    "rotate\"" },
		{ HEAD "\tttl\n", "7: ttl takes one number of seconds" },
		{ HEAD "\tttl -1\n", "7: bad ttl \"-1\" (a number from 0 to "
		    "86400)" },
		{ HEAD "\talldown\n", "7: alldown: which rule? (all, "
		    "fallback, offsite, nodata, servfail)" },
		{ HEAD "\tunknown\n", "7: unknown: which rule? (all, "
		    "fallback, offsite, nodata, servfail, last)" },
		{ HEAD "\talldown last\n", "7: alldown: \"last\" is a rule of "
		    "unknown only" },
		{ HEAD "\talldown none\n", "7: alldown: unknown rule \"none\" "
		    "(known: all, fallback, offsite, nodata, servfail)" },
		{ HEAD "\tunknown none\n", "7: unknown: unknown rule \"none\" "
		    "(known: all, fallback, offsite, nodata, servfail, "
		    "last)" },
		{ HEAD "\talldown nodata 192.0.2.1\n", "7: alldown nodata "
		    "takes no addresses" },
		{ HEAD "\tunknown last 192.0.2.1\n", "7: unknown last takes "
		    "no addresses" },
		{ HEAD "\tttl 5\n\talldown fallback\n", "8: alldown "
		    "fallback: no fallback addresses (list them here or on a "
		    "fallback line)" },
		{ HEAD "\tunknown fallback\n", "7: unknown fallback: no "
		    "fallback addresses (list them here or on a fallback "
		    "line)" },
		{ HEAD "\tfallback\n", "7: fallback: no address" },
		{ HEAD "\tfallback 192.0.2.1 x\n", "7: fallback: bad address "
		    "\"x\" (IPv4 or IPv6)" },
		{ HEAD "\talldown fallback x\n", "7: alldown: bad address "
		    "\"x\" (IPv4 or IPv6)" },
		{ HEAD "\tfallback 192.0.2.1 192.0.2.1\n", "7: fallback: "
		    "192.0.2.1 twice" },
		{ HEAD "\tfallback 192.0.2.1\n\talldown fallback 192.0.2.2\n",
		    "8: alldown: fallback addresses differ from line 7's (a "
		    "name has one fallback set)" },
		{ HEAD "\talldown fallback 192.0.2.1\n\tunknown fallback "
		    "192.0.2.1 192.0.2.2\n", "8: unknown: fallback addresses "
		    "differ from line 7's (a name has one fallback set)" },
		{ HEAD "\tanswer maybe\n", "7: expected \"answer yes\" or "
		    "\"answer no\"" },
		{ HEAD "\tupdate\n", "7: update: which? (update names)" },
		{ HEAD "\tupdate a a\n", "7: update: a twice" },
		{ HEAD "\tupdate a\nupdate b:\n\tserver x\n", "7: name "
		    "www.example.com: unknown update \"a\"" },
		{ HEAD "\tupdate a:b\n", "7: bad update name \"a:b\" (1 to 64 "
		    "of A-Z a-z 0-9 . _ -)" },
	};

	(void)state;
	run_bad(b, sizeof(b) / sizeof(b[0]));
}

/* ------------------------------------------------------------------ */
/* fdns_conf_load */

static void
put_file(const char *path, const char *text, mode_t mode)
{
	FILE	*fp;

	assert_non_null(fp = fopen(path, "w"));
	assert_int_equal(fwrite(text, 1, strlen(text), fp), strlen(text));
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static void
test_load(void **state)
{
	char	dir[] = "/tmp/test_fdns_conf.XXXXXX", path[256], want[600];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/faildns.conf", dir);
	put_file(path, HEAD, 0644);
	fdns_conf_free(c);
	assert_int_equal(fdns_conf_load(path, &c, err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "%s/example.com.zone", dir);
	assert_string_equal(c->zones[0].file, want);
	assert_string_equal(c->path, path);
	fdns_conf_free(c);
	c = NULL;

	/* Errors name the file. */
	put_file(path, HEAD "\tttl x\n", 0600);
	assert_int_equal(fdns_conf_load(path, &c, err, sizeof(err)), -1);
	assert_null(c);
	snprintf(want, sizeof(want), "%s:7: bad ttl \"x\" (a number from 0 "
	    "to 86400)", path);
	assert_string_equal(err, want);

	/* Writable by others. */
	put_file(path, HEAD, 0664);
	assert_int_equal(fdns_conf_load(path, &c, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: refused: writable by group or "
	    "others, or owned by another user", path);
	assert_string_equal(err, want);
	assert_int_equal(unlink(path), 0);

	/* Missing, a folder. */
	assert_int_equal(fdns_conf_load(path, &c, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	assert_string_equal(err, want);
	assert_int_equal(fdns_conf_load(dir, &c, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: not a regular file", dir);
	assert_string_equal(err, want);
	assert_null(c);
	assert_int_equal(rmdir(dir), 0);
}

static void
test_str(void **state)
{
	struct fdns_addr	a = addr("2001:db8::1");
	char			buf[64];

	(void)state;
	assert_string_equal(fdns_addr_str(&a, buf, sizeof(buf)),
	    "2001:db8::1");
	a = addr("198.18.0.1");
	assert_string_equal(fdns_addr_str(&a, buf, sizeof(buf)),
	    "198.18.0.1");
	assert_string_equal(fdns_addr_str(&a, buf, 4), "?");
	a.family = 0;
	assert_string_equal(fdns_addr_str(&a, buf, sizeof(buf)), "?");
	assert_string_equal(fdns_select_str(FDNS_SEL_ALL), "all");
	assert_string_equal(fdns_select_str(FDNS_SEL_WEIGHTED), "weighted");
	assert_string_equal(fdns_select_str(FDNS_SEL_ORDERED), "ordered");
	assert_string_equal(fdns_select_str(FDNS_SEL_ROTATE), "rotate");
	assert_string_equal(fdns_rule_str(FDNS_RULE_ALL), "all");
	assert_string_equal(fdns_rule_str(FDNS_RULE_FALLBACK), "fallback");
	assert_string_equal(fdns_rule_str(FDNS_RULE_OFFSITE), "offsite");
	assert_string_equal(fdns_rule_str(FDNS_RULE_NODATA), "nodata");
	assert_string_equal(fdns_rule_str(FDNS_RULE_SERVFAIL), "servfail");
	assert_string_equal(fdns_rule_str(FDNS_RULE_LAST), "last");
	assert_string_equal(fdns_prio_str(0, buf, sizeof(buf)), "disabled");
	assert_string_equal(fdns_prio_str(1, buf, sizeof(buf)), "primary");
	assert_string_equal(fdns_prio_str(2, buf, sizeof(buf)), "backup");
	assert_string_equal(fdns_prio_str(3, buf, sizeof(buf)), "backup2");
	assert_string_equal(fdns_prio_str(4, buf, sizeof(buf)), "backup3");
	assert_string_equal(fdns_prio_str(9, buf, sizeof(buf)), "9");
	assert_string_equal(fdns_prio_str(99, buf, sizeof(buf)), "99");
	fdns_conf_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_defaults, teardown),
		cmocka_unit_test_teardown(test_settings, teardown),
		cmocka_unit_test_teardown(test_member, teardown),
		cmocka_unit_test_teardown(test_sources, teardown),
		cmocka_unit_test_teardown(test_name, teardown),
		cmocka_unit_test_teardown(test_fallback, teardown),
		cmocka_unit_test_teardown(test_update, teardown),
		cmocka_unit_test_teardown(test_forward, teardown),
		cmocka_unit_test_teardown(test_zones, teardown),
		cmocka_unit_test_teardown(test_paths, teardown),
		cmocka_unit_test_teardown(test_syntax, teardown),
		cmocka_unit_test_teardown(test_limits, teardown),
		cmocka_unit_test_teardown(test_errors_top, teardown),
		cmocka_unit_test_teardown(test_errors_twice, teardown),
		cmocka_unit_test_teardown(test_errors_blocks, teardown),
		cmocka_unit_test_teardown(test_errors_pool, teardown),
		cmocka_unit_test_teardown(test_errors_name, teardown),
		cmocka_unit_test_teardown(test_load, teardown),
		cmocka_unit_test_teardown(test_str, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
