/* Large zeroed allocations backed by transparent huge pages where the kernel allows it:
 * tables of millions of records otherwise spend much of their time in page faults. */
#ifndef SCANLENS_BIGALLOC_H
#define SCANLENS_BIGALLOC_H

#include <stddef.h>

/* Zeroed memory of n bytes, or NULL. Free with big_free(p, n). */
void *big_calloc(size_t n);
void big_free(void *p, size_t n);

#endif
