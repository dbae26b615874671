/* mmap-based allocation for large, long-lived tables, with MADV_HUGEPAGE for those read at
 * random. Measured on this VM (docs/design.md, "Fresh memory"): a fresh huge page took several
 * times as long per byte to fault in as 4 KiB pages, so blocks filled in order stay on the
 * default pages; with -j 2 (no idle core for the helpers that fault pages in) that made the
 * 10 M-source month 15% faster, and judging's random reads of records lost less than that. */
#include "bigalloc.h"

#include <sys/mman.h>

#define HUGE_PAGE (2u << 20)

void *big_calloc(size_t n, enum big_use use)
{
    if (n == 0) n = 1;
    void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return NULL;
    if (use == BIG_RANDOM && n >= HUGE_PAGE)
        madvise(p, n, MADV_HUGEPAGE); /* advice only: fine if refused */
    return p;
}

void big_free(void *p, size_t n)
{
    if (p) munmap(p, n ? n : 1);
}

static void *touch_pages(void *arg)
{
    struct big_ahead *a = arg;
    volatile char *p = a->p;
    for (size_t off = 0; off < a->n; off += 4096)
        p[off] = 0; /* already zero: the write only makes the kernel supply the page */
    return NULL;
}

bool big_ahead_start(struct big_ahead *a, size_t n, enum big_use use)
{
    a->n = n;
    a->touching = false;
    if (!(a->p = big_calloc(n, use))) return false;
    a->touching = pthread_create(&a->thread, NULL, touch_pages, a) == 0;
    return true; /* no thread to be had: the pages come on first use, as usual */
}

void *big_ahead_take(struct big_ahead *a)
{
    if (a->touching) pthread_join(a->thread, NULL);
    void *p = a->p;
    a->p = NULL;
    a->touching = false;
    return p;
}

void big_ahead_cancel(struct big_ahead *a)
{
    void *p = big_ahead_take(a);
    big_free(p, a->n);
}
