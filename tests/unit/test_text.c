/* Text forms written digit by digit for speed, against the libc calls they replace:
 * timestamps (gmtime_r, over the whole range of int64 nanoseconds), dates of day numbers
 * (gmtime_r, over every int32 day), IPv4 addresses (inet_ntop), and decimals of the CSV
 * files. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "classify/netset.h"
#include "report/csv_out.h"
#include "util/timefmt.h"

/* What format_time_utc wrote before it was hand-written: gmtime_r and snprintf. */
static void reference(int64_t ts_ns, char *buf, size_t len)
{
    int64_t sec = ts_ns / 1000000000, ns = ts_ns % 1000000000;
    if (ns < 0) {
        ns += 1000000000;
        sec--;
    }
    time_t t = (time_t)sec;
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long long)(ns / 1000));
}

/* What format_day wrote before it was hand-written. */
static void reference_day(int32_t day, char *buf, size_t len)
{
    time_t t = (time_t)day * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(buf, len, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

static uint64_t next_random(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

int main(void)
{
    char buf[40];
    CHECK("the epoch", !strcmp(format_time_utc(0, buf, sizeof buf), "1970-01-01T00:00:00.000000Z"));
    CHECK("a nanosecond before the epoch",
          !strcmp(format_time_utc(-1, buf, sizeof buf), "1969-12-31T23:59:59.999999Z"));
    CHECK("a time of day with microseconds",
          !strcmp(format_time_utc(1548731045123456789, buf, sizeof buf),
                  "2019-01-29T03:04:05.123456Z"));
    CHECK("a leap day", !strcmp(format_time_utc(951782400000000000, buf, sizeof buf),
                                "2000-02-29T00:00:00.000000Z"));
    CHECK("the last nanosecond of 2262",
          !strcmp(format_time_utc(INT64_MAX, buf, sizeof buf), "2262-04-11T23:47:16.854775Z"));
    CHECK("the first of 1677",
          !strcmp(format_time_utc(INT64_MIN, buf, sizeof buf), "1677-09-21T00:12:43.145224Z"));
    char small[11];
    CHECK("a short buffer: cut, terminated",
          !strcmp(format_time_utc(0, small, sizeof small), "1970-01-01"));
    uint64_t state = 0x9E3779B97F4A7C15ull;
    int same = 1;
    for (int i = 0; i < 200000 && same; i++) {
        int64_t ts = (int64_t)next_random(&state);
        if (i % 2) ts /= 1000; /* many near the present too */
        char want[40];
        reference(ts, want, sizeof want);
        same = !strcmp(format_time_utc(ts, buf, sizeof buf), want);
        if (!same) printf("# %lld: %s, not %s\n", (long long)ts, buf, want);
    }
    CHECK("200,000 random times: as gmtime_r gives them", same);
    CHECK("a day number as a date", !strcmp(format_day(17897, buf, sizeof buf), "2019-01-01"));
    CHECK("a day before the epoch", !strcmp(format_day(-1, buf, sizeof buf), "1969-12-31"));
    CHECK("a date cut to its year", !strcmp(format_day(17897, buf, 5), "2019"));
    same = 1;
    for (int64_t d = -800000; d <= 3000000 && same; d++) { /* years -220 to 10183 */
        char want[40];
        reference_day((int32_t)d, want, sizeof want);
        same = !strcmp(format_day((int32_t)d, buf, sizeof buf), want);
        if (!same) printf("# day %lld: %s, not %s\n", (long long)d, buf, want);
    }
    for (int i = 0; i < 200000 && same; i++) {
        int32_t d = i < 2 ? (i ? INT32_MAX : INT32_MIN) : (int32_t)next_random(&state);
        char want[40];
        reference_day(d, want, sizeof want);
        same = !strcmp(format_day(d, buf, sizeof buf), want);
        if (!same) printf("# day %d: %s, not %s\n", d, buf, want);
    }
    CHECK("every day of years -220 to 10183 and 200,000 random days: as gmtime_r gives them", same);
    same = 1;
    for (int i = 0; i < 200000 && same; i++) {
        uint32_t v4 = (uint32_t)next_random(&state);
        if (i < 256) v4 = (uint32_t)i * 0x01010101u; /* 0.0.0.0, 1.1.1.1 ... 255.255.255.255 */
        struct ipaddr a = ipaddr_from_v4(v4);
        char want[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, a.b + 12, want, sizeof want);
        same = !strcmp(ipaddr_format(&a, buf, sizeof buf), want);
        if (!same) printf("# %s, not %s\n", buf, want);
    }
    CHECK("200,000 IPv4 addresses: as inet_ntop gives them", same);
    char *csv = NULL;
    size_t csv_len = 0;
    FILE *mem = open_memstream(&csv, &csv_len);
    csv_put_last_hundredths(mem, 1205);
    csv_put_last_hundredths(mem, 7);
    csv_put_last_hundredths(mem, 0);
    csv_put_last_hundredths(mem, 4294967295u);
    fclose(mem);
    CHECK("hundredths with two decimals", !strcmp(csv, "12.05\n0.07\n0.00\n42949672.95\n"));
    free(csv);
    CHECK_DONE();
}
