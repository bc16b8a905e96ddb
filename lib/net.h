/*
 * net.h: network helpers on GNU Pth: address parsing and printing,
 * binding listeners, connecting and line I/O with deadlines. Every
 * function that takes a deadline can yield to other Pth threads.
 */
#ifndef FAIL_NET_H
#define FAIL_NET_H

#include <sys/types.h>
#include <sys/socket.h>
#include <stddef.h>
#include <stdint.h>

#define NET_ADDRSTRLEN	64

struct net_addr {
	struct sockaddr_storage	ss;
	socklen_t		len;
};

/*
 * "host", "host:port", "[v6addr]:port" or a bare IPv6 address. Names are
 * resolved (this may block). Returns 0, or -1 with err set.
 */
int	 net_parse_addr(const char *spec, int default_port, struct net_addr *,
	    char *err, size_t errlen);
/* The address alone ("127.0.0.1", "::1"), and with its port. */
void	 net_addr_str(const struct sockaddr *, char *buf, size_t len);
void	 net_addr_port_str(const struct sockaddr *, char *buf, size_t len);
int	 net_is_loopback(const struct sockaddr *);
int	 net_set_nonblock(int fd);

/* A non-blocking UDP socket or TCP listener bound to addr; -1 with err. */
int	 net_bind(const struct net_addr *, int type, char *err, size_t errlen);

/*
 * Connect with a deadline (time_mono_ms). Yields. Returns a non-blocking
 * socket, or -1 with err set.
 */
int	 net_connect(const struct net_addr *, int type, int64_t deadline,
	    char *err, size_t errlen);

/*
 * Wait until fd is readable/writable or the deadline passes: 0 when ready,
 * -1 with errno ETIMEDOUT, or EMFILE for an fd past what Pth can watch.
 */
int	 net_wait(int fd, int writable, int64_t deadline);

/* Write everything before the deadline; yields. 0, or -1 with errno. */
int	 net_write_all(int fd, const char *, size_t, int64_t deadline);

/*
 * A line reader over a non-blocking stream socket. Its buffer starts
 * inside the struct and grows on the heap up to max + 1 bytes when max is
 * raised past NET_LINEBUF (then net_lines_free releases it). With line_ms
 * set, a line must arrive whole within line_ms of its first byte.
 */
#define NET_LINEBUF	8192
#define NET_LINE_HEAD	80	/* kept of an overlong line, for its id */

struct net_lines {
	int	 fd;
	char	*buf;		/* small, or owned once grown */
	size_t	 cap;
	size_t	 off, len;	/* unread bytes: buf[off .. off + len) */
	size_t	 max;		/* longest line returned, without its end */
	int	 overlong;	/* discarding the rest of a too long line */
	int	 drained;	/* the last read emptied the socket */
	int	 line_ms;	/* 0: no deadline for a started line */
	int64_t	 started_ms;	/* first byte of the unfinished line */
	char	 head[NET_LINE_HEAD + 1];	/* start of an overlong line */
	char	 small[NET_LINEBUF];
};

/* max starts at NET_LINEBUF - 1 and line_ms at 0; set them after. */
void	 net_lines_init(struct net_lines *, int fd);
void	 net_lines_free(struct net_lines *);
/*
 * Next line, without its line end, NUL-terminated in the reader's buffer:
 * *line is valid until the next call. Yields until a line arrives or the
 * deadline (-1: none) passes.
 * Returns its length, -1 on error/timeout (errno ETIMEDOUT), -2 at EOF,
 * -3 for a line longer than max (skipped up to its end; *line is then its
 * first NET_LINE_HEAD bytes at most), -4 when a started line did not
 * arrive whole within line_ms (errno ETIMEDOUT).
 */
ssize_t	 net_lines_next(struct net_lines *, char **line, int64_t deadline);
/*
 * The same without waiting, for an event loop: net_lines_take returns a
 * line already buffered as net_lines_next does, or NET_LINES_AGAIN;
 * net_lines_fill reads once: the bytes read, 0 when there were none
 * (EAGAIN), -2 at EOF, -1 on error. net_lines_late: has a started line run
 * out of its line_ms at now_ms?
 */
#define NET_LINES_AGAIN	(-5)
ssize_t	 net_lines_take(struct net_lines *, char **line);
ssize_t	 net_lines_fill(struct net_lines *);
int	 net_lines_late(const struct net_lines *, int64_t now_ms);
/*
 * net_lines_next copied into line (max bytes, a shorter limit than the
 * reader's own): -3 also for a line of max bytes or more, whose start
 * line then holds.
 */
ssize_t	 net_lines_read(struct net_lines *, char *line, size_t max,
	    int64_t deadline);
/* A complete line already buffered? (does not yield) */
int	 net_lines_pending(const struct net_lines *);

#endif
