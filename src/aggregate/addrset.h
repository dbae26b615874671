/* A set of destination addresses of one source, as 32-bit keys (the IPv4 address itself, or
 * a hash of an IPv6 address: two of one source's IPv6 destinations collide with odds of one
 * in four billion). A few inline, then a bitmap over a narrow window of addresses or an
 * open-addressing table. Exact for IPv4. */
#ifndef SCANLENS_ADDRSET_H
#define SCANLENS_ADDRSET_H

#include <stdbool.h>
#include <stdint.h>

#include "../decode/packet.h"

#define ADDRSET_INLINE 2

struct addrset {
    uint32_t n, cap; /* cap 0: inline; else the form and size, see addrset.c */
    union {
        uint32_t small[ADDRSET_INLINE];
        uint32_t *table;
    } u;
};

uint32_t addrset_key(const struct ipaddr *a);
/* addrset_key of an IPv4 address (host order), inline. */
static inline uint32_t addrset_key_v4(uint32_t v4)
{
    return v4 ? v4 : 1;
}
/* Window form: cap = ADDRSET_WINDOW | log2(width) << 24 | first address >> 8, so that finding
 * a key's bit needs no read of the bitmap (a prefetch must not wait for memory). */
#define ADDRSET_WINDOW 0x80000000u

static inline bool addrset_is_window(const struct addrset *s)
{
    return s->cap & ADDRSET_WINDOW;
}

static inline uint32_t addrset_window_bits(const struct addrset *s)
{
    return s->cap >> 24 & 0x1F;
}

static inline uint32_t addrset_window_base(const struct addrset *s)
{
    return s->cap << 8;
}

/* Whether key falls in the set's window. */
static inline bool addrset_window_holds(const struct addrset *s, uint32_t key)
{
    return (key - addrset_window_base(s)) >> addrset_window_bits(s) == 0;
}

/* Sets bit `off` (a key's distance from the window's base) of a window's bitmap; true if it was
 * not set. */
static inline bool addrset_window_set(uint32_t *bitmap, uint32_t off)
{
    uint32_t *word = &bitmap[off >> 5], bit = 1u << (off & 31);
    bool added = !(*word & bit);
    *word |= bit;
    return added;
}

/* addrset_add for what the inline fast path does not do: a set that changes form or grows.
 * The key is not among the inline keys (addrset_add has looked). */
bool addrset_add_slow(struct addrset *s, uint32_t key);

/* Adds key; false only when out of memory. Inline for the common cases, a key that falls in
 * the set's window or is already among the inline keys, which every probe takes: the general
 * path's loop and form tests were mispredicted branches a packet. */
static inline bool addrset_add(struct addrset *s, uint32_t key)
{
    _Static_assert(ADDRSET_INLINE == 2, "two inline keys are compared without a loop");
    if (addrset_is_window(s)) {
        uint32_t off = key - addrset_window_base(s);
        if (off >> addrset_window_bits(s) == 0) {
            s->n += addrset_window_set(s->u.table, off);
            return true;
        }
    } else if (s->cap == 0) {
        bool there = (s->n > 0 && s->u.small[0] == key) | (s->n > 1 && s->u.small[1] == key);
        if (there) return true;
    }
    return addrset_add_slow(s, key);
}
/* Starts fetching the memory that adding key will touch. */
void addrset_prefetch(const struct addrset *s, uint32_t key);
/* Starts fetching the start of the set's table or bitmap, before a merge or an each. */
void addrset_prefetch_table(const struct addrset *s);
bool addrset_merge(struct addrset *into, const struct addrset *from);
/* Calls fn for every key, in no particular order. */
void addrset_each(const struct addrset *s, void (*fn)(void *ctx, uint32_t key), void *ctx);
/* Empties the set but keeps its memory and form, for a set used again and again. */
void addrset_clear(struct addrset *s);
void addrset_free(struct addrset *s);
uint64_t addrset_heap_bytes(const struct addrset *s);

#endif
