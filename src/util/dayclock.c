/* Local calendar days with cached boundaries. */
#include "dayclock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "timefmt.h"

static bool zone_is_utc = true;

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static int32_t days_from_civil(int y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + (int)doe - 719468);
}

bool parse_day(const char *text, int32_t *day)
{
    int y, m, d;
    char tail;
    if (sscanf(text, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || m < 1 || m > 12 || d < 1 || d > 31)
        return false;
    *day = days_from_civil(y, (unsigned)m, (unsigned)d);
    char back[16];
    return strcmp(format_day(*day, back, sizeof back), text) == 0; /* rejects 2019-02-30 */
}

int dayclock_set_zone(const char *zone, char *errbuf)
{
    if (!strcmp(zone, "UTC") || !strcmp(zone, "utc") || !strcmp(zone, "Etc/UTC")) {
        zone_is_utc = true;
        return SL_OK;
    }
    char path[512];
    snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", zone);
    if (zone[0] == '/' || strstr(zone, "..") || access(path, R_OK) != 0)
        return sl_error(errbuf, SL_ERR_USAGE,
                        "unknown time zone '%s' (give a name from /usr/share/zoneinfo, e.g. "
                        "Asia/Tokyo)",
                        zone);
    setenv("TZ", zone, 1);
    tzset();
    zone_is_utc = false;
    return SL_OK;
}

void dayclock_init(struct dayclock *c)
{
    c->utc = zone_is_utc;
    c->start_ns = 1;
    c->end_ns = 0; /* empty: the first call computes */
    c->day = 0;
}

int32_t dayclock_day_other(struct dayclock *c, int64_t ts_ns)
{
    if (c->utc) {
        c->day = day_of_utc(ts_ns);
        c->start_ns = (int64_t)c->day * 86400 * 1000000000LL;
        c->end_ns = c->start_ns + 86400 * 1000000000LL;
        return c->day;
    }
    time_t t = (time_t)(ts_ns >= 0 ? ts_ns / 1000000000 : -((-ts_ns + 999999999) / 1000000000));
    struct tm tm;
    localtime_r(&t, &tm);
    c->day = days_from_civil(tm.tm_year + 1900, (unsigned)tm.tm_mon + 1, (unsigned)tm.tm_mday);
    struct tm start = tm;
    start.tm_hour = start.tm_min = start.tm_sec = 0;
    start.tm_isdst = -1;
    struct tm next = start;
    next.tm_mday += 1;
    c->start_ns = (int64_t)mktime(&start) * 1000000000LL;
    c->end_ns = (int64_t)mktime(&next) * 1000000000LL;
    return c->day;
}
