/* Lanes of pieces (util/lanes.h): every piece taken once, and each thread's pieces side by
 * side, however fast each thread takes them. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "util/lanes.h"

/* Takes all n pieces with `threads` threads, thread t taking speed[t] pieces a round, and
 * checks that each piece went to one thread and that each thread's pieces are a run without
 * gaps. */
static bool side_by_side(size_t threads, size_t n, const unsigned *speed)
{
    lanes_t *l = lanes_new(threads, n);
    size_t *owner = malloc((n ? n : 1) * sizeof *owner);
    if (!l || !owner) abort();
    for (size_t i = 0; i < n; i++)
        owner[i] = SIZE_MAX;
    bool once = true, more = true;
    while (more) {
        more = false;
        for (size_t t = 0; t < threads; t++)
            for (unsigned k = 0; k < speed[t]; k++) {
                size_t i = lanes_take(l, t);
                if (i == SIZE_MAX) break;
                more = true;
                once = once && i < n && owner[i] == SIZE_MAX;
                if (i < n) owner[i] = t;
            }
    }
    bool all = lanes_taken(l) == n, runs = true;
    for (size_t i = 0; i < n; i++)
        all = all && owner[i] != SIZE_MAX;
    for (size_t t = 0; t < threads; t++) { /* first .. last of t's pieces are all t's */
        size_t first = SIZE_MAX, last = 0;
        for (size_t i = 0; i < n; i++)
            if (owner[i] == t) {
                if (first == SIZE_MAX) first = i;
                last = i;
            }
        for (size_t i = first; first != SIZE_MAX && i <= last; i++)
            runs = runs && owner[i] == t;
    }
    lanes_free(l);
    free(owner);
    return once && all && runs;
}

int main(void)
{
    const unsigned even[5] = {1, 1, 1, 1, 1}, uneven[5] = {3, 1, 2, 5, 1};
    CHECK("2 threads, 744 pieces (a month of hourly files), one as fast as the other",
          side_by_side(2, 744, even));
    CHECK("2 threads, 744 pieces, one three times as fast", side_by_side(2, 744, uneven));
    CHECK("3 threads, 16 pieces: a lane of two and one alone", side_by_side(3, 16, uneven));
    CHECK("5 threads, 101 pieces", side_by_side(5, 101, uneven));
    CHECK("4 threads, 1 piece: taken once", side_by_side(4, 1, even));
    CHECK("2 threads, no pieces", side_by_side(2, 0, even));

    /* in a lane, a thread three times as fast as the other takes three quarters of it: the
     * slow one is not left a long tail to read alone */
    lanes_t *l = lanes_new(2, 100);
    size_t got[2] = {0, 0};
    for (int round = 0; round < 100; round++)
        for (size_t t = 0; t < 2; t++)
            for (unsigned k = 0; k < (t == 0 ? 3u : 1u); k++)
                got[t] += lanes_take(l, t) != SIZE_MAX;
    CHECK("a thread three times as fast takes three quarters of its lane",
          got[0] == 75 && got[1] == 25);
    lanes_free(l);
    CHECK_DONE();
}
