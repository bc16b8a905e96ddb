/*
 * db.h: what faildns answers from. The zones' records and the failover
 * names are nodes in a hash table keyed by the lower-case wire name; each
 * node keeps its answers compiled (everything after the question, names
 * compressed against it), so a query costs a lookup and a copy. A failover
 * name's A and AAAA answers are compiled once per variant of its current
 * choice and compiled again when its choice changes.
 */
#ifndef FAILDNS_DB_H
#define FAILDNS_DB_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "dns_msg.h"
#include "select.h"

struct db;

/* A failover name's current answer, for the status and the pushes. */
struct db_name_status {
	struct fdns_choice	 choice;
	int64_t			 changed_ms;	/* wall clock */
	uint64_t		 answers;	/* queries answered for it */
};

/*
 * Load conf's zones and index them with conf's failover names (the zone
 * must have no A, AAAA or CNAME at a failover name). conf stays the
 * caller's and must outlive the db. Returns the db, or NULL with
 * "file:line: what" in err.
 */
struct db	*db_build(struct fdns_conf *conf, char *err, size_t errlen);
void		 db_free(struct db *);
/* Records and nodes, for the log. */
size_t		 db_records(const struct db *);

/*
 * The answer to the parsed query q (rcode: what dns_query_parse said) in
 * out[0..outlen), over TCP or UDP. Returns its length.
 */
size_t		 db_answer(struct db *, const struct dns_query *q, int rcode,
		    int tcp, uint8_t *out, size_t outlen);

/*
 * Choose again the answers of the failover names whose pool is pool (NULL:
 * every name; with scope "domain", every name of the zones that pool's
 * names are in), after members' states changed. Calls changed() for each
 * name whose answer changed (its index in conf->names). Returns how many.
 */
int		 db_choose(struct db *, const struct fdns_pool *pool,
		    void (*changed)(size_t name, const struct db_name_status *,
		    const struct fdns_choice *old));
const struct db_name_status *db_name_status(const struct db *, size_t name);

#endif /* FAILDNS_DB_H */
