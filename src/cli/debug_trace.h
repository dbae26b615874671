/* Where time and memory go, for whoever tunes scanlens: with SCANLENS_DEBUG in the
 * environment, each call prints the seconds since the first call, the resident memory and
 * its peak so far, and a message. Without it, nothing. */
#ifndef SCANLENS_DEBUG_TRACE_H
#define SCANLENS_DEBUG_TRACE_H

#include <stdbool.h>

bool debug_enabled(void);
void debug_trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
