/* Feeding decoded packets into an aggregate: day numbers in the analysis time zone, the
 * --from/--to period, and batches handed to agg_add_v4. Shared by analyze, ingest and
 * capture. */
#ifndef SCANLENS_AGG_FEED_H
#define SCANLENS_AGG_FEED_H

#include "../aggregate/agg.h"
#include "../util/dayclock.h"
#include "options.h"
#include "scan.h"

#define FEED_BATCH 64

/* Where a feed's aggregate goes once it reaches `bytes` (by agg_reckoned_bytes): fn is handed
 * the aggregate and must have taken what it needs when it returns (the feed then frees it and
 * starts an empty one). It may be called from several reading threads at once. False from it
 * ends the spilling: the feed then keeps counting, unbounded; the error is fn's to report. */
struct agg_spill {
    bool (*fn)(void *ctx, const agg_t *agg);
    void *ctx;
    uint64_t bytes; /* per feed (per thread) */
};

struct agg_feed {
    agg_t *agg;
    struct dayclock clock;
    int32_t from_day, to_day;
    uint64_t outside_period;
    uint64_t memory_limit;                 /* bytes per feed (per thread); 0: none */
    struct agg_spill spill;                /* fn NULL: none */
    uint64_t spills;                       /* aggregates handed to spill.fn */
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
/* Hands the aggregate to spill->fn whenever it reaches spill->bytes, instead of letting it
 * grow: for a caller that can merge it elsewhere exactly (ingest, into the history). The
 * feeds forked from this one spill the same way. */
void agg_feed_spill(struct agg_feed *f, const struct agg_spill *spill);
/* A packet_fn: counts one packet (the aggregate sees it at the next flush). */
void agg_feed_packet(void *feed, struct packet *p);
void agg_feed_flush(struct agg_feed *f);
/* For reading with several threads: a new feed for one more thread with the same period, and
 * folding a thread's feed back into this one (which frees it). */
void *agg_feed_fork(void *feed);
void agg_feed_join(void *feed, void *worker_feed);
/* Hands the aggregate to the caller and starts a new, empty one. NULL when out of memory. */
agg_t *agg_feed_take(struct agg_feed *f);
/* A scan job that counts every packet into f, read as the input options say (threads, filter,
 * progress); the caller sets paths, n_paths and results. */
struct scan_job agg_feed_scan_job(struct agg_feed *f, const struct input_options *in,
                                  bpf_set_t *filter, const struct classifier *classifier);

#endif
