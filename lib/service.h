/*
 * service.h: telling the service manager how a daemon is doing, through
 * libsystemd's sd_notify: ready (Type=notify), reloading, stopping, and a
 * status line for systemctl status. Without a manager (no NOTIFY_SOCKET)
 * every call does nothing.
 */
#ifndef FAIL_SERVICE_H
#define FAIL_SERVICE_H

/* "READY=1", "RELOADING=1", "STOPPING=1", with a STATUS= line after. */
void	service_notify(const char *state, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
