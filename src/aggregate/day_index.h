/* The lookup index of the record table: an open-addressing table of slots for each day. A
 * day's packets then look up in a table of that day's records only, small enough to stay in
 * cache while the day is read, where one table for a whole month spreads them over all of
 * it. Slots keep their key's hash, so a table grows without reading a record. */
#ifndef SCANLENS_DAY_INDEX_H
#define SCANLENS_DAY_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct slot {
    uint32_t hash;
    uint32_t index; /* record index + 1; 0 = empty */
};

struct day_slots {
    int32_t day;
    uint32_t n;
    size_t cap; /* a power of two */
    struct slot *slot;
};

typedef struct day_index day_index_t;

day_index_t *day_index_new(void);
void day_index_free(day_index_t *x);
/* The day's table, created empty if there is none; it stays at this address. NULL when out
 * of memory. */
struct day_slots *day_index_get(day_index_t *x, int32_t day);
/* Makes room for `more` insertions without growing. false when out of memory. */
bool day_slots_reserve(struct day_slots *t, size_t more);
/* Adds record number `record`, whose key hashes to `hash`, known not to be there yet. */
bool day_slots_add(struct day_slots *t, uint32_t hash, uint32_t record);
uint64_t day_index_bytes(const day_index_t *x);

#endif
