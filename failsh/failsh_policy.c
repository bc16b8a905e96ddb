/*
 * failsh_policy.c: the policy script on SIGHUP. The new script is first
 * evaluated in a scratch interpreter against empty tables, so a broken one
 * is rejected before it touches anything; then it is evaluated in the
 * running interpreter, where failsvc and failhost update the live services
 * in place (states and what was seen of peers are kept), settings the
 * script no longer makes go back to their defaults, and services it no
 * longer names stop being scheduled, left in the state they are in.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "failsh.h"
#include "log.h"

static void
policy_error(Tcl_Interp *interp, const char *path, char *err, size_t errlen)
{
	const char	*info = Tcl_GetVar(interp, "errorInfo", TCL_GLOBAL_ONLY);
	char		*p;

	snprintf(err, errlen, "%s: %s", path, info ? info :
	    Tcl_GetStringResult(interp));
	for (p = err; *p != '\0'; p++)
		if (*p == '\n')
			*p = ' ';
}

int
policy_check_owner(const char *path, char *err, size_t errlen)
{
	struct stat	st;

	if (stat(path, &st) < 0) {
		snprintf(err, errlen, "policy script %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "policy script %s: not a regular file",
		    path);
		return -1;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(err, errlen, "policy script %s: writable by group or "
		    "others (mode %03o), refused", path,
		    (unsigned)(st.st_mode & 0777));
		return -1;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		snprintf(err, errlen, "policy script %s: owned by uid %u, "
		    "neither root nor us, refused", path, (unsigned)st.st_uid);
		return -1;
	}
	return 0;
}

int
policy_check(const char *path, char *err, size_t errlen)
{
	struct failsh_service	*services = failsh.services, *s;
	struct failsh_host	*hosts = failsh.hosts, *h;
	struct failsh_trap	*traps = failsh.traps, *t;
	Tcl_Interp		*interp;
	int			 rc = 0;

	/* Nothing in here yields, so no other thread sees the swap. */
	failsh.services = NULL;
	failsh.hosts = NULL;
	failsh.traps = NULL;
	failsh.checking = 1;
	interp = Tcl_CreateInterp();
	Tcl_Eval(interp, "namespace eval ::failsh {}");
	Tcl_SetVar(interp, "::failsh::node", failsh.nodename, TCL_GLOBAL_ONLY);
	if (Tcl_Init(interp) != TCL_OK || (failsh_tcl_init(interp),
	    Tcl_EvalFile(interp, path)) != TCL_OK) {
		policy_error(interp, path, err, errlen);
		rc = -1;
	}
	Tcl_DeleteInterp(interp);
	while ((s = failsh.services) != NULL) {
		failsh.services = s->next;
		failsh_service_free(s);
	}
	while ((h = failsh.hosts) != NULL) {
		failsh.hosts = h->next;
		failsh_host_free(h);
	}
	while ((t = failsh.traps) != NULL) {
		failsh.traps = t->next;
		failsh_trap_free(t);
	}
	failsh.services = services;
	failsh.hosts = hosts;
	failsh.traps = traps;
	failsh.checking = 0;
	return rc;
}

void
policy_reload(void)
{
	struct failsh_service	**sp, *s;
	struct failsh_trap	*t;
	char			 err[1024];
	int			 n = 0;

	if (failsh.policy == NULL)
		return;
	if (policy_check_owner(failsh.policy, err, sizeof(err)) < 0 ||
	    policy_check(failsh.policy, err, sizeof(err)) < 0) {
		log_warnx("reload rejected, keeping the running policy: %s",
		    err);
		return;
	}
	for (s = failsh.services; s != NULL; s = s->next) {
		s->seen = 0;
		s->set_mask = 0;
	}
	while ((t = failsh.traps) != NULL) {
		failsh.traps = t->next;
		failsh_trap_free(t);
	}
	if (Tcl_EvalFile(failsh.interp, failsh.policy) != TCL_OK) {
		policy_error(failsh.interp, failsh.policy, err, sizeof(err));
		log_warnx("reload: the policy passed its check but failed in "
		    "the running interpreter, applied up to the error: %s",
		    err);
	}
	for (sp = &failsh.services; (s = *sp) != NULL; ) {
		if (s->seen) {
			failsh_service_reset_unset(s);
			sp = &s->next;
			n++;
			continue;
		}
		log_info("service %s: no longer in the policy, left %s",
		    s->name, svc_state_str(s->state));
		*sp = s->next;
		sched_service_retire(s);
	}
	monitor_changed();
	log_info("reloaded policy %s: %d services", failsh.policy, n);
}
