/*
 * faild_handle.c: one request in, one answer out. Parses with lib/proto,
 * checks authentication and access, applies the verb to the state table,
 * persists changes before acknowledging them, and feeds the watch ring.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faild.h"
#include "log.h"
#include "serve.h"
#include "timeutil.h"
#include "xmalloc.h"

static struct log_ratelimit	rl_bad, rl_refused, rl_write;

static void
faild_refuse(struct pbuf *out, const char *id, const char *peer, int code,
    const char *why)
{
	faild.stats.refused++;
	faild.stats.errors++;
	log_warnx_rl(&rl_refused, "refused request from %s: %s", peer, why);
	proto_fmt_err(out, id, code, "%s", why);
}

/*
 * Check whether the request may read (write = 0) or write (write = 1) the
 * service (or "*"). Returns 0, or -1 with the refusal appended to out.
 */
static int
faild_access(const struct proto_req *req, const struct sockaddr *peer,
    const char *peerstr, const char *service, int write, struct pbuf *out)
{
	enum auth_access	a;
	char			why[160];

	if (req->auth.keyid != NULL)
		return 0;			/* verified by the caller */
	if (write && faild.keys != NULL) {
		faild_refuse(out, req->id, peerstr, PERR_AUTH,
		    "authentication required for writes (a key is set)");
		return -1;
	}
	if (faild.communities != NULL) {
		a = community_access(faild.communities, service,
		    req->community ? req->community : "public");
		if (a == ACCESS_RW || (a == ACCESS_RO && !write))
			return 0;
		snprintf(why, sizeof(why), "permission denied: community may "
		    "not %s %s", write ? "write" : "read", service);
		faild_refuse(out, req->id, peerstr, PERR_DENIED, why);
		return -1;
	}
	if (write && !net_is_loopback(peer)) {
		faild_refuse(out, req->id, peerstr, PERR_DENIED, "permission "
		    "denied: without a community file only loopback may write");
		return -1;
	}
	return 0;
}

/* Verify a signed request; -1 with the refusal appended to out. */
static int
faild_authenticate(const char *line, const struct proto_req *req,
    const char *peerstr, const struct auth_key **key, struct pbuf *out)
{
	char		 why[256];
	int		 code;

	*key = NULL;
	if (req->auth.keyid == NULL)
		return 0;
	if ((code = auth_verify_request(faild.keys, faild.nonces, line, req,
	    faild.node, time_now_ms(), key, why, sizeof(why))) != 0) {
		faild_refuse(out, req->id, peerstr, code, why);
		return -1;
	}
	log_debug(FAC_AUTH, 1, "%s: request %s signed with key %s", peerstr,
	    req->id, req->auth.keyid);
	return 0;
}

static void
faild_fmt_service(struct pbuf *out, const struct service *s)
{
	pbuf_printf(out, " %s %s %" PRId64 " %s", s->name,
	    svc_state_str(s->state), s->changed_ms,
	    s->setter[0] ? s->setter : "-");
}

/* Record a change for watchers and wake them; s is NULL for a delete. */
static void
faild_publish(const char *name, enum svc_state old, const struct service *s,
    const char *setter)
{
	struct faild_change	*c = &faild.ring[++faild.seq % FAILD_WATCH_RING];

	c->seq = faild.seq;
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->old = old;
	c->new = s ? s->state : SVC_NONE;
	c->changed_ms = s ? s->changed_ms : time_now_ms();
	snprintf(c->setter, sizeof(c->setter), "%s", setter);
	pth_cond_notify(&faild.watch_cond, TRUE);
}

/*
 * Persist the change to name (journal append and fdatasync, now and then a
 * compaction); on failure undo it. Blocks the process (not only this
 * thread) while the disk syncs.
 */
static int
faild_persist(const char *name, const struct service *saved, int existed,
    struct pbuf *out, const char *id)
{
	char	err[512];
	int64_t	start = time_mono_ms();
	int	rc;

	rc = state_journal_append(faild.journal, faild.table, name, err,
	    sizeof(err));
	if (rc >= 0) {
		faild.stats.writes++;
		if (rc > 0)
			log_warnx_rl(&rl_write, "cannot compact the state "
			    "file (the journal keeps the change): %s", err);
		log_debug(FAC_STATE, 1, "recorded %s in %lld ms (%zu "
		    "services)", name, (long long)(time_mono_ms() - start),
		    state_count(faild.table));
		return 0;
	}
	faild.stats.writes_failed++;
	faild.stats.errors++;
	state_restore(faild.table, existed ? saved : NULL, name);
	log_warnx_rl(&rl_write, "cannot write state file, change to %s not "
	    "made: %s", name, err);
	proto_fmt_err(out, id, PERR_INTERNAL, "cannot write state file, "
	    "change not made");
	return -1;
}

/*
 * A record the local failsh set is its own while failsh follows this faild
 * (its watch stream is open): another setter would publish a state the
 * service does not have here, and a peer would start it while failsh
 * still runs it. Refuses (ERR 423) and returns 1 in that case.
 */
static int
faild_failsh_owns(const struct service *s, const struct proto_req *req,
    const char *peerstr, struct pbuf *out)
{
	if (s == NULL || faild.failsh_watching == 0 ||
	    strncmp(s->setter, "failsh@", 7) != 0 ||
	    (req->by != NULL && strcmp(req->by, "failsh") == 0))
		return 0;
	faild.stats.errors++;
	log_info("service %s: %s by %s refused: failsh runs it here", s->name,
	    req->verb == VERB_SET ? "set" : "delete", peerstr);
	proto_fmt_err(out, req->id, PERR_LOCKED, "%s is failsh's here (set "
	    "by %s, failsh running): \"failc %s hold\" takes it off this "
	    "host", s->name, s->setter, s->name);
	return 1;
}

static void
faild_do_set(const struct proto_req *req, const char *peerstr,
    struct pbuf *out)
{
	const char	*name = req->argv[0];
	struct service	*s = state_get(faild.table, name), saved;
	enum svc_state	 st, old;
	char		 setter[STATE_MAX_SETTER];
	int		 existed = s != NULL;

	if (faild_failsh_owns(s, req, peerstr, out))
		return;
	if (existed)
		saved = *s;
	svc_state_parse(req->argv[1], &st);
	if (req->by != NULL)
		snprintf(setter, sizeof(setter), "%s@%s", req->by, peerstr);
	else
		snprintf(setter, sizeof(setter), "%s", peerstr);
	switch (state_set(faild.table, name, st, time_now_ms(), setter, &old)) {
	case -1:
		faild.stats.errors++;
		proto_fmt_err(out, req->id, PERR_FULL, "cannot create %s: "
		    "faild holds %zu services, its limit (faild -S)", name,
		    state_count(faild.table));
		return;
	case 1:
		if (faild_persist(name, &saved, existed, out, req->id) < 0)
			return;
		s = state_get(faild.table, name);
		log_info("service %s: %s -> %s (set by %s)", name,
		    svc_state_str(old), svc_state_str(st), setter);
		faild_publish(name, old, s, setter);
		break;
	}
	state_get(faild.table, name)->unconfirmed = 0;
	pbuf_printf(out, "%s OK", req->id);
	faild_fmt_service(out, state_get(faild.table, name));
}

static void
faild_do_delete(const struct proto_req *req, const char *peerstr,
    struct pbuf *out)
{
	const char	*name = req->argv[0];
	struct service	*s = state_get(faild.table, name), saved;

	if (s == NULL) {
		faild.stats.errors++;
		proto_fmt_err(out, req->id, PERR_NOTFOUND, "no such service %s",
		    name);
		return;
	}
	if (faild_failsh_owns(s, req, peerstr, out))
		return;
	saved = *s;
	state_delete(faild.table, name);
	if (faild_persist(name, &saved, 1, out, req->id) < 0)
		return;
	log_info("service %s: %s -> NONE (deleted by %s)", name,
	    svc_state_str(saved.state), peerstr);
	faild_publish(name, saved.state, NULL, peerstr);
	pbuf_printf(out, "%s OK %s", req->id, name);
}

/* Whether the community file names this community at all. */
static int
faild_community_known(const char *community)
{
	size_t	i;

	for (i = 0; i < faild.communities->n; i++)
		if (strcmp(faild.communities->entries[i].community,
		    community) == 0)
			return 1;
	return 0;
}

/*
 * With a community file, a community the file does not name is refused
 * (a typo must not read as an empty, all-UP table); a known one sees the
 * services it may read.
 */
static void
faild_do_list(const struct proto_req *req, const char *peerstr, int tcp,
    struct pbuf *out)
{
	struct service	**v;
	struct pbuf	  body = { 0 };
	size_t		  i, n, shown = 0;

	if (faild.communities != NULL && req->auth.keyid == NULL &&
	    !faild_community_known(req->community ? req->community :
	    "public")) {
		faild_refuse(out, req->id, peerstr, PERR_DENIED, "permission "
		    "denied: no such community");
		return;
	}
	v = state_sorted(faild.table, &n);
	for (i = 0; i < n; i++) {
		if (faild.communities != NULL && req->auth.keyid == NULL &&
		    community_access(faild.communities, v[i]->name,
		    req->community ? req->community : "public") == ACCESS_NONE)
			continue;
		faild_fmt_service(&body, v[i]);
		shown++;
	}
	free(v);
	if (!tcp && body.len > PROTO_MAX_ANSWER - 200) {
		faild.stats.errors++;
		proto_fmt_err(out, req->id, PERR_TOOBIG, "%s: list of %zu "
		    "services does not fit a datagram", PROTO_USE_TCP, shown);
	} else {
		pbuf_printf(out, "%s OK %zu", req->id, shown);
		if (body.len > 0)
			pbuf_add(out, body.data, body.len);
	}
	pbuf_free(&body);
}

static void
faild_do_stats(const struct proto_req *req, struct pbuf *out)
{
	const struct faild_stats	*s = &faild.stats;

	pbuf_printf(out, "%s OK uptime_ms %" PRId64 " services %zu requests %"
	    PRIu64 " requests_udp %" PRIu64 " requests_tcp %" PRIu64
	    " errors %" PRIu64 " refused %" PRIu64 " connections %" PRIu64
	    " connections_total %" PRIu64 " connections_refused %" PRIu64
	    " watchers %" PRIu64 " changes %" PRIu64 " writes_failed %" PRIu64,
	    req->id, time_now_ms() - faild.start_ms, state_count(faild.table),
	    s->requests, s->requests_udp, s->requests_tcp, s->errors,
	    s->refused, s->connections, s->connections_total,
	    s->connections_refused, s->watchers, faild.seq, s->writes_failed);
}

/* The snapshot that starts a watch: every line signed on its own. */
static void
faild_do_watch(const struct proto_req *req, struct pbuf *out,
    struct faild_watch *w)
{
	struct service	**v;
	size_t		  i, n, start = out->len;

	v = state_sorted(faild.table, &n);
	pbuf_printf(out, "%s OK %zu %" PRIu64, req->id, n, faild.seq);
	for (i = 0; i < n; i++) {
		if (w->key != NULL)
			auth_sign_answer(w->key, w->nonce, out, start);
		pbuf_add(out, "\n", 1);
		start = out->len;
		pbuf_printf(out, "%s STATE", req->id);
		faild_fmt_service(out, v[i]);
	}
	if (w->key != NULL)
		auth_sign_answer(w->key, w->nonce, out, start);
	free(v);
	w->seq = faild.seq;
}

/* faild_handle without the UDP size rule; *signed_answer tells. */
static int
faild_answer(const char *line, size_t len, const struct sockaddr *peer,
    int tcp, struct pbuf *out, struct faild_watch *watch, int *signed_answer)
{
	struct proto_req	 req;
	const struct auth_key	*key = NULL;
	char			 peerstr[NET_ADDRSTRLEN], err[256];
	const char		*target;
	size_t			 line_start = out->len;
	int			 code, bad, write;

	faild.stats.requests++;
	if (tcp)
		faild.stats.requests_tcp++;
	else
		faild.stats.requests_udp++;
	net_addr_str(peer, peerstr, sizeof(peerstr));
	bad = proto_parse_request(line, len, &req, &code, err,
	    sizeof(err)) < 0;
	faild.stats.by_verb[bad ? VERB_MAX : req.verb][tcp != 0]++;
	if (!peer_rate_ok(faild.peers, peer, time_mono_ms())) {
		faild.stats.refused++;
		faild.stats.errors++;
		log_warnx_rl(&rl_refused, "rate limit: refused request from %s",
		    peerstr);
		proto_fmt_err(out, req.id, PERR_RATE, "too many requests "
		    "(limit %d per second)", faild.rate);
		return 0;
	}
	if (bad) {
		faild.stats.errors++;
		log_warnx_rl(&rl_bad, "bad request from %s: %s", peerstr, err);
		proto_fmt_err(out, req.id, code, "%s", err);
		return 0;
	}
	log_debug(FAC_PROTO, 1, "%s %s: %s %s%s", tcp ? "tcp" : "udp", peerstr,
	    req.id, proto_verb_str(req.verb), req.auth.keyid ? " (signed)" : "");
	if (faild_authenticate(line, &req, peerstr, &key, out) < 0)
		return 0;

	write = req.verb == VERB_SET || req.verb == VERB_DELETE ||
	    (req.verb == VERB_DEBUG && req.argc > 0);
	switch (req.verb) {
	case VERB_GET:
	case VERB_SET:
	case VERB_DELETE:
		target = req.argv[0];
		break;
	case VERB_STATS:
	case VERB_DEBUG:
	case VERB_WATCH:
		target = "*";
		break;
	default:
		target = NULL;		/* list filters; ping, version: open */
		break;
	}
	if (target != NULL && faild_access(&req, peer, peerstr, target, write,
	    out) < 0)
		return 0;

	switch (req.verb) {
	case VERB_GET: {
		struct service *s = state_get(faild.table, req.argv[0]);

		if (s == NULL) {
			faild.stats.errors++;
			proto_fmt_err(out, req.id, PERR_NOTFOUND,
			    "no such service %s", req.argv[0]);
		} else {
			pbuf_printf(out, "%s OK", req.id);
			faild_fmt_service(out, s);
			if (s->unconfirmed)
				pbuf_printf(out, " unconfirmed");
		}
		break;
	}
	case VERB_SET:
		faild_do_set(&req, peerstr, out);
		break;
	case VERB_DELETE:
		faild_do_delete(&req, peerstr, out);
		break;
	case VERB_LIST:
		faild_do_list(&req, peerstr, tcp, out);
		break;
	case VERB_WATCH:
		if (!tcp) {
			faild.stats.errors++;
			proto_fmt_err(out, req.id, PERR_MALFORMED,
			    "watch needs TCP");
			break;
		}
		memset(watch, 0, sizeof(*watch));
		watch->key = key;
		snprintf(watch->id, sizeof(watch->id), "%s", req.id);
		if (key != NULL)
			snprintf(watch->nonce, sizeof(watch->nonce), "%s",
			    req.auth.nonce);
		faild.stats.watchers++;
		watch->failsh = req.by != NULL && strcmp(req.by, "failsh") == 0;
		faild.failsh_watching += watch->failsh;
		faild_do_watch(&req, out, watch);
		return 1;
	case VERB_PING:
		pbuf_printf(out, "%s OK pong %" PRId64, req.id, time_now_ms());
		break;
	case VERB_STATS:
		faild_do_stats(&req, out);
		break;
	case VERB_DEBUG:
		if (serve_answer_debug(&req, out) < 0)
			faild.stats.errors++;
		break;
	case VERB_VERSION:
		pbuf_printf(out, "%s OK failover %s proto %d", req.id,
		    PACKAGE_VERSION, PROTO_VERSION);
		break;
	case VERB_SHOW:
		proto_fmt_err(out, req.id, PERR_VERB, "show is not served by "
		    "faild");
		break;
	case VERB_MAX:
		break;
	}
	if (key != NULL)
		auth_sign_answer(key, req.auth.nonce, out, line_start);
	*signed_answer = key != NULL;
	return 0;
}

/*
 * Over UDP, an unsigned answer (anyone may spoof its source) is at most
 * FAILD_UDP_AMP times the request, or FAILD_UDP_FLOOR bytes: faild must
 * not be a reflector. A longer one is replaced by a short ERR 413 that
 * tells the client to ask again over TCP.
 */
static void
faild_udp_cap(const char *line, size_t len, struct pbuf *out, size_t start)
{
	char	id[PROTO_MAX_ID + 1];
	size_t	limit = FAILD_UDP_AMP * len, n = out->len - start;

	if (limit < FAILD_UDP_FLOOR)
		limit = FAILD_UDP_FLOOR;
	if (n <= limit)
		return;
	faild.stats.errors++;
	proto_peek_id(line, len, id);
	out->len = start;
	out->data[start] = '\0';
	proto_fmt_err(out, id, PERR_TOOBIG, "%s: answer of %zu bytes, over "
	    "the %zu bytes UDP allows for this request", PROTO_USE_TCP, n,
	    limit);
}

int
faild_handle(const char *line, size_t len, const struct sockaddr *peer,
    int tcp, struct pbuf *out, struct faild_watch *watch)
{
	size_t	start = out->len;
	int	signed_answer = 0, rc;

	rc = faild_answer(line, len, peer, tcp, out, watch, &signed_answer);
	if (!tcp && !signed_answer)
		faild_udp_cap(line, len, out, start);
	return rc;
}

void
faild_format_change(const struct faild_watch *w, const struct faild_change *c,
    struct pbuf *out)
{
	size_t	start = out->len;

	pbuf_printf(out, "%s CHANGE %" PRIu64 " %s %s %s %" PRId64 " %s", w->id,
	    c->seq, c->name, svc_state_str(c->old), svc_state_str(c->new),
	    c->changed_ms, c->setter);
	if (w->key != NULL)
		auth_sign_answer(w->key, w->nonce, out, start);
	pbuf_add(out, "\n", 1);
}
