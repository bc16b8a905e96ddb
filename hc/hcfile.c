/* hcfile.c: being written */
#include <stdio.h>
#include "hc.h"
struct hc_config *hcfile_load(const char *path, char *err, size_t errlen) { snprintf(err, errlen, "%s: not yet", path); return NULL; }
