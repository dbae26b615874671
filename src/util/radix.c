/* LSD radix sort of 64-bit keys. */
#include "radix.h"

#include <string.h>

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
