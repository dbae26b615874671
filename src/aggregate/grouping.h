/* The records of a table grouped by source address: which records are one source's days.
 * members[offsets[s] .. offsets[s + 1]) are source s's records, in record order; sources are
 * numbered IPv4 first, by address, then IPv6. */
#ifndef SCANLENS_GROUPING_H
#define SCANLENS_GROUPING_H

#include <stddef.h>
#include <stdint.h>

#include "agg.h"

#define NO_SOURCE UINT32_MAX

struct grouping {
    size_t n_sources;
    uint32_t *offsets; /* n_sources + 1 */
    uint32_t *members;
};

/* Groups the records not marked in excluded (NULL: none) and sets record_source[r] to the
 * source of record r, or NO_SOURCE, on up to `threads` threads. Returns SL_OK or
 * SL_ERR_NOMEM. */
int grouping_build(struct grouping *g, const agg_t *agg, const uint8_t *excluded,
                   uint32_t *record_source, size_t threads);
void grouping_free(struct grouping *g);

#endif
