/* Timestamp formatting. */
#include "timefmt.h"

#include <stdio.h>
#include <time.h>

const char *format_time_utc(int64_t ts_ns, char *buf, size_t len)
{
    int64_t sec = ts_ns / 1000000000, ns = ts_ns % 1000000000;
    if (ns < 0) {
        ns += 1000000000;
        sec--;
    }
    time_t t = (time_t)sec;
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        snprintf(buf, len, "?");
        return buf;
    }
    snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long long)(ns / 1000));
    return buf;
}

const char *format_day(int32_t day, char *buf, size_t len)
{
    time_t t = (time_t)day * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(buf, len, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    return buf;
}

const char *format_time_short(int64_t ts_ns, char *buf, size_t len)
{
    char full[40];
    format_time_utc(ts_ns, full, sizeof full);
    snprintf(buf, len, "%.10s %.5s", full, full + 11);
    return buf;
}
