/* Day numbers in a chosen time zone, fast: the current day's boundaries are cached, so the
 * zone rules (localtime_r) are consulted once per day boundary crossed, not per packet. */
#ifndef SCANLENS_DAYCLOCK_H
#define SCANLENS_DAYCLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct dayclock {
    bool utc;
    int64_t start_ns, end_ns; /* the cached day: [start, end) */
    int32_t day;
};

/* Selects the zone for the whole process ("UTC" or an IANA name such as "Asia/Tokyo", checked
 * against the system's zone database). Call from main's thread before any dayclock use:
 * it sets TZ, which is process-wide. */
int dayclock_set_zone(const char *zone, char *errbuf);
void dayclock_init(struct dayclock *c);
/* dayclock_day for a time outside the cached day: finds its day and caches it. */
int32_t dayclock_day_other(struct dayclock *c, int64_t ts_ns);
/* The local calendar day of ts as days since 1970-01-01 (the date it has in the zone). Inline
 * for the cached day, which nearly every packet is on. */
static inline int32_t dayclock_day(struct dayclock *c, int64_t ts_ns)
{
    if (ts_ns >= c->start_ns && ts_ns < c->end_ns) return c->day;
    return dayclock_day_other(c, ts_ns);
}
/* Parses YYYY-MM-DD into a day number; false if it is not a valid date. */
bool parse_day(const char *text, int32_t *day);

#endif
