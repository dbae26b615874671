/* mmap-based allocation with MADV_HUGEPAGE for large, long-lived tables. */
#include "bigalloc.h"

#include <sys/mman.h>

#define HUGE_PAGE (2u << 20)

void *big_calloc(size_t n)
{
    if (n == 0) n = 1;
    void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return NULL;
    if (n >= HUGE_PAGE) madvise(p, n, MADV_HUGEPAGE); /* advice only: fine if refused */
    return p;
}

void big_free(void *p, size_t n)
{
    if (p) munmap(p, n ? n : 1);
}
