/*
 * hc_action.c: what happens when a target changes state. A transition
 * queues an event on the target; an actor thread, started when the queue
 * was empty, runs the target's "on up" or "on fail" actions for it one
 * after the other, in Hcfile order, each with the action timeout, then
 * takes the next event, and ends when none is left. Checks go on
 * meanwhile: a slow action delays only later actions.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hc.h"
#include "hc_proc.h"
#include "log.h"
#include "timeutil.h"
#include "xmalloc.h"

#define ACTION_OUTPUT	512	/* of a command, kept for the log */

static int	actors;		/* actor threads running */

static void	*actor(void *);

void
hc_action_queue(struct hc_target *t, enum svc_state from, enum svc_state to,
    const char *reason)
{
	struct hc_event	*e;
	pth_attr_t	 attr;

	if (to == SVC_RECOVER)
		return;			/* actions are for UP and FAIL */
	e = xcalloc(1, sizeof(*e));
	e->from = from;
	e->to = to;
	e->when_ms = time_now_ms();
	snprintf(e->reason, sizeof(e->reason), "%s", reason);
	*t->events_tail = e;
	t->events_tail = &e->next;
	if (t->acting)
		return;
	t->acting = 1;
	actors++;
	attr = pth_attr_new();
	pth_attr_set(attr, PTH_ATTR_NAME, "actions");
	pth_attr_set(attr, PTH_ATTR_JOINABLE, FALSE);
	if (pth_spawn(attr, actor, t) == NULL)
		fatal("pth_spawn");
	pth_attr_destroy(attr);
}

int
hc_action_busy(void)
{
	return actors > 0;
}

/* The words of an action joined by blanks: a shell command or a text. */
static char *
joined(const struct hc_action *a)
{
	struct pbuf	b = { 0 };
	int		i;

	pbuf_add(&b, "", 0);
	for (i = 0; i < a->argc; i++)
		pbuf_printf(&b, "%s%s", i ? " " : "", a->argv[i]);
	return b.data;
}

/* Run a command for an action; 0 when it exits 0, else -1 with why. */
static int
run_command(struct hc_target *t, char *const argv[], char *const env[],
    const char *input, int64_t deadline, char *why, size_t whylen)
{
	char		out[ACTION_OUTPUT], status[64];
	struct hc_proc	p = { argv, env, input, input ? strlen(input) : 0,
			    out, sizeof(out) };
	int		st;

	if ((st = hc_proc_run(&p, deadline, why, whylen)) < 0) {
		if (strcmp(why, "timeout") == 0)
			snprintf(why, whylen, "timeout after %lld ms",
			    (long long)t->action_timeout_ms);
		return -1;
	}
	hc_proc_status_str(st, status, sizeof(status));
	out[strcspn(out, "\n")] = '\0';
	snprintf(why, whylen, "%s%s%.150s", status, out[0] ? ": " : "", out);
	return st == 0 ? 0 : -1;
}

static int
act_exec(struct hc_target *t, const struct hc_action *a,
    const struct hc_event *e, int64_t deadline, char *why, size_t whylen)
{
	char	*cmd = joined(a), *env[7], when[40];
	char	*argv[] = { "/bin/sh", "-c", cmd, NULL };
	int	 i, rc;

	time_format_iso(e->when_ms, when, sizeof(when));
	xasprintf(&env[0], "HC_TARGET=%s", t->name);
	xasprintf(&env[1], "HC_SERVICE=%s", t->service);
	xasprintf(&env[2], "HC_OLD=%s", svc_state_str(e->from));
	xasprintf(&env[3], "HC_NEW=%s", svc_state_str(e->to));
	xasprintf(&env[4], "HC_REASON=%s", e->reason);
	xasprintf(&env[5], "HC_TIME=%s", when);
	env[6] = NULL;
	rc = run_command(t, argv, env, NULL, deadline, why, whylen);
	for (i = 0; i < 6; i++)
		free(env[i]);
	free(cmd);
	return rc;
}

static int
act_mail(struct hc_target *t, const struct hc_action *a,
    const struct hc_event *e, int64_t deadline, char *why, size_t whylen)
{
	char		**argv = xcalloc(a->argc + 4, sizeof(char *));
	char		 when[40], *to = joined(a);
	struct pbuf	 msg = { 0 };
	int		 i, rc;

	argv[0] = hc.conf->sendmail;
	argv[1] = "-oi";
	argv[2] = "--";
	for (i = 0; i < a->argc; i++)
		argv[3 + i] = a->argv[i];
	time_format_iso(e->when_ms, when, sizeof(when));
	for (i = 0; to[i] != '\0'; i++)
		if (to[i] == ' ')
			to[i] = ',';
	pbuf_printf(&msg, "To: %s\nSubject: hc %s: target %s %s -> %s\n"
	    "Auto-Submitted: auto-generated\n\n"
	    "Target:  %s (service %s)\nChange:  %s -> %s\nReason:  %s\n"
	    "Time:    %s\nChecked: %s\nBy:      hc on %s\n", to, hc.conf->node,
	    t->name, svc_state_str(e->from), svc_state_str(e->to), t->name,
	    t->service, svc_state_str(e->from), svc_state_str(e->to),
	    e->reason, when, t->check_text ? t->check_text : "dependencies",
	    hc.conf->node);
	rc = run_command(t, argv, NULL, msg.data, deadline, why, whylen);
	pbuf_free(&msg);
	free(to);
	free(argv);
	return rc;
}

static int
act_failc(struct hc_target *t, const struct hc_action *a, int64_t deadline,
    char *why, size_t whylen)
{
	struct fail_client	c;
	enum svc_state		st;
	int64_t			left = deadline - time_mono_ms();
	int			rc;

	(void)t;
	if (hc_client(&c, a->argv[0], left > 0 ? left : 1, why, whylen) < 0)
		return -1;
	svc_state_parse(a->argv[2], &st);	/* checked by the parser */
	rc = hc_faild_set(&c, a->argv[1], st, why, whylen);
	fail_client_close(&c);
	if (rc == 0)
		snprintf(why, whylen, "%s set %s", a->argv[1],
		    svc_state_str(st));
	return rc;
}

static void
run_actions(struct hc_target *t, const struct hc_event *e)
{
	static const char *const kinds[] = { "exec", "mail", "failc", "log" };
	const struct hc_action	*a;
	char			 why[HC_MAX_WHY], *text;
	int64_t			 deadline;
	int			 rc = 0;

	for (a = t->actions; a != NULL; a = a->next) {
		if (a->on != e->to)
			continue;
		deadline = time_mono_ms() + t->action_timeout_ms;
		why[0] = '\0';
		switch (a->kind) {
		case ACT_EXEC:
			rc = act_exec(t, a, e, deadline, why, sizeof(why));
			break;
		case ACT_MAIL:
			rc = act_mail(t, a, e, deadline, why, sizeof(why));
			break;
		case ACT_FAILC:
			rc = act_failc(t, a, deadline, why, sizeof(why));
			break;
		case ACT_LOG:
			text = joined(a);
			log_info("target %s: %s -> %s: %s", t->name,
			    svc_state_str(e->from), svc_state_str(e->to),
			    text[0] ? text : e->reason);
			free(text);
			rc = 0;
			snprintf(why, sizeof(why), "logged");
			break;
		}
		hc.actions_run++;
		if (rc < 0)
			log_warnx("target %s: on %s %s (line %d) failed: %s",
			    t->name, e->to == SVC_UP ? "up" : "fail",
			    kinds[a->kind], a->line, why);
		else
			log_debug(FAC_ACTION, 1, "target %s: on %s %s (line "
			    "%d): %s", t->name, e->to == SVC_UP ? "up" :
			    "fail", kinds[a->kind], a->line, why);
	}
}

/* A target's events, oldest first, until none is left. Yields. */
static void *
actor(void *arg)
{
	struct hc_target	*t = arg;
	struct hc_event		*e;

	while ((e = t->events) != NULL) {
		t->events = e->next;
		if (t->events == NULL)
			t->events_tail = &t->events;
		run_actions(t, e);
		free(e);
	}
	t->acting = 0;
	actors--;
	return NULL;
}
