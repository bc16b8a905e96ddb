/*
 * html.c: the pieces of failover's HTML pages.
 */
#include <stdio.h>
#include <string.h>

#include "html.h"
#include "timeutil.h"

/* Write s with &, <, >, " and ' escaped. */
void
html(const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", stdout);
			break;
		case '<':
			fputs("&lt;", stdout);
			break;
		case '>':
			fputs("&gt;", stdout);
			break;
		case '"':
			fputs("&quot;", stdout);
			break;
		case '\'':
			fputs("&#39;", stdout);
			break;
		default:
			putchar(*s);
		}
	}
}

/* A state as a class name: only the three states, anything else "other". */
const char *
html_class(const char *state)
{
	if (strcmp(state, "UP") == 0)
		return "up";
	if (strcmp(state, "RECOVER") == 0)
		return "recover";
	if (strcmp(state, "FAIL") == 0)
		return "fail";
	return "other";
}

/* "3.2 s ago" with the ISO time as its title. */
void
html_time(int64_t ms, int64_t now)
{
	char	iso[40], age[32];

	if (ms <= 0) {
		fputs("never", stdout);
		return;
	}
	time_format_iso(ms, iso, sizeof(iso));
	time_format_age(ms, now, age, sizeof(age));
	printf("<time datetime=\"%s\" title=\"%s\">%s</time>", iso, iso, age);
}

void
html_begin(const char *title, int refresh_s, int cgi)
{
	char	iso[40];

	if (cgi)
		fputs("Content-Type: text/html; charset=utf-8\r\n"
		    "Cache-Control: no-store\r\n\r\n", stdout);
	time_format_iso(time_now_ms(), iso, sizeof(iso));
	printf("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta http-equiv=\"refresh\" content=\"%d\">\n"
	    "<title>%s</title>\n<style>\n"
	    "body{font-family:sans-serif;margin:1em}\n"
	    "table{border-collapse:collapse;margin:.5em 0}\n"
	    "th,td{border:1px solid #ccc;padding:.2em .5em;text-align:left}\n"
	    ".up{background:#c8f0c8}.recover{background:#fff0b0}\n"
	    ".fail{background:#f8c0c0}.other{background:#ddd}\n"
	    ".ok{color:#060}.bad{color:#a00}\n"
	    "</style>\n</head>\n<body>\n<h1>%s</h1>\n"
	    "<p>%s, reloads every %d s</p>\n", refresh_s, title, title, iso,
	    refresh_s);
}

void
html_end(void)
{
	fputs("</body>\n</html>\n", stdout);
}
