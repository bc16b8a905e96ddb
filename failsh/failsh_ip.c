/*
 * failsh_ip.c: the failip Tcl command, so that a policy moves a service
 * address without forking ip and arping: it adds and removes addresses
 * over rtnetlink and announces them itself, gratuitous ARP for IPv4 and
 * an unsolicited neighbour advertisement for IPv6, on a packet or ICMPv6
 * socket.
 */
#define _GNU_SOURCE
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "failsh.h"
#include "log.h"
#include "timeutil.h"
#include "xmalloc.h"

/* An address with its prefix length, as "ADDR/PREFIX" or "ADDR". */
struct ip_prefix {
	int		 family;
	unsigned char	 addr[16];
	int		 len;		/* bytes of addr */
	int		 prefix;
};

static int
ip_parse(const char *spec, struct ip_prefix *p, char *err, size_t errlen)
{
	char	buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	long	pl;

	if (strlen(spec) >= sizeof(buf)) {
		snprintf(err, errlen, "bad address \"%.40s\"", spec);
		return -1;
	}
	strcpy(buf, spec);
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	memset(p, 0, sizeof(*p));
	if (inet_pton(AF_INET, buf, p->addr) == 1) {
		p->family = AF_INET;
		p->len = 4;
	} else if (inet_pton(AF_INET6, buf, p->addr) == 1) {
		p->family = AF_INET6;
		p->len = 16;
	} else {
		snprintf(err, errlen, "bad address \"%s\"", spec);
		return -1;
	}
	p->prefix = p->len * 8;
	if (slash != NULL) {
		pl = strtol(slash, &end, 10);
		if (*slash == '\0' || *end != '\0' || pl < 1 ||
		    pl > p->len * 8) {
			snprintf(err, errlen, "bad prefix length in \"%s\"",
			    spec);
			return -1;
		}
		p->prefix = (int)pl;
	}
	return 0;
}

static void
nl_attr(struct nlmsghdr *h, int type, const void *data, int len)
{
	struct rtattr	*a = (struct rtattr *)((char *)h +
			    NLMSG_ALIGN(h->nlmsg_len));

	a->rta_type = (unsigned short)type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, (size_t)len);
	h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(a->rta_len);
}

/*
 * Add (RTM_NEWADDR) or delete (RTM_DELADDR) the address on ifindex and
 * wait for the kernel's answer. Returns 0 or the errno it gave.
 */
static int
ip_netlink(int type, int ifindex, const struct ip_prefix *p)
{
	struct {
		struct nlmsghdr		h;
		struct ifaddrmsg	ifa;
		char			attrs[64];
	} req;
	char		 buf[512];
	struct nlmsghdr	*h;
	int		 fd, rc = EIO;
	ssize_t		 n;

	if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
	    NETLINK_ROUTE)) < 0)
		return errno;
	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifa));
	req.h.nlmsg_type = (unsigned short)type;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK |
	    (type == RTM_NEWADDR ? NLM_F_CREATE | NLM_F_EXCL : 0);
	req.h.nlmsg_seq = 1;
	req.ifa.ifa_family = (unsigned char)p->family;
	req.ifa.ifa_prefixlen = (unsigned char)p->prefix;
	req.ifa.ifa_index = (unsigned)ifindex;
	req.ifa.ifa_scope = RT_SCOPE_UNIVERSE;
	/* A service address must work at once: no duplicate detection. */
	if (p->family == AF_INET6)
		req.ifa.ifa_flags = IFA_F_NODAD;
	nl_attr(&req.h, IFA_LOCAL, p->addr, p->len);
	nl_attr(&req.h, IFA_ADDRESS, p->addr, p->len);
	if (send(fd, &req, req.h.nlmsg_len, 0) < 0) {
		rc = errno;
		goto done;
	}
	if ((n = recv(fd, buf, sizeof(buf), 0)) < 0) {
		rc = errno;
		goto done;
	}
	for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (unsigned)n);
	    h = NLMSG_NEXT(h, n))
		if (h->nlmsg_type == NLMSG_ERROR) {
			rc = -((struct nlmsgerr *)NLMSG_DATA(h))->error;
			break;
		}
done:
	close(fd);
	return rc;
}

/* The interface's MAC address, through any socket fd. */
static int
ip_hwaddr(int fd, const char *ifname, unsigned char mac[ETH_ALEN], char *err,
    size_t errlen)
{
	struct ifreq	ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
		snprintf(err, errlen, "%s: hardware address: %s", ifname,
		    strerror(errno));
		return -1;
	}
	memcpy(mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	return 0;
}

/* Broadcast a gratuitous ARP request and reply for an IPv4 address. */
static int
ip_garp(const char *ifname, int ifindex, const struct ip_prefix *p,
    char *err, size_t errlen)
{
	struct {
		struct arphdr	h;
		unsigned char	sha[ETH_ALEN], spa[4], tha[ETH_ALEN], tpa[4];
	} __attribute__((packed)) arp;
	struct sockaddr_ll	 to;
	unsigned char		 mac[ETH_ALEN];
	int			 fd, op, rc = -1;

	if ((fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC,
	    htons(ETH_P_ARP))) < 0) {
		snprintf(err, errlen, "packet socket: %s", strerror(errno));
		return -1;
	}
	if (ip_hwaddr(fd, ifname, mac, err, errlen) < 0)
		goto done;
	memset(&to, 0, sizeof(to));
	to.sll_family = AF_PACKET;
	to.sll_protocol = htons(ETH_P_ARP);
	to.sll_ifindex = ifindex;
	to.sll_halen = ETH_ALEN;
	memset(to.sll_addr, 0xff, ETH_ALEN);
	for (op = ARPOP_REQUEST; op <= ARPOP_REPLY; op++) {
		memset(&arp, 0, sizeof(arp));
		arp.h.ar_hrd = htons(ARPHRD_ETHER);
		arp.h.ar_pro = htons(ETH_P_IP);
		arp.h.ar_hln = ETH_ALEN;
		arp.h.ar_pln = 4;
		arp.h.ar_op = htons((unsigned short)op);
		memcpy(arp.sha, mac, ETH_ALEN);
		memcpy(arp.spa, p->addr, 4);
		if (op == ARPOP_REPLY)
			memset(arp.tha, 0xff, ETH_ALEN);
		memcpy(arp.tpa, p->addr, 4);
		if (sendto(fd, &arp, sizeof(arp), 0, (struct sockaddr *)&to,
		    sizeof(to)) < 0) {
			snprintf(err, errlen, "%s: sending gratuitous ARP: %s",
			    ifname, strerror(errno));
			goto done;
		}
	}
	rc = 0;
done:
	close(fd);
	return rc;
}

/* An unsolicited neighbour advertisement for an IPv6 address (RFC 4861). */
static int
ip_unsolicited_na(const char *ifname, int ifindex, const struct ip_prefix *p,
    char *err, size_t errlen)
{
	struct {
		struct nd_neighbor_advert	na;
		struct nd_opt_hdr		opt;
		unsigned char			mac[ETH_ALEN];
	} __attribute__((packed)) msg;
	struct sockaddr_in6	 to;
	unsigned char		 mac[ETH_ALEN];
	int			 fd, hops = 255, rc = -1;

	if ((fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC,
	    IPPROTO_ICMPV6)) < 0) {
		snprintf(err, errlen, "ICMPv6 socket: %s", strerror(errno));
		return -1;
	}
	if (ip_hwaddr(fd, ifname, mac, err, errlen) < 0)
		goto done;
	/* from the address itself, which may be the only one usable yet */
	memset(&to, 0, sizeof(to));
	to.sin6_family = AF_INET6;
	memcpy(&to.sin6_addr, p->addr, 16);
	if (bind(fd, (struct sockaddr *)&to, sizeof(to)) < 0) {
		snprintf(err, errlen, "%s: cannot send from the address: %s",
		    ifname, strerror(errno));
		goto done;
	}
	setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops));
	setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex,
	    sizeof(ifindex));
	memset(&msg, 0, sizeof(msg));
	msg.na.nd_na_type = ND_NEIGHBOR_ADVERT;
	msg.na.nd_na_flags_reserved = ND_NA_FLAG_OVERRIDE;
	memcpy(&msg.na.nd_na_target, p->addr, 16);
	msg.opt.nd_opt_type = ND_OPT_TARGET_LINKADDR;
	msg.opt.nd_opt_len = 1;		/* 8 bytes */
	memcpy(msg.mac, mac, ETH_ALEN);
	memset(&to, 0, sizeof(to));
	to.sin6_family = AF_INET6;
	inet_pton(AF_INET6, "ff02::1", &to.sin6_addr);
	to.sin6_scope_id = (uint32_t)ifindex;
	if (sendto(fd, &msg, sizeof(msg), 0, (struct sockaddr *)&to,
	    sizeof(to)) < 0) {
		snprintf(err, errlen, "%s: sending neighbour advertisement: %s",
		    ifname, strerror(errno));
		goto done;
	}
	rc = 0;
done:
	close(fd);
	return rc;
}

static int
ip_announce(const char *ifname, int ifindex, const struct ip_prefix *p,
    char *err, size_t errlen)
{
	if (p->family == AF_INET)
		return ip_garp(ifname, ifindex, p, err, errlen);
	return ip_unsolicited_na(ifname, ifindex, p, err, errlen);
}

/*
 * One announcement is sent at once; these repeat it over the first second
 * (ms after the first), for a neighbour that missed one, as keepalived's
 * garp_master_repeat does. A del of the address ends its repeats.
 */
static const int	ip_repeat_ms[] = { 100, 300, 600, 1000 };

struct ip_repeat {
	char			 ifname[IF_NAMESIZE];
	int			 ifindex;
	struct ip_prefix	 p;
	int			 cancelled;
	struct ip_repeat	*next;
};

static struct ip_repeat	*ip_repeats;	/* bursts under way */

/* End the repeated announcements of p on ifindex, if any. */
static void
ip_repeat_cancel(int ifindex, const struct ip_prefix *p)
{
	struct ip_repeat	*r;

	for (r = ip_repeats; r != NULL; r = r->next)
		if (r->ifindex == ifindex && r->p.family == p->family &&
		    memcmp(r->p.addr, p->addr, (size_t)p->len) == 0)
			r->cancelled = 1;
}

static void *
ip_repeat_thread(void *arg)
{
	struct ip_repeat	 *r = arg, **pp;
	int64_t			  start = time_mono_ms(), left;
	size_t			  i;
	char			  err[256];

	for (i = 0; i < sizeof(ip_repeat_ms) / sizeof(ip_repeat_ms[0]); i++) {
		left = start + ip_repeat_ms[i] - time_mono_ms();
		if (left > 0)
			pth_nap(pth_time(left / 1000, (left % 1000) * 1000));
		if (r->cancelled)
			break;
		if (ip_announce(r->ifname, r->ifindex, &r->p, err,
		    sizeof(err)) < 0) {
			log_warnx("failip: %s", err);
			break;
		}
	}
	for (pp = &ip_repeats; *pp != NULL; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			break;
		}
	free(r);
	return NULL;
}

/* Repeat the announcement of p on ifname, ending any burst before it. */
static void
ip_repeat_start(const char *ifname, int ifindex, const struct ip_prefix *p)
{
	struct ip_repeat	*r;
	pth_attr_t		 attr;

	ip_repeat_cancel(ifindex, p);
	r = xcalloc(1, sizeof(*r));
	snprintf(r->ifname, sizeof(r->ifname), "%s", ifname);
	r->ifindex = ifindex;
	r->p = *p;
	attr = pth_attr_new();
	pth_attr_set(attr, PTH_ATTR_NAME, "failip");
	pth_attr_set(attr, PTH_ATTR_JOINABLE, FALSE);
	if (pth_spawn(attr, ip_repeat_thread, r) == NULL) {
		log_warn("failip: cannot repeat the announcement");
		free(r);
	} else {
		r->next = ip_repeats;
		ip_repeats = r;
	}
	pth_attr_destroy(attr);
}

/*
 * The addresses failip added and did not delete. When the carrier of
 * their interface comes back (a cable, a switch port, a veth peer), they
 * are announced again: the neighbours may have moved to another host
 * meanwhile. A thread follows the kernel's link changes over rtnetlink
 * once the first address is added.
 */
struct ip_held {
	char			 ifname[IF_NAMESIZE];
	int			 ifindex;
	struct ip_prefix	 p;
	int			 running;	/* the link, as last seen */
	struct ip_held		*next;
};

static struct ip_held	*ip_helds;

static struct ip_held **
ip_held_find(int ifindex, const struct ip_prefix *p)
{
	struct ip_held	**hp;

	for (hp = &ip_helds; *hp != NULL; hp = &(*hp)->next)
		if ((*hp)->ifindex == ifindex && (*hp)->p.family == p->family &&
		    memcmp((*hp)->p.addr, p->addr, (size_t)p->len) == 0)
			return hp;
	return hp;
}

/*
 * Forget the neighbours of ifindex that failed to resolve, or are still
 * trying, since its link went down: the kernel asks again only after its
 * retransmit time (1 s), and meanwhile holds back or drops what this host
 * sends there (answers to the clients its announcement brings back, polls
 * of the peer). Forgotten, they are asked for at once.
 */
static void
ip_neigh_flush_failed(int ifindex)
{
	struct {
		struct nlmsghdr	h;
		struct ndmsg	nd;
	} req;
	char		 buf[16384], dels[4096];
	struct nlmsghdr	*h;
	struct ndmsg	*nd;
	size_t		 ndels = 0;
	int		 fd, done = 0;
	ssize_t		 n;

	if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
	    NETLINK_ROUTE)) < 0)
		return;
	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = NLMSG_LENGTH(sizeof(req.nd));
	req.h.nlmsg_type = RTM_GETNEIGH;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nd.ndm_family = AF_UNSPEC;
	if (send(fd, &req, req.h.nlmsg_len, 0) < 0)
		goto out;
	while (!done && (n = recv(fd, buf, sizeof(buf), 0)) > 0)
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (unsigned)n);
		    h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE ||
			    h->nlmsg_type == NLMSG_ERROR) {
				done = 1;
				break;
			}
			nd = NLMSG_DATA(h);
			if (h->nlmsg_type != RTM_NEWNEIGH ||
			    nd->ndm_ifindex != ifindex ||
			    !(nd->ndm_state & (NUD_FAILED | NUD_INCOMPLETE)) ||
			    ndels + NLMSG_ALIGN(h->nlmsg_len) > sizeof(dels))
				continue;
			/* the same message as a delete, with its NDA_DST */
			h->nlmsg_type = RTM_DELNEIGH;
			h->nlmsg_flags = NLM_F_REQUEST;
			memcpy(dels + ndels, h, h->nlmsg_len);
			ndels += NLMSG_ALIGN(h->nlmsg_len);
		}
	if (ndels > 0)
		send(fd, dels, ndels, 0);
out:
	close(fd);
}

/* A link message: announce what is held on it if its carrier is back. */
static void
ip_link_changed(const struct ifinfomsg *ifi)
{
	struct ip_held	*h;
	char		 err[256];
	int		 flushed = 0;
	int		 running = (ifi->ifi_flags & (IFF_UP | IFF_RUNNING)) ==
			    (IFF_UP | IFF_RUNNING);

	for (h = ip_helds; h != NULL; h = h->next) {
		if (h->ifindex != ifi->ifi_index || h->running == running)
			continue;
		h->running = running;
		if (!running)
			continue;
		if (!flushed++) {
			log_info("failip: %s is up again, announcing its "
			    "service addresses", h->ifname);
			ip_neigh_flush_failed(h->ifindex);
		}
		if (ip_announce(h->ifname, h->ifindex, &h->p, err,
		    sizeof(err)) < 0)
			log_warnx("failip: %s", err);
		else
			ip_repeat_start(h->ifname, h->ifindex, &h->p);
	}
}

static void *
ip_link_thread(void *arg)
{
	struct sockaddr_nl	 sa;
	char			 buf[8192];
	struct nlmsghdr		*h;
	ssize_t			 n;
	int			 fd;

	(void)arg;
	if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
	    NETLINK_ROUTE)) < 0) {
		log_warn("failip: cannot follow link changes: netlink socket");
		return NULL;
	}
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	sa.nl_groups = RTMGRP_LINK;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		log_warn("failip: cannot follow link changes: bind");
		close(fd);
		return NULL;
	}
	while ((n = pth_read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR || errno == ENOBUFS)
				continue;	/* ENOBUFS: missed some */
			log_warn("failip: reading link changes");
			break;
		}
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (unsigned)n);
		    h = NLMSG_NEXT(h, n))
			if (h->nlmsg_type == RTM_NEWLINK)
				ip_link_changed(NLMSG_DATA(h));
	}
	close(fd);
	return NULL;
}

/* Remember (add) or forget (del) an address failip put on a link. */
static void
ip_held_update(int add, const char *ifname, int ifindex,
    const struct ip_prefix *p)
{
	static int	 watching;
	struct ip_held	**hp = ip_held_find(ifindex, p), *h;
	pth_attr_t	 attr;

	if (!add) {
		if ((h = *hp) != NULL) {
			*hp = h->next;
			free(h);
		}
		return;
	}
	if (*hp == NULL) {
		h = *hp = xcalloc(1, sizeof(*h));
		snprintf(h->ifname, sizeof(h->ifname), "%s", ifname);
		h->ifindex = ifindex;
		h->p = *p;
		h->running = 1;
	}
	if (watching++)
		return;
	attr = pth_attr_new();
	pth_attr_set(attr, PTH_ATTR_NAME, "failip-link");
	pth_attr_set(attr, PTH_ATTR_JOINABLE, FALSE);
	if (pth_spawn(attr, ip_link_thread, NULL) == NULL)
		log_warn("failip: cannot follow link changes");
	pth_attr_destroy(attr);
}

/*
 * failip add|del|announce IFACE ADDR[/PREFIX]
 *	add: put the address on the interface (already there is fine) and
 *	announce it, and again whenever the link's carrier comes back; del:
 *	take it off (already gone is fine) and end its announcements;
 *	announce: only announce. An announcement is sent at once and
 *	repeated 4 times over the next second. Results: the address as
 *	given.
 */
static int
failip_cmd(ClientData data, Tcl_Interp *interp, int objc,
    Tcl_Obj *const objv[])
{
	static const char	*const subs[] = { "add", "del", "announce", NULL };
	enum { IP_ADD, IP_DEL, IP_ANNOUNCE };
	struct ip_prefix	 p;
	const char		*ifname, *spec;
	char			 err[256];
	unsigned		 ifindex;
	int			 sub, rc;

	(void)data;
	if (objc != 4) {
		Tcl_WrongNumArgs(interp, 1, objv, "add|del|announce interface "
		    "address/prefix");
		return TCL_ERROR;
	}
	if (Tcl_GetIndexFromObj(interp, objv[1], subs, "subcommand", 0,
	    &sub) != TCL_OK)
		return TCL_ERROR;
	ifname = Tcl_GetString(objv[2]);
	spec = Tcl_GetString(objv[3]);
	if ((ifindex = if_nametoindex(ifname)) == 0) {
		Tcl_SetObjResult(interp, Tcl_ObjPrintf("no interface \"%s\"",
		    ifname));
		Tcl_SetErrorCode(interp, "FAIL", "LOOKUP", ifname, NULL);
		return TCL_ERROR;
	}
	if (ip_parse(spec, &p, err, sizeof(err)) < 0) {
		Tcl_SetObjResult(interp, Tcl_NewStringObj(err, -1));
		Tcl_SetErrorCode(interp, "FAIL", "VALUE", spec, NULL);
		return TCL_ERROR;
	}
	if (sub != IP_ANNOUNCE) {
		rc = ip_netlink(sub == IP_ADD ? RTM_NEWADDR : RTM_DELADDR,
		    (int)ifindex, &p);
		if (rc == EEXIST && sub == IP_ADD)
			rc = 0;
		if ((rc == EADDRNOTAVAIL || rc == ENOENT || rc == ESRCH) &&
		    sub == IP_DEL)
			rc = 0;
		if (rc != 0) {
			Tcl_SetObjResult(interp, Tcl_ObjPrintf("%s %s on %s: "
			    "%s", subs[sub], spec, ifname, strerror(rc)));
			Tcl_SetErrorCode(interp, "FAIL", "IP", subs[sub], NULL);
			return TCL_ERROR;
		}
		log_debug(FAC_TCL, 1, "failip %s %s %s", subs[sub], ifname,
		    spec);
	}
	if (sub != IP_ANNOUNCE)
		ip_held_update(sub == IP_ADD, ifname, (int)ifindex, &p);
	if (sub == IP_DEL)
		ip_repeat_cancel((int)ifindex, &p);
	else if (ip_announce(ifname, (int)ifindex, &p, err,
	    sizeof(err)) < 0) {
		Tcl_SetObjResult(interp, Tcl_NewStringObj(err, -1));
		Tcl_SetErrorCode(interp, "FAIL", "IP", "announce", NULL);
		return TCL_ERROR;
	} else
		ip_repeat_start(ifname, (int)ifindex, &p);
	Tcl_SetObjResult(interp, objv[3]);
	return TCL_OK;
}

void
failsh_ip_init(Tcl_Interp *interp)
{
	Tcl_CreateObjCommand(interp, "failip", failip_cmd, NULL, NULL);
}
