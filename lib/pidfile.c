/*
 * pidfile.c: the pid file of a daemon, written after it detached.
 */
#include <stdio.h>
#include <unistd.h>

#include "pidfile.h"

int
pidfile_write(const char *path)
{
	FILE	*f;

	if (path[0] == '\0')
		return 0;
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fprintf(f, "%d\n", (int)getpid());
	return fclose(f) == 0 ? 0 : -1;
}
