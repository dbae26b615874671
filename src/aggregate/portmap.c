/* Adaptive port -> count map. */
#include "portmap.h"

#include <stdlib.h>
#include <string.h>

enum { MODE_INLINE = 0, MODE_HASH, MODE_DENSE };

static inline int mode_of(const struct portmap *m)
{
    return m->cap == 0 ? MODE_INLINE : m->cap == PORTMAP_DENSE ? MODE_DENSE : MODE_HASH;
}
#define DENSE_AFTER 4096 /* ports; the hash table then costs about what the dense array does */

static uint32_t port_hash(uint16_t port)
{
    return (uint32_t)port * 0x9E3779B1u;
}

static inline uint32_t slot_of(uint16_t port, uint32_t cap)
{
    return port_hash(port) >> 16 & (cap - 1);
}

void portmap_prefetch(const struct portmap *m, uint16_t port)
{
    if (mode_of(m) == MODE_HASH) __builtin_prefetch(&m->u.slots[slot_of(port, m->cap)]);
    if (mode_of(m) == MODE_DENSE) __builtin_prefetch(&m->u.dense[port]);
}

void portmap_prefetch_table(const struct portmap *m)
{
    if (mode_of(m) == MODE_HASH) {
        __builtin_prefetch(m->u.slots);
        if (m->cap > 8) __builtin_prefetch(m->u.slots + 8);
    }
}

static bool hash_insert(struct portmap_slot *slots, uint32_t cap, uint16_t port, uint32_t count,
                        bool *added)
{
    uint32_t mask = cap - 1;
    for (uint32_t i = slot_of(port, cap);; i = (i + 1) & mask) {
        if (!slots[i].used) {
            slots[i] = (struct portmap_slot){.port = port, .used = 1, .count = count};
            *added = true;
            return true;
        }
        if (slots[i].port == port) {
            slots[i].count += count;
            *added = false;
            return true;
        }
    }
}

static bool to_dense(struct portmap *m)
{
    uint32_t *dense = calloc(65536, sizeof *dense);
    if (!dense) return false;
    for (uint32_t i = 0; i < m->cap; i++)
        if (m->u.slots[i].used) dense[m->u.slots[i].port] = m->u.slots[i].count;
    free(m->u.slots);
    m->u.dense = dense;
    m->cap = PORTMAP_DENSE;
    return true;
}

static bool grow_hash(struct portmap *m)
{
    uint32_t cap = m->cap ? m->cap * 2 : 16; /* from inline: the 5th port and room for 3 more */
    struct portmap_slot *slots = calloc(cap, sizeof *slots);
    if (!slots) return false;
    bool added;
    if (mode_of(m) == MODE_INLINE) {
        for (uint32_t i = 0; i < m->n; i++)
            hash_insert(slots, cap, m->u.small.port[i], m->u.small.count[i], &added);
    } else {
        for (uint32_t i = 0; i < m->cap; i++)
            if (m->u.slots[i].used)
                hash_insert(slots, cap, m->u.slots[i].port, m->u.slots[i].count, &added);
        free(m->u.slots);
    }
    m->u.slots = slots;
    m->cap = cap;
    return true;
}

bool portmap_add_slow(struct portmap *m, uint16_t port, uint32_t count)
{
    if (mode_of(m) == MODE_DENSE) {
        if (m->u.dense[port] == 0) m->n++;
        m->u.dense[port] += count;
        return true;
    }
    if (mode_of(m) == MODE_INLINE) {
        int i = portmap_small_find(m, port);
        if (i < 0 && m->n < PORTMAP_INLINE && count <= UINT16_MAX) {
            m->u.small.port[m->n] = port;
            m->u.small.count[m->n] = (uint16_t)count;
            m->n++;
            return true;
        }
        if (!grow_hash(m)) return false;
    } else if ((m->n + 1) * 2 > m->cap) {
        if (m->n + 1 > DENSE_AFTER) {
            if (!to_dense(m)) return false;
            return portmap_add_slow(m, port, count);
        }
        if (!grow_hash(m)) return false;
    }
    bool added;
    hash_insert(m->u.slots, m->cap, port, count, &added);
    if (added) m->n++;
    return true;
}

struct merge_ctx {
    struct portmap *into;
    bool ok;
};

static void merge_one(void *ctx, uint16_t port, uint32_t count)
{
    struct merge_ctx *mc = ctx;
    if (!portmap_add(mc->into, port, count)) mc->ok = false;
}

bool portmap_merge(struct portmap *into, const struct portmap *from)
{
    struct merge_ctx mc = {into, true};
    portmap_each(from, merge_one, &mc);
    return mc.ok;
}

void portmap_free(struct portmap *m)
{
    if (mode_of(m) == MODE_HASH) free(m->u.slots);
    if (mode_of(m) == MODE_DENSE) free(m->u.dense);
    memset(m, 0, sizeof *m);
}

uint64_t portmap_heap_bytes(const struct portmap *m)
{
    if (mode_of(m) == MODE_HASH) return (uint64_t)m->cap * sizeof(struct portmap_slot);
    if (mode_of(m) == MODE_DENSE) return 65536u * sizeof(uint32_t);
    return 0;
}
