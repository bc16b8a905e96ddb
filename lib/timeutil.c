/*
 * timeutil.c: millisecond clocks and ISO 8601 formatting.
 */
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "timeutil.h"

int64_t
time_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
time_mono_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *
time_format_iso(int64_t ms, char *buf, size_t len)
{
	time_t		 t = (time_t)(ms / 1000);
	struct tm	 tm;
	char		 tmp[32];

	gmtime_r(&t, &tm);
	strftime(tmp, sizeof(tmp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%03dZ", tmp, (int)(ms % 1000));
	return buf;
}

const char *
time_format_age(int64_t ms, int64_t now, char *buf, size_t len)
{
	int64_t	d = now - ms;

	if (ms <= 0)
		snprintf(buf, len, "never");
	else if (d < 0)
		snprintf(buf, len, "now");
	else if (d < 10000)
		snprintf(buf, len, "%.1f s ago", d / 1000.0);
	else if (d < 3600000)
		snprintf(buf, len, "%" PRId64 " s ago", d / 1000);
	else
		snprintf(buf, len, "%" PRId64 " h ago", d / 3600000);
	return buf;
}
