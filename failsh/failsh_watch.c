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

struct watch_entry {
	char			 name[PROTO_MAX_NAME + 1];
	enum svc_state		 state;		/* SVC_NONE: deleted */
	char			 setter[STATE_MAX_SETTER];
	struct watch_entry	*next;
};

static struct watch_entry	*watch_entries;

static struct watch_entry *
watch_find(const char *name)
{
	struct watch_entry	*e;

	for (e = watch_entries; e != NULL; e = e->next)
		if (strcmp(e->name, name) == 0)
			return e;
	return NULL;
}

int
watch_state(const char *name, enum svc_state *st)
{
	struct watch_entry	*e = watch_find(name);

	if (e == NULL || e->state == SVC_NONE)
		return -1;		/* the last known, also while disconnected */
	*st = e->state;
	return 0;
}

int
watch_held(const char *service, char *who, size_t wholen)
{
	char			 name[PROTO_MAX_NAME + 8];
	struct watch_entry	*e;

	snprintf(name, sizeof(name), "%s%s", WATCH_HOLD, service);
	if (((e = watch_find(name)) == NULL || e->state != SVC_FAIL) &&
	    ((e = watch_find(WATCH_STANDBY)) == NULL || e->state != SVC_FAIL))
		return 0;
	snprintf(who, wholen, "%s", e->setter);
	return 1;
}

/* Does a change of name concern the service (its hc target, its hold)? */
static int
watch_concerns(const struct failsh_service *s, const char *name)
{
	return strcmp(name, WATCH_STANDBY) == 0 ||
	    (strncmp(name, WATCH_HOLD, strlen(WATCH_HOLD)) == 0 &&
	    strcmp(name + strlen(WATCH_HOLD), s->name) == 0) ||
	    (s->hc_target != NULL && strcmp(s->hc_target, name) == 0);
}

/* Record a state of name; run at once the services it concerns. */
static void
watch_set(const char *name, const char *state, const char *setter,
    int change)
{
	struct watch_entry	*e = watch_find(name);
	struct failsh_service	*s;
	enum svc_state		 st = SVC_NONE, old;

	if (svc_state_parse(state, &st) < 0)
		st = SVC_NONE;			/* NONE: deleted */
	if (e == NULL) {
		e = xcalloc(1, sizeof(*e));
		snprintf(e->name, sizeof(e->name), "%s", name);
		e->state = SVC_NONE;
		e->next = watch_entries;
		watch_entries = e;
	}
	old = e->state;
	e->state = st;
	snprintf(e->setter, sizeof(e->setter), "%s", setter);
	if (!change || old == st)
		return;
	for (s = failsh.services; s != NULL; s = s->next) {
		if (!watch_concerns(s, name))
			continue;
		if (s->hc_target != NULL && strcmp(s->hc_target, name) == 0)
			log_info("service %s: hc target %s %s -> %s", s->name,
			    name, svc_state_str(old), svc_state_str(st));
		sched_service_run_now(s);
	}
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
	for (i = 0; i < n; i++) {
		if (fail_client_next(c, &r, time_mono_ms() + FAILSH_LOCAL_MS,
		    err, sizeof(err)) < 0)
			goto done;
		if (strcmp(r.kind, "STATE") == 0 && r.nfields >= 4)
			watch_set(r.fields[0], r.fields[1], r.fields[3], 0);
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
			watch_set(r.fields[1], r.fields[3], r.fields[5], 1);
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

static void *
watch_peer_thread(void *arg)
{
	struct peer_watch	*w = arg;
	struct fail_client	 c;
	struct proto_resp	 r = { 0 };
	struct failsh_service	*s;
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
				while (fail_client_next(&c, &r, -1, err,
				    sizeof(err)) == 0 &&
				    strcmp(r.kind, "ERR") != 0) {
					if (strcmp(r.kind, "CHANGE") != 0 ||
					    r.nfields < 6)
						continue;
					for (s = failsh.services; s != NULL;
					    s = s->next)
						if (strcmp(s->name,
						    r.fields[1]) == 0 &&
						    watch_polls(s, w->name))
							sched_service_run_now(s);
				}
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
