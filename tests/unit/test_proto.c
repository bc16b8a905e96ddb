/*
 * test_proto.c: cmocka tests of lib/proto.c, the failproto(5) parser:
 * every verb, attributes and authentication fields, malformed requests
 * with their exact error codes, answers (plain, ERR, signed, a 1000
 * service list), a signed request round trip and pbuf growth.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "auth.h"
#include "proto.h"

#define HEX16	"0123456789abcdef"
#define MAC64	HEX16 HEX16 HEX16 HEX16
#define NONCE32	HEX16 HEX16

static struct proto_req	req;
static int		code;
static char		err[256];

/* Parse a NUL-terminated request that must be accepted. */
static void
req_ok(const char *line)
{
	memset(err, 0, sizeof(err));
	code = 0;
	if (proto_parse_request(line, strlen(line), &req, &code, err,
	    sizeof(err)) != 0)
		fail_msg("\"%s\": refused with %d %s", line, code, err);
}

/* Parse len bytes that must be refused with want_code; err holds want. */
static void
req_fail_len(const char *line, size_t len, int want_code, const char *want_id,
    const char *want)
{
	memset(err, 0, sizeof(err));
	code = 0;
	if (proto_parse_request(line, len, &req, &code, err, sizeof(err)) != -1)
		fail_msg("\"%.*s\": accepted", (int)len, line);
	if (code != want_code)
		fail_msg("\"%.*s\": code %d, want %d (%s)", (int)len, line, code,
		    want_code, err);
	if (strcmp(req.id, want_id) != 0)
		fail_msg("\"%.*s\": id \"%s\", want \"%s\"", (int)len, line,
		    req.id, want_id);
	if (strstr(err, want) == NULL)
		fail_msg("\"%.*s\": error \"%s\" lacks \"%s\"", (int)len, line,
		    err, want);
}

static void
req_fail(const char *line, int want_code, const char *want_id,
    const char *want)
{
	req_fail_len(line, strlen(line), want_code, want_id, want);
}

static char *
repeat(char c, size_t n)
{
	char	*s = malloc(n + 1);

	assert_non_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

static void
test_req_verbs(void **state)
{
	(void)state;
	req_ok("1 get www");
	assert_string_equal(req.id, "1");
	assert_int_equal(req.verb, VERB_GET);
	assert_int_equal(req.argc, 1);
	assert_string_equal(req.argv[0], "www");
	assert_null(req.community);
	assert_null(req.by);
	assert_null(req.auth.keyid);
	assert_null(req.auth.nonce);
	assert_null(req.auth.mac);
	assert_true(req.auth.ts_ms < 0);
	assert_int_equal(req.auth.signed_len, 0);

	req_ok("2 set www UP");
	assert_int_equal(req.verb, VERB_SET);
	assert_int_equal(req.argc, 2);
	assert_string_equal(req.argv[0], "www");
	assert_string_equal(req.argv[1], "UP");

	req_ok("3 delete ftp.example-1_b");
	assert_int_equal(req.verb, VERB_DELETE);
	assert_int_equal(req.argc, 1);
	assert_string_equal(req.argv[0], "ftp.example-1_b");

	req_ok("4 list");
	assert_int_equal(req.verb, VERB_LIST);
	assert_int_equal(req.argc, 0);
	req_ok("5 watch");
	assert_int_equal(req.verb, VERB_WATCH);
	req_ok("6 ping");
	assert_int_equal(req.verb, VERB_PING);
	req_ok("7 stats");
	assert_int_equal(req.verb, VERB_STATS);
	req_ok("8 debug");
	assert_int_equal(req.verb, VERB_DEBUG);
	assert_int_equal(req.argc, 0);
	req_ok("9 debug proto 3 net 0");
	assert_int_equal(req.verb, VERB_DEBUG);
	assert_int_equal(req.argc, 4);
	assert_string_equal(req.argv[0], "proto");
	assert_string_equal(req.argv[1], "3");
	assert_string_equal(req.argv[2], "net");
	assert_string_equal(req.argv[3], "0");
	req_ok("a.B_c-10 version");
	assert_string_equal(req.id, "a.B_c-10");
	assert_int_equal(req.verb, VERB_VERSION);

	assert_string_equal(proto_verb_str(VERB_GET), "get");
	assert_string_equal(proto_verb_str(VERB_DELETE), "delete");
	assert_string_equal(proto_verb_str(VERB_VERSION), "version");
	assert_string_equal(proto_verb_str(VERB_MAX), "?");
}

static void
test_req_case(void **state)
{
	(void)state;
	req_ok("1 GET www");
	assert_int_equal(req.verb, VERB_GET);
	req_ok("2 SeT www up");
	assert_int_equal(req.verb, VERB_SET);
	assert_string_equal(req.argv[1], "up");
	req_ok("3 set www Recover");
	assert_string_equal(req.argv[1], "Recover");
	req_ok("4 set www fail");
	assert_string_equal(req.argv[1], "fail");
	req_ok("5 VERSION");
	assert_int_equal(req.verb, VERB_VERSION);
	req_ok("6 Delete www");
	assert_int_equal(req.verb, VERB_DELETE);
	req_ok("7 wAtCh");
	assert_int_equal(req.verb, VERB_WATCH);
	/* Service names keep their case. */
	req_ok("8 get WWW");
	assert_string_equal(req.argv[0], "WWW");
}

static void
test_req_separators(void **state)
{
	const char	 buf[] = "1 get wwwXYZ";

	(void)state;
	req_ok("1\tget \t  www\r\n");
	assert_int_equal(req.verb, VERB_GET);
	assert_int_equal(req.argc, 1);
	assert_string_equal(req.argv[0], "www");
	req_ok("  2 ping  \n");
	assert_string_equal(req.id, "2");
	assert_int_equal(req.verb, VERB_PING);
	/* Only len bytes count. */
	assert_int_equal(proto_parse_request(buf, 9, &req, &code, err,
	    sizeof(err)), 0);
	assert_string_equal(req.argv[0], "www");
}

static void
test_req_attrs(void **state)
{
	char	*c64 = repeat('x', 64), *c65 = repeat('x', 65);
	char	 line[256];

	(void)state;
	req_ok("1 set www UP c=s3cr:et! by=failsh");
	assert_int_equal(req.argc, 2);
	assert_string_equal(req.community, "s3cr:et!");
	assert_string_equal(req.by, "failsh");
	req_ok("2 list by=hc.1 c=public");
	assert_string_equal(req.community, "public");
	assert_string_equal(req.by, "hc.1");

	snprintf(line, sizeof(line), "3 get www c=%s", c64);
	req_ok(line);
	assert_string_equal(req.community, c64);
	snprintf(line, sizeof(line), "3 get www c=%s", c65);
	req_fail(line, PERR_MALFORMED, "3", "bad community");
	req_fail("4 get www c=", PERR_MALFORMED, "4", "bad community");
	req_fail("5 set www UP by=fail@sh", PERR_MALFORMED, "5", "bad by=");
	req_fail("5 set www UP by=", PERR_MALFORMED, "5", "bad by=");
	free(c64);
	free(c65);
}

static void
test_req_auth(void **state)
{
	const char	*line = "1 set www UP c=pub k=key1 t=1795417200123 "
			    "n=" HEX16 " mac=" MAC64;
	const char	*tabs = "2 ping\tk=k\tt=0\tn=" NONCE32 "\t\tmac=" MAC64;
	char		 big[256];

	(void)state;
	req_ok(line);
	assert_int_equal(req.verb, VERB_SET);
	assert_int_equal(req.argc, 2);
	assert_string_equal(req.community, "pub");
	assert_string_equal(req.auth.keyid, "key1");
	assert_int_equal(req.auth.ts_ms, 1795417200123LL);
	assert_string_equal(req.auth.nonce, HEX16);
	assert_string_equal(req.auth.mac, MAC64);
	assert_int_equal(req.auth.signed_len, strstr(line, " mac=") - line);

	req_ok(tabs);
	assert_int_equal(req.auth.ts_ms, 0);
	assert_string_equal(req.auth.nonce, NONCE32);
	assert_int_equal(req.auth.signed_len, strstr(tabs, "\t\tmac=") - tabs);

	/* Longest nonce and key id. */
	snprintf(big, sizeof(big), "3 ping k=%s t=1 n=%s mac=%s",
	    "abcdefghijklmnopqrstuvwxyz012345", MAC64, MAC64);
	req_ok(big);
	assert_string_equal(req.auth.keyid, "abcdefghijklmnopqrstuvwxyz012345");
	assert_string_equal(req.auth.nonce, MAC64);
	assert_int_equal(req.auth.signed_len, strstr(big, " mac=") - big);
}

static void
test_req_auth_partial(void **state)
{
	(void)state;
	req_fail("1 ping k=a t=1 n=" HEX16, PERR_MALFORMED, "1",
	    "k= t= n= mac=");
	req_fail("2 ping mac=" MAC64, PERR_MALFORMED, "2", "k= t= n= mac=");
	req_fail("3 ping k=a n=" HEX16 " mac=" MAC64, PERR_MALFORMED, "3",
	    "k= t= n= mac=");
	req_fail("4 ping t=1 n=" HEX16 " mac=" MAC64, PERR_MALFORMED, "4",
	    "k= t= n= mac=");
	req_fail("5 ping k=a t=1 mac=" MAC64, PERR_MALFORMED, "5",
	    "k= t= n= mac=");
	req_fail("6 ping k=a", PERR_MALFORMED, "6", "k= t= n= mac=");
	req_fail("7 ping t=5", PERR_MALFORMED, "7", "k= t= n= mac=");
}

static void
test_req_auth_bad(void **state)
{
	(void)state;
	req_fail("1 ping k=a t=1 mac=" MAC64 " n=" HEX16, PERR_MALFORMED, "1",
	    "mac= must be the last field");
	req_fail("1 ping k=a t=1 n=" HEX16 " mac=" MAC64 " c=x",
	    PERR_MALFORMED, "1", "mac= must be the last field");
	req_fail("2 ping k=a t=1 n=" HEX16 " mac=" HEX16, PERR_MALFORMED, "2",
	    "bad mac");
	req_fail("2 ping k=a t=1 n=" HEX16 " mac=" MAC64 "0", PERR_MALFORMED,
	    "2", "bad mac");
	req_fail("2 ping k=a t=1 n=" HEX16 " mac=" HEX16 HEX16 HEX16
	    "0123456789abcdeg", PERR_MALFORMED, "2", "bad mac");
	req_fail("3 ping k=a t=1 n=0123456789abcde mac=" MAC64,
	    PERR_MALFORMED, "3", "bad nonce");
	req_fail("3 ping k=a t=1 n=" MAC64 "0 mac=" MAC64, PERR_MALFORMED,
	    "3", "bad nonce");
	req_fail("3 ping k=a t=1 n=0123456789abcdeZ mac=" MAC64,
	    PERR_MALFORMED, "3", "bad nonce");
	req_fail("4 ping k=a t=abc n=" HEX16 " mac=" MAC64, PERR_MALFORMED,
	    "4", "bad timestamp");
	req_fail("4 ping k=a t=-1 n=" HEX16 " mac=" MAC64, PERR_MALFORMED,
	    "4", "bad timestamp");
	req_fail("4 ping k=a t= n=" HEX16 " mac=" MAC64, PERR_MALFORMED,
	    "4", "bad timestamp");
	req_fail("4 ping k=a t=1234567890123456789 n=" HEX16 " mac=" MAC64,
	    PERR_MALFORMED, "4", "bad timestamp");
	req_fail("5 ping k=abcdefghijklmnopqrstuvwxyz0123456 t=1 n=" HEX16
	    " mac=" MAC64, PERR_MALFORMED, "5", "bad key id");
	req_fail("5 ping k=a/b t=1 n=" HEX16 " mac=" MAC64, PERR_MALFORMED,
	    "5", "bad key id");
	req_fail("5 ping k= t=1 n=" HEX16 " mac=" MAC64, PERR_MALFORMED,
	    "5", "bad key id");
}

static void
test_req_empty(void **state)
{
	(void)state;
	req_fail("", PERR_MALFORMED, "-", "empty request");
	req_fail(" \t  ", PERR_MALFORMED, "-", "empty request");
	req_fail("\r\n", PERR_MALFORMED, "-", "empty request");
	req_fail("1", PERR_MALFORMED, "1", "missing verb");
}

static void
test_req_toolong(void **state)
{
	char	line[PROTO_MAX_LINE + 16];

	(void)state;
	/* 512 bytes is the limit, without the line end. */
	memset(line, ' ', sizeof(line));
	memcpy(line, "1 ping", 6);
	line[PROTO_MAX_LINE] = '\0';
	req_ok(line);
	assert_int_equal(req.verb, VERB_PING);
	memcpy(line + PROTO_MAX_LINE, "\r\n", 3);
	req_ok(line);
	line[PROTO_MAX_LINE] = ' ';
	line[PROTO_MAX_LINE + 1] = '\0';
	req_fail(line, PERR_TOOBIG, "1", "longer than 512");
	req_fail_len(line, sizeof(line), PERR_TOOBIG, "1", "longer than 512");
}

static void
test_req_nonprint(void **state)
{
	(void)state;
	req_fail("1 get w\001w", PERR_MALFORMED, "1", "bad byte 0x01 at "
	    "offset 7");
	req_fail("1 get w\177w", PERR_MALFORMED, "1", "bad byte 0x7f");
	req_fail("1 get w\303\251", PERR_MALFORMED, "1", "bad byte 0xc3 at "
	    "offset 7");
	req_fail("1 get w\rw", PERR_MALFORMED, "1", "bad byte 0x0d");
	req_fail("1 get w\nw", PERR_MALFORMED, "1", "bad byte 0x0a");
	req_fail_len("1 get w\0w", 9, PERR_MALFORMED, "1", "bad byte 0x00 at "
	    "offset 7");
	req_fail("\0331 ping", PERR_MALFORMED, "-", "bad byte 0x1b at "
	    "offset 0");
}

/*
 * proto.h: "req->id is then the request's id when it could be read", and
 * failproto(5) answers with "-" only when the id cannot be read: a UDP
 * client cannot match "- ERR ..." to its question.
 */
static void
test_req_error_keeps_id(void **state)
{
	char	line[PROTO_MAX_LINE + 16];

	(void)state;
	req_fail("5 get w\001w", PERR_MALFORMED, "5", "bad byte 0x01");
	memset(line, 'x', sizeof(line));
	memcpy(line, "6 get ", 6);
	line[sizeof(line) - 1] = '\0';
	req_fail(line, PERR_TOOBIG, "6", "longer than 512");
}

static void
test_req_bad_id(void **state)
{
	(void)state;
	req_fail("bad!id get www", PERR_MALFORMED, "-", "bad request id");
	req_fail("12345678901234567 get www", PERR_MALFORMED, "-",
	    "bad request id");
	req_fail("a/b ping", PERR_MALFORMED, "-", "bad request id");
	req_fail("id=1 ping", PERR_MALFORMED, "-", "bad request id");
	req_ok("1234567890123456 get www");
	assert_string_equal(req.id, "1234567890123456");
}

static void
test_req_unknown_verb(void **state)
{
	(void)state;
	req_fail("1 fetch www", PERR_VERB, "1", "unknown verb \"fetch\"");
	req_fail("2 gett www", PERR_VERB, "2", "unknown verb");
	req_fail("3 get- www", PERR_VERB, "3", "unknown verb");
	req_fail("4 c=x", PERR_VERB, "4", "unknown verb");
}

static void
test_req_argcount(void **state)
{
	char	line[512];
	int	i, n;

	(void)state;
	req_fail("1 get", PERR_MALFORMED, "1", "get takes 1 argument, not 0");
	req_fail("1 get a b", PERR_MALFORMED, "1", "get takes 1 argument, "
	    "not 2");
	req_fail("1 set www", PERR_MALFORMED, "1", "set takes 2 arguments, "
	    "not 1");
	req_fail("1 set www UP now", PERR_MALFORMED, "1", "set takes 2 "
	    "arguments, not 3");
	req_fail("1 delete", PERR_MALFORMED, "1", "delete takes 1 argument");
	req_fail("1 delete a b", PERR_MALFORMED, "1", "delete takes 1 "
	    "argument, not 2");
	req_fail("1 list www", PERR_MALFORMED, "1", "list takes 0 arguments, "
	    "not 1");
	req_fail("1 watch www", PERR_MALFORMED, "1", "watch takes 0");
	req_fail("1 ping x", PERR_MALFORMED, "1", "ping takes 0");
	req_fail("1 stats x", PERR_MALFORMED, "1", "stats takes 0");
	req_fail("1 version 1", PERR_MALFORMED, "1", "version takes 0");

	/* 24 arguments fit, 25 do not; 32 fields at most. */
	n = snprintf(line, sizeof(line), "1 debug");
	for (i = 0; i < 12; i++)
		n += snprintf(line + n, sizeof(line) - n, " f%d %d", i, i % 10);
	req_ok(line);
	assert_int_equal(req.argc, 24);
	assert_string_equal(req.argv[22], "f11");
	assert_string_equal(req.argv[23], "1");
	snprintf(line + n, sizeof(line) - n, " x");
	req_fail(line, PERR_MALFORMED, "1", "too many arguments");
	n = snprintf(line, sizeof(line), "1 list");
	for (i = 0; i < 30; i++)
		n += snprintf(line + n, sizeof(line) - n, " a");
	req_fail(line, PERR_MALFORMED, "1", "too many arguments");
	snprintf(line + n, sizeof(line) - n, " a");
	req_fail(line, PERR_MALFORMED, "1", "too many fields");
}

static void
test_req_bad_name(void **state)
{
	char	*n64 = repeat('a', 64), *n65 = repeat('a', 65);
	char	 line[256];

	(void)state;
	snprintf(line, sizeof(line), "1 get %s", n64);
	req_ok(line);
	assert_string_equal(req.argv[0], n64);
	snprintf(line, sizeof(line), "1 get %s", n65);
	req_fail(line, PERR_MALFORMED, "1", "bad service name");
	snprintf(line, sizeof(line), "1 set %s UP", n65);
	req_fail(line, PERR_MALFORMED, "1", "bad service name");
	req_fail("1 get ww/w", PERR_MALFORMED, "1", "bad service name "
	    "\"ww/w\"");
	req_fail("1 get *", PERR_MALFORMED, "1", "bad service name");
	req_fail("1 delete w:w", PERR_MALFORMED, "1", "bad service name");
	req_fail("1 set w@w UP", PERR_MALFORMED, "1", "bad service name");
	free(n64);
	free(n65);

	assert_int_equal(proto_name_valid(""), 0);
	assert_int_equal(proto_name_valid("a.b_c-D9"), 1);
	assert_int_equal(proto_name_valid("a b"), 0);
	assert_int_equal(proto_id_valid("1234567890123456"), 1);
	assert_int_equal(proto_id_valid("12345678901234567"), 0);
	assert_int_equal(proto_id_valid("-"), 1);
}

static void
test_req_bad_state(void **state)
{
	(void)state;
	req_fail("8 set www BROKEN", PERR_MALFORMED, "8",
	    "bad state \"BROKEN\" (UP, RECOVER or FAIL)");
	req_fail("8 set www NONE", PERR_MALFORMED, "8", "bad state \"NONE\"");
	req_fail("8 set www UPP", PERR_MALFORMED, "8", "bad state");
	req_fail("8 set www RECOVERED", PERR_MALFORMED, "8", "bad state");
	req_fail("8 set www 0", PERR_MALFORMED, "8", "bad state");
}

static void
test_req_attr_errors(void **state)
{
	(void)state;
	req_fail("1 get www x=1", PERR_MALFORMED, "1",
	    "unknown attribute \"x=\"");
	req_fail("1 get www C=public", PERR_MALFORMED, "1",
	    "unknown attribute \"C=\"");
	req_fail("1 get www cc=public", PERR_MALFORMED, "1",
	    "unknown attribute \"cc=\"");
	req_fail("1 get www =x", PERR_MALFORMED, "1", "unknown attribute");
	req_fail("1 get www macx=1", PERR_MALFORMED, "1", "unknown attribute");
	req_fail("2 get www c=a c=b", PERR_MALFORMED, "2",
	    "repeated attribute c=");
	req_fail("2 set www UP by=a by=a", PERR_MALFORMED, "2",
	    "repeated attribute by=");
	req_fail("2 ping k=a k=b t=1 n=" HEX16 " mac=" MAC64, PERR_MALFORMED,
	    "2", "repeated attribute k=");
	req_fail("2 ping k=a t=1 t=2 n=" HEX16 " mac=" MAC64, PERR_MALFORMED,
	    "2", "repeated attribute t=");
	req_fail("2 ping k=a t=1 n=" HEX16 " n=" HEX16 " mac=" MAC64,
	    PERR_MALFORMED, "2", "repeated attribute n=");
	req_fail("3 get c=x www", PERR_MALFORMED, "3",
	    "argument \"www\" after attributes");
	req_fail("3 set www c=x UP", PERR_MALFORMED, "3",
	    "argument \"UP\" after attributes");
}

static void
test_req_debug(void **state)
{
	(void)state;
	req_fail("1 debug proto", PERR_MALFORMED, "1",
	    "debug takes facility level pairs");
	req_fail("1 debug proto 3 net", PERR_MALFORMED, "1",
	    "facility level pairs");
	req_fail("1 debug proto x", PERR_MALFORMED, "1",
	    "bad debug level \"x\" (0 to 9)");
	req_fail("1 debug proto 10", PERR_MALFORMED, "1",
	    "bad debug level \"10\"");
	req_fail("1 debug proto 3 net -1", PERR_MALFORMED, "1",
	    "bad debug level \"-1\"");
	req_ok("1 debug proto 9 net 0 c=admin");
	assert_int_equal(req.argc, 4);
	assert_string_equal(req.argv[1], "9");
	assert_string_equal(req.community, "admin");
}

/* Answers. */

static void
resp_ok(struct proto_resp *r, const char *line)
{
	memset(err, 0, sizeof(err));
	if (proto_parse_response(line, strlen(line), r, err, sizeof(err)) != 0)
		fail_msg("\"%.60s\": refused: %s", line, err);
}

static void
resp_fail(const char *line, const char *want)
{
	struct proto_resp	r = { 0 };
	int			rc;

	memset(err, 0, sizeof(err));
	rc = proto_parse_response(line, strlen(line), &r, err, sizeof(err));
	proto_resp_clear(&r);
	if (rc != -1)
		fail_msg("\"%s\": accepted", line);
	if (strstr(err, want) == NULL)
		fail_msg("\"%s\": error \"%s\" lacks \"%s\"", line, err, want);
}

static void
test_resp_ok(void **state)
{
	struct proto_resp	r = { 0 };

	(void)state;
	resp_ok(&r, "7 OK www UP 1795417200123 failsh@127.0.0.2\n");
	assert_string_equal(r.id, "7");
	assert_string_equal(r.kind, "OK");
	assert_int_equal(r.code, 0);
	assert_int_equal(r.nfields, 4);
	assert_string_equal(r.fields[0], "www");
	assert_string_equal(r.fields[1], "UP");
	assert_string_equal(r.fields[2], "1795417200123");
	assert_string_equal(r.fields[3], "failsh@127.0.0.2");
	assert_null(r.auth.keyid);
	assert_null(r.auth.mac);
	assert_int_equal(r.auth.signed_len, 0);

	/* Parsing again into the same answer releases the old one. */
	resp_ok(&r, "x OK 2 ftp RECOVER 1795417100000 127.0.0.1 www UP "
	    "1795417200123 failsh@127.0.0.2");
	assert_string_equal(r.id, "x");
	assert_int_equal(r.nfields, 9);
	assert_string_equal(r.fields[0], "2");
	assert_string_equal(r.fields[1], "ftp");
	assert_string_equal(r.fields[5], "www");
	assert_string_equal(r.fields[8], "failsh@127.0.0.2");

	resp_ok(&r, "p OK pong 1795417200999\r\n");
	assert_int_equal(r.nfields, 2);
	assert_string_equal(r.fields[0], "pong");
	assert_string_equal(r.fields[1], "1795417200999");

	resp_ok(&r, "v\tOK  failover 0.1.0 proto 1");
	assert_string_equal(r.kind, "OK");
	assert_int_equal(r.nfields, 4);
	assert_string_equal(r.fields[3], "1");

	resp_ok(&r, "d OK");
	assert_int_equal(r.nfields, 0);

	resp_ok(&r, "w STATE www UP 1795417200123 127.0.0.1");
	assert_string_equal(r.kind, "STATE");
	assert_int_equal(r.nfields, 4);
	resp_ok(&r, "w CHANGE 12 www NONE UP 1795417200123 127.0.0.1");
	assert_string_equal(r.kind, "CHANGE");
	assert_int_equal(r.nfields, 6);
	assert_string_equal(r.fields[0], "12");
	assert_string_equal(r.fields[2], "NONE");
	proto_resp_clear(&r);
	assert_null(r.buf);
	assert_null(r.fields);
	proto_resp_clear(&r);
}

static void
test_resp_err(void **state)
{
	struct proto_resp	r = { 0 };

	(void)state;
	resp_ok(&r, "8 ERR 400 bad state \"BROKEN\" (UP, RECOVER or FAIL)\n");
	assert_string_equal(r.id, "8");
	assert_string_equal(r.kind, "ERR");
	assert_int_equal(r.code, 400);
	assert_string_equal(r.text, "bad state \"BROKEN\" (UP, RECOVER or "
	    "FAIL)");
	assert_int_equal(r.nfields, 0);

	resp_ok(&r, "9 ERR 404");
	assert_int_equal(r.code, 404);
	assert_string_equal(r.text, "");

	resp_ok(&r, "- ERR 400 empty request");
	assert_string_equal(r.id, "-");
	assert_string_equal(r.text, "empty request");

	resp_ok(&r, "a ERR 500 state  file: disk full");
	assert_int_equal(r.code, 500);
	assert_string_equal(r.text, "state  file: disk full");
	proto_resp_clear(&r);
}

static void
test_resp_signed(void **state)
{
	struct proto_resp	 r = { 0 };
	const char		*ok = "7 OK www UP 1795417200123 127.0.0.1 "
				    "k=key1 n=" NONCE32 " mac=" MAC64;
	const char		*er = "7 ERR 404 no such service k=key1 n="
				    NONCE32 " mac=" MAC64 "\r\n";

	(void)state;
	resp_ok(&r, ok);
	assert_string_equal(r.kind, "OK");
	assert_int_equal(r.nfields, 4);
	assert_string_equal(r.fields[3], "127.0.0.1");
	assert_string_equal(r.auth.keyid, "key1");
	assert_string_equal(r.auth.nonce, NONCE32);
	assert_string_equal(r.auth.mac, MAC64);
	assert_int_equal(r.auth.signed_len, strstr(ok, " mac=") - ok);

	resp_ok(&r, er);
	assert_int_equal(r.code, 404);
	assert_string_equal(r.text, "no such service");
	assert_string_equal(r.auth.keyid, "key1");
	assert_string_equal(r.auth.mac, MAC64);
	assert_int_equal(r.auth.signed_len, strstr(er, " mac=") - er);

	/* Out of order: not a signature, plain fields. */
	resp_ok(&r, "7 OK n=" NONCE32 " k=key1 mac=" MAC64);
	assert_null(r.auth.mac);
	assert_int_equal(r.nfields, 3);
	proto_resp_clear(&r);
}

/* An answer signed by auth_sign_answer parses and its mac checks. */
static void
test_resp_sign_roundtrip(void **state)
{
	struct auth_key		 k = { .id = "key1", .len = 16 };
	struct proto_resp	 r = { 0 };
	struct pbuf		 b = { 0 };
	size_t			 start;

	(void)state;
	memcpy(k.key, "0123456789abcdef", 16);
	pbuf_printf(&b, "1 OK pong 1\n");
	start = b.len;
	pbuf_printf(&b, "42 OK www UP 1795417200123 failsh@127.0.0.2");
	auth_sign_answer(&k, NONCE32, &b, start);
	resp_ok(&r, b.data + start);
	assert_int_equal(r.nfields, 4);
	assert_string_equal(r.auth.keyid, "key1");
	assert_string_equal(r.auth.nonce, NONCE32);
	assert_int_equal(r.auth.signed_len,
	    strstr(b.data + start, " mac=") - (b.data + start));
	assert_int_equal(auth_mac_ok(&k, b.data + start, r.auth.signed_len,
	    r.auth.mac), 1);
	assert_int_equal(auth_mac_ok(&k, b.data + start, r.auth.signed_len - 1,
	    r.auth.mac), 0);
	proto_resp_clear(&r);
	pbuf_free(&b);
}

static void
test_resp_list_1000(void **state)
{
	struct proto_resp	 r = { 0 };
	struct pbuf		 b = { 0 };
	char			 name[16];
	int			 i;

	(void)state;
	pbuf_printf(&b, "x OK 1000");
	for (i = 0; i < 1000; i++)
		pbuf_printf(&b, " svc%04d %s %lld %s", i,
		    i % 3 == 0 ? "UP" : i % 3 == 1 ? "RECOVER" : "FAIL",
		    1795417200000LL + i, "failsh@127.0.0.2");
	assert_true(b.len < PROTO_MAX_ANSWER);
	if (proto_parse_response(b.data, b.len, &r, err, sizeof(err)) != 0)
		fail_msg("refused: %s", err);
	assert_int_equal(r.nfields, 4001);
	assert_string_equal(r.fields[0], "1000");
	for (i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "svc%04d", i);
		assert_string_equal(r.fields[1 + 4 * i], name);
	}
	assert_string_equal(r.fields[4 * 999 + 2], "UP");
	assert_string_equal(r.fields[4 * 999 + 3], "1795417200999");
	assert_string_equal(r.fields[4000], "failsh@127.0.0.2");
	proto_resp_clear(&r);
	pbuf_free(&b);
}

static void
test_resp_malformed(void **state)
{
	(void)state;
	resp_fail("", "malformed answer");
	resp_fail("\r\n", "malformed answer");
	resp_fail("7", "malformed answer");
	resp_fail("bad!id OK www", "malformed answer");
	resp_fail("12345678901234567 OK", "malformed answer");
	resp_fail("7 ERR", "malformed error answer");
	resp_fail("7 ERR k=a n=b mac=c", "malformed error answer");
	resp_fail("7 ERR abc text", "malformed error code");
	resp_fail("7 ERR 400x text", "malformed error code");
	resp_fail("7 ERR 99 text", "malformed error code");
	resp_fail("7 ERR 1000 text", "malformed error code");
	resp_fail("7 ERR -400 text", "malformed error code");
}

/* proto.h: kind is "OK", "ERR", "STATE" or "CHANGE". */
static void
test_resp_unknown_kind(void **state)
{
	(void)state;
	resp_fail("7 MAYBE www UP", "");
	resp_fail("7 ok www UP", "");
}

/* The parser must not read past len: line need not be NUL-terminated. */
static void
test_resp_len_respected(void **state)
{
	struct proto_resp	r = { 0 };
	char			buf[64];

	(void)state;
	memset(buf, 'Z', sizeof(buf));
	memcpy(buf, "7 OK www", 8);
	assert_int_equal(proto_parse_response(buf, 8, &r, err, sizeof(err)),
	    0);
	assert_int_equal(r.nfields, 1);
	assert_string_equal(r.fields[0], "www");

	buf[0] = 'x';
	assert_int_equal(proto_parse_response(buf, 1, &r, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "malformed answer \"x\"");
	proto_resp_clear(&r);
}

/* A request signed by auth_sign_request parses and its mac checks. */
static void
test_req_sign_roundtrip(void **state)
{
	struct auth_key	 k = { .id = "rot-2", .len = 32 };
	struct pbuf	 b = { 0 };
	char		 nonce[PROTO_MAX_NONCE + 1], *p;
	size_t		 slen;
	int64_t		 now = 1795417200123LL;

	(void)state;
	memcpy(k.key, "0123456789abcdef0123456789ABCDEF", 32);
	pbuf_printf(&b, "42 set www UP by=failsh");
	auth_sign_request(&k, "node-a", now, &b, nonce);
	assert_int_equal(strlen(nonce), 32);
	req_ok(b.data);
	assert_string_equal(req.id, "42");
	assert_int_equal(req.verb, VERB_SET);
	assert_string_equal(req.by, "failsh");
	assert_string_equal(req.to, "node-a");
	assert_string_equal(req.auth.keyid, "rot-2");
	assert_int_equal(req.auth.ts_ms, now);
	assert_string_equal(req.auth.nonce, nonce);
	slen = (size_t)(strstr(b.data, " mac=") - b.data);
	assert_int_equal(req.auth.signed_len, slen);
	assert_int_equal(auth_mac_ok(&k, b.data, req.auth.signed_len,
	    req.auth.mac), 1);
	assert_int_equal(auth_mac_ok(&k, b.data, slen + 1, req.auth.mac), 0);

	/* A tampered line still parses, but its mac no longer checks. */
	p = strstr(b.data, "www");
	p[2] = 'x';
	req_ok(b.data);
	assert_string_equal(req.argv[0], "wwx");
	assert_int_equal(auth_mac_ok(&k, b.data, req.auth.signed_len,
	    req.auth.mac), 0);
	pbuf_free(&b);
}

static void
test_pbuf(void **state)
{
	struct pbuf	 b = { 0 };
	char		 want[8];
	int		 i;

	(void)state;
	pbuf_reset(&b);
	assert_null(b.data);
	for (i = 0; i < 1000; i++)
		pbuf_printf(&b, "%04d,", i);
	assert_int_equal(b.len, 5000);
	assert_true(b.cap >= 5001);
	assert_int_equal(strlen(b.data), 5000);
	assert_memory_equal(b.data, "0000,0001,0002,", 15);
	assert_string_equal(b.data + 4995, "0999,");
	for (i = 0; i < 1000; i += 97) {
		snprintf(want, sizeof(want), "%04d,", i);
		assert_memory_equal(b.data + 5 * i, want, 5);
	}
	/* One write much bigger than the buffer. */
	pbuf_printf(&b, "%070000d", 7);
	assert_int_equal(b.len, 75000);
	assert_true(b.cap >= 75001);
	assert_int_equal(b.data[74999], '7');
	assert_int_equal(b.data[75000], '\0');

	pbuf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	pbuf_add(&b, "abc\0def", 7);
	assert_int_equal(b.len, 7);
	assert_memory_equal(b.data, "abc\0def", 8);
	pbuf_reset(&b);
	proto_fmt_err(&b, "7", PERR_NOTFOUND, "no such service \"%s\"", "www");
	assert_string_equal(b.data, "7 ERR 404 no such service \"www\"");
	assert_int_equal(b.len, strlen(b.data));
	pbuf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	pbuf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_req_verbs),
		cmocka_unit_test(test_req_case),
		cmocka_unit_test(test_req_separators),
		cmocka_unit_test(test_req_attrs),
		cmocka_unit_test(test_req_auth),
		cmocka_unit_test(test_req_auth_partial),
		cmocka_unit_test(test_req_auth_bad),
		cmocka_unit_test(test_req_empty),
		cmocka_unit_test(test_req_toolong),
		cmocka_unit_test(test_req_nonprint),
		cmocka_unit_test(test_req_error_keeps_id),
		cmocka_unit_test(test_req_bad_id),
		cmocka_unit_test(test_req_unknown_verb),
		cmocka_unit_test(test_req_argcount),
		cmocka_unit_test(test_req_bad_name),
		cmocka_unit_test(test_req_bad_state),
		cmocka_unit_test(test_req_attr_errors),
		cmocka_unit_test(test_req_debug),
		cmocka_unit_test(test_req_sign_roundtrip),
		cmocka_unit_test(test_resp_ok),
		cmocka_unit_test(test_resp_err),
		cmocka_unit_test(test_resp_signed),
		cmocka_unit_test(test_resp_sign_roundtrip),
		cmocka_unit_test(test_resp_list_1000),
		cmocka_unit_test(test_resp_malformed),
		cmocka_unit_test(test_resp_unknown_kind),
		cmocka_unit_test(test_resp_len_respected),
		cmocka_unit_test(test_pbuf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
