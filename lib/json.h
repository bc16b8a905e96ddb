/*
 * json.h: JSON output on stdout for the clients (failmon -j, getnode -j).
 */
#ifndef FAIL_JSON_H
#define FAIL_JSON_H

/* s as a JSON string, quoted, with '"', '\' and control bytes escaped. */
void	 json_str(const char *s);

#endif
