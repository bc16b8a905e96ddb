/*
 * hc_proc.h: running a command from hc (the exec check, the exec and mail
 * actions) without blocking other Pth threads, with a deadline.
 */
#ifndef HC_PROC_H
#define HC_PROC_H

#include <stddef.h>
#include <stdint.h>

struct hc_proc {
	char *const	*argv;		/* argv[0] is the program, PATH-searched */
	char *const	*env;		/* "NAME=value" added to hc's; NULL: none */
	const char	*input;		/* fed to stdin; NULL: /dev/null */
	size_t		 inlen;
	char		*out;		/* stdout and stderr, NUL-terminated; */
	size_t		 outlen;	/* NULL/0: discarded */
};

/*
 * Run p in its own process group and wait for it until the deadline
 * (time_mono_ms); at the deadline the whole group is killed. Returns the
 * wait status (>= 0), or -1 with why set ("timeout", "fork: ..."). Yields.
 */
int	 hc_proc_run(const struct hc_proc *p, int64_t deadline, char *why,
	    size_t whylen);

/* "exit 3", "killed by signal 9", for a wait status. */
void	 hc_proc_status_str(int status, char *buf, size_t len);

#endif
