/* Outlier detection over (day, source) records. */
#include "outliers.h"

#include <stdlib.h>
#include <string.h>

#include "../util/error.h"
#include "../util/parallel.h"

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static bool counted(const struct analysis *an, size_t r)
{
    return record_scanner_tool(an, r) >= 0;
}

/* One thread's share of the records, [lo, hi): first its SYNs by day (into sums, its own),
 * then, with every day's total in totals, the records that stand out (into found, in record
 * order, so the slices joined in order list them as one thread would). */
struct outlier_slice {
    const agg_t *agg;
    const struct analysis *an;
    const struct outlier_config *cfg;
    size_t lo, hi;
    int32_t first; /* the day of sums[0] and totals[0] */
    uint64_t *sums;
    const uint64_t *totals;
    double median;
    struct outlier *found;
    size_t n_found;
    bool ok;
};

static void *outlier_pass(void *arg)
{
    struct outlier_slice *s = arg;
    const agg_t *agg = s->agg;
    if (!s->totals) {
        for (size_t r = s->lo; r < s->hi; r++)
            if (counted(s->an, r))
                s->sums[agg_record_day(agg, r) - s->first] += agg_record_syn(agg, r);
        return NULL;
    }
    for (size_t r = s->lo; r < s->hi; r++) {
        if (!counted(s->an, r)) continue;
        /* the fields first: building a record (one-packet records are built in a scratch)
         * only for the few that stand out */
        uint64_t syn = agg_record_syn(agg, r), total = s->totals[agg_record_day(agg, r) - s->first];
        if (!syn || (double)syn < s->cfg->min_share * (double)total ||
            (double)syn < s->cfg->min_factor * s->median)
            continue;
        struct src_day scratch;
        const struct src_day *rec = agg_record(agg, r, &scratch);
        struct outlier *grown = realloc(s->found, (s->n_found + 1) * sizeof *grown);
        if (!grown) {
            s->ok = false;
            return NULL;
        }
        s->found = grown;
        s->found[s->n_found++] = (struct outlier){
            .record = (uint32_t)r,
            .tool = (uint8_t)record_scanner_tool(s->an, r),
            .day = rec->day,
            .syn_packets = syn,
            .day_syn = total,
            .ports = rec->syn_ports.n,
            .median_day_syn = s->median,
        };
    }
    return NULL;
}

int find_outliers(const agg_t *agg, const struct analysis *an, const struct outlier_config *cfg,
                  size_t threads, struct outlier **out, size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    size_t n = agg_records(agg);
    /* one pass over the records (a cache line each) adds up the days of the table's range */
    int32_t first, last;
    agg_day_range(agg, &first, &last);
    if (first > last) return SL_OK;
    size_t days = (size_t)(last - first) + 1;
    threads = parallel_slices(threads);
    struct outlier_slice slice[PARALLEL_MAX];
    uint64_t *sums = calloc(threads * days, sizeof *sums), *sorted = calloc(days, sizeof *sorted);
    int rc = sums && sorted ? SL_OK : SL_ERR_NOMEM;
    for (size_t t = 0; t < threads; t++)
        slice[t] = (struct outlier_slice){.agg = agg,
                                          .an = an,
                                          .cfg = cfg,
                                          .lo = n * t / threads,
                                          .hi = n * (t + 1) / threads,
                                          .first = first,
                                          .sums = sums ? sums + t * days : NULL,
                                          .ok = true};
    if (rc == SL_OK) run_in_threads(outlier_pass, slice, sizeof *slice, threads);
    uint64_t *day_syn = sums; /* the first slice's sums become the totals */
    for (size_t t = 1; rc == SL_OK && t < threads; t++)
        for (size_t d = 0; d < days; d++)
            day_syn[d] += slice[t].sums[d];
    size_t active = 0;
    for (size_t d = 0; rc == SL_OK && d < days; d++)
        if (day_syn[d]) sorted[active++] = day_syn[d];
    if (rc == SL_OK && active) { /* with no SYN probes at all, nothing can stand out */
        qsort(sorted, active, sizeof *sorted, compare_u64);
        double median = active % 2
                            ? (double)sorted[active / 2]
                            : ((double)sorted[active / 2 - 1] + (double)sorted[active / 2]) / 2;
        for (size_t t = 0; t < threads; t++) {
            slice[t].totals = day_syn;
            slice[t].median = median;
        }
        run_in_threads(outlier_pass, slice, sizeof *slice, threads);
        for (size_t t = 0; t < threads; t++) {
            if (!slice[t].ok) rc = SL_ERR_NOMEM;
            *n_out += slice[t].n_found;
        }
        *out = rc == SL_OK && *n_out ? malloc(*n_out * sizeof **out) : NULL;
        if (*n_out && !*out) rc = SL_ERR_NOMEM;
        for (size_t t = 0, at = 0; rc == SL_OK && t < threads; t++) {
            if (slice[t].n_found)
                memcpy(*out + at, slice[t].found, slice[t].n_found * sizeof **out);
            at += slice[t].n_found;
        }
    }
    for (size_t t = 0; t < threads; t++)
        free(slice[t].found);
    if (rc != SL_OK) {
        free(*out);
        *out = NULL;
        *n_out = 0;
    }
    free(sums);
    free(sorted);
    return rc;
}
