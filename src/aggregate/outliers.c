/* Outlier detection over (day, source) records. */
#include "outliers.h"

#include <stdlib.h>

#include "../util/error.h"

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static bool counted(const struct analysis *an, size_t r)
{
    return record_scanner_tool(an, r) >= 0;
}

int find_outliers(const agg_t *agg, const struct analysis *an, const struct outlier_config *cfg,
                  struct outlier **out, size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    size_t n = agg_records(agg);
    /* one pass over the records (a cache line each) adds up the days of the table's range */
    int32_t first, last;
    agg_day_range(agg, &first, &last);
    if (first > last) return SL_OK;
    size_t days = (size_t)(last - first) + 1;
    uint64_t *day_syn = calloc(days, sizeof *day_syn), *sorted = calloc(days, sizeof *sorted);
    if (!day_syn || !sorted) {
        free(day_syn);
        free(sorted);
        return SL_ERR_NOMEM;
    }
    for (size_t r = 0; r < n; r++)
        if (counted(an, r)) day_syn[agg_record_day(agg, r) - first] += agg_record_syn(agg, r);
    size_t active = 0;
    for (size_t d = 0; d < days; d++)
        if (day_syn[d]) sorted[active++] = day_syn[d];
    if (!active) { /* no SYN probes at all: nothing can stand out */
        free(day_syn);
        free(sorted);
        return SL_OK;
    }
    qsort(sorted, active, sizeof *sorted, compare_u64);
    double median = active % 2 ? (double)sorted[active / 2]
                               : ((double)sorted[active / 2 - 1] + (double)sorted[active / 2]) / 2;
    int rc = SL_OK;
    for (size_t r = 0; r < n && rc == SL_OK; r++) {
        if (!counted(an, r)) continue;
        /* the fields first: building a record (one-packet records are built in a scratch)
         * only for the few that stand out */
        uint64_t syn = agg_record_syn(agg, r), total = day_syn[agg_record_day(agg, r) - first];
        if (!syn || (double)syn < cfg->min_share * (double)total ||
            (double)syn < cfg->min_factor * median)
            continue;
        struct src_day scratch;
        const struct src_day *rec = agg_record(agg, r, &scratch);
        struct outlier *grown = realloc(*out, (*n_out + 1) * sizeof *grown);
        if (!grown) {
            rc = SL_ERR_NOMEM;
            break;
        }
        *out = grown;
        (*out)[(*n_out)++] = (struct outlier){
            .record = (uint32_t)r,
            .tool = (uint8_t)record_scanner_tool(an, r),
            .day = rec->day,
            .syn_packets = syn,
            .day_syn = total,
            .ports = rec->syn_ports.n,
            .median_day_syn = median,
        };
    }
    free(day_syn);
    free(sorted);
    return rc;
}
