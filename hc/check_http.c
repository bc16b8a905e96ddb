/*
 * check_http.c: "check http" and "check https": one HTTP/1.1 request with
 * Connection: close, healthy when the status is in the accepted ranges
 * and, with expect, the body (first 64 KiB) matches. https runs the same
 * exchange over OpenSSL on the non-blocking socket, waiting through Pth.
 */
#include "config.h"

#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "hc_check.h"
#include "check_util.h"
#include "timeutil.h"
#include "xmalloc.h"

#define HTTP_BODY_MAX	65536	/* expect looks at this much of the body */
#define HTTP_BUFSZ	8192	/* read buffer; also the longest header line */
#define HTTP_SHOW_MAX	60	/* how much of a bad line a reason shows */

struct check_http {
	int		 tls;
	int		 port;
	struct net_addr	 addr;
	char		*path;		/* owned */
	char		*hostname;	/* owned: Host name, without port */
	char		*hosthdr;	/* owned: the Host header's value */
	const char	*method;	/* "GET" or "HEAD" */
	char		 status_ok[600];	/* status_ok[code]: healthy */
	char		*expect_src;	/* owned; NULL: no expect */
	regex_t		 expect;
	int		 verify;
	char		*sni;		/* owned; NULL: send no SNI */
	char		*verify_name;	/* owned: name the certificate needs */
	SSL_CTX		*ctx;		/* owned; https only */
};

/* One connection: the socket, TLS over it or not, and a read buffer. */
struct http_conn {
	int		 fd;
	SSL		*ssl;		/* NULL for plain http */
	int		 tls_clean;	/* no fatal TLS error: may shut down */
	size_t		 off, len;	/* unread bytes: buf[off, off + len) */
	char		 buf[HTTP_BUFSZ];
};

static void	check_http_free(void *);

/* ------------------------------------------------------------------ */
/* Parsing */

/* The host part of "host", "host:port", "[v6]:port" or a bare v6. */
static char *
http_host_part(const char *spec)
{
	const char	*colon, *end;
	char		*h;

	if (spec[0] == '[' && (end = strchr(spec, ']')) != NULL) {
		h = xstrdup(spec + 1);
		h[end - spec - 1] = '\0';
		return h;
	}
	h = xstrdup(spec);
	if ((colon = strchr(spec, ':')) != NULL &&
	    strchr(colon + 1, ':') == NULL)
		h[colon - spec] = '\0';
	return h;
}

static int
http_is_ip(const char *name)
{
	unsigned char	a[16];

	return inet_pton(AF_INET, name, a) == 1 ||
	    inet_pton(AF_INET6, name, a) == 1;
}

/* "200", "200-299", "200-299,301": marks the codes in status_ok. */
static int
http_parse_status(struct check_http *c, const char *spec, char *err,
    size_t errlen)
{
	const char	*p = spec;
	char		*end;
	long		 lo, hi;

	memset(c->status_ok, 0, sizeof(c->status_ok));
	for (;;) {
		lo = strtol(p, &end, 10);
		if (end == p || *p == '-' || *p == '+')
			goto bad;
		hi = lo;
		if (*end == '-') {
			p = end + 1;
			hi = strtol(p, &end, 10);
			if (end == p || *p == '-' || *p == '+')
				goto bad;
		}
		if (lo < 100 || hi > 599 || lo > hi)
			goto bad;
		memset(c->status_ok + lo, 1, (size_t)(hi - lo + 1));
		if (*end == '\0')
			return 0;
		if (*end != ',')
			goto bad;
		p = end + 1;
	}
bad:
	snprintf(err, errlen, "option \"status\" must be codes or ranges from "
	    "100 to 599 like \"200-299,301\", not \"%s\"", spec);
	return -1;
}

/* The path goes on the request line as is: no spaces, no controls. */
static int
http_parse_path(const char *path, char *err, size_t errlen)
{
	const char	*p;

	for (p = path; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			break;
	if (path[0] != '/' || *p != '\0') {
		snprintf(err, errlen, "option \"path\" must start with \"/\" "
		    "and hold no spaces or control characters, not \"%s\"",
		    path);
		return -1;
	}
	return 0;
}

/* The text of OpenSSL's last error, for messages. */
static const char *
http_ssl_errstr(void)
{
	const char	*s;
	unsigned long	 e;

	if ((e = ERR_peek_last_error()) == 0)
		return "unknown error";
	if ((s = ERR_reason_error_string(e)) == NULL)
		s = "unknown error";
	return s;
}

/* A file OpenSSL will read: fail now, with its name, if it cannot. */
static int
http_readable(const char *what, const char *path, char *err, size_t errlen)
{
	FILE	*f;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s file \"%s\": %s", what, path,
		    strerror(errno));
		return -1;
	}
	fclose(f);
	return 0;
}

/*
 * One SSL_CTX per check line, made at parse time so that a bad ca, cert or
 * key file is reported with the Hcfile line rather than at every run.
 */
static int
http_tls_setup(struct check_http *c, const char *ca, const char *cert,
    const char *key, char *err, size_t errlen)
{
	if ((cert == NULL) != (key == NULL)) {
		snprintf(err, errlen, "options \"cert\" and \"key\" go "
		    "together (%s given alone)", cert ? "cert" : "key");
		return -1;
	}
	ERR_clear_error();
	if ((c->ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		snprintf(err, errlen, "tls: %s", http_ssl_errstr());
		return -1;
	}
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
	/* Many servers close without close_notify; a body read to the end
	 * of the connection is complete all the same. */
	SSL_CTX_set_options(c->ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
#endif
	SSL_CTX_set_verify(c->ctx, c->verify ? SSL_VERIFY_PEER :
	    SSL_VERIFY_NONE, NULL);
	if (ca != NULL) {
		if (http_readable("ca", ca, err, errlen) < 0)
			return -1;
		if (!SSL_CTX_load_verify_locations(c->ctx, ca, NULL)) {
			snprintf(err, errlen, "ca file \"%s\": %s", ca,
			    http_ssl_errstr());
			return -1;
		}
	} else if (c->verify && !SSL_CTX_set_default_verify_paths(c->ctx)) {
		snprintf(err, errlen, "tls: system certificates: %s",
		    http_ssl_errstr());
		return -1;
	}
	if (cert == NULL)
		return 0;
	if (http_readable("cert", cert, err, errlen) < 0 ||
	    http_readable("key", key, err, errlen) < 0)
		return -1;
	if (!SSL_CTX_use_certificate_chain_file(c->ctx, cert)) {
		snprintf(err, errlen, "cert file \"%s\": %s", cert,
		    http_ssl_errstr());
		return -1;
	}
	/* Loading the key checks it against the certificate already. */
	if (!SSL_CTX_use_PrivateKey_file(c->ctx, key, SSL_FILETYPE_PEM) ||
	    !SSL_CTX_check_private_key(c->ctx)) {
		if (ERR_GET_REASON(ERR_peek_last_error()) ==
		    X509_R_KEY_VALUES_MISMATCH ||
		    ERR_peek_last_error() == 0)
			snprintf(err, errlen, "key file \"%s\" does not match "
			    "cert file \"%s\"", key, cert);
		else
			snprintf(err, errlen, "key file \"%s\": %s", key,
			    http_ssl_errstr());
		return -1;
	}
	return 0;
}

/*
 * Host header: the name, bracketed if IPv6, with the port when it is not
 * the scheme's default, as a browser would send it.
 */
static void
http_set_host(struct check_http *c, const char *name)
{
	char	buf[512];
	int	dflt = c->tls ? 443 : 80;

	c->hostname = xstrdup(name);
	snprintf(buf, sizeof(buf), strchr(name, ':') ? "[%s]" : "%s", name);
	if (c->port != dflt)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), ":%d",
		    c->port);
	c->hosthdr = xstrdup(buf);
}

static int
http_port(const struct net_addr *a)
{
	const struct sockaddr	*sa = (const struct sockaddr *)&a->ss;

	if (sa->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)(const void *)sa)->
		    sin6_port);
	return ntohs(((const struct sockaddr_in *)(const void *)sa)->sin_port);
}

static void *
http_parse(int tls, int argc, char **argv, char *err, size_t errlen)
{
	struct check_http	*c;
	const char		*name = tls ? "https" : "http";
	const char		*key, *val, *host = NULL, *sni = NULL;
	const char		*ca = NULL, *cert = NULL, *keyf = NULL;
	char			*addrhost = NULL;
	int			 i;

	if (argc < 1) {
		snprintf(err, errlen, "needs an address (host[:port])");
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->tls = tls;
	c->verify = 1;
	c->method = "GET";
	memset(c->status_ok + 200, 1, 200);
	if (hc_parse_addr(argv[0], tls ? 443 : 80, &c->addr, err, errlen) < 0)
		goto fail;
	c->port = http_port(&c->addr);
	for (i = 1; i < argc; i += 2) {
		key = argv[i];
		if ((val = hc_opt_value(argc, argv, i, err, errlen)) == NULL)
			goto fail;
		if (strcmp(key, "path") == 0) {
			if (http_parse_path(val, err, errlen) < 0)
				goto fail;
			free(c->path);
			c->path = xstrdup(val);
		} else if (strcmp(key, "host") == 0)
			host = val;
		else if (strcmp(key, "status") == 0) {
			if (http_parse_status(c, val, err, errlen) < 0)
				goto fail;
		} else if (strcmp(key, "expect") == 0) {
			if (c->expect_src != NULL) {
				regfree(&c->expect);
				free(c->expect_src);
				c->expect_src = NULL;
			}
			if (hc_parse_regex(&c->expect, val, err, errlen) < 0)
				goto fail;
			c->expect_src = xstrdup(val);
		} else if (strcmp(key, "method") == 0) {
			if (strcmp(val, "GET") != 0 && strcmp(val, "HEAD") != 0) {
				snprintf(err, errlen, "option \"method\" must "
				    "be GET or HEAD, not \"%s\"", val);
				goto fail;
			}
			c->method = strcmp(val, "GET") == 0 ? "GET" : "HEAD";
		} else if (tls && strcmp(key, "verify") == 0) {
			if (strcmp(val, "on") != 0 && strcmp(val, "off") != 0) {
				snprintf(err, errlen, "option \"verify\" must "
				    "be on or off, not \"%s\"", val);
				goto fail;
			}
			c->verify = strcmp(val, "on") == 0;
		} else if (tls && strcmp(key, "sni") == 0)
			sni = val;
		else if (tls && strcmp(key, "ca") == 0)
			ca = val;
		else if (tls && strcmp(key, "cert") == 0)
			cert = val;
		else if (tls && strcmp(key, "key") == 0)
			keyf = val;
		else {
			hc_opt_unknown(name, key, tls ? "path, host, status, "
			    "expect, method, verify, sni, ca, cert, key" :
			    "path, host, status, expect, method", err, errlen);
			goto fail;
		}
	}
	if (c->expect_src != NULL && strcmp(c->method, "HEAD") == 0) {
		snprintf(err, errlen, "option \"expect\" needs a body: not with "
		    "method HEAD");
		goto fail;
	}
	if (c->path == NULL)
		c->path = xstrdup("/");
	addrhost = http_host_part(argv[0]);
	http_set_host(c, host != NULL ? host : addrhost);
	if (tls) {
		if (sni != NULL)
			c->sni = xstrdup(sni);
		else if (!http_is_ip(c->hostname))
			c->sni = xstrdup(c->hostname);
		c->verify_name = xstrdup(sni != NULL ? sni : c->hostname);
		if (http_tls_setup(c, ca, cert, keyf, err, errlen) < 0)
			goto fail;
	}
	free(addrhost);
	return c;
fail:
	free(addrhost);
	check_http_free(c);
	return NULL;
}

static void *
check_http_parse(int argc, char **argv, char *err, size_t errlen)
{
	return http_parse(0, argc, argv, err, errlen);
}

static void *
check_https_parse(int argc, char **argv, char *err, size_t errlen)
{
	return http_parse(1, argc, argv, err, errlen);
}

/* ------------------------------------------------------------------ */
/* TLS on a non-blocking socket */

/*
 * Why a TLS call failed. Pth threads share one OpenSSL error queue, so
 * every call clears it first and this runs before anything can yield.
 */
static void
http_tls_why(struct http_conn *hc, int rc, const char *when, char *why,
    size_t whylen)
{
	long	vr;
	int	e = SSL_get_error(hc->ssl, rc);

	if (e == SSL_ERROR_SSL || e == SSL_ERROR_SYSCALL)
		hc->tls_clean = 0;
	/* The result is kept even with verify off: look only when on. */
	if ((SSL_get_verify_mode(hc->ssl) & SSL_VERIFY_PEER) &&
	    (vr = SSL_get_verify_result(hc->ssl)) != X509_V_OK)
		snprintf(why, whylen, "tls: certificate verify failed: %s",
		    X509_verify_cert_error_string(vr));
	else if (e == SSL_ERROR_SSL)
		snprintf(why, whylen, "tls: %s%s", http_ssl_errstr(), when);
	else if (e == SSL_ERROR_SYSCALL && errno != 0 &&
	    ERR_peek_last_error() == 0)
		snprintf(why, whylen, "tls: %s%s", strerror(errno), when);
	else
		snprintf(why, whylen, "tls: connection closed%s", when);
}

/*
 * Wait as OpenSSL asks after rc from a TLS call: 1 retry, 0 closed
 * cleanly (close_notify), -1 error or timeout with why set.
 */
static int
http_tls_wait(struct http_conn *hc, int rc, int64_t deadline,
    const char *when, char *why, size_t whylen)
{
	int	e;

	switch ((e = SSL_get_error(hc->ssl, rc))) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		if (net_wait(hc->fd, e == SSL_ERROR_WANT_WRITE, deadline) < 0) {
			snprintf(why, whylen, "timeout%s", when);
			return -1;
		}
		return 1;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	default:
		http_tls_why(hc, rc, when, why, whylen);
		return -1;
	}
}

static int
http_tls_start(struct check_http *c, struct http_conn *hc, int64_t deadline,
    char *why, size_t whylen)
{
	X509_VERIFY_PARAM	*vp;
	int			 rc;

	ERR_clear_error();
	if ((hc->ssl = SSL_new(c->ctx)) == NULL ||
	    !SSL_set_fd(hc->ssl, hc->fd) ||
	    (c->sni != NULL && !SSL_set_tlsext_host_name(hc->ssl, c->sni))) {
		snprintf(why, whylen, "tls: %s", http_ssl_errstr());
		return -1;
	}
	if (c->verify) {
		vp = SSL_get0_param(hc->ssl);
		if (!(http_is_ip(c->verify_name) ?
		    X509_VERIFY_PARAM_set1_ip_asc(vp, c->verify_name) :
		    X509_VERIFY_PARAM_set1_host(vp, c->verify_name, 0))) {
			snprintf(why, whylen, "tls: cannot verify \"%s\"",
			    c->verify_name);
			return -1;
		}
	}
	hc->tls_clean = 1;
	for (;;) {
		ERR_clear_error();
		if ((rc = SSL_connect(hc->ssl)) == 1)
			return 0;
		rc = http_tls_wait(hc, rc, deadline, " in the tls handshake",
		    why, whylen);
		if (rc == 0) {
			snprintf(why, whylen, "tls: connection closed in the "
			    "tls handshake");
			return -1;
		}
		if (rc < 0)
			return -1;
	}
}

/* ------------------------------------------------------------------ */
/* Connection I/O */

static int
http_send(struct http_conn *hc, const char *data, size_t len,
    int64_t deadline, char *why, size_t whylen)
{
	int	rc;

	if (hc->ssl == NULL)
		return hc_send(hc->fd, data, len, deadline, why, whylen);
	for (;;) {
		ERR_clear_error();
		if ((rc = SSL_write(hc->ssl, data, (int)len)) > 0)
			return 0;
		rc = http_tls_wait(hc, rc, deadline, " sending the request",
		    why, whylen);
		if (rc == 0)
			snprintf(why, whylen, "tls: connection closed sending "
			    "the request");
		if (rc <= 0)
			return -1;
	}
}

/*
 * Read more into the buffer. Returns 1 when something came, 0 at the end
 * of the connection, -1 with why set ("timeout waiting for WHAT").
 */
static int
http_fill(struct http_conn *hc, int64_t deadline, const char *what,
    char *why, size_t whylen)
{
	char	when[128];
	ssize_t	n;
	int	rc;

	if (hc->off > 0) {
		memmove(hc->buf, hc->buf + hc->off, hc->len);
		hc->off = 0;
	}
	snprintf(when, sizeof(when), " waiting for %s", what);
	for (;;) {
		if (hc->ssl != NULL) {
			ERR_clear_error();
			rc = SSL_read(hc->ssl, hc->buf + hc->len,
			    (int)(sizeof(hc->buf) - hc->len));
			if (rc > 0) {
				hc->len += (size_t)rc;
				return 1;
			}
			rc = http_tls_wait(hc, rc, deadline, when, why,
			    whylen);
			if (rc <= 0)
				return rc;
			continue;
		}
		n = read(hc->fd, hc->buf + hc->len, sizeof(hc->buf) - hc->len);
		if (n > 0) {
			hc->len += (size_t)n;
			return 1;
		}
		if (n == 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			snprintf(why, whylen, "reading %s: %s", what,
			    strerror(errno));
			return -1;
		}
		if (net_wait(hc->fd, 0, deadline) < 0) {
			snprintf(why, whylen, "timeout%s", when);
			return -1;
		}
	}
}

/* One line without CR LF into line (HTTP_BUFSZ); its length or -1. */
static ssize_t
http_line(struct http_conn *hc, char *line, int64_t deadline,
    const char *what, char *why, size_t whylen)
{
	char	*nl;
	size_t	 n;
	int	 rc;

	for (;;) {
		nl = memchr(hc->buf + hc->off, '\n', hc->len);
		if (nl != NULL) {
			n = (size_t)(nl - (hc->buf + hc->off));
			memcpy(line, hc->buf + hc->off, n);
			hc->off += n + 1;
			hc->len -= n + 1;
			if (n > 0 && line[n - 1] == '\r')
				n--;
			line[n] = '\0';
			return (ssize_t)n;
		}
		if (hc->len == sizeof(hc->buf)) {
			snprintf(why, whylen, "%s: line too long", what);
			return -1;
		}
		if ((rc = http_fill(hc, deadline, what, why, whylen)) == 0)
			snprintf(why, whylen, "connection closed before %s",
			    what);
		if (rc <= 0)
			return -1;
	}
}

/*
 * Append up to want bytes of the stream to body (which has room). Returns
 * the count, 0 at the end of the connection, -1 with why set.
 */
static ssize_t
http_read(struct http_conn *hc, char *body, size_t want, int64_t deadline,
    char *why, size_t whylen)
{
	int	rc;

	if (hc->len == 0 &&
	    (rc = http_fill(hc, deadline, "the body", why, whylen)) <= 0)
		return rc;
	if (want > hc->len)
		want = hc->len;
	memcpy(body, hc->buf + hc->off, want);
	hc->off += want;
	hc->len -= want;
	return (ssize_t)want;
}

/* ------------------------------------------------------------------ */
/* The exchange */

struct http_resp {
	int	 status;
	int	 chunked;
	long long clen;			/* Content-Length, -1: none */
	char	*body;			/* owned: HTTP_BODY_MAX + 1 */
	size_t	 bodylen;
};

/* "HTTP/1.1 200 OK": the code, or -1 with the line in why. */
static int
http_parse_status_line(const char *line, size_t len, char *why,
    size_t whylen)
{
	char	shown[HTTP_SHOW_MAX + 1];

	if (len >= 12 && strncmp(line, "HTTP/", 5) == 0 &&
	    line[5] >= '0' && line[5] <= '9' && line[6] == '.' &&
	    line[7] >= '0' && line[7] <= '9' && line[8] == ' ' &&
	    strspn(line + 9, "0123456789") == 3 &&
	    (line[12] == ' ' || line[12] == '\0') && line[9] != '0')
		return atoi(line + 9);
	hc_why_text(shown, sizeof(shown), line, len);
	snprintf(why, whylen, "bad status line: \"%s%s\"", shown,
	    len > HTTP_SHOW_MAX ? "..." : "");
	return -1;
}

/* Transfer-Encoding: chunked is always last when present. */
static int
http_is_chunked(const char *v)
{
	size_t	n = strlen(v);

	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	return n >= 7 && strncasecmp(v + n - 7, "chunked", 7) == 0;
}

/* Status line and headers, skipping interim 1xx answers. */
static int
http_read_head(struct http_conn *hc, struct http_resp *r, char *line,
    int64_t deadline, char *why, size_t whylen)
{
	ssize_t	 n;
	char	*v;

	do {
		if ((n = http_line(hc, line, deadline, "the status line", why,
		    whylen)) < 0)
			return -1;
		if ((r->status = http_parse_status_line(line, (size_t)n, why,
		    whylen)) < 0)
			return -1;
		r->chunked = 0;
		r->clen = -1;
		while ((n = http_line(hc, line, deadline, "the headers", why,
		    whylen)) > 0) {
			if ((v = strchr(line, ':')) == NULL)
				continue;
			*v++ = '\0';
			v += strspn(v, " \t");
			if (strcasecmp(line, "Content-Length") == 0)
				r->clen = strtoll(v, NULL, 10);
			else if (strcasecmp(line, "Transfer-Encoding") == 0)
				r->chunked = http_is_chunked(v);
		}
		if (n < 0)
			return -1;
	} while (r->status >= 100 && r->status < 200 && r->status != 101);
	return 0;
}

/* Read up to want body bytes into r->body, as room allows. */
static int
http_body_bytes(struct http_conn *hc, struct http_resp *r, long long want,
    int64_t deadline, char *why, size_t whylen)
{
	size_t	room;
	ssize_t	n;

	while (want > 0 && r->bodylen < HTTP_BODY_MAX) {
		room = HTTP_BODY_MAX - r->bodylen;
		if ((long long)room > want)
			room = (size_t)want;
		n = http_read(hc, r->body + r->bodylen, room, deadline, why,
		    whylen);
		if (n == 0)
			snprintf(why, whylen, "connection closed in the body");
		if (n <= 0)
			return -1;
		r->bodylen += (size_t)n;
		want -= n;
	}
	return 0;
}

/* A chunked body: "SIZE[;ext]" CRLF, data, CRLF, ..., "0" CRLF. */
static int
http_body_chunked(struct http_conn *hc, struct http_resp *r, char *line,
    int64_t deadline, char *why, size_t whylen)
{
	char		 shown[HTTP_SHOW_MAX + 1];
	char		*end;
	long long	 size;
	ssize_t		 n;

	while (r->bodylen < HTTP_BODY_MAX) {
		if ((n = http_line(hc, line, deadline, "the next chunk", why,
		    whylen)) < 0)
			return -1;
		errno = 0;
		size = strtoll(line, &end, 16);
		if (end == line || size < 0 || errno != 0 ||
		    (*end != '\0' && *end != ';' && *end != ' ')) {
			hc_why_text(shown, sizeof(shown), line, (size_t)n);
			snprintf(why, whylen, "bad chunk size: \"%s\"", shown);
			return -1;
		}
		if (size == 0)
			return 0;
		if (http_body_bytes(hc, r, size, deadline, why, whylen) < 0)
			return -1;
		if (r->bodylen < HTTP_BODY_MAX && http_line(hc, line,
		    deadline, "the end of a chunk", why, whylen) < 0)
			return -1;
	}
	return 0;
}

/* The body as framed: chunks, Content-Length, or up to the close. */
static int
http_read_body(struct http_conn *hc, struct http_resp *r, char *line,
    int64_t deadline, char *why, size_t whylen)
{
	ssize_t	n;

	if (r->status == 204 || r->status == 304)
		return 0;
	if (r->chunked)
		return http_body_chunked(hc, r, line, deadline, why, whylen);
	if (r->clen >= 0)
		return http_body_bytes(hc, r, r->clen, deadline, why, whylen);
	while (r->bodylen < HTTP_BODY_MAX) {
		n = http_read(hc, r->body + r->bodylen,
		    HTTP_BODY_MAX - r->bodylen, deadline, why, whylen);
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		r->bodylen += (size_t)n;
	}
	return 0;
}

static int
http_exchange(struct check_http *c, struct http_conn *hc, int64_t deadline,
    char *why, size_t whylen)
{
	struct http_resp	 r;
	char			*req, *line;
	size_t			 len;
	int			 rc = -1;

	memset(&r, 0, sizeof(r));
	line = xmalloc(HTTP_BUFSZ);
	len = strlen(c->path) + strlen(c->hosthdr) + 128;
	req = xmalloc(len);
	len = (size_t)snprintf(req, len, "%s %s HTTP/1.1\r\nHost: %s\r\n"
	    "User-Agent: failover-hc/%s\r\nAccept: */*\r\n"
	    "Connection: close\r\n\r\n", c->method, c->path, c->hosthdr,
	    PACKAGE_VERSION);
	if (http_send(hc, req, len, deadline, why, whylen) < 0 ||
	    http_read_head(hc, &r, line, deadline, why, whylen) < 0)
		goto done;
	snprintf(why, whylen, "http %d", r.status);
	if (r.status >= (int)sizeof(c->status_ok) || !c->status_ok[r.status])
		goto done;
	if (c->expect_src == NULL) {
		rc = 0;
		goto done;
	}
	r.body = xmalloc(HTTP_BODY_MAX + 1);
	if (http_read_body(hc, &r, line, deadline, why, whylen) < 0)
		goto done;
	r.body[r.bodylen] = '\0';
	if (regexec(&c->expect, r.body, 0, NULL, 0) == 0)
		rc = 0;
	else
		snprintf(why, whylen, "http %d, body does not match \"%s\"",
		    r.status, c->expect_src);
done:
	free(r.body);
	free(req);
	free(line);
	return rc;
}

static int
check_http_run(void *conf, const char *target, int64_t deadline, char *why,
    size_t whylen)
{
	struct check_http	*c = conf;
	struct http_conn	*hc;
	int			 rc = -1;

	(void)target;
	hc = xcalloc(1, sizeof(*hc));
	if ((hc->fd = hc_connect(&c->addr, deadline, why, whylen)) < 0)
		goto done;
	if (c->tls && http_tls_start(c, hc, deadline, why, whylen) < 0)
		goto done;
	rc = http_exchange(c, hc, deadline, why, whylen);
done:
	if (hc->ssl != NULL) {
		/* One close_notify, not waiting for the server's. */
		if (hc->tls_clean && SSL_is_init_finished(hc->ssl)) {
			ERR_clear_error();
			SSL_shutdown(hc->ssl);
		}
		SSL_free(hc->ssl);
	}
	if (hc->fd >= 0)
		close(hc->fd);
	free(hc);
	return rc;
}

static void
check_http_free(void *conf)
{
	struct check_http	*c = conf;

	if (c == NULL)
		return;
	free(c->path);
	free(c->hostname);
	free(c->hosthdr);
	if (c->expect_src != NULL) {
		regfree(&c->expect);
		free(c->expect_src);
	}
	free(c->sni);
	free(c->verify_name);
	SSL_CTX_free(c->ctx);
	free(c);
}

const struct hc_check_type hc_check_http = {
	"http", check_http_parse, check_http_run, check_http_free
};

const struct hc_check_type hc_check_https = {
	"https", check_https_parse, check_http_run, check_http_free
};
