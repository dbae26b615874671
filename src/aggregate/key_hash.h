/* The hash of a record's (source, day) key, which the slot tables and a packet's 32-byte form
 * both hold: shared by the table (agg.c, agg_merge.c) and the inline agg_packet_form. */
#ifndef SCANLENS_KEY_HASH_H
#define SCANLENS_KEY_HASH_H

#include <stdint.h>
#include <string.h>

#include "../decode/packet.h"

static inline uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    return x ^ x >> 33;
}

static inline uint32_t addr_hash(const struct ipaddr *a, uint64_t seed)
{
    uint64_t lo, hi;
    memcpy(&lo, a->b, 8);
    memcpy(&hi, a->b + 8, 8);
    return (uint32_t)mix64(hi ^ mix64(lo ^ seed));
}

/* The hash of an IPv4 source's (source, day) key: one mixing of the two 32-bit halves, where
 * a 16-byte address takes two. */
static inline uint32_t key_hash_v4(uint32_t src4, int32_t day)
{
    return (uint32_t)mix64((uint64_t)src4 << 32 | (uint32_t)day);
}

static inline uint32_t key_hash(const struct ipaddr *src, int32_t day)
{
    if (ipaddr_is_v4(src)) return key_hash_v4(ipaddr_v4(src), day);
    return addr_hash(src, (uint64_t)(uint32_t)day);
}

#endif
