/*
 * failsh_watch.c: follows the local faild's watch stream, so that a state
 * another program publishes there (an hc target) reaches the services
 * that use it at once instead of at their next run: one thread, one TCP
 * connection, made again a second after it fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "failsh.h"
#include "log.h"
#include "xmalloc.h"

#define WATCH_RETRY_MS	1000

struct watch_entry {
	char			 name[PROTO_MAX_NAME + 1];
	enum svc_state		 state;		/* SVC_NONE: deleted */
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

/* Record a state of name; run at once the services that follow it. */
static void
watch_set(const char *name, const char *state, int change)
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
	if (!change || old == st)
		return;
	for (s = failsh.services; s != NULL; s = s->next)
		if (s->hc_target != NULL && strcmp(s->hc_target, name) == 0) {
			log_info("service %s: hc target %s %s -> %s", s->name,
			    name, svc_state_str(old), svc_state_str(st));
			sched_service_run_now(s);
		}
}

/* One watch connection, until it fails. Yields. */
static void
watch_session(struct fail_client *c)
{
	struct proto_resp	r = { 0 };
	char			err[256];
	long			n, i;

	if (fail_client_watch(c, &r, err, sizeof(err)) < 0 ||
	    strcmp(r.kind, "OK") != 0 || r.nfields < 1) {
		log_debug(FAC_NET, 1, "watch of the local faild: %s",
		    strcmp(r.kind ? r.kind : "", "ERR") == 0 ? r.text : err);
		goto done;
	}
	n = strtol(r.fields[0], NULL, 10);
	for (i = 0; i < n; i++) {
		if (fail_client_next(c, &r, -1, err, sizeof(err)) < 0)
			goto done;
		if (strcmp(r.kind, "STATE") == 0 && r.nfields >= 2)
			watch_set(r.fields[0], r.fields[1], 0);
	}
	for (;;) {
		if (fail_client_next(c, &r, -1, err, sizeof(err)) < 0)
			break;
		if (strcmp(r.kind, "CHANGE") == 0 && r.nfields >= 4)
			watch_set(r.fields[1], r.fields[3], 1);
		else if (strcmp(r.kind, "ERR") == 0)
			break;		/* fell behind: start again */
	}
	log_debug(FAC_NET, 1, "watch of the local faild ended: %s", err);
done:
	proto_resp_clear(&r);
	fail_client_close(c);
}

static void *
watch_thread(void *arg)
{
	struct fail_client	c;
	char			err[256];

	(void)arg;
	for (;;) {
		if (fail_client_init(&c, failsh.faild_host, failsh.faild_port,
		    1, err, sizeof(err)) == 0) {
			c.community = failsh.faild.community;
			c.key = failsh.faild.key;
			c.by = failsh.faild.by;
			c.to = failsh.faild.to;
			c.timeout_ms = FAILSH_LOCAL_MS;
			watch_session(&c);
		}
		pth_nap(pth_time(WATCH_RETRY_MS / 1000,
		    (WATCH_RETRY_MS % 1000) * 1000));
	}
	return NULL;
}

void
watch_start(void)
{
	pth_attr_t	attr = pth_attr_new();

	pth_attr_set(attr, PTH_ATTR_NAME, "watch");
	pth_attr_set(attr, PTH_ATTR_JOINABLE, FALSE);
	if (pth_spawn(attr, watch_thread, NULL) == NULL)
		fatal("cannot start the watch of the local faild");
	pth_attr_destroy(attr);
}
