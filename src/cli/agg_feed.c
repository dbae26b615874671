/* Batching packets into the aggregate: IPv4 packets wait in their 32-byte form (nothing of
 * the frame, which may be gone by the time a batch is counted); the scan job that feeds it. */
#include "agg_feed.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct agg_feed *agg_feed_new(int32_t from_day, int32_t to_day)
{
    struct agg_feed *f = calloc(1, sizeof *f);
    if (!f) return NULL;
    if (!(f->agg = agg_new())) {
        free(f);
        return NULL;
    }
    f->from_day = from_day;
    f->to_day = to_day;
    dayclock_init(&f->clock);
    return f;
}

void agg_feed_free(struct agg_feed *f)
{
    if (!f) return;
    agg_free(f->agg);
    free(f);
}

void agg_feed_limit(struct agg_feed *f, uint64_t max_bytes)
{
    f->memory_limit = max_bytes;
    agg_limit_memory(f->agg, max_bytes);
}

void agg_feed_spill(struct agg_feed *f, const struct agg_spill *spill)
{
    f->spill = *spill;
}

/* Puts an empty aggregate, capped as the feed is, in place of the one counted so far, which
 * it returns; NULL (and nothing changed) when out of memory. */
static agg_t *swap_in_empty(struct agg_feed *f)
{
    agg_t *fresh = agg_new();
    if (!fresh) return NULL;
    agg_limit_memory(fresh, f->memory_limit);
    agg_t *full = f->agg;
    f->agg = fresh;
    return full;
}

/* Spills the aggregate if `records` more new records could take it to the spill size. */
static void spill_if_full(struct agg_feed *f, size_t records)
{
    if (!f->spill.fn ||
        agg_reckoned_bytes(f->agg) + records * AGG_PEAK_FULL_RECORD < f->spill.bytes)
        return;
    agg_t *full = swap_in_empty(f);
    if (!full) return; /* counting goes on in the full one */
    if (!f->spill.fn(f->spill.ctx, full)) f->spill.fn = NULL;
    agg_free(full);
    f->spills++;
}

/* Out of line, as is feed_rare: the function every packet calls stays small (it had saved six
 * registers a packet for these paths). */
__attribute__((noinline)) void agg_feed_flush(struct agg_feed *f)
{
    spill_if_full(f, f->n_pending);
    agg_add_v4(f->agg, f->pending, f->n_pending);
    f->n_pending = 0;
}

/* A packet that is not batched: not decoded, outside the period, IPv6 or to 0.0.0.0. */
__attribute__((noinline)) static void feed_rare(struct agg_feed *f, struct packet *p, int32_t day)
{
    if (p->status != PKT_OK) {
        agg_add_undecoded(f->agg, p->status);
    } else if (day < f->from_day || day > f->to_day) {
        f->outside_period++;
    } else {
        spill_if_full(f, 1);
        agg_add(f->agg, p, day);
    }
}

void agg_feed_packet(void *feed, struct packet *p)
{
    struct agg_feed *f = feed;
    if (p->status != PKT_OK) {
        feed_rare(f, p, 0);
        return;
    }
    int32_t day = dayclock_day(&f->clock, p->ts_ns);
    if (day < f->from_day || day > f->to_day || p->ip_version != 4 || p->dst4 == 0) {
        feed_rare(f, p, day);
        return;
    }
    agg_packet_form(&f->pending[f->n_pending], p, day);
    if (++f->n_pending == FEED_BATCH) agg_feed_flush(f);
}

agg_t *agg_feed_take(struct agg_feed *f)
{
    agg_feed_flush(f);
    return swap_in_empty(f);
}

void *agg_feed_fork(void *feed)
{
    const struct agg_feed *f = feed;
    struct agg_feed *fork = agg_feed_new(f->from_day, f->to_day);
    if (fork) agg_feed_limit(fork, f->memory_limit);
    if (fork) fork->spill = f->spill;
    return fork;
}

void agg_feed_join(void *feed, void *worker_feed)
{
    struct agg_feed *f = feed, *w = worker_feed;
    agg_feed_flush(w);
    agg_feed_flush(f);
    if (agg_records(f->agg) == 0 && agg_frames(f->agg) == 0) { /* take it over, no copy */
        agg_t *empty = f->agg;
        f->agg = w->agg;
        w->agg = empty;
    } else {
        agg_absorb(f->agg, w->agg);
    }
    f->outside_period += w->outside_period;
    f->spills += w->spills;
    agg_feed_free(w);
}

struct scan_job agg_feed_scan_job(struct agg_feed *f, const struct input_options *in,
                                  bpf_set_t *filter, const struct classifier *classifier)
{
    return (struct scan_job){
        .filter = filter,
        .classifier = classifier,
        .on_packet = agg_feed_packet,
        .ctx = f,
        .diag = stderr,
        .progress = !in->quiet && isatty(STDERR_FILENO),
        .threads = in->jobs,
        .filter_expression = in->filter,
        .fork_ctx = agg_feed_fork,
        .join_ctx = agg_feed_join,
    };
}
