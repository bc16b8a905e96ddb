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
/*
 * The next line of text[*off .. len) into line, without its end (a \r
 * before the \n dropped); *off moves past it. Returns 1, 0 at the end of
 * the text, or -1 with why set: a line of linelen bytes or more, or one
 * holding a NUL byte.
 */
int	 words_line(const char *text, size_t len, size_t *off, char *line,
	    size_t linelen, char *why, size_t whylen);

#endif
