/*
 * client.c: one failproto(5) request and its answer, over UDP (with
 * retries) or TCP (one connection kept open), signed when a key is set.
 * An answer counts only if it carries our id and, when we signed, our
 * nonce and a valid mac: a forged "UP" cannot be slipped in.
 */
#include <sys/socket.h>

#include <errno.h>
#include <pth.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "timeutil.h"
#include "xmalloc.h"

#define CLIENT_UDP_TRIES	3

/*
 * The node a signed request names by default: host without its port, or
 * this host's name for a loopback address; none for an IPv6 literal.
 */
static void
client_default_to(struct fail_client *c, const char *host)
{
	char	name[256];

	if (net_is_loopback((const struct sockaddr *)&c->addr.ss)) {
		if (gethostname(name, sizeof(name)) < 0)
			return;
		name[sizeof(name) - 1] = '\0';
	} else if (strchr(host, ':') != strrchr(host, ':'))
		return;
	else
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(host, ":"),
		    host);
	if (proto_name_valid(name)) {
		strcpy(c->to_host, name);
		c->to = c->to_host;
	}
}

int
fail_client_init(struct fail_client *c, const char *host, int port, int tcp,
    char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->tcp = tcp;
	c->timeout_ms = 2000;
	c->seq = (unsigned)getpid() << 16;
	if (net_parse_addr(host, port, &c->addr, err, errlen) < 0)
		return -1;
	client_default_to(c, host);
	return 0;
}

void
fail_client_close(struct fail_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	if (c->lines != NULL)
		net_lines_free(c->lines);
	free(c->lines);
	c->lines = NULL;
}

/* Format "<id> <request> [c=] [by=] [k= t= n= mac=]" into b. */
static void
client_format(struct fail_client *c, const char *request, struct pbuf *b,
    char *id, char *nonce)
{
	snprintf(id, PROTO_MAX_ID + 1, "%x", ++c->seq);
	pbuf_reset(b);
	pbuf_printf(b, "%s %s", id, request);
	if (c->community != NULL)
		pbuf_printf(b, " c=%s", c->community);
	if (c->by != NULL)
		pbuf_printf(b, " by=%s", c->by);
	nonce[0] = '\0';
	if (c->key != NULL)
		auth_sign_request(c->key, c->to, time_now_ms(), b, nonce);
}

/*
 * Check that an answer belongs to the request (id, nonce) and is genuine.
 * Returns 1 if it does, 0 if it is not ours (ignore it), -1 if it is ours
 * but forged or unsigned.
 */
static int
client_check(struct fail_client *c, const char *line,
    struct proto_resp *resp, const char *id, const char *nonce, char *err,
    size_t errlen)
{
	if (strcmp(resp->id, id) != 0 && strcmp(resp->id, "-") != 0)
		return 0;
	if (c->key == NULL)
		return 1;
	if (resp->auth.mac == NULL) {
		/* Refusals of the authentication itself are not signed. */
		if (strcmp(resp->kind, "ERR") == 0 && (resp->code == PERR_AUTH
		    || resp->code == PERR_REPLAY || resp->code == PERR_WINDOW
		    || resp->code == PERR_MISDIRECTED
		    || resp->code == PERR_MALFORMED || resp->code == PERR_BUSY
		    || resp->code == PERR_TOOBIG || resp->code == PERR_RATE))
			return 1;
		snprintf(err, errlen, "unsigned answer to a signed request");
		return -1;
	}
	if (strcmp(resp->auth.keyid, c->key->id) != 0 ||
	    strcmp(resp->auth.nonce, nonce) != 0 ||
	    !auth_mac_ok(c->key, line, resp->auth.signed_len, resp->auth.mac)) {
		snprintf(err, errlen, "answer with a bad signature");
		return -1;
	}
	return 1;
}

static int
client_call_udp(struct fail_client *c, const char *request,
    struct proto_resp *resp, char *err, size_t errlen)
{
	char		 ids[CLIENT_UDP_TRIES][PROTO_MAX_ID + 1];
	char		 nonces[CLIENT_UDP_TRIES][PROTO_MAX_NONCE + 1];
	char		*dgram = xmalloc(PROTO_MAX_ANSWER + 1);
	struct pbuf	 b = { 0 };
	int64_t		 start = time_mono_ms(), deadline;
	int		 try, k, rc = -1, ok;
	ssize_t		 n;

	if (c->fd < 0 && (c->fd = net_connect(&c->addr, SOCK_DGRAM,
	    start + c->timeout_ms, err, errlen)) < 0)
		goto done;
	for (try = 0; try < CLIENT_UDP_TRIES; try++) {
		client_format(c, request, &b, ids[try], nonces[try]);
		if (send(c->fd, b.data, b.len, 0) < 0) {
			snprintf(err, errlen, "send: %s", strerror(errno));
			goto done;
		}
		deadline = start + (int64_t)c->timeout_ms * (try + 1) /
		    CLIENT_UDP_TRIES;
		for (;;) {
			n = recv(c->fd, dgram, PROTO_MAX_ANSWER, 0);
			if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
				if (net_wait(c->fd, 0, deadline) < 0)
					break;		/* retry */
				continue;
			}
			if (n < 0) {
				snprintf(err, errlen, "%s", strerror(errno));
				goto done;
			}
			if (proto_parse_response(dgram, (size_t)n, resp, err,
			    errlen) < 0)
				continue;
			for (k = 0; k <= try; k++) {
				if ((ok = client_check(c, dgram, resp, ids[k],
				    nonces[k], err, errlen)) != 0)
					break;
			}
			if (k > try)
				continue;		/* a stale answer */
			rc = ok > 0 ? 0 : -1;
			goto done;
		}
	}
	snprintf(err, errlen, "no answer within %d ms", c->timeout_ms);
done:
	free(dgram);
	pbuf_free(&b);
	return rc;
}

static int
client_read_tcp(struct fail_client *c, struct proto_resp *resp,
    const char *id, int64_t deadline, char *err, size_t errlen)
{
	char	*line;
	ssize_t	 n;
	int	 ok, rc = -1;

	for (;;) {
		n = net_lines_next(c->lines, &line, deadline);
		if (n == -2) {
			snprintf(err, errlen, "connection closed");
			break;
		}
		if (n == -3)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "%s", errno == ETIMEDOUT ?
			    "no answer in time" : strerror(errno));
			break;
		}
		if (proto_parse_response(line, (size_t)n, resp, err,
		    errlen) < 0)
			break;
		if ((ok = client_check(c, line, resp, id, c->nonce, err,
		    errlen)) == 0)
			continue;
		rc = ok > 0 ? 0 : -1;
		break;
	}
	return rc;
}

static int
client_send_tcp(struct fail_client *c, const char *request, int64_t deadline,
    char *err, size_t errlen)
{
	struct pbuf	b = { 0 };
	int		rc = -1;

	if (c->fd < 0) {
		if ((c->fd = net_connect(&c->addr, SOCK_STREAM, deadline, err,
		    errlen)) < 0)
			return -1;
		c->lines = xmalloc(sizeof(*c->lines));
		net_lines_init(c->lines, c->fd);
		c->lines->max = CLIENT_MAX_LINE;
	}
	client_format(c, request, &b, c->id, c->nonce);
	pbuf_add(&b, "\n", 1);
	if (net_write_all(c->fd, b.data, b.len, deadline) < 0)
		snprintf(err, errlen, "send: %s", strerror(errno));
	else
		rc = 0;
	pbuf_free(&b);
	return rc;
}

int
fail_client_call(struct fail_client *c, const char *request,
    struct proto_resp *resp, char *err, size_t errlen)
{
	int64_t	deadline = time_mono_ms() + c->timeout_ms;
	int	rc;

	if (!c->tcp) {
		rc = client_call_udp(c, request, resp, err, errlen);
		if (rc < 0 || !proto_resp_truncated(resp))
			return rc;
		/* Too large for UDP: ask again, and from now on, over TCP. */
		fail_client_close(c);
		c->tcp = 1;
	}
	rc = client_send_tcp(c, request, deadline, err, errlen);
	if (rc == 0)
		rc = client_read_tcp(c, resp, c->id, deadline, err, errlen);
	if (rc < 0)
		fail_client_close(c);	/* a fresh connection next time */
	return rc;
}

int
fail_client_watch(struct fail_client *c, struct proto_resp *first, char *err,
    size_t errlen)
{
	c->tcp = 1;
	return fail_client_call(c, "watch", first, err, errlen);
}

int
fail_client_next(struct fail_client *c, struct proto_resp *resp,
    int64_t deadline, char *err, size_t errlen)
{
	int	rc = client_read_tcp(c, resp, c->id, deadline, err, errlen);

	if (rc < 0)
		fail_client_close(c);
	return rc;
}
