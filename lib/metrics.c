/*
 * metrics.c: the -e port. An accept thread admits clients through a
 * lib/peer.c table (no client is ever idle: at the limit, newcomers get
 * 503); each client's thread reads one request head against a deadline,
 * answers it (the daemon's writer fills the body) and closes. Also the
 * text format's pieces: escaping, samples, histograms.
 */
#define _GNU_SOURCE
#include <sys/select.h>
#include <sys/socket.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pth.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "metrics.h"
#include "net.h"
#include "peer.h"
#include "timeutil.h"
#include "xmalloc.h"

const double	metrics_bounds[METRICS_BUCKETS] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
	10, 30
};

/* The exporter's own answers, by status. */
static const int	metrics_codes[] = { 200, 400, 404, 405, 408, 431, 503,
			    505 };
#define METRICS_NCODES	(sizeof(metrics_codes) / sizeof(metrics_codes[0]))

struct metrics_port {
	int			 fd;
	metrics_write_fn	 write;
	struct peer_table	*peers;		/* owned */
	uint64_t		 answers[METRICS_NCODES];
};

struct metrics_conn {
	int			 fd;
	struct metrics_port	*port;		/* borrowed, lives for ever */
	struct peer_conn	 pc;
};

/* ---------------------------------------------------------------------
 * The text format.
 */
void
metrics_value(struct pbuf *out, double v)
{
	if (isnan(v))
		pbuf_add(out, "NaN", 3);
	else if (isinf(v))
		pbuf_add(out, v > 0 ? "+Inf" : "-Inf", 4);
	else if (v > -9e15 && v < 9e15 && (double)(int64_t)v == v)
		pbuf_printf(out, "%" PRId64, (int64_t)v);
	else
		pbuf_printf(out, "%.15g", v);
}

/* text with \ " and newline escaped (quote: as a label value). */
static void
metrics_escape(struct pbuf *out, const char *text, int quote)
{
	const char	*p;

	for (p = text; *p != '\0'; p++)
		if (*p == '\\')
			pbuf_add(out, "\\\\", 2);
		else if (*p == '\n')
			pbuf_add(out, "\\n", 2);
		else if (*p == '"' && quote)
			pbuf_add(out, "\\\"", 2);
		else
			pbuf_add(out, p, 1);
}

void
metrics_head(struct pbuf *out, const char *name, const char *type,
    const char *help)
{
	pbuf_printf(out, "# HELP %s ", name);
	metrics_escape(out, help, 0);
	pbuf_printf(out, "\n# TYPE %s %s\n", name, type);
}

/* name{labels[,le="le"]} value */
static void
metrics_line(struct pbuf *out, const char *name, const char *suffix,
    va_list ap, const char *le, double value)
{
	const char	*k, *v;
	int		 n = 0;

	pbuf_printf(out, "%s%s", name, suffix);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		pbuf_printf(out, "%s%s=\"", n++ ? "," : "{", k);
		metrics_escape(out, v != NULL ? v : "", 1);
		pbuf_add(out, "\"", 1);
	}
	if (le != NULL)
		pbuf_printf(out, "%sle=\"%s\"", n++ ? "," : "{", le);
	pbuf_add(out, n ? "} " : " ", n ? 2 : 1);
	metrics_value(out, value);
	pbuf_add(out, "\n", 1);
}

void
metrics_sample(struct pbuf *out, const char *name, double value, ...)
{
	va_list	ap;

	va_start(ap, value);
	metrics_line(out, name, "", ap, NULL, value);
	va_end(ap);
}

void
metrics_hist_observe(struct metrics_hist *h, double seconds)
{
	int	i;

	for (i = 0; i < METRICS_BUCKETS && seconds > metrics_bounds[i]; i++)
		;
	if (i < METRICS_BUCKETS)
		h->bucket[i]++;
	h->count++;
	h->sum += seconds;
}

void
metrics_hist_sample(struct pbuf *out, const char *name,
    const struct metrics_hist *h, ...)
{
	va_list		ap, aq;
	uint64_t	cum = 0;
	char		le[32];
	int		i;

	va_start(ap, h);
	for (i = 0; i <= METRICS_BUCKETS; i++) {
		if (i < METRICS_BUCKETS) {
			cum += h->bucket[i];
			snprintf(le, sizeof(le), "%g", metrics_bounds[i]);
		} else
			snprintf(le, sizeof(le), "+Inf");
		va_copy(aq, ap);
		metrics_line(out, name, "_bucket", aq, le, (double)(i <
		    METRICS_BUCKETS ? cum : h->count));
		va_end(aq);
	}
	va_copy(aq, ap);
	metrics_line(out, name, "_sum", aq, NULL, h->sum);
	va_end(aq);
	va_copy(aq, ap);
	metrics_line(out, name, "_count", aq, NULL, (double)h->count);
	va_end(aq);
	va_end(ap);
}

/* ---------------------------------------------------------------------
 * HTTP.
 */

/* RFC 9110 tchar */
static int
metrics_tchar(int c)
{
	return isalnum(c) || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c));
}

/* The next line of head from *p (ending at CRLF or LF); its length. */
static size_t
metrics_next_line(const char **p, const char *end, const char **line)
{
	const char	*s = *p, *nl;
	size_t		 n;

	nl = memchr(s, '\n', (size_t)(end - s));
	if (nl == NULL)
		nl = end;
	n = (size_t)(nl - s);
	if (n > 0 && s[n - 1] == '\r')
		n--;
	*line = s;
	*p = nl < end ? nl + 1 : end;
	return n;
}

int
metrics_http_status(const char *head, size_t len, int *head_only)
{
	const char	*p = head, *end = head + len, *line, *sp1, *sp2, *c;
	size_t		 n, mlen, tlen, i;
	int		 hosts = 0, http11;

	*head_only = 0;
	n = metrics_next_line(&p, end, &line);
	/* METHOD SP TARGET SP HTTP/x.y */
	if ((sp1 = memchr(line, ' ', n)) == NULL ||
	    (sp2 = memchr(sp1 + 1, ' ', n - (size_t)(sp1 + 1 - line))) == NULL)
		return 400;
	mlen = (size_t)(sp1 - line);
	tlen = (size_t)(sp2 - sp1 - 1);
	if (mlen == 0 || tlen == 0 || sp1[1] != '/')
		return 400;
	for (i = 0; i < mlen; i++)
		if (!metrics_tchar((unsigned char)line[i]))
			return 400;
	for (i = 0; i < tlen; i++)
		if ((unsigned char)sp1[1 + i] <= ' ' ||
		    (unsigned char)sp1[1 + i] >= 0x7f)
			return 400;
	c = sp2 + 1;
	if ((size_t)(line + n - c) != 8 || strncmp(c, "HTTP/", 5) != 0 ||
	    !isdigit((unsigned char)c[5]) || c[6] != '.' ||
	    !isdigit((unsigned char)c[7]))
		return 400;
	if (c[5] != '1' || (c[7] != '0' && c[7] != '1'))
		return 505;
	http11 = c[7] == '1';
	/* headers: name ":" value, no folding, up to the blank line */
	for (;;) {
		if (p >= end)
			return 400;		/* no blank line */
		n = metrics_next_line(&p, end, &line);
		if (n == 0)
			break;
		for (i = 0; i < n && metrics_tchar((unsigned char)line[i]); i++)
			;
		if (i == 0 || i == n || line[i] != ':')
			return 400;
		for (c = line; c < line + n; c++)
			if ((unsigned char)*c < ' ' && *c != '\t')
				return 400;
		if (i == 4 && strncasecmp(line, "host", 4) == 0)
			hosts++;
	}
	if (http11 && hosts != 1)
		return 400;
	if (hosts > 1)
		return 400;
	if (mlen == 4 && strncmp(head, "HEAD", 4) == 0)
		*head_only = 1;
	else if (mlen != 3 || strncmp(head, "GET", 3) != 0)
		return 405;
	/* the path, without a query */
	for (i = 0; i < tlen && sp1[1 + i] != '?'; i++)
		;
	if (i != 8 || strncmp(sp1 + 1, "/metrics", 8) != 0)
		return 404;
	return 200;
}

static const char *
metrics_reason(int code)
{
	switch (code) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 431: return "Request Header Fields Too Large";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Error";
	}
}

static void
metrics_count(struct metrics_port *port, int code)
{
	size_t	i;

	for (i = 0; i < METRICS_NCODES; i++)
		if (metrics_codes[i] == code)
			port->answers[i]++;
}

/* The exporter's own metrics, after the daemon's. */
static void
metrics_self(struct metrics_port *port, struct pbuf *out)
{
	char	code[8];
	size_t	i;

	metrics_head(out, "failover_exporter_answers_total", "counter",
	    "HTTP answers of this metrics port, by status code.");
	for (i = 0; i < METRICS_NCODES; i++) {
		snprintf(code, sizeof(code), "%d", metrics_codes[i]);
		metrics_sample(out, "failover_exporter_answers_total",
		    (double)port->answers[i], "code", code, NULL);
	}
	metrics_head(out, "failover_exporter_clients", "gauge",
	    "Clients connected to this metrics port.");
	metrics_sample(out, "failover_exporter_clients",
	    (double)peer_conns(port->peers), NULL);
}

/* The whole answer: status line, headers, body (none for HEAD). */
static void
metrics_answer(struct metrics_port *port, int code, int head_only,
    struct pbuf *out)
{
	struct pbuf	body = { 0 };

	metrics_count(port, code);
	if (code == 200) {
		port->write(&body);
		metrics_self(port, &body);
	} else
		pbuf_printf(&body, "%d %s\n", code, metrics_reason(code));
	pbuf_printf(out, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n", code,
	    metrics_reason(code), code == 200 ? METRICS_CONTENT_TYPE :
	    "text/plain; charset=utf-8", body.len);
	if (code == 405)
		pbuf_printf(out, "Allow: GET, HEAD\r\n");
	pbuf_add(out, "\r\n", 2);
	if (!head_only)
		pbuf_add(out, body.data, body.len);
	pbuf_free(&body);
}

/* Where the head ends (past its blank line) in buf, or 0. */
static size_t
metrics_head_end(const char *buf, size_t len)
{
	size_t	i;

	for (i = 0; i + 1 < len; i++)
		if (buf[i] == '\n' && (buf[i + 1] == '\n' ||
		    (buf[i + 1] == '\r' && i + 2 < len && buf[i + 2] == '\n')))
			return i + (buf[i + 1] == '\n' ? 2 : 3);
	return 0;
}

/*
 * One client: read its request head before the deadline, answer, close.
 * Side effects: the daemon's writer runs for a 200.
 */
static void *
metrics_conn_thread(void *arg)
{
	struct metrics_conn	*c = arg;
	struct pbuf		 out = { 0 };
	char			 buf[METRICS_MAX_HEAD];
	size_t			 len = 0, end = 0;
	int64_t			 deadline = time_mono_ms() + METRICS_REQUEST_MS;
	ssize_t			 n;
	int			 code = 0, head_only = 0;

	while (code == 0) {
		n = read(c->fd, buf + len, sizeof(buf) - len);
		if (n > 0) {
			len += (size_t)n;
			if ((end = metrics_head_end(buf, len)) > 0)
				code = metrics_http_status(buf, end,
				    &head_only);
			else if (len == sizeof(buf))
				code = 431;
			continue;
		}
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR))
			goto done;		/* gone before it asked */
		if (errno == EINTR)
			continue;
		if (net_wait(c->fd, 0, deadline) < 0)
			code = 408;
	}
	metrics_answer(c->port, code, head_only, &out);
	if (net_write_all(c->fd, out.data, out.len,
	    time_mono_ms() + METRICS_WRITE_MS) < 0)
		goto done;
	/* Close gently: what the client still sends must not turn the
	 * close into a reset that loses the answer. */
	shutdown(c->fd, SHUT_WR);
	deadline = time_mono_ms() + METRICS_LINGER_MS;
	while (net_wait(c->fd, 0, deadline) == 0 &&
	    ((n = read(c->fd, buf, sizeof(buf))) > 0 || (n < 0 &&
	    (errno == EAGAIN || errno == EINTR))))
		;
done:
	pbuf_free(&out);
	peer_release(c->port->peers, &c->pc);
	close(c->fd);
	free(c);
	return NULL;
}

static void *
metrics_accept_thread(void *arg)
{
	static const char	 busy[] = "HTTP/1.1 503 Service Unavailable\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\nContent-Length: 24\r\n"
	    "Connection: close\r\n\r\n503 Service Unavailable\n";
	struct metrics_port	*port = arg;
	struct metrics_conn	*c;
	struct sockaddr_storage	 peer;
	socklen_t		 plen;
	pth_attr_t		 attr = pth_attr_new();
	const char		*why;
	int			 fd;

	pth_attr_set(attr, PTH_ATTR_JOINABLE, FALSE);
	pth_attr_set(attr, PTH_ATTR_NAME, "metrics");
	for (;;) {
		plen = sizeof(peer);
		fd = accept4(port->fd, (struct sockaddr *)&peer, &plen,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR || errno == ECONNABORTED)
				net_wait(port->fd, 0, -1);
			else
				pth_nap(pth_time(0, 100000));
			continue;
		}
		c = xcalloc(1, sizeof(*c));
		if (fd >= FD_SETSIZE || peer_admit(port->peers,
		    (struct sockaddr *)&peer, fd, &c->pc, &why) < 0) {
			metrics_count(port, 503);
			(void)!write(fd, busy, sizeof(busy) - 1);
			close(fd);
			free(c);
			continue;
		}
		c->pc.idle = 0;		/* never evicted: refused instead */
		c->fd = fd;
		c->port = port;
		if (pth_spawn(attr, metrics_conn_thread, c) == NULL) {
			peer_release(port->peers, &c->pc);
			close(fd);
			free(c);
		}
	}
	return NULL;
}

int
metrics_listen(const char *spec, metrics_write_fn write, char *where,
    size_t wherelen, char *err, size_t errlen)
{
	struct metrics_port	*port;
	struct net_addr		 a;
	pth_attr_t		 attr;
	char			*full = NULL;
	int			 fd, rc;

	if (spec[0] != '\0' && strspn(spec, "0123456789") == strlen(spec))
		xasprintf(&full, "%s:%s", METRICS_DEFAULT_ADDR, spec);
	rc = net_parse_addr(full ? full : spec, 0, &a, err, errlen);
	free(full);
	if (rc < 0)
		return -1;
	if ((fd = net_bind(&a, SOCK_STREAM, err, errlen)) < 0)
		return -1;
	port = xcalloc(1, sizeof(*port));
	port->fd = fd;
	port->write = write;
	port->peers = peer_table_new(&(struct peer_limits){
	    METRICS_MAX_CLIENTS, METRICS_MAX_PER_ADDR, 0 },
	    METRICS_MAX_CLIENTS);
	attr = pth_attr_new();
	pth_attr_set(attr, PTH_ATTR_JOINABLE, FALSE);
	pth_attr_set(attr, PTH_ATTR_NAME, "metrics-accept");
	if (pth_spawn(attr, metrics_accept_thread, port) == NULL) {
		snprintf(err, errlen, "pth_spawn: %s", strerror(errno));
		close(fd);
		peer_table_free(port->peers);
		free(port);
		pth_attr_destroy(attr);
		return -1;
	}
	pth_attr_destroy(attr);
	net_addr_port_str((struct sockaddr *)&a.ss, where, wherelen);
	return 0;
}
