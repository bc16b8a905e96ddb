/*
 * failsh_host.c: calls from failsh to a peer's faild. Each host has a
 * small pool of clients (connections, for TCP) shared by the runners of
 * all services, so a hundred services cost a handful of connections, and
 * a host that hangs holds only its own callers, each until its deadline.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "failsh.h"
#include "log.h"
#include "timeutil.h"

#define HOST_RESOLVE_RETRY_MS	10000

/* Take a free client of the pool; -1 if none frees up by the deadline. */
static int
host_acquire(struct failsh_host *h, int64_t deadline, char *err,
    size_t errlen)
{
	int64_t		left = deadline - time_mono_ms();
	pth_event_t	ev;
	int		i, rc = -1;

	if (left < 0)
		left = 0;
	ev = pth_event(PTH_EVENT_TIME, pth_timeout((long)(left / 1000),
	    (long)(left % 1000) * 1000));
	pth_mutex_acquire(&h->pool_mutex, FALSE, NULL);
	for (;;) {
		for (i = 0; i < FAILSH_POOL; i++)
			if (!h->pool_busy[i])
				break;
		if (i < FAILSH_POOL) {
			h->pool_busy[i] = 1;
			rc = i;
			break;
		}
		if (pth_event_status(ev) == PTH_STATUS_OCCURRED ||
		    time_mono_ms() >= deadline) {
			snprintf(err, errlen, "all %d connections busy",
			    FAILSH_POOL);
			break;
		}
		pth_cond_await(&h->pool_cond, &h->pool_mutex, ev);
	}
	pth_mutex_release(&h->pool_mutex);
	pth_event_free(ev, PTH_FREE_THIS);
	return rc;
}

static void
host_release(struct failsh_host *h, int i)
{
	pth_mutex_acquire(&h->pool_mutex, FALSE, NULL);
	h->pool_busy[i] = 0;
	pth_cond_notify(&h->pool_cond, FALSE);
	pth_mutex_release(&h->pool_mutex);
}

static int
host_client_ready(struct failsh_host *h, int i, char *err, size_t errlen)
{
	struct fail_client	*c = &h->pool[i];
	const struct auth_key	*key = NULL;

	if (h->pool_ready[i])
		return 0;
	if (h->keyid != NULL) {
		if (failsh.keys == NULL ||
		    (key = keyring_find(failsh.keys, h->keyid)) == NULL) {
			snprintf(err, errlen, "no key \"%s\" in the key file",
			    h->keyid);
			return -1;
		}
	}
	/* Resolving a name blocks the process: not again on every poll. */
	if (time_mono_ms() < h->resolve_retry) {
		snprintf(err, errlen, "%s", h->resolve_error);
		return -1;
	}
	if (fail_client_init(c, h->address ? h->address : h->name, h->port,
	    h->tcp, err, errlen) < 0) {
		h->resolve_retry = time_mono_ms() + HOST_RESOLVE_RETRY_MS;
		snprintf(h->resolve_error, sizeof(h->resolve_error), "%s", err);
		return -1;
	}
	c->community = h->community;
	c->key = key;
	c->to = h->name;		/* the faild of node NAME */
	c->by = failsh.nodename;
	h->pool_ready[i] = 1;
	return 0;
}

int
host_call(struct failsh_host *h, const char *request, int timeout_ms,
    struct proto_resp *resp, char *err, size_t errlen)
{
	int64_t	deadline = time_mono_ms() + timeout_ms;
	int	i, rc, was_open;

	/* No connection free in time: our own queue, nothing the host did
	 * (its calls in flight say how it is). */
	if ((i = host_acquire(h, deadline, err, errlen)) < 0)
		return HOST_BUSY;
	if (host_client_ready(h, i, err, errlen) < 0) {
		host_release(h, i);
		goto fail;
	}
	was_open = h->pool[i].fd >= 0;
	h->pool[i].timeout_ms = (int)(deadline - time_mono_ms());
	if (h->pool[i].timeout_ms < 1)
		h->pool[i].timeout_ms = 1;
	rc = fail_client_call(&h->pool[i], request, resp, err, errlen);
	if (rc == 0 && !was_open)
		h->last_connect_ms = time_now_ms();
	host_release(h, i);
	if (rc < 0)
		goto fail;
	h->last_call_ms = time_now_ms();
	if (!h->reachable)
		log_debug(FAC_NET, 1, "host %s reachable", h->name);
	h->reachable = 1;
	h->last_error[0] = '\0';
	return 0;
fail:
	if (h->reachable || h->last_error[0] == '\0')
		log_debug(FAC_NET, 1, "host %s: %s", h->name, err);
	h->reachable = 0;
	snprintf(h->last_error, sizeof(h->last_error), "%s", err);
	return -1;
}

int
host_parse_get(const struct proto_resp *r, struct host_record *rec,
    char *err, size_t errlen)
{
	if (strcmp(r->kind, "ERR") == 0) {
		snprintf(err, errlen, "ERR %d %s", r->code, r->text);
		return r->code == PERR_NOTFOUND ? 1 : -1;
	}
	if (r->nfields < 3 || svc_state_parse(r->fields[1], &rec->state) < 0) {
		snprintf(err, errlen, "bad answer to get");
		return -1;
	}
	rec->changed_ms = strtoll(r->fields[2], NULL, 10);
	rec->unconfirmed = r->nfields >= 5 &&
	    strcmp(r->fields[4], "unconfirmed") == 0;
	return 0;
}

int
host_get_state(struct failsh_host *h, const char *service, int timeout_ms,
    int accept, struct host_record *rec, char *err, size_t errlen)
{
	struct proto_resp	resp = { 0 };
	char			req[PROTO_MAX_NAME + 8];
	int			rc = -1;

	snprintf(req, sizeof(req), "get %s", service);
	if ((rc = host_call(h, req, timeout_ms, &resp, err, errlen)) < 0)
		goto done;
	rc = -1;
	/* 404: that faild has no record of it (yet): like no answer, so
	 * deadcount applies before it counts as FAIL. */
	if (host_parse_get(&resp, rec, err, errlen) != 0)
		goto done;
	if (rec->unconfirmed && (rec->state == SVC_UP || !accept)) {
		snprintf(err, errlen, "%s unconfirmed (its faild restarted, "
		    "its failsh has not set it since)",
		    svc_state_str(rec->state));
		goto done;
	}
	rc = 0;
done:
	proto_resp_clear(&resp);
	return rc;
}

/* Close every connection, e.g. when the host's address changes. */
void
host_close(struct failsh_host *h)
{
	int	i;

	for (i = 0; i < FAILSH_POOL; i++) {
		if (h->pool_busy[i])
			continue;	/* its caller closes it on error */
		if (h->pool_ready[i])
			fail_client_close(&h->pool[i]);
		h->pool_ready[i] = 0;
	}
	h->resolve_retry = 0;
}
