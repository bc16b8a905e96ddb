/*
 * check_dns.c: the dns check. Asks a DNS server one question over UDP
 * (resent until the deadline; a truncated answer is asked again over TCP)
 * or TCP, and is healthy when the answer holds records of the asked type,
 * or the one expected. The packets themselves are dns_packet.c's.
 */
#include <sys/random.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "hc.h"
#include "check_util.h"
#include "dns_packet.h"
#include "log.h"
#include "timeutil.h"
#include "xmalloc.h"

#define DNS_PORT	53
#define DNS_RESEND_MS	500	/* UDP: ask again after this long */
#define DNS_MSG_MAX	65535

enum dns_want {
	DNS_WANT_NOERROR,	/* NOERROR with records of the type */
	DNS_WANT_NXDOMAIN,	/* the name does not exist */
	DNS_WANT_ANY		/* any answer at all */
};

struct dns_conf {
	struct net_addr	 addr;
	char		 server[NET_ADDRSTRLEN];	/* for reasons */
	char		*name;		/* owned, as given */
	struct dns_query q;	/* id set per run; q.expect = expect */
	char		*expect;	/* owned, or NULL */
	int		 tcp;
	enum dns_want	 want;
};

static void	check_dns_free(void *);

static int
check_dns_option(struct dns_conf *c, const char *key, const char *val,
    const char **expect, char *err, size_t errlen)
{
	if (strcmp(key, "name") == 0) {
		free(c->name);
		c->name = xstrdup(val);
		return dns_query_name(&c->q, val, err, errlen);
	}
	if (strcmp(key, "type") == 0) {
		if ((c->q.type = dns_type_parse(val)) < 0) {
			snprintf(err, errlen, "option \"type\" must be A, "
			    "AAAA, CNAME, MX, NS, PTR, SOA or TXT, not \"%s\"",
			    val);
			return -1;
		}
		return 0;
	}
	if (strcmp(key, "expect") == 0) {
		*expect = val;
		return 0;
	}
	if (strcmp(key, "proto") == 0) {
		if (strcmp(val, "udp") != 0 && strcmp(val, "tcp") != 0) {
			snprintf(err, errlen, "option \"proto\" must be udp or "
			    "tcp, not \"%s\"", val);
			return -1;
		}
		c->tcp = strcmp(val, "tcp") == 0;
		return 0;
	}
	if (strcmp(key, "rcode") == 0) {
		if (strcasecmp(val, "NOERROR") == 0)
			c->want = DNS_WANT_NOERROR;
		else if (strcasecmp(val, "NXDOMAIN") == 0)
			c->want = DNS_WANT_NXDOMAIN;
		else if (strcasecmp(val, "any") == 0)
			c->want = DNS_WANT_ANY;
		else {
			snprintf(err, errlen, "option \"rcode\" must be "
			    "NOERROR, NXDOMAIN or any, not \"%s\"", val);
			return -1;
		}
		return 0;
	}
	hc_opt_unknown("dns", key, "name, type, expect, proto, rcode", err,
	    errlen);
	return -1;
}

/* check dns SERVER[:PORT] name NAME [type T] [expect V] [proto P] [rcode R] */
static void *
check_dns_parse(int argc, char **argv, char *err, size_t errlen)
{
	struct dns_conf	*c;
	const char	*val, *expect = NULL;
	char		 norm[DNS_TEXT_MAX], why[256];
	int		 i;

	if (argc < 1) {
		snprintf(err, errlen, "needs the server's address");
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->q.type = DNS_T_A;
	if (hc_parse_addr(argv[0], DNS_PORT, &c->addr, err, errlen) < 0)
		goto fail;
	net_addr_str((struct sockaddr *)&c->addr.ss, c->server,
	    sizeof(c->server));
	for (i = 1; i < argc; i += 2) {
		if ((val = hc_opt_value(argc, argv, i, err, errlen)) == NULL ||
		    check_dns_option(c, argv[i], val, &expect, err,
		    errlen) < 0)
			goto fail;
	}
	if (c->name == NULL) {
		snprintf(err, errlen, "option \"name\" is required (the name "
		    "to look up)");
		goto fail;
	}
	if (expect != NULL) {
		if (c->want != DNS_WANT_NOERROR) {
			snprintf(err, errlen, "option \"expect\" goes only "
			    "with rcode NOERROR");
			goto fail;
		}
		if (dns_expect_norm(c->q.type, expect, norm, sizeof(norm), why,
		    sizeof(why)) < 0) {
			snprintf(err, errlen, "option \"expect\": %s", why);
			goto fail;
		}
		c->expect = xstrdup(norm);
		c->q.expect = c->expect;
	}
	return c;
fail:
	check_dns_free(c);
	return NULL;
}

static void
check_dns_free(void *arg)
{
	struct dns_conf	*c = arg;

	if (c == NULL)
		return;
	free(c->name);
	free(c->expect);
	free(c);
}

/*
 * Over UDP: send the query, again every DNS_RESEND_MS, until an answer to
 * it arrives. Datagrams that answer something else are passed over: late
 * answers to an earlier run, or forgeries. Returns 0 with a filled, or -1
 * with why set.
 */
static int
check_dns_udp(struct dns_conf *c, const struct dns_query *q,
    const uint8_t *query, size_t qlen, uint8_t *buf, int64_t deadline,
    struct dns_answer *a, char *why, size_t whylen)
{
	char	err[128];
	int64_t	now, next = 0;
	ssize_t	n;
	int	fd, rc = -1;

	if ((fd = net_connect(&c->addr, SOCK_DGRAM, deadline, why,
	    whylen)) < 0)
		return -1;
	for (;;) {
		if ((now = time_mono_ms()) >= deadline) {
			snprintf(why, whylen, "timeout waiting for the answer");
			break;
		}
		if (now >= next) {
			if (send(fd, query, qlen, 0) < 0 && errno != EAGAIN) {
				snprintf(why, whylen, "dns %s: %s", c->server,
				    strerror(errno));
				break;
			}
			next = now + DNS_RESEND_MS;
		}
		if (net_wait(fd, 0, next < deadline ? next : deadline) < 0)
			continue;
		if ((n = recv(fd, buf, DNS_MSG_MAX, 0)) < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			snprintf(why, whylen, "dns %s: %s", c->server,
			    strerror(errno));
			break;
		}
		rc = dns_answer_parse(buf, (size_t)n, q, a, err, sizeof(err));
		if (rc == DNS_ANSWER_OK)
			break;
		if (rc == DNS_ANSWER_BAD) {
			snprintf(why, whylen, "dns %s: malformed answer: %s",
			    c->server, err);
			break;
		}
		log_debug(FAC_CHECK, 2, "dns %s: ignored a datagram: %s",
		    c->server, err);
	}
	close(fd);
	return rc == DNS_ANSWER_OK ? 0 : -1;
}

/* Read exactly n bytes from a TCP connection; 0, or -1 with why set. */
static int
check_dns_read(struct dns_conf *c, int fd, uint8_t *buf, size_t n,
    int64_t deadline, char *why, size_t whylen)
{
	ssize_t	r;

	while (n > 0) {
		if ((r = read(fd, buf, n)) > 0) {
			buf += r;
			n -= (size_t)r;
		} else if (r == 0) {
			snprintf(why, whylen, "dns %s: connection closed "
			    "before the answer", c->server);
			return -1;
		} else if (errno == EAGAIN || errno == EINTR) {
			if (net_wait(fd, 0, deadline) < 0) {
				snprintf(why, whylen, "timeout waiting for the "
				    "answer");
				return -1;
			}
		} else {
			snprintf(why, whylen, "dns %s: read: %s", c->server,
			    strerror(errno));
			return -1;
		}
	}
	return 0;
}

/*
 * Over TCP: each message goes with a 2-byte length before it (RFC 1035
 * 4.2.2). The connection carries only our query, so anything else in
 * answer is an error. Returns 0 with a filled, or -1 with why set.
 */
static int
check_dns_tcp(struct dns_conf *c, const struct dns_query *q,
    const uint8_t *query, size_t qlen, uint8_t *buf, int64_t deadline,
    struct dns_answer *a, char *why, size_t whylen)
{
	uint8_t	out[2 + DNS_QUERY_MAX];
	char	err[128];
	size_t	n;
	int	fd, rc = -1;

	if ((fd = hc_connect(&c->addr, deadline, why, whylen)) < 0)
		return -1;
	out[0] = (uint8_t)(qlen >> 8);
	out[1] = (uint8_t)qlen;
	memcpy(out + 2, query, qlen);
	if (hc_send(fd, (const char *)out, qlen + 2, deadline, err,
	    sizeof(err)) < 0) {
		snprintf(why, whylen, "dns %s: %s", c->server, err);
		goto done;
	}
	if (check_dns_read(c, fd, buf, 2, deadline, why, whylen) < 0)
		goto done;
	n = (size_t)buf[0] << 8 | buf[1];
	if (check_dns_read(c, fd, buf, n, deadline, why, whylen) < 0)
		goto done;
	switch (dns_answer_parse(buf, n, q, a, err, sizeof(err))) {
	case DNS_ANSWER_OK:
		if (!a->tc) {
			rc = 0;
			break;
		}
		snprintf(why, whylen, "dns %s: truncated answer over TCP",
		    c->server);
		break;
	case DNS_ANSWER_OTHER:
		snprintf(why, whylen, "dns %s: wrong answer: %s", c->server,
		    err);
		break;
	default:
		snprintf(why, whylen, "dns %s: malformed answer: %s",
		    c->server, err);
		break;
	}
done:
	close(fd);
	return rc;
}

/* Healthy or not, from a well-formed answer; fills why. */
static int
check_dns_judge(struct dns_conf *c, const struct dns_answer *a, char *why,
    size_t whylen)
{
	const char	*type = dns_type_str(c->q.type);
	const char	*rcode = dns_rcode_str(a->rcode);
	char		 more[32] = "";

	if (a->count > 1)
		snprintf(more, sizeof(more), " and %d more", a->count - 1);
	if (c->want == DNS_WANT_ANY) {
		snprintf(why, whylen, "dns %s: %s, %d %s record%s", c->server,
		    rcode, a->count, type, a->count == 1 ? "" : "s");
		return 0;
	}
	if (c->want == DNS_WANT_NXDOMAIN) {
		if (a->rcode == DNS_R_NXDOMAIN) {
			snprintf(why, whylen, "dns %s: NXDOMAIN", c->server);
			return 0;
		}
		snprintf(why, whylen, "dns %s: %s, not NXDOMAIN", c->server,
		    rcode);
		return -1;
	}
	if (a->rcode != DNS_R_NOERROR) {
		snprintf(why, whylen, "dns %s: %s", c->server, rcode);
		return -1;
	}
	if (a->count == 0) {
		snprintf(why, whylen, "dns %s: no %s record for %s", c->server,
		    type, c->name);
		return -1;
	}
	if (c->expect != NULL && !a->found) {
		snprintf(why, whylen, "dns %s: %s not in answer (%s%s)",
		    c->server, c->expect, a->first, more);
		return -1;
	}
	if (c->expect != NULL)
		snprintf(why, whylen, "dns %s: NOERROR, %d %s record%s, %s "
		    "found", c->server, a->count, type, a->count == 1 ? "" :
		    "s", c->expect);
	else
		snprintf(why, whylen, "dns %s: NOERROR, %d %s record%s: %s%s",
		    c->server, a->count, type, a->count == 1 ? "" : "s",
		    a->first, more);
	return 0;
}

static int
check_dns_run(void *arg, const char *target, int64_t deadline, char *why,
    size_t whylen)
{
	struct dns_conf		*c = arg;
	struct dns_query	 q = c->q;
	struct dns_answer	 a;
	uint8_t			 query[DNS_QUERY_MAX], *buf;
	int			 qlen, rc;

	(void)target;
	/* A random id: a forger off the path must guess it. */
	if (getrandom(&q.id, sizeof(q.id), 0) != (ssize_t)sizeof(q.id))
		q.id = (uint16_t)(time_mono_ms() ^ getpid());
	if ((qlen = dns_query_build(&q, query, sizeof(query))) < 0)
		fatalx("dns_query_build: query buffer too small");
	/* Off the Pth thread's small stack. */
	buf = xmalloc(DNS_MSG_MAX);
	if (c->tcp)
		rc = check_dns_tcp(c, &q, query, (size_t)qlen, buf, deadline,
		    &a, why, whylen);
	else {
		rc = check_dns_udp(c, &q, query, (size_t)qlen, buf, deadline,
		    &a, why, whylen);
		if (rc == 0 && a.tc)
			rc = check_dns_tcp(c, &q, query, (size_t)qlen, buf,
			    deadline, &a, why, whylen);
	}
	free(buf);
	if (rc < 0)
		return -1;
	return check_dns_judge(c, &a, why, whylen);
}

const struct hc_check_type hc_check_dns = {
	"dns", check_dns_parse, check_dns_run, check_dns_free
};
