/*
 * failsh_job.c: user scripts (start, stop, reclaim, failtrap) run as jobs,
 * each in a Tcl coroutine of the one interpreter, in the main Pth thread.
 * Inside a job, after, vwait and exec yield the coroutine instead of
 * blocking, so many scripts wait at once and the Pth threads (polls,
 * monitor) keep running; a script that computes without end is preempted
 * through Tcl's time limit, which yields to Pth and ends it at its timeout.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "failsh.h"
#include "log.h"
#include "timeutil.h"
#include "xmalloc.h"

#define JOB_SLICE_MS	20	/* a busy script yields to Pth this often */
#define JOB_MAX_PIDS	16
#define JOB_NEST_MAX	64

enum job_kind {
	JOB_SCRIPT,		/* start/stop/reclaim: a runner waits */
	JOB_TRAP		/* failtrap: nobody waits */
};

struct job {
	unsigned		 id;
	enum job_kind		 kind;
	char			 service[PROTO_MAX_NAME + 1];
	char			 what[16];	/* "start", "failtrap", ... */
	Tcl_Obj			*cmd;		/* owned: what to evaluate */
	int64_t			 timeout_ms;
	int64_t			 deadline;	/* monotonic */
	Tcl_TimerToken		 timer;
	pid_t			 pids[JOB_MAX_PIDS];	/* from exec */
	int			 npids;
	int			 timed_out;
	int64_t			 epoch;		/* etcd: the owner key's, for
						   ::failsh::epoch(SERVICE) */

	/* the result, for JOB_SCRIPT */
	pth_msgport_t		 reply;		/* the runner's */
	pth_message_t		 msg;
	enum svc_state		 state;
	char			 why[FAILSH_MAX_REASON];
	struct job		*next;
};

/* failtrap jobs waiting to run, in order; one at a time per service. */
struct trap_call {
	char			 service[PROTO_MAX_NAME + 1];
	Tcl_Obj			*cmd;		/* owned: script and its args */
	struct trap_call	*next;
};

static struct job	*jobs;		/* started and not finished */
static struct job	*nest[JOB_NEST_MAX];	/* jobs being evaluated */
static int		 nnest;
static unsigned		 job_seq;
static struct trap_call	*trap_head, **trap_tail = &trap_head;

static const char	*const script_names[] = { "start", "stop", "reclaim",
    "check" };

/*
 * The replacements of after, vwait and exec. Outside a job they behave
 * as Tcl's own, except that "after ms" waits in the event loop so Pth
 * threads run meanwhile. Inside a job they yield the job's coroutine
 * until ::failsh::resume is called with the right token.
 */
static const char job_prelude[] =
"namespace eval ::failsh { variable token 0 }\n"
"rename ::after ::failsh::after_orig\n"
"rename ::vwait ::failsh::vwait_orig\n"
"rename ::exec ::failsh::exec_orig\n"
"proc ::failsh::wait_token {tok} {\n"
"    while {[::yield] ne $tok} {}\n"
"}\n"
"proc ::failsh::sleep {ms} {\n"
"    set co [info coroutine]\n"
"    set tok [incr ::failsh::token]\n"
"    if {$co ne {}} {\n"
"        ::failsh::after_orig $ms [list ::failsh::resume $co $tok]\n"
"        ::failsh::wait_token $tok\n"
"        return\n"
"    }\n"
"    set v ::failsh::slept($tok)\n"
"    ::failsh::after_orig $ms [list set $v 1]\n"
"    ::failsh::vwait_orig $v\n"
"    unset $v\n"
"}\n"
"proc ::after {args} {\n"
"    if {[llength $args] == 1 && [string is entier -strict [lindex $args 0]]} {\n"
"        tailcall ::failsh::sleep [lindex $args 0]\n"
"    }\n"
"    tailcall ::failsh::after_orig {*}$args\n"
"}\n"
"proc ::vwait {args} {\n"
"    set co [info coroutine]\n"
"    if {$co eq {} || [llength $args] != 1} {\n"
"        tailcall ::failsh::vwait_orig {*}$args\n"
"    }\n"
"    set name [lindex $args 0]\n"
"    if {![string match ::* $name]} { set name ::$name }\n"
"    set tok [incr ::failsh::token]\n"
"    set cb [list ::failsh::woken $co $tok]\n"
"    trace add variable $name {write unset} $cb\n"
"    try {\n"
"        ::failsh::wait_token $tok\n"
"    } finally {\n"
"        trace remove variable $name {write unset} $cb\n"
"    }\n"
"}\n"
"proc ::failsh::cleanup {co} {\n"
"    variable owned\n"
"    if {![info exists owned($co)]} return\n"
"    foreach ch $owned($co) {\n"
"        catch {fconfigure $ch -blocking 0}\n"
"        catch {close $ch}\n"
"    }\n"
"    unset owned($co)\n"
"}\n"
"proc ::failsh::woken {co tok args} {\n"
"    ::failsh::after_orig 0 [list ::failsh::resume $co $tok]\n"
"}\n"
"proc ::exec {args} {\n"
"    set co [info coroutine]\n"
"    if {$co eq {} || [lindex $args end] eq {&}} {\n"
"        tailcall ::failsh::exec_orig {*}$args\n"
"    }\n"
"    set keep 0\n"
"    set ignore 0\n"
"    while {[llength $args]} {\n"
"        switch -- [lindex $args 0] {\n"
"            -keepnewline { set keep 1 }\n"
"            -ignorestderr { set ignore 1 }\n"
"            -- { set args [lrange $args 1 end]; break }\n"
"            default break\n"
"        }\n"
"        set args [lrange $args 1 end]\n"
"    }\n"
"    lassign [chan pipe] er ew\n"
"    if {[catch {open |[list 2>@ $ew {*}$args] r} out opts]} {\n"
"        close $er; close $ew\n"
"        return -options $opts $out\n"
"    }\n"
"    close $ew\n"
"    set pids [pid $out]\n"
"    ::failsh::job_pids $co $pids\n"
"    set ::failsh::owned($co) [list $out $er]\n"
"    set tok [incr ::failsh::token]\n"
"    foreach ch [list $out $er] {\n"
"        fconfigure $ch -blocking 0\n"
"        fileevent $ch readable [list ::failsh::resume $co $tok]\n"
"    }\n"
"    set o {}\n"
"    set e {}\n"
"    while 1 {\n"
"        append o [read $out]\n"
"        append e [read $er]\n"
"        foreach ch [list $out $er] {\n"
"            if {[eof $ch]} { fileevent $ch readable {} }\n"
"        }\n"
"        if {[eof $out] && [eof $er]} break\n"
"        ::failsh::wait_token $tok\n"
"    }\n"
"    while {[set status [::failsh::reap $pids]] eq {}} {\n"
"        ::failsh::sleep 5\n"
"    }\n"
"    ::failsh::cleanup $co\n"
"    ::failsh::job_pids $co {}\n"
"    lassign $status code msg errorcode\n"
"    if {$ignore} { set e {} }\n"
"    if {$code == 0 && $e eq {}} {\n"
"        if {!$keep && [string index $o end] eq \"\\n\"} {\n"
"            set o [string range $o 0 end-1]\n"
"        }\n"
"        return $o\n"
"    }\n"
"    set m $o\n"
"    if {$code != 0 && $e eq {}} { append m $msg } else { append m $e }\n"
"    if {[string index $m end] eq \"\\n\"} {\n"
"        set m [string range $m 0 end-1]\n"
"    }\n"
"    if {$errorcode eq {}} { set errorcode NONE }\n"
"    return -code error -errorcode $errorcode $m\n"
"}\n";

static struct job *
job_find(unsigned id)
{
	struct job	*j;

	for (j = jobs; j != NULL; j = j->next)
		if (j->id == id)
			return j;
	return NULL;
}

/* The job of a coroutine name "::failsh::job<id>", or NULL. */
static struct job *
job_find_coro(const char *name)
{
	unsigned	 id;
	char		 extra;

	if (sscanf(name, "::failsh::job%u%c", &id, &extra) != 1)
		return NULL;
	return job_find(id);
}

static void
job_coro_name(const struct job *j, char *buf, size_t len)
{
	snprintf(buf, len, "::failsh::job%u", j->id);
}

static void
job_unlink(struct job *j)
{
	struct job	**jp;

	for (jp = &jobs; *jp != NULL; jp = &(*jp)->next)
		if (*jp == j) {
			*jp = j->next;
			return;
		}
}

/* Let the Tcl time limit fire within one slice of now. */
static void
job_limit_arm(void)
{
	Tcl_Time	t;
	int64_t		ms = time_now_ms() + JOB_SLICE_MS;

	t.sec = (long)(ms / 1000);
	t.usec = (long)(ms % 1000) * 1000;
	Tcl_LimitSetTime(failsh.interp, &t);
	Tcl_LimitTypeSet(failsh.interp, TCL_LIMIT_TIME);
}

/*
 * job_limit_cb --
 *	Tcl's time limit was reached while a job was being evaluated: let
 *	the Pth threads run, then extend the limit by one slice, unless the
 *	innermost job is past its deadline: then the limit stays exceeded
 *	and Tcl unwinds the evaluation with an error.
 */
static void
job_limit_cb(ClientData data, Tcl_Interp *interp)
{
	struct job	*j = nnest > 0 ? nest[nnest - 1] : NULL;

	(void)data;
	(void)interp;
	if (j != NULL && time_mono_ms() >= j->deadline) {
		j->timed_out = 1;
		return;
	}
	pth_yield(NULL);
	job_limit_arm();
}

static void
job_enter(struct job *j)
{
	if (nnest == JOB_NEST_MAX)
		fatalx("jobs nested too deep");
	nest[nnest++] = j;
	job_limit_arm();
}

static void
job_leave(void)
{
	nnest--;
	if (nnest > 0)
		job_limit_arm();
	else
		Tcl_LimitTypeReset(failsh.interp, TCL_LIMIT_TIME);
}

static void	job_trap_next(const char *service);

/*
 * job_finish --
 *	The job ended: with its script's result (code, result), or killed.
 *	A script job's result goes back to its runner; a trap's error is
 *	logged and the service's next trap starts.
 */
static void
job_finish(struct job *j, int code, Tcl_Obj *result)
{
	char		 service[PROTO_MAX_NAME + 1];
	const char	*s = result != NULL ? Tcl_GetString(result) : "";
	char		*p;
	int		 trap = j->kind == JOB_TRAP;

	job_unlink(j);
	if (j->timer != NULL)
		Tcl_DeleteTimerHandler(j->timer);
	if (j->timed_out) {
		snprintf(j->why, sizeof(j->why), "%s timed out after %lld ms",
		    j->what, (long long)j->timeout_ms);
		j->state = SVC_FAIL;
	} else if (code != TCL_OK) {
		snprintf(j->why, sizeof(j->why), "%s failed: %s", j->what, s);
		j->state = SVC_FAIL;
		log_debug(FAC_TCL, 1, "%s %s: %s", j->service, j->what,
		    Tcl_GetVar(failsh.interp, "errorInfo", TCL_GLOBAL_ONLY));
	} else if (trap) {
		j->why[0] = '\0';
	} else if (svc_state_parse(s, &j->state) < 0) {
		snprintf(j->why, sizeof(j->why), "%s returned \"%.40s\", not "
		    "UP, RECOVER or FAIL", j->what, s);
		j->state = SVC_FAIL;
	} else
		snprintf(j->why, sizeof(j->why), "%s ok", j->what);
	for (p = j->why; *p != '\0'; p++)
		if ((unsigned char)*p < ' ')
			*p = ' ';	/* one log line, one snapshot field */
	Tcl_DecrRefCount(j->cmd);
	if (j->timed_out && code != TCL_OK)
		Tcl_ResetResult(failsh.interp);
	if (!trap) {
		pth_msgport_put(j->reply, &j->msg);	/* the runner frees j */
		return;
	}
	if (j->why[0] != '\0')
		log_warnx("failtrap for %s: %s", j->service, j->why);
	snprintf(service, sizeof(service), "%s", j->service);
	free(j);
	job_trap_next(service);
}

/* Close the channels of an exec the job was waiting for. */
static void
job_cleanup(struct job *j)
{
	Tcl_Obj	*objv[2];
	char	 name[64];

	job_coro_name(j, name, sizeof(name));
	objv[0] = Tcl_NewStringObj("::failsh::cleanup", -1);
	objv[1] = Tcl_NewStringObj(name, -1);
	Tcl_IncrRefCount(objv[0]);
	Tcl_IncrRefCount(objv[1]);
	if (Tcl_EvalObjv(failsh.interp, 2, objv, TCL_EVAL_GLOBAL) != TCL_OK)
		log_warnx("job %s: %s", name,
		    Tcl_GetStringResult(failsh.interp));
	Tcl_DecrRefCount(objv[0]);
	Tcl_DecrRefCount(objv[1]);
	Tcl_ResetResult(failsh.interp);
}

/*
 * Evaluate objv in the job's context; if the coroutine is gone afterwards
 * the job is over and finishes with the result.
 */
static void
job_eval(struct job *j, int objc, Tcl_Obj *const objv[])
{
	Tcl_Interp	*interp = failsh.interp;
	Tcl_Obj		*result;
	char		 name[64];
	int		 code;

	job_enter(j);
	code = Tcl_EvalObjv(interp, objc, objv, TCL_EVAL_GLOBAL);
	job_leave();
	job_coro_name(j, name, sizeof(name));
	if (Tcl_FindCommand(interp, name, NULL, TCL_GLOBAL_ONLY) != NULL)
		return;			/* suspended */
	result = Tcl_GetObjResult(interp);
	Tcl_IncrRefCount(result);
	if (Tcl_LimitExceeded(interp)) {
		job_limit_arm();	/* the interpreter works again */
		if (nnest == 0)
			Tcl_LimitTypeReset(interp, TCL_LIMIT_TIME);
	}
	job_cleanup(j);
	job_finish(j, code, result);
	Tcl_DecrRefCount(result);
	Tcl_ResetResult(interp);
}

/* The job's deadline passed while it was suspended: end it. */
static void
job_timeout(ClientData data)
{
	struct job	*j = data;
	char		 name[64];
	int		 i;

	j->timer = NULL;
	j->timed_out = 1;
	for (i = 0; i < j->npids; i++)
		kill(j->pids[i], SIGKILL);
	job_coro_name(j, name, sizeof(name));
	Tcl_DeleteCommand(failsh.interp, name);
	job_cleanup(j);
	job_finish(j, TCL_ERROR, NULL);
}

/* Start the job: create its coroutine, which runs until it waits. */
static void
job_begin(struct job *j)
{
	Tcl_Obj	*objv[4];
	char	 name[64];
	int	 i;

	j->next = jobs;
	jobs = j;
	j->deadline = time_mono_ms() + j->timeout_ms;
	j->timer = Tcl_CreateTimerHandler((int)j->timeout_ms, job_timeout, j);
	if (j->kind == JOB_SCRIPT && etcd_backend())
		Tcl_SetVar2Ex(failsh.interp, "::failsh::epoch", j->service,
		    Tcl_NewWideIntObj(j->epoch), TCL_GLOBAL_ONLY);
	job_coro_name(j, name, sizeof(name));
	objv[0] = Tcl_NewStringObj("::coroutine", -1);
	objv[1] = Tcl_NewStringObj(name, -1);
	objv[2] = Tcl_NewStringObj("::failsh::body", -1);
	objv[3] = j->cmd;
	for (i = 0; i < 4; i++)
		Tcl_IncrRefCount(objv[i]);
	job_eval(j, 4, objv);
	for (i = 0; i < 4; i++)
		Tcl_DecrRefCount(objv[i]);
}

/* ::failsh::resume CORO TOKEN: wake a job's coroutine (from an event). */
static int
job_resume_cmd(ClientData data, Tcl_Interp *interp, int objc,
    Tcl_Obj *const objv[])
{
	struct job	*j;
	int		 i;

	(void)data;
	if (objc != 3) {
		Tcl_WrongNumArgs(interp, 1, objv, "coroutine token");
		return TCL_ERROR;
	}
	if ((j = job_find_coro(Tcl_GetString(objv[1]))) == NULL) {
		/* Not a job (a command of the interactive shell): wake it
		 * if it still exists. */
		if (Tcl_FindCommand(interp, Tcl_GetString(objv[1]), NULL,
		    TCL_GLOBAL_ONLY) != NULL &&
		    Tcl_EvalObjv(interp, 2, objv + 1, TCL_EVAL_GLOBAL) != TCL_OK)
			Tcl_BackgroundException(interp, TCL_ERROR);
		Tcl_ResetResult(interp);
		return TCL_OK;
	}
	for (i = 0; i < nnest; i++)
		if (nest[i] == j)
			return TCL_OK;	/* running: a stale wake-up */
	job_eval(j, 2, objv + 1);
	return TCL_OK;
}

/* ::failsh::job_pids CORO PIDS: children to kill if the job times out. */
static int
job_pids_cmd(ClientData data, Tcl_Interp *interp, int objc,
    Tcl_Obj *const objv[])
{
	struct job	*j;
	Tcl_Obj		**pv;
	int		  n, i, pid;

	(void)data;
	if (objc != 3) {
		Tcl_WrongNumArgs(interp, 1, objv, "coroutine pids");
		return TCL_ERROR;
	}
	if ((j = job_find_coro(Tcl_GetString(objv[1]))) == NULL)
		return TCL_OK;
	if (Tcl_ListObjGetElements(interp, objv[2], &n, &pv) != TCL_OK)
		return TCL_ERROR;
	j->npids = 0;
	for (i = 0; i < n && i < JOB_MAX_PIDS; i++)
		if (Tcl_GetIntFromObj(interp, pv[i], &pid) == TCL_OK)
			j->pids[j->npids++] = pid;
	return TCL_OK;
}

/*
 * ::failsh::reap PIDS --
 *	Collect the exit of exec's children without blocking.
 *
 * Results:
 *	"" while one still runs; else {code message errorcode} of the first
 *	that ended abnormally, or {0 {} {}}.
 */
static int
job_reap_cmd(ClientData data, Tcl_Interp *interp, int objc,
    Tcl_Obj *const objv[])
{
	static struct { pid_t pid; int status; } done[JOB_MAX_PIDS * 4];
	static int	 ndone;
	Tcl_Obj		**pv, *res = NULL;
	char		 msg[128], ec[128];
	int		  n, i, k, pid, status, code = 0;

	(void)data;
	if (objc != 2) {
		Tcl_WrongNumArgs(interp, 1, objv, "pids");
		return TCL_ERROR;
	}
	if (Tcl_ListObjGetElements(interp, objv[1], &n, &pv) != TCL_OK)
		return TCL_ERROR;
	/* Reap what has ended; remember statuses until all are in. */
	for (i = 0; i < n; i++) {
		if (Tcl_GetIntFromObj(interp, pv[i], &pid) != TCL_OK)
			return TCL_ERROR;
		for (k = 0; k < ndone && done[k].pid != pid; k++)
			;
		if (k < ndone)
			continue;
		if (waitpid(pid, &status, WNOHANG) == 0)
			return TCL_OK;	/* still running */
		if (ndone == (int)(sizeof(done) / sizeof(done[0])))
			ndone = 0;
		done[ndone].pid = pid;
		done[ndone++].status = status;
	}
	msg[0] = ec[0] = '\0';
	for (i = 0; i < n; i++) {
		Tcl_GetIntFromObj(interp, pv[i], &pid);
		for (k = 0; k < ndone && done[k].pid != pid; k++)
			;
		status = k < ndone ? done[k].status : 0;
		if (k < ndone)
			done[k] = done[--ndone];
		if (code != 0)
			continue;
		if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
			code = WEXITSTATUS(status);
			snprintf(msg, sizeof(msg), "child process exited "
			    "abnormally");
			snprintf(ec, sizeof(ec), "CHILDSTATUS %d %d", pid, code);
		} else if (WIFSIGNALED(status)) {
			code = 128 + WTERMSIG(status);
			snprintf(msg, sizeof(msg), "child killed: %s",
			    Tcl_SignalMsg(WTERMSIG(status)));
			snprintf(ec, sizeof(ec), "CHILDKILLED %d %s {%s}", pid,
			    Tcl_SignalId(WTERMSIG(status)),
			    Tcl_SignalMsg(WTERMSIG(status)));
		}
	}
	res = Tcl_NewListObj(0, NULL);
	Tcl_ListObjAppendElement(interp, res, Tcl_NewIntObj(code));
	Tcl_ListObjAppendElement(interp, res, Tcl_NewStringObj(msg, -1));
	Tcl_ListObjAppendElement(interp, res, Tcl_NewStringObj(ec, -1));
	Tcl_SetObjResult(interp, res);
	return TCL_OK;
}

/* A runner's request, queued as a Tcl event for the main thread. */
struct job_event {
	Tcl_Event	 header;
	struct job	*job;
};

static int
job_event_proc(Tcl_Event *ev, int flags)
{
	if (!(flags & TCL_TIMER_EVENTS))
		return 0;
	job_begin(((struct job_event *)ev)->job);
	return 1;
}

static void
job_queue(struct job *j)
{
	struct job_event	*ev;

	ev = (struct job_event *)ckalloc(sizeof(*ev));
	ev->header.proc = job_event_proc;
	ev->job = j;
	Tcl_QueueEvent(&ev->header, TCL_QUEUE_TAIL);
	notify_wake();
}

enum svc_state
job_run_script(struct failsh_service *svc, enum failsh_script which,
    char *why, size_t whylen)
{
	struct job	*j;
	pth_event_t	 ev;
	enum svc_state	 st;

	if (svc->script[which] == NULL) {
		snprintf(why, whylen, "no %s script", script_names[which]);
		return which == SCRIPT_START ? SVC_FAIL : SVC_RECOVER;
	}
	j = xcalloc(1, sizeof(*j));
	j->id = ++job_seq;
	j->kind = JOB_SCRIPT;
	snprintf(j->service, sizeof(j->service), "%s", svc->name);
	snprintf(j->what, sizeof(j->what), "%s", script_names[which]);
	j->cmd = svc->script[which];
	j->epoch = svc->etcd.epoch;
	Tcl_IncrRefCount(j->cmd);
	j->timeout_ms = which == SCRIPT_CHECK ? failsh_check_timeout(svc) :
	    svc->timeout_ms;
	if ((j->reply = pth_msgport_create(NULL)) == NULL)
		fatal("pth_msgport_create");
	svc->busy = 1;
	log_debug(FAC_TCL, 1, "service %s: running %s", svc->name, j->what);
	job_queue(j);
	ev = pth_event(PTH_EVENT_MSG, j->reply);
	while (pth_msgport_get(j->reply) == NULL)
		pth_wait(ev);
	pth_event_free(ev, PTH_FREE_THIS);
	pth_msgport_destroy(j->reply);
	svc->busy = 0;
	svc->counts.script_runs[which]++;
	svc->counts.script_timeouts[which] += j->timed_out != 0;
	st = j->state;
	snprintf(why, whylen, "%s", j->why);
	free(j);
	return st;
}

/* Is a trap job of this service running? */
static int
job_trap_running(const char *service)
{
	struct job	*j;

	for (j = jobs; j != NULL; j = j->next)
		if (j->kind == JOB_TRAP && strcmp(j->service, service) == 0)
			return 1;
	return 0;
}

/* Start the service's next queued trap call: one at a time, in order. */
static void
job_trap_next(const char *service)
{
	struct trap_call	**cp, *c;
	struct job		 *j;

	if (job_trap_running(service))
		return;
	for (cp = &trap_head; (c = *cp) != NULL; cp = &c->next)
		if (strcmp(c->service, service) == 0)
			break;
	if (c == NULL)
		return;
	if ((*cp = c->next) == NULL)
		trap_tail = cp;
	j = xcalloc(1, sizeof(*j));
	j->id = ++job_seq;
	j->kind = JOB_TRAP;
	snprintf(j->service, sizeof(j->service), "%s", service);
	snprintf(j->what, sizeof(j->what), "failtrap");
	j->cmd = c->cmd;		/* the reference passes to the job */
	j->timeout_ms = FAILSH_TIMEOUT_MS;
	free(c);
	job_begin(j);
}

static int
job_trap_event_proc(Tcl_Event *ev, int flags)
{
	struct trap_call	*c;

	(void)ev;
	if (!(flags & TCL_TIMER_EVENTS))
		return 0;
	/* Starting one may run others to their end: look again each time. */
	do {
		for (c = trap_head; c != NULL; c = c->next)
			if (!job_trap_running(c->service))
				break;
		if (c != NULL)
			job_trap_next(c->service);
	} while (c != NULL);
	return 1;
}

void
job_trap(const char *service, const char *host, enum svc_state old,
    enum svc_state new)
{
	struct failsh_trap	*t;
	struct trap_call	*c;
	Tcl_Event		*ev;

	for (t = failsh.traps; t != NULL; t = t->next) {
		if (strcmp(t->pattern, "*") != 0 &&
		    strcmp(t->pattern, service) != 0)
			continue;
		c = xcalloc(1, sizeof(*c));
		snprintf(c->service, sizeof(c->service), "%s", service);
		c->cmd = Tcl_DuplicateObj(t->script);
		Tcl_IncrRefCount(c->cmd);
		Tcl_ListObjAppendElement(NULL, c->cmd,
		    Tcl_NewStringObj(service, -1));
		Tcl_ListObjAppendElement(NULL, c->cmd,
		    Tcl_NewStringObj(host, -1));
		Tcl_ListObjAppendElement(NULL, c->cmd,
		    Tcl_NewStringObj(svc_state_str(old), -1));
		Tcl_ListObjAppendElement(NULL, c->cmd,
		    Tcl_NewStringObj(svc_state_str(new), -1));
		*trap_tail = c;
		trap_tail = &c->next;
	}
	if (trap_head == NULL)
		return;
	ev = (Tcl_Event *)ckalloc(sizeof(*ev));
	ev->proc = job_trap_event_proc;
	Tcl_QueueEvent(ev, TCL_QUEUE_TAIL);
	notify_wake();
}

void
job_init(Tcl_Interp *interp)
{
	Tcl_CreateObjCommand(interp, "::failsh::resume", job_resume_cmd, NULL,
	    NULL);
	Tcl_CreateObjCommand(interp, "::failsh::job_pids", job_pids_cmd, NULL,
	    NULL);
	Tcl_CreateObjCommand(interp, "::failsh::reap", job_reap_cmd, NULL,
	    NULL);
	if (Tcl_Eval(interp, job_prelude) != TCL_OK ||
	    Tcl_Eval(interp, "proc ::failsh::body {script} "
	    "{uplevel #0 $script}") != TCL_OK)
		fatalx("failsh prelude: %s", Tcl_GetStringResult(interp));
	Tcl_LimitAddHandler(interp, TCL_LIMIT_TIME, job_limit_cb, NULL, NULL);
	Tcl_LimitSetGranularity(interp, TCL_LIMIT_TIME, 1);
}
