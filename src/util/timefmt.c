/* Timestamp formatting. */
#include "timefmt.h"

#include <stdio.h>
#include <string.h>

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

/* The n characters of text into buf of len bytes, cut short as snprintf would. */
static const char *copy_out(const char *text, size_t n, char *buf, size_t len)
{
    if (len == 0) return buf;
    if (n >= len) n = len - 1;
    memcpy(buf, text, n);
    buf[n] = '\0';
    return buf;
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
    return copy_out(text, (size_t)(p - text), buf, len);
}

/* Arithmetic, as format_time_utc: gmtime_r takes glibc's time-zone lock on every call, which
 * was most of writing ports.csv (a date a row, a million rows for a month). */
const char *format_day(int32_t day, char *buf, size_t len)
{
    int year, month, mday;
    civil_from_days(day, &year, &month, &mday);
    char text[16], *p = text;
    if (year < 0 || year > 9999) /* outside what four digits hold: as snprintf writes it */
        return snprintf(buf, len, "%04d-%02d-%02d", year, month, mday), buf;
    p = put_digits(p, year, 4);
    *p++ = '-';
    p = put_digits(p, month, 2);
    *p++ = '-';
    p = put_digits(p, mday, 2);
    return copy_out(text, (size_t)(p - text), buf, len);
}

const char *format_time_short(int64_t ts_ns, char *buf, size_t len)
{
    char full[40];
    format_time_utc(ts_ns, full, sizeof full);
    snprintf(buf, len, "%.10s %.5s", full, full + 11);
    return buf;
}
