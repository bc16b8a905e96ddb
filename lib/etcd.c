/*
 * etcd.c: etcd's v3 JSON gateway through libcurl's multi interface on Pth.
 * Every transfer of a client (calls and watches) sits on one multi handle,
 * which whichever Pth thread waits drives; a thread waits in pth_select()
 * on curl's sockets, so the scheduler never blocks. Keys and values travel
 * in base64 (libcrypto's), int64s as JSON strings (jansson).
 */
#include <sys/select.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <pth.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etcd.h"
#include "timeutil.h"
#include "xmalloc.h"

#define ETCD_MAX_BODY	(64 << 20)	/* a longer answer is an error */
#define ETCD_IDLE_MS	20	/* wait while curl has no socket to watch */
#define ETCD_ROUND_MS	100	/* pause after every endpoint failed */

/* gRPC status codes that etcd's errors carry */
#define GRPC_UNAVAILABLE	14	/* "no leader", "not capable" */
#define GRPC_UNAUTHENTICATED	16	/* "invalid auth token" */

struct etcd {
	char		**urls;		/* owned, without a trailing '/' */
	size_t		  nurls;
	size_t		  cur;		/* the one that answered last */
	char		 *cafile, *certfile, *keyfile;	/* owned or NULL */
	char		 *user, *password;		/* owned or NULL */
	int		  timeout_ms;
	int		  require_leader;
	char		 *token;	/* owned; NULL: none taken yet */
	CURLM		 *multi;
	int		  nxfers;	/* transfers on multi */
};

/* One HTTP request and its answer (or stream) on the client's multi. */
struct etcd_xfer {
	CURL			*h;
	struct curl_slist	*hdrs;
	const char		*url;	/* the endpoint, the client's */
	char			*buf;	/* owned: the answer so far */
	size_t			 len, cap;
	int			 done;	/* curl finished it, with rc */
	CURLcode		 rc;
	int			 stream;	/* a watch: wake on bytes */
	int			 got;	/* bytes came since got was cleared */
	char			 curlerr[CURL_ERROR_SIZE];
};

/* Attempts of one call at the endpoints in turn (try_next). */
struct etcd_try {
	size_t		 n;		/* attempts started */
	size_t		 idx;		/* this one's endpoint */
	int64_t		 until;		/* and its end */
	size_t		 no_leader;	/* "no leader" answers this round */
};

struct etcd_watch {
	struct etcd	*e;
	struct etcd_xfer x;
	size_t		 off;		/* buf[off..len): not parsed yet */
	json_t		*msg;		/* the message whose events we give */
	size_t		 next;		/* its next event */
	int64_t		 rev;		/* its header's revision */
	struct etcd_kv	 kv;		/* the last event's */
};

const char *
etcd_ev_type_str(enum etcd_ev_type t)
{
	switch (t) {
	case ETCD_EV_PUT:	return "PUT";
	case ETCD_EV_DELETE:	return "DELETE";
	case ETCD_EV_PROGRESS:	return "PROGRESS";
	}
	return "?";
}

/* ------------------------------------------------------------------ */
/* base64 and JSON fields */

static char *
b64_encode(const void *in, size_t len)
{
	char	*out = xmalloc(4 * ((len + 2) / 3) + 1);

	EVP_EncodeBlock((unsigned char *)out, in, (int)len);
	return out;
}

/* Decoded into a new NUL-terminated string; NULL when in is not base64. */
static char *
b64_decode(const char *in, size_t *outlen)
{
	size_t	 len = strlen(in), pad = 0;
	char	*out;
	int	 n;

	if (len % 4 != 0)
		return NULL;
	out = xmalloc(len / 4 * 3 + 1);
	if ((n = EVP_DecodeBlock((unsigned char *)out,
	    (const unsigned char *)in, (int)len)) < 0) {
		free(out);
		return NULL;
	}
	while (pad < 2 && len > pad && in[len - 1 - pad] == '=')
		pad++;
	out[n - pad] = '\0';
	*outlen = (size_t)n - pad;
	return out;
}

/* An int64 field: etcd writes them as strings; absent means 0. */
static int64_t
j_int(json_t *o, const char *name)
{
	json_t	*v = json_object_get(o, name);

	if (json_is_string(v))
		return strtoll(json_string_value(v), NULL, 10);
	if (json_is_integer(v))
		return json_integer_value(v);
	return 0;
}

static json_t *
j_int_str(int64_t v)
{
	char	s[24];

	snprintf(s, sizeof(s), "%lld", (long long)v);
	return json_string(s);
}

static json_t *
j_b64(const void *p, size_t len)
{
	char	*s = b64_encode(p, len);
	json_t	*v = json_string(s);

	free(s);
	return v;
}

/* A range's first key: the key, or "\0" for the empty prefix (etcd wants
 * a key). */
static json_t *
j_key(const char *key, int prefix)
{
	return j_b64(key, prefix && key[0] == '\0' ? 1 : strlen(key));
}

/* The end of a prefix's range: the prefix with its last byte below 0xff
 * raised by one; "\0" (every key from the prefix on) when there is none. */
static json_t *
j_range_end(const char *prefix)
{
	size_t	 len = strlen(prefix);
	char	*end = xstrdup(prefix);
	json_t	*v;

	while (len > 0 && (unsigned char)end[len - 1] == 0xff)
		len--;
	if (len == 0)
		v = j_b64("", 1);
	else {
		end[len - 1]++;
		v = j_b64(end, len);
	}
	free(end);
	return v;
}

static void
kv_clear(struct etcd_kv *kv)
{
	free(kv->key);
	free(kv->value);
	memset(kv, 0, sizeof(*kv));
}

static int
kv_parse(json_t *o, struct etcd_kv *kv)
{
	const char	*k = json_string_value(json_object_get(o, "key"));
	const char	*v = json_string_value(json_object_get(o, "value"));
	size_t		 klen;

	memset(kv, 0, sizeof(*kv));
	if (k == NULL || (kv->key = b64_decode(k, &klen)) == NULL ||
	    (kv->value = b64_decode(v != NULL ? v : "", &kv->vlen)) == NULL) {
		kv_clear(kv);
		return -1;
	}
	kv->create_rev = j_int(o, "create_revision");
	kv->mod_rev = j_int(o, "mod_revision");
	kv->lease = j_int(o, "lease");
	return 0;
}

void
etcd_kvs_free(struct etcd_kv *kvs, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		kv_clear(&kvs[i]);
	free(kvs);
}

/*
 * etcd's error in an answer: {"error":"...","message":"...","code":N} for
 * a call, {"error":{"grpc_code":N,"message":"..."}} in a stream. Returns
 * the gRPC code (0: none) with msg set; -1 when o holds no error.
 */
static int
j_error(json_t *o, char *msg, size_t len)
{
	json_t		*e = json_object_get(o, "error");
	const char	*m;
	int		 code;

	if (e == NULL)
		return -1;
	if (json_is_object(e)) {
		m = json_string_value(json_object_get(e, "message"));
		code = (int)j_int(e, "grpc_code");
	} else {
		if ((m = json_string_value(json_object_get(o, "message"))) ==
		    NULL)
			m = json_string_value(e);
		code = (int)j_int(o, "code");
	}
	snprintf(msg, len, "%s", m != NULL ? m : "error without a message");
	return code;
}

/* Does etcd refuse the token (so a new one may help)? */
static int
auth_refused(int code, const char *msg)
{
	return code == GRPC_UNAUTHENTICATED ||
	    strstr(msg, "invalid auth token") != NULL ||
	    strstr(msg, "user name is empty") != NULL ||
	    strstr(msg, "revision of auth store is old") != NULL;
}

/* ------------------------------------------------------------------ */
/* Transfers on the multi handle */

static size_t
xfer_write(char *p, size_t size, size_t n, void *arg)
{
	struct etcd_xfer	*x = arg;
	size_t			 len = size * n;

	if (x->len + len > ETCD_MAX_BODY)
		return 0;	/* curl fails the transfer */
	if (x->len + len + 1 > x->cap) {
		x->cap = (x->len + len + 1) * 2;
		x->buf = xrealloc(x->buf, x->cap);
	}
	memcpy(x->buf + x->len, p, len);
	x->len += len;
	x->buf[x->len] = '\0';
	x->got = 1;
	return len;
}

/* Start POST url + path with body on e's multi; stream: keep it open. */
static void
xfer_start(struct etcd *e, struct etcd_xfer *x, size_t idx, const char *path,
    const char *body, int stream)
{
	char	 url[1024], *h;

	memset(x, 0, sizeof(*x));
	x->url = e->urls[idx];
	x->stream = stream;
	x->h = curl_easy_init();
	if (x->h == NULL)
		abort();	/* out of memory, as xmalloc */
	snprintf(url, sizeof(url), "%s%s", x->url, path);
	curl_easy_setopt(x->h, CURLOPT_URL, url);
	curl_easy_setopt(x->h, CURLOPT_COPYPOSTFIELDS, body);
	x->hdrs = curl_slist_append(NULL, "Content-Type: application/json");
	x->hdrs = curl_slist_append(x->hdrs, "Expect:");
	if (e->require_leader)
		x->hdrs = curl_slist_append(x->hdrs,
		    "Grpc-Metadata-hasleader: true");
	if (e->token != NULL && strcmp(path, "/v3/auth/authenticate") != 0) {
		xasprintf(&h, "Authorization: %s", e->token);
		x->hdrs = curl_slist_append(x->hdrs, h);
		free(h);
	}
	curl_easy_setopt(x->h, CURLOPT_HTTPHEADER, x->hdrs);
	curl_easy_setopt(x->h, CURLOPT_WRITEFUNCTION, xfer_write);
	curl_easy_setopt(x->h, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(x->h, CURLOPT_PRIVATE, x);
	curl_easy_setopt(x->h, CURLOPT_ERRORBUFFER, x->curlerr);
	curl_easy_setopt(x->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(x->h, CURLOPT_PROTOCOLS_STR, "http,https");
	if (e->cafile != NULL)
		curl_easy_setopt(x->h, CURLOPT_CAINFO, e->cafile);
	if (e->certfile != NULL)
		curl_easy_setopt(x->h, CURLOPT_SSLCERT, e->certfile);
	if (e->keyfile != NULL)
		curl_easy_setopt(x->h, CURLOPT_SSLKEY, e->keyfile);
	if (stream)
		curl_easy_setopt(x->h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_multi_add_handle(e->multi, x->h);
	e->nxfers++;
}

/* Take x off the multi (closing its connection if it is not done). */
static void
xfer_end(struct etcd *e, struct etcd_xfer *x)
{
	if (x->h != NULL) {
		curl_multi_remove_handle(e->multi, x->h);
		curl_easy_cleanup(x->h);
		e->nxfers--;
	}
	curl_slist_free_all(x->hdrs);
	free(x->buf);
	memset(x, 0, sizeof(*x));
}

/* Is x done, or has a stream of bytes to read? Also a Pth event function,
 * for when another thread's curl_multi_perform moved x. */
static int
xfer_moved(void *arg)
{
	struct etcd_xfer	*x = arg;

	return x->done || (x->stream && x->got);
}

/*
 * Drive e's transfers until x is done (a stream: got bytes), or until
 * passes.
 *
 * Results:
 *	0 when x moved, -1 when until passed first.
 *
 * Side effects:
 *	Yields: waits in pth_select_ev() on curl's sockets, for curl's own
 *	timeout at most, and wakes when another Pth thread's perform moved
 *	x (an event function the scheduler polls). Other transfers on the
 *	multi move too.
 */
static int
etcd_drive(struct etcd *e, struct etcd_xfer *x, int64_t until)
{
	struct timeval	 tv;
	pth_event_t	 ev;
	fd_set		 r, w, ex;
	CURLMsg		*m;
	long		 tmo;
	int64_t		 now, wait;
	void		*p;
	int		 running, q, maxfd;

	ev = pth_event(PTH_EVENT_FUNC, xfer_moved, x, pth_time(1, 0));
	for (;;) {
		curl_multi_perform(e->multi, &running);
		while ((m = curl_multi_info_read(e->multi, &q)) != NULL) {
			if (m->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &p);
			((struct etcd_xfer *)p)->done = 1;
			((struct etcd_xfer *)p)->rc = m->data.result;
		}
		if (xfer_moved(x))
			break;
		now = time_mono_ms();
		if (now >= until)
			break;
		wait = until - now;
		if (curl_multi_timeout(e->multi, &tmo) == CURLM_OK &&
		    tmo >= 0 && tmo < wait)
			wait = tmo;
		FD_ZERO(&r);
		FD_ZERO(&w);
		FD_ZERO(&ex);
		maxfd = -1;
		curl_multi_fdset(e->multi, &r, &w, &ex, &maxfd);
		if (maxfd < 0 && wait > ETCD_IDLE_MS)
			wait = ETCD_IDLE_MS;
		if (wait == 0) {
			pth_yield(NULL);
			continue;
		}
		tv.tv_sec = (time_t)(wait / 1000);
		tv.tv_usec = (suseconds_t)(wait % 1000) * 1000;
		pth_select_ev(maxfd + 1, &r, &w, &ex, &tv, ev);
	}
	pth_event_free(ev, PTH_FREE_THIS);
	return xfer_moved(x) ? 0 : -1;
}

/*
 * The next attempt of a call: the endpoints in turn from the last good
 * one, each for timeout_ms at most; round after round (100 ms apart)
 * until the deadline, unless every endpoint of a round said "no leader".
 *
 * Results:
 *	1 with t->idx and t->until set; 0 when the call must end.
 *
 * Side effects:
 *	Yields between rounds.
 */
static int
try_next(struct etcd *e, struct etcd_try *t, int64_t deadline)
{
	int64_t	now;

	if (t->n > 0 && t->n % e->nurls == 0) {
		/* a last round shorter than the pause would only say
		   "timeout", hiding why the round before failed */
		if (t->no_leader == e->nurls ||
		    time_mono_ms() + 2 * ETCD_ROUND_MS >= deadline)
			return 0;
		t->no_leader = 0;
		pth_nap(pth_time(0, ETCD_ROUND_MS * 1000));
	}
	if ((now = time_mono_ms()) >= deadline)
		return 0;
	t->idx = (e->cur + t->n++) % e->nurls;
	t->until = deadline;
	if (e->timeout_ms > 0 && now + e->timeout_ms < deadline)
		t->until = now + e->timeout_ms;
	return 1;
}

/* Is it etcd's "no leader" (and not another Unavailable)? */
static int
no_leader(int code, const char *msg)
{
	return code == GRPC_UNAVAILABLE && strstr(msg, "no leader") != NULL;
}

/*
 * POST body to path at the endpoints in turn (try_next).
 *
 * Results:
 *	0 with *resp (the answer, owned by the caller); ETCD_REFUSED with
 *	*code and err for etcd's error; ETCD_UNREACHABLE when no endpoint
 *	answered. An endpoint that failed, timed out or said "no leader"
 *	passes the call on to the next; the last one's failure decides.
 *
 * Side effects:
 *	Yields; remembers the endpoint that answered.
 */
static int
etcd_post(struct etcd *e, const char *path, const char *body, json_t **resp,
    int *code, int64_t deadline, char *err, size_t errlen)
{
	struct etcd_xfer	 x;
	struct etcd_try		 t;
	json_error_t		 jerr;
	json_t			*j;
	int64_t			 started;
	long			 status;
	char			 msg[256];
	int			 rc = ETCD_UNREACHABLE;

	*resp = NULL;
	*code = 0;
	memset(&t, 0, sizeof(t));
	snprintf(err, errlen, "%s%s: no time left", e->urls[e->cur], path);
	while (try_next(e, &t, deadline)) {
		started = time_mono_ms();
		xfer_start(e, &x, t.idx, path, body, 0);
		if (etcd_drive(e, &x, t.until) < 0) {
			snprintf(err, errlen, "%s%s: timeout after %lld ms",
			    x.url, path, (long long)(t.until - started));
			xfer_end(e, &x);
			rc = ETCD_UNREACHABLE;
			continue;
		}
		if (x.rc != CURLE_OK) {
			snprintf(err, errlen, "%s%s: %s", x.url, path,
			    x.curlerr[0] != '\0' ? x.curlerr :
			    curl_easy_strerror(x.rc));
			xfer_end(e, &x);
			rc = ETCD_UNREACHABLE;
			continue;
		}
		status = 0;
		curl_easy_getinfo(x.h, CURLINFO_RESPONSE_CODE, &status);
		j = json_loadb(x.buf != NULL ? x.buf : "", x.len,
		    JSON_DISABLE_EOF_CHECK, &jerr);
		if (j == NULL) {
			snprintf(err, errlen, "%s%s: HTTP %ld, not JSON: %.80s",
			    x.url, path, status, x.buf != NULL ? x.buf : "");
			xfer_end(e, &x);
			rc = ETCD_UNREACHABLE;
			continue;
		}
		xfer_end(e, &x);
		if ((*code = j_error(j, msg, sizeof(msg))) < 0 &&
		    status == 200) {
			e->cur = t.idx;
			*resp = j;
			return 0;
		}
		if (*code < 0) {
			*code = 0;
			snprintf(msg, sizeof(msg), "HTTP %ld", status);
		}
		json_decref(j);
		snprintf(err, errlen, "%s%s: %s", e->urls[t.idx], path, msg);
		rc = ETCD_REFUSED;
		if (*code == GRPC_UNAVAILABLE) {	/* another may do */
			t.no_leader += no_leader(*code, msg);
			continue;
		}
		e->cur = t.idx;
		return ETCD_REFUSED;
	}
	return rc;
}

static int
etcd_authenticate(struct etcd *e, int64_t deadline, char *err, size_t errlen)
{
	json_t		*req, *resp;
	const char	*tok;
	char		*body;
	int		 rc, code;

	req = json_pack("{s:s, s:s}", "name", e->user, "password",
	    e->password != NULL ? e->password : "");
	body = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	free(e->token);
	e->token = NULL;
	rc = etcd_post(e, "/v3/auth/authenticate", body, &resp, &code,
	    deadline, err, errlen);
	free(body);
	if (rc != 0)
		return rc;
	if ((tok = json_string_value(json_object_get(resp, "token"))) == NULL) {
		snprintf(err, errlen, "%s/v3/auth/authenticate: no token",
		    e->urls[e->cur]);
		json_decref(resp);
		return ETCD_REFUSED;
	}
	e->token = xstrdup(tok);
	json_decref(resp);
	return 0;
}

/*
 * A call: req (taken) to path, the answer in *resp. With a user, a token
 * first, and a new one when etcd refuses it (once).
 */
static int
etcd_call(struct etcd *e, const char *path, json_t *req, json_t **resp,
    int64_t deadline, char *err, size_t errlen)
{
	char	*body = json_dumps(req, JSON_COMPACT);
	int	 rc, code, tries;

	json_decref(req);
	for (tries = 0; ; tries++) {
		if (e->user != NULL && e->token == NULL &&
		    (rc = etcd_authenticate(e, deadline, err, errlen)) != 0)
			break;
		rc = etcd_post(e, path, body, resp, &code, deadline, err,
		    errlen);
		if (rc == ETCD_REFUSED && e->user != NULL && tries == 0 &&
		    auth_refused(code, err)) {
			free(e->token);
			e->token = NULL;
			continue;
		}
		break;
	}
	free(body);
	return rc;
}

/* ------------------------------------------------------------------ */
/* The client */

struct etcd *
etcd_new(const struct etcd_opts *o, char *err, size_t errlen)
{
	static int	 curl_ready;
	struct etcd	*e;
	const char	*p, *end;
	char		*u;
	size_t		 len;

	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
			snprintf(err, errlen, "cannot initialise libcurl");
			return NULL;
		}
		curl_ready = 1;
	}
	e = xcalloc(1, sizeof(*e));
	for (p = o->endpoints != NULL ? o->endpoints : ""; *p != '\0'; p = end) {
		p += strspn(p, " ,");
		end = p + strcspn(p, " ,");
		if ((len = (size_t)(end - p)) == 0)
			continue;
		xasprintf(&u, "%.*s", (int)len, p);
		if (strstr(u, "://") == NULL) {
			free(u);
			xasprintf(&u, "http://%.*s", (int)len, p);
		}
		while (strlen(u) > 0 && u[strlen(u) - 1] == '/')
			u[strlen(u) - 1] = '\0';
		e->urls = xrealloc(e->urls, (e->nurls + 1) * sizeof(char *));
		e->urls[e->nurls++] = u;
		if (strncmp(u, "http://", 7) != 0 &&
		    strncmp(u, "https://", 8) != 0) {
			snprintf(err, errlen, "etcd endpoint \"%s\": not "
			    "http:// or https://", u);
			etcd_free(e);
			return NULL;
		}
	}
	if (e->nurls == 0) {
		snprintf(err, errlen, "no etcd endpoint");
		etcd_free(e);
		return NULL;
	}
	e->cafile = o->cafile != NULL ? xstrdup(o->cafile) : NULL;
	e->certfile = o->certfile != NULL ? xstrdup(o->certfile) : NULL;
	e->keyfile = o->keyfile != NULL ? xstrdup(o->keyfile) : NULL;
	e->user = o->user != NULL ? xstrdup(o->user) : NULL;
	e->password = o->password != NULL ? xstrdup(o->password) : NULL;
	e->timeout_ms = o->timeout_ms;
	e->require_leader = o->require_leader;
	if ((e->multi = curl_multi_init()) == NULL)
		abort();	/* out of memory, as xmalloc */
	return e;
}

void
etcd_free(struct etcd *e)
{
	size_t	i;

	if (e == NULL)
		return;
	if (e->nxfers != 0)
		abort();	/* a watch still open: a caller's bug */
	if (e->multi != NULL)
		curl_multi_cleanup(e->multi);
	for (i = 0; i < e->nurls; i++)
		free(e->urls[i]);
	free(e->urls);
	free(e->cafile);
	free(e->certfile);
	free(e->keyfile);
	free(e->user);
	free(e->password);
	free(e->token);
	free(e);
}

const char *
etcd_endpoint(const struct etcd *e)
{
	return e->urls[e->cur];
}

/* ------------------------------------------------------------------ */
/* Leases */

int
etcd_lease_grant(struct etcd *e, int ttl_s, int64_t *lease, int64_t *ttl,
    int64_t deadline, char *err, size_t errlen)
{
	json_t	*resp;
	int	 rc;

	rc = etcd_call(e, "/v3/lease/grant", json_pack("{s:i}", "TTL", ttl_s),
	    &resp, deadline, err, errlen);
	if (rc != 0)
		return rc;
	*lease = j_int(resp, "ID");
	if (ttl != NULL)
		*ttl = j_int(resp, "TTL");
	json_decref(resp);
	return 0;
}

int
etcd_lease_keepalive(struct etcd *e, int64_t lease, int64_t *ttl_left,
    int64_t *sent_ms, int64_t deadline, char *err, size_t errlen)
{
	json_t	*resp;
	int64_t	 sent = time_mono_ms();
	int	 rc;

	/* A stream in gRPC: one request in, {"result": {...}} out. */
	rc = etcd_call(e, "/v3/lease/keepalive",
	    json_pack("{s:o}", "ID", j_int_str(lease)), &resp, deadline, err,
	    errlen);
	if (rc != 0)
		return rc;
	*ttl_left = j_int(json_object_get(resp, "result"), "TTL");
	if (*ttl_left < 0)
		*ttl_left = 0;
	if (sent_ms != NULL)
		*sent_ms = sent;
	json_decref(resp);
	return 0;
}

int
etcd_lease_revoke(struct etcd *e, int64_t lease, int64_t deadline, char *err,
    size_t errlen)
{
	json_t	*resp;
	int	 rc;

	rc = etcd_call(e, "/v3/lease/revoke",
	    json_pack("{s:o}", "ID", j_int_str(lease)), &resp, deadline, err,
	    errlen);
	if (rc == 0)
		json_decref(resp);
	return rc;
}

int
etcd_lease_ttl(struct etcd *e, int64_t lease, int64_t *ttl_left,
    int64_t *granted, int64_t deadline, char *err, size_t errlen)
{
	json_t	*resp;
	int	 rc;

	rc = etcd_call(e, "/v3/lease/timetolive",
	    json_pack("{s:o}", "ID", j_int_str(lease)), &resp, deadline, err,
	    errlen);
	if (rc != 0)
		return rc;
	*ttl_left = j_int(resp, "TTL");
	if (granted != NULL)
		*granted = j_int(resp, "grantedTTL");
	json_decref(resp);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Keys */

/* The kvs of a range answer (o: the answer, or a txn's response_range). */
static int
kvs_parse(json_t *o, struct etcd_kv **kvs, size_t *n, const char *what,
    char *err, size_t errlen)
{
	json_t	*arr = json_object_get(o, "kvs");
	size_t	 i;

	*kvs = NULL;
	*n = json_array_size(arr);
	if (*n == 0)
		return 0;
	*kvs = xcalloc(*n, sizeof(**kvs));
	for (i = 0; i < *n; i++)
		if (kv_parse(json_array_get(arr, i), &(*kvs)[i]) < 0) {
			snprintf(err, errlen, "%s: a key or value not in "
			    "base64", what);
			etcd_kvs_free(*kvs, *n);
			*kvs = NULL;
			*n = 0;
			return ETCD_REFUSED;
		}
	return 0;
}

int
etcd_range(struct etcd *e, const char *key, int prefix, struct etcd_kv **kvs,
    size_t *n, int64_t *rev, int64_t deadline, char *err, size_t errlen)
{
	json_t	*req, *resp;
	int	 rc;

	*kvs = NULL;
	*n = 0;
	req = json_pack("{s:o}", "key", j_key(key, prefix));
	if (prefix)
		json_object_set_new(req, "range_end", j_range_end(key));
	if ((rc = etcd_call(e, "/v3/kv/range", req, &resp, deadline, err,
	    errlen)) != 0)
		return rc;
	if (rev != NULL)
		*rev = j_int(json_object_get(resp, "header"), "revision");
	rc = kvs_parse(resp, kvs, n, "/v3/kv/range", err, errlen);
	json_decref(resp);
	return rc;
}

int
etcd_put(struct etcd *e, const char *key, const char *value, int64_t lease,
    int64_t *rev, int64_t deadline, char *err, size_t errlen)
{
	json_t	*req, *resp;
	int	 rc;

	req = json_pack("{s:o, s:o}", "key", j_b64(key, strlen(key)),
	    "value", j_b64(value, strlen(value)));
	if (lease != 0)
		json_object_set_new(req, "lease", j_int_str(lease));
	if ((rc = etcd_call(e, "/v3/kv/put", req, &resp, deadline, err,
	    errlen)) != 0)
		return rc;
	if (rev != NULL)
		*rev = j_int(json_object_get(resp, "header"), "revision");
	json_decref(resp);
	return 0;
}

int
etcd_delete(struct etcd *e, const char *key, int prefix, int64_t *deleted,
    int64_t deadline, char *err, size_t errlen)
{
	json_t	*req, *resp;
	int	 rc;

	req = json_pack("{s:o}", "key", j_key(key, prefix));
	if (prefix)
		json_object_set_new(req, "range_end", j_range_end(key));
	if ((rc = etcd_call(e, "/v3/kv/deleterange", req, &resp, deadline, err,
	    errlen)) != 0)
		return rc;
	if (deleted != NULL)
		*deleted = j_int(resp, "deleted");
	json_decref(resp);
	return 0;
}

/* A txn comparing key's create revision with create_rev (EQUAL). */
static json_t *
txn_if_created(const char *key, int64_t create_rev)
{
	return json_pack("{s:[{s:o, s:s, s:s, s:o}]}", "compare",
	    "key", j_b64(key, strlen(key)), "target", "CREATE",
	    "result", "EQUAL", "create_revision", j_int_str(create_rev));
}

int
etcd_create(struct etcd *e, const char *key, const char *value, int64_t lease,
    int *created, int64_t *create_rev, int64_t *key_lease, int64_t deadline,
    char *err, size_t errlen)
{
	struct etcd_kv	*kvs;
	json_t		*req, *resp, *put, *r;
	size_t		 n;
	int		 rc;

	put = json_pack("{s:o, s:o}", "key", j_b64(key, strlen(key)),
	    "value", j_b64(value, strlen(value)));
	if (lease != 0)
		json_object_set_new(put, "lease", j_int_str(lease));
	req = txn_if_created(key, 0);
	json_object_set_new(req, "success",
	    json_pack("[{s:o}]", "request_put", put));
	json_object_set_new(req, "failure", json_pack("[{s:{s:o}}]",
	    "request_range", "key", j_b64(key, strlen(key))));
	if ((rc = etcd_call(e, "/v3/kv/txn", req, &resp, deadline, err,
	    errlen)) != 0)
		return rc;
	*created = json_is_true(json_object_get(resp, "succeeded"));
	if (*created) {
		/* a put's revision is the key's create revision */
		*create_rev = j_int(json_object_get(resp, "header"),
		    "revision");
		*key_lease = lease;
		json_decref(resp);
		return 0;
	}
	r = json_object_get(json_array_get(json_object_get(resp, "responses"),
	    0), "response_range");
	rc = kvs_parse(r, &kvs, &n, "/v3/kv/txn", err, errlen);
	json_decref(resp);
	if (rc != 0)
		return rc;
	*create_rev = n > 0 ? kvs[0].create_rev : 0;
	*key_lease = n > 0 ? kvs[0].lease : 0;
	etcd_kvs_free(kvs, n);
	if (n == 0) {
		/* deleted between the compare and the read: cannot be, a
		   txn is atomic; etcd answered something else */
		snprintf(err, errlen, "%s/v3/kv/txn: neither created nor "
		    "found", etcd_endpoint(e));
		return ETCD_REFUSED;
	}
	return 0;
}

int
etcd_delete_if(struct etcd *e, const char *key, int64_t create_rev,
    int *deleted, int64_t deadline, char *err, size_t errlen)
{
	json_t	*req, *resp;
	int	 rc;

	req = txn_if_created(key, create_rev);
	json_object_set_new(req, "success", json_pack("[{s:{s:o}}]",
	    "request_delete_range", "key", j_b64(key, strlen(key))));
	if ((rc = etcd_call(e, "/v3/kv/txn", req, &resp, deadline, err,
	    errlen)) != 0)
		return rc;
	*deleted = json_is_true(json_object_get(resp, "succeeded"));
	json_decref(resp);
	return 0;
}

int
etcd_put_if(struct etcd *e, const char *key, const char *value,
    int64_t lease, int64_t create_rev, int *done, int64_t deadline,
    char *err, size_t errlen)
{
	json_t	*req, *resp, *put;
	int	 rc;

	put = json_pack("{s:o,s:o}", "key", j_b64(key, strlen(key)),
	    "value", j_b64(value, strlen(value)));
	if (lease != 0)
		json_object_set_new(put, "lease", j_int_str(lease));
	req = txn_if_created(key, create_rev);
	json_object_set_new(req, "success",
	    json_pack("[{s:o}]", "request_put", put));
	if ((rc = etcd_call(e, "/v3/kv/txn", req, &resp, deadline, err,
	    errlen)) != 0)
		return rc;
	*done = json_is_true(json_object_get(resp, "succeeded"));
	json_decref(resp);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Watches */

/*
 * The next message of w's stream: the gateway writes one JSON object a
 * line, which may come in pieces; the last, an error before it closes the
 * stream, without its newline.
 *
 * Results:
 *	1 with *msg (the caller's); 0 when until passed first; -1 when the
 *	stream ended or is not JSON (err says which).
 *
 * Side effects:
 *	Yields; drops the bytes it parsed.
 */
static int
watch_msg(struct etcd_watch *w, json_t **msg, int64_t until, char *err,
    size_t errlen)
{
	struct etcd_xfer	*x = &w->x;
	json_error_t		 jerr;
	char			*nl;

	for (;;) {
		if (x->buf != NULL &&
		    (nl = memchr(x->buf + w->off, '\n', x->len - w->off)) !=
		    NULL) {
			*msg = json_loadb(x->buf + w->off,
			    (size_t)(nl - (x->buf + w->off)), 0, &jerr);
			w->off = (size_t)(nl + 1 - x->buf);
			if (w->off * 2 > x->len) {	/* keep buf small */
				memmove(x->buf, x->buf + w->off,
				    x->len - w->off + 1);
				x->len -= w->off;
				w->off = 0;
			}
			if (*msg != NULL)
				return 1;
			snprintf(err, errlen, "%s/v3/watch: not JSON: %s",
			    x->url, jerr.text);
			return -1;
		}
		if (x->done && w->off + strspn(x->buf != NULL ? x->buf +
		    w->off : "", " \t\r\n") < x->len) {
			/* the last message may lack its newline (an error) */
			xfer_write("\n", 1, 1, x);
			continue;
		}
		if (x->done) {
			snprintf(err, errlen, "%s/v3/watch: %s", x->url,
			    x->rc != CURLE_OK ? (x->curlerr[0] != '\0' ?
			    x->curlerr : curl_easy_strerror(x->rc)) :
			    "etcd closed the stream");
			return -1;
		}
		x->got = 0;
		if (etcd_drive(w->e, x, until) < 0)
			return 0;
	}
}

/*
 * Open the stream at endpoint idx and read its first message.
 *
 * Results:
 *	0 when etcd created the watch; ETCD_REFUSED with *code for its
 *	error; ETCD_UNREACHABLE for a failed connection or a timeout.
 */
static int
watch_start(struct etcd_watch *w, size_t idx, const char *body, int *code,
    int64_t until, char *err, size_t errlen)
{
	json_t	*msg, *res;
	char	 m[256];
	int	 rc;

	*code = 0;
	xfer_start(w->e, &w->x, idx, "/v3/watch", body, 1);
	w->off = 0;
	if ((rc = watch_msg(w, &msg, until, err, errlen)) <= 0) {
		if (rc == 0)
			snprintf(err, errlen, "%s/v3/watch: timeout",
			    w->x.url);
		return ETCD_UNREACHABLE;
	}
	res = json_object_get(msg, "result");
	if (json_is_true(json_object_get(res, "created")) &&
	    !json_is_true(json_object_get(res, "canceled"))) {
		json_decref(msg);
		return 0;
	}
	if ((*code = j_error(msg, m, sizeof(m))) < 0) {
		*code = 0;
		snprintf(m, sizeof(m), "%s", json_string_value(
		    json_object_get(res, "cancel_reason")) != NULL ?
		    json_string_value(json_object_get(res, "cancel_reason")) :
		    "not created");
	}
	snprintf(err, errlen, "%s/v3/watch: %s", w->x.url, m);
	json_decref(msg);
	return ETCD_REFUSED;
}

struct etcd_watch *
etcd_watch_open(struct etcd *e, const char *prefix, int64_t start_rev,
    int progress_notify, int64_t deadline, char *err, size_t errlen)
{
	struct etcd_watch	*w = xcalloc(1, sizeof(*w));
	struct etcd_try		 t;
	json_t			*cr;
	char			*body;
	int			 rc, code, auth_tries = 0;

	w->e = e;
	cr = json_pack("{s:o, s:o}", "key", j_key(prefix, 1),
	    "range_end", j_range_end(prefix));
	if (start_rev > 0)
		json_object_set_new(cr, "start_revision",
		    j_int_str(start_rev));
	if (progress_notify)
		json_object_set_new(cr, "progress_notify", json_true());
	cr = json_pack("{s:o}", "create_request", cr);
	body = json_dumps(cr, JSON_COMPACT);
	json_decref(cr);
	memset(&t, 0, sizeof(t));
	snprintf(err, errlen, "%s/v3/watch: no time left", e->urls[e->cur]);
	while (try_next(e, &t, deadline)) {
		if (e->user != NULL && e->token == NULL &&
		    etcd_authenticate(e, deadline, err, errlen) != 0)
			break;
		rc = watch_start(w, t.idx, body, &code, t.until, err, errlen);
		if (rc == 0) {
			e->cur = t.idx;
			free(body);
			return w;
		}
		xfer_end(e, &w->x);
		if (rc == ETCD_REFUSED && e->user != NULL && auth_tries++ == 0 &&
		    auth_refused(code, err)) {
			free(e->token);
			e->token = NULL;
			continue;
		}
		if (rc == ETCD_REFUSED && code != GRPC_UNAVAILABLE)
			break;
		t.no_leader += no_leader(code, err);
	}
	free(body);
	free(w);
	return NULL;
}

int
etcd_watch_next(struct etcd_watch *w, struct etcd_event *ev, int64_t deadline,
    char *err, size_t errlen)
{
	json_t		*msg, *res, *events, *e;
	const char	*why, *type;
	char		 m[256];
	int		 rc;

	kv_clear(&w->kv);
	memset(ev, 0, sizeof(*ev));
	for (;;) {
		events = json_object_get(json_object_get(w->msg, "result"),
		    "events");
		if (w->next < json_array_size(events)) {
			e = json_array_get(events, w->next++);
			if (kv_parse(json_object_get(e, "kv"), &w->kv) < 0) {
				snprintf(err, errlen, "%s/v3/watch: a key or "
				    "value not in base64", w->x.url);
				return -1;
			}
			type = json_string_value(json_object_get(e, "type"));
			ev->type = type != NULL && strcmp(type, "DELETE") ==
			    0 ? ETCD_EV_DELETE : ETCD_EV_PUT;
			ev->kv = w->kv;
			ev->rev = w->rev;
			return 1;
		}
		json_decref(w->msg);
		w->msg = NULL;
		w->next = 0;
		if ((rc = watch_msg(w, &msg, deadline, err, errlen)) <= 0)
			return rc;
		if (j_error(msg, m, sizeof(m)) >= 0) {
			snprintf(err, errlen, "%s/v3/watch: %s", w->x.url, m);
			json_decref(msg);
			return -1;
		}
		res = json_object_get(msg, "result");
		if (json_is_true(json_object_get(res, "canceled"))) {
			why = json_string_value(json_object_get(res,
			    "cancel_reason"));
			if (j_int(res, "compact_revision") > 0)
				snprintf(err, errlen, "%s/v3/watch: cancelled: "
				    "compacted up to revision %lld", w->x.url,
				    (long long)j_int(res, "compact_revision"));
			else
				snprintf(err, errlen, "%s/v3/watch: cancelled:"
				    " %s", w->x.url, why != NULL ? why :
				    "no reason given");
			json_decref(msg);
			return -1;
		}
		w->rev = j_int(json_object_get(res, "header"), "revision");
		if (json_array_size(json_object_get(res, "events")) == 0 &&
		    !json_is_true(json_object_get(res, "created"))) {
			/* nothing but a header: a progress notification */
			json_decref(msg);
			ev->type = ETCD_EV_PROGRESS;
			ev->rev = w->rev;
			return 1;
		}
		w->msg = msg;
	}
}

void
etcd_watch_close(struct etcd_watch *w)
{
	if (w == NULL)
		return;
	xfer_end(w->e, &w->x);
	json_decref(w->msg);
	kv_clear(&w->kv);
	free(w);
}
