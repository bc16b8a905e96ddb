/*
 * view_curses.c: the live curses view (the default). It opens on one
 * table of every service of every failsh watched (t); the original's keys
 * stay: h hosts, c last connect / last call, l or left: the services of
 * the selected host (of the row's failsh in the table), s or right: the
 * selected service in detail, Tab between hosts and services, q quit;
 * plus ? for help. Lines are clipped to the terminal, never wrapped.
 * States in colour; the rows of a failsh that went away stay, marked
 * stale with the age of their data. Under the etcd backend the table's
 * why adds each service's owner, the detail the owner and the backend.
 */
#include <curses.h>
#include <inttypes.h>
#include <locale.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "failmon.h"
#include "timeutil.h"

enum mon_screen {
	SCR_TABLE,
	SCR_HOSTS,
	SCR_SERVICES,
	SCR_DETAIL,
	SCR_HELP
};

#define NONE	SIZE_MAX	/* row.index: a target without services */

/*
 * A row of a list: a host (hosts screen) or a service (table) of one
 * target's snapshot; on the services screen, a service and the PEER line
 * that shows the host (peer, NONE for the failsh's own services).
 */
struct row {
	int	target;
	size_t	index, peer;
};

#define MAX_ROWS	4096

static enum mon_screen	 cur_screen = SCR_TABLE, before_help = SCR_TABLE;
static int		 show_call;	/* c: last call instead of connect */
static int		 sel_row, sel_host, sel_service;
static int		 detail_of_table;	/* s pressed in the table */
static int		 host_of_row;	/* l pressed in the table */
static int		 colours;

enum { PAIR_UP = 1, PAIR_RECOVER, PAIR_FAIL, PAIR_BAR, PAIR_BAR_BAD };

/* Table columns: host (failsh node), service, state, since, why. */
#define COL_HOST	0
#define COL_SERVICE	13
#define COL_STATE	30
#define COL_SINCE	39
#define COL_WHY		52

static int
state_attr(const char *state)
{
	if (!colours)
		return strcmp(state, "UP") == 0 ? A_BOLD : A_NORMAL;
	if (strcmp(state, "UP") == 0)
		return COLOR_PAIR(PAIR_UP) | A_BOLD;
	if (strcmp(state, "RECOVER") == 0)
		return COLOR_PAIR(PAIR_RECOVER) | A_BOLD;
	if (strcmp(state, "FAIL") == 0)
		return COLOR_PAIR(PAIR_FAIL) | A_BOLD;
	return A_NORMAL;
}

/* Red and yellow for what is wrong, as FAIL and RECOVER are. */
static int
bad_attr(void)
{
	return colours ? COLOR_PAIR(PAIR_FAIL) | A_BOLD : A_BOLD;
}

static int
stale_attr(void)
{
	return colours ? COLOR_PAIR(PAIR_RECOVER) : A_DIM;
}

/* A service's state on a row: a standby is normal, stale data dim. */
static int
glance_attr(const struct mon_target *t, const struct mon_service *v)
{
	switch (mon_glance(t, v)) {
	case GLANCE_STALE:
		return A_DIM;
	case GLANCE_STANDBY:
		return A_NORMAL;
	default:
		return state_attr(v->state);
	}
}

/*
 * Write at (y, x) at most width columns (all that is left of the line
 * when width < 0) with attr.
 *
 * Results:
 *	None.
 * Side effects:
 *	Nothing is written past the right edge or below the screen: lines
 *	are clipped, never wrapped.
 */
static void
put(int y, int x, int width, int attr, const char *fmt, ...)
{
	char	buf[512];
	va_list	ap;
	int	room = COLS - x;

	if (y < 0 || y >= LINES || x < 0 || room <= 0)
		return;
	if (width < 0 || width > room)
		width = room;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	attron(attr);
	mvaddnstr(y, x, buf, width);
	attroff(attr);
}

/* A selected line: reversed from edge to edge. */
static int
select_line(int y, int selected)
{
	if (!selected)
		return 0;
	put(y, 0, -1, A_REVERSE, "%*s", COLS, "");
	return A_REVERSE;
}

/* The first row to show so that sel is on the screen, avail rows high. */
static size_t
first_row(int sel, int avail)
{
	if (avail < 1 || sel < avail)
		return 0;
	return (size_t)(sel - avail + 1);
}

static void
clamp(int *sel, size_t n)
{
	if (*sel >= (int)n)
		*sel = (int)n - 1;
	if (*sel < 0)
		*sel = 0;
}

static size_t
table_rows(const struct mon_target *t, int n, struct row *rows, size_t max)
{
	size_t	k = 0, i;
	int	j;

	for (j = 0; j < n && k < max; j++) {
		if (t[j].snap == NULL || t[j].snap->nservices == 0) {
			rows[k].target = j;
			rows[k++].index = NONE;
			continue;
		}
		for (i = 0; i < t[j].snap->nservices && k < max; i++) {
			rows[k].target = j;
			rows[k++].index = i;
		}
	}
	return k;
}

static size_t
host_rows(const struct mon_target *t, int n, struct row *rows, size_t max)
{
	size_t	k = 0, i;
	int	j;

	for (j = 0; j < n; j++)
		for (i = 0; t[j].snap != NULL && i < t[j].snap->nhosts &&
		    k < max; i++) {
			rows[k].target = j;
			rows[k++].index = i;
		}
	return k;
}

/*
 * The services screen of a host (a row of the hosts screen): whose
 * states it can truly show.
 *
 * Results:
 *	The count of rows. A host that is a failsh watched (the one whose
 *	snapshot it is, or another target) shows its own services (peer
 *	NONE, *own set); any other host, what this failsh sees of it: a
 *	row per PEER line naming it. *target is the snapshot the rows
 *	index.
 * Side effects:
 *	None.
 */
static size_t
service_rows(const struct mon_target *t, int n, const struct row *host,
    int *target, int *own, struct row *out, size_t max)
{
	const struct mon_snapshot	*s = t[host->target].snap;
	const struct mon_host		*h = &s->hosts[host->index];
	size_t				 i, k = 0;
	int				 j;

	*target = -1;
	*own = 0;
	if (strcmp(h->status, "local") == 0 || strcmp(h->name, s->node) == 0)
		*target = host->target;
	for (j = 0; j < n && *target < 0; j++)
		if (t[j].snap != NULL && strcmp(t[j].snap->node, h->name) == 0)
			*target = j;
	if (*target >= 0) {
		*own = 1;
		s = t[*target].snap;
		for (i = 0; i < s->nservices && k < max; i++) {
			out[k].target = *target;
			out[k].index = i;
			out[k++].peer = NONE;
		}
		return k;
	}
	*target = host->target;
	for (i = 0; i < s->npeers && k < max; i++) {
		const struct mon_peer *p = &s->peers[i];
		size_t v;

		if (strcmp(p->host, h->name) != 0)
			continue;
		for (v = 0; v < s->nservices; v++)
			if (strcmp(s->services[v].name, p->service) == 0)
				break;
		if (v == s->nservices)
			continue;
		out[k].target = host->target;
		out[k].index = v;
		out[k++].peer = i;
	}
	return k;
}

/*
 * The host row of a table row's failsh (l in the table): its own node
 * when its policy lists it, else its first host; sel_host if it has none.
 */
static int
host_of(const struct mon_target *t, const struct row *r,
    const struct row *hosts, size_t n)
{
	const struct mon_snapshot	*s = t[r->target].snap;
	size_t				 i;
	int				 first = -1;

	for (i = 0; i < n; i++) {
		const struct mon_host *h;

		if (hosts[i].target != r->target)
			continue;
		h = &s->hosts[hosts[i].index];
		if (strcmp(h->status, "local") == 0 ||
		    strcmp(h->name, s->node) == 0)
			return (int)i;
		if (first < 0)
			first = (int)i;
	}
	return first >= 0 ? first : sel_host;
}

static void
draw_table(const struct mon_target *t, const struct row *rows, size_t n,
    int64_t now)
{
	char	age[32], owner[160];
	size_t	i, first = first_row(sel_row, LINES - 3);
	int	y;

	put(1, 0, -1, A_UNDERLINE, "%-12s %-16s %-8s %-12s %-*s", "HOST",
	    "SERVICE", "STATE", "SINCE", COLS, "WHY");
	for (i = first, y = 2; i < n && y < LINES - 1; i++, y++) {
		const struct mon_target *tg = &t[rows[i].target];
		const struct mon_snapshot *s = tg->snap;
		const struct mon_service *v;
		int sel = select_line(y, (int)i == sel_row);

		if (s == NULL) {
			put(y, COL_HOST, 12, sel | bad_attr(), "%s", tg->spec);
			put(y, COL_SERVICE, 16, sel, "-");
			put(y, COL_STATE, 8, sel | bad_attr(), "-");
			put(y, COL_SINCE, 12, sel | bad_attr(), "no data");
			put(y, COL_WHY, -1, sel | bad_attr(), "disconnected: %s",
			    tg->error[0] ? tg->error : "connecting");
			continue;
		}
		put(y, COL_HOST, 12, sel | (tg->connected ? 0 : stale_attr()),
		    "%s", s->node);
		if (rows[i].index == NONE) {
			put(y, COL_SERVICE, 16, sel, "-");
			put(y, COL_SINCE, 12, sel | (tg->connected ? 0 :
			    stale_attr()), "%s", tg->connected ? "" :
			    mon_stale_str(tg, now, age, sizeof(age)));
			put(y, COL_WHY, -1, sel, "no services in its policy");
			continue;
		}
		v = &s->services[rows[i].index];
		put(y, COL_SERVICE, 16, sel, "%s", v->name);
		put(y, COL_STATE, 8, sel | glance_attr(tg, v), "%s", v->state);
		if (tg->connected)
			put(y, COL_SINCE, 12, sel, "%s", time_format_age(
			    v->changed_ms, now, age, sizeof(age)));
		else
			put(y, COL_SINCE, 12, sel | stale_attr(), "%s",
			    mon_stale_str(tg, now, age, sizeof(age)));
		put(y, COL_WHY, -1, sel, "%s%s%s%s%s", v->reason,
		    v->hold != NULL ? "; held: " : "", v->hold != NULL ?
		    v->hold : "", v->owner != NULL ? "; owner " : "",
		    v->owner != NULL ? proto_owner_str(v->owner,
		    v->owner_here, v->epoch, owner, sizeof(owner)) : "");
	}
	if (n == 0)
		put(2, 0, -1, 0, "no failsh to watch");
}

static void
draw_hosts(const struct mon_target *t, int nt, const struct row *rows,
    size_t n, int64_t now)
{
	char	age[32], addr[80];
	size_t	i, first = first_row(sel_host, LINES - 3);
	int	y, j, snaps = 0;

	put(1, 0, -1, A_UNDERLINE, "%-12s %-16s %-22s %-12s %-14s %-*s",
	    "FAILSH", "HOST", "ADDRESS", "STATUS", show_call ? "LAST CALL" :
	    "LAST CONNECT", COLS, "ERROR");
	for (i = first, y = 2; i < n && y < LINES - 1; i++, y++) {
		const struct mon_target *tg = &t[rows[i].target];
		const struct mon_snapshot *s = tg->snap;
		const struct mon_host *h = &s->hosts[rows[i].index];
		int sel = select_line(y, (int)i == sel_host);

		snprintf(addr, sizeof(addr), "%s:%d", h->address, h->port);
		put(y, 0, 12, sel | (tg->connected ? 0 : stale_attr()), "%s",
		    s->node);
		put(y, 13, 16, sel, "%s", h->name);
		put(y, 30, 22, sel, "%s", addr);
		if (!tg->connected)
			put(y, 53, 12, sel | stale_attr(), "%s",
			    mon_stale_str(tg, now, age, sizeof(age)));
		else
			put(y, 53, 12, sel | (strcmp(h->status,
			    "unreachable") == 0 ? bad_attr() : 0), "%s",
			    h->status);
		put(y, 66, 14, sel, "%s", time_format_age(show_call ?
		    h->last_call_ms : h->last_connect_ms, now, age,
		    sizeof(age)));
		put(y, 81, -1, sel, "%s", h->error);
	}
	for (j = 0; j < nt; j++)
		snaps += t[j].snap != NULL;
	if (n == 0)
		put(2, 0, -1, 0, "%s", snaps == 0 ? "no snapshot yet" :
		    "no hosts in the policy (t: the table of services)");
}

static void
draw_services(const struct mon_target *t, const struct row *host,
    int target, int own, const struct row *rows, size_t n, int64_t now)
{
	const struct mon_target		*tg = &t[target];
	const struct mon_snapshot	*s = tg->snap;
	const char			*name = t[host->target].snap->hosts[
					    host->index].name;
	char				 age[32];
	size_t				 i, first = first_row(sel_service,
					    LINES - 4);
	int				 y;

	if (own)
		put(1, 0, -1, 0, "services of %s (failsh %s)%s%s", name,
		    s->node, tg->connected ? "" : ", ", tg->connected ? "" :
		    mon_stale_str(tg, now, age, sizeof(age)));
	else
		put(1, 0, -1, 0, "%s as failsh %s sees it%s%s", name, s->node,
		    tg->connected ? "" : ", ", tg->connected ? "" :
		    mon_stale_str(tg, now, age, sizeof(age)));
	if (own)
		put(2, 0, -1, A_UNDERLINE, "%-24s %-8s %-14s %-9s %-*s",
		    "SERVICE", "STATE", "SINCE", "INTERVAL", COLS, "WHY");
	else
		put(2, 0, -1, A_UNDERLINE, "%-24s %-8s %-8s %-6s %-*s",
		    "SERVICE", "ROLE", "SEES", "FAILS", COLS, "LAST ANSWER");
	for (i = first, y = 3; i < n && y < LINES - 1; i++, y++) {
		const struct mon_service *v = &s->services[rows[i].index];
		int sel = select_line(y, (int)i == sel_service);

		put(y, 0, 24, sel, "%s", v->name);
		if (rows[i].peer == NONE) {
			put(y, 25, 8, sel | glance_attr(tg, v), "%s", v->state);
			put(y, 34, 14, sel, "%s", time_format_age(v->changed_ms,
			    now, age, sizeof(age)));
			put(y, 49, 9, sel, "%7.2fs", v->interval_ms / 1000.0);
			put(y, 59, -1, sel, "%s", v->reason);
		} else {
			const struct mon_peer *p = &s->peers[rows[i].peer];

			put(y, 25, 8, sel, "%s", p->role);
			put(y, 34, 8, sel | (tg->connected ?
			    state_attr(p->view) : (int)A_DIM), "%s", p->view);
			put(y, 43, 6, sel, "%d", p->fails);
			put(y, 50, -1, sel, "%s", time_format_age(p->seen_ms,
			    now, age, sizeof(age)));
		}
	}
	if (n == 0)
		put(3, 0, -1, 0, "%s", own ?
		    "no services in its policy" : "no service polls this host");
}

static void
draw_detail(const struct mon_target *tg, const struct mon_service *v,
    int64_t now)
{
	const struct mon_snapshot	*s = tg->snap;
	char				 age[32], iso[40], hold[384];
	size_t				 i;
	int				 y = 5, x;

	time_format_iso(v->changed_ms, iso, sizeof(iso));
	x = snprintf(NULL, 0, "service %s on failsh %s: ", v->name, s->node);
	put(1, 0, -1, 0, "service %s on failsh %s: ", v->name, s->node);
	put(1, x, -1, glance_attr(tg, v), "%s", v->state);
	if (!tg->connected)
		put(1, x + (int)strlen(v->state), -1, stale_attr(), " (%s)",
		    mon_stale_str(tg, now, age, sizeof(age)));
	put(2, 0, -1, 0, "since %s (%s); every %.2f s, deadcount %d, %"
	    PRIu64 " runs, next in %" PRId64 " ms%s", iso,
	    time_format_age(v->changed_ms, now, age, sizeof(age)),
	    v->interval_ms / 1000.0, v->deadcount, v->runs, v->next_ms,
	    v->busy[0] == 'b' ? ", script running" : "");
	put(3, 0, -1, 0, "why: %s", v->reason);
	if (v->health != NULL) {
		const char *c = strcmp(v->health, "OK") == 0 ? "UP" :
		    v->health;	/* coloured as a state */

		put(4, 0, -1, 0, "health: ");
		put(4, 8, -1, state_attr(c), "%s", v->health);
		put(4, 8 + (int)strlen(v->health), -1, 0,
		    ", %d of %d restarts used, %s", v->restarts,
		    v->max_restarts, v->check);
		y++;
	}
	if (v->hold != NULL) {
		put(y - 1, 0, -1, 0, "held: %s", mon_hold_str(v, now, hold,
		    sizeof(hold)));
		y++;
	}
	if (v->owner != NULL) {
		put(y - 1, 0, -1, 0, "owner: %s", proto_owner_str(v->owner,
		    v->owner_here, v->epoch, hold, sizeof(hold)));
		y++;
	}
	if (s->backend != NULL) {
		const struct mon_backend *b = s->backend;
		/* coord coloured as a state: OK runs, UNSURE waits, LOST
		 * stops */
		const char *c = strcmp(b->coord, "OK") == 0 ? "UP" :
		    strcmp(b->coord, "UNSURE") == 0 ? "RECOVER" : "FAIL";

		x = snprintf(NULL, 0, "backend: %s %s, lease %s (%.2f s "
		    "left), coord ", b->kind, b->endpoint, b->lease,
		    b->left_ms / 1000.0);
		put(y - 1, 0, -1, 0, "backend: %s %s, lease %s (%.2f s left), "
		    "coord ", b->kind, b->endpoint, b->lease,
		    b->left_ms / 1000.0);
		put(y - 1, x, -1, tg->connected ? state_attr(c) : (int)A_DIM,
		    "%s", b->coord);
		put(y - 1, x + (int)strlen(b->coord), -1, 0, ", fence %.2f s, "
		    "unreachable %s, watch %s, watchdog %s%s%s",
		    b->fence_ms / 1000.0, b->unreachable, b->watch,
		    b->watchdog, b->error[0] ? ", error: " : "", b->error);
		y++;
	}
	put(y++, 0, -1, A_UNDERLINE, "%-8s %-16s %-8s %-6s %-*s", "ROLE",
	    "HOST", "SEES", "FAILS", COLS, "LAST ANSWER");
	for (i = 0; i < s->npeers && y < LINES - 1; i++) {
		const struct mon_peer *p = &s->peers[i];

		if (strcmp(p->service, v->name) != 0)
			continue;
		put(y, 0, 8, 0, "%s", p->role);
		put(y, 9, 16, 0, "%s", p->host);
		put(y, 26, 8, tg->connected ? state_attr(p->view) : (int)A_DIM,
		    "%s", p->view);
		put(y, 35, 6, 0, "%d", p->fails);
		put(y, 42, -1, 0, "%s", time_format_age(p->seen_ms, now, age,
		    sizeof(age)));
		y++;
	}
}

static void
draw_help(void)
{
	static const char *const lines[] = {
		"t            the table: every service of every failsh",
		"h            the hosts of every failsh",
		"c            hosts: last connect / last call",
		"l, left      the services of the selected host",
		"             (in the table: of the row's failsh)",
		"s, right     the selected service in detail",
		"Tab          hosts <-> services",
		"up, down     select (also k, j)",
		"?            this help (any key returns)",
		"q            quit",
		"stale 12s    failsh gone: its data of 12 s ago",
	};
	size_t	i;

	put(1, 0, -1, A_BOLD, "failmon keys");
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		put((int)i + 3, 2, -1, 0, "%s", lines[i]);
}

/* The status line: every target's connection and its last snapshot. */
static void
draw_status(const struct mon_target *t, int n, int64_t now)
{
	char	age[32], buf[256];
	int	j, x = 0, bar = colours ? COLOR_PAIR(PAIR_BAR) : A_REVERSE;
	int	bad = colours ? COLOR_PAIR(PAIR_BAR_BAD) | A_BOLD :
		    A_REVERSE | A_BOLD;

	put(LINES - 1, 0, -1, bar, "%*s", COLS, "");
	for (j = 0; j < n; j++) {
		x += snprintf(buf, sizeof(buf), "%s%s %s, updated %s",
		    j ? " | " : "", t[j].spec, t[j].connected ? "connected" :
		    "disconnected", time_format_age(t[j].updated_ms, now, age,
		    sizeof(age)));
		put(LINES - 1, x - (int)strlen(buf), -1, t[j].connected ?
		    bar : bad, "%s", buf);
	}
	put(LINES - 1, x, -1, bar, "   ? help");
}

void
view_curses_start(void)
{
	setlocale(LC_ALL, "");
	initscr();
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	if ((colours = has_colors()) != 0) {
		start_color();
		use_default_colors();
		init_pair(PAIR_UP, COLOR_GREEN, -1);
		init_pair(PAIR_RECOVER, COLOR_YELLOW, -1);
		init_pair(PAIR_FAIL, COLOR_RED, -1);
		init_pair(PAIR_BAR, COLOR_BLACK, COLOR_CYAN);
		init_pair(PAIR_BAR_BAD, COLOR_WHITE, COLOR_RED);
	}
}

void
view_curses_stop(void)
{
	endwin();
}

int
view_curses_key(int key)
{
	int	*sel;

	if (cur_screen == SCR_HELP) {
		cur_screen = before_help;
		return key != 'q';
	}
	sel = cur_screen == SCR_TABLE || (cur_screen == SCR_DETAIL &&
	    detail_of_table) ? &sel_row : cur_screen == SCR_HOSTS ?
	    &sel_host : &sel_service;
	switch (key) {
	case 'q':
		return 0;
	case '?':
		before_help = cur_screen;
		cur_screen = SCR_HELP;
		break;
	case 't':
		cur_screen = SCR_TABLE;
		break;
	case 'h':
		cur_screen = SCR_HOSTS;
		break;
	case 'c':
		show_call = !show_call;
		cur_screen = SCR_HOSTS;
		break;
	case 'l':
	case KEY_LEFT:
		host_of_row = cur_screen == SCR_TABLE;
		cur_screen = SCR_SERVICES;
		sel_service = 0;
		break;
	case 's':
	case KEY_RIGHT:
		if (cur_screen == SCR_SERVICES || cur_screen == SCR_TABLE) {
			detail_of_table = cur_screen == SCR_TABLE;
			cur_screen = SCR_DETAIL;
		}
		break;
	case '\t':
		cur_screen = cur_screen == SCR_HOSTS ? SCR_SERVICES : SCR_HOSTS;
		break;
	case KEY_UP:
	case 'k':
		(*sel)--;
		break;
	case KEY_DOWN:
	case 'j':
		(*sel)++;
		break;
	default:
		break;		/* KEY_RESIZE and the rest: just redraw */
	}
	return 1;
}

void
view_curses_draw(const struct mon_target *t, int n)
{
	static struct row	 table[MAX_ROWS], hosts[MAX_ROWS], svc[MAX_ROWS];
	int64_t			 now = time_now_ms();
	size_t			 ntable, nhosts, nsvc = 0;
	int			 target = -1, own = 0;

	erase();
	put(0, 0, -1, A_BOLD, "failmon");
	put(0, 9, -1, 0, "t:table h:hosts l:services s:detail ?:help q:quit");
	ntable = table_rows(t, n, table, MAX_ROWS);
	clamp(&sel_row, ntable);
	nhosts = host_rows(t, n, hosts, MAX_ROWS);
	if (host_of_row && ntable > 0)
		sel_host = host_of(t, &table[sel_row], hosts, nhosts);
	host_of_row = 0;
	clamp(&sel_host, nhosts);
	if (nhosts > 0) {
		nsvc = service_rows(t, n, &hosts[sel_host], &target, &own, svc,
		    MAX_ROWS);
		clamp(&sel_service, nsvc);
	}
	switch (cur_screen) {
	case SCR_HELP:
		draw_help();
		break;
	case SCR_TABLE:
		draw_table(t, table, ntable, now);
		break;
	case SCR_DETAIL:
		if (detail_of_table && ntable > 0 &&
		    table[sel_row].index != NONE) {
			draw_detail(&t[table[sel_row].target],
			    &t[table[sel_row].target].snap->services[
			    table[sel_row].index], now);
			break;
		}
		if (!detail_of_table && nsvc > 0) {
			draw_detail(&t[target],
			    &t[target].snap->services[svc[sel_service].index],
			    now);
			break;
		}
		/* FALLTHROUGH */
	case SCR_SERVICES:
		if (nhosts > 0) {
			draw_services(t, &hosts[sel_host], target, own, svc, nsvc,
			    now);
			break;
		}
		/* FALLTHROUGH */
	case SCR_HOSTS:
		draw_hosts(t, n, hosts, nhosts, now);
		break;
	}
	draw_status(t, n, now);
	refresh();
}
