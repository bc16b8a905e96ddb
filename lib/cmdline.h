/*
 * cmdline.h: the long options every program has beside its short ones
 * (failover(7)): --help prints the usage on stdout and exits 0, --version
 * is -V. Put CMDLINE_LONGOPTS first in the program's option table.
 */
#ifndef FAIL_CMDLINE_H
#define FAIL_CMDLINE_H

#include <getopt.h>

#define CMDLINE_HELP	0x100	/* getopt_long's value for --help */

#define CMDLINE_LONGOPTS						\
	{ "help", no_argument, NULL, CMDLINE_HELP },			\
	{ "version", no_argument, NULL, 'V' }

#endif
