/* Large zeroed allocations, on transparent huge pages where they are read at random (hash
 * tables: fewer TLB misses) and on the system's default pages where they are filled in order
 * (blocks of records: a fresh huge page costs more here than the misses it saves). */
#ifndef SCANLENS_BIGALLOC_H
#define SCANLENS_BIGALLOC_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

/* How the memory is used, which decides its pages. */
enum big_use {
    BIG_RANDOM, /* looked up at random, e.g. a hash table: huge pages asked for */
    BIG_FILLED, /* filled in order, e.g. blocks of records: default pages (judging's random
                 * reads of them lose less to TLB misses than fresh huge pages cost here) */
};

/* Zeroed memory of n bytes, or NULL. Free with big_free(p, n). */
void *big_calloc(size_t n, enum big_use use);
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
bool big_ahead_start(struct big_ahead *a, size_t n, enum big_use use);
/* Waits for the touching, hands the memory over (free it with big_free) and empties *a. */
void *big_ahead_take(struct big_ahead *a);
/* Waits, then frees what was not taken. */
void big_ahead_cancel(struct big_ahead *a);

#endif
