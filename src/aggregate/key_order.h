/* The records of a table in key order, (day, source address): the order of a store that keeps
 * its rows sorted by that key (the SQLite history's source_day B-tree). Written in it, each
 * row lands next to the one before, in pages already cached; in record order (by first
 * packet) each lands on a random page of a file of hundreds of megabytes. */
#ifndef SCANLENS_KEY_ORDER_H
#define SCANLENS_KEY_ORDER_H

#include <stdint.h>

#include "agg.h"

/* Record numbers 0 .. agg_records(a) - 1 ordered by day, then by IPv4 source address (as
 * bytes of the stored ::ffff:a.b.c.d, so also by the stored blob), with a day's IPv6 records
 * after its IPv4 ones in record order. NULL when out of memory; the caller frees it. */
uint32_t *agg_key_order(const agg_t *a);

#endif
