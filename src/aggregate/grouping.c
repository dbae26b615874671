/* Grouping records by source with a radix sort of (address key, record number) pairs. A hash
 * table from address to source did the same with a random memory access a record: with
 * millions of records that is most of the time, where the sort streams through memory. Each
 * step runs on slices of the records or pairs, one a thread. */
#include "grouping.h"

#include <stdlib.h>
#include <string.h>

#include "../util/error.h"
#include "../util/parallel.h"
#include "../util/radix.h"

/* An IPv4 address is its own key (ipaddr_v4); an IPv6 address is keyed by a hash, and
 * records whose hashes are equal are told apart by their addresses after the sort. */
static uint32_t v6_key(const struct ipaddr *a)
{
    uint64_t lo, hi;
    memcpy(&lo, a->b, 8);
    memcpy(&hi, a->b + 8, 8);
    uint64_t x = (lo * 0x9E3779B97F4A7C15ULL) ^ hi;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    return (uint32_t)(x ^ x >> 33);
}

struct v6_member {
    struct ipaddr src;
    uint32_t record;
};

static int compare_v6_member(const void *pa, const void *pb)
{
    const struct v6_member *a = pa, *b = pb;
    int c = memcmp(&a->src, &b->src, sizeof a->src);
    return c ? c : (a->record > b->record) - (a->record < b->record);
}

/* Orders each run of IPv6 records with one hash by address, so that one source's records
 * are side by side even when two addresses share a hash. */
static int split_hash_runs(const agg_t *agg, uint64_t *pairs, size_t n)
{
    for (size_t start = 0, end; start < n; start = end) {
        uint32_t key = (uint32_t)(pairs[start] >> 32);
        struct ipaddr first = agg_record_src(agg, (uint32_t)pairs[start]);
        bool mixed = false;
        for (end = start + 1; end < n && (uint32_t)(pairs[end] >> 32) == key; end++) {
            struct ipaddr src = agg_record_src(agg, (uint32_t)pairs[end]);
            mixed = mixed || memcmp(&src, &first, sizeof first) != 0;
        }
        if (!mixed) continue;
        struct v6_member *run = malloc((end - start) * sizeof *run);
        if (!run) return SL_ERR_NOMEM;
        for (size_t i = start; i < end; i++)
            run[i - start] =
                (struct v6_member){agg_record_src(agg, (uint32_t)pairs[i]), (uint32_t)pairs[i]};
        qsort(run, end - start, sizeof *run, compare_v6_member);
        for (size_t i = start; i < end; i++)
            pairs[i] = (uint64_t)key << 32 | run[i - start].record;
        free(run);
    }
    return SL_OK;
}

/* Numbers the sources of sorted IPv6 pairs from g->n_sources on, filling members and offsets
 * from position m. Two neighbours are one source when their keys and their addresses are
 * equal. (IPv4 pairs are numbered by slices, below: a key is the address.) */
static size_t number_v6_sources(struct grouping *g, const agg_t *agg, const uint64_t *pairs,
                                size_t n, size_t m, uint32_t *record_source)
{
    for (size_t i = 0; i < n; i++, m++) {
        uint32_t r = (uint32_t)pairs[i];
        bool same = i > 0 && pairs[i] >> 32 == pairs[i - 1] >> 32;
        if (same) {
            struct ipaddr a = agg_record_src(agg, r),
                          b = agg_record_src(agg, (uint32_t)pairs[i - 1]);
            same = memcmp(&a, &b, sizeof a) == 0;
        }
        if (!same) g->offsets[g->n_sources++] = (uint32_t)m;
        g->members[m] = r;
        record_source[r] = (uint32_t)g->n_sources - 1;
    }
    return m;
}

/* One thread's share of grouping, in two steps each (the threads meet between them):
 * records [lo, hi) are counted by family, then written as pairs at the slice's place; sorted
 * IPv4 pairs [lo, hi) are counted for where a new source starts, then numbered from the
 * slice's first source number. */
struct group_slice {
    struct grouping *g;
    const agg_t *agg;
    const uint8_t *excluded;
    uint32_t *record_source;
    uint64_t *pairs;
    size_t lo, hi;
    enum { COUNT_FAMILIES, WRITE_PAIRS, COUNT_STARTS, WRITE_SOURCES } step;
    size_t n4, n6;        /* COUNT_FAMILIES: this slice's records of each family */
    size_t at4, at6;      /* WRITE_PAIRS: where they go in pairs */
    size_t starts, first; /* sources starting in the slice; number of its first */
};

/* One-packet records are always IPv4: their family needs no read of the record. */
static bool record_is_v4(const agg_t *agg, size_t r)
{
    if (agg_record_one(agg, r)) return true;
    struct ipaddr src = agg_record_src(agg, r);
    return ipaddr_is_v4(&src);
}

static void *group_step(void *arg)
{
    struct group_slice *s = arg;
    const uint64_t *pairs = s->pairs;
    switch (s->step) {
    case COUNT_FAMILIES:
        for (size_t r = s->lo; r < s->hi; r++) {
            s->record_source[r] = NO_SOURCE;
            if (s->excluded && s->excluded[r]) continue;
            if (record_is_v4(s->agg, r))
                s->n4++;
            else
                s->n6++;
        }
        break;
    case WRITE_PAIRS: /* both families in record order, for a stable sort */
        for (size_t r = s->lo; r < s->hi; r++) {
            if (s->excluded && s->excluded[r]) continue;
            struct ipaddr src = agg_record_src(s->agg, r);
            if (ipaddr_is_v4(&src))
                s->pairs[s->at4++] = (uint64_t)ipaddr_v4(&src) << 32 | r;
            else
                s->pairs[s->at6++] = (uint64_t)v6_key(&src) << 32 | r;
        }
        break;
    case COUNT_STARTS:
        for (size_t i = s->lo; i < s->hi; i++)
            s->starts += i == 0 || pairs[i] >> 32 != pairs[i - 1] >> 32;
        break;
    case WRITE_SOURCES: {
        size_t source = s->first;
        for (size_t i = s->lo; i < s->hi; i++) {
            uint32_t r = (uint32_t)pairs[i];
            if (i == 0 || pairs[i] >> 32 != pairs[i - 1] >> 32)
                s->g->offsets[source++] = (uint32_t)i;
            s->g->members[i] = r;
            s->record_source[r] = (uint32_t)source - 1;
        }
        break;
    }
    }
    return NULL;
}

static void run_step(struct group_slice *slice, size_t threads, int step, size_t n)
{
    for (size_t t = 0; t < threads; t++) {
        slice[t].step = step;
        slice[t].lo = n * t / threads;
        slice[t].hi = n * (t + 1) / threads;
    }
    run_in_threads(group_step, slice, sizeof *slice, threads);
}

int grouping_build(struct grouping *g, const agg_t *agg, const uint8_t *excluded,
                   uint32_t *record_source, size_t threads)
{
    size_t n = agg_records(agg), n4 = 0, n6 = 0;
    memset(g, 0, sizeof *g);
    threads = parallel_slices(threads);
    uint64_t *pairs =
        malloc((n ? n : 1) * sizeof *pairs); /* IPv4 from the start, IPv6 at the end */
    uint64_t *tmp = malloc((n ? n : 1) * sizeof *tmp);
    g->offsets = malloc((n + 1) * sizeof *g->offsets);
    g->members = malloc((n ? n : 1) * sizeof *g->members);
    int rc = pairs && tmp && g->offsets && g->members ? SL_OK : SL_ERR_NOMEM;
    struct group_slice slice[PARALLEL_MAX];
    for (size_t t = 0; t < threads; t++)
        slice[t] = (struct group_slice){.g = g,
                                        .agg = agg,
                                        .excluded = excluded,
                                        .record_source = record_source,
                                        .pairs = pairs};
    if (rc == SL_OK) {
        run_step(slice, threads, COUNT_FAMILIES, n);
        for (size_t t = 0; t < threads; t++)
            n6 += slice[t].n6;
        for (size_t t = 0, at6 = n - n6; t < threads; t++) {
            slice[t].at4 = n4;
            slice[t].at6 = at6;
            n4 += slice[t].n4;
            at6 += slice[t].n6;
        }
        run_step(slice, threads, WRITE_PAIRS, n);
        uint64_t *v6 = pairs + n - n6;
        /* by key; among equal keys in record order, as they came */
        radix_sort_u64_threads(pairs, tmp, n4, 32, threads);
        radix_sort_u64(v6, tmp, n6, 32);
        rc = split_hash_runs(agg, v6, n6);
    }
    if (rc == SL_OK) {
        run_step(slice, threads, COUNT_STARTS, n4);
        for (size_t t = 0; t < threads; t++) {
            slice[t].first = g->n_sources;
            g->n_sources += slice[t].starts;
        }
        run_step(slice, threads, WRITE_SOURCES, n4);
        size_t m = number_v6_sources(g, agg, pairs + n - n6, n6, n4, record_source);
        g->offsets[g->n_sources] = (uint32_t)m;
    }
    free(pairs);
    free(tmp);
    if (rc != SL_OK) grouping_free(g);
    return rc;
}

void grouping_free(struct grouping *g)
{
    free(g->offsets);
    free(g->members);
    g->offsets = g->members = NULL;
    g->n_sources = 0;
}
