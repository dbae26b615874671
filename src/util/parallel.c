/* Slices on threads, with the calling thread as one of them. */
#include "parallel.h"

#include <pthread.h>
#include <stdbool.h>

void run_in_threads(void *(*fn)(void *), void *slices, size_t size, size_t n)
{
    pthread_t tid[PARALLEL_MAX];
    bool started[PARALLEL_MAX] = {false};
    char *at = slices;
    for (size_t t = 1; t < n && t < PARALLEL_MAX; t++)
        started[t] = pthread_create(&tid[t], NULL, fn, at + t * size) == 0;
    if (n) fn(at);
    for (size_t t = 1; t < n && t < PARALLEL_MAX; t++) {
        if (started[t])
            pthread_join(tid[t], NULL);
        else
            fn(at + t * size); /* no thread to be had: here */
    }
}
