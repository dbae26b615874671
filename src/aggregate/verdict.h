/* From (day, source) records to one verdict per source: its tool, decided from the share of
 * its probes that matched (never from one packet), and its class: scanner, reflection
 * (spoofed SYNs of a SYN/ACK reflection attack), backscatter, sensor or other. Also the
 * headline totals, and the per-tool figures of sources, added up while judging: with 10
 * million sources the analysis keeps 8 bytes of each, and builds the whole summary of one
 * again from its records when a report lists it. The rules and thresholds are documented in
 * docs/classification.md. */
#ifndef SCANLENS_VERDICT_H
#define SCANLENS_VERDICT_H

#include <stdbool.h>
#include <stdint.h>

#include "../classify/fprules.h"
#include "../classify/known.h"
#include "../classify/netset.h"
#include "agg.h"
#include "grouping.h"

enum source_class {
    CLASS_SCANNER,
    CLASS_REFLECTION,
    CLASS_BACKSCATTER,
    CLASS_SENSOR,
    CLASS_OTHER,
    CLASS_COUNT
};

struct verdict_config {
    double min_consistency;            /* share of a source's probes its tool must match */
    uint32_t reflection_min_syn;       /* SYNs before a source can be called reflection */
    double reflection_min_repeat;      /* SYNs per (day, destination, port), at least */
    double reflection_max_established; /* session packets per SYN, at most */
    const struct netset *sensor;       /* given by the user; empty: inferred from probes */
    /* NICTER's research-scan rule, per source and day: at least this many TCP SYN + UDP
     * packets to at least this many destination ports. */
    uint64_t research_min_packets;
    uint32_t research_min_ports;
    const known_list_t *known; /* may be NULL */
    const uint8_t *excluded;   /* per agg record: nonzero leaves it out; may be NULL */
    size_t threads;            /* judging threads (0 or 1: this one) */
};

void verdict_config_defaults(struct verdict_config *cfg);

/* What a source's records add up to, with its verdict: built again from the records when a
 * report lists the source (source_reader), not kept for each of millions of sources. */
struct source_summary {
    struct ipaddr src;
    uint8_t tool;
    uint8_t cls;
    int16_t rule;          /* the rule that first matched for the chosen tool, or -1 */
    int32_t known;         /* entry in the known-scanners list, or -1 */
    uint64_t tool_matched; /* probes that matched the chosen tool */
    uint64_t kind_packets[KIND_COUNT];
    uint32_t syn_ports, udp_ports, dst_addrs, days;
    uint32_t research_days; /* days on which it met the research-scan rule */
    /* Its SYNs per (day, destination, port) on average, in hundredths, cut: what the
     * reflection rule compares with reflection_min_repeat, and sources.csv shows. Counted by
     * day, as a flood repeats pairs within a day, where a scanner that sweeps the same sensor
     * every day repeats them once a day (counted over the period, its repeats would grow with
     * the period). */
    uint32_t syn_per_day_pair_x100;
    int64_t first_ns, last_ns;
};
_Static_assert(sizeof(struct source_summary) == 128, "a source summary is 128 bytes");

/* SYN + UDP + ICMP echo probes. */
static inline uint64_t source_probes(const struct source_summary *s)
{
    return s->kind_packets[KIND_SYN_PROBE] + s->kind_packets[KIND_UDP_PROBE] +
           s->kind_packets[KIND_ICMP_PROBE];
}

#define TOOL_TOP_SOURCES 10

struct tool_totals {
    uint64_t syn_packets, udp_packets, icmp_packets;
    uint64_t sources;                   /* scanner sources with this verdict */
    uint64_t syn_sources;               /* ... of which sent SYN probes; of those: */
    uint64_t top_syn[TOOL_TOP_SOURCES]; /* the largest SYN counts, largest first */
    size_t n_top;
    uint64_t sweep_1000, sweep_all; /* sources that touched >= 1,000 / all 65,535 ports */
    uint64_t research_sources;      /* sources that met the research-scan rule */
};

/* What is kept of each source: 8 bytes. */
struct source_verdict {
    int32_t known; /* entry in the known-scanners list, or -1 */
    uint8_t tool, cls;
    uint8_t flags; /* SOURCE_SENT_SYN, SOURCE_RESEARCH */
    uint8_t unused;
};
#define SOURCE_SENT_SYN 1u
#define SOURCE_RESEARCH 2u

struct analysis {
    struct source_verdict *verdict; /* by source number (IPv4 by address, then IPv6) */
    uint32_t *rank; /* rank[i]: the number of the source i-th in report order (most SYNs first) */
    size_t n_sources;
    struct grouping group; /* the records of each source, to build its summary again */
    /* by source number, as judging left them, when they take at most a quarter of what the
     * records do (analysis_build); else NULL, and source_reader builds them again */
    struct source_summary *summaries;
    const agg_t *agg;
    const fprules_t *rules;        /* what a source's tool was chosen by, for reading it again */
    uint64_t research_min_packets; /* the rule the summaries are built with */
    uint32_t research_min_ports;
    uint64_t research_sources; /* sources that met the research-scan rule, of any class */
    size_t n_tools;
    struct tool_totals tool[FP_MAX_TOOLS]; /* index 0: unknown */
    uint64_t syn_probes;                   /* SYNs of scanner-class sources */
    uint64_t udp_probes, icmp_probes;
    uint64_t tool_syn_sources; /* scanner sources that sent SYN probes */
    uint64_t class_sources[CLASS_COUNT];
    uint64_t class_packets[CLASS_COUNT];
    uint64_t reflection_syn;
    uint64_t backscatter_packets; /* backscatter-kind packets of backscatter-class sources */
    int64_t first_ns, last_ns;
    int sensor_inferred;          /* 1 when the sensor's addresses were inferred */
    uint32_t *record_source;      /* per agg record: its source's index, or NO_SOURCE */
    uint8_t *record_scanner_tool; /* per agg record: its source's tool if a scanner, else 0xFF */
    size_t n_records;
    uint64_t excluded_records;
};

#define NOT_SCANNER 0xFF

/* The number of the i-th source in report order: most SYN packets first, then most probes,
 * then address. */
static inline size_t analysis_ranked(const struct analysis *an, size_t i)
{
    return an->rank ? an->rank[i] : i;
}

/* Source number i's address. */
struct ipaddr analysis_source_address(const struct analysis *an, size_t i);

/* Sources' summaries for reports that list them: those judging kept, or built from their
 * records again as judging did. One reader a thread; it holds the sets a summary is counted
 * with. */
typedef struct source_reader source_reader_t;
source_reader_t *source_reader_new(const struct analysis *an);
/* Source number i's summary, valid until the next call. NULL only when out of memory. */
const struct source_summary *source_reader_get(source_reader_t *r, size_t i);
/* When reading sources in rank order: says that the source at rank position k comes next,
 * and starts fetching the records of those a few places after it. */
void source_reader_ahead(source_reader_t *r, size_t k);
void source_reader_free(source_reader_t *r);

/* The tool of record r's source when that source is a scanner, else -1: what the figures
 * count, kept beside the records so that counting them does not chase the summaries. */
static inline int record_scanner_tool(const struct analysis *an, size_t r)
{
    return an->record_scanner_tool[r] == NOT_SCANNER ? -1 : an->record_scanner_tool[r];
}

/* Judges every source of agg. The analysis reads agg again when a source's summary is built
 * (source_reader), so agg must outlive it and not change. SL_OK or SL_ERR_NOMEM. */
int analysis_build(struct analysis *out, const agg_t *agg, const fprules_t *rules,
                   const struct verdict_config *cfg, char *errbuf);
void analysis_free(struct analysis *an);

const char *source_class_name(int cls);

#endif
