/*
 * failsh_tcl.c: the Tcl commands of failsh: failsvc (services: peers,
 * scripts, timing), failhost (how to reach a peer's faild), failtrap
 * (scripts run on state changes) and failquery (ask any faild now).
 * Results are lists or dicts; errors carry a FAIL ... -errorcode.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "failsh.h"
#include "log.h"
#include "timeutil.h"
#include "xmalloc.h"

static const char	*const role_names[] = { "masters", "slaves", "quorum" };

/* failsvc's subcommands, in the order of its table. */
enum failsvc_sub {
	S_INTERVAL, S_MASTERS, S_SLAVES, S_QUORUM, S_START, S_STOP,
	S_RECLAIM, S_TIMEOUT, S_DEADCOUNT, S_STATE, S_INFO, S_CHECK,
	S_CHECKTIMEOUT, S_RISE, S_FALL, S_RESTARTS, S_RESTARTWINDOW, S_HC,
	S_HOLDDOWN, S_OWNER, S_EPOCH
};

#define SET(s, sub)	((s)->set_mask & (1u << (sub)))

const char *
failsh_role_str(enum failsh_role r)
{
	return r <= ROLE_QUORUM ? role_names[r] : "?";
}

struct failsh_service *
failsh_service_find(const char *name)
{
	struct failsh_service	*s;

	for (s = failsh.services; s != NULL; s = s->next)
		if (strcmp(s->name, name) == 0)
			return s;
	return NULL;
}

struct failsh_host *
failsh_host_find(const char *name)
{
	struct failsh_host	*h;

	for (h = failsh.hosts; h != NULL; h = h->next)
		if (strcmp(h->name, name) == 0)
			return h;
	return NULL;
}

static int
tcl_error(Tcl_Interp *interp, const char *kind, const char *what,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
tcl_error(Tcl_Interp *interp, const char *kind, const char *what,
    const char *fmt, ...)
{
	va_list	ap;
	char	msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	Tcl_SetObjResult(interp, Tcl_NewStringObj(msg, -1));
	Tcl_SetErrorCode(interp, "FAIL", kind, what, NULL);
	return TCL_ERROR;
}

/* Host names follow DNS and address syntax; no blanks or control chars. */
static int
host_name_valid(const char *s)
{
	size_t	n = strlen(s);

	if (n == 0 || n > 253)
		return 0;
	for (; *s != '\0'; s++)
		if (*s <= ' ' || *s == 0x7f || *s == '{' || *s == '}' ||
		    *s == '"' || *s == '\\')
			return 0;
	return 1;
}

static struct failsh_host *
host_get_or_create(const char *name)
{
	struct failsh_host	*h = failsh_host_find(name);
	int			 i;

	if (h != NULL)
		return h;
	h = xcalloc(1, sizeof(*h));
	h->name = xstrdup(name);
	h->port = FAIL_DEFAULT_PORT;
	h->tcp = 1;
	h->timeout_ms = FAILSH_CALL_MS;
	h->local = failsh.nodename != NULL &&
	    strcmp(name, failsh.nodename) == 0;
	for (i = 0; i < FAILSH_POOL; i++)
		h->pool[i].fd = -1;
	pth_mutex_init(&h->pool_mutex);
	pth_cond_init(&h->pool_cond);
	h->next = failsh.hosts;
	failsh.hosts = h;
	return h;
}

static struct failsh_service *
service_get_or_create(const char *name)
{
	struct failsh_service	*s = failsh_service_find(name), **sp;

	if (s != NULL)
		return s;
	s = xcalloc(1, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->interval_ms = FAILSH_INTERVAL_MS;
	s->deadcount = DECIDE_DEADCOUNT;
	s->timeout_ms = FAILSH_TIMEOUT_MS;
	s->rise = FAILSH_RISE;
	s->fall = FAILSH_FALL;
	s->max_restarts = FAILSH_RESTARTS;
	s->restart_window_ms = FAILSH_RESTART_WINDOW_MS;
	s->state = SVC_RECOVER;
	s->self_at[ROLE_MASTER] = s->self_at[ROLE_SLAVE] = -1;
	s->changed_ms = time_now_ms();
	snprintf(s->reason, sizeof(s->reason), "created");
	for (sp = &failsh.services; *sp != NULL; sp = &(*sp)->next)
		;
	*sp = s;			/* keep the policy's order */
	sched_service_added(s);
	return s;
}

/* Seconds (fractional) as milliseconds within [min_ms, max_ms]. */
static int
get_seconds(Tcl_Interp *interp, Tcl_Obj *o, int64_t min_ms, int64_t max_ms,
    int64_t *ms)
{
	double	d;

	if (Tcl_GetDoubleFromObj(interp, o, &d) != TCL_OK)
		return TCL_ERROR;
	if (!isfinite(d) || d * 1000.0 < (double)min_ms - 0.5 ||
	    d * 1000.0 > (double)max_ms)
		return tcl_error(interp, "VALUE", Tcl_GetString(o), "%s "
		    "seconds out of range (%g to %g)", Tcl_GetString(o),
		    min_ms / 1000.0, max_ms / 1000.0);
	*ms = (int64_t)llround(d * 1000.0);
	return TCL_OK;
}

static Tcl_Obj *
seconds_obj(int64_t ms)
{
	return Tcl_NewDoubleObj(ms / 1000.0);
}

static Tcl_Obj *
peer_list_obj(const struct failsh_service *s, enum failsh_role r)
{
	Tcl_Obj	*l = Tcl_NewListObj(0, NULL);
	size_t	 i;

	for (i = 0; i < s->npeers[r]; i++)
		Tcl_ListObjAppendElement(NULL, l,
		    Tcl_NewStringObj(s->peers[r][i].host->name, -1));
	return l;
}

/*
 * Replace a service's peer list. Observations of hosts that stay in the
 * list are kept. The runner never holds the array across this: it reads
 * peers only between yields or on its own copy (see sched).
 */
static int
service_set_peers(Tcl_Interp *interp, struct failsh_service *s,
    enum failsh_role r, Tcl_Obj *list)
{
	struct failsh_peer	*np;
	Tcl_Obj			**ev;
	size_t			 i, k, n = 0;
	int			 objc, j;

	if (Tcl_ListObjGetElements(interp, list, &objc, &ev) != TCL_OK)
		return TCL_ERROR;
	if (objc > FAILSH_MAX_PEERS)
		return tcl_error(interp, "VALUE", s->name, "at most %d %s",
		    FAILSH_MAX_PEERS, role_names[r]);
	for (j = 0; j < objc; j++)
		if (!host_name_valid(Tcl_GetString(ev[j])))
			return tcl_error(interp, "VALUE", Tcl_GetString(ev[j]),
			    "bad host name \"%s\"", Tcl_GetString(ev[j]));
	np = xcalloc((size_t)objc + 1, sizeof(*np));
	if (r != ROLE_QUORUM)
		s->self_at[r] = -1;
	for (j = 0; j < objc; j++) {
		struct failsh_host *h = host_get_or_create(
		    Tcl_GetString(ev[j]));

		if (h->local) {		/* this host: never its own peer */
			if (r != ROLE_QUORUM && s->self_at[r] < 0)
				s->self_at[r] = (int)n;	/* its rank */
			continue;
		}
		for (i = 0; i < n && np[i].host != h; i++)
			;
		if (i < n)
			continue;	/* named twice */
		np[n].host = h;
		np[n].obs.name = h->name;
		for (k = 0; k < s->npeers[r]; k++)
			if (s->peers[r][k].host == h)
				np[n] = s->peers[r][k];
		n++;
	}
	free(s->peers[r]);
	s->peers[r] = np;
	s->npeers[r] = n;
	return TCL_OK;
}

static void
set_string(char **field, const char *value)
{
	free(*field);
	*field = value[0] != '\0' ? xstrdup(value) : NULL;
}

static Tcl_Obj *
service_info(const struct failsh_service *s)
{
	static const char	*const scripts[] = { "start", "stop", "reclaim",
	    "check" };
	Tcl_Obj			*d = Tcl_NewDictObj();
	int			 i;

	Tcl_DictObjPut(NULL, d, Tcl_NewStringObj("state", -1),
	    Tcl_NewStringObj(svc_state_str(s->state), -1));
	Tcl_DictObjPut(NULL, d, Tcl_NewStringObj("changed", -1),
	    Tcl_NewWideIntObj(s->changed_ms));
	Tcl_DictObjPut(NULL, d, Tcl_NewStringObj("reason", -1),
	    Tcl_NewStringObj(s->reason, -1));
	Tcl_DictObjPut(NULL, d, Tcl_NewStringObj("interval", -1),
	    seconds_obj(s->interval_ms));
	Tcl_DictObjPut(NULL, d, Tcl_NewStringObj("deadcount", -1),
	    Tcl_NewIntObj(s->deadcount));
	Tcl_DictObjPut(NULL, d, Tcl_NewStringObj("timeout", -1),
	    seconds_obj(s->timeout_ms));
	for (i = ROLE_MASTER; i <= ROLE_QUORUM; i++)
		Tcl_DictObjPut(NULL, d, Tcl_NewStringObj(role_names[i], -1),
		    peer_list_obj(s, i));
	for (i = 0; i < FAILSH_SCRIPTS; i++)
		Tcl_DictObjPut(NULL, d, Tcl_NewStringObj(scripts[i], -1),
		    s->script[i] ? s->script[i] : Tcl_NewObj());
	Tcl_DictObjPut(NULL, d, Tcl_NewStringObj("runs", -1),
	    Tcl_NewWideIntObj((Tcl_WideInt)s->runs));
	Tcl_DictObjPut(NULL, d, Tcl_NewStringObj("health", -1),
	    Tcl_NewStringObj(decide_health_str(s->health_total), -1));
	Tcl_DictObjPut(NULL, d, Tcl_NewStringObj("hc", -1),
	    Tcl_NewStringObj(s->hc_target ? s->hc_target : "", -1));
	Tcl_DictObjPut(NULL, d, Tcl_NewStringObj("check_result", -1),
	    Tcl_NewStringObj(s->check_why, -1));
	Tcl_DictObjPut(NULL, d, Tcl_NewStringObj("restarts", -1),
	    Tcl_NewIntObj(failsh_service_restarts(s)));
	Tcl_DictObjPut(NULL, d, Tcl_NewStringObj("owner", -1),
	    Tcl_NewStringObj(s->etcd.owner ? s->etcd.owner : "", -1));
	Tcl_DictObjPut(NULL, d, Tcl_NewStringObj("epoch", -1),
	    Tcl_NewWideIntObj(s->etcd.epoch));
	return d;
}

/*
 * failsvc ?NAME ?SUBCOMMAND ?VALUE???
 *	Without arguments: the service names. With a subcommand and no
 *	value: its current value. With a value: set it. "state" and "info"
 *	only read. The first use of a name creates the service (RECOVER).
 */
static int
failsvc_cmd(ClientData data, Tcl_Interp *interp, int objc,
    Tcl_Obj *const objv[])
{
	static const char	*const subs[] = { "interval", "masters",
	    "slaves", "quorum", "start", "stop", "reclaim", "timeout",
	    "deadcount", "state", "info", "check", "checktimeout", "rise",
	    "fall", "restarts", "restartwindow", "hc", "holddown", "owner",
	    "epoch", NULL };
	struct failsh_service	*s;
	const char		*name, *v;
	int			 sub, n, i;
	int64_t			 ms;

	(void)data;
	if (objc == 1) {
		Tcl_Obj *l = Tcl_NewListObj(0, NULL);

		for (s = failsh.services; s != NULL; s = s->next)
			Tcl_ListObjAppendElement(NULL, l,
			    Tcl_NewStringObj(s->name, -1));
		Tcl_SetObjResult(interp, l);
		return TCL_OK;
	}
	if (objc < 3 || objc > 4) {
		Tcl_WrongNumArgs(interp, 1, objv, "?name subcommand ?value??");
		return TCL_ERROR;
	}
	if (Tcl_GetIndexFromObj(interp, objv[2], subs, "subcommand", 0,
	    &sub) != TCL_OK)
		return TCL_ERROR;
	name = Tcl_GetString(objv[1]);
	if (!proto_name_valid(name))
		return tcl_error(interp, "VALUE", name, "bad service name "
		    "\"%s\": 1 to %d of A-Z a-z 0-9 . _ -", name,
		    PROTO_MAX_NAME);
	if ((sub == S_STATE || sub == S_INFO || sub == S_OWNER ||
	    sub == S_EPOCH) && objc == 4) {
		Tcl_WrongNumArgs(interp, 2, objv, subs[sub]);
		return TCL_ERROR;
	}
	/* Setting creates the service; reading does not. */
	if (objc == 3 && (s = failsh_service_find(name)) == NULL)
		return tcl_error(interp, "LOOKUP", name, "no service \"%s\"",
		    name);
	if (objc == 4)
		s = service_get_or_create(name);
	s->seen = 1;

	if (objc == 3) {
		Tcl_Obj *r = NULL;

		switch (sub) {
		case S_INTERVAL:
			r = seconds_obj(s->interval_ms);
			break;
		case S_MASTERS:
		case S_SLAVES:
		case S_QUORUM:
			r = peer_list_obj(s, sub - S_MASTERS);
			break;
		case S_START:
		case S_STOP:
		case S_RECLAIM:
			r = s->script[sub - S_START];
			break;
		case S_TIMEOUT:
			r = seconds_obj(s->timeout_ms);
			break;
		case S_DEADCOUNT:
			r = Tcl_NewIntObj(s->deadcount);
			break;
		case S_STATE:
			r = Tcl_NewStringObj(svc_state_str(s->state), -1);
			break;
		case S_INFO:
			r = service_info(s);
			break;
		case S_CHECK:
			r = s->script[SCRIPT_CHECK];
			break;
		case S_CHECKTIMEOUT:
			r = seconds_obj(failsh_check_timeout(s));
			break;
		case S_RISE:
			r = Tcl_NewIntObj(s->rise);
			break;
		case S_FALL:
			r = Tcl_NewIntObj(s->fall);
			break;
		case S_RESTARTS:
			r = Tcl_NewIntObj(s->max_restarts);
			break;
		case S_RESTARTWINDOW:
			r = seconds_obj(s->restart_window_ms);
			break;
		case S_HOLDDOWN:
			r = seconds_obj(s->holddown_ms);
			break;
		case S_HC:
			r = Tcl_NewStringObj(s->hc_target ? s->hc_target : "",
			    -1);
			break;
		case S_OWNER:
			r = Tcl_NewStringObj(s->etcd.owner ? s->etcd.owner :
			    "", -1);
			break;
		case S_EPOCH:
			r = Tcl_NewWideIntObj(s->etcd.epoch);
			break;
		}
		if (r != NULL)
			Tcl_SetObjResult(interp, r);
		return TCL_OK;
	}

	switch (sub) {
	case S_INTERVAL:
		if (get_seconds(interp, objv[3], FAILSH_MIN_INTERVAL_MS,
		    86400000, &ms) != TCL_OK)
			return TCL_ERROR;
		s->interval_ms = ms;
		break;
	case S_MASTERS:
	case S_SLAVES:
	case S_QUORUM:
		if (service_set_peers(interp, s, sub - S_MASTERS,
		    objv[3]) != TCL_OK)
			return TCL_ERROR;
		break;
	case S_START:
	case S_STOP:
	case S_RECLAIM:
	case S_CHECK:
		i = sub == S_CHECK ? SCRIPT_CHECK : sub - S_START;
		if (s->script[i] != NULL)
			Tcl_DecrRefCount(s->script[i]);
		s->script[i] = NULL;
		if (Tcl_GetCharLength(objv[3]) > 0) {
			s->script[i] = objv[3];
			Tcl_IncrRefCount(objv[3]);
		}
		if (sub == S_CHECK && s->script[i] == NULL)
			s->health = HEALTH_NONE;
		break;
	case S_HC:
		v = Tcl_GetString(objv[3]);
		if (*v != '\0' && !proto_name_valid(v))
			return tcl_error(interp, "VALUE", v, "bad hc target "
			    "\"%s\": 1 to %d of A-Z a-z 0-9 . _ -", v,
			    PROTO_MAX_NAME);
		set_string(&s->hc_target, v);
		break;
	case S_CHECKTIMEOUT:
		if (get_seconds(interp, objv[3], 10, 86400000, &ms) != TCL_OK)
			return TCL_ERROR;
		s->check_timeout_ms = ms;
		break;
	case S_RESTARTWINDOW:
	case S_HOLDDOWN:
		if (get_seconds(interp, objv[3], 0, 86400000, &ms) != TCL_OK)
			return TCL_ERROR;
		if (sub == S_HOLDDOWN)
			s->holddown_ms = ms;
		else
			s->restart_window_ms = ms;
		break;
	case S_RISE:
	case S_FALL:
	case S_RESTARTS:
		if (Tcl_GetIntFromObj(interp, objv[3], &n) != TCL_OK)
			return TCL_ERROR;
		if (n < (sub == S_RESTARTS ? 0 : 1) ||
		    n > (sub == S_RESTARTS ? FAILSH_MAX_RESTARTS : 1000))
			return tcl_error(interp, "VALUE", s->name, "%s %d out "
			    "of range (%d to %d)", subs[sub], n,
			    sub == S_RESTARTS ? 0 : 1, sub == S_RESTARTS ?
			    FAILSH_MAX_RESTARTS : 1000);
		if (sub == S_RISE)
			s->rise = n;
		else if (sub == S_FALL)
			s->fall = n;
		else
			s->max_restarts = n;
		break;
	case S_TIMEOUT:
		if (get_seconds(interp, objv[3], 10, 86400000, &ms) != TCL_OK)
			return TCL_ERROR;
		s->timeout_ms = ms;
		break;
	case S_DEADCOUNT:
		if (Tcl_GetIntFromObj(interp, objv[3], &n) != TCL_OK)
			return TCL_ERROR;
		if (n < 1 || n > 1000)
			return tcl_error(interp, "VALUE", s->name, "deadcount "
			    "%d out of range (1 to 1000)", n);
		s->deadcount = n;
		break;
	}
	s->set_mask |= 1u << sub;
	sched_service_changed(s);
	if (sub == S_MASTERS || sub == S_SLAVES || sub == S_QUORUM)
		Tcl_SetObjResult(interp, peer_list_obj(s, sub - S_MASTERS));
	else
		Tcl_SetObjResult(interp, objv[3]);
	return TCL_OK;
}

static Tcl_Obj *
host_info(const struct failsh_host *h)
{
	Tcl_Obj	*d = Tcl_NewDictObj();

#define PUT(k, v) Tcl_DictObjPut(NULL, d, Tcl_NewStringObj(k, -1), v)
	PUT("address", Tcl_NewStringObj(h->address ? h->address : h->name,
	    -1));
	PUT("port", Tcl_NewIntObj(h->port));
	PUT("protocol", Tcl_NewStringObj(h->tcp ? "tcp" : "udp", -1));
	PUT("community", Tcl_NewStringObj(h->community ? h->community : "",
	    -1));
	PUT("key", Tcl_NewStringObj(h->keyid ? h->keyid : "", -1));
	PUT("timeout", seconds_obj(h->timeout_ms));
	PUT("local", Tcl_NewBooleanObj(h->local));
	PUT("reachable", Tcl_NewBooleanObj(h->reachable));
	PUT("last_connect", Tcl_NewWideIntObj(h->last_connect_ms));
	PUT("last_call", Tcl_NewWideIntObj(h->last_call_ms));
	PUT("error", Tcl_NewStringObj(h->last_error, -1));
#undef PUT
	return d;
}

/*
 * failhost ?NAME ?SUBCOMMAND ?VALUE???
 *	address, port, protocol (tcp or udp), community, key (a key id of
 *	the -k file), timeout (seconds per call). Without a subcommand: a
 *	dict of the settings and what failsh saw of the host.
 */
static int
failhost_cmd(ClientData data, Tcl_Interp *interp, int objc,
    Tcl_Obj *const objv[])
{
	static const char	*const subs[] = { "address", "port", "protocol",
	    "community", "key", "timeout", NULL };
	enum { H_ADDRESS, H_PORT, H_PROTOCOL, H_COMMUNITY, H_KEY, H_TIMEOUT };
	struct failsh_host	*h;
	const char		*name, *v;
	int			 sub, n;
	int64_t			 ms;
	Tcl_Obj			*info;

	(void)data;
	if (objc == 1) {
		Tcl_Obj *l = Tcl_NewListObj(0, NULL);

		for (h = failsh.hosts; h != NULL; h = h->next)
			Tcl_ListObjAppendElement(NULL, l,
			    Tcl_NewStringObj(h->name, -1));
		Tcl_SetObjResult(interp, l);
		return TCL_OK;
	}
	if (objc > 4) {
		Tcl_WrongNumArgs(interp, 1, objv, "?name ?subcommand ?value???");
		return TCL_ERROR;
	}
	name = Tcl_GetString(objv[1]);
	if (!host_name_valid(name))
		return tcl_error(interp, "VALUE", name, "bad host name \"%s\"",
		    name);
	if (objc == 2) {
		if ((h = failsh_host_find(name)) == NULL)
			return tcl_error(interp, "LOOKUP", name, "no host "
			    "\"%s\"", name);
		Tcl_SetObjResult(interp, host_info(h));
		return TCL_OK;
	}
	if (Tcl_GetIndexFromObj(interp, objv[2], subs, "subcommand", 0,
	    &sub) != TCL_OK)
		return TCL_ERROR;
	h = host_get_or_create(name);
	if (objc == 3) {
		info = host_info(h);
		Tcl_IncrRefCount(info);
		Tcl_DictObjGet(NULL, info, objv[2], &info);
		Tcl_SetObjResult(interp, info);
		Tcl_DecrRefCount(info);
		return TCL_OK;
	}
	v = Tcl_GetString(objv[3]);
	switch (sub) {
	case H_ADDRESS:
		if (!host_name_valid(v))
			return tcl_error(interp, "VALUE", v, "bad address "
			    "\"%s\"", v);
		set_string(&h->address, v);
		break;
	case H_PORT:
		if (Tcl_GetIntFromObj(interp, objv[3], &n) != TCL_OK)
			return TCL_ERROR;
		if (n < 1 || n > 65535)
			return tcl_error(interp, "VALUE", v, "port %d out of "
			    "range (1 to 65535)", n);
		h->port = n;
		break;
	case H_PROTOCOL:
		if (strcmp(v, "tcp") != 0 && strcmp(v, "udp") != 0)
			return tcl_error(interp, "VALUE", v, "protocol must be "
			    "tcp or udp, not \"%s\"", v);
		h->tcp = strcmp(v, "tcp") == 0;
		break;
	case H_COMMUNITY:
		if (strlen(v) > PROTO_MAX_COMMUNITY || strpbrk(v, " \t\r\n"))
			return tcl_error(interp, "VALUE", v, "bad community");
		set_string(&h->community, v);
		break;
	case H_KEY:
		if (v[0] != '\0' && (failsh.keys == NULL ||
		    keyring_find(failsh.keys, v) == NULL))
			return tcl_error(interp, "LOOKUP", v, "no key \"%s\" "
			    "in the key file (-k)", v);
		set_string(&h->keyid, v);
		break;
	case H_TIMEOUT:
		if (get_seconds(interp, objv[3], 1, 60000, &ms) != TCL_OK)
			return TCL_ERROR;
		h->timeout_ms = (int)ms;
		break;
	}
	host_close(h);			/* reconnect with the new settings */
	Tcl_SetObjResult(interp, objv[3]);
	return TCL_OK;
}

/*
 * failtrap ?SERVICE|* ?SCRIPT??
 *	Add SCRIPT, called with service, host, old and new state appended,
 *	on every change of the service's local state or of what a peer
 *	reports for it. An empty script removes the traps of SERVICE.
 *	Without a script: the scripts for SERVICE; without arguments: all
 *	traps as {pattern script} pairs.
 */
static int
failtrap_cmd(ClientData data, Tcl_Interp *interp, int objc,
    Tcl_Obj *const objv[])
{
	struct failsh_trap	**tp, *t;
	const char		 *pat;
	Tcl_Obj			 *l;

	(void)data;
	if (objc > 3) {
		Tcl_WrongNumArgs(interp, 1, objv, "?service|* ?script??");
		return TCL_ERROR;
	}
	pat = objc > 1 ? Tcl_GetString(objv[1]) : NULL;
	if (pat != NULL && strcmp(pat, "*") != 0 && !proto_name_valid(pat))
		return tcl_error(interp, "VALUE", pat, "bad service name "
		    "\"%s\"", pat);
	if (objc < 3) {
		l = Tcl_NewListObj(0, NULL);
		for (t = failsh.traps; t != NULL; t = t->next) {
			if (pat != NULL && strcmp(pat, t->pattern) != 0)
				continue;
			if (pat == NULL)
				Tcl_ListObjAppendElement(NULL, l,
				    Tcl_NewStringObj(t->pattern, -1));
			Tcl_ListObjAppendElement(NULL, l, t->script);
		}
		Tcl_SetObjResult(interp, l);
		return TCL_OK;
	}
	if (Tcl_GetCharLength(objv[2]) == 0) {
		for (tp = &failsh.traps; (t = *tp) != NULL; ) {
			if (strcmp(t->pattern, pat) != 0) {
				tp = &t->next;
				continue;
			}
			*tp = t->next;
			failsh_trap_free(t);
		}
		return TCL_OK;
	}
	t = xcalloc(1, sizeof(*t));
	t->pattern = xstrdup(pat);
	t->script = objv[2];
	Tcl_IncrRefCount(t->script);
	for (tp = &failsh.traps; *tp != NULL; tp = &(*tp)->next)
		;
	*tp = t;
	Tcl_SetObjResult(interp, objv[2]);
	return TCL_OK;
}

static Tcl_Obj *
resp_service_dict(const struct proto_resp *r, int first)
{
	Tcl_Obj	*d = Tcl_NewDictObj();

	Tcl_DictObjPut(NULL, d, Tcl_NewStringObj("state", -1),
	    Tcl_NewStringObj(r->fields[first + 1], -1));
	Tcl_DictObjPut(NULL, d, Tcl_NewStringObj("changed", -1),
	    Tcl_NewStringObj(r->fields[first + 2], -1));
	Tcl_DictObjPut(NULL, d, Tcl_NewStringObj("by", -1),
	    Tcl_NewStringObj(r->fields[first + 3], -1));
	return d;
}

/*
 * failquery HOST ?SERVICE?
 *	Ask HOST's faild now (HOST as failhost knows it, or any address).
 *	With SERVICE: a dict {state changed by}; without: a dict of every
 *	service it holds to such a dict. Waits at most the host's timeout,
 *	while the other Pth threads run.
 */
static int
failquery_cmd(ClientData data, Tcl_Interp *interp, int objc,
    Tcl_Obj *const objv[])
{
	struct failsh_host	*h;
	struct proto_resp	 r = { 0 };
	const char		*host, *svc = NULL;
	char			 req[PROTO_MAX_NAME + 16], err[256];
	int			 i, rc = TCL_ERROR;
	Tcl_Obj			*res;

	(void)data;
	if (objc < 2 || objc > 3) {
		Tcl_WrongNumArgs(interp, 1, objv, "host ?service?");
		return TCL_ERROR;
	}
	host = Tcl_GetString(objv[1]);
	if (!host_name_valid(host))
		return tcl_error(interp, "VALUE", host, "bad host name \"%s\"",
		    host);
	if (objc == 3) {
		svc = Tcl_GetString(objv[2]);
		if (!proto_name_valid(svc))
			return tcl_error(interp, "VALUE", svc, "bad service "
			    "name \"%s\"", svc);
	}
	if (failsh.checking) {
		Tcl_SetObjResult(interp, Tcl_NewDictObj());
		return TCL_OK;		/* no network while checking */
	}
	h = host_get_or_create(host);
	snprintf(req, sizeof(req), svc ? "get %s" : "list", svc);
	if (host_call(h, req, h->timeout_ms, &r, err, sizeof(err)) < 0)
		return tcl_error(interp, "UNREACHABLE", host, "host %s: %s",
		    host, err);
	if (strcmp(r.kind, "ERR") == 0) {
		tcl_error(interp, r.code == PERR_NOTFOUND ? "LOOKUP" : "REFUSED",
		    host, "host %s: ERR %d %s", host, r.code, r.text);
		goto done;
	}
	if (svc != NULL) {
		if (r.nfields < 4) {
			tcl_error(interp, "PROTOCOL", host, "host %s: bad "
			    "answer", host);
			goto done;
		}
		Tcl_SetObjResult(interp, resp_service_dict(&r, 0));
		rc = TCL_OK;
		goto done;
	}
	res = Tcl_NewDictObj();
	/* list: "OK n name state changed by name state changed by ..." */
	for (i = 1; i + 3 < r.nfields; i += 4)
		Tcl_DictObjPut(NULL, res, Tcl_NewStringObj(r.fields[i], -1),
		    resp_service_dict(&r, i));
	Tcl_SetObjResult(interp, res);
	rc = TCL_OK;
done:
	proto_resp_clear(&r);
	return rc;
}

void
failsh_service_reset_unset(struct failsh_service *s)
{
	int	i;

	if (!SET(s, S_INTERVAL))
		s->interval_ms = FAILSH_INTERVAL_MS;
	for (i = ROLE_MASTER; i <= ROLE_QUORUM; i++)
		if (!SET(s, S_MASTERS + i)) {
			if (i != ROLE_QUORUM)
				s->self_at[i] = -1;
			free(s->peers[i]);
			s->peers[i] = NULL;
			s->npeers[i] = 0;
		}
	for (i = 0; i < FAILSH_SCRIPTS; i++)
		if (!SET(s, i == SCRIPT_CHECK ? S_CHECK : S_START + i) &&
		    s->script[i] != NULL) {
			Tcl_DecrRefCount(s->script[i]);
			s->script[i] = NULL;
		}
	if (s->script[SCRIPT_CHECK] == NULL)
		s->health = HEALTH_NONE;
	if (!SET(s, S_TIMEOUT))
		s->timeout_ms = FAILSH_TIMEOUT_MS;
	if (!SET(s, S_DEADCOUNT))
		s->deadcount = DECIDE_DEADCOUNT;
	if (!SET(s, S_CHECKTIMEOUT))
		s->check_timeout_ms = 0;
	if (!SET(s, S_RISE))
		s->rise = FAILSH_RISE;
	if (!SET(s, S_FALL))
		s->fall = FAILSH_FALL;
	if (!SET(s, S_RESTARTS))
		s->max_restarts = FAILSH_RESTARTS;
	if (!SET(s, S_RESTARTWINDOW))
		s->restart_window_ms = FAILSH_RESTART_WINDOW_MS;
	if (!SET(s, S_HC))
		set_string(&s->hc_target, "");
	if (!SET(s, S_HOLDDOWN))
		s->holddown_ms = 0;
}

int64_t
failsh_check_timeout(const struct failsh_service *s)
{
	if (s->check_timeout_ms > 0)
		return s->check_timeout_ms;
	return s->interval_ms > 1000 ? s->interval_ms : 1000;
}

int
failsh_service_restarts(const struct failsh_service *s)
{
	int64_t		now = time_mono_ms();
	unsigned	i;
	int		n = 0;

	for (i = 0; i < s->nrestarts && i < FAILSH_MAX_RESTARTS; i++)
		if (now - s->restart_ms[i] < s->restart_window_ms)
			n++;
	return n;
}

void
failsh_service_free(struct failsh_service *s)
{
	int	i;

	if (s == NULL)
		return;
	for (i = ROLE_MASTER; i <= ROLE_QUORUM; i++)
		free(s->peers[i]);
	for (i = 0; i < FAILSH_SCRIPTS; i++)
		if (s->script[i] != NULL)
			Tcl_DecrRefCount(s->script[i]);
	free(s->hc_target);
	etcd_svc_clear(s);
	free(s);
}

void
failsh_host_free(struct failsh_host *h)
{
	int	i;

	if (h == NULL)
		return;
	for (i = 0; i < FAILSH_POOL; i++)
		if (h->pool_ready[i])
			fail_client_close(&h->pool[i]);
	free(h->name);
	free(h->address);
	free(h->community);
	free(h->keyid);
	free(h);
}

void
failsh_trap_free(struct failsh_trap *t)
{
	if (t == NULL)
		return;
	Tcl_DecrRefCount(t->script);
	free(t->pattern);
	free(t);
}

void
failsh_tcl_init(Tcl_Interp *interp)
{
	Tcl_CreateObjCommand(interp, "failsvc", failsvc_cmd, NULL, NULL);
	Tcl_CreateObjCommand(interp, "failhost", failhost_cmd, NULL, NULL);
	Tcl_CreateObjCommand(interp, "failtrap", failtrap_cmd, NULL, NULL);
	Tcl_CreateObjCommand(interp, "failquery", failquery_cmd, NULL, NULL);
	failsh_ip_init(interp);
	failsh_etcd_init(interp);
}
