/* A radix sort of 64-bit keys: what grouping records by source and ranking sources both sort,
 * millions of them, where a comparison sort would cost several times as much. */
#ifndef SCANLENS_RADIX_H
#define SCANLENS_RADIX_H

#include <stddef.h>
#include <stdint.h>

/* Sorts a[0..n) by their bits from from_bit (a multiple of 8) up, keeping the order of values
 * equal in those bits: an LSD radix sort, a byte a pass, skipping bytes alike in every value.
 * tmp holds n values. */
void radix_sort_u64(uint64_t *a, uint64_t *tmp, size_t n, unsigned from_bit);
/* The same on up to `threads` threads (one for small n): each byte's pass is cut into slices,
 * counted and scattered side by side. The same result as radix_sort_u64. */
void radix_sort_u64_threads(uint64_t *a, uint64_t *tmp, size_t n, unsigned from_bit,
                            size_t threads);

#endif
