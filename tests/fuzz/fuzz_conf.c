/*
 * fuzz_conf.c: libFuzzer target for faildns.conf(5): fdns_conf_parse on
 * the input, its error or its structures checked; then, with member states
 * drawn from the input's bytes, fdns_select on every name and the answer's
 * invariants checked (sizes, indexes, addresses from the pool or the
 * fallback set, an undegraded answer only of UP members). Seeds in
 * corpus/fuzz_conf/. Build:
 *	clang -g -O1 -fsanitize=fuzzer,address,undefined -I faildns -I lib \
 *	    tests/fuzz/fuzz_conf.c faildns/conf.c faildns/select.c \
 *	    lib/proto.c lib/xmalloc.c -o fuzz_conf
 */
#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "select.h"

#define FUZZ_PATH	"/fuzz/faildns.conf"

#define CHECK(c) do {							\
	if (!(c))							\
		fuzz_fail(__LINE__, #c);				\
} while (0)

static void
fuzz_fail(int line, const char *what)
{
	fprintf(stderr, "fuzz_conf.c:%d: invariant broken: %s\n", line, what);
	abort();
}

/* Lines as the parser counts them: LF-terminated, the last maybe not. */
static long
fuzz_lines(const char *text, size_t len)
{
	long	n = 0;
	size_t	i;

	for (i = 0; i < len; i++)
		if (text[i] == '\n')
			n++;
	if (len > 0 && text[len - 1] != '\n')
		n++;
	return n;
}

static void
fuzz_refused(const char *text, size_t len, const char *err, size_t errlen)
{
	size_t	 plen = strlen(FUZZ_PATH);
	char	*end;
	long	 line;

	CHECK(memchr(err, '\0', errlen) != NULL);
	CHECK(strncmp(err, FUZZ_PATH, plen) == 0 && err[plen] == ':');
	CHECK(err[plen + 1] >= '1' && err[plen + 1] <= '9');
	line = strtol(err + plen + 1, &end, 10);
	CHECK(line >= 1 && line <= fuzz_lines(text, len));
	CHECK(end[0] == ':' && end[1] == ' ' && end[2] != '\0');
}

static int
fuzz_addr_eq(const struct fdns_addr *a, const struct fdns_addr *b)
{
	return a->family == b->family && memcmp(a->a, b->a,
	    a->family == AF_INET ? 4 : 16) == 0;
}

/* The zone's wire name ends name's, on a label boundary. */
static int
fuzz_in_zone(const struct fdns_zone *z, const struct fdns_name *n)
{
	size_t	o;

	for (o = 0; o < n->wirelen; o += n->wire[o] + 1) {
		if (n->wirelen - o == z->wirelen &&
		    memcmp(n->wire + o, z->wire, z->wirelen) == 0)
			return 1;
		if (n->wire[o] == 0)
			break;
	}
	return 0;
}

static void
fuzz_accepted(const struct fdns_conf *c)
{
	char	buf[64];
	size_t	i, j;
	int	k;

	CHECK(c->path != NULL && strcmp(c->path, FUZZ_PATH) == 0);
	CHECK(c->detect_s >= 0 && c->detect_s <= 86400);
	CHECK(c->nsources <= FDNS_MAX_SOURCES);
	for (i = 0; i < c->nzones; i++)
		CHECK(c->zones[i].name != NULL && c->zones[i].file != NULL &&
		    c->zones[i].wirelen >= 1 &&
		    c->zones[i].wirelen <= FDNS_NAME_MAX);
	for (i = 0; i < c->nsources; i++)
		CHECK(c->sources[i].name != NULL &&
		    c->sources[i].faild != NULL);
	for (i = 0; i < c->nupdates; i++)
		CHECK(c->updates[i].name != NULL &&
		    c->updates[i].server != NULL);
	for (i = 0; i < c->npools; i++) {
		const struct fdns_pool *p = &c->pools[i];

		CHECK(p->nmembers >= 1 && p->nmembers <= FDNS_MAX_ANSWER);
		CHECK(p->nsources == (int)c->nsources || p->nsources >= 1);
		CHECK(p->nsources <= FDNS_MAX_SOURCES);
		for (k = 0; k < p->nsources; k++)
			CHECK(p->sources[k] >= 0 &&
			    (size_t)p->sources[k] < c->nsources);
		CHECK(p->agree >= 1);
		CHECK(p->nsources == 0 || p->agree <= p->nsources);
		CHECK(p->scope == FDNS_SCOPE_NAME ||
		    p->scope == FDNS_SCOPE_DOMAIN);
		CHECK(p->detect_s >= 0 && p->detect_s <= 86400);
		for (j = 0; j < p->nmembers; j++) {
			const struct fdns_member *m = &p->members[j];

			CHECK(m->addr.family == AF_INET ||
			    m->addr.family == AF_INET6);
			CHECK(m->priority >= 0 && m->priority <= FDNS_PRIO_MAX);
			CHECK(m->weight >= 1 && m->weight <= 1000);
			CHECK(m->nservices >= 0 &&
			    m->nservices <= FDNS_MAX_SERVICES);
			CHECK(m->state == FDNS_M_UNKNOWN);
			CHECK(m->votes_up == 0 && m->votes_down == 0);
			fdns_addr_str(&m->addr, buf, sizeof(buf));
			fdns_prio_str(m->priority, buf, sizeof(buf));
		}
	}
	for (i = 0; i < c->nnames; i++) {
		const struct fdns_name *n = &c->names[i];

		CHECK(n->pool >= c->pools && n->pool < c->pools + c->npools);
		CHECK(n->zone >= 0 && (size_t)n->zone < c->nzones);
		CHECK(fuzz_in_zone(&c->zones[n->zone], n));
		CHECK(n->ttl <= 86400);
		CHECK(n->alldown != FDNS_RULE_LAST);
		CHECK(n->nfallback >= 0 && n->nfallback <= FDNS_MAX_FALLBACK);
		CHECK((n->alldown != FDNS_RULE_FALLBACK &&
		    n->unknown != FDNS_RULE_FALLBACK) || n->nfallback > 0);
		CHECK(n->select != FDNS_SEL_WEIGHTED ||
		    (n->count >= 1 && n->count <= FDNS_MAX_ANSWER));
		CHECK(n->nupdates >= 0 && n->nupdates <= FDNS_MAX_SOURCES);
		for (k = 0; k < n->nupdates; k++)
			CHECK(n->updates[k] >= c->updates &&
			    n->updates[k] < c->updates + c->nupdates);
		fdns_select_str(n->select);
		fdns_rule_str(n->alldown);
		fdns_rule_str(n->unknown);
	}
}

/* b is one of n's pool's enabled members or fallback addresses. */
static int
fuzz_known_addr(const struct fdns_name *n, const struct fdns_addr *b,
    int up_only, const struct fdns_conf *c)
{
	size_t	j;
	int	k;

	for (j = 0; j < n->pool->nmembers; j++) {
		const struct fdns_member *m = &n->pool->members[j];

		if (m->priority != FDNS_PRIO_DISABLED &&
		    fuzz_addr_eq(&m->addr, b) && (!up_only ||
		    fdns_member_state(c, n, m) == FDNS_M_UP))
			return 1;
	}
	if (up_only)
		return 0;
	for (k = 0; k < n->nfallback; k++)
		if (fuzz_addr_eq(&n->fallback[k], b))
			return 1;
	return 0;
}

static void
fuzz_choice(const struct fdns_conf *c, const struct fdns_name *n,
    const struct fdns_choice *ch)
{
	int	i, j, k, seen[FDNS_MAX_ANSWER];

	CHECK(ch->rule != NULL && ch->rule[0] != '\0');
	CHECK(memchr(ch->why, '\0', sizeof(ch->why)) != NULL);
	CHECK(ch->why[0] != '\0');
	CHECK(ch->degraded == 0 || ch->degraded == 1);
	CHECK(ch->degraded || strcmp(ch->rule, "best level") == 0 ||
	    strcmp(ch->rule, "ordered") == 0);
	if (ch->kind != FDNS_ANS_ADDRS) {
		CHECK(ch->kind == FDNS_ANS_NODATA ||
		    ch->kind == FDNS_ANS_SERVFAIL);
		CHECK(ch->nbase == 0 && ch->nvariants == 0);
		return;
	}
	CHECK(ch->nbase >= 1 && ch->nbase <= FDNS_MAX_ANSWER);
	CHECK(ch->nvariants >= 1 && ch->nvariants <= FDNS_MAX_VARIANTS);
	for (i = 0; i < ch->nbase; i++) {
		CHECK(fuzz_known_addr(n, &ch->base[i], !ch->degraded, c));
		for (j = 0; j < i; j++)
			CHECK(!fuzz_addr_eq(&ch->base[i], &ch->base[j]));
	}
	for (j = 0; j < ch->nvariants; j++) {
		CHECK(ch->nvariant[j] >= 1 && ch->nvariant[j] <= ch->nbase);
		memset(seen, 0, sizeof(seen));
		for (k = 0; k < ch->nvariant[j]; k++) {
			CHECK(ch->variant[j][k] < ch->nbase);
			CHECK(!seen[ch->variant[j][k]]);
			seen[ch->variant[j][k]] = 1;
		}
		if (n->select == FDNS_SEL_WEIGHTED &&
		    strcmp(ch->rule, "best level") == 0)
			CHECK(ch->nvariant[j] == (n->count < ch->nbase ?
			    n->count : ch->nbase));
		if (n->select == FDNS_SEL_ORDERED)
			CHECK(ch->nbase == 1 || ch->degraded);
	}
	/* Weighted over the level: every member up comes first sometimes. */
	if (n->select == FDNS_SEL_WEIGHTED &&
	    strncmp(ch->rule, "all down", 8) != 0 &&
	    strncmp(ch->rule, "unknown", 7) != 0) {
		memset(seen, 0, sizeof(seen));
		for (j = 0; j < ch->nvariants; j++)
			seen[ch->variant[j][0]]++;
		for (i = 0; i < ch->nbase; i++)
			CHECK(seen[i] >= 1);
	}
	CHECK(fdns_worst_case_s(n) == n->pool->detect_s + (int)n->ttl);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fdns_conf	*c;
	struct fdns_choice	 ch;
	char			*text, err[1024];
	size_t			 i, j, b = 0;

	/* An exact-size copy: ASan sees any read past the end. */
	if ((text = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	memset(err, 'X', sizeof(err));
	if (fdns_conf_parse(FUZZ_PATH, text, size, &c, err, sizeof(err)) < 0) {
		CHECK(c == NULL);
		fuzz_refused(text, size, err, sizeof(err));
		free(text);
		return 0;
	}
	fuzz_accepted(c);
	/* States from the input's bytes, from its end backwards. */
	for (i = 0; i < c->npools; i++)
		for (j = 0; j < c->pools[i].nmembers; j++) {
			uint8_t x = size > 0 ? data[size - 1 - b++ % size] : 0;

			c->pools[i].members[j].state = (enum fdns_mstate)(x %
			    3);
		}
	for (i = 0; i < c->nnames; i++) {
		fdns_select(c, &c->names[i], &ch);
		fuzz_choice(c, &c->names[i], &ch);
	}
	fdns_conf_free(c);
	free(text);
	return 0;
}
