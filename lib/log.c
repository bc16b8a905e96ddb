/*
 * log.c: syslog (facility daemon) or stderr with timestamps; debug
 * facilities with levels; rate limiting for repeated network errors.
 * When stderr is the journal (systemd's JOURNAL_STREAM names it), each
 * line carries its priority as a "<N>" prefix and no timestamp of its
 * own: journald keeps both.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "timeutil.h"

static const char	*log_progname = "failover";
static int		 log_stderr = 1;
static int		 log_journal;	/* stderr is the journal */

void
log_init(const char *progname, int to_stderr)
{
	log_progname = progname;
	log_set_stderr(to_stderr);
}

/* Is stderr the stream JOURNAL_STREAM ("device:inode") names? */
static int
log_stderr_is_journal(void)
{
	const char		*js = getenv("JOURNAL_STREAM");
	struct stat		 st;
	unsigned long long	 dev, ino;

	return js != NULL && sscanf(js, "%llu:%llu", &dev, &ino) == 2 &&
	    fstat(STDERR_FILENO, &st) == 0 && (unsigned long long)st.st_dev ==
	    dev && (unsigned long long)st.st_ino == ino;
}

void
log_set_stderr(int to_stderr)
{
	log_stderr = to_stderr;
	log_journal = to_stderr && log_stderr_is_journal();
	if (!to_stderr)
		openlog(log_progname, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

int
log_fac_find(const char *name)
{
	int	i;

	for (i = 0; log_facilities[i].name != NULL; i++)
		if (strcasecmp(log_facilities[i].name, name) == 0)
			return i;
	return -1;
}

int
log_fac_set(const char *name, int level)
{
	int	i = log_fac_find(name);

	if (i < 0 || level < 0 || level > LOG_LEVEL_MAX)
		return -1;
	log_facilities[i].level = level;
	return 0;
}

int
log_fac_apply(int argc, const char *const *argv, const char **bad)
{
	int	i;

	for (i = 0; i + 1 < argc; i += 2)
		if (log_fac_find(argv[i]) < 0) {
			*bad = argv[i];
			return -1;
		}
	for (i = 0; i + 1 < argc; i += 2) {
		log_fac_set(argv[i], argv[i + 1][0] - '0');
		log_info("debug level of %s set to %s", argv[i], argv[i + 1]);
	}
	return 0;
}

void
log_fac_raise(const char *name)
{
	int	i = log_fac_find(name);

	if (i < 0) {		/* a usage error, as the programs' others */
		fprintf(stderr, "%s: unknown debug facility \"%s\"\n",
		    log_progname, name);
		exit(2);
	}
	if (log_facilities[i].level < LOG_LEVEL_MAX)
		log_facilities[i].level++;
}

static void
log_vemit(int pri, const char *prefix, const char *fmt, va_list ap,
    const char *suffix)
{
	char		 msg[1024], ts[40];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_journal) {
		fprintf(stderr, "<%d>%s%s%s%s\n", pri, prefix, msg, suffix ?
		    ": " : "", suffix ? suffix : "");
		fflush(stderr);
	} else if (log_stderr) {
		time_format_iso(time_now_ms(), ts, sizeof(ts));
		fprintf(stderr, "%s %s[%d]: %s%s%s%s\n", ts, log_progname,
		    (int)getpid(), prefix, msg, suffix ? ": " : "",
		    suffix ? suffix : "");
		fflush(stderr);
	} else
		syslog(pri, "%s%s%s%s", prefix, msg, suffix ? ": " : "",
		    suffix ? suffix : "");
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;
	char	 e[128];

	snprintf(e, sizeof(e), "%s", strerror(errno));
	va_start(ap, fmt);
	log_vemit(LOG_WARNING, "", fmt, ap, e);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vemit(LOG_WARNING, "", fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vemit(LOG_INFO, "", fmt, ap, NULL);
	va_end(ap);
}

void
log_debugx(int fac, const char *fmt, ...)
{
	va_list	ap;
	char	prefix[40];

	snprintf(prefix, sizeof(prefix), "[%s] ", log_facilities[fac].name);
	va_start(ap, fmt);
	log_vemit(LOG_DEBUG, prefix, fmt, ap, NULL);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;
	char	 e[128];

	snprintf(e, sizeof(e), "%s", strerror(errno));
	va_start(ap, fmt);
	log_vemit(LOG_CRIT, "fatal: ", fmt, ap, e);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vemit(LOG_CRIT, "fatal: ", fmt, ap, NULL);
	va_end(ap);
	exit(1);
}

#define LOG_RL_BURST	5

void
log_warnx_rl(struct log_ratelimit *rl, const char *fmt, ...)
{
	va_list	 ap;
	int64_t	 now = time_mono_ms();

	if (rl->span_ms == 0)
		rl->span_ms = 1000;
	if (now - rl->window_ms >= rl->span_ms) {
		if (rl->suppressed > 0) {
			log_warnx("(%d similar messages suppressed in %lld s)",
			    rl->suppressed, (long long)(rl->span_ms / 1000));
			rl->span_ms = rl->span_ms * 2 > LOG_RL_MAX_MS ?
			    LOG_RL_MAX_MS : rl->span_ms * 2;
		} else
			rl->span_ms = 1000;
		rl->window_ms = now;
		rl->count = 0;
		rl->suppressed = 0;
	}
	if (rl->count++ >= LOG_RL_BURST) {
		rl->suppressed++;
		return;
	}
	va_start(ap, fmt);
	log_vemit(LOG_WARNING, "", fmt, ap, NULL);
	va_end(ap);
}
