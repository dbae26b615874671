/* Large zeroed allocations backed by transparent huge pages where the kernel allows it:
 * tables of millions of records otherwise spend much of their time in page faults. */
#ifndef SCANLENS_BIGALLOC_H
#define SCANLENS_BIGALLOC_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

/* Zeroed memory of n bytes, or NULL. Free with big_free(p, n). */
void *big_calloc(size_t n);
void big_free(void *p, size_t n);

/* A zeroed allocation made ahead of need: a helper thread touches its pages meanwhile, so
 * that whoever takes it later does not stop on the page faults (on a virtual machine the
 * kernel hands out fresh memory at well under 1 GB/s). */
struct big_ahead {
    void *p;
    size_t n;
    pthread_t thread;
    bool touching;
};

/* Allocates n bytes and starts touching them. false when out of memory. */
bool big_ahead_start(struct big_ahead *a, size_t n);
/* Waits for the touching, hands the memory over (free it with big_free) and empties *a. */
void *big_ahead_take(struct big_ahead *a);
/* Waits, then frees what was not taken. */
void big_ahead_cancel(struct big_ahead *a);

#endif
