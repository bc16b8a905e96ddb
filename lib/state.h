/*
 * state.h: the service state model (UP, RECOVER, FAIL), a table of named
 * services with the time of their last change and who made it, and its
 * atomic persistence to a state file.
 */
#ifndef FAIL_STATE_H
#define FAIL_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

enum svc_state {
	SVC_UP,
	SVC_RECOVER,
	SVC_FAIL,
	SVC_NONE		/* no such service (watch: created, deleted) */
};

#define STATE_MAX_SETTER	128

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

struct state_table	*state_table_new(void);
void			 state_table_free(struct state_table *);
size_t			 state_count(const struct state_table *);
struct service		*state_get(const struct state_table *, const char *);

/*
 * Set a service's state, creating it if needed. changed_ms and setter
 * change only when the state does. *old receives the previous state
 * (SVC_NONE if created). Returns 1 if the state changed, else 0.
 */
int	 state_set(struct state_table *, const char *name, enum svc_state,
	    int64_t now_ms, const char *setter, enum svc_state *old);
/* Put back a service exactly as it was (undo of a failed write). */
void	 state_restore(struct state_table *, const struct service *saved,
	    const char *name);
/* Returns 0, or -1 if there is no such service. */
int	 state_delete(struct state_table *, const char *name);
/* All services sorted by name; the array is owned by the caller. */
struct service	**state_sorted(const struct state_table *, size_t *n);

/*
 * The state file: "name STATE changed_ms setter" per line. Saving writes
 * a temporary file, fsyncs it, renames it over the old one and fsyncs the
 * directory, so a crash leaves the old or the new table, never a torn one.
 * Loading a missing file gives an empty table. Both return 0 or -1 with err
 * set to "file:line: problem".
 */
int	 statefile_save(const struct state_table *, const char *path,
	    char *err, size_t errlen);
int	 statefile_load(struct state_table *, const char *path,
	    char *err, size_t errlen);

#endif
