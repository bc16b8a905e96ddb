/*
 * getnode.c: read hc's results from its monitor port (hc -m, 1850): all
 * targets or the ones named, as text, JSON (-j) or an HTML page (-h).
 * Installed also as hcmon.cgi, which renders every hc named in
 * HCMON_TARGETS as one page for a web server. A page opens with a summary
 * line, and shows the targets that need attention first.
 */
#include "config.h"

#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client_opts.h"
#include "cmdline.h"
#include "html.h"
#include "json.h"
#include "state.h"
#include "timeutil.h"
#include "xmalloc.h"

#define HC_MONITOR_PORT	1850
#define SHOW_FIELDS	20	/* of a show answer, failproto(5) */
#define HTML_REFRESH_S	5	/* as failmon's: both pages reload alike */

/* One target as show answers it, decoded. */
struct node {
	char	*f[SHOW_FIELDS];
};

enum { G_NAME, G_STATE, G_CHANGED, G_SERVICE, G_CHECK, G_LAST, G_LAST_MS,
	G_LATENCY, G_CHECKS, G_OK, G_FAIL, G_RISE, G_FALL, G_INTERVAL,
	G_TIMEOUT, G_AGREE, G_DEPS, G_REASON, G_WHY, G_LINE };

static const char *const field_names[SHOW_FIELDS] = {
	"name", "state", "changed_ms", "service", "check", "last", "last_ms",
	"latency_ms", "checks", "ok_streak", "fail_streak", "rise", "fall",
	"interval_ms", "timeout_ms", "agree", "deps", "reason", "last_result",
	"check_line"
};

/* Numbers in JSON unquoted; the rest strings. */
static const int field_number[SHOW_FIELDS] = {
	[G_CHANGED] = 1, [G_LAST_MS] = 1, [G_LATENCY] = 1, [G_CHECKS] = 1,
	[G_OK] = 1, [G_FAIL] = 1, [G_RISE] = 1, [G_FALL] = 1,
	[G_INTERVAL] = 1, [G_TIMEOUT] = 1
};

/* The usage: on stdout for --help (exit 0), else on stderr. */
static __attribute__((noreturn)) void
usage(int code)
{
	fprintf(code ? stderr : stdout, "usage: getnode [-HjV] [-P udp|tcp] [-p port] "
	    "[-t timeout_ms]\n"
	    "               [-c community | -k keyfile [-K keyid]] "
	    "[host[:port] [target ...]]\n");
	exit(code);
}

static void
free_nodes(struct node *v, int n)
{
	int	i, k;

	for (i = 0; i < n; i++)
		for (k = 0; k < SHOW_FIELDS; k++)
			free(v[i].f[k]);
	free(v);
}

/*
 * Fetch the targets (all when n is 0) from host. Returns the count with
 * *out filled, or -1 with err set.
 */
static int
fetch(struct client_opts *o, const char *host, char **names, int n,
    struct node **out, char *err, size_t errlen)
{
	struct fail_client	 c;
	struct proto_resp	 r = { 0 };
	struct node		*nodes = NULL;
	char			 req[128], **want = names;
	int			 i, k, count = 0;

	if (client_opts_setup(o, host, &c, err, errlen) != 0)
		return -1;
	if (n == 0) {		/* all of them: their names from list */
		if (fail_client_call(&c, "list", &r, err, errlen) < 0)
			goto fail;
		if (strcmp(r.kind, "OK") != 0 || r.nfields < 1) {
			snprintf(err, errlen, "list: %s", r.text ? r.text :
			    "malformed answer");
			goto fail;
		}
		n = (r.nfields - 1) / 4;
		want = xcalloc(n + 1, sizeof(char *));
		for (i = 0; i < n; i++)
			want[i] = xstrdup(r.fields[1 + 4 * i]);
	}
	nodes = xcalloc(n + 1, sizeof(*nodes));
	for (i = 0; i < n; i++) {
		snprintf(req, sizeof(req), "show %s", want[i]);
		if (fail_client_call(&c, req, &r, err, errlen) < 0)
			goto fail;
		if (strcmp(r.kind, "ERR") == 0 && r.code == PERR_NOTFOUND) {
			for (k = 0; k < SHOW_FIELDS; k++)
				nodes[count].f[k] = xstrdup(field_number[k] ?
				    "0" : "");
			free(nodes[count].f[G_NAME]);
			free(nodes[count].f[G_STATE]);
			free(nodes[count].f[G_REASON]);
			nodes[count].f[G_NAME] = xstrdup(want[i]);
			nodes[count].f[G_STATE] = xstrdup("UNKNOWN");
			nodes[count].f[G_REASON] = xstrdup("no such target");
		} else if (strcmp(r.kind, "OK") == 0 &&
		    r.nfields == SHOW_FIELDS) {
			for (k = 0; k < SHOW_FIELDS; k++) {
				nodes[count].f[k] = xstrdup(r.fields[k]);
				if (k >= G_REASON)
					proto_pct_decode(nodes[count].f[k]);
			}
		} else {
			snprintf(err, errlen, "show %s: %s", want[i],
			    r.text ? r.text : "malformed answer");
			goto fail;
		}
		count++;
	}
	proto_resp_clear(&r);
	fail_client_close(&c);
	if (want != names) {
		for (i = 0; i < n; i++)
			free(want[i]);
		free(want);
	}
	*out = nodes;
	return count;
fail:
	proto_resp_clear(&r);
	fail_client_close(&c);
	free_nodes(nodes, count);
	if (want != names) {
		for (i = 0; i < n; i++)
			free(want[i]);
		free(want);
	}
	return -1;
}

static int
state_rank(const char *state)
{
	enum svc_state	st;

	if (svc_state_parse(state, &st) < 0 || st == SVC_FAIL)
		return 2;
	return st == SVC_RECOVER ? 1 : 0;
}

static void
print_text(const struct node *v, int n)
{
	int64_t	now = time_now_ms();
	char	age[32], last[32];
	int	i;

	printf("%-20s %-8s %-12s %-12s %s\n", "TARGET", "STATE", "SINCE",
	    "CHECKED", "REASON");
	for (i = 0; i < n; i++) {
		char *const *f = v[i].f;

		time_format_age(strtoll(f[G_CHANGED], NULL, 10), now, age,
		    sizeof(age));
		time_format_age(strtoll(f[G_LAST_MS], NULL, 10), now, last,
		    sizeof(last));
		printf("%-20s %-8s %-12s %-12s %s\n", f[G_NAME], f[G_STATE],
		    age, last, f[G_REASON]);
		if (f[G_LINE][0] != '\0')
			printf("    check %s: %s %s (%s ms), %s checks, rise "
			    "%s fall %s, every %s ms\n", f[G_LINE], f[G_LAST],
			    f[G_WHY], f[G_LATENCY], f[G_CHECKS], f[G_RISE],
			    f[G_FALL], f[G_INTERVAL]);
		if (strcmp(f[G_DEPS], "-") != 0)
			printf("    depends on %s\n", f[G_DEPS]);
		if (strcmp(f[G_AGREE], "-") != 0)
			printf("    agree (needed/seeing/vantage points) %s\n",
			    f[G_AGREE]);
	}
}

static void
print_json(const char *host, const struct node *v, int n)
{
	int	i, k;

	printf("{\"host\": ");
	json_str(host);
	printf(", \"targets\": [");
	for (i = 0; i < n; i++) {
		printf("%s\n    {", i ? "," : "");
		for (k = 0; k < SHOW_FIELDS; k++) {
			printf("%s\"%s\": ", k ? ", " : "", field_names[k]);
			if (field_number[k])
				printf("%lld", strtoll(v[i].f[k], NULL,
				    10));
			else
				json_str(v[i].f[k]);
		}
		printf("}");
	}
	printf("%s]}\n", n ? "\n" : "");
}

/* An hc as a page shows it: its targets, or why it has none. */
struct html_hc {
	const char	*host;
	struct node	*v;		/* owned */
	int		 n;
	char		 err[512];	/* "": reached */
};

/* "all 5 targets UP" or "2 need attention", first on the page. */
static void
print_html_summary(const struct html_hc *hc, int nhc)
{
	int	i, k, targets = 0, attention = 0;

	for (i = 0; i < nhc; i++) {
		if (hc[i].err[0] != '\0')
			attention++;
		for (k = 0; k < hc[i].n; k++) {
			targets++;
			attention += state_rank(hc[i].v[k].f[G_STATE]) > 0;
		}
	}
	if (attention == 0)
		printf("<p id=\"summary\" class=\"ok\"><strong>all %d "
		    "target%s UP</strong>", targets, targets == 1 ? "" : "s");
	else
		printf("<p id=\"summary\" class=\"bad\"><strong>%d need%s "
		    "attention</strong> (of %d target%s)", attention,
		    attention == 1 ? "s" : "", targets, targets == 1 ? "" : "s");
	printf(" on %d hc</p>\n", nhc);
}

static void
print_html_host(const struct html_hc *hc)
{
	int64_t	now = time_now_ms();
	int	i, rank;

	fputs("<section>\n<h2>hc ", stdout);
	html(hc->host);
	fputs("</h2>\n", stdout);
	if (hc->err[0] != '\0') {
		fputs("<p class=\"fail\">unreachable: ", stdout);
		html(hc->err);
		fputs("</p>\n</section>\n", stdout);
		return;
	}
	fputs("<table>\n<tr><th>target</th><th>state</th><th>since</th>"
	    "<th>reason</th><th>check</th><th>last result</th>"
	    "<th>checked</th><th>depends on</th></tr>\n", stdout);
	/* FAIL (and unknown states) first, then RECOVER, then UP */
	for (rank = 2; rank >= 0; rank--)
		for (i = 0; i < hc->n; i++) {
			char *const *f = hc->v[i].f;

			if (state_rank(f[G_STATE]) != rank)
				continue;
			fputs("<tr><td>", stdout);
			html(f[G_NAME]);
			printf("</td><td class=\"%s\">", html_class(f[G_STATE]));
			html(f[G_STATE]);
			fputs("</td><td>", stdout);
			html_time(strtoll(f[G_CHANGED], NULL, 10), now);
			fputs("</td><td>", stdout);
			html(f[G_REASON]);
			fputs("</td><td><code>", stdout);
			html(f[G_LINE]);
			printf("</code></td><td class=\"%s\">", strcmp(f[G_LAST],
			    "ok") == 0 ? "ok" : "bad");
			if (f[G_LAST][0] != '-') {
				html(f[G_WHY]);
				fputs(" (", stdout);
				html(f[G_LATENCY]);
				fputs(" ms)", stdout);
			}
			fputs("</td><td>", stdout);
			html_time(strtoll(f[G_LAST_MS], NULL, 10), now);
			fputs("</td><td>", stdout);
			html(strcmp(f[G_DEPS], "-") == 0 ? "" : f[G_DEPS]);
			fputs("</td></tr>\n", stdout);
		}
	fputs("</table>\n</section>\n", stdout);
}

/* The page of every hc: a summary line, then each hc's targets. */
static void
print_html(const struct html_hc *hc, int nhc, int cgi)
{
	int	i;

	html_begin("hcmon", HTML_REFRESH_S, cgi);
	print_html_summary(hc, nhc);
	for (i = 0; i < nhc; i++)
		print_html_host(&hc[i]);
	html_end();
}

/* hcmon.cgi: every hc of HCMON_TARGETS (blank-separated) on one page. */
static int
cgi(struct client_opts *o)
{
	const char	*env = getenv("HCMON_TARGETS");
	char		*list = xstrdup(env ? env : "127.0.0.1"), *host, *save;
	struct html_hc	*hc = NULL;
	int		 nhc = 0, i;

	for (host = strtok_r(list, " \t,", &save); host != NULL;
	    host = strtok_r(NULL, " \t,", &save)) {
		hc = xrealloc(hc, (size_t)(nhc + 1) * sizeof(*hc));
		memset(&hc[nhc], 0, sizeof(*hc));
		hc[nhc].host = host;
		if ((hc[nhc].n = fetch(o, host, NULL, 0, &hc[nhc].v,
		    hc[nhc].err, sizeof(hc[nhc].err))) < 0) {
			hc[nhc].n = 0;
			hc[nhc].v = NULL;
			if (hc[nhc].err[0] == '\0')
				snprintf(hc[nhc].err, sizeof(hc[nhc].err),
				    "no answer");
		}
		nhc++;
	}
	print_html(hc, nhc, 1);
	for (i = 0; i < nhc; i++)
		free_nodes(hc[i].v, hc[i].n);
	free(hc);
	free(list);
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = { CMDLINE_LONGOPTS,
			    { NULL, 0, NULL, 0 } };
	struct client_opts	 o;
	struct node		*v;
	const char		*host = "127.0.0.1";
	char			 err[512];
	int			 ch, i, n, json = 0, page = 0, worst = 0;

	client_opts_init(&o, "getnode");
	o.port = HC_MONITOR_PORT;
	o.tcp = 1;
	if (strcmp(basename(argv[0]), "hcmon.cgi") == 0)
		return cgi(&o);
	while ((ch = getopt_long(argc, argv, CLIENT_OPTS_GETOPT "HhjV",
	    longopts, NULL)) != -1) {
		if (client_opts_parse(&o, ch, optarg))
			continue;
		switch (ch) {
		case 'H':
		case 'h':		/* the old spelling */
			page = 1;
			break;
		case 'j':
			json = 1;
			break;
		case 'V':
			printf("getnode (failover) %s\n", PACKAGE_VERSION);
			exit(EXIT_OK);
		case CMDLINE_HELP:
			usage(EXIT_OK);
		default:
			usage(EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 0) {
		host = argv[0];
		argc--;
		argv++;
	}
	for (i = 0; i < argc; i++)
		if (!proto_name_valid(argv[i])) {
			fprintf(stderr, "getnode: bad target name \"%s\"\n",
			    argv[i]);
			exit(EXIT_USAGE);
		}
	if ((n = fetch(&o, host, argv, argc, &v, err, sizeof(err))) < 0)
		client_die(&o, host, EXIT_UNREACHABLE, "%s", err);
	if (json)
		print_json(host, v, n);
	else if (page) {
		struct html_hc hc = { host, v, n, "" };

		print_html(&hc, 1, 0);
	} else
		print_text(v, n);
	for (i = 0; i < n; i++)
		if (state_rank(v[i].f[G_STATE]) > worst)
			worst = state_rank(v[i].f[G_STATE]);
	free_nodes(v, n);
	keyring_free(o.keys);
	return worst;
}
