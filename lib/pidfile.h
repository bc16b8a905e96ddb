/*
 * pidfile.h: the pid file of a daemon (faild, failsh).
 */
#ifndef FAIL_PIDFILE_H
#define FAIL_PIDFILE_H

/* Write our pid to path; 0, or -1 with errno set. "" writes nothing. */
int	 pidfile_write(const char *path);

#endif
