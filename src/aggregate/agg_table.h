/* The record table's inside, shared by agg.c (storage, lookup, counting) and agg_merge.c
 * (merging tables and records): not for use outside aggregate/. */
#ifndef SCANLENS_AGG_TABLE_H
#define SCANLENS_AGG_TABLE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "../util/bigalloc.h"
#include "agg.h"
#include "day_index.h"

struct addr_table {
    struct ipaddr *addr;
    uint32_t *slot; /* index + 1 */
    size_t n, cap_addr, cap_slots;
    bool overflow;
};

/* Records live in fixed blocks that never move: the table grows without copying (and without
 * the doubled peak of realloc), and pointers to records stay valid. */
#define BLOCK_BITS 16
#define BLOCK_RECORDS (1u << BLOCK_BITS)

/* A (day, source) record of a single packet: the packet's few fields, 32 bytes where a full
 * record takes 128. On a darknet most sources send one packet a day (13.3 M of the 13.7 M
 * records of the benchmark's 10 M-source month). Only for IPv4 sources and packets whose
 * record needs no heap (not UDP probes); the second packet of the (day, source) moves it into
 * a full record. Readers see it as a full record (agg_record's scratch). */
struct one_packet {
    uint32_t src4;
    int32_t day;
    int64_t ts_ns;
    uint32_t dst_key; /* addrset_key of the destination */
    uint16_t dport;
    uint8_t kind;
    uint8_t tool;
    int16_t rule;
    uint8_t service_sport; /* a SYN from a source port below 1024 */
    uint8_t unused[5];
};
_Static_assert(sizeof(struct one_packet) == 32, "a one-packet record is 32 bytes");

/* A slot's record: a full record's number, or ONE_PACKET and a one-packet record's number. */
#define ONE_PACKET 0x80000000u

struct agg {
    struct src_day **block;
    size_t n_blocks, cap_blocks, n_rec;
    struct one_packet **one_block; /* in blocks of BLOCK_RECORDS too */
    size_t n_one_blocks, cap_one_blocks, n_one;
    uint64_t ones_made, ones_promoted; /* by packets: see worth_one */
    struct big_ahead next_block;       /* the next block of records, its pages touched meanwhile */
    day_index_t *index;                /* NULL after agg_drop_index, until the next lookup */
    struct day_slots *last_days;       /* the table of the previous lookup's day */
    uint64_t frames, dropped, refused;
    uint64_t memory_limit;    /* bytes at the peak, by AGG_PEAK_*; 0: none */
    int32_t min_day, max_day; /* of the records; INT32_MAX, INT32_MIN when there are none */
    uint64_t status_count[PKT_STATUS_COUNT];
    uint64_t kind_count[KIND_COUNT];
    struct addr_table probed;
    /* IPv4 destinations known to be in `probed`, by their last byte: a sensor's few addresses
     * answer here without hashing. Entry i starts as an address whose last byte is not i, so
     * that no destination matches an entry never set. */
    uint32_t probed_recent[256];
    struct src_day *last; /* the record of the previous packet: sources come in bursts */
};

static inline struct src_day *record_at(const agg_t *a, size_t i)
{
    return &a->block[i >> BLOCK_BITS][i & (BLOCK_RECORDS - 1)];
}

static inline struct one_packet *one_at(const agg_t *a, size_t i)
{
    return &a->one_block[i >> BLOCK_BITS][i & (BLOCK_RECORDS - 1)];
}

static inline bool is_v4_mapped(const struct ipaddr *a)
{
    uint64_t lo;
    memcpy(&lo, a->b, 8);
    return lo == 0 && a->b[8] == 0 && a->b[9] == 0 && a->b[10] == 0xFF && a->b[11] == 0xFF;
}

static inline uint32_t v4_of(const struct ipaddr *a)
{
    return (uint32_t)a->b[12] << 24 | (uint32_t)a->b[13] << 16 | (uint32_t)a->b[14] << 8 | a->b[15];
}

static inline struct ipaddr mapped_v4(uint32_t v4)
{
    struct ipaddr a = {{0}};
    a.b[10] = a.b[11] = 0xFF;
    a.b[12] = (uint8_t)(v4 >> 24), a.b[13] = (uint8_t)(v4 >> 16);
    a.b[14] = (uint8_t)(v4 >> 8), a.b[15] = (uint8_t)v4;
    return a;
}

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

static inline uint32_t key_hash(const struct ipaddr *src, int32_t day)
{
    return addr_hash(src, (uint64_t)(uint32_t)day);
}

static inline void note_day(agg_t *a, int32_t day)
{
    if (day < a->min_day) a->min_day = day;
    if (day > a->max_day) a->max_day = day;
}

static inline bool is_probe(int kind)
{
    return kind == KIND_SYN_PROBE || kind == KIND_UDP_PROBE || kind == KIND_ICMP_PROBE;
}

/* The day's slot table (rebuilding the index if it was dropped); NULL when out of memory. */
struct day_slots *table_slots_of(agg_t *a, int32_t day);
/* The slot of (src, day) in table t, or the empty slot where it goes (t has room). */
struct slot *table_find_slot(const agg_t *a, struct day_slots *t, const struct ipaddr *src,
                             int32_t day, uint32_t hash);
/* A new full record for (src, day) in the empty slot s. */
struct src_day *table_add_record(agg_t *a, struct day_slots *t, struct slot *s,
                                 const struct ipaddr *src, int32_t day, uint32_t hash);
/* A new one-packet record o in the empty slot s of table t. */
bool table_add_one(agg_t *a, struct day_slots *t, struct slot *s, uint32_t hash,
                   const struct one_packet *o);
/* Moves the one-packet record of slot s into a new full record, which it returns. */
struct src_day *table_promote(agg_t *a, struct slot *s);
/* Finds or creates the full record for (src, day); see agg.c. */
struct src_day *table_lookup_hashed(agg_t *a, const struct ipaddr *src, int32_t day, uint32_t hash,
                                    bool limited, bool *created);
struct src_day *table_lookup(agg_t *a, const struct ipaddr *src, int32_t day);
/* A one-packet record as a full one (its sets inline: nothing to free). */
void table_view_one(const struct one_packet *o, struct src_day *v);
/* The next place for a one-packet record, n_one not yet counted; NULL when out of memory. */
struct one_packet *table_new_one(agg_t *a);
void table_tally_tool(struct src_day *r, uint8_t tool, int16_t rule, uint32_t count);
bool table_probed_insert(struct addr_table *t, const struct ipaddr *addr);

#endif
