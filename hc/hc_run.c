/* hc_run.c: being written */
#include "hc.h"
void hc_run_start(void) {}
void hc_reload(void) {}
