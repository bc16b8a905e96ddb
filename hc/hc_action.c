/* hc_action.c: being written */
#include "hc.h"
