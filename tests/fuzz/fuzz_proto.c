/*
 * fuzz_proto.c: libFuzzer target for the failproto(5) parsers. Each input
 * goes to proto_parse_request and proto_parse_response; what they accept
 * is re-checked against their invariants, and an accepted request must
 * survive being formatted and parsed again. Built by scripts/fuzz.sh.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

#define CHECK(c) do {							\
	if (!(c))							\
		fuzz_fail(__LINE__, #c);				\
} while (0)

static void
fuzz_fail(int line, const char *what)
{
	fprintf(stderr, "fuzz_proto.c:%d: invariant broken: %s\n", line, what);
	abort();
}

static int
fuzz_inside(const char *p, const char *buf, size_t len)
{
	return p != NULL && p >= buf && p + strlen(p) <= buf + len;
}

static int
fuzz_is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Format an accepted request again (without auth) and parse it back. */
static void
fuzz_reparse(const struct proto_req *req)
{
	static struct proto_req	 again;
	struct pbuf		 b = { 0 };
	char			 err[128];
	int			 i, code;

	pbuf_printf(&b, "%s %s", req->id, proto_verb_str(req->verb));
	for (i = 0; i < req->argc; i++)
		pbuf_printf(&b, " %s", req->argv[i]);
	if (req->community != NULL)
		pbuf_printf(&b, " c=%s", req->community);
	if (req->by != NULL)
		pbuf_printf(&b, " by=%s", req->by);
	if (b.len <= PROTO_MAX_LINE) {
		CHECK(proto_parse_request(b.data, b.len, &again, &code, err,
		    sizeof(err)) == 0);
		CHECK(strcmp(again.id, req->id) == 0);
		CHECK(again.verb == req->verb);
		CHECK(again.argc == req->argc);
		for (i = 0; i < req->argc; i++)
			CHECK(strcmp(again.argv[i], req->argv[i]) == 0);
		CHECK((again.community == NULL) == (req->community == NULL));
		CHECK((again.by == NULL) == (req->by == NULL));
		CHECK(again.auth.mac == NULL);
	}
	pbuf_free(&b);
}

static void
fuzz_request(const char *data, size_t size)
{
	static struct proto_req	 req;
	static const int	 nargs[VERB_MAX] = {
		[VERB_GET] = 1, [VERB_SET] = 2, [VERB_DELETE] = 1, [VERB_SHOW] = 1,
	};
	char			 err[256];
	int			 code = 0, i;
	const char		*p;

	memset(err, 'X', sizeof(err));
	if (proto_parse_request(data, size, &req, &code, err,
	    sizeof(err)) < 0) {
		CHECK(code == PERR_MALFORMED || code == PERR_VERB ||
		    code == PERR_TOOBIG);
		CHECK(memchr(err, '\0', sizeof(err)) != NULL && err[0] != '\0');
		CHECK(strcmp(req.id, "-") == 0 || proto_id_valid(req.id));
		return;
	}
	CHECK(proto_id_valid(req.id));
	CHECK(req.verb < VERB_MAX);
	CHECK(req.argc >= 0 && req.argc <= PROTO_MAX_ARGS);
	CHECK(strlen(req.buf) <= PROTO_MAX_LINE);
	for (i = 0; i < req.argc; i++) {
		CHECK(fuzz_inside(req.argv[i], req.buf, sizeof(req.buf)));
		CHECK(req.argv[i][0] != '\0');
		CHECK(strpbrk(req.argv[i], "= \t") == NULL);
	}
	if (req.verb == VERB_DEBUG) {
		CHECK(req.argc % 2 == 0);
		for (i = 1; i < req.argc; i += 2)
			CHECK(req.argv[i][0] >= '0' && req.argv[i][0] <= '9' &&
			    req.argv[i][1] == '\0');
	} else
		CHECK(req.argc == nargs[req.verb]);
	if (req.verb == VERB_GET || req.verb == VERB_SET ||
	    req.verb == VERB_DELETE)
		CHECK(proto_name_valid(req.argv[0]));
	if (req.community != NULL) {
		CHECK(fuzz_inside(req.community, req.buf, sizeof(req.buf)));
		CHECK(strlen(req.community) >= 1 &&
		    strlen(req.community) <= PROTO_MAX_COMMUNITY);
	}
	if (req.by != NULL)
		CHECK(proto_name_valid(req.by));
	if (req.auth.mac == NULL) {
		CHECK(req.auth.keyid == NULL && req.auth.nonce == NULL);
		CHECK(req.auth.ts_ms < 0 && req.auth.signed_len == 0);
	} else {
		CHECK(req.auth.keyid != NULL && req.auth.nonce != NULL);
		CHECK(req.auth.ts_ms >= 0);
		CHECK(strlen(req.auth.mac) == 64);
		CHECK(req.auth.signed_len > 0 && req.auth.signed_len < size);
		/* Whitespace, then "mac=": the mac covers what is before. */
		p = data + req.auth.signed_len;
		CHECK(fuzz_is_space(*p));
		while (p < data + size && fuzz_is_space(*p))
			p++;
		CHECK((size_t)(data + size - p) >= 4 &&
		    memcmp(p, "mac=", 4) == 0);
		CHECK(!fuzz_is_space(data[req.auth.signed_len - 1]));
	}
	fuzz_reparse(&req);
}

static void
fuzz_response(const char *data, size_t size)
{
	struct proto_resp	 resp;
	char			 err[256];
	size_t			 cap = size + 1;
	const char		*p;
	int			 i;

	memset(&resp, 0, sizeof(resp));
	if (proto_parse_response(data, size, &resp, err, sizeof(err)) < 0) {
		CHECK(memchr(err, '\0', sizeof(err)) != NULL && err[0] != '\0');
		proto_resp_clear(&resp);
		return;
	}
	CHECK(proto_id_valid(resp.id) || strcmp(resp.id, "-") == 0);
	CHECK(fuzz_inside(resp.kind, resp.buf, cap));
	if (strcmp(resp.kind, "ERR") == 0) {
		CHECK(resp.code >= 100 && resp.code <= 999);
		CHECK(resp.text != NULL);
	} else {
		CHECK(resp.nfields >= 0 && (size_t)resp.nfields <= size / 2);
		for (i = 0; i < resp.nfields; i++)
			CHECK(fuzz_inside(resp.fields[i], resp.buf, cap));
	}
	if (resp.auth.mac != NULL) {
		CHECK(resp.auth.keyid != NULL && resp.auth.nonce != NULL);
		CHECK(resp.auth.signed_len > 0 && resp.auth.signed_len < size);
		p = data + resp.auth.signed_len;
		CHECK(fuzz_is_space(*p));
		while (p < data + size && fuzz_is_space(*p))
			p++;
		CHECK((size_t)(data + size - p) >= 4 &&
		    memcmp(p, "mac=", 4) == 0);
	} else
		CHECK(resp.auth.signed_len == 0);
	proto_resp_clear(&resp);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*line = (const char *)data;
#ifdef FUZZ_NUL_TERMINATED
	char		*copy = malloc(size + 1);

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	line = copy;
#endif
	fuzz_request(line, size);
	fuzz_response(line, size);
#ifdef FUZZ_NUL_TERMINATED
	free(copy);
#endif
	return 0;
}
