/*
 * privs.h: giving up root (the daemons' -u), after binding their ports.
 */
#ifndef FAIL_PRIVS_H
#define FAIL_PRIVS_H

#include <stddef.h>

/* Become user (its uid, gid, and only that group); 0, or -1 with err. */
int	 privs_drop(const char *user, char *err, size_t errlen);

#endif
