/* The record table's inside, shared by agg.c (storage, lookup, counting) and agg_merge.c
 * (merging tables and records): not for use outside aggregate/. */
#ifndef SCANLENS_AGG_TABLE_H
#define SCANLENS_AGG_TABLE_H

#include <endian.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "../util/bigalloc.h"
#include "agg.h"
#include "day_index.h"
#include "key_hash.h"

/* An address as a 128-bit number, high half first, for ordering. */
struct addr_order {
    uint64_t high, low;
};

static inline struct addr_order addr_order_of(const struct ipaddr *a)
{
    uint64_t high, low;
    memcpy(&high, a->b, 8);
    memcpy(&low, a->b + 8, 8);
    return (struct addr_order){be64toh(high), be64toh(low)};
}

static inline bool addr_order_less(struct addr_order x, struct addr_order y)
{
    return x.high < y.high || (x.high == y.high && x.low < y.low);
}

struct addr_table {
    struct ipaddr *addr;
    uint32_t *slot; /* index + 1 */
    /* The lowest and highest address in the table (addr_order): judging asks about every
     * source, and nearly all lie outside a sensor's range, which answers without hashing. */
    struct addr_order lowest, highest;
    size_t n, cap_addr, cap_slots;
    bool overflow;
};

/* Records live in fixed blocks that never move: the table grows without copying (and without
 * the doubled peak of realloc), and pointers to records stay valid. */
#define BLOCK_BITS 16
#define BLOCK_RECORDS (1u << BLOCK_BITS)

/* A slot's record: a full record's number, or ONE_PACKET and a one-packet record's number. */
#define ONE_PACKET 0x80000000u

/* A list of blocks of BLOCK_RECORDS items each. */
struct blocks {
    void **block;
    size_t n, cap;
};

struct agg {
    struct blocks records; /* full records (struct src_day) */
    size_t n_rec;
    struct blocks ones; /* one-packet records (struct one_packet) */
    size_t n_one;
    uint64_t ones_made, ones_promoted; /* by packets: see worth_one */
    /* the next block of full and of one-packet records, their pages touched meanwhile by a
     * helper thread: a page's first touch costs more here than the counting (the kernel
     * clears it), and the block that holds 10 M one-packet records is 425 MB */
    struct big_ahead next_block, next_one_block;
    day_index_t *index;          /* NULL after agg_drop_index, until the next lookup */
    struct day_slots *last_days; /* the table of the previous lookup's day */
    uint64_t frames, dropped, refused;
    int32_t refused_first_day; /* the earliest day of a refused packet; INT32_MAX: none */
    uint64_t memory_limit;     /* bytes at the peak, by AGG_PEAK_*; 0: none */
    int32_t min_day, max_day;  /* of the records; INT32_MAX, INT32_MIN when there are none */
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
    return (struct src_day *)a->records.block[i >> BLOCK_BITS] + (i & (BLOCK_RECORDS - 1));
}

static inline struct one_packet *one_at(const agg_t *a, size_t i)
{
    return (struct one_packet *)a->ones.block[i >> BLOCK_BITS] + (i & (BLOCK_RECORDS - 1));
}

static inline void note_day(agg_t *a, int32_t day)
{
    if (day < a->min_day) a->min_day = day;
    if (day > a->max_day) a->max_day = day;
}

/* Whether the memory limit (agg_limit_memory) forbids a new record. */
static inline bool table_at_limit(const agg_t *a)
{
    return a->memory_limit && agg_reckoned_bytes(a) >= a->memory_limit;
}

/* Counts `packets` of day `day` that the limit left out. */
static inline void table_refuse(agg_t *a, uint64_t packets, int32_t day)
{
    a->refused += packets;
    if (day < a->refused_first_day) a->refused_first_day = day;
}

/* The full record of (src, day); hash is key_hash(src, day). One there already is returned
 * (a one-packet record moved into a full one first). Else a new one is made: a one-packet
 * record holding *one when one is given (KEPT_AS_ONE is returned then), else an empty full
 * record; *created says so. A packet (limited) may not make a record past the memory limit;
 * a merge may. NULL when out of memory or at the limit. */
struct src_day *table_place(agg_t *a, const struct ipaddr *src, int32_t day, uint32_t hash,
                            const struct one_packet *one, bool limited, bool *created);
extern struct src_day table_one_packet_kept;
#define KEPT_AS_ONE (&table_one_packet_kept)
/* table_place after a look at the record of the previous lookup; never limited. */
struct src_day *table_lookup(agg_t *a, const struct ipaddr *src, int32_t day);
/* A one-packet record as a full one (its sets inline: nothing to free). */
void table_view_one(const struct one_packet *o, struct src_day *v);
/* The next place for a one-packet record, n_one not yet counted; NULL when out of memory. */
struct one_packet *table_new_one(agg_t *a);
/* The next place for a full record, n_rec not yet counted; NULL when out of memory. */
struct src_day *table_new_record(agg_t *a);
void table_tally_tool(struct src_day *r, uint8_t tool, int16_t rule, uint32_t count);
bool table_probed_insert(struct addr_table *t, const struct ipaddr *addr);

#endif
