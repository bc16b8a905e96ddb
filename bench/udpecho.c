/*
 * udpecho.c: the bare UDP echo server that bench/run.sh measures beside
 * faild, as the limit of the machine: one socket, one recvfrom/sendto loop,
 * no parsing. Usage: udpecho address port
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>

int
main(int argc, char *argv[])
{
	struct sockaddr_in	sin = { .sin_family = AF_INET }, peer;
	socklen_t		plen;
	char			buf[2048];
	ssize_t			n;
	int			fd;

	if (argc != 3 || inet_pton(AF_INET, argv[1], &sin.sin_addr) != 1) {
		fprintf(stderr, "usage: udpecho address port\n");
		return 2;
	}
	sin.sin_port = htons((unsigned short)atoi(argv[2]));
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) < 0 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		perror("udpecho");
		return 1;
	}
	fprintf(stderr, "udpecho: ready: udp %s:%s\n", argv[1], argv[2]);
	for (;;) {
		plen = sizeof(peer);
		n = recvfrom(fd, buf, sizeof(buf), 0,
		    (struct sockaddr *)&peer, &plen);
		if (n >= 0)
			(void)sendto(fd, buf, (size_t)n, 0,
			    (struct sockaddr *)&peer, plen);
	}
}
