/*
 * failsh_watch.c: follows the local faild's watch stream, so that a state
 * another program publishes there (an hc target, an operator's hold)
 * reaches the services it concerns at once instead of at their next run:
 * one thread, one TCP connection, made again a second after it fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "failsh.h"
#include "log.h"
#include "timeutil.h"
#include "xmalloc.h"

#define WATCH_RETRY_MS	1000

/* A record of the local faild (host ""), or a move in a peer's. */
struct watch_entry {
	char			 host[PROTO_MAX_NAME + 1];
	char			 name[PROTO_MAX_NAME + 1];
	enum svc_state		 state;		/* SVC_NONE: deleted */
	int64_t			 changed_ms;
	char			 setter[STATE_MAX_SETTER];
	struct watch_entry	*next;
};

static struct watch_entry	*watch_entries;

static struct watch_entry *
watch_find(const char *host, const char *name)
{
	struct watch_entry	*e;

	for (e = watch_entries; e != NULL; e = e->next)
		if (strcmp(e->host, host) == 0 && strcmp(e->name, name) == 0)
			return e;
	return NULL;
}

/* A peer's stream starts again with its table: forget what it said. */
static void
watch_forget(const char *host)
{
	struct watch_entry	*e;

	for (e = watch_entries; e != NULL; e = e->next)
		if (strcmp(e->host, host) == 0)
			e->state = SVC_NONE;
}

int
watch_state(const char *name, enum svc_state *st)
{
	struct watch_entry	*e = watch_find("", name);

	if (e == NULL || e->state == SVC_NONE)
		return -1;		/* the last known, also while disconnected */
	*st = e->state;
	return 0;
}

/* Does the service poll the host named name? */
static int
watch_polls(const struct failsh_service *s, const char *name)
{
	size_t	i;
	int	r;

	for (r = ROLE_MASTER; r <= ROLE_SLAVE; r++)
		for (i = 0; i < s->npeers[r]; i++)
			if (strcmp(s->peers[r][i].host->name, name) == 0)
				return 1;
	return 0;
}

/* The host a record "_move.SERVICE.HOST" moves s to, or NULL. */
static const char *
watch_move_target(const struct failsh_service *s, const char *name)
{
	size_t	n = strlen(STATE_MOVE), len = strlen(s->name);

	if (strncmp(name, STATE_MOVE, n) != 0 ||
	    strncmp(name + n, s->name, len) != 0 || name[n + len] != '.')
		return NULL;
	return name + n + len + 1;
}

/* Is a move target one of the service's hosts (this one or a peer)? */
static int
watch_move_known(const struct failsh_service *s, const char *target)
{
	return strcmp(target, failsh.nodename) == 0 || watch_polls(s, target);
}

int
watch_held(const struct failsh_service *s, struct watch_hold *h)
{
	char			 name[PROTO_MAX_NAME + 8];
	const char		*to;
	struct watch_entry	*e;

	snprintf(name, sizeof(name), "%s%s", STATE_HOLD, s->name);
	if (((e = watch_find("", name)) != NULL && e->state == SVC_FAIL) ||
	    ((e = watch_find("", STATE_STANDBY)) != NULL &&
	    e->state == SVC_FAIL)) {
		h->kind = strcmp(e->name, STATE_STANDBY) == 0 ? "standby" :
		    "hold";
		snprintf(h->target, sizeof(h->target), "-");
	} else {
		for (e = watch_entries; e != NULL; e = e->next)
			if (e->state == SVC_FAIL &&
			    (to = watch_move_target(s, e->name)) != NULL &&
			    strcmp(to, failsh.nodename) != 0 &&
			    watch_move_known(s, to))
				break;
		if (e == NULL)
			return 0;
		h->kind = "move";
		snprintf(h->target, sizeof(h->target), "%s", to);
	}
	snprintf(h->setter, sizeof(h->setter), "%s", e->setter);
	h->since_ms = e->changed_ms;
	return 1;
}

/*
 * Does a change of name in host's faild ("": local) concern s? Its moves;
 * a peer's state of s; here its holds, its hc target, and its own record
 * written by another setter than failsh.
 */
static int
watch_concerns(const struct failsh_service *s, const char *host,
    const char *name, const char *setter)
{
	if (watch_move_target(s, name) != NULL)
		return 1;
	if (host[0] != '\0')
		return strcmp(name, s->name) == 0 && watch_polls(s, host);
	if (strcmp(name, s->name) == 0)
		return strncmp(setter, "failsh@", 7) != 0;
	return strcmp(name, STATE_STANDBY) == 0 ||
	    (strncmp(name, STATE_HOLD, strlen(STATE_HOLD)) == 0 &&
	    strcmp(name + strlen(STATE_HOLD), s->name) == 0) ||
	    (s->hc_target != NULL && strcmp(s->hc_target, name) == 0);
}

/* A change that concerns s: say what it means, run s at once. */
static void
watch_changed(struct failsh_service *s, const char *host, const char *name,
    enum svc_state old, enum svc_state st, const char *setter)
{
	const char	*to;

	if (host[0] == '\0' && s->hc_target != NULL &&
	    strcmp(s->hc_target, name) == 0)
		log_info("service %s: hc target %s %s -> %s", s->name, name,
		    svc_state_str(old), svc_state_str(st));
	if ((to = watch_move_target(s, name)) != NULL && st == SVC_FAIL &&
	    !watch_move_known(s, to))
		log_warnx("service %s: move to %s (by %s, in the faild of %s) "
		    "ignored: no such host for this service", s->name, to,
		    setter, host[0] ? host : "this host");
	/* Its own record, written by another: failsh publishes its own
	 * state again (faild refuses that while failsh follows it). */
	if (host[0] == '\0' && strcmp(name, s->name) == 0 && st != s->state) {
		log_warnx("service %s: %s set by %s in the local faild, not "
		    "obeyed: failsh publishes %s, as it %s it (\"failc %s "
		    "hold\" takes it off this host)", s->name,
		    svc_state_str(st), setter, svc_state_str(s->state),
		    s->state == SVC_UP ? "runs" : "does not run", s->name);
		s->published = 0;
	}
	sched_service_run_now(s);
}

/*
 * Record a state of name in host's faild ("": the local one); a change
 * (not the table a stream starts with) runs the services it concerns.
 */
static void
watch_set(const char *host, const char *name, const char *state,
    const char *changed, const char *setter, int change)
{
	struct watch_entry	*e = watch_find(host, name);
	struct failsh_service	*s;
	enum svc_state		 st = SVC_NONE, old = SVC_NONE;

	if (svc_state_parse(state, &st) < 0)
		st = SVC_NONE;			/* NONE: deleted */
	if (host[0] != '\0' && strncmp(name, STATE_MOVE,
	    strlen(STATE_MOVE)) != 0)
		goto run;			/* of a peer, only moves */
	if (e == NULL) {
		e = xcalloc(1, sizeof(*e));
		snprintf(e->host, sizeof(e->host), "%s", host);
		snprintf(e->name, sizeof(e->name), "%s", name);
		e->state = SVC_NONE;
		e->next = watch_entries;
		watch_entries = e;
	}
	old = e->state;
	e->state = st;
	e->changed_ms = strtoll(changed, NULL, 10);
	snprintf(e->setter, sizeof(e->setter), "%s", setter);
run:
	if (!change || (e != NULL && old == st))
		return;
	for (s = failsh.services; s != NULL; s = s->next)
		if (watch_concerns(s, host, name, setter))
			watch_changed(s, host, name, old, st, setter);
}

/*
 * Connect to the local faild, ask for the watch stream and take its table.
 * Returns 0, or -1 (logged at debug level) with c closed. Yields.
 */
static int
watch_open(struct fail_client *c)
{
	struct proto_resp	r = { 0 };
	char			err[256];
	long			n, i;
	int			rc = -1;

	if (fail_client_init(c, failsh.faild_host, failsh.faild_port, 1, err,
	    sizeof(err)) < 0)
		goto done;
	c->community = failsh.faild.community;
	c->key = failsh.faild.key;
	c->by = failsh.faild.by;
	c->to = failsh.faild.to;
	c->timeout_ms = FAILSH_LOCAL_MS;
	if (fail_client_watch(c, &r, err, sizeof(err)) < 0)
		goto done;
	if (strcmp(r.kind, "OK") != 0 || r.nfields < 1) {
		snprintf(err, sizeof(err), "%s", r.kind[0] == 'E' ? r.text :
		    "bad answer to watch");
		goto done;
	}
	n = strtol(r.fields[0], NULL, 10);
	watch_forget("");
	for (i = 0; i < n; i++) {
		if (fail_client_next(c, &r, time_mono_ms() + FAILSH_LOCAL_MS,
		    err, sizeof(err)) < 0)
			goto done;
		if (strcmp(r.kind, "STATE") == 0 && r.nfields >= 4)
			watch_set("", r.fields[0], r.fields[1], r.fields[2],
			    r.fields[3], 0);
	}
	rc = 0;
done:
	if (rc < 0) {
		log_debug(FAC_NET, 1, "watch of the local faild: %s", err);
		fail_client_close(c);
	}
	proto_resp_clear(&r);
	return rc;
}

/* Follow the changes until the connection fails, then close it. Yields. */
static void
watch_follow(struct fail_client *c)
{
	struct proto_resp	r = { 0 };
	char			err[256] = "";

	while (fail_client_next(c, &r, -1, err, sizeof(err)) == 0) {
		if (strcmp(r.kind, "CHANGE") == 0 && r.nfields >= 6)
			watch_set("", r.fields[1], r.fields[3], r.fields[4],
			    r.fields[5], 1);
		else if (strcmp(r.kind, "ERR") == 0)
			break;		/* fell behind: start again */
	}
	log_debug(FAC_NET, 1, "watch of the local faild ended: %s", err);
	proto_resp_clear(&r);
	fail_client_close(c);
}

static struct fail_client	watch_client;
static int			watch_open_ok;

static void *
watch_thread(void *arg)
{
	(void)arg;
	for (;;) {
		if (watch_open_ok || watch_open(&watch_client) == 0)
			watch_follow(&watch_client);
		watch_open_ok = 0;
		pth_nap(pth_time(WATCH_RETRY_MS / 1000,
		    (WATCH_RETRY_MS % 1000) * 1000));
	}
	return NULL;
}

/* Before the runners start: take the table once, so that a service held
 * here is never started by a first run that came before the stream. */
void
watch_start(void)
{
	pth_attr_t	attr = pth_attr_new();

	watch_open_ok = watch_open(&watch_client) == 0;
	pth_attr_set(attr, PTH_ATTR_NAME, "watch");
	pth_attr_set(attr, PTH_ATTR_JOINABLE, FALSE);
	if (pth_spawn(attr, watch_thread, NULL) == NULL)
		fatal("cannot start the watch of the local faild");
	pth_attr_destroy(attr);
}

/*
 * The peers' faild: a watch stream to each host in a masters or slaves
 * list at start makes the services that poll it run at once when their
 * state there changes (a master gave a service up, a slave let it go),
 * instead of at their next poll. The run polls as ever: the stream only
 * brings it forward. Its settings are copied, as the policy may change.
 */
struct peer_watch {
	char		*name;			/* owned */
	char		*address;		/* owned */
	int		 port;
	char		*community;		/* owned; NULL: none */
	struct auth_key	 key;
	int		 signed_;
};

/* Take a peer's table (its moves), then follow its changes. Yields. */
static void
watch_peer_follow(const struct peer_watch *w, struct fail_client *c,
    struct proto_resp *r)
{
	char	err[256];

	watch_forget(w->name);
	while (fail_client_next(c, r, -1, err, sizeof(err)) == 0 &&
	    strcmp(r->kind, "ERR") != 0)
		if (strcmp(r->kind, "STATE") == 0 && r->nfields >= 4)
			watch_set(w->name, r->fields[0], r->fields[1],
			    r->fields[2], r->fields[3], 0);
		else if (strcmp(r->kind, "CHANGE") == 0 && r->nfields >= 6)
			watch_set(w->name, r->fields[1], r->fields[3],
			    r->fields[4], r->fields[5], 1);
	log_debug(FAC_NET, 1, "watch of host %s ended: %s", w->name, err);
}

static void *
watch_peer_thread(void *arg)
{
	struct peer_watch	*w = arg;
	struct fail_client	 c;
	struct proto_resp	 r = { 0 };
	char			 err[256];

	for (;;) {
		if (fail_client_init(&c, w->address, w->port, 1, err,
		    sizeof(err)) == 0) {
			c.community = w->community;
			c.key = w->signed_ ? &w->key : NULL;
			c.by = failsh.nodename;
			c.to = w->name;
			c.timeout_ms = FAILSH_CALL_MS;
			if (fail_client_watch(&c, &r, err, sizeof(err)) == 0 &&
			    strcmp(r.kind, "OK") == 0)
				watch_peer_follow(w, &c, &r);
			proto_resp_clear(&r);
			fail_client_close(&c);
		}
		pth_nap(pth_time(WATCH_RETRY_MS / 1000,
		    (WATCH_RETRY_MS % 1000) * 1000));
	}
	return NULL;
}

/* A watch of every peer's faild that some service polls. */
void
watch_peers_start(void)
{
	struct failsh_host	*h;
	struct failsh_service	*s;
	struct peer_watch	*w;
	const struct auth_key	*k;
	pth_attr_t		 attr;

	for (h = failsh.hosts; h != NULL; h = h->next) {
		if (h->local)
			continue;
		for (s = failsh.services; s != NULL; s = s->next)
			if (watch_polls(s, h->name))
				break;
		if (s == NULL)
			continue;
		w = xcalloc(1, sizeof(*w));
		w->name = xstrdup(h->name);
		w->address = xstrdup(h->address ? h->address : h->name);
		w->port = h->port;
		w->community = h->community ? xstrdup(h->community) : NULL;
		if (h->keyid != NULL) {
			if (failsh.keys == NULL ||
			    (k = keyring_find(failsh.keys, h->keyid)) == NULL) {
				free(w->name);
				free(w->address);
				free(w->community);
				free(w);
				continue;	/* its polls say why */
			}
			w->key = *k;
			w->signed_ = 1;
		}
		attr = pth_attr_new();
		pth_attr_set(attr, PTH_ATTR_NAME, "watch-peer");
		pth_attr_set(attr, PTH_ATTR_JOINABLE, FALSE);
		if (pth_spawn(attr, watch_peer_thread, w) == NULL)
			fatal("cannot start the watch of host %s", h->name);
		pth_attr_destroy(attr);
	}
}
