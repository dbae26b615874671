/* Building the figure data from records. */
#include "figures.h"

#include <stdlib.h>
#include <string.h>

#include "../util/error.h"

#define PORTS 65536u

struct day_accumulator {
    const struct figure_data *fig;
    uint32_t *counts; /* [tool * 65536 + port] for one day */
    uint8_t tool;
};

static void add_port(void *ctx, uint16_t port, uint32_t count)
{
    struct day_accumulator *acc = ctx;
    acc->counts[(size_t)acc->tool * PORTS + port] += count;
}

static bool push_port(struct figure_data *fig, size_t *cap, struct port_count pc)
{
    if (fig->n_ports == *cap) {
        size_t grown_cap = *cap ? *cap * 2 : 4096;
        struct port_count *grown = realloc(fig->ports, grown_cap * sizeof *grown);
        if (!grown) return false;
        fig->ports = grown;
        *cap = grown_cap;
    }
    fig->ports[fig->n_ports++] = pc;
    return true;
}

/* Per (day, tool, port) counts, one day at a time through a dense array. */
static int build_ports(struct figure_data *fig, const agg_t *agg, const struct analysis *an,
                       char *errbuf)
{
    size_t n = agg_records(agg), used = 0, cap = 0;
    uint32_t *order = malloc((n ? n : 1) * sizeof *order);
    uint32_t *counts = calloc(fig->n_tools * PORTS, sizeof *counts);
    if (!order || !counts) {
        free(order);
        free(counts);
        return sl_error(errbuf, SL_ERR_NOMEM, "out of memory for the port figures");
    }
    /* records of scanner sources, in day order by a counting sort */
    size_t *next = calloc(fig->n_days + 1, sizeof *next);
    if (!next) {
        free(order);
        free(counts);
        return sl_error(errbuf, SL_ERR_NOMEM, "out of memory for the port figures");
    }
    for (size_t r = 0; r < n; r++)
        if (record_scanner_tool(an, r) >= 0) {
            next[agg_record(agg, r)->day - fig->first_day + 1]++;
            used++;
        }
    for (size_t d = 0; d < fig->n_days; d++)
        next[d + 1] += next[d];
    for (size_t r = 0; r < n; r++)
        if (record_scanner_tool(an, r) >= 0)
            order[next[agg_record(agg, r)->day - fig->first_day]++] = (uint32_t)r;
    free(next);
    int rc = SL_OK;
    for (size_t i = 0; i < used && rc == SL_OK;) {
        int32_t day = agg_record(agg, order[i])->day;
        struct day_accumulator acc = {fig, counts, 0};
        size_t j = i;
        for (; j < used && agg_record(agg, order[j])->day == day; j++) {
            const struct src_day *rec = agg_record(agg, order[j]);
            acc.tool = (uint8_t)record_scanner_tool(an, order[j]);
            portmap_each(&rec->syn_ports, add_port, &acc);
        }
        for (size_t t = 0; t < fig->n_tools; t++)
            for (uint32_t p = 0; p < PORTS; p++) {
                uint32_t c = counts[t * PORTS + p];
                if (!c) continue;
                counts[t * PORTS + p] = 0;
                fig->tool_port_syn[t * PORTS + p] += c;
                if (!push_port(fig, &cap, (struct port_count){day, (uint8_t)t, (uint16_t)p, c}))
                    rc = sl_error(errbuf, SL_ERR_NOMEM, "out of memory for the port figures");
            }
        i = j;
    }
    free(order);
    free(counts);
    return rc;
}

static void build_tool_stats(struct figure_data *fig, const struct analysis *an)
{
    uint32_t seen[FP_MAX_TOOLS] = {0};
    for (size_t i = 0; i < an->n_sources; i++) { /* in report order: most SYN packets first */
        const struct source_summary *s = analysis_ranked(an, i);
        uint64_t syn = s->kind_packets[KIND_SYN_PROBE];
        if (s->cls != CLASS_SCANNER || !syn) continue;
        struct tool_stats *t = &fig->tool[s->tool];
        t->syn_packets += syn;
        t->sources++;
        if (seen[s->tool] < 5) t->top5_syn += syn;
        if (seen[s->tool] < 10) t->top10_syn += syn;
        seen[s->tool]++;
        if (s->syn_ports >= 1000) t->sweep_1000++;
        if (s->syn_ports >= 65535) t->sweep_all++;
        if (s->research_days) t->research_sources++;
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

int figures_build(struct figure_data *fig, const agg_t *agg, const struct analysis *an,
                  char *errbuf)
{
    memset(fig, 0, sizeof *fig);
    fig->n_tools = an->n_tools;
    int32_t first = INT32_MAX, last = INT32_MIN;
    for (size_t r = 0; r < agg_records(agg); r++) {
        if (an->record_source[r] == NO_SOURCE) continue;
        int32_t d = agg_record(agg, r)->day;
        if (d < first) first = d;
        if (d > last) last = d;
    }
    if (first > last) first = last = 0;
    fig->first_day = first;
    fig->n_days = (size_t)(last - first) + 1;
    fig->day_syn = calloc(fig->n_days, sizeof *fig->day_syn);
    fig->day_tool_syn = calloc(fig->n_days * fig->n_tools, sizeof *fig->day_tool_syn);
    fig->day_tool_sources = calloc(fig->n_days * fig->n_tools, sizeof *fig->day_tool_sources);
    fig->tool_port_syn = calloc(fig->n_tools * PORTS, sizeof *fig->tool_port_syn);
    if (!fig->day_syn || !fig->day_tool_syn || !fig->day_tool_sources || !fig->tool_port_syn) {
        figures_free(fig);
        return sl_error(errbuf, SL_ERR_NOMEM, "out of memory for the figures");
    }
    for (size_t r = 0; r < agg_records(agg); r++) {
        int tool = record_scanner_tool(an, r);
        if (tool < 0) continue;
        const struct src_day *rec = agg_record(agg, r);
        uint64_t syn = rec->kind_packets[KIND_SYN_PROBE];
        if (!syn) continue;
        size_t d = (size_t)(rec->day - first), t = (size_t)tool;
        fig->day_syn[d] += syn;
        fig->day_tool_syn[d * fig->n_tools + t] += syn;
        fig->day_tool_sources[d * fig->n_tools + t]++;
    }
    int rc = build_ports(fig, agg, an, errbuf);
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
