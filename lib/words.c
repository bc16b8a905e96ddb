/*
 * words.c: a configuration line split into words; see words.h.
 */
#include <stdio.h>

#include "words.h"

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
