/* Timestamp formatting. */
#include "timefmt.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* The civil date of a day number, by Howard Hinnant's days-to-civil arithmetic
 * (proleptic Gregorian): exact for every day an int64 of nanoseconds reaches. */
static void civil_from_days(int64_t z, int *year, int *month, int *day)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *day = (int)(doy - (153 * mp + 2) / 5 + 1);
    *month = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = (int)(yoe + era * 400 + (*month <= 2));
}

static char *put_digits(char *p, int64_t v, int width)
{
    for (int i = width - 1; i >= 0; i--, v /= 10)
        p[i] = (char)('0' + v % 10);
    return p + width;
}

/* Written digit by digit, not with gmtime_r and snprintf: sources.csv holds two a source, and
 * for millions of sources the library calls took a third of writing it. */
const char *format_time_utc(int64_t ts_ns, char *buf, size_t len)
{
    int64_t sec = ts_ns / 1000000000, ns = ts_ns % 1000000000;
    if (ns < 0) {
        ns += 1000000000;
        sec--;
    }
    int64_t days = sec / 86400, in_day = sec % 86400;
    if (in_day < 0) {
        in_day += 86400;
        days--;
    }
    int year, month, day;
    civil_from_days(days, &year, &month, &day);
    char text[32], *p = text; /* years 1677..2262: always four digits */
    p = put_digits(p, year, 4);
    *p++ = '-';
    p = put_digits(p, month, 2);
    *p++ = '-';
    p = put_digits(p, day, 2);
    *p++ = 'T';
    p = put_digits(p, in_day / 3600, 2);
    *p++ = ':';
    p = put_digits(p, in_day / 60 % 60, 2);
    *p++ = ':';
    p = put_digits(p, in_day % 60, 2);
    *p++ = '.';
    p = put_digits(p, ns / 1000, 6);
    *p++ = 'Z';
    size_t n = (size_t)(p - text);
    if (len == 0) return buf;
    if (n >= len) n = len - 1; /* cut short, as snprintf would */
    memcpy(buf, text, n);
    buf[n] = '\0';
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
