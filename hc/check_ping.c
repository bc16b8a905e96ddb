/* check_ping.c: placeholder, being written. */
#include <stdio.h>
#include "hc_check.h"
static void *stub_parse(int argc, char **argv, char *err, size_t errlen) { (void)argc; (void)argv; snprintf(err, errlen, "not built yet"); return NULL; }
static int stub_run(void *c, const char *t, int64_t d, char *w, size_t l) { (void)c; (void)t; (void)d; snprintf(w, l, "not built"); return -1; }
static void stub_free(void *c) { (void)c; }
const struct hc_check_type hc_check_ping = { "ping", stub_parse, stub_run, stub_free };
