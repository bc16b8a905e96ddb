/*
 * words.h: a configuration line split into words, as hcfile(5) and
 * faildns.conf(5) write them: blanks separate, "double quotes" group
 * (with \" \\ \n \r \t inside), # at a word's start begins a comment.
 */
#ifndef FAIL_WORDS_H
#define FAIL_WORDS_H

#include <stddef.h>

/*
 * Split line into at most max words, written into buf (as long as line
 * plus one); w[i] point into buf. Returns the count, or -1 with the
 * problem in why ("unterminated quote", "more than 32 words").
 */
int	 words_split(const char *line, char *buf, char **w, int max,
	    char *why, size_t whylen);

#endif
