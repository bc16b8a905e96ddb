/*
 * hc_proc.c: fork, exec, feed, collect and reap a command on GNU Pth.
 */
#define _GNU_SOURCE
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <pth.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hc_proc.h"
#include "net.h"
#include "signals.h"
#include "timeutil.h"

#define PROC_REAP_MS	10	/* at most this long between looks for the exit */

extern char	**environ;

static __attribute__((noreturn)) void
proc_child(const struct hc_proc *p, int in, int out)
{
	char	*const *e;
	int	 null;

	setpgid(0, 0);
	signals_reset();
	signal(SIGPIPE, SIG_DFL);
	null = open("/dev/null", O_RDWR);
	dup2(in >= 0 ? in : null, 0);
	dup2(out >= 0 ? out : null, 1);
	dup2(out >= 0 ? out : null, 2);
	for (e = p->env; e != NULL && *e != NULL; e++)
		putenv(*e);
	execvp(p->argv[0], p->argv);
	dprintf(2, "%s: %s\n", p->argv[0], strerror(errno));
	_exit(127);
}

/* Feed the input and collect the output until both ends are done. */
static int
proc_io(const struct hc_proc *p, int in, int out, int64_t deadline)
{
	size_t	sent = 0, got = 0;
	ssize_t	n;
	char	sink[512];

	while (in >= 0 || out >= 0) {
		pth_event_t	ev = NULL, tmo;
		int64_t		left = deadline - time_mono_ms();

		if (left <= 0) {
			if (in >= 0)
				close(in);
			if (out >= 0)
				close(out);
			return -1;
		}
		tmo = pth_event(PTH_EVENT_TIME, pth_timeout(left / 1000,
		    (left % 1000) * 1000));
		if (in >= 0)
			ev = pth_event(PTH_EVENT_FD | PTH_UNTIL_FD_WRITEABLE,
			    in);
		if (out >= 0) {
			pth_event_t r = pth_event(PTH_EVENT_FD |
			    PTH_UNTIL_FD_READABLE, out);

			ev = ev ? pth_event_concat(ev, r, NULL) : r;
		}
		pth_event_concat(ev, tmo, NULL);
		pth_wait(ev);
		pth_event_free(ev, PTH_FREE_ALL);

		if (in >= 0) {
			n = write(in, p->input + sent, p->inlen - sent);
			if (n > 0)
				sent += n;
			if ((n < 0 && errno != EAGAIN) || sent == p->inlen) {
				close(in);
				in = -1;
			}
		}
		if (out >= 0) {
			char	*buf = sink;
			size_t	 room = sizeof(sink);

			if (p->out != NULL && got + 1 < p->outlen) {
				buf = p->out + got;
				room = p->outlen - got - 1;
			}
			n = read(out, buf, room);
			if (n > 0 && buf != sink) {
				got += n;
				p->out[got] = '\0';
			} else if (n == 0 || (n < 0 && errno != EAGAIN)) {
				close(out);
				out = -1;
			}
		}
	}
	return 0;
}

int
hc_proc_run(const struct hc_proc *p, int64_t deadline, char *why,
    size_t whylen)
{
	int	inp[2] = { -1, -1 }, outp[2] = { -1, -1 }, status, rc, nap;
	pid_t	pid, w;

	if (p->out != NULL && p->outlen > 0)
		p->out[0] = '\0';
	if ((p->input != NULL && pipe2(inp, O_CLOEXEC) < 0) ||
	    pipe2(outp, O_CLOEXEC) < 0) {
		snprintf(why, whylen, "pipe: %s", strerror(errno));
		goto fail;
	}
	if ((pid = fork()) < 0) {
		snprintf(why, whylen, "fork: %s", strerror(errno));
		goto fail;
	}
	if (pid == 0)
		proc_child(p, inp[0], outp[1]);
	setpgid(pid, pid);	/* also here, so that the kill below finds it */
	if (inp[0] >= 0)
		close(inp[0]);
	close(outp[1]);
	if (inp[1] >= 0)
		net_set_nonblock(inp[1]);
	net_set_nonblock(outp[0]);
	rc = proc_io(p, inp[1], outp[0], deadline);
	for (nap = 1;; nap = nap < PROC_REAP_MS ? nap * 2 : PROC_REAP_MS) {
		/* a shell that exited leaving a child on its output is still
		 * a timeout: its whole group goes */
		w = rc < 0 ? 0 : waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			snprintf(why, whylen, "waitpid: %s", strerror(errno));
			return -1;
		}
		if (rc < 0 || time_mono_ms() >= deadline) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			snprintf(why, whylen, "timeout");
			return -1;
		}
		pth_nap(pth_time(0, nap * 1000));
	}
	return status;
fail:
	if (inp[0] >= 0) {
		close(inp[0]);
		close(inp[1]);
	}
	if (outp[0] >= 0) {
		close(outp[0]);
		close(outp[1]);
	}
	return -1;
}

void
hc_proc_status_str(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exit %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, len, "status %d", status);
}
