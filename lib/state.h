/*
 * state.h: the service state model (UP, RECOVER, FAIL), a table of named
 * services with the time of their last change and who made it, and its
 * persistence: a snapshot file plus a journal of the changes since.
 */
#ifndef FAIL_STATE_H
#define FAIL_STATE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "proto.h"

enum svc_state {
	SVC_UP,
	SVC_RECOVER,
	SVC_FAIL,
	SVC_NONE		/* no such service (watch: created, deleted) */
};

#define STATE_MAX_SETTER	128

/*
 * Operators' records (failc), FAIL while in force, in the faild of the
 * host they concern: "_hold.SERVICE" holds one service off that host,
 * "_standby" every service; "_move.SERVICE.HOST" holds the service off
 * every host but HOST (the peers read it through that faild's watch).
 */
#define STATE_HOLD		"_hold."
#define STATE_STANDBY		"_standby"
#define STATE_MOVE		"_move."
/* failsh's: "_health.SERVICE", UP while its health check passes here. */
#define STATE_HEALTH		"_health."

struct service {
	char		 name[PROTO_MAX_NAME + 1];
	enum svc_state	 state;
	int64_t		 changed_ms;
	char		 setter[STATE_MAX_SETTER];
	int		 unconfirmed;	/* failsh's, loaded, not set since */
	struct service	*next;		/* hash chain */
};

struct state_table;

const char	*svc_state_str(enum svc_state);
/* Case-insensitive; returns -1 for anything but UP, RECOVER, FAIL. */
int		 svc_state_parse(const char *, enum svc_state *);

/* A table that holds at most max_services services. */
struct state_table	*state_table_new(size_t max_services);
void			 state_table_free(struct state_table *);
size_t			 state_count(const struct state_table *);
struct service		*state_get(const struct state_table *, const char *);

/*
 * Set a service's state, creating it if needed. changed_ms and setter
 * change only when the state does. *old receives the previous state
 * (SVC_NONE if created). Returns 1 if the state changed, 0 if not, -1 if
 * the service is new and the table already holds max_services.
 */
int	 state_set(struct state_table *, const char *name, enum svc_state,
	    int64_t now_ms, const char *setter, enum svc_state *old);
/*
 * Make name exactly saved (state, changed_ms, setter), or delete it when
 * saved is NULL: the undo of a failed write, and the replay of a journal.
 * Returns 0, or -1 if the service is new and the table is full.
 */
int	 state_restore(struct state_table *, const struct service *saved,
	    const char *name);
/* Returns 0, or -1 if there is no such service. */
int	 state_delete(struct state_table *, const char *name);
/* All services sorted by name; the array is owned by the caller. */
struct service	**state_sorted(const struct state_table *, size_t *n);

/*
 * The state file (snapshot): "name STATE changed_ms setter" per line.
 * Saving writes a new temporary file "<path>.tmp" (never through a link
 * planted there), fsyncs it, renames it over the old one and fsyncs the
 * directory, so a crash leaves the old or the new table, never a torn one.
 * Loading reads the snapshot, then replays its journal (below); a missing
 * file gives an empty table. Both return 0 or -1 with err set to
 * "file:line: problem".
 */
int	 statefile_save(const struct state_table *, const char *path,
	    char *err, size_t errlen);
int	 statefile_load(struct state_table *, const char *path,
	    char *err, size_t errlen);
/*
 * Shared with the journal. A service as "name STATE changed_ms setter" (a
 * snapshot line, the rest of a journal's set record), formatted, and
 * parsed (text is cut into words): 0, or -1 with why set.
 * statefile_create makes a new file at path, open for writing with extra
 * flags: whatever was there (a leftover of a crash, a link someone
 * planted) is removed, never written through, and O_EXCL|O_NOFOLLOW fail
 * on anything that reappears; an fd, or -1 with errno set. Writing all of
 * buf, and fsyncing the directory of path: 0, or -1 with errno set.
 */
void	 statefile_fmt_service(struct pbuf *, const struct service *);
int	 statefile_parse_service(char *text, struct service *s, char *why,
	    size_t whylen);
int	 statefile_create(const char *path, int flags);
/*
 * Open path to read it: 1 with *f set, 0 if there is no such file, -1 with
 * err set (a directory, or anything but a regular file, included).
 */
int	 statefile_open_read(const char *path, FILE **f, char *err,
	    size_t errlen);
int	 statefile_write_all(int fd, const char *buf, size_t len);
int	 statefile_sync_dir(const char *path);

/*
 * The journal "<path>.journal": every change since the snapshot, one line
 * each, appended and fdatasync'd before the change is acknowledged, so a
 * write costs the same whatever the size of the table. Records are
 * absolute ("set name STATE changed_ms setter", "delete name", each ending
 * in a checksum), so replaying a journal over a snapshot that already holds
 * its changes gives the same table. A torn last record (a crash in the
 * middle of an append) is ignored on load; a bad record before the last is
 * an error. Once the journal has grown past the size of the snapshot (and
 * at least min_compact bytes), the table is saved as a new snapshot and the
 * journal emptied: writes cost O(1) amortized, and a restart reads at most
 * twice the table.
 */
#define STATE_JOURNAL_SUFFIX	".journal"
#define STATE_COMPACT_BYTES	(1024 * 1024)	/* default min_compact */

struct state_journal;

/*
 * Start a journal for the table t loaded from path: save t as the new
 * snapshot and begin an empty journal. Returns NULL with err set.
 */
struct state_journal	*state_journal_open(const struct state_table *t,
			    const char *path, size_t min_compact, char *err,
			    size_t errlen);
void			 state_journal_close(struct state_journal *);
/*
 * Record the current state of name in t (deleted if t has no such
 * service). Returns 0 when it is on disk, 1 when it is on disk but a due
 * compaction failed (err says why; the journal keeps growing, and the
 * append after min_compact more bytes tries again), -1 when it could not
 * be written (err set; the journal is as before).
 */
int	 state_journal_append(struct state_journal *, const struct state_table *t,
	    const char *name, char *err, size_t errlen);
/* Apply the journal at jpath to t (a missing journal is empty); 0 or -1. */
int	 state_journal_replay(struct state_table *, const char *jpath,
	    char *err, size_t errlen);

#endif
