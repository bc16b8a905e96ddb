/*
 * db.c: faildns's answers. Nodes (one per owner name of the zones, per
 * failover name, and per empty non-terminal between them and the apex) sit
 * in a hash table. resolve() writes the answer to any question with the
 * message writer: referrals below a zone cut, in-zone CNAME chains, NXDOMAIN
 * and NODATA with the SOA, ANY as RFC 8482 allows, glue. A node keeps the
 * answers to the types it was asked as compiled bodies (what follows the
 * question, compressed against a question of the same length), so a
 * query copies bytes; anything that does not fit, was not compiled, or
 * goes through a CNAME to a failover name that takes turns (rotate,
 * weighted) goes through resolve() again.
 */
#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "timeutil.h"
#include "xmalloc.h"
#include "zone.h"

#define DB_CNAME_HOPS	8	/* CNAMEs followed in one answer */
#define DB_CACHE	8	/* compiled answers a node keeps */
#define DB_TYPE_IXFR	251
#define DB_TYPE_AXFR	252
#define DB_TYPE_ANY	255
/* resolve()'s variant: a failover name reached through a CNAME takes its
 * own next turn, as it does when asked directly. */
#define DB_VARIANT_TURN	(~0u)
/* resolve()'s *dep bits. */
#define DB_DEP_NAME	1	/* a failover name's answer was used */
#define DB_DEP_TURNS	2	/* ... one with several variants */

struct db_rrset {
	uint16_t		 type;
	const struct zone_rr	**rrs;		/* into the zone */
	size_t			 n;
};

struct db_ans {
	uint16_t	 qtype;
	uint8_t		 rcode;
	uint8_t		 aa;
	uint16_t	 count[4];	/* by section, as the writer's */
	uint8_t		 turns;		/* through a name with variants:
					   never copied, resolved each time */
	uint8_t		*body;
	size_t		 bodylen;
};

struct db_node {
	struct db_node	*hnext;
	uint32_t	 hash;
	uint8_t		 name[DNS_NAME_MAX];	/* wire, lower case */
	size_t		 namelen;
	struct db_rrset	*sets;
	size_t		 nsets;
	long		 fname;		/* conf->names index, or -1 */
	int		 dep;		/* on db->deps: answers use a name */
	struct db_ans	 ans[DB_CACHE];	/* compiled, by question type */
	int		 nans;
	struct db_ans	*fans[2];	/* a name's A, AAAA: per variant */
	int		 nfans;
	unsigned	 turn;		/* the next variant */
};

struct db_zone {
	struct zone		*z;
	const struct zone_rr	*soa;
	int			 has_cuts;	/* NS below the apex */
};

struct db {
	struct fdns_conf	*conf;
	struct db_zone		*zones;		/* as conf->zones */
	size_t			 nzones;
	struct db_node		**hash;
	size_t			 hmask;
	size_t			 nnodes, nrecords;
	struct db_name_status	*names;		/* as conf->names */
	struct db_node		**name_nodes;
	struct db_node		**deps;
	size_t			 ndeps, depcap;
};

/* One compiled body at a time: the daemon is one Pth process. */
static uint8_t	compile_buf[DNS_TCP_MAX];

static int	resolve(struct db *, const uint8_t *qname, uint16_t qtype,
		    unsigned variant, struct dns_writer *, int *aa,
		    int *dep);

static uint32_t
name_hash(const uint8_t *name, size_t len)
{
	uint32_t	h = 2166136261u;	/* FNV-1a */

	while (len-- > 0)
		h = (h ^ *name++) * 16777619u;
	return h;
}

static struct db_node *
node_find(const struct db *db, const uint8_t *name, size_t len)
{
	uint32_t	 h = name_hash(name, len);
	struct db_node	*n;

	for (n = db->hash[h & db->hmask]; n != NULL; n = n->hnext)
		if (n->hash == h && n->namelen == len &&
		    memcmp(n->name, name, len) == 0)
			return n;
	return NULL;
}

static struct db_node *
node_get(struct db *db, const uint8_t *name, size_t len)
{
	struct db_node	*n;

	if ((n = node_find(db, name, len)) != NULL)
		return n;
	n = xcalloc(1, sizeof(*n));
	memcpy(n->name, name, len);
	n->namelen = len;
	n->hash = name_hash(name, len);
	n->fname = -1;
	n->hnext = db->hash[n->hash & db->hmask];
	db->hash[n->hash & db->hmask] = n;
	db->nnodes++;
	return n;
}

/* The node of a name in RDATA, whose case the zone file kept. */
static struct db_node *
node_find_rdata(const struct db *db, const uint8_t *name, size_t max)
{
	uint8_t	lc[DNS_NAME_MAX];
	int	len;

	if ((len = dns_name_len(name, max)) < 0)
		return NULL;
	dns_name_lower(lc, name);
	return node_find(db, lc, (size_t)len);
}

static const struct db_rrset *
node_set(const struct db_node *n, uint16_t type)
{
	size_t	i;

	for (i = 0; i < n->nsets; i++)
		if (n->sets[i].type == type)
			return &n->sets[i];
	return NULL;
}

/* The zone whose origin is the longest suffix of name, or NULL. */
static struct db_zone *
zone_of(struct db *db, const uint8_t *name)
{
	size_t	off = 0, len = (size_t)dns_name_len(name, DNS_NAME_MAX), i;

	for (;;) {
		for (i = 0; i < db->nzones; i++)
			if (db->zones[i].z->originlen == len - off &&
			    memcmp(db->zones[i].z->origin, name + off,
			    len - off) == 0)
				return &db->zones[i];
		if (name[off] == 0)
			return NULL;
		off += name[off] + 1;
	}
}

/* The highest node with NS strictly below z's apex on the way to name. */
static const struct db_node *
find_cut(const struct db *db, const struct db_zone *z, const uint8_t *name)
{
	size_t			 offs[128], n = 0, off = 0;
	size_t			 len = (size_t)dns_name_len(name, DNS_NAME_MAX);
	const struct db_node	*node;

	while (len - off > z->z->originlen) {
		offs[n++] = off;
		off += name[off] + 1;
	}
	while (n-- > 0) {
		node = node_find(db, name + offs[n], len - offs[n]);
		if (node != NULL && node_set(node, DNS_TYPE_NS) != NULL)
			return node;
	}
	return NULL;
}

static int
put_set(struct dns_writer *w, int section, const struct db_rrset *s)
{
	size_t	i;
	int	rc = DNS_RR_OK;

	for (i = 0; i < s->n && rc == DNS_RR_OK; i++)
		rc = dns_writer_rr(w, section, s->rrs[i]->owner,
		    s->rrs[i]->type, DNS_CLASS_IN, s->rrs[i]->ttl,
		    s->rrs[i]->rdata, s->rrs[i]->rdlen);
	return rc;
}

/* The SOA for a negative answer: its TTL the lesser of its TTL and
 * its MINIMUM (RFC 2308 section 5). */
static void
put_soa(struct dns_writer *w, const struct db_zone *z)
{
	const struct zone_rr	*soa = z->soa;
	const uint8_t		*m = soa->rdata + soa->rdlen - 4;
	uint32_t		 min = (uint32_t)m[0] << 24 | m[1] << 16 |
				    m[2] << 8 | m[3];

	dns_writer_rr(w, DNS_SEC_AUTHORITY, soa->owner, DNS_TYPE_SOA,
	    DNS_CLASS_IN, soa->ttl < min ? soa->ttl : min, soa->rdata,
	    soa->rdlen);
}

/* A failover name's addresses of one family, as variant v says. */
static int
put_addrs(struct dns_writer *w, int section, const struct db *db,
    const struct db_node *node, uint16_t type, unsigned v)
{
	const struct fdns_name		*n = &db->conf->names[node->fname];
	const struct fdns_choice	*c = &db->names[node->fname].choice;
	int				 fam = type == DNS_TYPE_A ? AF_INET :
					    AF_INET6, i, put = 0;
	const struct fdns_addr		*a;

	if (c->kind != FDNS_ANS_ADDRS || c->nvariants == 0)
		return 0;
	v %= (unsigned)c->nvariants;
	for (i = 0; i < c->nvariant[v]; i++) {
		a = &c->base[c->variant[v][i]];
		if (a->family == fam && dns_writer_rr(w, section, node->name,
		    type, DNS_CLASS_IN, n->ttl, a->a, fam == AF_INET ? 4 : 16)
		    == DNS_RR_OK)
			put++;
	}
	return put;
}

/* Addresses of the names in set's RDATA (NS, MX, SRV) that we hold. */
static void
put_glue(struct db *db, struct dns_writer *w, const struct db_rrset *set,
    int *dep)
{
	static const uint16_t	 types[] = { DNS_TYPE_A, DNS_TYPE_AAAA };
	const struct db_node	*t;
	const struct db_rrset	*g;
	size_t			 i, at, k;

	for (i = 0; i < set->n; i++) {
		at = set->type == DNS_TYPE_MX ? 2 : set->type == DNS_TYPE_SRV ?
		    6 : 0;
		if (set->rrs[i]->rdlen <= at || (t = node_find_rdata(db,
		    set->rrs[i]->rdata + at, set->rrs[i]->rdlen - at)) == NULL)
			continue;
		for (k = 0; k < 2; k++) {
			if ((g = node_set(t, types[k])) != NULL)
				put_set(w, DNS_SEC_ADDITIONAL, g);
			else if (t->fname >= 0 && put_addrs(w,
			    DNS_SEC_ADDITIONAL, db, t, types[k], 0) > 0)
				*dep |= DB_DEP_NAME;
		}
	}
}

/* The answer at an existing node, after any CNAME. */
static int
answer_node(struct db *db, const struct db_zone *z, struct db_node *node,
    uint16_t qtype, unsigned variant, struct dns_writer *w, int *dep,
    int chained)
{
	const struct fdns_choice	*c;
	const struct db_rrset		*set;

	if (node->fname >= 0 && (qtype == DNS_TYPE_A ||
	    qtype == DNS_TYPE_AAAA || qtype == DB_TYPE_ANY)) {
		c = &db->names[node->fname].choice;
		if (chained)
			*dep |= DB_DEP_NAME | (c->nvariants > 1 ?
			    DB_DEP_TURNS : 0);
		if (variant == DB_VARIANT_TURN)
			variant = node->turn++;
		if (c->kind == FDNS_ANS_SERVFAIL)
			return DNS_RCODE_SERVFAIL;
		if (qtype == DB_TYPE_ANY) {
			if (put_addrs(w, DNS_SEC_ANSWER, db, node, DNS_TYPE_A,
			    variant) == 0 && put_addrs(w, DNS_SEC_ANSWER, db,
			    node, DNS_TYPE_AAAA, variant) == 0)
				put_soa(w, z);
		} else if (put_addrs(w, DNS_SEC_ANSWER, db, node, qtype,
		    variant) == 0)
			put_soa(w, z);
		return DNS_RCODE_NOERROR;
	}
	/* ANY: one RRset, which RFC 8482 section 4.1 allows. */
	if (qtype == DB_TYPE_ANY)
		set = node->nsets > 0 ? &node->sets[0] : NULL;
	else
		set = node_set(node, qtype);
	if (set == NULL) {
		put_soa(w, z);
		return DNS_RCODE_NOERROR;
	}
	put_set(w, DNS_SEC_ANSWER, set);
	if (set->type == DNS_TYPE_NS || set->type == DNS_TYPE_MX ||
	    set->type == DNS_TYPE_SRV)
		put_glue(db, w, set, dep);
	return DNS_RCODE_NOERROR;
}

/* A referral to the zone cut at node: its NS and their glue. */
static void
referral(struct db *db, const struct db_node *cut, struct dns_writer *w)
{
	const struct db_rrset	*ns = node_set(cut, DNS_TYPE_NS);
	const struct db_node	*t;
	const struct db_rrset	*g;
	size_t			 i;

	put_set(w, DNS_SEC_AUTHORITY, ns);
	for (i = 0; i < ns->n; i++) {
		if ((t = node_find_rdata(db, ns->rrs[i]->rdata,
		    ns->rrs[i]->rdlen)) == NULL)
			continue;
		if ((g = node_set(t, DNS_TYPE_A)) != NULL)
			put_set(w, DNS_SEC_ADDITIONAL, g);
		if ((g = node_set(t, DNS_TYPE_AAAA)) != NULL)
			put_set(w, DNS_SEC_ADDITIONAL, g);
	}
}

/*
 * Write the answer to (qname, qtype) into w. Returns the rcode; *aa says
 * whether it is authoritative, *dep whether it used a failover name
 * through a CNAME or as glue (its compiled form must go on a change).
 */
static int
resolve(struct db *db, const uint8_t *qname, uint16_t qtype,
    unsigned variant, struct dns_writer *w, int *aa, int *dep)
{
	const uint8_t		*name = qname;
	uint8_t			 target[DNS_NAME_MAX];
	const struct db_zone	*z;
	const struct db_node	*cut;
	const struct db_rrset	*cname;
	struct db_node		*node;
	int			 hops, len;

	*aa = 0;
	if ((z = zone_of(db, name)) == NULL)
		return DNS_RCODE_REFUSED;
	*aa = 1;
	for (hops = 0;; hops++) {
		if (z->has_cuts && (cut = find_cut(db, z, name)) != NULL) {
			if (hops == 0) {
				*aa = 0;
				referral(db, cut, w);
			}
			return DNS_RCODE_NOERROR;
		}
		len = dns_name_len(name, DNS_NAME_MAX);
		if ((node = node_find(db, name, (size_t)len)) == NULL) {
			put_soa(w, z);
			return DNS_RCODE_NXDOMAIN;
		}
		/* A name only pushed (answer no) is another server's. */
		if (node->fname >= 0 && !db->conf->names[node->fname].answer) {
			if (hops == 0)
				*aa = 0;
			return hops == 0 ? DNS_RCODE_REFUSED : DNS_RCODE_NOERROR;
		}
		if ((cname = node_set(node, DNS_TYPE_CNAME)) == NULL ||
		    qtype == DNS_TYPE_CNAME || qtype == DB_TYPE_ANY)
			return answer_node(db, z, node, qtype, variant, w, dep,
			    hops > 0);
		if (put_set(w, DNS_SEC_ANSWER, cname) != DNS_RR_OK ||
		    hops == DB_CNAME_HOPS)
			return DNS_RCODE_NOERROR;
		dns_name_lower(target, cname->rrs[0]->rdata);
		name = target;
		if ((z = zone_of(db, name)) == NULL)
			return DNS_RCODE_NOERROR;	/* the resolver goes on */
	}
}

/* Compile node's answer to qtype (variant v) into a. */
static void
compile(struct db *db, struct db_node *node, uint16_t qtype, unsigned v,
    struct db_ans *a)
{
	struct dns_query	q = { 0 };
	struct dns_writer	w;
	size_t			start;
	int			aa, dep = 0, rcode;

	memcpy(q.qname, node->name, node->namelen);
	memcpy(q.qname_lc, node->name, node->namelen);
	q.qname_len = node->namelen;
	q.qtype = qtype;
	q.qclass = DNS_CLASS_IN;
	q.has_question = 1;
	dns_writer_init(&w, compile_buf, sizeof(compile_buf), &q, 1);
	start = w.len;
	rcode = resolve(db, node->name, qtype, v, &w, &aa, &dep);
	a->qtype = qtype;
	a->rcode = (uint8_t)rcode;
	a->aa = (uint8_t)aa;
	a->turns = (dep & DB_DEP_TURNS) != 0;
	memcpy(a->count, w.count, sizeof(a->count));
	a->bodylen = w.len - start;
	a->body = xmalloc(a->bodylen ? a->bodylen : 1);
	memcpy(a->body, compile_buf + start, a->bodylen);
	if (dep && !node->dep && node->fname < 0) {
		if (db->ndeps == db->depcap) {
			db->depcap = db->depcap ? 2 * db->depcap : 16;
			db->deps = xrealloc(db->deps, db->depcap *
			    sizeof(*db->deps));
		}
		db->deps[db->ndeps++] = node;
		node->dep = 1;
	}
}

static void
node_uncompile(struct db_node *node)
{
	int	i, k;

	for (i = 0; i < node->nans; i++)
		free(node->ans[i].body);
	node->nans = 0;
	for (k = 0; k < 2; k++) {
		for (i = 0; node->fans[k] != NULL && i < node->nfans; i++)
			free(node->fans[k][i].body);
		free(node->fans[k]);
		node->fans[k] = NULL;
	}
	node->nfans = 0;
}

/* A failover name's A and AAAA answers, one per variant of its choice. */
static void
compile_name(struct db *db, struct db_node *node)
{
	const struct fdns_choice	*c = &db->names[node->fname].choice;
	int				 i, k;

	node_uncompile(node);
	node->nfans = c->kind == FDNS_ANS_ADDRS && c->nvariants > 0 ?
	    c->nvariants : 1;
	for (k = 0; k < 2; k++) {
		node->fans[k] = xcalloc((size_t)node->nfans,
		    sizeof(struct db_ans));
		for (i = 0; i < node->nfans; i++)
			compile(db, node, k ? DNS_TYPE_AAAA : DNS_TYPE_A,
			    (unsigned)i, &node->fans[k][i]);
	}
}

/* The compiled answer of node to qtype (compiled now if need be). */
static const struct db_ans *
compiled(struct db *db, struct db_node *node, uint16_t qtype)
{
	int	i;

	if (node->fname >= 0 && (qtype == DNS_TYPE_A ||
	    qtype == DNS_TYPE_AAAA) && node->nfans > 0)
		return &node->fans[qtype == DNS_TYPE_AAAA]
		    [node->turn++ % (unsigned)node->nfans];
	for (i = 0; i < node->nans; i++)
		if (node->ans[i].qtype == qtype)
			return &node->ans[i];
	if (node->nans == DB_CACHE)
		return NULL;
	compile(db, node, qtype, 0, &node->ans[node->nans]);
	return &node->ans[node->nans++];
}

size_t
db_answer(struct db *db, const struct dns_query *q, int rcode, int tcp,
    uint8_t *out, size_t outlen)
{
	struct dns_writer	 w;
	struct db_node		*node;
	const struct db_ans	*a;
	int			 aa = 0, dep = 0;

	if (dns_writer_init(&w, out, outlen, q, tcp) < 0)
		return 0;
	if (rcode != DNS_RCODE_NOERROR || !q->has_question)
		return dns_writer_finish(&w, rcode, 0);
	if ((q->qclass != DNS_CLASS_IN && q->qclass != DB_TYPE_ANY) ||
	    q->qtype == DB_TYPE_AXFR || q->qtype == DB_TYPE_IXFR)
		return dns_writer_finish(&w, DNS_RCODE_REFUSED, 0);
	if ((node = node_find(db, q->qname_lc, q->qname_len)) != NULL) {
		if (node->fname >= 0)
			db->names[node->fname].answers++;
		a = compiled(db, node, q->qtype);
		if (a != NULL && !a->turns && w.len + a->bodylen <= w.limit) {
			memcpy(out + w.len, a->body, a->bodylen);
			w.len += a->bodylen;
			memcpy(w.count + 1, a->count + 1, 3 * sizeof(*a->count));
			return dns_writer_finish(&w, a->rcode, a->aa);
		}
	}
	rcode = resolve(db, q->qname_lc, q->qtype, node != NULL &&
	    node->fname >= 0 ? node->turn : DB_VARIANT_TURN, &w, &aa, &dep);
	return dns_writer_finish(&w, rcode, aa);
}

/* Same answer: kind, addresses and variants (the sentence may differ). */
static int
choice_same(const struct fdns_choice *a, const struct fdns_choice *b)
{
	int	i;

	if (a->kind != b->kind || a->nbase != b->nbase ||
	    a->nvariants != b->nvariants || strcmp(a->rule, b->rule) != 0 ||
	    memcmp(a->base, b->base, (size_t)a->nbase * sizeof(*a->base)) != 0)
		return 0;
	for (i = 0; i < a->nvariants; i++)
		if (a->nvariant[i] != b->nvariant[i] || memcmp(a->variant[i],
		    b->variant[i], a->nvariant[i]) != 0)
			return 0;
	return 1;
}

/* Does a change of pool's members concern name n? */
static int
concerns(const struct fdns_conf *conf, const struct fdns_pool *pool,
    const struct fdns_name *n)
{
	size_t	i;

	if (pool == NULL || n->pool == pool)
		return 1;
	if (pool->scope != FDNS_SCOPE_DOMAIN &&
	    n->pool->scope != FDNS_SCOPE_DOMAIN)
		return 0;
	for (i = 0; i < conf->nnames; i++)
		if (conf->names[i].pool == pool &&
		    conf->names[i].zone == n->zone)
			return 1;
	return 0;
}

int
db_choose(struct db *db, const struct fdns_pool *pool,
    void (*changed)(size_t, const struct db_name_status *,
    const struct fdns_choice *))
{
	const struct fdns_conf	*conf = db->conf;
	struct db_name_status	*st;
	struct fdns_choice	 c, old;
	size_t			 i;
	int			 n = 0;

	for (i = 0; i < conf->nnames; i++) {
		if (!concerns(conf, pool, &conf->names[i]))
			continue;
		st = &db->names[i];
		fdns_select(conf, &conf->names[i], &c);
		if (st->choice.rule != NULL && choice_same(&c, &st->choice)) {
			memcpy(st->choice.why, c.why, sizeof(c.why));
			continue;
		}
		old = st->choice;
		st->choice = c;
		st->changed_ms = time_now_ms();
		compile_name(db, db->name_nodes[i]);
		if (changed != NULL)
			changed(i, st, &old);
		n++;
	}
	/* What went through a name that changed is compiled again. */
	for (i = 0; n > 0 && i < db->ndeps; i++)
		node_uncompile(db->deps[i]);
	return n;
}

const struct db_name_status *
db_name_status(const struct db *db, size_t name)
{
	return &db->names[name];
}

size_t
db_records(const struct db *db)
{
	return db->nrecords;
}

/* Add rr to its node, unless the same record is there (RFC 2181 5). */
static void
db_add(struct db *db, const struct zone_rr *rr)
{
	struct db_node	*n = node_get(db, rr->owner, rr->ownerlen);
	struct db_rrset	*s = (struct db_rrset *)node_set(n, rr->type);
	size_t		 i;

	if (s == NULL) {
		n->sets = xrealloc(n->sets, (n->nsets + 1) *
		    sizeof(*n->sets));
		s = &n->sets[n->nsets++];
		memset(s, 0, sizeof(*s));
		s->type = rr->type;
	}
	for (i = 0; i < s->n; i++)
		if (s->rrs[i]->rdlen == rr->rdlen &&
		    memcmp(s->rrs[i]->rdata, rr->rdata, rr->rdlen) == 0)
			return;
	s->rrs = xrealloc(s->rrs, (s->n + 1) * sizeof(*s->rrs));
	s->rrs[s->n++] = rr;
	db->nrecords++;
}

/* The nodes between name and the apex (empty non-terminals), so that
 * they answer NODATA, not NXDOMAIN (RFC 8020). */
static void
db_add_parents(struct db *db, const uint8_t *name, size_t len,
    size_t originlen)
{
	size_t	off = 0;

	while (len - off > originlen) {
		off += name[off] + 1;
		node_get(db, name + off, len - off);
	}
}

struct db *
db_build(struct fdns_conf *conf, char *err, size_t errlen)
{
	struct db		*db = xcalloc(1, sizeof(*db));
	const struct zone_rr	*rr;
	const struct db_rrset	*s;
	struct db_zone		*dz;
	struct db_node		*node;
	struct fdns_name	*n;
	size_t			 i, j, total = conf->nnames;
	char			 ezone[512];

	db->conf = conf;
	db->zones = xcalloc(conf->nzones ? conf->nzones : 1,
	    sizeof(*db->zones));
	for (i = 0; i < conf->nzones; i++, db->nzones++) {
		if (zone_load(conf->zones[i].file, conf->zones[i].name,
		    &db->zones[i].z, ezone, sizeof(ezone)) < 0) {
			snprintf(err, errlen, "zone %s: %s", conf->zones[i].name,
			    ezone);
			goto fail;
		}
		total += db->zones[i].z->nrrs;
	}
	for (db->hmask = 64; db->hmask < 2 * total; db->hmask *= 2)
		;
	db->hash = xcalloc(db->hmask--, sizeof(*db->hash));
	for (i = 0; i < db->nzones; i++) {
		dz = &db->zones[i];
		for (j = 0; j < dz->z->nrrs; j++) {
			rr = &dz->z->rrs[j];
			db_add(db, rr);
			db_add_parents(db, rr->owner, rr->ownerlen,
			    dz->z->originlen);
			if (rr->type == DNS_TYPE_NS &&
			    rr->ownerlen != dz->z->originlen)
				dz->has_cuts = 1;
		}
		node = node_find(db, dz->z->origin, dz->z->originlen);
		if (node == NULL || (s = node_set(node, DNS_TYPE_SOA)) == NULL) {
			snprintf(err, errlen, "zone %s: %s: no SOA record at "
			    "the apex", conf->zones[i].name,
			    conf->zones[i].file);
			goto fail;
		}
		dz->soa = s->rrs[0];
	}
	db->names = xcalloc(conf->nnames ? conf->nnames : 1,
	    sizeof(*db->names));
	db->name_nodes = xcalloc(conf->nnames ? conf->nnames : 1,
	    sizeof(*db->name_nodes));
	for (i = 0; i < conf->nnames; i++) {
		n = &conf->names[i];
		node = node_get(db, n->wire, n->wirelen);
		db_add_parents(db, n->wire, n->wirelen,
		    db->zones[n->zone].z->originlen);
		for (j = 0; j < node->nsets; j++)
			if (node->sets[j].type == DNS_TYPE_A ||
			    node->sets[j].type == DNS_TYPE_AAAA ||
			    node->sets[j].type == DNS_TYPE_CNAME) {
				rr = node->sets[j].rrs[0];
				snprintf(err, errlen, "%s:%d: name %s: its zone "
				    "has %s records for it (%s:%d); a failover "
				    "name takes its addresses from its pool",
				    conf->path, n->line, n->name,
				    rr->type == DNS_TYPE_CNAME ? "CNAME" :
				    rr->type == DNS_TYPE_A ? "A" : "AAAA",
				    rr->file, rr->line);
				goto fail;
			}
		node->fname = (long)i;
		db->name_nodes[i] = node;
	}
	db_choose(db, NULL, NULL);
	return db;
fail:
	db_free(db);
	return NULL;
}

void
db_free(struct db *db)
{
	struct db_node	*n, *next;
	size_t		 i, j;

	if (db == NULL)
		return;
	for (i = 0; db->hash != NULL && i <= db->hmask; i++)
		for (n = db->hash[i]; n != NULL; n = next) {
			next = n->hnext;
			node_uncompile(n);
			for (j = 0; j < n->nsets; j++)
				free(n->sets[j].rrs);
			free(n->sets);
			free(n);
		}
	for (i = 0; i < db->nzones; i++)
		zone_free(db->zones[i].z);
	free(db->zones);
	free(db->hash);
	free(db->names);
	free(db->name_nodes);
	free(db->deps);
	free(db);
}
