/* SCANLENS_DEBUG traces: time since the first trace, resident and peak memory. */
#include "debug_trace.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scan.h"

bool debug_enabled(void)
{
    return getenv("SCANLENS_DEBUG") != NULL;
}

/* VmRSS and VmHWM from /proc/self/status, in MiB; 0 where the kernel does not say. */
static void resident_mib(unsigned long *rss, unsigned long *peak)
{
    *rss = *peak = 0;
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return;
    char line[256];
    while (fgets(line, sizeof line, f)) {
        unsigned long kib;
        if (sscanf(line, "VmRSS: %lu kB", &kib) == 1) *rss = kib >> 10;
        if (sscanf(line, "VmHWM: %lu kB", &kib) == 1) *peak = kib >> 10;
    }
    fclose(f);
}

void debug_trace(const char *fmt, ...)
{
    static double start = -1;
    if (!debug_enabled()) return;
    double now = now_seconds();
    if (start < 0) start = now;
    unsigned long rss, peak;
    resident_mib(&rss, &peak);
    fprintf(stderr, "debug: %6.2f s %6lu MiB (peak %6lu): ", now - start, rss, peak);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}
