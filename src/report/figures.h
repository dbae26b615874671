/* The numbers behind the report's figures, derived from (day, source) records and the source
 * verdicts: per day and tool SYN packets, sources and share; per day, tool and port SYN
 * packets; each tool's top ports and its concentration statistics. Every chart and CSV reads
 * from here, so a figure and its data file cannot disagree. */
#ifndef SCANLENS_FIGURES_H
#define SCANLENS_FIGURES_H

#include <stddef.h>
#include <stdint.h>

#include "../aggregate/agg.h"
#include "../aggregate/verdict.h"

#define FIG_TOP_PORTS 10

struct port_count {
    int32_t day;
    uint8_t tool;
    uint16_t port;
    uint64_t syn_packets;
};

struct tool_stats {
    uint64_t syn_packets, sources;
    uint64_t top5_syn, top10_syn;   /* SYNs of its 5 and 10 biggest sources */
    uint32_t sweep_1000, sweep_all; /* sources that touched >= 1,000 / all 65,535 ports */
    uint32_t research_sources;
    size_t n_top;
    uint16_t top_port[FIG_TOP_PORTS]; /* by SYN packets over the period */
};

struct figure_data {
    int32_t first_day;
    size_t n_days, n_tools;
    uint64_t *day_syn;          /* [day]: SYN probes */
    uint64_t *day_tool_syn;     /* [day * n_tools + tool] */
    uint64_t *day_tool_sources; /* [day * n_tools + tool] */
    struct port_count *ports;   /* nonzero (day, tool, port) counts, by day, tool, port */
    size_t n_ports;
    uint64_t *tool_port_syn; /* [tool * 65536 + port], the whole period */
    struct tool_stats tool[FP_MAX_TOOLS];
};

/* threads: how many threads count the port figures (0 or 1: this one). */
int figures_build(struct figure_data *fig, const agg_t *agg, const struct analysis *an,
                  size_t threads, char *errbuf);
void figures_free(struct figure_data *fig);

/* SYN packets of `tool` on `port` on day index d, looked up in fig->ports. */
uint64_t figures_day_port(const struct figure_data *fig, size_t d, int tool, uint16_t port);

#endif
