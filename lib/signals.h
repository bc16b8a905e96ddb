/*
 * signals.h: signals as bytes on a pipe, for daemons on GNU Pth. A thread
 * that waits in pth_sigwait makes Pth install and restore a handler for
 * each of its signals on every scheduler pass (about ten system calls per
 * request); a handler that writes to a pipe costs nothing until a signal
 * comes.
 */
#ifndef FAIL_SIGNALS_H
#define FAIL_SIGNALS_H

/* Catch the n signals; 0, or -1 with errno set. */
int	 signals_init(const int *sigs, int n);
/* Wait (yielding) for the next caught signal; returns its number. */
int	 signals_next(void);
/* In a child about to exec: the default for every signal caught here. */
void	 signals_reset(void);

#endif
