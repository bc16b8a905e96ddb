/*
 * push.c: the RFC 2136 pushes. A name with update targets has its A and
 * AAAA records replaced on each of them whenever its answer changes (and
 * at start and after a reload), by one thread, one update at a time. A
 * push that fails is tried again, 1 s later, then 2, 4 ... up to a minute;
 * a newer change replaces what was waiting, as only the last one counts.
 */
#include <sys/socket.h>

#include <pth.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faildns.h"
#include "log.h"
#include "timeutil.h"
#include "update.h"
#include "xmalloc.h"

#define PUSH_TIMEOUT_MS		5000
#define PUSH_RETRY_MAX_MS	60000

struct pending {
	int		 due;		/* a push is waiting */
	int64_t		 at_ms;		/* not before (monotonic) */
	int		 backoff_ms;
};

static struct pending	*pending;
static size_t		 npending;
static pth_mutex_t	 push_lock = PTH_MUTEX_INIT;
static pth_cond_t	 push_cond = PTH_COND_INIT;

void
push_name(size_t name)
{
	if (name >= npending) {
		pending = xrealloc(pending, (name + 1) * sizeof(*pending));
		memset(pending + npending, 0, (name + 1 - npending) *
		    sizeof(*pending));
		npending = name + 1;
	}
	pending[name].due = 1;
	pending[name].at_ms = 0;
	pending[name].backoff_ms = 0;
	pth_cond_notify(&push_cond, TRUE);
}

/* Everything one push needs, copied: the conf may change meanwhile. */
struct push {
	char			 name[256], zone[256], server[256];
	char			 target[128], keyfile[1024], keyname[256];
	int			 haskey;
	uint32_t		 ttl;
	struct update_addr	 addrs[FDNS_MAX_ANSWER];
	size_t			 naddrs;
};

static void
push_prepare(size_t i, const struct fdns_update *u, struct push *p)
{
	const struct fdns_conf		*conf = faildns.conf;
	const struct fdns_name		*n = &conf->names[i];
	const struct fdns_choice	*c = &db_name_status(faildns.db,
					    i)->choice;
	int				 k;

	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", n->name);
	snprintf(p->zone, sizeof(p->zone), "%s", u->zone != NULL ? u->zone :
	    conf->zones[n->zone].name);
	snprintf(p->server, sizeof(p->server), "%s", u->server);
	snprintf(p->target, sizeof(p->target), "%s", u->name);
	if ((p->haskey = u->keyfile != NULL)) {
		snprintf(p->keyfile, sizeof(p->keyfile), "%s", u->keyfile);
		snprintf(p->keyname, sizeof(p->keyname), "%s",
		    u->keyname != NULL ? u->keyname : "");
	}
	p->ttl = n->ttl;
	/* NODATA and SERVFAIL push no address: the name's go. */
	for (k = 0; c->kind == FDNS_ANS_ADDRS && k < c->nbase; k++) {
		p->addrs[k].family = c->base[k].family;
		memcpy(p->addrs[k].a, c->base[k].a, sizeof(p->addrs[k].a));
		p->naddrs++;
	}
}

/* One push; yields. 0, or -1 (logged). */
static int
push_one(const struct push *p)
{
	struct update_key	key;
	char			err[512];
	int			rc;

	if (p->haskey && update_key_load(p->keyfile, p->keyname[0] ?
	    p->keyname : NULL, &key, err, sizeof(err)) < 0) {
		log_warnx("push %s to %s: %s", p->name, p->target, err);
		return -1;
	}
	rc = update_replace(p->server, p->zone, p->name, p->ttl, p->addrs,
	    p->naddrs, p->haskey ? &key : NULL, PUSH_TIMEOUT_MS, err,
	    sizeof(err));
	faildns.stats.pushes++;
	if (rc != 0) {
		faildns.stats.push_errors++;
		log_warnx("push %s to %s: %s", p->name, p->target, err);
		return -1;
	}
	log_debug(FAC_PUSH, 1, "push %s to %s (%s): %zu addresses", p->name,
	    p->target, p->server, p->naddrs);
	return 0;
}

static void *
push_thread(void *arg)
{
	struct push	 p;
	size_t		 i;
	int		 k, failed;
	int64_t		 now, next;
	pth_event_t	 ev;

	(void)arg;
	for (;;) {
		now = time_mono_ms();
		next = -1;
		for (i = 0; i < npending && i < faildns.conf->nnames; i++) {
			if (!pending[i].due)
				continue;
			if (pending[i].at_ms > now) {
				if (next < 0 || pending[i].at_ms < next)
					next = pending[i].at_ms;
				continue;
			}
			pending[i].due = 0;
			failed = 0;
			for (k = 0; i < faildns.conf->nnames &&
			    k < faildns.conf->names[i].nupdates; k++) {
				push_prepare(i, faildns.conf->names[i].updates[k],
				    &p);
				failed |= push_one(&p) < 0;
			}
			if (failed && !pending[i].due) {
				pending[i].due = 1;
				pending[i].backoff_ms = pending[i].backoff_ms ?
				    2 * pending[i].backoff_ms : 1000;
				if (pending[i].backoff_ms > PUSH_RETRY_MAX_MS)
					pending[i].backoff_ms =
					    PUSH_RETRY_MAX_MS;
				pending[i].at_ms = time_mono_ms() +
				    pending[i].backoff_ms;
			}
			now = time_mono_ms();
			i = (size_t)-1;		/* from the start again */
			next = -1;
		}
		pth_mutex_acquire(&push_lock, FALSE, NULL);
		ev = next < 0 ? NULL : pth_event(PTH_EVENT_TIME, pth_timeout(
		    (next - now) / 1000, (next - now) % 1000 * 1000));
		pth_cond_await(&push_cond, &push_lock, ev);
		if (ev != NULL)
			pth_event_free(ev, PTH_FREE_ALL);
		pth_mutex_release(&push_lock);
	}
	return NULL;
}

void
push_start(void)
{
	pth_attr_t	attr = pth_attr_new();

	pth_attr_set(attr, PTH_ATTR_JOINABLE, FALSE);
	pth_attr_set(attr, PTH_ATTR_NAME, "push");
	if (pth_spawn(attr, push_thread, NULL) == NULL)
		fatal("pth_spawn");
	pth_attr_destroy(attr);
}
