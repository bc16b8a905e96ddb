/*
 * view_curses.c: the live curses view (the default), with the original's
 * keys: h hosts, c last connect / last call, l or left: the services of
 * the selected host, s or right: the selected service in detail, Tab
 * between hosts and services, q quit; plus ? for help. States in colour,
 * a status line per target; redrawn on every key, resize and snapshot.
 */
#include <curses.h>
#include <inttypes.h>
#include <locale.h>
#include <string.h>

#include "failmon.h"
#include "timeutil.h"

enum mon_screen {
	SCR_HOSTS,
	SCR_SERVICES,
	SCR_DETAIL,
	SCR_HELP
};

/* A row of the hosts cur_screen: one host of one target's snapshot. */
struct row {
	int	target;
	size_t	index;
};

static enum mon_screen	 cur_screen = SCR_HOSTS, before_help = SCR_HOSTS;
static int		 show_call;	/* c: last call instead of connect */
static int		 sel_host, sel_service;
static int		 colours;

enum { PAIR_UP = 1, PAIR_RECOVER, PAIR_FAIL, PAIR_BAR };

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

/* Does the service involve the host: its own node, or one of its peers? */
static int
service_on_host(const struct mon_snapshot *s, const struct mon_service *v,
    const struct mon_host *h)
{
	size_t	i;

	if (strcmp(h->status, "local") == 0 || strcmp(h->name, s->node) == 0)
		return 1;
	for (i = 0; i < s->npeers; i++)
		if (strcmp(s->peers[i].service, v->name) == 0 &&
		    strcmp(s->peers[i].host, h->name) == 0)
			return 1;
	return 0;
}

static size_t
service_rows(const struct mon_target *t, const struct row *host,
    size_t *out, size_t max)
{
	const struct mon_snapshot	*s = t[host->target].snap;
	size_t				 i, k = 0;

	for (i = 0; i < s->nservices && k < max; i++)
		if (service_on_host(s, &s->services[i], &s->hosts[host->index]))
			out[k++] = i;
	return k;
}

static void
clamp(int *sel, size_t n)
{
	if (*sel >= (int)n)
		*sel = (int)n - 1;
	if (*sel < 0)
		*sel = 0;
}

static void
draw_hosts(const struct mon_target *t, const struct row *rows, size_t n,
    int64_t now)
{
	char	age[32];
	size_t	i;

	attron(A_UNDERLINE);
	mvprintw(1, 0, "%-12s %-16s %-22s %-12s %-14s %s", "FAILSH", "HOST",
	    "ADDRESS", "STATUS", show_call ? "LAST CALL" : "LAST CONNECT",
	    "ERROR");
	attroff(A_UNDERLINE);
	for (i = 0; i < n && (int)i + 2 < LINES - 1; i++) {
		const struct mon_snapshot *s = t[rows[i].target].snap;
		const struct mon_host *h = &s->hosts[rows[i].index];
		char addr[80];

		snprintf(addr, sizeof(addr), "%s:%d", h->address, h->port);
		if ((int)i == sel_host)
			attron(A_REVERSE);
		mvprintw((int)i + 2, 0, "%-12.12s %-16.16s %-22.22s %-12s "
		    "%-14s %.*s", s->node, h->name, addr, h->status,
		    time_format_age(show_call ? h->last_call_ms : h->last_connect_ms,
		    now, age, sizeof(age)), COLS > 86 ? COLS - 86 : 0,
		    h->error);
		if ((int)i == sel_host)
			attroff(A_REVERSE);
	}
	if (n == 0)
		mvprintw(2, 0, "no snapshot yet");
}

static void
draw_services(const struct mon_target *t, const struct row *host,
    const size_t *svc, size_t n, int64_t now)
{
	const struct mon_snapshot	*s = t[host->target].snap;
	char				 age[32];
	size_t				 i;

	mvprintw(1, 0, "services of %s (failsh %s)",
	    s->hosts[host->index].name, s->node);
	attron(A_UNDERLINE);
	mvprintw(2, 0, "%-24s %-8s %-14s %-9s %s", "SERVICE", "STATE",
	    "SINCE", "INTERVAL", "WHY");
	attroff(A_UNDERLINE);
	for (i = 0; i < n && (int)i + 3 < LINES - 1; i++) {
		const struct mon_service *v = &s->services[svc[i]];

		if ((int)i == sel_service)
			attron(A_REVERSE);
		mvprintw((int)i + 3, 0, "%-24.24s ", v->name);
		attron(state_attr(v->state));
		printw("%-8s", v->state);
		attroff(state_attr(v->state));
		printw(" %-14s %7.2fs  %.*s", time_format_age(v->changed_ms, now, age,
		    sizeof(age)), v->interval_ms / 1000.0,
		    COLS > 60 ? COLS - 60 : 0, v->reason);
		if ((int)i == sel_service)
			attroff(A_REVERSE);
	}
	if (n == 0)
		mvprintw(3, 0, "no services on this host");
}

static void
draw_detail(const struct mon_target *t, const struct row *host,
    const struct mon_service *v, int64_t now)
{
	const struct mon_snapshot	*s = t[host->target].snap;
	char				 age[32], iso[40], hold[384];
	size_t				 i;
	int				 y = 5;

	time_format_iso(v->changed_ms, iso, sizeof(iso));
	mvprintw(1, 0, "service %s on failsh %s: ", v->name, s->node);
	attron(state_attr(v->state));
	printw("%s", v->state);
	attroff(state_attr(v->state));
	mvprintw(2, 0, "since %s (%s); every %.2f s, deadcount %d, %" PRIu64
	    " runs, next in %" PRId64 " ms%s", iso, time_format_age(v->changed_ms, now,
	    age, sizeof(age)), v->interval_ms / 1000.0, v->deadcount, v->runs,
	    v->next_ms, v->busy[0] == 'b' ? ", script running" : "");
	mvprintw(3, 0, "why: %.*s", COLS > 6 ? COLS - 6 : 0, v->reason);
	if (v->health != NULL) {
		const char *c = strcmp(v->health, "OK") == 0 ? "UP" :
		    v->health;	/* coloured as a state */

		mvprintw(4, 0, "health: ");
		attron(state_attr(c));
		printw("%s", v->health);
		attroff(state_attr(c));
		printw(", %d of %d restarts used, %.*s", v->restarts,
		    v->max_restarts, COLS > 50 ? COLS - 50 : 0, v->check);
		y++;
	}
	if (v->hold != NULL) {
		mvprintw(y - 1, 0, "held: %.*s", COLS > 7 ? COLS - 7 : 0,
		    mon_hold_str(v, now, hold, sizeof(hold)));
		y++;
	}
	attron(A_UNDERLINE);
	mvprintw(y++, 0, "%-8s %-16s %-8s %-6s %s", "ROLE", "HOST", "SEES",
	    "FAILS", "LAST ANSWER");
	attroff(A_UNDERLINE);
	for (i = 0; i < s->npeers && y < LINES - 1; i++) {
		const struct mon_peer *p = &s->peers[i];

		if (strcmp(p->service, v->name) != 0)
			continue;
		mvprintw(y, 0, "%-8s %-16.16s ", p->role, p->host);
		attron(state_attr(p->view));
		printw("%-8s", p->view);
		attroff(state_attr(p->view));
		printw(" %-6d %s", p->fails, time_format_age(p->seen_ms, now, age,
		    sizeof(age)));
		y++;
	}
}

static void
draw_help(void)
{
	static const char *const lines[] = {
		"h            the hosts of every failsh",
		"c            hosts: last connect / last call",
		"l, left      the services of the selected host",
		"s, right     the selected service in detail",
		"Tab          hosts <-> services",
		"up, down     select",
		"?            this help (any key returns)",
		"q            quit",
	};
	size_t	i;

	mvprintw(1, 0, "failmon keys");
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		mvprintw((int)i + 3, 2, "%s", lines[i]);
}

/* The status line: every target's connection and its last snapshot. */
static void
draw_status(const struct mon_target *t, int n, int64_t now)
{
	char	age[32];
	int	j;

	move(LINES - 1, 0);
	clrtoeol();
	if (colours)
		attron(COLOR_PAIR(PAIR_BAR));
	for (j = 0; j < n; j++)
		printw("%s%s %s, updated %s", j ? " | " : "", t[j].spec,
		    t[j].connected ? "connected" : "disconnected",
		    time_format_age(t[j].updated_ms, now, age, sizeof(age)));
	printw("   ? help");
	if (colours)
		attroff(COLOR_PAIR(PAIR_BAR));
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
	if (cur_screen == SCR_HELP) {
		cur_screen = before_help;
		return key != 'q';
	}
	switch (key) {
	case 'q':
		return 0;
	case '?':
		before_help = cur_screen;
		cur_screen = SCR_HELP;
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
		cur_screen = SCR_SERVICES;
		sel_service = 0;
		break;
	case 's':
	case KEY_RIGHT:
		if (cur_screen == SCR_SERVICES)
			cur_screen = SCR_DETAIL;
		break;
	case '\t':
		cur_screen = cur_screen == SCR_HOSTS ? SCR_SERVICES : SCR_HOSTS;
		break;
	case KEY_UP:
	case 'k':
		if (cur_screen == SCR_HOSTS)
			sel_host--;
		else
			sel_service--;
		break;
	case KEY_DOWN:
	case 'j':
		if (cur_screen == SCR_HOSTS)
			sel_host++;
		else
			sel_service++;
		break;
	default:
		break;		/* KEY_RESIZE and the rest: just redraw */
	}
	return 1;
}

void
view_curses_draw(const struct mon_target *t, int n)
{
	static struct row	 rows[4096];
	static size_t		 svc[4096];
	int64_t			 now = time_now_ms();
	size_t			 nrows, nsvc = 0;

	erase();
	attron(A_BOLD);
	mvprintw(0, 0, "failmon");
	attroff(A_BOLD);
	nrows = host_rows(t, n, rows, sizeof(rows) / sizeof(rows[0]));
	clamp(&sel_host, nrows);
	if (nrows > 0) {
		nsvc = service_rows(t, &rows[sel_host], svc,
		    sizeof(svc) / sizeof(svc[0]));
		clamp(&sel_service, nsvc);
	}
	if (cur_screen == SCR_HELP)
		draw_help();
	else if (cur_screen == SCR_HOSTS || nrows == 0)
		draw_hosts(t, rows, nrows, now);
	else if (cur_screen == SCR_SERVICES || nsvc == 0)
		draw_services(t, &rows[sel_host], svc, nsvc, now);
	else
		draw_detail(t, &rows[sel_host],
		    &t[rows[sel_host].target].snap->services[svc[sel_service]],
		    now);
	draw_status(t, n, now);
	refresh();
}
