/*
 * service.h: a daemon's start as every daemon makes it, and telling the
 * service manager how it is doing, through libsystemd's sd_notify: ready
 * (Type=notify), reloading, stopping, and a status line for systemctl
 * status. Without a manager (no NOTIFY_SOCKET) service_notify does
 * nothing.
 */
#ifndef FAIL_SERVICE_H
#define FAIL_SERVICE_H

/*
 * Once the ports are open: unless foreground, go to the background
 * (logging to syslog from then on); write the pid file (none for "");
 * become user (NULL: stay). Exits on failure, but for the pid file
 * (logged).
 */
void	service_detach(int foreground, const char *pidfile, const char *user);

/* "READY=1", "RELOADING=1", "STOPPING=1", with a STATUS= line after. */
void	service_notify(const char *state, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
