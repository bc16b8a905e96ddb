/*
 * failmon_parse.c: the failsh monitor stream of failproto(5), line by
 * line, into snapshots. The last field of HOST (error), SERVICE (reason),
 * HEALTH (check result) and BACKEND (error) is the rest of the line;
 * everything else is one word. Also what every view reads off a parsed
 * snapshot: holds, the backend and owners, glances, staleness.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "failmon.h"
#include "timeutil.h"
#include "xmalloc.h"

#define MON_MAX_FIELDS	12

static void
mon_backend_free(struct mon_backend *b)
{
	if (b == NULL)
		return;
	free(b->kind);
	free(b->endpoint);
	free(b->lease);
	free(b->coord);
	free(b->unreachable);
	free(b->watch);
	free(b->watchdog);
	free(b->error);
	free(b);
}

void
mon_snapshot_free(struct mon_snapshot *s)
{
	size_t	i;

	if (s == NULL)
		return;
	mon_backend_free(s->backend);
	for (i = 0; i < s->nhosts; i++) {
		free(s->hosts[i].name);
		free(s->hosts[i].address);
		free(s->hosts[i].proto);
		free(s->hosts[i].status);
		free(s->hosts[i].error);
	}
	for (i = 0; i < s->nservices; i++) {
		free(s->services[i].name);
		free(s->services[i].state);
		free(s->services[i].busy);
		free(s->services[i].reason);
		free(s->services[i].health);
		free(s->services[i].check);
		free(s->services[i].hold);
		free(s->services[i].hold_to);
		free(s->services[i].hold_by);
		free(s->services[i].owner);
	}
	for (i = 0; i < s->npeers; i++) {
		free(s->peers[i].service);
		free(s->peers[i].role);
		free(s->peers[i].host);
		free(s->peers[i].view);
	}
	free(s->hosts);
	free(s->services);
	free(s->peers);
	free(s->node);
	free(s);
}

/*
 * Split line into at most max fields at blanks; the last one takes the
 * rest of the line. Returns the count. buf is modified.
 */
static int
mon_split(char *buf, char **f, int max)
{
	int	n = 0;

	while (n < max) {
		while (*buf == ' ')
			buf++;
		if (*buf == '\0')
			break;
		f[n++] = buf;
		if (n == max)
			break;
		while (*buf != ' ' && *buf != '\0')
			buf++;
		if (*buf == '\0')
			break;
		*buf++ = '\0';
	}
	return n;
}

static int
mon_number(const char *s, int64_t *v)
{
	char	*end;

	*v = strtoll(s, &end, 10);
	return *end == '\0' && end != s ? 0 : -1;
}

/* Is w one of the words of list (NULL-terminated)? */
static int
mon_word_in(const char *w, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(w, *list) == 0)
			return 1;
	return 0;
}

/* An etcd lease id: 1 to 16 hexadecimal digits ("0": none). */
static int
mon_hex_valid(const char *s)
{
	size_t	n;

	for (n = 0; s[n] != '\0'; n++)
		if (!isxdigit((unsigned char)s[n]))
			return 0;
	return n > 0 && n <= 16;
}

/*
 * BACKEND etcd ENDPOINT LEASE_HEX LEFT_MS FENCE_MS COORD POLICY SYNCED
 * WATCHDOG ERROR, split into f[0..n-1]: the snapshot's backend.
 *
 * Results:
 *	0, or -1 with err naming what is wrong: the line comes once, before
 *	any HOST or SERVICE line, with every word one failproto(5) allows.
 * Side effects:
 *	snap->backend is set on success.
 */
static int
mon_parse_backend(struct mon_snapshot *snap, char **f, int n, char *err,
    size_t errlen)
{
	static const char *const coords[] = { "OK", "UNSURE", "LOST", NULL };
	static const char *const policies[] = { "stop", "keep", NULL };
	static const char *const watches[] = { "synced", "reading", NULL };
	static const char *const watchdogs[] = { "armed", "disarmed", "none",
	    NULL };
	struct mon_backend	*b;
	int64_t			 left, fence;

	if (n != 11 || mon_number(f[4], &left) < 0 || left < 0 ||
	    mon_number(f[5], &fence) < 0 || fence < 0 ||
	    !mon_hex_valid(f[3])) {
		snprintf(err, errlen, "bad BACKEND line");
		return -1;
	}
	if (snap->backend != NULL || snap->nhosts > 0 || snap->nservices > 0) {
		snprintf(err, errlen, "bad BACKEND line: not right after "
		    "SNAPSHOT");
		return -1;
	}
	if (strcmp(f[1], "etcd") != 0) {
		snprintf(err, errlen, "bad BACKEND line: unknown backend "
		    "\"%.20s\"", f[1]);
		return -1;
	}
	if (!mon_word_in(f[6], coords) || !mon_word_in(f[7], policies) ||
	    !mon_word_in(f[8], watches) || !mon_word_in(f[9], watchdogs)) {
		snprintf(err, errlen, "bad BACKEND line: \"%.12s %.12s %.12s "
		    "%.12s\" is no coord, policy, watch and watchdog", f[6],
		    f[7], f[8], f[9]);
		return -1;
	}
	b = xcalloc(1, sizeof(*b));
	b->kind = xstrdup(f[1]);
	b->endpoint = xstrdup(f[2]);
	b->lease = xstrdup(f[3]);
	b->left_ms = left;
	b->fence_ms = fence;
	b->coord = xstrdup(f[6]);
	b->unreachable = xstrdup(f[7]);
	b->watch = xstrdup(f[8]);
	b->watchdog = xstrdup(f[9]);
	b->error = xstrdup(strcmp(f[10], "-") == 0 ? "" : f[10]);
	snap->backend = b;
	return 0;
}

#define GROW(arr, n) \
	((arr) = xrealloc((arr), ((n) + 1) * sizeof(*(arr))), \
	memset(&(arr)[(n)], 0, sizeof(*(arr))), &(arr)[(n)++])

/* The service of the snapshot being read, by name, or NULL. */
static struct mon_service *
mon_service_find(struct mon_snapshot *snap, const char *name)
{
	size_t	i;

	for (i = 0; i < snap->nservices; i++)
		if (strcmp(snap->services[i].name, name) == 0)
			return &snap->services[i];
	return NULL;
}

int
mon_parse_line(struct mon_parser *p, const char *line,
    struct mon_snapshot **done, char *err, size_t errlen)
{
	char		*buf = xstrdup(line), *f[MON_MAX_FIELDS];
	int64_t		 v[6];
	int		 n, rc = -1;

	/* The last field of HOST (error) and SERVICE (reason) is the rest
	 * of the line: split each kind into its own number of fields. */
	n = mon_split(buf, f, strncmp(buf, "HOST ", 5) == 0 ? 9 :
	    strncmp(buf, "SERVICE ", 8) == 0 ? 10 :
	    strncmp(buf, "HEALTH ", 7) == 0 ? 6 :
	    strncmp(buf, "BACKEND ", 8) == 0 ? 11 : MON_MAX_FIELDS);
	if (n == 0) {
		snprintf(err, errlen, "empty line");
		goto done;
	}
	if (strcmp(f[0], "SNAPSHOT") == 0) {
		if (n != 4 || mon_number(f[1], &v[0]) < 0 ||
		    mon_number(f[3], &v[1]) < 0) {
			snprintf(err, errlen, "bad SNAPSHOT line");
			goto done;
		}
		mon_snapshot_free(p->cur);
		p->cur = xcalloc(1, sizeof(*p->cur));
		p->cur->seq = (uint64_t)v[0];
		p->cur->node = xstrdup(f[2]);
		p->cur->time_ms = v[1];
		rc = 0;
		goto done;
	}
	if (p->cur == NULL) {
		snprintf(err, errlen, "%s line outside a snapshot", f[0]);
		goto done;
	}
	if (strcmp(f[0], "BACKEND") == 0) {
		if (mon_parse_backend(p->cur, f, n, err, errlen) < 0)
			goto done;
	} else if (strcmp(f[0], "HOST") == 0) {
		struct mon_host *h;

		if (n != 9 || mon_number(f[3], &v[0]) < 0 ||
		    mon_number(f[6], &v[1]) < 0 ||
		    mon_number(f[7], &v[2]) < 0) {
			snprintf(err, errlen, "bad HOST line");
			goto done;
		}
		h = GROW(p->cur->hosts, p->cur->nhosts);
		h->name = xstrdup(f[1]);
		h->address = xstrdup(f[2]);
		h->port = (int)v[0];
		h->proto = xstrdup(f[4]);
		h->status = xstrdup(f[5]);
		h->last_connect_ms = v[1];
		h->last_call_ms = v[2];
		h->error = xstrdup(strcmp(f[8], "-") == 0 ? "" : f[8]);
	} else if (strcmp(f[0], "SERVICE") == 0) {
		struct mon_service *s;

		if (n != 10 || mon_number(f[3], &v[0]) < 0 ||
		    mon_number(f[4], &v[1]) < 0 ||
		    mon_number(f[5], &v[2]) < 0 ||
		    mon_number(f[6], &v[3]) < 0 ||
		    mon_number(f[7], &v[4]) < 0) {
			snprintf(err, errlen, "bad SERVICE line");
			goto done;
		}
		s = GROW(p->cur->services, p->cur->nservices);
		s->name = xstrdup(f[1]);
		s->state = xstrdup(f[2]);
		s->changed_ms = v[0];
		s->interval_ms = v[1];
		s->deadcount = (int)v[2];
		s->next_ms = v[3];
		s->runs = (uint64_t)v[4];
		s->busy = xstrdup(f[8]);
		s->reason = xstrdup(strcmp(f[9], "-") == 0 ? "" : f[9]);
	} else if (strcmp(f[0], "HEALTH") == 0) {
		struct mon_service *s = n > 1 ? mon_service_find(p->cur, f[1]) :
		    NULL;

		if (n != 6 || s == NULL || s->health != NULL ||
		    mon_number(f[3], &v[0]) < 0 ||
		    mon_number(f[4], &v[1]) < 0) {
			snprintf(err, errlen, "bad HEALTH line");
			goto done;
		}
		s->health = xstrdup(f[2]);
		s->restarts = (int)v[0];
		s->max_restarts = (int)v[1];
		s->check = xstrdup(strcmp(f[5], "-") == 0 ? "" : f[5]);
	} else if (strcmp(f[0], "OWNER") == 0) {
		struct mon_service *s = n > 1 ? mon_service_find(p->cur, f[1]) :
		    NULL;

		/* Only under a backend, once per service, as failsh(8)
		 * writes it: HOST|- EPOCH here|elsewhere. */
		if (n != 5 || s == NULL || s->owner != NULL ||
		    p->cur->backend == NULL ||
		    mon_number(f[3], &v[0]) < 0 || v[0] < 0 ||
		    (strcmp(f[4], "here") != 0 &&
		    strcmp(f[4], "elsewhere") != 0)) {
			snprintf(err, errlen, "bad OWNER line");
			goto done;
		}
		s->owner = xstrdup(strcmp(f[2], "-") == 0 ? "" : f[2]);
		s->epoch = v[0];
		s->owner_here = strcmp(f[4], "here") == 0;
	} else if (strcmp(f[0], "HOLD") == 0) {
		struct mon_service *s = n > 1 ? mon_service_find(p->cur, f[1]) :
		    NULL;

		if (n != 6 || s == NULL || s->hold != NULL ||
		    mon_number(f[4], &v[0]) < 0) {
			snprintf(err, errlen, "bad HOLD line");
			goto done;
		}
		s->hold = xstrdup(f[2]);
		s->hold_to = xstrdup(strcmp(f[3], "-") == 0 ? "" : f[3]);
		s->hold_by = xstrdup(strcmp(f[5], "-") == 0 ? "" : f[5]);
		s->hold_since_ms = v[0];
	} else if (strcmp(f[0], "PEER") == 0) {
		struct mon_peer *pe;

		if (n != 7 || mon_number(f[5], &v[0]) < 0 ||
		    mon_number(f[6], &v[1]) < 0) {
			snprintf(err, errlen, "bad PEER line");
			goto done;
		}
		pe = GROW(p->cur->peers, p->cur->npeers);
		pe->service = xstrdup(f[1]);
		pe->role = xstrdup(f[2]);
		pe->host = xstrdup(f[3]);
		pe->view = xstrdup(f[4]);
		pe->fails = (int)v[0];
		pe->seen_ms = v[1];
	} else if (strcmp(f[0], "END") == 0 && n == 1) {
		*done = p->cur;
		p->cur = NULL;
		rc = 1;
		goto done;
	} else {
		snprintf(err, errlen, "unknown line \"%.20s\"", f[0]);
		goto done;
	}
	rc = 0;
done:
	free(buf);
	return rc;
}

const char *
mon_hold_str(const struct mon_service *v, int64_t now, char *buf, size_t len)
{
	char	age[64];

	snprintf(buf, len, "%s%s%s by %s, %s", v->hold, v->hold_to[0] ?
	    " to " : "", v->hold_to, v->hold_by[0] ? v->hold_by : "?",
	    time_format_age(v->hold_since_ms, now, age, sizeof(age)));
	return buf;
}

const char *
mon_backend_str(const struct mon_backend *b, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s, lease %s (%.2f s left, fence %.2f s), "
	    "coord %s, unreachable %s, watch %s, watchdog %s%s%s", b->kind,
	    b->endpoint, b->lease, b->left_ms / 1000.0, b->fence_ms / 1000.0,
	    b->coord, b->unreachable, b->watch, b->watchdog,
	    b->error[0] ? ", error: " : "", b->error);
	return buf;
}

enum mon_glance
mon_glance(const struct mon_target *t, const struct mon_service *v)
{
	const struct mon_snapshot	*s = t->snap;
	size_t				 i;

	if (!t->connected)
		return GLANCE_STALE;
	if (strcmp(v->state, "UP") == 0)
		return GLANCE_UP;
	if (strcmp(v->state, "RECOVER") != 0)
		return GLANCE_ATTENTION;
	/* Under a backend the owner key says where it runs, not peers. */
	if (v->owner != NULL)
		return v->owner[0] != '\0' && !v->owner_here ?
		    GLANCE_STANDBY : GLANCE_ATTENTION;
	for (i = 0; i < s->npeers; i++)
		if (strcmp(s->peers[i].service, v->name) == 0 &&
		    strcmp(s->peers[i].role, "quorum") != 0 &&
		    strcmp(s->peers[i].view, "UP") == 0)
			return GLANCE_STANDBY;
	return GLANCE_ATTENTION;
}

const char *
mon_glance_str(enum mon_glance g)
{
	switch (g) {
	case GLANCE_UP:
		return "up";
	case GLANCE_STANDBY:
		return "standby";
	case GLANCE_ATTENTION:
		return "attention";
	case GLANCE_STALE:
		return "stale";
	}
	return "?";
}

const char *
mon_stale_str(const struct mon_target *t, int64_t now, char *buf,
    size_t len)
{
	int64_t	s = (now - t->updated_ms) / 1000;

	if (s < 0)
		s = 0;
	if (s < 120)
		snprintf(buf, len, "stale %" PRId64 "s", s);
	else if (s < 7200)
		snprintf(buf, len, "stale %" PRId64 "m", s / 60);
	else
		snprintf(buf, len, "stale %" PRId64 "h", s / 3600);
	return buf;
}
