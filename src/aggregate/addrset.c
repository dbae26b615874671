/* Adaptive set of 32-bit address keys. Key 0 marks an empty slot, so 0 is stored as 1
 * (0.0.0.0 is never a probe's destination). */
#include "addrset.h"

#include <stdlib.h>
#include <string.h>

uint32_t addrset_key(const struct ipaddr *a)
{
    uint32_t key;
    if (ipaddr_is_v4(a)) {
        key = (uint32_t)a->b[12] << 24 | (uint32_t)a->b[13] << 16 | (uint32_t)a->b[14] << 8 |
              a->b[15];
    } else {
        uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
        for (int i = 0; i < 16; i++)
            h = (h ^ a->b[i]) * 0x100000001b3ull;
        key = (uint32_t)(h ^ h >> 32);
    }
    return key ? key : 1;
}

static inline uint32_t slot_of(uint32_t key, uint32_t cap)
{
    return (key * 0x9E3779B1u) >> 8 & (cap - 1);
}

void addrset_prefetch(const struct addrset *s, uint32_t key)
{
    if (s->cap) __builtin_prefetch(&s->u.table[slot_of(key, s->cap)]);
}

static bool table_insert(uint32_t *table, uint32_t cap, uint32_t key)
{
    uint32_t mask = cap - 1;
    for (uint32_t i = slot_of(key, cap);; i = (i + 1) & mask) {
        if (table[i] == key) return false;
        if (!table[i]) {
            table[i] = key;
            return true;
        }
    }
}

static bool grow(struct addrset *s)
{
    uint32_t cap = s->cap ? s->cap * 2 : 16;
    uint32_t *table = calloc(cap, sizeof *table);
    if (!table) return false;
    if (s->cap == 0) {
        for (uint32_t i = 0; i < s->n; i++)
            table_insert(table, cap, s->u.small[i]);
    } else {
        for (uint32_t i = 0; i < s->cap; i++)
            if (s->u.table[i]) table_insert(table, cap, s->u.table[i]);
        free(s->u.table);
    }
    s->u.table = table;
    s->cap = cap;
    return true;
}

bool addrset_add(struct addrset *s, uint32_t key)
{
    if (s->cap == 0) {
        for (uint32_t i = 0; i < s->n; i++)
            if (s->u.small[i] == key) return true;
        if (s->n < ADDRSET_INLINE) {
            s->u.small[s->n++] = key;
            return true;
        }
        if (!grow(s)) return false;
    } else if ((s->n + 1) * 2 > s->cap && !grow(s)) {
        return false;
    }
    if (table_insert(s->u.table, s->cap, key)) s->n++;
    return true;
}

bool addrset_merge(struct addrset *into, const struct addrset *from)
{
    if (from->cap == 0) {
        for (uint32_t i = 0; i < from->n; i++)
            if (!addrset_add(into, from->u.small[i])) return false;
        return true;
    }
    for (uint32_t i = 0; i < from->cap; i++)
        if (from->u.table[i] && !addrset_add(into, from->u.table[i])) return false;
    return true;
}

void addrset_free(struct addrset *s)
{
    if (s->cap) free(s->u.table);
    memset(s, 0, sizeof *s);
}

uint64_t addrset_heap_bytes(const struct addrset *s)
{
    return (uint64_t)s->cap * sizeof(uint32_t);
}
