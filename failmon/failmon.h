/*
 * failmon.h: the monitor of failsh. A reader thread per target keeps the
 * latest snapshot of that failsh (failproto(5), monitor port); the views
 * (text, JSON, HTML) render the snapshots of all targets at once.
 */
#ifndef FAILMON_H
#define FAILMON_H

#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "net.h"
#include "proto.h"

#define FAILMON_PORT	1848

struct mon_host {
	char	*name, *address, *proto, *status, *error;	/* owned */
	int	 port;
	int64_t	 last_connect_ms, last_call_ms;
};

struct mon_peer {
	char	*service, *role, *host, *view;	/* owned */
	int	 fails;
	int64_t	 seen_ms;
};

struct mon_service {
	char		*name, *state, *busy, *reason;	/* owned */
	int64_t		 changed_ms, interval_ms, next_ms;
	int		 deadcount;
	uint64_t	 runs;
	char		*health, *check;	/* owned; NULL: no check */
	int		 restarts, max_restarts;
	char		*hold, *hold_to, *hold_by;	/* owned; NULL: none */
	int64_t		 hold_since_ms;
	/* The etcd backend's owner key (OWNER line); owner NULL: no such
	 * line, "" no owner. */
	char		*owner;		/* owned */
	int64_t		 epoch;		/* its create revision, 0: none */
	int		 owner_here;	/* this failsh owns it */
};

/*
 * The coordination backend (BACKEND line), NULL in a snapshot without
 * one: failsh polls its peers.
 */
struct mon_backend {
	char		*kind, *endpoint, *lease;	/* owned; lease hex */
	int64_t		 left_ms, fence_ms;
	char		*coord, *unreachable, *watch, *watchdog;	/* owned */
	char		*error;		/* owned, "" none */
};

/* One complete snapshot, "SNAPSHOT" to "END". */
struct mon_snapshot {
	uint64_t		 seq;
	char			*node;		/* owned */
	int64_t			 time_ms;
	struct mon_backend	*backend;	/* owned, NULL: none */
	struct mon_host		*hosts;		/* owned arrays */
	size_t			 nhosts;
	struct mon_service	*services;
	size_t			 nservices;
	struct mon_peer		*peers;
	size_t			 npeers;
};

/* A failsh being watched. */
struct mon_target {
	const char		*spec;		/* as given */
	int			 connected;
	int64_t			 updated_ms;	/* wall clock, last snapshot */
	uint64_t		 snapshots;	/* received */
	char			 error[160];	/* why not connected */
	struct mon_snapshot	*snap;		/* owned, NULL: none yet */
};

/* failmon_parse.c */
/*
 * Feed one line of the monitor stream. Returns 1 when line ends a
 * snapshot (then *done holds it, owned by the caller), 0 while one is
 * being read, -1 with err set on a line that breaks the format.
 */
struct mon_parser {
	struct mon_snapshot	*cur;		/* owned, being read */
};

int	 mon_parse_line(struct mon_parser *, const char *line,
	    struct mon_snapshot **done, char *err, size_t errlen);
void	 mon_snapshot_free(struct mon_snapshot *);
/* "move to host2 by alice@192.0.2.9:40512, 3 min ago" (v->hold set). */
const char	*mon_hold_str(const struct mon_service *v, int64_t now,
		    char *buf, size_t len);
/* "etcd http://10.0.0.5:2379, lease 3f2a (1.84 s left, fence 0.50 s),
 * coord OK, unreachable stop, watch synced, watchdog none" (b set). */
const char	*mon_backend_str(const struct mon_backend *b, char *buf,
		    size_t len);

/*
 * A service of one failsh at a glance (curses table, HTML summary and
 * order): UP here; STANDBY, RECOVER while a master or slave that runs it
 * is UP (the normal standby), or under the etcd backend while another
 * host holds the owner key; ATTENTION, anything else (FAIL, RECOVER with
 * no peer up or no owner, an unknown state); STALE, the last data of a
 * failsh that went away.
 */
enum mon_glance {
	GLANCE_UP,
	GLANCE_STANDBY,
	GLANCE_ATTENTION,
	GLANCE_STALE
};

enum mon_glance	 mon_glance(const struct mon_target *t,
		    const struct mon_service *v);
const char	*mon_glance_str(enum mon_glance);
/* "stale 12s": the age of a disconnected target's data. */
const char	*mon_stale_str(const struct mon_target *t, int64_t now,
		    char *buf, size_t len);

/* view_text.c, view_json.c, view_html.c: every target, one document. */
void	 view_text(const struct mon_target *, int n);
void	 view_json(const struct mon_target *, int n);
void	 view_html(const struct mon_target *, int n, int cgi);

/* view_curses.c: the live view; draw after each key or update. */
void	 view_curses_start(void);
void	 view_curses_stop(void);
void	 view_curses_draw(const struct mon_target *, int n);
/* Handle a key (getch); 0 when it means quit. */
int	 view_curses_key(int key);

#endif
