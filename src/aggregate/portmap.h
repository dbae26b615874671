/* Destination ports of one source with a packet count each: a few inline, then a hash table,
 * then a dense array once a source sweeps thousands of ports. Exact, and merges exactly. */
#ifndef SCANLENS_PORTMAP_H
#define SCANLENS_PORTMAP_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define PORTMAP_INLINE 4

struct portmap_slot {
    uint16_t port;
    uint16_t used;
    uint32_t count;
};

/* 24 bytes: the form is told by cap (0: inline, PORTMAP_DENSE: the dense array, else the
 * number of hash slots) so that no separate field pads the record that holds the map. Inline
 * counts are 16-bit: a port counted past 65,535 moves the map to a hash table. */
#define PORTMAP_DENSE UINT32_MAX

struct portmap {
    union {
        struct {
            uint16_t port[PORTMAP_INLINE];
            uint16_t count[PORTMAP_INLINE];
        } small;
        struct portmap_slot *slots;
        uint32_t *dense; /* 65536 counts */
    } u;
    uint32_t n;   /* distinct ports */
    uint32_t cap; /* see above */
};

/* portmap_add for what the inline fast path does not do: a new port, a full map, a count
 * past 16 bits, the other forms. */
bool portmap_add_slow(struct portmap *m, uint16_t port, uint32_t count);

/* Which of the n inline ports is `port`, or -1. The four ports are compared as one 64-bit
 * word: a loop's exit at a position that changes from packet to packet is a mispredicted
 * branch nearly every time, on the path every SYN takes. */
static inline int portmap_small_find(const struct portmap *m, uint16_t port)
{
    _Static_assert(PORTMAP_INLINE == 4, "four 16-bit ports make one 64-bit word");
    uint64_t ports, lanes = 0x0001000100010001ull;
    memcpy(&ports, m->u.small.port, sizeof ports);
    uint64_t x = ports ^ port * lanes; /* a lane is 0 where the port matches */
    uint64_t low15 = 0x7FFF * lanes, high = 0x8000 * lanes;
    uint64_t nonzero = ((x & low15) + low15) | x; /* a lane's top bit: whether it is not 0 */
    uint64_t used = m->n >= PORTMAP_INLINE ? ~0ull : (1ull << 16 * m->n) - 1;
    uint64_t match = ~nonzero & high & used;
    return match ? __builtin_ctzll(match) >> 4 : -1;
}

/* Adds count to port. A zeroed struct portmap is empty and ready. Returns false only when out
 * of memory. Inline for the common case, a port already among the inline ones (a hash table's
 * home slot inline as well measured no faster). */
static inline bool portmap_add(struct portmap *m, uint16_t port, uint32_t count)
{
    if (m->cap == 0) {
        int i = portmap_small_find(m, port);
        if (i >= 0 && count <= (uint32_t)(UINT16_MAX - m->u.small.count[i])) {
            m->u.small.count[i] = (uint16_t)(m->u.small.count[i] + count);
            return true;
        }
    }
    return portmap_add_slow(m, port, count);
}
/* Starts fetching the memory that adding port will touch. */
void portmap_prefetch(const struct portmap *m, uint16_t port);
/* Starts fetching the start of the map's table (all of a small one), before an each. */
void portmap_prefetch_table(const struct portmap *m);
bool portmap_merge(struct portmap *into, const struct portmap *from);
void portmap_free(struct portmap *m);
/* Calls fn for every port with its count, in no particular order. Inline, so that fn is
 * inlined where it is known: judging and the port figures call it for every record. */
static inline void portmap_each(const struct portmap *m,
                                void (*fn)(void *ctx, uint16_t port, uint32_t count), void *ctx)
{
    if (m->cap == 0) {
        for (uint32_t i = 0; i < m->n; i++)
            fn(ctx, m->u.small.port[i], m->u.small.count[i]);
    } else if (m->cap == PORTMAP_DENSE) {
        for (uint32_t p = 0; p < 65536; p++)
            if (m->u.dense[p]) fn(ctx, (uint16_t)p, m->u.dense[p]);
    } else {
        for (uint32_t i = 0; i < m->cap; i++)
            if (m->u.slots[i].used) fn(ctx, m->u.slots[i].port, m->u.slots[i].count);
    }
}
/* Bytes of heap memory the map holds. */
uint64_t portmap_heap_bytes(const struct portmap *m);

#endif
