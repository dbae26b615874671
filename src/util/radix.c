/* LSD radix sort of 64-bit keys, on one thread or several. */
#include "radix.h"

#include <stdbool.h>
#include <string.h>

#include "parallel.h"

void radix_sort_u64(uint64_t *a, uint64_t *tmp, size_t n, unsigned from_bit)
{
    size_t count[8][256] = {{0}};
    unsigned digits = (64 - from_bit) / 8;
    for (size_t i = 0; i < n; i++) /* every byte's histogram in one pass */
        for (unsigned d = 0; d < digits; d++)
            count[d][a[i] >> (from_bit + 8 * d) & 0xFF]++;
    uint64_t *from = a, *to = tmp; /* each pass writes the other array: no copy between */
    for (unsigned d = 0; d < digits; d++) {
        unsigned shift = from_bit + 8 * d;
        if (n == 0 || count[d][from[0] >> shift & 0xFF] == n) continue; /* all alike */
        size_t at[256], sum = 0;
        for (int b = 0; b < 256; b++) {
            at[b] = sum;
            sum += count[d][b];
        }
        for (size_t i = 0; i < n; i++)
            to[at[from[i] >> shift & 0xFF]++] = from[i];
        uint64_t *sorted = to;
        to = from;
        from = sorted;
    }
    if (from != a) memcpy(a, from, n * sizeof *a);
}

/* One thread's slice [lo, hi) of a pass: first its byte histogram, then, with `at` set to
 * where its values of each byte go, the scatter. Slices keep their order within a byte
 * (slice t's values go after slice t - 1's), so the sort stays stable. */
struct radix_slice {
    const uint64_t *from;
    uint64_t *to;
    size_t lo, hi;
    unsigned shift;
    bool scatter;
    size_t count[256];
    size_t at[256];
};

static void *radix_pass(void *arg)
{
    struct radix_slice *s = arg;
    if (!s->scatter) {
        memset(s->count, 0, sizeof s->count);
        for (size_t i = s->lo; i < s->hi; i++)
            s->count[s->from[i] >> s->shift & 0xFF]++;
        return NULL;
    }
    for (size_t i = s->lo; i < s->hi; i++)
        s->to[s->at[s->from[i] >> s->shift & 0xFF]++] = s->from[i];
    return NULL;
}

/* Below this, threads cost more than they save. */
#define RADIX_THREADS_FROM 200000

void radix_sort_u64_threads(uint64_t *a, uint64_t *tmp, size_t n, unsigned from_bit, size_t threads)
{
    threads = parallel_slices(threads);
    if (threads == 1 || n < RADIX_THREADS_FROM) {
        radix_sort_u64(a, tmp, n, from_bit);
        return;
    }
    struct radix_slice slice[PARALLEL_MAX];
    uint64_t *from = a, *to = tmp;
    for (unsigned shift = from_bit; shift < 64; shift += 8) {
        for (size_t t = 0; t < threads; t++)
            slice[t] = (struct radix_slice){.from = from,
                                            .to = to,
                                            .lo = n * t / threads,
                                            .hi = n * (t + 1) / threads,
                                            .shift = shift};
        run_in_threads(radix_pass, slice, sizeof *slice, threads);
        size_t first = from[0] >> shift & 0xFF, alike = 0, sum = 0;
        for (size_t t = 0; t < threads; t++)
            alike += slice[t].count[first];
        if (alike == n) continue; /* all alike in this byte */
        for (int b = 0; b < 256; b++)
            for (size_t t = 0; t < threads; t++) {
                slice[t].at[b] = sum;
                sum += slice[t].count[b];
            }
        for (size_t t = 0; t < threads; t++)
            slice[t].scatter = true;
        run_in_threads(radix_pass, slice, sizeof *slice, threads);
        uint64_t *sorted = to;
        to = from;
        from = sorted;
    }
    if (from != a) memcpy(a, from, n * sizeof *a);
}
