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
bool addrset_add(struct addrset *s, uint32_t key);
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
