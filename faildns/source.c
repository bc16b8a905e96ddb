/*
 * source.c: the states faildns answers from. Each source (a faild, one
 * vantage point) is followed through its watch stream by a thread of its
 * own; its view (record name -> state) is kept when it cannot be reached.
 * A member's vote from a source: DOWN when one of its services is there
 * and not UP, UP when all are UP, none otherwise. A member is DOWN when
 * agree sources vote DOWN, UP when any source votes and fewer do, UNKNOWN
 * without votes (then, for the pools of a name whose unknown rule is
 * "last", the state persisted before the restart stands in). A member's
 * change makes its pool's names choose again at once; the states are
 * written to the state file a moment later. A watch stream says nothing
 * while nothing changes, and a stopped faild's kernel keeps the
 * connection: a second thread pings each followed faild, and cuts the
 * stream of one that does not answer.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <inttypes.h>
#include <pth.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "client.h"
#include "faildns.h"
#include "log.h"
#include "state.h"
#include "timeutil.h"
#include "xmalloc.h"

#define SOURCE_RETRY_MS		1000
#define SOURCE_PING_MS		2000	/* a followed faild, asked if alive */
#define SOURCE_TABLE_MS		10000	/* the table, once asked */
#define SOURCE_HASH		256
#define PERSIST_MS		1000	/* state file: at most once a second */

struct view_rec {
	struct view_rec	*next;
	enum svc_state	 state;
	char		 name[PROTO_MAX_NAME + 1];
};

/* A source as followed: kept across reloads by its name. */
struct source {
	char		*name;
	char		*faild;		/* "host[:port]" */
	struct view_rec	*hash[SOURCE_HASH];
	int		 up;		/* the stream is open */
	int		 ever;		/* it has been */
	int64_t		 since_ms;	/* up or down since, wall clock */
	char		 why[256];	/* why down */
	int		 fd;		/* the stream's socket, or -1 */
	int		 gen;		/* the conf generation it follows */
	struct source	*next;
};

static struct source	*sources;
static int		 generation;
static struct keyring	*keys;
static int		 dirty;		/* state file behind */
static int		 all_down_logged;

static unsigned
view_hash(const char *s)
{
	unsigned	h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h % SOURCE_HASH;
}

static struct view_rec *
view_find(const struct source *s, const char *name)
{
	struct view_rec	*r;

	for (r = s->hash[view_hash(name)]; r != NULL; r = r->next)
		if (strcmp(r->name, name) == 0)
			return r;
	return NULL;
}

static void
view_set(struct source *s, const char *name, enum svc_state st)
{
	struct view_rec	*r = view_find(s, name);
	unsigned	 h;

	if (r == NULL) {
		if (st == SVC_NONE || strlen(name) > PROTO_MAX_NAME)
			return;
		h = view_hash(name);
		r = xcalloc(1, sizeof(*r));
		snprintf(r->name, sizeof(r->name), "%s", name);
		r->next = s->hash[h];
		s->hash[h] = r;
	}
	r->state = st;
}

static void
view_clear(struct source *s)
{
	struct view_rec	*r, *next;
	int		 i;

	for (i = 0; i < SOURCE_HASH; i++) {
		for (r = s->hash[i]; r != NULL; r = next) {
			next = r->next;
			free(r);
		}
		s->hash[i] = NULL;
	}
}

static struct source *
source_of(const struct fdns_conf *conf, int i)
{
	struct source	*s;

	for (s = sources; s != NULL; s = s->next)
		if (strcmp(s->name, conf->sources[i].name) == 0)
			return s;
	return NULL;
}

/* Source s's vote on m: -1 none, 0 UP, 1 DOWN. */
static int
vote(const struct source *s, const struct fdns_member *m)
{
	const struct view_rec	*r;
	int			 i, unknown = 0;

	for (i = 0; i < m->nservices; i++) {
		if ((r = view_find(s, m->services[i])) == NULL ||
		    r->state == SVC_NONE)
			unknown = 1;
		else if (r->state != SVC_UP)
			return 1;
	}
	return unknown ? -1 : 0;
}

/* Does a name of pool p take the persisted states before any vote? */
static int
pool_takes_last(const struct fdns_conf *conf, const struct fdns_pool *p)
{
	size_t	i;

	for (i = 0; i < conf->nnames; i++)
		if (conf->names[i].pool == p &&
		    conf->names[i].unknown == FDNS_RULE_LAST)
			return 1;
	return 0;
}

/* The persisted states: "pool address state changed_ms" lines. */
struct persisted {
	char		 pool[128];
	char		 addr[64];
	enum fdns_mstate state;
	int64_t		 changed_ms;
};
static struct persisted	*persisted;
static size_t		 npersisted;

static const struct persisted *
persisted_find(const struct fdns_pool *p, const struct fdns_member *m)
{
	char	addr[64];
	size_t	i;

	fdns_addr_str(&m->addr, addr, sizeof(addr));
	for (i = 0; i < npersisted; i++)
		if (strcmp(persisted[i].pool, p->name) == 0 &&
		    strcmp(persisted[i].addr, addr) == 0)
			return &persisted[i];
	return NULL;
}

/* Count pool p's votes again; 1 when a member's state changed. */
static int
recount(const struct fdns_conf *conf, struct fdns_pool *p)
{
	struct fdns_member	*m;
	const struct persisted	*saved;
	const struct source	*s;
	enum fdns_mstate	 st;
	size_t			 i;
	int			 k, v, changed = 0, last = -1;
	char			 addr[64];

	for (i = 0; i < p->nmembers; i++) {
		m = &p->members[i];
		if (m->nservices == 0)
			continue;		/* static: select counts it up */
		m->votes_up = m->votes_down = 0;
		for (k = 0; k < p->nsources; k++)
			if ((s = source_of(conf, p->sources[k])) != NULL &&
			    (v = vote(s, m)) >= 0) {
				if (v)
					m->votes_down++;
				else
					m->votes_up++;
			}
		if (m->votes_down >= p->agree)
			st = FDNS_M_DOWN;
		else if (m->votes_up + m->votes_down > 0)
			st = FDNS_M_UP;
		else {
			st = FDNS_M_UNKNOWN;
			if (last < 0)
				last = pool_takes_last(conf, p);
			if (last && (saved = persisted_find(p, m)) != NULL)
				st = saved->state;
		}
		if (st == m->state)
			continue;
		log_info("pool %s: member %s %s -> %s (%d of %d sources say "
		    "down, %d up; down takes %d)", p->name, fdns_addr_str(
		    &m->addr, addr, sizeof(addr)), m->state == FDNS_M_UP ?
		    "up" : m->state == FDNS_M_DOWN ? "down" : "unknown",
		    st == FDNS_M_UP ? "up" : st == FDNS_M_DOWN ? "down" :
		    "unknown", m->votes_down, p->nsources, m->votes_up,
		    p->agree);
		m->state = st;
		m->changed_ms = time_now_ms();
		changed = 1;
	}
	return changed;
}

/* Vote again on the pools source s votes on (NULL: every pool). */
static void
revote(const struct source *s)
{
	struct fdns_conf	*conf = faildns.conf;
	struct fdns_pool	*p;
	size_t			 i;
	int			 k, concerned;

	for (i = 0; i < conf->npools; i++) {
		p = &conf->pools[i];
		for (k = 0, concerned = s == NULL; k < p->nsources &&
		    !concerned; k++)
			concerned = source_of(conf, p->sources[k]) == s;
		if (concerned && recount(conf, p)) {
			db_choose(faildns.db, p, faildns_changed);
			dirty = 1;
		}
	}
}

int
source_all_down(void)
{
	const struct fdns_conf	*conf = faildns.conf;
	size_t			 i;
	struct source		*s;

	for (i = 0; i < conf->nsources; i++)
		if ((s = source_of(conf, (int)i)) != NULL && s->up)
			return 0;
	return conf->nsources > 0;
}

static void
source_mark(struct source *s, int up, const char *why)
{
	if (up == s->up && (up || s->since_ms != 0))
		return;
	s->up = up;
	s->since_ms = time_now_ms();
	snprintf(s->why, sizeof(s->why), "%s", why);
	if (up) {
		s->ever = 1;
		log_info("source %s (%s): following its states", s->name,
		    s->faild);
		if (all_down_logged) {
			log_info("source %s is back: states are current again",
			    s->name);
			all_down_logged = 0;
		}
		return;
	}
	log_warnx("source %s (%s): %s; %s", s->name, s->faild, why, s->ever ?
	    "keeping its last view" : "no view of it yet");
	if (source_all_down() && !all_down_logged) {
		log_warnx("every source is unreachable: answering from the "
		    "last known states");
		all_down_logged = 1;
	}
}

/* Short keepalives: a faild that vanished shows as a lost source. */
static void
keepalive(int fd)
{
	int	on = 1, idle = 5, intvl = 2, cnt = 3;

	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
}

/* Open s's watch stream and take its table as s's view. Yields. */
static int
source_open(struct source *s, struct fail_client *c, char *err,
    size_t errlen)
{
	struct proto_resp	 r = { 0 };
	long			 n, i;
	int			 rc = -1;

	if (fail_client_init(c, s->faild, FAIL_DEFAULT_PORT, 1, err, errlen) < 0)
		return -1;
	c->community = faildns.conf->community;
	c->key = keys != NULL && keys->n > 0 ? &keys->keys[0] : NULL;
	c->timeout_ms = SOURCE_TABLE_MS;
	if (fail_client_watch(c, &r, err, errlen) < 0)
		goto done;
	if (strcmp(r.kind, "OK") != 0 || r.nfields < 1) {
		snprintf(err, errlen, "%s", r.kind[0] == 'E' ? r.text :
		    "bad answer to watch");
		goto done;
	}
	keepalive(c->fd);
	n = strtol(r.fields[0], NULL, 10);
	view_clear(s);
	for (i = 0; i < n; i++) {
		if (fail_client_next(c, &r, time_mono_ms() + SOURCE_TABLE_MS,
		    err, errlen) < 0)
			goto done;
		if (strcmp(r.kind, "STATE") == 0 && r.nfields >= 2) {
			enum svc_state	st;

			if (svc_state_parse(r.fields[1], &st) == 0)
				view_set(s, r.fields[0], st);
		}
	}
	rc = 0;
done:
	proto_resp_clear(&r);
	if (rc < 0)
		fail_client_close(c);
	return rc;
}

static void *
source_thread(void *arg)
{
	struct source		*s = arg;
	struct fail_client	 c;
	struct proto_resp	 r = { 0 };
	enum svc_state		 st;
	char			 err[256];
	int			 gen = s->gen;

	for (; gen == s->gen; pth_nap(pth_time(SOURCE_RETRY_MS / 1000,
	    SOURCE_RETRY_MS % 1000 * 1000))) {
		if (source_open(s, &c, err, sizeof(err)) < 0) {
			source_mark(s, 0, err);
			continue;
		}
		if (gen != s->gen) {
			fail_client_close(&c);
			break;
		}
		s->fd = c.fd;
		source_mark(s, 1, "");
		revote(s);
		while (fail_client_next(&c, &r, -1, err, sizeof(err)) == 0 &&
		    gen == s->gen) {
			if (strcmp(r.kind, "ERR") == 0) {
				snprintf(err, sizeof(err), "ERR %d %s", r.code,
				    r.text);
				break;	/* fell behind: take the table again */
			}
			if (strcmp(r.kind, "CHANGE") != 0 || r.nfields < 4)
				continue;
			if (svc_state_parse(r.fields[3], &st) < 0)
				st = SVC_NONE;
			view_set(s, r.fields[1], st);
			log_debug(FAC_SOURCE, 1, "source %s: %s %s -> %s",
			    s->name, r.fields[1], r.fields[2], r.fields[3]);
			revote(s);
		}
		proto_resp_clear(&r);
		fail_client_close(&c);
		if (gen == s->gen) {
			s->fd = -1;
			source_mark(s, 0, err[0] ? err : "connection closed");
		}
	}
	return NULL;
}

/* While s's stream is open, ping its faild; cut the stream if it is
 * silent. Ends with s's generation. Yields. */
static void *
ping_thread(void *arg)
{
	struct source		*s = arg;
	struct fail_client	 c;
	struct proto_resp	 r = { 0 };
	char			 err[256], why[300];
	int			 gen = s->gen, open = 0;

	for (; gen == s->gen; pth_nap(pth_time(SOURCE_PING_MS / 1000,
	    SOURCE_PING_MS % 1000 * 1000))) {
		if (s->fd < 0)
			continue;
		if (!open && fail_client_init(&c, s->faild, FAIL_DEFAULT_PORT,
		    1, err, sizeof(err)) < 0)
			continue;
		open = 1;
		c.community = faildns.conf->community;
		c.timeout_ms = SOURCE_PING_MS;
		if (fail_client_call(&c, "ping", &r, err, sizeof(err)) == 0) {
			proto_resp_clear(&r);
			continue;
		}
		fail_client_close(&c);
		open = 0;
		if (gen != s->gen || s->fd < 0)
			continue;
		snprintf(why, sizeof(why), "no answer to a ping (%s)", err);
		source_mark(s, 0, why);
		shutdown(s->fd, SHUT_RDWR);	/* the stream starts again */
	}
	if (open)
		fail_client_close(&c);
	return NULL;
}

static void
write_states(void)
{
	const struct fdns_conf	*conf = faildns.conf;
	const struct fdns_member *m;
	char			 tmp[4096], addr[64];
	size_t			 i, j;
	FILE			*f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", faildns.statefile);
	if ((f = fopen(tmp, "w")) == NULL) {
		log_warn("cannot write %s", tmp);
		return;
	}
	fprintf(f, "# faildns: the last known member states\n");
	for (i = 0; i < conf->npools; i++)
		for (j = 0; j < conf->pools[i].nmembers; j++) {
			m = &conf->pools[i].members[j];
			if (m->state == FDNS_M_UNKNOWN)
				continue;
			fprintf(f, "%s %s %s %" PRId64 "\n",
			    conf->pools[i].name, fdns_addr_str(&m->addr, addr,
			    sizeof(addr)), m->state == FDNS_M_UP ? "up" :
			    "down", m->changed_ms);
		}
	if (fclose(f) != 0 || rename(tmp, faildns.statefile) < 0) {
		log_warn("cannot write %s", faildns.statefile);
		unlink(tmp);
	}
}

static void *
persist_thread(void *arg)
{
	(void)arg;
	for (;;) {
		pth_nap(pth_time(PERSIST_MS / 1000, PERSIST_MS % 1000 * 1000));
		if (dirty) {
			dirty = 0;
			write_states();
		}
	}
	return NULL;
}

void
source_restore(void)
{
	struct persisted	 p;
	char			 line[512], st[16];
	FILE			*f;
	int			 lineno = 0;

	if ((f = fopen(faildns.statefile, "r")) == NULL) {
		if (errno != ENOENT)
			log_warn("cannot read %s", faildns.statefile);
		return;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		memset(&p, 0, sizeof(p));
		if (sscanf(line, "%127s %63s %15s %" SCNd64, p.pool, p.addr, st,
		    &p.changed_ms) != 4 || (strcmp(st, "up") != 0 &&
		    strcmp(st, "down") != 0)) {
			log_warnx("%s:%d: not a member state, ignored",
			    faildns.statefile, lineno);
			continue;
		}
		p.state = strcmp(st, "up") == 0 ? FDNS_M_UP : FDNS_M_DOWN;
		persisted = xrealloc(persisted, (npersisted + 1) *
		    sizeof(*persisted));
		persisted[npersisted++] = p;
	}
	fclose(f);
	log_info("%s: %zu member states from before", faildns.statefile,
	    npersisted);
}

int
source_status(size_t i, int64_t *since_ms, const char **why)
{
	struct source	*s = source_of(faildns.conf, (int)i);

	if (s == NULL)
		return 0;
	*since_ms = s->since_ms;
	*why = s->why;
	return s->up;
}

/*
 * Follow every source of the conf. A stream it no longer names (or that
 * goes elsewhere now) is cut: its thread sees the end and the old
 * generation, and ends.
 */
static void
source_follow_conf(void)
{
	const struct fdns_conf	*conf = faildns.conf;
	struct source		*s;
	pth_attr_t		 attr = pth_attr_new();
	size_t			 i;

	generation++;
	for (s = sources; s != NULL; s = s->next) {
		for (i = 0; i < conf->nsources; i++)
			if (strcmp(s->name, conf->sources[i].name) == 0 &&
			    strcmp(s->faild, conf->sources[i].faild) == 0)
				break;
		if (i == conf->nsources && s->fd >= 0)
			shutdown(s->fd, SHUT_RDWR);
	}
	for (i = 0; i < conf->nsources; i++) {
		if ((s = source_of(conf, (int)i)) != NULL &&
		    strcmp(s->faild, conf->sources[i].faild) == 0) {
			s->gen = generation;
			continue;	/* same faild: its stream goes on */
		}
		if (s == NULL) {
			s = xcalloc(1, sizeof(*s));
			s->fd = -1;
			s->name = xstrdup(conf->sources[i].name);
			s->next = sources;
			sources = s;
		} else
			free(s->faild);
		s->faild = xstrdup(conf->sources[i].faild);
		s->gen = generation;
		s->up = 0;
		s->since_ms = 0;
		pth_attr_set(attr, PTH_ATTR_JOINABLE, FALSE);
		pth_attr_set(attr, PTH_ATTR_NAME, "source");
		if (pth_spawn(attr, source_thread, s) == NULL ||
		    pth_spawn(attr, ping_thread, s) == NULL)
			fatal("cannot follow source %s", s->name);
	}
	pth_attr_destroy(attr);
}

static void
load_keys(void)
{
	char	err[512];

	keyring_free(keys);
	keys = NULL;
	if (faildns.conf->keyfile != NULL &&
	    (keys = keyring_load(faildns.conf->keyfile, err, sizeof(err)))
	    == NULL)
		log_warnx("sources: %s: requests go unsigned", err);
}

void
source_start(void)
{
	pth_attr_t	attr = pth_attr_new();

	load_keys();
	revote(NULL);			/* the persisted states, if any */
	source_follow_conf();
	pth_attr_set(attr, PTH_ATTR_JOINABLE, FALSE);
	pth_attr_set(attr, PTH_ATTR_NAME, "persist");
	if (pth_spawn(attr, persist_thread, NULL) == NULL)
		fatal("pth_spawn");
	pth_attr_destroy(attr);
}

void
source_reload(struct fdns_conf *old)
{
	const struct fdns_member	*om;
	struct fdns_member		*m;
	size_t				 i, j, k, l;

	/* A member keeps its state across a reload, as the sources do. */
	for (i = 0; i < faildns.conf->npools; i++)
		for (j = 0; j < old->npools; j++) {
			if (strcmp(faildns.conf->pools[i].name,
			    old->pools[j].name) != 0)
				continue;
			for (k = 0; k < faildns.conf->pools[i].nmembers; k++) {
				m = &faildns.conf->pools[i].members[k];
				for (l = 0; l < old->pools[j].nmembers; l++) {
					om = &old->pools[j].members[l];
					if (memcmp(&om->addr, &m->addr,
					    sizeof(m->addr)) == 0) {
						m->state = om->state;
						m->changed_ms = om->changed_ms;
					}
				}
			}
		}
	load_keys();
	source_follow_conf();
	revote(NULL);
}
