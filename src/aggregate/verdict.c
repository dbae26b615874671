/* Source verdicts: merge a source's days, pick its tool, decide its class, add up totals. */
#include "verdict.h"

#include <stdlib.h>
#include <string.h>

#include "../util/error.h"

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
        [CLASS_SCANNER] = "scanner",         [CLASS_REFLECTION] = "reflection",
        [CLASS_BACKSCATTER] = "backscatter", [CLASS_SENSOR] = "sensor",
        [CLASS_OTHER] = "other",
    };
    return cls >= 0 && cls < CLASS_COUNT ? names[cls] : "?";
}

static int compare_src_day(const void *a, const void *b)
{
    const struct src_day *x = *(const struct src_day *const *)a;
    const struct src_day *y = *(const struct src_day *const *)b;
    int c = memcmp(&x->src, &y->src, sizeof x->src);
    if (c) return c;
    return (x->day > y->day) - (x->day < y->day);
}

static int compare_summary(const struct source_summary *x, const struct source_summary *y)
{
    uint64_t sx = x->kind_packets[KIND_SYN_PROBE], sy = y->kind_packets[KIND_SYN_PROBE];
    if (sx != sy) return sx < sy ? 1 : -1;
    if (x->probes != y->probes) return x->probes < y->probes ? 1 : -1;
    return memcmp(&x->src, &y->src, sizeof x->src);
}

static int compare_index(const void *a, const void *b, void *sources)
{
    const struct source_summary *s = sources;
    return compare_summary(&s[*(const uint32_t *)a], &s[*(const uint32_t *)b]);
}

/* Sorts the sources (most SYNs first) and renumbers record_source to match. */
static void sort_sources(struct analysis *an)
{
    size_t n = an->n_sources;
    uint32_t *new_index = malloc((n ? n : 1) * sizeof *new_index);
    struct source_summary *copy = malloc((n ? n : 1) * sizeof *copy);
    if (!new_index || !copy) { /* keep the unsorted order: still correct, only less tidy */
        free(new_index);
        free(copy);
        return;
    }
    /* sort an index vector so that the old position of each summary is known */
    uint32_t *order = new_index;
    for (size_t i = 0; i < n; i++) order[i] = (uint32_t)i;
    qsort_r(order, n, sizeof *order, compare_index, an->source);
    for (size_t i = 0; i < n; i++) copy[i] = an->source[order[i]];
    uint32_t *position = malloc((n ? n : 1) * sizeof *position);
    if (position) {
        for (size_t i = 0; i < n; i++) position[order[i]] = (uint32_t)i;
        memcpy(an->source, copy, n * sizeof *copy);
        for (size_t r = 0; r < an->n_records; r++)
            if (an->record_source[r] != NO_SOURCE) an->record_source[r] = position[an->record_source[r]];
        free(position);
    }
    free(copy);
    free(new_index);
}

/* Picks the tool with the most matches, if it has enough of them and of the probes. */
static void decide_tool(struct source_summary *s, const struct src_day *merged,
                        const fprules_t *rules, const struct verdict_config *cfg)
{
    const struct tool_tally *best = NULL;
    for (int i = 0; i < AGG_TOOL_SLOTS; i++) {
        const struct tool_tally *t = &merged->tools[i];
        if (t->count && (!best || t->count > best->count)) best = t;
    }
    s->tool = TOOL_UNKNOWN;
    s->rule = -1;
    s->tool_matched = 0;
    if (!best) return;
    s->rule = best->rule;
    s->tool_matched = best->count;
    if (best->count >= fprules_rule_min_packets(rules, best->rule) &&
        (double)best->count >= cfg->min_consistency * (double)s->probes)
        s->tool = best->tool;
}

static int decide_class(const struct source_summary *s, const agg_t *agg,
                        const struct verdict_config *cfg, bool infer_sensor)
{
    const uint64_t *k = s->kind_packets;
    if (k[KIND_SENSOR] || (infer_sensor && agg_probed_contains(agg, &s->src))) return CLASS_SENSOR;
    if (s->probes) {
        uint64_t syn = k[KIND_SYN_PROBE];
        double pairs = (double)(s->dst_addrs ? s->dst_addrs : 1) * (s->syn_ports ? s->syn_ports : 1);
        if (s->tool == TOOL_UNKNOWN && syn >= cfg->reflection_min_syn &&
            (double)syn / pairs >= cfg->reflection_min_repeat &&
            (double)k[KIND_OTHER] <= cfg->reflection_max_established * (double)syn)
            return CLASS_REFLECTION;
        return CLASS_SCANNER;
    }
    return k[KIND_BACKSCATTER] ? CLASS_BACKSCATTER : CLASS_OTHER;
}

/* Folds one source's day records (sorted, adjacent) into *merged and *s. */
static bool merge_days(struct src_day *merged, struct source_summary *s,
                       const struct src_day *const *days, size_t n,
                       const struct verdict_config *cfg)
{
    memset(merged, 0, sizeof *merged);
    merged->first_ns = INT64_MAX;
    merged->last_ns = INT64_MIN;
    bool ok = true;
    for (size_t d = 0; d < n; d++) {
        const struct src_day *r = days[d];
        if ((uint64_t)r->kind_packets[KIND_SYN_PROBE] + r->kind_packets[KIND_UDP_PROBE] >=
                cfg->research_min_packets &&
            r->syn_ports.n + r->udp_ports.n >= cfg->research_min_ports)
            s->research_days++;
        for (int k = 0; k < KIND_COUNT; k++) s->kind_packets[k] += r->kind_packets[k];
        s->syn_from_service_port += r->syn_from_service_port;
        if (r->first_ns < merged->first_ns) merged->first_ns = r->first_ns;
        if (r->last_ns > merged->last_ns) merged->last_ns = r->last_ns;
        for (int i = 0; i < AGG_TOOL_SLOTS; i++) {
            const struct tool_tally *t = &r->tools[i];
            if (!t->count) continue;
            int j = 0;
            while (j < AGG_TOOL_SLOTS && merged->tools[j].count && merged->tools[j].tool != t->tool) j++;
            if (j == AGG_TOOL_SLOTS) continue;
            if (!merged->tools[j].count) merged->tools[j] = *t;
            else merged->tools[j].count += t->count;
        }
        ok = ok && portmap_merge(&merged->syn_ports, &r->syn_ports) &&
             portmap_merge(&merged->udp_ports, &r->udp_ports) &&
             addrset_merge(&merged->dsts, &r->dsts);
    }
    s->src = days[0]->src;
    s->days = (uint32_t)n;
    s->first_ns = merged->first_ns;
    s->last_ns = merged->last_ns;
    s->syn_ports = merged->syn_ports.n;
    s->udp_ports = merged->udp_ports.n;
    s->dst_addrs = merged->dsts.n;
    s->probes = s->kind_packets[KIND_SYN_PROBE] + s->kind_packets[KIND_UDP_PROBE] +
                s->kind_packets[KIND_ICMP_PROBE];
    return ok;
}

static void add_to_totals(struct analysis *an, const struct source_summary *s)
{
    const uint64_t *k = s->kind_packets;
    uint64_t packets = 0;
    for (int i = KIND_SYN_PROBE; i < KIND_COUNT; i++) packets += k[i];
    an->class_sources[s->cls]++;
    an->class_packets[s->cls] += packets;
    if (s->first_ns < an->first_ns) an->first_ns = s->first_ns;
    if (s->last_ns > an->last_ns) an->last_ns = s->last_ns;
    if (s->cls == CLASS_SCANNER) {
        struct tool_totals *t = &an->tool[s->tool];
        t->syn_packets += k[KIND_SYN_PROBE];
        t->udp_packets += k[KIND_UDP_PROBE];
        t->icmp_packets += k[KIND_ICMP_PROBE];
        t->sources++;
        if (k[KIND_SYN_PROBE]) t->syn_sources++, an->tool_syn_sources++;
        an->syn_probes += k[KIND_SYN_PROBE];
        an->udp_probes += k[KIND_UDP_PROBE];
        an->icmp_probes += k[KIND_ICMP_PROBE];
    } else if (s->cls == CLASS_REFLECTION) {
        an->reflection_syn += k[KIND_SYN_PROBE];
    } else if (s->cls == CLASS_BACKSCATTER) {
        an->backscatter_packets += k[KIND_BACKSCATTER];
    }
}

int analysis_build(struct analysis *an, const agg_t *agg, const fprules_t *rules,
                   const struct verdict_config *cfg, char *errbuf)
{
    memset(an, 0, sizeof *an);
    an->first_ns = INT64_MAX;
    an->last_ns = INT64_MIN;
    an->n_tools = fprules_tool_count(rules);
    an->n_records = agg_records(agg);
    bool infer_sensor = !cfg->sensor || cfg->sensor->n == 0;
    an->sensor_inferred = infer_sensor;
    size_t n = agg_records(agg);
    const struct src_day **order = malloc((n ? n : 1) * sizeof *order);
    an->source = calloc(n ? n : 1, sizeof *an->source);
    if (!order || !an->source) {
        free(order);
        analysis_free(an);
        return sl_error(errbuf, SL_ERR_NOMEM, "out of memory for %zu source records", n);
    }
    an->record_source = malloc((n ? n : 1) * sizeof *an->record_source);
    if (!an->record_source) {
        free(order);
        analysis_free(an);
        return sl_error(errbuf, SL_ERR_NOMEM, "out of memory for %zu source records", n);
    }
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        an->record_source[i] = NO_SOURCE;
        if (cfg->excluded && cfg->excluded[i])
            an->excluded_records++;
        else
            order[kept++] = agg_record(agg, i);
    }
    n = kept;
    qsort(order, n, sizeof *order, compare_src_day);
    int rc = SL_OK;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && memcmp(&order[j]->src, &order[i]->src, sizeof order[i]->src) == 0) j++;
        uint32_t index = (uint32_t)an->n_sources++;
        struct source_summary *s = &an->source[index];
        for (size_t d = i; d < j; d++)
            an->record_source[order[d] - agg_record(agg, 0)] = index;
        struct src_day merged;
        s->known = cfg->known ? known_list_find(cfg->known, &order[i]->src) : -1;
        if (!merge_days(&merged, s, order + i, j - i, cfg))
            rc = sl_error(errbuf, SL_ERR_NOMEM, "out of memory while merging days");
        decide_tool(s, &merged, rules, cfg);
        s->cls = (uint8_t)decide_class(s, agg, cfg, infer_sensor);
        add_to_totals(an, s);
        portmap_free(&merged.syn_ports);
        portmap_free(&merged.udp_ports);
        addrset_free(&merged.dsts);
        i = j;
    }
    free(order);
    sort_sources(an);
    if (rc != SL_OK) analysis_free(an);
    return rc;
}

void analysis_free(struct analysis *an)
{
    free(an->source);
    free(an->record_source);
    an->source = NULL;
    an->record_source = NULL;
    an->n_sources = 0;
}
