/*
 * signals.c: caught signals are written, one byte each, to a non-blocking
 * pipe; signals_next reads them in a Pth thread, waiting with net_wait.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "net.h"
#include "signals.h"

static int	sig_pipe[2] = { -1, -1 };
static int	sig_caught[16];
static int	sig_n;

static void
signals_handler(int sig)
{
	unsigned char	c = (unsigned char)sig;
	int		saved = errno;

	(void)!write(sig_pipe[1], &c, 1);
	errno = saved;
}

int
signals_init(const int *sigs, int n)
{
	struct sigaction	sa;
	int			i;

	if (n > (int)(sizeof(sig_caught) / sizeof(sig_caught[0]))) {
		errno = EINVAL;
		return -1;
	}
	if (sig_pipe[0] < 0 && pipe2(sig_pipe, O_NONBLOCK | O_CLOEXEC) < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = signals_handler;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < n; i++) {
		if (sigaction(sigs[i], &sa, NULL) < 0)
			return -1;
		sig_caught[i] = sigs[i];
	}
	sig_n = n;
	return 0;
}

int
signals_next(void)
{
	unsigned char	c;

	for (;;) {
		if (read(sig_pipe[0], &c, 1) == 1)
			return c;
		net_wait(sig_pipe[0], 0, -1);
	}
}

void
signals_reset(void)
{
	int	i;

	for (i = 0; i < sig_n; i++)
		signal(sig_caught[i], SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
}
