/* Lanes of pieces taken from both ends (see lanes.h). */
#include "lanes.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

struct lane {
    pthread_mutex_t lock;
    size_t front, back; /* the pieces [front, back) not taken yet */
};

struct lanes {
    size_t threads, n_lanes;
    _Atomic size_t taken;
    struct lane lane[];
};

lanes_t *lanes_new(size_t threads, size_t n)
{
    if (threads == 0) threads = 1;
    size_t n_lanes = (threads + 1) / 2;
    lanes_t *l = calloc(1, sizeof *l + n_lanes * sizeof l->lane[0]);
    if (!l) return NULL;
    l->threads = threads;
    l->n_lanes = n_lanes;
    for (size_t i = 0; i < n_lanes; i++) { /* a lane's share: its threads' */
        pthread_mutex_init(&l->lane[i].lock, NULL);
        l->lane[i].front = n * (2 * i) / threads;
        l->lane[i].back = n * (2 * i + 2 < threads ? 2 * i + 2 : threads) / threads;
    }
    return l;
}

size_t lanes_take(lanes_t *l, size_t t)
{
    struct lane *lane = &l->lane[t / 2 < l->n_lanes ? t / 2 : l->n_lanes - 1];
    size_t i = SIZE_MAX;
    pthread_mutex_lock(&lane->lock);
    if (lane->front < lane->back) i = t % 2 ? --lane->back : lane->front++;
    pthread_mutex_unlock(&lane->lock);
    if (i != SIZE_MAX) atomic_fetch_add(&l->taken, 1);
    return i;
}

size_t lanes_taken(lanes_t *l)
{
    return atomic_load(&l->taken);
}

void lanes_free(lanes_t *l)
{
    if (!l) return;
    for (size_t i = 0; i < l->n_lanes; i++)
        pthread_mutex_destroy(&l->lane[i].lock);
    free(l);
}
