/* Building the figure data from records. */
#include "figures.h"

#include <stdlib.h>
#include <string.h>

#include "../util/error.h"
#include "../util/parallel.h"

#define PORTS 65536u
#define FETCH_AHEAD 8

struct day_accumulator {
    uint32_t *counts; /* [tool * 65536 + port] for one day */
    uint8_t tool;
};

static void add_port(void *ctx, uint16_t port, uint32_t count)
{
    struct day_accumulator *acc = ctx;
    acc->counts[(size_t)acc->tool * PORTS + port] += count;
}

/* One thread's share of the port figures: the records order[from, to), whole days of them,
 * counted into its own list (in day, tool, port order). */
struct port_slice {
    const agg_t *agg;
    const struct analysis *an;
    const uint32_t *order;
    size_t from, to, n_tools;
    struct port_count *ports;
    size_t n_ports, cap;
    bool ok;
};

static bool push_port(struct port_slice *s, struct port_count pc)
{
    if (s->n_ports == s->cap) {
        size_t grown_cap = s->cap ? s->cap * 2 : 4096;
        struct port_count *grown = realloc(s->ports, grown_cap * sizeof *grown);
        if (!grown) return false;
        s->ports = grown;
        s->cap = grown_cap;
    }
    s->ports[s->n_ports++] = pc;
    return true;
}

static void *count_ports(void *arg)
{
    struct port_slice *s = arg;
    uint32_t *counts = calloc(s->n_tools * PORTS, sizeof *counts);
    s->ok = counts != NULL;
    for (size_t i = s->from; i < s->to && s->ok;) {
        int32_t day = agg_record_day(s->agg, s->order[i]);
        struct day_accumulator acc = {counts, 0};
        size_t j = i;
        for (; j < s->to && agg_record_day(s->agg, s->order[j]) == day; j++) {
            if (j + 2 * FETCH_AHEAD < s->to) /* a record, then its ports, ahead of use */
                __builtin_prefetch(agg_record_address(s->agg, s->order[j + 2 * FETCH_AHEAD]));
            const struct src_day *ahead = j + FETCH_AHEAD < s->to
                                              ? agg_record_stored(s->agg, s->order[j + FETCH_AHEAD])
                                              : NULL;
            if (ahead) portmap_prefetch_table(&ahead->syn_ports);
            acc.tool = (uint8_t)record_scanner_tool(s->an, s->order[j]);
            /* records here have SYNs: one of one packet is a SYN to its port, read as it is
             * kept rather than built as a full record (most records of a darknet) */
            const struct one_packet *one = agg_record_one(s->agg, s->order[j]);
            if (one) {
                add_port(&acc, one->dport, 1);
                continue;
            }
            portmap_each(&agg_record_stored(s->agg, s->order[j])->syn_ports, add_port, &acc);
        }
        for (size_t t = 0; t < s->n_tools; t++)
            for (uint32_t p = 0; p < PORTS; p++) {
                uint32_t c = counts[t * PORTS + p];
                if (!c) continue;
                counts[t * PORTS + p] = 0;
                if (!push_port(s, (struct port_count){day, (uint8_t)t, (uint16_t)p, c}))
                    s->ok = false;
            }
        i = j;
    }
    free(counts);
    return NULL;
}

/* Per (day, tool, port) counts, one day at a time through a dense array; days are cut into
 * `threads` runs of about equal records, counted side by side and joined in day order.
 * order: the scanner records with SYNs in day order; day_end[d]: how many of them are on days
 * up to d. */
static int build_ports(struct figure_data *fig, const agg_t *agg, const struct analysis *an,
                       const uint32_t *order, const size_t *day_end, size_t threads, char *errbuf)
{
    size_t used = fig->n_days ? day_end[fig->n_days - 1] : 0;
    /* cut at day ends, about used / threads records apart */
    threads = parallel_slices(threads);
    struct port_slice slice[PARALLEL_MAX];
    for (size_t t = 0, d = 0; t < threads; t++) {
        size_t from = t == 0 ? 0 : slice[t - 1].to, want = used * (t + 1) / threads;
        while (t + 1 < threads && d < fig->n_days && day_end[d] < want)
            d++;
        size_t to = t + 1 == threads ? used : day_end[d] > from ? day_end[d] : from;
        slice[t] = (struct port_slice){
            .agg = agg, .an = an, .order = order, .from = from, .to = to, .n_tools = fig->n_tools};
    }
    run_in_threads(count_ports, slice, sizeof *slice, threads);
    bool ok = true;
    for (size_t t = 0; t < threads; t++) {
        ok = ok && slice[t].ok;
        fig->n_ports += slice[t].n_ports;
    }
    fig->ports = ok ? malloc((fig->n_ports ? fig->n_ports : 1) * sizeof *fig->ports) : NULL;
    ok = ok && fig->ports;
    size_t at = 0;
    for (size_t t = 0; t < threads; t++) {
        for (size_t i = 0; ok && i < slice[t].n_ports; i++) {
            const struct port_count *pc = &slice[t].ports[i];
            fig->tool_port_syn[(size_t)pc->tool * PORTS + pc->port] += pc->syn_packets;
            fig->ports[at++] = *pc;
        }
        free(slice[t].ports);
    }
    if (!ok) fig->n_ports = 0;
    return ok ? SL_OK : sl_error(errbuf, SL_ERR_NOMEM, "out of memory for the port figures");
}

/* Per tool: what judging added up of its scanner sources that sent SYN probes. */
static void build_tool_stats(struct figure_data *fig, const struct analysis *an)
{
    for (size_t t = 0; t < fig->n_tools; t++) {
        const struct tool_totals *tt = &an->tool[t];
        struct tool_stats *ts = &fig->tool[t];
        ts->syn_packets = tt->syn_packets;
        ts->sources = tt->syn_sources;
        ts->sweep_1000 = (uint32_t)tt->sweep_1000;
        ts->sweep_all = (uint32_t)tt->sweep_all;
        ts->research_sources = (uint32_t)tt->research_sources;
        for (size_t k = 0; k < tt->n_top; k++) {
            if (k < 5) ts->top5_syn += tt->top_syn[k];
            ts->top10_syn += tt->top_syn[k];
        }
    }
    for (size_t t = 0; t < fig->n_tools; t++) {
        struct tool_stats *ts = &fig->tool[t];
        const uint64_t *syn = fig->tool_port_syn + t * PORTS;
        for (size_t k = 0; k < FIG_TOP_PORTS; k++) {
            uint32_t best = PORTS;
            for (uint32_t p = 0; p < PORTS; p++) {
                if (!syn[p]) continue;
                bool taken = false;
                for (size_t q = 0; q < k; q++)
                    taken |= ts->top_port[q] == p;
                if (!taken && (best == PORTS || syn[p] > syn[best])) best = p;
            }
            if (best == PORTS) break;
            ts->top_port[k] = (uint16_t)best;
            ts->n_top = k + 1;
        }
    }
}

/* One thread's share of the records [lo, hi) for the day figures. First its sums by day of
 * the table's range (day index d from first_all); then, told where its next record of each day
 * goes (next), its scanner records with SYNs in `order`, by day and in record order. */
struct day_slice {
    const agg_t *agg;
    const struct analysis *an;
    size_t lo, hi, n_tools;
    int32_t first_all;
    int32_t first, last;                     /* the days of its records that are kept */
    uint64_t *syn, *tool_syn, *tool_sources; /* [d], [d * n_tools + tool] */
    size_t *records;                         /* [d]: its scanner records with SYNs */
    size_t *next;                            /* [d], when placing */
    uint32_t *order;                         /* NULL while summing */
};

static void *day_pass(void *arg)
{
    struct day_slice *s = arg;
    for (size_t r = s->lo; r < s->hi; r++) {
        if (s->an->record_source[r] == NO_SOURCE) continue;
        int32_t day = agg_record_day(s->agg, r);
        int tool = record_scanner_tool(s->an, r);
        uint64_t syn = tool >= 0 ? agg_record_syn(s->agg, r) : 0;
        size_t d = (size_t)(day - s->first_all);
        if (s->order) {
            if (syn) s->order[s->next[d]++] = (uint32_t)r;
            continue;
        }
        if (day < s->first) s->first = day;
        if (day > s->last) s->last = day;
        if (!syn) continue;
        s->syn[d] += syn;
        s->tool_syn[d * s->n_tools + (size_t)tool] += syn;
        s->tool_sources[d * s->n_tools + (size_t)tool]++;
        s->records[d]++;
    }
    return NULL;
}

/* Counted over the table's days, in one pass over the records (millions of them, a cache line
 * each) by slices, then cut to the days of the records kept; a second pass puts the records
 * the port figures read in day order (a counting sort, slice after slice within a day). */
int figures_build(struct figure_data *fig, const agg_t *agg, const struct analysis *an,
                  size_t threads, char *errbuf)
{
    memset(fig, 0, sizeof *fig);
    fig->n_tools = an->n_tools;
    threads = parallel_slices(threads);
    int32_t first_all, last_all, first = INT32_MAX, last = INT32_MIN;
    agg_day_range(agg, &first_all, &last_all);
    size_t all_days = first_all <= last_all ? (size_t)(last_all - first_all) + 1 : 1;
    size_t per_slice = all_days * (1 + 2 * fig->n_tools), n = agg_records(agg);
    uint64_t *sums = calloc(threads * per_slice, sizeof *sums);
    size_t *counts = calloc(2 * threads * all_days + all_days, sizeof *counts);
    fig->day_syn = calloc(all_days, sizeof *fig->day_syn);
    fig->day_tool_syn = calloc(all_days * fig->n_tools, sizeof *fig->day_tool_syn);
    fig->day_tool_sources = calloc(all_days * fig->n_tools, sizeof *fig->day_tool_sources);
    fig->tool_port_syn = calloc(fig->n_tools * PORTS, sizeof *fig->tool_port_syn);
    if (!sums || !counts || !fig->day_syn || !fig->day_tool_syn || !fig->day_tool_sources ||
        !fig->tool_port_syn) {
        free(sums);
        free(counts);
        figures_free(fig);
        return sl_error(errbuf, SL_ERR_NOMEM, "out of memory for the figures");
    }
    struct day_slice slice[PARALLEL_MAX];
    for (size_t t = 0; t < threads; t++) {
        uint64_t *mine = sums + t * per_slice;
        slice[t] = (struct day_slice){.agg = agg,
                                      .an = an,
                                      .lo = n * t / threads,
                                      .hi = n * (t + 1) / threads,
                                      .n_tools = fig->n_tools,
                                      .first_all = first_all,
                                      .first = INT32_MAX,
                                      .last = INT32_MIN,
                                      .syn = mine,
                                      .tool_syn = mine + all_days,
                                      .tool_sources = mine + all_days * (1 + fig->n_tools),
                                      .records = counts + 2 * t * all_days,
                                      .next = counts + (2 * t + 1) * all_days};
    }
    run_in_threads(day_pass, slice, sizeof *slice, threads);
    size_t *day_end = counts + 2 * threads * all_days;
    for (size_t t = 0; t < threads; t++) {
        const struct day_slice *s = &slice[t];
        if (s->first < first) first = s->first;
        if (s->last > last) last = s->last;
        for (size_t d = 0; d < all_days; d++) {
            fig->day_syn[d] += s->syn[d];
            day_end[d] += s->records[d];
        }
        for (size_t i = 0; i < all_days * fig->n_tools; i++) {
            fig->day_tool_syn[i] += s->tool_syn[i];
            fig->day_tool_sources[i] += s->tool_sources[i];
        }
    }
    if (first > last) first = last = first_all <= last_all ? first_all : 0;
    fig->first_day = first;
    fig->n_days = (size_t)(last - first) + 1;
    size_t skip = (size_t)(first - (first_all <= last_all ? first_all : first));
    /* where each slice's records of each day go: day after day, slice after slice */
    for (size_t d = skip, at = 0; d < skip + fig->n_days; d++)
        for (size_t t = 0; t < threads; t++) {
            slice[t].next[d] = at;
            at += slice[t].records[d];
        }
    memmove(fig->day_syn, fig->day_syn + skip, fig->n_days * sizeof *fig->day_syn);
    memmove(fig->day_tool_syn, fig->day_tool_syn + skip * fig->n_tools,
            fig->n_days * fig->n_tools * sizeof *fig->day_tool_syn);
    memmove(fig->day_tool_sources, fig->day_tool_sources + skip * fig->n_tools,
            fig->n_days * fig->n_tools * sizeof *fig->day_tool_sources);
    memmove(day_end, day_end + skip, fig->n_days * sizeof *day_end);
    for (size_t d = 1; d < fig->n_days; d++)
        day_end[d] += day_end[d - 1];
    size_t used = fig->n_days ? day_end[fig->n_days - 1] : 0;
    uint32_t *order = malloc((used ? used : 1) * sizeof *order);
    int rc = order ? SL_OK : sl_error(errbuf, SL_ERR_NOMEM, "out of memory for the port figures");
    if (rc == SL_OK) {
        for (size_t t = 0; t < threads; t++)
            slice[t].order = order;
        run_in_threads(day_pass, slice, sizeof *slice, threads);
        rc = build_ports(fig, agg, an, order, day_end, threads, errbuf);
    }
    free(order);
    free(sums);
    free(counts);
    if (rc != SL_OK) {
        figures_free(fig);
        return rc;
    }
    build_tool_stats(fig, an);
    return SL_OK;
}

void figures_free(struct figure_data *fig)
{
    free(fig->day_syn);
    free(fig->day_tool_syn);
    free(fig->day_tool_sources);
    free(fig->ports);
    free(fig->tool_port_syn);
    memset(fig, 0, sizeof *fig);
}

uint64_t figures_day_port(const struct figure_data *fig, size_t d, int tool, uint16_t port)
{
    int32_t day = fig->first_day + (int32_t)d;
    size_t lo = 0, hi = fig->n_ports; /* sorted by (day, tool, port) */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const struct port_count *p = &fig->ports[mid];
        int before = p->day < day ||
                     (p->day == day && (p->tool < tool || (p->tool == tool && p->port < port)));
        if (before)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < fig->n_ports) {
        const struct port_count *p = &fig->ports[lo];
        if (p->day == day && p->tool == tool && p->port == port) return p->syn_packets;
    }
    return 0;
}
