/*
 * timeutil.h: clocks in milliseconds (wall clock for states and
 * authentication, monotonic for timeouts) and their formatting.
 */
#ifndef FAIL_TIMEUTIL_H
#define FAIL_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

int64_t	 time_now_ms(void);	/* wall clock, ms since the epoch */
int64_t	 time_mono_ms(void);	/* monotonic, ms */
/* "2026-11-22T04:39:33.123Z"; returns buf */
char	*time_format_iso(int64_t ms, char *buf, size_t len);

/* "never", "now", "3.2 s ago", "42 s ago", "5 h ago"; returns buf */
const char	*time_format_age(int64_t ms, int64_t now, char *buf, size_t len);

#endif
