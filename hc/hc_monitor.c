/* hc_monitor.c: being written */
#include "hc.h"
void hc_monitor_start(void) {}
