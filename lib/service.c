/*
 * service.c: sd_notify(3) for the daemons; see service.h.
 */
#include <stdarg.h>
#include <stdio.h>

#include <systemd/sd-daemon.h>

#include "service.h"

void
service_notify(const char *state, const char *fmt, ...)
{
	va_list	ap;
	char	status[256];

	va_start(ap, fmt);
	vsnprintf(status, sizeof(status), fmt, ap);
	va_end(ap);
	sd_notifyf(0, "%s\nSTATUS=%s", state, status);
}
