/* Source verdicts: merge a source's days, pick its tool, decide its class, add up totals. */
#include "verdict.h"

#include <stdlib.h>
#include <string.h>

#include "../util/bigalloc.h"
#include "../util/error.h"
#include "../util/parallel.h"
#include "../util/radix.h"
#include "month_sets.h"

void verdict_config_defaults(struct verdict_config *cfg)
{
    cfg->min_consistency = 0.5;
    cfg->reflection_min_syn = 100;
    cfg->reflection_min_repeat = 10.0;
    cfg->reflection_max_established = 0.01;
    cfg->sensor = NULL;
    cfg->research_min_packets = 300000;
    cfg->research_min_ports = 30;
    cfg->known = NULL;
    cfg->excluded = NULL;
}

const char *source_class_name(int cls)
{
    static const char *const names[CLASS_COUNT] = {
        [CLASS_SCANNER] = "scanner",
        [CLASS_REFLECTION] = "reflection",
        [CLASS_BACKSCATTER] = "backscatter",
        [CLASS_SENSOR] = "sensor",
        [CLASS_OTHER] = "other",
    };
    return cls >= 0 && cls < CLASS_COUNT ? names[cls] : "?";
}

struct sort_key {
    uint64_t syn, probes;
    struct ipaddr src;
    uint32_t index;
};

/* Most SYNs first, then most probes, then by address: a total order, so the output does not
 * depend on the order records were created in. */
static int compare_key(const void *a, const void *b)
{
    const struct sort_key *x = a, *y = b;
    if (x->syn != y->syn) return x->syn < y->syn ? 1 : -1;
    if (x->probes != y->probes) return x->probes < y->probes ? 1 : -1;
    return memcmp(&x->src, &y->src, sizeof x->src);
}

/* Most sources are IPv4 with fewer than 65,535 SYNs and probes: their whole sort key fits in
 * 64 bits (inverted counts, then the source number, whose order is the address order among
 * IPv4 sources: see grouping.h) and a radix sort orders them in a few passes. The rest are
 * sorted with compare_key, and the two runs merged. */
static bool packable(const struct source_summary *s)
{
    return ipaddr_is_v4(&s->src) && s->kind_packets[KIND_SYN_PROBE] < 0xFFFF &&
           source_probes(s) < 0xFFFF;
}

static uint64_t pack(const struct source_summary *s, uint32_t index)
{
    return (0xFFFF - s->kind_packets[KIND_SYN_PROBE]) << 48 | (0xFFFF - source_probes(s)) << 32 |
           index;
}

struct ipaddr analysis_source_address(const struct analysis *an, size_t i)
{
    return agg_record_src(an->agg, an->group.members[an->group.offsets[i]]);
}

static struct sort_key unpack(const struct analysis *an, uint64_t key)
{
    uint32_t index = (uint32_t)key;
    return (struct sort_key){0xFFFF - (key >> 48), 0xFFFF - (key >> 32 & 0xFFFF),
                             analysis_source_address(an, index), index};
}

/* A source whose key does not pack (IPv6, or 65,535 SYNs or probes or more). */
#define NOT_PACKED UINT64_MAX

/* Fills order[i] with the number of the i-th source in report order, from the keys judging
 * left (keys[i]: source i's packed key, or NOT_PACKED), which it reorders. The few sources
 * whose keys do not pack have their summaries built again for their counts. */
static bool sorted_order(const struct analysis *an, uint64_t *keys, uint32_t *order, size_t threads)
{
    size_t n = an->n_sources, n_packed = 0, n_other = 0;
    for (size_t i = 0; i < n; i++)
        n_other += keys[i] == NOT_PACKED;
    uint64_t *tmp = malloc((n - n_other ? n - n_other : 1) * sizeof *tmp);
    struct sort_key *other = malloc((n_other ? n_other : 1) * sizeof *other);
    source_reader_t *reader = n_other ? source_reader_new(an) : NULL;
    bool ok = tmp && other && (reader || !n_other);
    for (size_t i = 0, o = 0; ok && i < n; i++) {
        if (keys[i] != NOT_PACKED) {
            keys[n_packed++] = keys[i]; /* packed keys gather at the front */
            continue;
        }
        const struct source_summary *s = source_reader_get(reader, i);
        if (!(ok = s != NULL)) break;
        other[o++] = (struct sort_key){s->kind_packets[KIND_SYN_PROBE], source_probes(s), s->src,
                                       (uint32_t)i};
    }
    if (ok) {
        /* The keys are in source order, and the sort is stable: the counts (the high 32
         * bits) are all it needs to sort on, half the passes of the whole key. */
        radix_sort_u64_threads(keys, tmp, n_packed, 32, threads);
        qsort(other, n_other, sizeof *other, compare_key);
        size_t a = 0, b = 0;
        for (size_t i = 0; i < n; i++) {
            bool take_packed = a < n_packed;
            if (take_packed && b < n_other) {
                struct sort_key ka = unpack(an, keys[a]);
                take_packed = compare_key(&ka, &other[b]) <= 0;
            }
            order[i] = take_packed ? (uint32_t)keys[a++] : other[b++].index;
        }
    }
    source_reader_free(reader);
    free(tmp);
    free(other);
    return ok;
}

/* Ranks the sources (most SYNs first) without moving them: an->rank. */
static void rank_sources(struct analysis *an, uint64_t *keys, size_t threads)
{
    an->rank = malloc((an->n_sources ? an->n_sources : 1) * sizeof *an->rank);
    if (an->rank && !sorted_order(an, keys, an->rank, threads)) /* number order: correct */
        for (size_t i = 0; i < an->n_sources; i++)
            an->rank[i] = (uint32_t)i;
}

/* A source's matches by tool over all its days. Summed per tool, not in the records' two
 * slots: which tools keep a slot depends on the order days are folded in, and that order (the
 * records' numbers) depends on which thread read which piece of the input. */
struct tool_sums {
    uint64_t count[FP_MAX_TOOLS];
    int16_t rule[FP_MAX_TOOLS]; /* the earliest rule that matched */
    uint32_t seen;              /* bit t: tool t has matches */
};
_Static_assert(FP_MAX_TOOLS <= 32, "a tool is a bit of tool_sums.seen");

static void tool_sums_add(struct tool_sums *ts, const struct tool_tally *t)
{
    uint32_t bit = 1u << t->tool;
    if (!(ts->seen & bit)) {
        ts->seen |= bit;
        ts->count[t->tool] = 0;
        ts->rule[t->tool] = t->rule;
    }
    ts->count[t->tool] += t->count;
    if (t->rule >= 0 && (ts->rule[t->tool] < 0 || t->rule < ts->rule[t->tool]))
        ts->rule[t->tool] = t->rule;
}

/* Whether tool t's matches in ts rank above tool b's: more matches; between equal counts, the
 * one that has its rule's minimum of packets, then the earlier rule (rules are in order of
 * precedence), then the lower tool id. So the answer does not depend on the order the matches
 * were added in, and a tie does not go to a tool the source then cannot be given. */
static bool ranks_above(const struct tool_sums *ts, int t, int b, const fprules_t *rules)
{
    if (ts->count[t] != ts->count[b]) return ts->count[t] > ts->count[b];
    bool t_enough = ts->count[t] >= fprules_rule_min_packets(rules, ts->rule[t]),
         b_enough = ts->count[b] >= fprules_rule_min_packets(rules, ts->rule[b]);
    if (t_enough != b_enough) return t_enough;
    return (uint16_t)ts->rule[t] < (uint16_t)ts->rule[b]; /* -1, no rule, last */
}

/* The tool with the most matches (TOOL_UNKNOWN when none matched); its rule and matches into
 * s. */
static uint8_t best_tool(struct source_summary *s, const struct tool_sums *ts,
                         const fprules_t *rules)
{
    int best = -1;
    for (uint32_t seen = ts->seen; seen; seen &= seen - 1) {
        int t = __builtin_ctz(seen);
        if (best < 0 || ranks_above(ts, t, best, rules)) best = t;
    }
    s->rule = best >= 0 ? ts->rule[best] : -1;
    s->tool_matched = best >= 0 ? ts->count[best] : 0;
    return best >= 0 ? (uint8_t)best : TOOL_UNKNOWN;
}

/* The best tool is the source's if it has enough matches, and enough of its probes. */
static void decide_tool(struct source_summary *s, uint8_t best, const fprules_t *rules,
                        const struct verdict_config *cfg)
{
    s->tool = TOOL_UNKNOWN;
    if (!s->tool_matched) return;
    if (s->tool_matched >= fprules_rule_min_packets(rules, s->rule) &&
        (double)s->tool_matched >= cfg->min_consistency * (double)source_probes(s))
        s->tool = best;
}

static int decide_class(const struct source_summary *s, const agg_t *agg,
                        const struct verdict_config *cfg, bool infer_sensor)
{
    const uint64_t *k = s->kind_packets;
    if (k[KIND_SENSOR] || (infer_sensor && agg_probed_contains(agg, &s->src))) return CLASS_SENSOR;
    if (source_probes(s)) {
        uint64_t syn = k[KIND_SYN_PROBE];
        if (s->tool == TOOL_UNKNOWN && syn >= cfg->reflection_min_syn &&
            s->syn_per_day_pair_x100 >= cfg->reflection_min_repeat * 100 &&
            (double)k[KIND_OTHER] <= cfg->reflection_max_established * (double)syn)
            return CLASS_REFLECTION;
        return CLASS_SCANNER;
    }
    return k[KIND_BACKSCATTER] ? CLASS_BACKSCATTER : CLASS_OTHER;
}

/* Records are fetched JUDGE_AHEAD records ahead in the slice's member list (across the
 * sources after this one), and their port and address tables half as far ahead, once the
 * record that points to them has come in. Counted in records, not sources, so that a source
 * of 31 days and 31 sources of one day keep the same number of fetches in flight. */
#define JUDGE_AHEAD 16

static inline void fetch_ahead(const agg_t *agg, const uint32_t *member, const uint32_t *end)
{
    if (member + JUDGE_AHEAD < end) {
        agg_prefetch_record(agg_record_address(agg, member[JUDGE_AHEAD]),
                            agg_record_stored(agg, member[JUDGE_AHEAD]) != NULL);
    }
    const struct src_day *r =
        member + JUDGE_AHEAD / 2 < end ? agg_record_stored(agg, member[JUDGE_AHEAD / 2]) : NULL;
    if (r) { /* one-packet records have their sets inline */
        portmap_prefetch_table(&r->syn_ports);
        addrset_prefetch_table(&r->dsts);
    }
}

/* Folds one source's day records into *tools and *s. Most sources of a darknet are seen on
 * one day only: their sets are counted where they are; the union of several days' sets is
 * counted in `sets`, not built. */
static bool merge_days(struct tool_sums *tools, struct source_summary *s, const agg_t *agg,
                       const uint32_t *days, size_t n, const uint32_t *members_end,
                       const struct verdict_config *cfg, month_sets_t *sets)
{
    struct src_day scratch_only, scratch;
    const struct src_day *only = n == 1 ? agg_record(agg, days[0], &scratch_only) : NULL;
    tools->seen = 0;
    s->first_ns = INT64_MAX;
    s->last_ns = INT64_MIN;
    bool ok = true;
    uint64_t day_pairs = 0; /* (destination, port) pairs a day, upper bound, summed */
    for (size_t d = 0; d < n; d++) {
        fetch_ahead(agg, days + d, members_end);
        const struct src_day *r = only ? only : agg_record(agg, days[d], &scratch);
        if (r->kind_packets[KIND_SYN_PROBE])
            day_pairs +=
                (uint64_t)(r->dsts.n ? r->dsts.n : 1) * (r->syn_ports.n ? r->syn_ports.n : 1);
        if ((uint64_t)r->kind_packets[KIND_SYN_PROBE] + r->kind_packets[KIND_UDP_PROBE] >=
                cfg->research_min_packets &&
            r->syn_ports.n + src_day_udp_ports(r) >= cfg->research_min_ports)
            s->research_days++;
        for (int k = 0; k < KIND_COUNT; k++)
            s->kind_packets[k] += r->kind_packets[k];
        if (r->first_ns < s->first_ns) s->first_ns = r->first_ns;
        if (r->last_ns > s->last_ns) s->last_ns = r->last_ns;
        for (int i = 0; i < AGG_TOOL_SLOTS; i++)
            if (r->tools[i].count) tool_sums_add(tools, &r->tools[i]);
        if (only) continue;
        ok = month_sets_add_day(sets, r) && ok;
    }
    s->src = agg_record_src(agg, days[0]);
    s->days = (uint32_t)n;
    /* Cut to hundredths, it reaches the rule's 10 (1000) exactly when the quotient does;
     * saturated, it is far past it. syn * 100 wraps only past 1.8e17 SYNs. */
    uint64_t x100 = day_pairs ? s->kind_packets[KIND_SYN_PROBE] * 100 / day_pairs : 0;
    s->syn_per_day_pair_x100 = x100 < UINT32_MAX ? (uint32_t)x100 : UINT32_MAX;
    if (only) {
        s->syn_ports = only->syn_ports.n;
        s->udp_ports = src_day_udp_ports(only);
        s->dst_addrs = only->dsts.n;
    } else {
        s->syn_ports = month_sets_syn_ports(sets);
        s->udp_ports = month_sets_udp_ports(sets);
        s->dst_addrs = month_sets_dst_addrs(sets);
        month_sets_clear(sets);
    }
    return ok;
}

/* What merge_days gives for a source whose one record is of one packet, read where it is
 * kept: most sources of a darknet. Building the record and merging it cost more than the rest
 * of judging them (1.6 s of 1.7 for the 7 M sources of the benchmark's 10 M-source month). */
static uint8_t summarize_one(struct source_summary *s, const struct one_packet *o,
                             const struct verdict_config *cfg)
{
    bool probe = kind_is_probe(o->kind);
    uint32_t syn = o->kind == KIND_SYN_PROBE;
    s->src = ipaddr_from_v4(o->src4);
    s->days = 1;
    s->first_ns = s->last_ns = o->ts_ns;
    s->kind_packets[o->kind] = 1;
    s->syn_ports = syn;
    s->dst_addrs = probe;
    s->research_days = syn >= cfg->research_min_packets && syn >= cfg->research_min_ports;
    s->syn_per_day_pair_x100 = syn * 100;
    bool matched = probe && o->tool != TOOL_UNKNOWN;
    s->rule = matched ? o->rule : -1;
    s->tool_matched = matched;
    return matched ? o->tool : TOOL_UNKNOWN;
}

/* Sums up a source from its day records (days[0..n), the rest of the slice's members up to
 * members_end fetched ahead) into *s, which starts zeroed. Returns its best tool
 * (TOOL_UNKNOWN when none matched) in *best; false when out of memory. */
static bool summarize(struct source_summary *s, uint8_t *best, const agg_t *agg,
                      const fprules_t *rules, const uint32_t *days, size_t n,
                      const uint32_t *members_end, const struct verdict_config *cfg,
                      month_sets_t *sets)
{
    const struct one_packet *one = n == 1 ? agg_record_one(agg, days[0]) : NULL;
    if (one) {
        fetch_ahead(agg, days, members_end);
        *best = summarize_one(s, one, cfg);
        return true;
    }
    struct tool_sums tools;
    bool ok = merge_days(&tools, s, agg, days, n, members_end, cfg, sets);
    *best = best_tool(s, &tools, rules);
    return ok;
}

/* Keeps the TOOL_TOP_SOURCES largest SYN counts of a tool's sources, largest first: what its
 * top 5 and top 10 sent does not depend on which of two equal sources ranks first. */
static void offer_top(struct tool_totals *t, uint64_t syn)
{
    if (t->n_top == TOOL_TOP_SOURCES && syn <= t->top_syn[TOOL_TOP_SOURCES - 1]) return;
    size_t i = t->n_top < TOOL_TOP_SOURCES ? t->n_top++ : TOOL_TOP_SOURCES - 1;
    for (; i > 0 && t->top_syn[i - 1] < syn; i--)
        t->top_syn[i] = t->top_syn[i - 1];
    t->top_syn[i] = syn;
}

static void add_to_totals(struct analysis *an, const struct source_summary *s)
{
    const uint64_t *k = s->kind_packets;
    uint64_t packets = 0;
    for (int i = KIND_SYN_PROBE; i < KIND_COUNT; i++)
        packets += k[i];
    an->class_sources[s->cls]++;
    an->class_packets[s->cls] += packets;
    if (s->first_ns < an->first_ns) an->first_ns = s->first_ns;
    if (s->last_ns > an->last_ns) an->last_ns = s->last_ns;
    if (s->research_days) an->research_sources++;
    if (s->cls == CLASS_SCANNER) {
        struct tool_totals *t = &an->tool[s->tool];
        t->syn_packets += k[KIND_SYN_PROBE];
        t->udp_packets += k[KIND_UDP_PROBE];
        t->icmp_packets += k[KIND_ICMP_PROBE];
        t->sources++;
        if (k[KIND_SYN_PROBE]) {
            t->syn_sources++, an->tool_syn_sources++;
            offer_top(t, k[KIND_SYN_PROBE]);
            t->sweep_1000 += s->syn_ports >= 1000;
            t->sweep_all += s->syn_ports >= 65535;
            t->research_sources += s->research_days > 0;
        }
        an->syn_probes += k[KIND_SYN_PROBE];
        an->udp_probes += k[KIND_UDP_PROBE];
        an->icmp_probes += k[KIND_ICMP_PROBE];
    } else if (s->cls == CLASS_REFLECTION) {
        an->reflection_syn += k[KIND_SYN_PROBE];
    } else if (s->cls == CLASS_BACKSCATTER) {
        an->backscatter_packets += k[KIND_BACKSCATTER];
    }
}

static void add_totals(struct analysis *into, const struct analysis *from)
{
    for (int c = 0; c < CLASS_COUNT; c++) {
        into->class_sources[c] += from->class_sources[c];
        into->class_packets[c] += from->class_packets[c];
    }
    for (int t = 0; t < FP_MAX_TOOLS; t++) {
        into->tool[t].syn_packets += from->tool[t].syn_packets;
        into->tool[t].udp_packets += from->tool[t].udp_packets;
        into->tool[t].icmp_packets += from->tool[t].icmp_packets;
        into->tool[t].sources += from->tool[t].sources;
        into->tool[t].syn_sources += from->tool[t].syn_sources;
        into->tool[t].sweep_1000 += from->tool[t].sweep_1000;
        into->tool[t].sweep_all += from->tool[t].sweep_all;
        into->tool[t].research_sources += from->tool[t].research_sources;
        for (size_t k = 0; k < from->tool[t].n_top; k++)
            offer_top(&into->tool[t], from->tool[t].top_syn[k]);
    }
    into->research_sources += from->research_sources;
    into->syn_probes += from->syn_probes;
    into->udp_probes += from->udp_probes;
    into->icmp_probes += from->icmp_probes;
    into->tool_syn_sources += from->tool_syn_sources;
    into->reflection_syn += from->reflection_syn;
    into->backscatter_packets += from->backscatter_packets;
    if (from->first_ns < into->first_ns) into->first_ns = from->first_ns;
    if (from->last_ns > into->last_ns) into->last_ns = from->last_ns;
}

/* One thread's share of the judging: sources [from, to). */
struct judge_slice {
    struct analysis *an;
    const agg_t *agg;
    const fprules_t *rules;
    const struct verdict_config *cfg;
    const struct grouping *g;
    uint64_t *keys;        /* per source: its packed sort key, or NOT_PACKED */
    uint8_t *scanner_tool; /* per source: its tool if a scanner, else NOT_SCANNER */
    size_t from, to;
    bool infer_sensor, ok;
    struct analysis totals; /* only the totals fields are used */
};

static void *judge(void *arg)
{
    struct judge_slice *j = arg;
    struct analysis *an = j->an;
    memset(&j->totals, 0, sizeof j->totals);
    j->totals.first_ns = INT64_MAX;
    j->totals.last_ns = INT64_MIN;
    j->ok = true;
    month_sets_t *sets = month_sets_new();
    if (!sets) {
        j->ok = false;
        return NULL;
    }
    const uint32_t *members_end = j->g->members + j->g->offsets[j->to];
    for (size_t i = j->from; i < j->to; i++) {
        struct source_summary s;
        const uint32_t *days = j->g->members + j->g->offsets[i];
        size_t n_days = j->g->offsets[i + 1] - j->g->offsets[i];
        uint8_t best;
        memset(&s, 0, sizeof s);
        if (!summarize(&s, &best, j->agg, j->rules, days, n_days, members_end, j->cfg, sets))
            j->ok = false;
        s.known = j->cfg->known ? known_list_find(j->cfg->known, &s.src) : -1;
        decide_tool(&s, best, j->rules, j->cfg);
        s.cls = (uint8_t)decide_class(&s, j->agg, j->cfg, j->infer_sensor);
        an->verdict[i] = (struct source_verdict){
            .known = s.known,
            .tool = s.tool,
            .cls = s.cls,
            .flags = (uint8_t)((s.kind_packets[KIND_SYN_PROBE] ? SOURCE_SENT_SYN : 0) |
                               (s.research_days ? SOURCE_RESEARCH : 0))};
        j->keys[i] = packable(&s) ? pack(&s, (uint32_t)i) : NOT_PACKED;
        j->scanner_tool[i] = s.cls == CLASS_SCANNER ? s.tool : NOT_SCANNER;
        add_to_totals(&j->totals, &s);
        if (an->summaries) an->summaries[i] = s;
    }
    month_sets_free(sets);
    return NULL;
}

/* One thread's share of marking records with their source's tool: records [from, to). */
struct mark_slice {
    struct analysis *an;
    const uint8_t *scanner_tool; /* per source */
    size_t from, to;
};

/* Marks records in their order once their sources are judged. Judging wrote them source by
 * source, one byte at a random place a record: 0.5 s of 1.6 with 13.7 M records, where this
 * pass reads at a random place (which the core overlaps) and writes in order. It reads a
 * byte a source that judging wrote for it, not the 8-byte verdicts: 7 MB with 7.2 M sources,
 * which the cache mostly holds, where the verdicts' 58 MB came from memory. */
static void *mark_scanner_records(void *arg)
{
    const struct mark_slice *m = arg;
    const struct analysis *an = m->an;
    for (size_t r = m->from; r < m->to; r++) {
        uint32_t src = an->record_source[r];
        an->record_scanner_tool[r] = src == NO_SOURCE ? NOT_SCANNER : m->scanner_tool[src];
    }
    return NULL;
}

int analysis_build(struct analysis *an, const agg_t *agg, const fprules_t *rules,
                   const struct verdict_config *cfg, char *errbuf)
{
    memset(an, 0, sizeof *an);
    an->first_ns = INT64_MAX;
    an->last_ns = INT64_MIN;
    an->n_tools = fprules_tool_count(rules);
    an->n_records = agg_records(agg);
    an->agg = agg;
    an->rules = rules;
    an->research_min_packets = cfg->research_min_packets;
    an->research_min_ports = cfg->research_min_ports;
    bool infer_sensor = !cfg->sensor || cfg->sensor->n == 0;
    an->sensor_inferred = infer_sensor;
    size_t n = agg_records(agg);
    uint64_t *keys = NULL;
    uint8_t *scanner_tool = NULL;
    an->record_source = malloc((n ? n : 1) * sizeof *an->record_source);
    an->record_scanner_tool = malloc(n ? n : 1);
    if (!an->record_source || !an->record_scanner_tool ||
        grouping_build(&an->group, agg, cfg->excluded, an->record_source, cfg->threads) != SL_OK ||
        !(an->verdict =
              malloc((an->group.n_sources ? an->group.n_sources : 1) * sizeof *an->verdict)) ||
        !(keys = malloc((an->group.n_sources ? an->group.n_sources : 1) * sizeof *keys)) ||
        !(scanner_tool = malloc(an->group.n_sources ? an->group.n_sources : 1))) {
        free(keys);
        analysis_free(an);
        return sl_error(errbuf, SL_ERR_NOMEM, "out of memory for %zu source records", n);
    }
    for (size_t r = 0; r < n; r++)
        if (cfg->excluded && cfg->excluded[r]) an->excluded_records++;
    an->n_sources = an->group.n_sources;
    /* Reports that list every source (sources.csv) need each summary again. Building them
     * again takes as long as judging (0.5 s of a 3 s analysis with 100,000 sources), keeping
     * them 128 bytes a source: kept when that is at most a quarter of the records' memory,
     * so that a month of millions of sources seen once is not held twice. Not keeping them
     * is no error. */
    if (an->n_sources * sizeof *an->summaries <= agg_record_bytes(agg) / 4)
        an->summaries = malloc((an->n_sources ? an->n_sources : 1) * sizeof *an->summaries);
    /* Sources are independent: slices of them are judged by cfg->threads threads, each adding
     * up its own totals, which are summed after. */
    size_t threads = parallel_slices(cfg->threads);
    struct judge_slice slices[PARALLEL_MAX];
    for (size_t t = 0; t < threads; t++)
        slices[t] = (struct judge_slice){.an = an,
                                         .agg = agg,
                                         .rules = rules,
                                         .cfg = cfg,
                                         .g = &an->group,
                                         .keys = keys,
                                         .scanner_tool = scanner_tool,
                                         .from = an->n_sources * t / threads,
                                         .to = an->n_sources * (t + 1) / threads,
                                         .infer_sensor = infer_sensor};
    run_in_threads(judge, slices, sizeof *slices, threads);
    struct mark_slice marks[PARALLEL_MAX];
    for (size_t t = 0; t < threads; t++)
        marks[t] = (struct mark_slice){an, scanner_tool, n * t / threads, n * (t + 1) / threads};
    run_in_threads(mark_scanner_records, marks, sizeof *marks, threads);
    free(scanner_tool);
    bool ok = true;
    for (size_t t = 0; t < threads; t++) {
        add_totals(an, &slices[t].totals);
        ok = ok && slices[t].ok;
    }
    int rc = ok ? SL_OK : sl_error(errbuf, SL_ERR_NOMEM, "out of memory while merging days");
    if (rc == SL_OK) rank_sources(an, keys, threads);
    free(keys);
    if (rc != SL_OK) analysis_free(an);
    return rc;
}

void analysis_free(struct analysis *an)
{
    grouping_free(&an->group);
    free(an->verdict);
    free(an->summaries);
    free(an->record_source);
    free(an->record_scanner_tool);
    free(an->rank);
    an->rank = NULL;
    an->verdict = NULL;
    an->summaries = NULL;
    an->record_source = NULL;
    an->record_scanner_tool = NULL;
    an->n_sources = 0;
}

/* A reader builds a source's summary as judging did: its days summed up (summarize), the best
 * tool's rule and matches worked out again, the verdict taken from what judging kept. */
struct source_reader {
    const struct analysis *an;
    /* the rank position of the last source_reader_ahead: a store, so that the compiler keeps
     * the call (one with nothing but prefetches is dropped whole across files) */
    size_t ahead_of;
    struct verdict_config cfg; /* the research rule merge_days counts days with */
    month_sets_t *sets;
    struct source_summary summary;
};

source_reader_t *source_reader_new(const struct analysis *an)
{
    source_reader_t *r = calloc(1, sizeof *r);
    if (!r || !(r->sets = month_sets_new())) {
        free(r);
        return NULL;
    }
    r->an = an;
    verdict_config_defaults(&r->cfg);
    r->cfg.research_min_packets = an->research_min_packets;
    r->cfg.research_min_ports = an->research_min_ports;
    return r;
}

const struct source_summary *source_reader_get(source_reader_t *r, size_t i)
{
    if (r->an->summaries) return &r->an->summaries[i];
    const struct grouping *g = &r->an->group;
    const uint32_t *days = g->members + g->offsets[i];
    size_t n_days = g->offsets[i + 1] - g->offsets[i];
    struct source_summary *s = &r->summary;
    uint8_t best;
    memset(s, 0, sizeof *s);
    if (!summarize(s, &best, r->an->agg, r->an->rules, days, n_days, days + n_days, &r->cfg,
                   r->sets))
        return NULL;
    const struct source_verdict *v = &r->an->verdict[i];
    s->tool = v->tool;
    s->cls = v->cls;
    s->known = v->known;
    return s;
}

/* Sources are read in rank order, scattered over the records: what the one 8 places on
 * needs is fetched in three steps, each a place closer than the one it depends on. */
#define READ_AHEAD 8

void source_reader_ahead(source_reader_t *r, size_t k)
{
    const struct analysis *an = r->an;
    const struct grouping *g = &an->group;
    r->ahead_of = k;
    if (an->summaries) {
        if (k + READ_AHEAD < an->n_sources)
            __builtin_prefetch(&an->summaries[analysis_ranked(an, k + READ_AHEAD)]);
        return;
    }
    if (k + 3 * READ_AHEAD < an->n_sources)
        __builtin_prefetch(&g->offsets[analysis_ranked(an, k + 3 * READ_AHEAD)]);
    if (k + 2 * READ_AHEAD < an->n_sources)
        __builtin_prefetch(&g->members[g->offsets[analysis_ranked(an, k + 2 * READ_AHEAD)]]);
    if (k + READ_AHEAD < an->n_sources) {
        size_t i = analysis_ranked(an, k + READ_AHEAD);
        for (uint32_t m = g->offsets[i]; m < g->offsets[i + 1] && m < g->offsets[i] + 4; m++) {
            agg_prefetch_record(agg_record_address(an->agg, g->members[m]),
                                agg_record_stored(an->agg, g->members[m]) != NULL);
        }
    }
}

void source_reader_free(source_reader_t *r)
{
    if (!r) return;
    month_sets_free(r->sets);
    free(r);
}
