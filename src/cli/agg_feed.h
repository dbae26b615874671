/* Feeding decoded packets into an aggregate: day numbers in the analysis time zone, the
 * --from/--to period, and batches handed to agg_add_v4. Shared by analyze, ingest and
 * capture. */
#ifndef SCANLENS_AGG_FEED_H
#define SCANLENS_AGG_FEED_H

#include "../aggregate/agg.h"
#include "../util/dayclock.h"

#define FEED_BATCH 64

struct agg_feed {
    agg_t *agg;
    struct dayclock clock;
    int32_t from_day, to_day;
    uint64_t outside_period;
    uint64_t memory_limit;                 /* bytes per feed (per thread); 0: none */
    struct one_packet pending[FEED_BATCH]; /* IPv4 packets in 32 bytes, for agg_add_v4 */
    size_t n_pending;
};

/* NULL when out of memory. The whole period when from_day > to_day is not wanted: pass
 * INT32_MIN, INT32_MAX. */
struct agg_feed *agg_feed_new(int32_t from_day, int32_t to_day);
void agg_feed_free(struct agg_feed *f);
/* Caps this feed's aggregate, and those of the feeds forked from it, at about max_bytes each
 * (see agg_limit_memory). */
void agg_feed_limit(struct agg_feed *f, uint64_t max_bytes);
/* A packet_fn: counts one packet (the aggregate sees it at the next flush). */
void agg_feed_packet(void *feed, struct packet *p);
void agg_feed_flush(struct agg_feed *f);
/* For reading with several threads: a new feed for one more thread with the same period, and
 * folding a thread's feed back into this one (which frees it). */
void *agg_feed_fork(void *feed);
void agg_feed_join(void *feed, void *worker_feed);
/* Hands the aggregate to the caller and starts a new, empty one. NULL when out of memory. */
agg_t *agg_feed_take(struct agg_feed *f);

#endif
