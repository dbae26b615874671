/* Handing out a run of pieces of work (a sensor's files in order, and the pieces of each) to
 * threads so that each thread's pieces stay side by side. Two threads share a lane, a share of
 * the pieces: one takes them forward from its first, the other backward from its last, until
 * they meet (the last thread of an odd number has a lane of its own). As the pieces follow
 * each other in time, each thread then holds other days than the others but where two meet,
 * and merging the threads' tables takes days over whole; yet neither thread of a lane waits
 * for the other at the end by more than a piece. Taking pieces in turn instead gave every
 * thread every day of a month of hourly files: twice the memory, and a merge slower than the
 * second thread saved. */
#ifndef SCANLENS_LANES_H
#define SCANLENS_LANES_H

#include <stddef.h>

typedef struct lanes lanes_t;

/* Lanes for n pieces (0 to n - 1) and `threads` threads; NULL when out of memory. */
lanes_t *lanes_new(size_t threads, size_t n);
/* The next piece for thread t (0 <= t < threads), or SIZE_MAX when its lane has none left.
 * Safe to call from the threads at once. */
size_t lanes_take(lanes_t *l, size_t t);
/* Pieces taken so far by all threads. */
size_t lanes_taken(lanes_t *l);
void lanes_free(lanes_t *l);

#endif
