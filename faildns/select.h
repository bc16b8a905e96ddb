/*
 * select.h: which addresses a failover name answers, from its pool's
 * members and their states: the selection mode, the levels (onsite before
 * offsite), the all-down and unknown rules, the scope. Pure: no I/O, no
 * clock; the daemon compiles the result into answer packets.
 */
#ifndef FAILDNS_SELECT_H
#define FAILDNS_SELECT_H

#include "conf.h"

#define FDNS_MAX_ANSWER		32	/* addresses in one answer */
#define FDNS_MAX_VARIANTS	64	/* answers a name takes in turn */

enum fdns_akind {
	FDNS_ANS_ADDRS,		/* the variants below */
	FDNS_ANS_NODATA,
	FDNS_ANS_SERVFAIL
};

struct fdns_choice {
	enum fdns_akind	 kind;
	/*
	 * Which rule chose, for the status (a static string): "best level",
	 * "ordered", "all down: offsite", "unknown: last", ...
	 */
	const char	*rule;
	char		 why[256];	/* the same in a sentence, with figures */
	int		 degraded;	/* not the best level: a backup, an
					   offsite member or a rule answers */
	/* Every address chosen, in order (what an RFC 2136 push sends). */
	struct fdns_addr base[FDNS_MAX_ANSWER];
	int		 nbase;
	/*
	 * The answers, taken in turn by successive queries: indexes into
	 * base. One variant for "all" and "ordered"; a rotation each for
	 * "rotate"; for "weighted N", variants of N members whose shares
	 * follow the weights (over the cycle of variants).
	 */
	uint8_t		 variant[FDNS_MAX_VARIANTS][FDNS_MAX_ANSWER];
	uint8_t		 nvariant[FDNS_MAX_VARIANTS];
	int		 nvariants;
};

/*
 * The answer of name n (of conf) from its members' run-time state (and,
 * with scope "domain", the same addresses' state in the other pools of the
 * names of n's zone). Fills *c; never fails.
 */
void	 fdns_select(const struct fdns_conf *conf, const struct fdns_name *n,
	    struct fdns_choice *c);

/*
 * The member's state as n sees it: its own, or with scope "domain" DOWN
 * when the same address is DOWN in any pool of a name of n's zone.
 */
enum fdns_mstate fdns_member_state(const struct fdns_conf *conf,
	    const struct fdns_name *n, const struct fdns_member *m);

/* Worst case from a failure to clients on the new answer: detect + TTL. */
int	 fdns_worst_case_s(const struct fdns_name *n);

#endif /* FAILDNS_SELECT_H */
