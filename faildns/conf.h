/*
 * conf.h: faildns's configuration, faildns.conf(5): the zones it serves,
 * the faild it watches (sources), the pools of members with their levels,
 * weights and services, the failover names that answer from a pool, and
 * the servers it may push RFC 2136 updates to. Parsing only: the states
 * live in struct fdns_member's run-time fields, filled by the daemon.
 */
#ifndef FAILDNS_CONF_H
#define FAILDNS_CONF_H

#include <stddef.h>
#include <stdint.h>

#define FDNS_NAME_MAX		255	/* a DNS name in wire form */
#define FDNS_TTL_DEFAULT	30
#define FDNS_DETECT_DEFAULT	35	/* s: hc's defaults, 10 s x 3 + 5 s */
#define FDNS_MAX_SOURCES	16
#define FDNS_MAX_SERVICES	8	/* services of one member */
#define FDNS_MAX_FALLBACK	16

/* Ecessa's levels; numbers beyond are allowed ("priority N"). */
#define FDNS_PRIO_DISABLED	0	/* never answered */
#define FDNS_PRIO_PRIMARY	1
#define FDNS_PRIO_BACKUP	2
#define FDNS_PRIO_BACKUP2	3
#define FDNS_PRIO_BACKUP3	4
#define FDNS_PRIO_MAX		99

struct fdns_addr {
	int		 family;	/* AF_INET or AF_INET6 */
	uint8_t		 a[16];		/* 4 or 16 bytes, network order */
};

enum fdns_select {
	FDNS_SEL_ALL,		/* every healthy member of the best level */
	FDNS_SEL_WEIGHTED,	/* count of them, chosen by weight */
	FDNS_SEL_ORDERED,	/* the first healthy one: redundancy only */
	FDNS_SEL_ROTATE		/* as ALL, the order rotated per answer */
};

/* What a name answers when no member is up, or before any state is known. */
enum fdns_rule {
	FDNS_RULE_ALL,		/* every enabled member, as if all were up */
	FDNS_RULE_FALLBACK,	/* the name's fallback addresses */
	FDNS_RULE_OFFSITE,	/* every enabled offsite member */
	FDNS_RULE_NODATA,	/* NOERROR, no address */
	FDNS_RULE_SERVFAIL,
	FDNS_RULE_LAST		/* unknown only: the persisted last states */
};

enum fdns_scope {
	FDNS_SCOPE_NAME,	/* a member fails for the names of its pool */
	FDNS_SCOPE_DOMAIN	/* ... for every name of the zone with it */
};

/* A member's state as the daemon computes it from its sources' votes. */
enum fdns_mstate {
	FDNS_M_UNKNOWN,		/* too few votes either way, none persisted */
	FDNS_M_UP,
	FDNS_M_DOWN
};

struct fdns_zone {
	char		*name;		/* text, as written, no final dot */
	uint8_t		 wire[FDNS_NAME_MAX];	/* lower case */
	size_t		 wirelen;
	char		*file;		/* the zone file (RFC 1035) */
	int		 line;
};

/* A faild whose watch stream faildns follows: one vantage point. */
struct fdns_source {
	char		*name;
	char		*faild;		/* "host[:port]" */
	int		 line;
};

struct fdns_member {
	struct fdns_addr addr;
	int		 priority;	/* FDNS_PRIO_*, lower is better */
	int		 weight;	/* 1..1000, default 1 */
	int		 offsite;
	char		*services[FDNS_MAX_SERVICES];	/* faild names */
	int		 nservices;	/* 0: always up, no state to watch */
	int		 line;

	/* Run time, the daemon's. */
	enum fdns_mstate state;
	int		 votes_up, votes_down;	/* sources saying so */
	int64_t		 changed_ms;
};

struct fdns_pool {
	char		*name;
	struct fdns_member *members;
	size_t		 nmembers;
	int		 sources[FDNS_MAX_SOURCES];	/* conf->sources index */
	int		 nsources;	/* default: every source */
	int		 agree;		/* K: down when K sources say so; 1 */
	enum fdns_scope	 scope;
	int		 detect_s;	/* detection time, for the worst case */
	int		 line;
};

/* An RFC 2136 target: a primary server that takes TSIG-signed updates. */
struct fdns_update {
	char		*name;
	char		*server;	/* "host[:port]", port 53 */
	char		*zone;		/* text; default the name's zone */
	char		*keyfile;	/* BIND key file (tsig-keygen); NULL */
	char		*keyname;	/* the key in it; NULL: the first */
	int		 line;
};

/* A failover name: its A and AAAA answers come from a pool. */
struct fdns_name {
	char		*name;		/* text, as written, no final dot */
	uint8_t		 wire[FDNS_NAME_MAX];	/* lower case */
	size_t		 wirelen;
	int		 zone;		/* conf->zones index */
	struct fdns_pool *pool;
	enum fdns_select select;
	int		 count;		/* FDNS_SEL_WEIGHTED: how many */
	uint32_t	 ttl;
	enum fdns_rule	 alldown;	/* not FDNS_RULE_LAST */
	enum fdns_rule	 unknown;
	struct fdns_addr fallback[FDNS_MAX_FALLBACK];
	int		 nfallback;
	int		 answer;	/* faildns answers it (default 1) */
	struct fdns_update *updates[FDNS_MAX_SOURCES];
	int		 nupdates;
	int		 line;
};

struct fdns_conf {
	char		*path;
	char		*statefile;	/* NULL: the default */
	char		*keyfile;	/* signs requests to sources; NULL */
	char		*community;
	int		 detect_s;	/* pools' default */
	struct fdns_zone *zones;
	size_t		 nzones;
	struct fdns_source *sources;
	size_t		 nsources;
	struct fdns_pool *pools;
	size_t		 npools;
	struct fdns_name *names;
	size_t		 nnames;
	struct fdns_update *updates;
	size_t		 nupdates;
};

/*
 * Read the configuration in path. Returns 0 and a new conf in *cp, or -1
 * with "path:line: what is wrong" in err (the whole file is refused).
 */
int		 fdns_conf_load(const char *path, struct fdns_conf **cp,
		    char *err, size_t errlen);
void		 fdns_conf_free(struct fdns_conf *);

/* The same, from text in memory (path names it in errors): the fuzzer. */
int		 fdns_conf_parse(const char *path, const char *text,
		    size_t len, struct fdns_conf **cp, char *err,
		    size_t errlen);

/* "198.18.0.1", "2001:db8::1". */
const char	*fdns_addr_str(const struct fdns_addr *, char *buf,
		    size_t len);
const char	*fdns_select_str(enum fdns_select);
const char	*fdns_rule_str(enum fdns_rule);
/* "primary", "backup", "backup2", "backup3", "disabled", else "9". */
const char	*fdns_prio_str(int priority, char *buf, size_t len);

#endif /* FAILDNS_CONF_H */
