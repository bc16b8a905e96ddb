/*
 * xmalloc.h: allocation that never returns NULL. Running out of memory is
 * a broken invariant for these small daemons: the process aborts.
 */
#ifndef FAIL_XMALLOC_H
#define FAIL_XMALLOC_H

#include <stddef.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
char	*xstrdup(const char *);
int	 xasprintf(char **, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
