/* Running independent slices of one job on threads of their own. */
#ifndef SCANLENS_PARALLEL_H
#define SCANLENS_PARALLEL_H

#include <stddef.h>

#define PARALLEL_MAX 16

/* How many slices to cut a job into for `wanted` threads: 1 to PARALLEL_MAX. */
static inline size_t parallel_slices(size_t wanted)
{
    return wanted < 1 ? 1 : wanted > PARALLEL_MAX ? PARALLEL_MAX : wanted;
}

/* Calls fn on each of n slices (n <= PARALLEL_MAX) laid out `size` bytes apart from `slices`:
 * the first here, the others on threads of their own at the same time; a slice whose thread
 * cannot be had runs here afterwards. Returns when all are done. */
void run_in_threads(void *(*fn)(void *), void *slices, size_t size, size_t n);

#endif
