/*
 * log.h: logging for the daemons and clients: syslog or stderr with
 * timestamps, debug facilities with levels changeable at run time,
 * rate-limited warnings. Only programs log; lib/ code reports to callers.
 */
#ifndef FAIL_LOG_H
#define FAIL_LOG_H

#include <stdarg.h>
#include <stdint.h>

#define LOG_FAC_MAX	16
#define LOG_LEVEL_MAX	9

/* A debug facility: a name and its current level (0 = silent). */
struct log_facility {
	const char	*name;
	int		 level;
};

/* The program's facility table, terminated by a NULL name. */
extern struct log_facility log_facilities[];

void	log_init(const char *progname, int to_stderr);
void	log_set_stderr(int to_stderr);
int	log_fac_find(const char *name);
int	log_fac_set(const char *name, int level);
/* -d facility: one level more; unknown: says so and exits 2 */
void	log_fac_raise(const char *name);
/*
 * The debug verb of failproto(5): "facility level" pairs, all or none,
 * each change logged. Returns 0, or -1 with *bad the unknown facility.
 */
int	log_fac_apply(int argc, const char *const *argv, const char **bad);

void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_debugx(int fac, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2),
	    noreturn));
void	fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2),
	    noreturn));

/* Arguments are evaluated only when the facility's level is high enough. */
#define log_debug(fac, lvl, ...) do {					\
	if (log_facilities[(fac)].level >= (lvl))			\
		log_debugx((fac), __VA_ARGS__);				\
} while (0)

/*
 * A rate limit for one call site: at most LOG_RL_BURST lines per window,
 * then one line saying how many were suppressed. The window starts at a
 * second and doubles while messages keep being suppressed, up to
 * LOG_RL_MAX_MS (backoff); a quiet window brings it back to a second.
 * Zero-initialise.
 */
#define LOG_RL_MAX_MS	300000

struct log_ratelimit {
	int64_t		 window_ms;	/* start of the window */
	int64_t		 span_ms;	/* its length; 0: a second */
	int		 count;
	int		 suppressed;
};

void	log_warnx_rl(struct log_ratelimit *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
