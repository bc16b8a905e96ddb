/*
 * hc_check.h: the interface every health check implements. A check is one
 * C file holding one struct hc_check_type; hc_checks[] in hc_check.c lists
 * them. Adding a check means writing that file and adding one line there.
 */
#ifndef HC_CHECK_H
#define HC_CHECK_H

#include <stddef.h>
#include <stdint.h>

#define HC_MAX_WHY	256	/* a check's result text */

struct hc_check_type {
	const char	*name;		/* the word after "check" */
	/*
	 * Parse the words of a check line after the check's name (argv[0] is
	 * usually the address). Returns the check's own configuration, or
	 * NULL with err set to the problem (the caller prefixes file:line).
	 * May resolve host names (blocking); runs before the scheduler.
	 */
	void	*(*parse)(int argc, char **argv, char *err, size_t errlen);
	/*
	 * Check once, before deadline (time_mono_ms). Yields to other Pth
	 * threads and never blocks the process. Returns 0 when healthy, -1
	 * otherwise; in both cases why gets a short result for the log and
	 * the monitor ("http 200", "http 503", "connect: Connection refused",
	 * "timeout after 2000 ms"). target is the Hcfile target's name.
	 */
	int	 (*run)(void *conf, const char *target, int64_t deadline,
		    char *why, size_t whylen);
	void	 (*free)(void *conf);
};

extern const struct hc_check_type hc_check_tcp, hc_check_http,
	hc_check_https, hc_check_smtp, hc_check_pop3, hc_check_imap,
	hc_check_ftp, hc_check_ping, hc_check_dns, hc_check_exec;

/* The check called name, or NULL. */
const struct hc_check_type	*hc_check_find(const char *name);
/* "tcp, http, ..." for error messages. */
const char			*hc_check_names(void);

#endif
