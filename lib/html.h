/*
 * html.h: self-contained HTML5 pages on stdout (failmon -h, failmon.cgi,
 * getnode -h, hcmon.cgi): escaping, state colours, times, the page frame.
 */
#ifndef FAIL_HTML_H
#define FAIL_HTML_H

#include <stdint.h>

/* Write s with &, <, >, " and ' escaped. */
void	 html(const char *s);
/* A state as a class name: "up", "recover", "fail"; else "other". */
const char *html_class(const char *state);
/* "3.2 s ago" with the ISO time as its title; "never" for ms <= 0. */
void	 html_time(int64_t ms, int64_t now);
/* The CGI header when cgi, then up to <body> and an <h1> of title. */
void	 html_begin(const char *title, int refresh_s, int cgi);
void	 html_end(void);

#endif
