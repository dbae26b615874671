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
    for (unsigned d = 0; d < digits; d++) {
        unsigned shift = from_bit + 8 * d;
        if (n == 0 || count[d][a[0] >> shift & 0xFF] == n) continue; /* this byte is all alike */
        size_t at[256], sum = 0;
        for (int b = 0; b < 256; b++) {
            at[b] = sum;
            sum += count[d][b];
        }
        for (size_t i = 0; i < n; i++)
            tmp[at[a[i] >> shift & 0xFF]++] = a[i];
        memcpy(a, tmp, n * sizeof *a);
    }
}
