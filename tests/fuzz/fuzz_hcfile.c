/*
 * fuzz_hcfile.c: libFuzzer target for hcfile_parse, hc's Hcfile(5) parser,
 * with every check's parse function behind it. What it accepts is checked
 * against the invariants hc_run.c relies on; what it refuses must say
 * "path:line: problem" or "path: no targets". Built by scripts/fuzz.sh.
 *
 * Parsing may resolve host names and read certificate files: this file
 * interposes getaddrinfo (numeric addresses only, so nothing goes to a
 * name server), aborts on an IPv4 or IPv6 socket or a connect (a parser
 * that talks is a bug), and lets fopen read only regular files and
 * directories (no FIFO or device to hang on).
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/stat.h>

#include <dlfcn.h>
#include <errno.h>
#include <netdb.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hc.h"
#include "log.h"
#include "proto.h"

#define FUZZ_PATH	"/fuzz/Hcfile"
#define FUZZ_MAX_MS	86400000	/* hc_parse_duration's upper bound */

#define CHECK(c) do {							\
	if (!(c))							\
		fuzz_fail(__LINE__, #c);				\
} while (0)

/* hc.c defines these for hc; hc.c itself (main) is not linked. */
struct log_facility log_facilities[] = {
	{ "main", 0 }, { "check", 0 }, { "action", 0 }, { "net", 0 },
	{ "monitor", 0 }, { NULL, 0 }
};

static void
fuzz_fail(int line, const char *what)
{
	fprintf(stderr, "fuzz_hcfile.c:%d: invariant broken: %s\n", line,
	    what);
	abort();
}

/* ------------------------------------------------------------------ */
/* No network, no blocking files */

typedef int	(*gai_fn)(const char *, const char *,
		    const struct addrinfo *, struct addrinfo **);
typedef FILE	*(*fopen_fn)(const char *, const char *);

int
getaddrinfo(const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res)
{
	static gai_fn	 real;
	struct addrinfo	 h;

	if (real == NULL &&
	    (real = (gai_fn)dlsym(RTLD_NEXT, "getaddrinfo")) == NULL)
		fuzz_fail(__LINE__, "dlsym getaddrinfo");
	if (hints != NULL)
		h = *hints;
	else {
		memset(&h, 0, sizeof(h));
		h.ai_family = AF_UNSPEC;
	}
	h.ai_flags |= AI_NUMERICHOST;
	return real(node, service, &h, res);
}

int
socket(int domain, int type, int protocol)
{
	(void)type;
	(void)protocol;
	if (domain == AF_INET || domain == AF_INET6)
		fuzz_fail(__LINE__, "no socket while parsing an Hcfile");
	errno = EACCES;
	return -1;
}

int
connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	(void)fd;
	(void)sa;
	(void)len;
	fuzz_fail(__LINE__, "no connect while parsing an Hcfile");
	return -1;
}

static FILE *
fuzz_fopen(const char *sym, const char *path, const char *mode)
{
	fopen_fn	 real;
	struct stat	 st;

	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) &&
	    !S_ISDIR(st.st_mode)) {
		errno = EACCES;
		return NULL;
	}
	if ((real = (fopen_fn)dlsym(RTLD_NEXT, sym)) == NULL)
		fuzz_fail(__LINE__, "dlsym fopen");
	return real(path, mode);
}

FILE *
fopen(const char *path, const char *mode)
{
	return fuzz_fopen("fopen", path, mode);
}

FILE *
fopen64(const char *path, const char *mode)
{
	return fuzz_fopen("fopen64", path, mode);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/*
	 * https with verify on loads the system's CA bundle at parse time,
	 * 150 certificates for every such input: OpenSSL ignores a missing
	 * default file, and hc's own code runs the same.
	 */
	setenv("SSL_CERT_FILE", "/nonexistent/fuzz_hcfile/cert.pem", 1);
	setenv("SSL_CERT_DIR", "/nonexistent/fuzz_hcfile/certs", 1);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Invariants */

/* Lines as hcfile_parse counts them: LF-terminated, the last maybe not. */
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
	size_t		 plen = strlen(FUZZ_PATH);
	const char	*p;
	char		*end;
	long		 line;

	CHECK(memchr(err, '\0', errlen) != NULL);
	CHECK(strncmp(err, FUZZ_PATH, plen) == 0 && err[plen] == ':');
	p = err + plen + 1;
	if (strcmp(p, " no targets") == 0)
		return;
	CHECK(*p >= '1' && *p <= '9');
	line = strtol(p, &end, 10);
	CHECK(line >= 1 && line <= fuzz_lines(text, len));
	CHECK(end[0] == ':' && end[1] == ' ' && end[2] != '\0');
}

static int
fuzz_in_list(const struct hc_config *c, const struct hc_target *t)
{
	const struct hc_target	*o;

	for (o = c->targets; o != NULL; o = o->next)
		if (o == t)
			return 1;
	return 0;
}

static int
fuzz_ptrcmp(const void *a, const void *b)
{
	uintptr_t	x = (uintptr_t)*(const void *const *)a;
	uintptr_t	y = (uintptr_t)*(const void *const *)b;

	return x < y ? -1 : x > y;
}

/* Position of t in the sorted array ts[n]. */
static size_t
fuzz_index(const struct hc_target **ts, size_t n, const struct hc_target *t)
{
	const struct hc_target	**p;

	p = bsearch(&t, ts, n, sizeof(*ts), fuzz_ptrcmp);
	CHECK(p != NULL);
	return (size_t)(p - ts);
}

/*
 * Is a target reachable from itself through its dependencies? A
 * depth-first search that visits each target once (hcfile.c's own search
 * is another algorithm, so the two check each other).
 */
static int
fuzz_cyclic(const struct hc_config *c)
{
	const struct hc_target	**ts, *t, *d;
	size_t			  n = (size_t)c->ntargets, i, *stack, *next, top;
	char			 *color;	/* 0 new, 1 on path, 2 done */
	int			  cyclic = 0;

	ts = calloc(n, sizeof(*ts));
	stack = calloc(n, sizeof(*stack));
	next = calloc(n, sizeof(*next));
	color = calloc(n, 1);
	CHECK(ts != NULL && stack != NULL && next != NULL && color != NULL);
	for (i = 0, t = c->targets; t != NULL; t = t->next)
		ts[i++] = t;
	qsort(ts, n, sizeof(*ts), fuzz_ptrcmp);
	for (i = 0; i < n && !cyclic; i++) {
		if (color[i] != 0)
			continue;
		stack[0] = i;
		next[i] = 0;
		color[i] = 1;
		top = 1;
		while (top > 0 && !cyclic) {
			t = ts[stack[top - 1]];
			if ((int)next[stack[top - 1]] == t->ndeps) {
				color[stack[--top]] = 2;
				continue;
			}
			d = t->deps[next[stack[top - 1]]++];
			switch (color[fuzz_index(ts, n, d)]) {
			case 1:
				cyclic = 1;
				break;
			case 0:
				stack[top] = fuzz_index(ts, n, d);
				next[stack[top]] = 0;
				color[stack[top++]] = 1;
				break;
			}
		}
	}
	free(ts);
	free(stack);
	free(next);
	free(color);
	return cyclic;
}

static void
fuzz_target(const struct hc_config *c, const struct hc_target *t)
{
	const struct hc_action	*a;
	int			 i, j;

	CHECK(proto_name_valid(t->name));
	CHECK(proto_name_valid(t->service));
	CHECK(hc_target_find((struct hc_config *)c, t->name) == t);
	CHECK(t->line >= 1);
	CHECK(t->ndeps >= 0 && t->ndeps <= HC_MAX_DEPS);
	CHECK(t->check != NULL || t->ndeps > 0);
	for (i = 0; i < t->ndeps; i++) {
		CHECK(t->deps[i] != NULL && fuzz_in_list(c, t->deps[i]));
		CHECK(t->deps[i] != t);
		CHECK(t->dep_names[i] != NULL &&
		    proto_name_valid(t->dep_names[i]));
		CHECK(strcmp(t->dep_names[i], t->deps[i]->name) == 0);
	}
	if (t->check != NULL) {
		CHECK(hc_check_find(t->check->name) == t->check);
		CHECK(t->check_conf != NULL && t->check_text != NULL);
	} else
		CHECK(t->check_conf == NULL && t->check_text == NULL);
	CHECK(t->interval_ms >= 1 && t->interval_ms <= FUZZ_MAX_MS);
	CHECK(t->timeout_ms >= 1 && t->timeout_ms <= FUZZ_MAX_MS);
	CHECK(t->action_timeout_ms >= 1 &&
	    t->action_timeout_ms <= FUZZ_MAX_MS);
	CHECK(t->rise >= 1 && t->rise <= 100);
	CHECK(t->fall >= 1 && t->fall <= 100);
	CHECK(t->nagree >= 0 && t->nagree <= HC_MAX_AGREE);
	for (i = 0; i < t->nagree; i++)
		CHECK(t->agree_hosts[i] != NULL);
	if (t->agree > 0) {
		CHECK(t->check != NULL);
		CHECK(t->agree <= t->nagree + 1);
		CHECK(strlen(t->service) + strlen(HC_SEEN_SUFFIX) <=
		    PROTO_MAX_NAME);
	} else
		CHECK(t->agree == 0 && t->nagree == 0);
	for (a = t->actions; a != NULL; a = a->next) {
		CHECK(a->on == SVC_UP || a->on == SVC_FAIL);
		CHECK(a->kind == ACT_EXEC || a->kind == ACT_MAIL ||
		    a->kind == ACT_FAILC || a->kind == ACT_LOG);
		CHECK(a->argc >= (a->kind == ACT_LOG ? 0 : 1));
		CHECK(a->kind != ACT_FAILC || a->argc == 3);
		for (j = 0; j < a->argc; j++)
			CHECK(a->argv[j] != NULL);
		CHECK(a->argv[a->argc] == NULL);
		CHECK(a->line >= t->line);
	}
}

static void
fuzz_accepted(const struct hc_config *c)
{
	const struct hc_target	*t;
	int			 n = 0;

	CHECK(c->ntargets > 0);
	for (t = c->targets; t != NULL; t = t->next) {
		CHECK(++n <= c->ntargets);
		fuzz_target(c, t);
	}
	CHECK(n == c->ntargets);
	CHECK(!fuzz_cyclic(c));
	CHECK(c->path != NULL && strcmp(c->path, FUZZ_PATH) == 0);
	CHECK(c->faild != NULL && c->sendmail != NULL && c->node != NULL);
	CHECK(c->keyid == NULL || c->keyfile != NULL);
	CHECK(c->keys == NULL && c->key == NULL);	/* hcfile_load's */
	CHECK(c->interval_ms >= 1 && c->interval_ms <= FUZZ_MAX_MS);
	CHECK(c->timeout_ms >= 1 && c->timeout_ms <= FUZZ_MAX_MS);
	CHECK(c->action_timeout_ms >= 1 &&
	    c->action_timeout_ms <= FUZZ_MAX_MS);
	CHECK(c->rise >= 1 && c->rise <= 100);
	CHECK(c->fall >= 1 && c->fall <= 100);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hc_config	*c;
	char			*text, err[1024];

	/* An exact-size copy: ASan sees any read past the end. */
	if ((text = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	memset(err, 'X', sizeof(err));
	c = hcfile_parse(FUZZ_PATH, text, size, err, sizeof(err));
	if (c == NULL)
		fuzz_refused(text, size, err, sizeof(err));
	else {
		fuzz_accepted(c);
		hcfile_free(c);
	}
	free(text);
	return 0;
}
