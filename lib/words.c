/*
 * words.c: a configuration line split into words; see words.h.
 */
#include <stdio.h>
#include <string.h>

#include "words.h"

int
words_line(const char *text, size_t len, size_t *off, char *line,
    size_t linelen, char *why, size_t whylen)
{
	const char	*s = text + *off, *nl;
	size_t		 n;

	if (*off >= len)
		return 0;
	nl = memchr(s, '\n', len - *off);
	n = (nl ? (size_t)(nl - s) : len - *off);
	if (n >= linelen) {
		snprintf(why, whylen, "line longer than %zu bytes",
		    linelen - 1);
		return -1;
	}
	if (memchr(s, '\0', n) != NULL) {
		snprintf(why, whylen, "NUL byte in line");
		return -1;
	}
	memcpy(line, s, n);
	line[n] = '\0';
	if (n > 0 && line[n - 1] == '\r')
		line[n - 1] = '\0';
	*off += n + 1;
	return 1;
}

int
words_split(const char *s, char *buf, char **w, int max, char *why,
    size_t whylen)
{
	int	n = 0;

	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0' || *s == '#')
			return n;
		if (n == max) {
			snprintf(why, whylen, "more than %d words", max);
			return -1;
		}
		w[n++] = buf;
		while (*s != '\0' && *s != ' ' && *s != '\t') {
			if (*s != '"') {
				*buf++ = *s++;
				continue;
			}
			for (s++; *s != '"'; s++) {
				if (*s == '\0') {
					snprintf(why, whylen,
					    "unterminated quote");
					return -1;
				}
				if (*s == '\\' && s[1] != '\0') {
					s++;
					*buf++ = *s == 'n' ? '\n' : *s == 'r' ?
					    '\r' : *s == 't' ? '\t' : *s;
				} else
					*buf++ = *s;
			}
			s++;
		}
		*buf++ = '\0';
	}
}
