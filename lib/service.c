/*
 * service.c: what the daemons do alike to become one: leave the terminal,
 * write the pid file, drop privileges; and sd_notify(3). See service.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "log.h"
#include "pidfile.h"
#include "privs.h"
#include "service.h"

void
service_detach(int foreground, const char *pidfile, const char *user)
{
	char	err[256];

	if (!foreground) {
		if (daemon(0, 0) < 0)
			fatal("daemon");
		log_set_stderr(0);
	}
	if (pidfile_write(pidfile) < 0)
		log_warn("cannot write pid file %s", pidfile);
	if (user != NULL && privs_drop(user, err, sizeof(err)) < 0)
		fatalx("%s", err);
}

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
