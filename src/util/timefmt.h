/* Timestamps as text: ISO 8601 in UTC, and day numbers as dates. */
#ifndef SCANLENS_TIMEFMT_H
#define SCANLENS_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

/* "2019-01-29T03:04:05.123456Z" (microseconds) into buf (at least 32 bytes). */
const char *format_time_utc(int64_t ts_ns, char *buf, size_t len);
/* "2019-01-29 03:04" (UTC, to the minute), for tables meant to be read. */
const char *format_time_short(int64_t ts_ns, char *buf, size_t len);
/* "2019-01-29" for a day number (days since 1970-01-01). */
const char *format_day(int32_t day, char *buf, size_t len);
/* Days since 1970-01-01 in UTC. */
static inline int32_t day_of_utc(int64_t ts_ns)
{
    int64_t s = ts_ns >= 0 ? ts_ns / 1000000000 : -((-ts_ns + 999999999) / 1000000000);
    return (int32_t)(s >= 0 ? s / 86400 : -((-s + 86399) / 86400));
}

#endif
