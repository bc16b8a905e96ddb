/*
 * net.c: addresses, listeners, and stream I/O with deadlines on GNU Pth.
 * Sockets are non-blocking; a thread that must wait parks in pth_wait()
 * on an fd event joined with a timer, so other Pth threads run meanwhile.
 */
#include <sys/select.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pth.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net.h"
#include "timeutil.h"
#include "xmalloc.h"

int
net_parse_addr(const char *spec, int default_port, struct net_addr *a,
    char *err, size_t errlen)
{
	struct addrinfo	 hints, *res = NULL;
	char		 host[256], port[16];
	const char	*colon;
	int		 rc;

	memset(a, 0, sizeof(*a));
	snprintf(port, sizeof(port), "%d", default_port);
	if (spec[0] == '[') {
		const char *end = strchr(spec, ']');

		if (end == NULL || (end[1] != '\0' && end[1] != ':') ||
		    (size_t)(end - spec) >= sizeof(host)) {
			snprintf(err, errlen, "bad address \"%s\"", spec);
			return -1;
		}
		memcpy(host, spec + 1, (size_t)(end - spec - 1));
		host[end - spec - 1] = '\0';
		if (end[1] == ':')
			snprintf(port, sizeof(port), "%s", end + 2);
	} else if ((colon = strchr(spec, ':')) != NULL &&
	    strchr(colon + 1, ':') == NULL) {
		if ((size_t)(colon - spec) >= sizeof(host)) {
			snprintf(err, errlen, "bad address \"%s\"", spec);
			return -1;
		}
		memcpy(host, spec, (size_t)(colon - spec));
		host[colon - spec] = '\0';
		snprintf(port, sizeof(port), "%s", colon + 1);
	} else
		snprintf(host, sizeof(host), "%s", spec);
	if (port[0] == '\0' || strspn(port, "0123456789") != strlen(port) ||
	    atoi(port) < 1 || atoi(port) > 65535) {
		snprintf(err, errlen, "bad port in \"%s\"", spec);
		return -1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
		snprintf(err, errlen, "%s: %s", host, gai_strerror(rc));
		return -1;
	}
	memcpy(&a->ss, res->ai_addr, res->ai_addrlen);
	a->len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

void
net_addr_str(const struct sockaddr *sa, char *buf, size_t len)
{
	const void	*p;

	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
			inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], buf,
			    (socklen_t)len);
			return;
		}
		p = &s6->sin6_addr;
	} else
		p = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	if (inet_ntop(sa->sa_family, p, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
}

void
net_addr_port_str(const struct sockaddr *sa, char *buf, size_t len)
{
	char	host[NET_ADDRSTRLEN];
	int	port;

	net_addr_str(sa, host, sizeof(host));
	if (sa->sa_family == AF_INET6) {
		port = ntohs(((const struct sockaddr_in6 *)(const void *)sa)->
		    sin6_port);
		snprintf(buf, len, "[%s]:%d", host, port);
	} else {
		port = ntohs(((const struct sockaddr_in *)(const void *)sa)->
		    sin_port);
		snprintf(buf, len, "%s:%d", host, port);
	}
}

int
net_is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)sa;

		return (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
			return s6->sin6_addr.s6_addr[12] == 127;
		return IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr);
	}
	return 0;
}

int
net_set_nonblock(int fd)
{
	int	fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

int
net_bind(const struct net_addr *a, int type, char *err, size_t errlen)
{
	char	name[NET_ADDRSTRLEN + 8];
	int	fd, on = 1;

	net_addr_port_str((const struct sockaddr *)&a->ss, name, sizeof(name));
	if ((fd = socket(a->ss.ss_family, type | SOCK_CLOEXEC, 0)) < 0) {
		snprintf(err, errlen, "socket for %s: %s", name,
		    strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (a->ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) < 0 ||
	    (type == SOCK_STREAM && listen(fd, 128) < 0) ||
	    net_set_nonblock(fd) < 0) {
		snprintf(err, errlen, "%s %s: %s", type == SOCK_STREAM ?
		    "tcp" : "udp", name, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int
net_wait(int fd, int writable, int64_t deadline)
{
	pth_event_t	ev, evt = NULL;
	int64_t		left;
	int		rc = 0;

	ev = pth_event(PTH_EVENT_FD | (writable ? PTH_UNTIL_FD_WRITEABLE :
	    PTH_UNTIL_FD_READABLE), fd);
	if (ev == NULL) {	/* Pth waits with select(): fd >= FD_SETSIZE */
		errno = EMFILE;
		return -1;
	}
	if (deadline >= 0) {
		left = deadline - time_mono_ms();
		if (left < 0)
			left = 0;
		evt = pth_event(PTH_EVENT_TIME, pth_timeout(left / 1000,
		    (left % 1000) * 1000));
		pth_event_concat(ev, evt, NULL);
	}
	pth_wait(ev);
	if (pth_event_status(ev) != PTH_STATUS_OCCURRED) {
		errno = ETIMEDOUT;
		rc = -1;
	}
	pth_event_free(ev, PTH_FREE_ALL);
	return rc;
}

int
net_connect(const struct net_addr *a, int type, int64_t deadline, char *err,
    size_t errlen)
{
	char		name[NET_ADDRSTRLEN + 8];
	int		fd, soerr = 0, on = 1;
	socklen_t	len = sizeof(soerr);

	net_addr_port_str((const struct sockaddr *)&a->ss, name, sizeof(name));
	if ((fd = socket(a->ss.ss_family, type | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (fd >= FD_SETSIZE) {
		snprintf(err, errlen, "connect %s: too many open descriptors "
		    "(Pth can wait on fewer than %d)", name, FD_SETSIZE);
		goto fail;
	}
	if (type == SOCK_STREAM)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	if (connect(fd, (const struct sockaddr *)&a->ss, a->len) == 0)
		return fd;
	if (errno != EINPROGRESS) {
		snprintf(err, errlen, "connect %s: %s", name, strerror(errno));
		goto fail;
	}
	if (net_wait(fd, 1, deadline) < 0) {
		snprintf(err, errlen, "connect %s: timed out", name);
		goto fail;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0 ||
	    soerr != 0) {
		snprintf(err, errlen, "connect %s: %s", name,
		    strerror(soerr ? soerr : errno));
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

int
net_write_all(int fd, const char *p, size_t n, int64_t deadline)
{
	ssize_t	w;

	while (n > 0) {
		w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (net_wait(fd, 1, deadline) < 0)
				return -1;
			continue;
		}
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

void
net_lines_init(struct net_lines *l, int fd)
{
	l->fd = fd;
	l->buf = l->small;
	l->cap = sizeof(l->small);
	l->off = l->len = 0;
	l->max = sizeof(l->small) - 1;
	l->overlong = 0;
	l->drained = 0;
	l->line_ms = 0;
	l->started_ms = 0;
	l->head[0] = '\0';
}

void
net_lines_free(struct net_lines *l)
{
	if (l->buf != l->small)
		free(l->buf);
	l->buf = l->small;
	l->cap = sizeof(l->small);
	l->off = l->len = 0;
}

int
net_lines_pending(const struct net_lines *l)
{
	return memchr(l->buf + l->off, '\n', l->len) != NULL;
}

/* Keep the start of an overlong line in head. */
static void
net_lines_keep_head(struct net_lines *l, size_t n)
{
	if (n > NET_LINE_HEAD)
		n = NET_LINE_HEAD;
	memcpy(l->head, l->buf + l->off, n);
	l->head[n] = '\0';
}

/* Room to read into: compact, or grow up to max + 1 bytes. */
static void
net_lines_room(struct net_lines *l)
{
	size_t	cap;

	if (l->len == 0)
		l->off = 0;
	if (l->off + l->len < l->cap)
		return;
	if (l->off > 0) {
		memmove(l->buf, l->buf + l->off, l->len);
		l->off = 0;
		return;
	}
	cap = l->cap * 2 > l->max + 1 ? l->max + 1 : l->cap * 2;
	if (l->buf == l->small) {
		l->buf = xmalloc(cap);
		memcpy(l->buf, l->small, l->len);
	} else
		l->buf = xrealloc(l->buf, cap);
	l->cap = cap;
}

/*
 * Wait until l's socket is readable. Results: 0, -1 at the deadline (errno
 * ETIMEDOUT) or on error, -4 when a started line ran out of its line_ms.
 */
static int
net_lines_wait(struct net_lines *l, int64_t deadline)
{
	int64_t	wait = deadline, line_end = -1;

	if (l->line_ms > 0 && (l->len > 0 || l->overlong)) {
		line_end = l->started_ms + l->line_ms;
		if (wait < 0 || line_end < wait)
			wait = line_end;
	}
	if (net_wait(l->fd, 0, wait) < 0)
		return wait == line_end && errno == ETIMEDOUT ? -4 : -1;
	return 0;
}

ssize_t
net_lines_take(struct net_lines *l, char **line)
{
	char	*nl;
	size_t	 n;

	if ((nl = memchr(l->buf + l->off, '\n', l->len)) != NULL) {
		n = (size_t)(nl - (l->buf + l->off));
		if (!l->overlong && n > l->max)
			net_lines_keep_head(l, n);
		*line = l->buf + l->off;
		l->off += n + 1;
		l->len -= n + 1;
		if (l->len > 0)
			l->started_ms = time_mono_ms();
		if (l->overlong || n > l->max) {
			l->overlong = 0;
			*line = l->head;
			return -3;
		}
		*nl = '\0';
		return (ssize_t)n;
	}
	if (l->len > l->max) {
		/* No line end within the limit: drop what we have. */
		if (!l->overlong)
			net_lines_keep_head(l, l->len);
		l->overlong = 1;
		l->len = 0;
	}
	return NET_LINES_AGAIN;
}

ssize_t
net_lines_fill(struct net_lines *l)
{
	size_t	room;
	ssize_t	r;

	net_lines_room(l);
	room = l->cap - l->off - l->len;
	do
		r = read(l->fd, l->buf + l->off + l->len, room);
	while (r < 0 && errno == EINTR);
	if (r > 0) {
		if (l->len == 0 && !l->overlong)
			l->started_ms = time_mono_ms();
		l->len += (size_t)r;
		l->drained = (size_t)r < room;
		return r;
	}
	if (r == 0)
		return -2;
	return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
}

int
net_lines_late(const struct net_lines *l, int64_t now_ms)
{
	return l->line_ms > 0 && (l->len > 0 || l->overlong) &&
	    now_ms - l->started_ms >= l->line_ms;
}

ssize_t
net_lines_next(struct net_lines *l, char **line, int64_t deadline)
{
	ssize_t	n;
	int	rc;

	for (;;) {
		if ((n = net_lines_take(l, line)) != NET_LINES_AGAIN)
			return n;
		/*
		 * The last read left the socket empty: wait before reading
		 * again rather than spend a read on EAGAIN (a client that
		 * waits for each answer has sent nothing more yet).
		 */
		if (l->drained) {
			l->drained = 0;
			if ((rc = net_lines_wait(l, deadline)) < 0)
				return rc;
		}
		if ((n = net_lines_fill(l)) < 0)
			return n;
		if (n == 0 && (rc = net_lines_wait(l, deadline)) < 0)
			return rc;
	}
}

ssize_t
net_lines_read(struct net_lines *l, char *line, size_t max, int64_t deadline)
{
	char	*p;
	ssize_t	 n = net_lines_next(l, &p, deadline);

	if (n == -3 || (n >= 0 && (size_t)n >= max)) {
		snprintf(line, max, "%s", p);
		return -3;
	}
	if (n >= 0)
		memcpy(line, p, (size_t)n + 1);
	return n;
}
