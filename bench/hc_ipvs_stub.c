/*
 * hc_ipvs_stub.c: an LD_PRELOAD stub that answers keepalived's IPVS
 * [gs]etsockopt calls as if the ip_vs module were loaded, for machines
 * without it (bench/hc.sh). Every IP_VS_SO_* call succeeds and changes
 * nothing; the health checks themselves are keepalived's own.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <netinet/in.h>

#include <dlfcn.h>
#include <string.h>

#define IP_VS_BASE_CTL		(64 + 1024 + 64)	/* linux/ip_vs.h */
#define IP_VS_SO_GET_INFO	(IP_VS_BASE_CTL + 1)
#define IP_VS_SO_LAST		(IP_VS_BASE_CTL + 15)

static int
is_ipvs(int level, int optname)
{
	return level == IPPROTO_IP && optname >= IP_VS_BASE_CTL &&
	    optname <= IP_VS_SO_LAST;
}

int
getsockopt(int fd, int level, int optname, void *optval, socklen_t *optlen)
{
	static int	(*real)(int, int, int, void *, socklen_t *);
	unsigned int	*info = optval;

	if (is_ipvs(level, optname)) {
		memset(optval, 0, *optlen);
		/* struct ip_vs_getinfo: version 1.2.1, 4096 buckets, 0 */
		if (optname == IP_VS_SO_GET_INFO && *optlen >= 12) {
			info[0] = 0x010201;
			info[1] = 4096;
		}
		return 0;
	}
	if (real == NULL)
		real = (int (*)(int, int, int, void *, socklen_t *))
		    dlsym(RTLD_NEXT, "getsockopt");
	return real(fd, level, optname, optval, optlen);
}

int
setsockopt(int fd, int level, int optname, const void *optval,
    socklen_t optlen)
{
	static int	(*real)(int, int, int, const void *, socklen_t);

	if (is_ipvs(level, optname))
		return 0;
	if (real == NULL)
		real = (int (*)(int, int, int, const void *, socklen_t))
		    dlsym(RTLD_NEXT, "setsockopt");
	return real(fd, level, optname, optval, optlen);
}
