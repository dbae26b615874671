/* Per-day slot tables, found by day through a small open-addressing map. */
#include "day_index.h"

#include <stdlib.h>

#include "../util/bigalloc.h"

#define FIRST_CAP 1024

struct day_index {
    struct day_slots **table; /* by hash of the day; NULL = empty */
    size_t cap, n;
    const struct day_slots *newest; /* the table made last: a new day starts at its size */
    /* Slots for the next new day, sized like the newest day's and touched by a helper
     * meanwhile: a day's table is megabytes that the kernel would otherwise clear while
     * the day's first packets wait (about 0.2 s of a month with 10 M sources). */
    struct big_ahead next_day;
};

static size_t day_home(int32_t day, size_t cap)
{
    return ((uint32_t)day * 0x9E3779B1u >> 8) & (cap - 1);
}

/* The capacity that holds n keys at most half full, from cap (0: none yet) on. */
static size_t cap_for(size_t n, size_t cap)
{
    if (!cap) cap = FIRST_CAP;
    while ((n + 1) * 2 > cap)
        cap *= 2;
    return cap;
}

day_index_t *day_index_new(void)
{
    return calloc(1, sizeof(day_index_t));
}

void day_index_free(day_index_t *x)
{
    if (!x) return;
    if (x->next_day.p) big_ahead_cancel(&x->next_day);
    for (size_t i = 0; i < x->cap; i++)
        if (x->table[i]) {
            big_free(x->table[i]->slot, x->table[i]->cap * sizeof(struct slot));
            free(x->table[i]);
        }
    free(x->table);
    free(x);
}

static bool grow_map(day_index_t *x)
{
    size_t cap = x->cap ? x->cap * 2 : 64;
    struct day_slots **table = calloc(cap, sizeof *table);
    if (!table) return false;
    for (size_t i = 0; i < x->cap; i++) {
        if (!x->table[i]) continue;
        size_t j = day_home(x->table[i]->day, cap);
        while (table[j])
            j = (j + 1) & (cap - 1);
        table[j] = x->table[i];
    }
    free(x->table);
    x->table = table;
    x->cap = cap;
    return true;
}

struct day_slots *day_index_get(day_index_t *x, int32_t day)
{
    if ((x->n + 1) * 2 > x->cap && !grow_map(x)) return NULL;
    size_t j = day_home(day, x->cap);
    for (; x->table[j]; j = (j + 1) & (x->cap - 1))
        if (x->table[j]->day == day) return x->table[j];
    struct day_slots *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->day = day;
    /* days of a capture are alike: sized like the day before, a table need not grow through
     * every size on the way (each a fresh allocation, and a rehash) */
    if (x->newest) {
        size_t cap = cap_for(x->newest->n, 0);
        if (x->next_day.p && x->next_day.n == cap * sizeof(struct slot)) {
            t->slot = big_ahead_take(&x->next_day);
            t->cap = cap;
        } else if (!day_slots_reserve(t, x->newest->n)) {
            free(t);
            return NULL;
        }
        if (x->next_day.p) big_ahead_cancel(&x->next_day); /* sized for another day */
        big_ahead_start(&x->next_day, t->cap * sizeof(struct slot), BIG_RANDOM); /* may fail */
    }
    x->table[j] = t;
    x->n++;
    x->newest = t;
    return t;
}

/* Puts s in the first free slot from its hash's home (the table has room). */
static void put_slot(struct slot *slot, size_t cap, struct slot s)
{
    size_t j = s.hash & (cap - 1);
    while (slot[j].index)
        j = (j + 1) & (cap - 1);
    slot[j] = s;
}

bool day_slots_add(struct day_slots *t, uint32_t hash, uint32_t record)
{
    if (!day_slots_reserve(t, 1)) return false;
    put_slot(t->slot, t->cap, (struct slot){hash, record + 1});
    t->n++;
    return true;
}

bool day_slots_reserve(struct day_slots *t, size_t more)
{
    if ((t->n + more + 1) * 2 <= t->cap) return true;
    size_t cap = cap_for(t->n + more, t->cap);
    struct slot *slot = big_calloc(cap * sizeof *slot, BIG_RANDOM);
    if (!slot) return false;
    for (size_t i = 0; i < t->cap; i++)
        if (t->slot[i].index) put_slot(slot, cap, t->slot[i]);
    big_free(t->slot, t->cap * sizeof *t->slot);
    t->slot = slot;
    t->cap = cap;
    return true;
}

uint64_t day_index_bytes(const day_index_t *x)
{
    uint64_t bytes = x ? x->cap * sizeof *x->table : 0;
    for (size_t i = 0; x && i < x->cap; i++)
        if (x->table[i]) bytes += sizeof *x->table[i] + x->table[i]->cap * sizeof(struct slot);
    return bytes;
}
