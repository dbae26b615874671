/* Report writers. Each writes one view of an analysis to a stream; they are listed in a
 * table (report_writers) so that `analyze -o DIR` writes every file the same careful way:
 * to a temporary name first, renamed into place only when complete. */
#ifndef SCANLENS_REPORT_H
#define SCANLENS_REPORT_H

#include <stdio.h>

#include "../aggregate/agg.h"
#include "../aggregate/outliers.h"
#include "../aggregate/verdict.h"
#include "../classify/fprules.h"
#include "../classify/netset.h"
#include "../classify/known.h"
#include "../input/file_result.h"
#include "figures.h"

/* How the analysis was set up, for the report to state. */
struct report_settings {
    const char *time_zone;
    const char *from, *to;         /* as given, or NULL */
    uint64_t research_min_packets; /* after scaling */
    uint32_t research_min_ports;
    uint64_t sensor_size; /* addresses the user said the sensor watches, 0 if not */
    bool outliers_excluded;
    size_t manual_exclusions;
    double outlier_share, outlier_factor;
    int compare_a, compare_b; /* tools of the comparison figure, -1 if none */
    uint64_t max_memory_mib;  /* analyze --max-memory, 0 if none */
    bool from_history;        /* report --db: no --sensor addresses can be given */
};

/* Per-sensor figures when a report covers several sensors. */
struct sensor_row {
    char sensor[64];
    int tool;
    uint64_t syn_packets, day_count, sources;
    double share;
    size_t n_top;
    uint16_t top_port[3];
};

struct sensor_comparison {
    struct sensor_row *rows;
    size_t n_rows;
    bool capped; /* --max-memory left some sensor's records out */
};

struct report_input {
    const struct analysis *an;
    const agg_t *agg;
    const fprules_t *rules;
    const struct file_result *files;
    size_t n_files;
    const struct netset *sensor; /* what the user gave; empty means inferred */
    const char *version;
    const struct figure_data *fig;
    const struct outlier *outliers;
    size_t n_outliers;
    const known_list_t *known;
    const struct report_settings *settings;
    const struct sensor_comparison *sensors; /* NULL unless several sensors */
};

struct report_writer {
    const char *file_name; /* inside the output directory */
    int (*write)(FILE *out, const struct report_input *in);
};

extern const struct report_writer report_writers[];
extern const size_t report_writer_count;

/* The terminal summary. */
int report_write_text(FILE *out, const struct report_input *in);
/* What the --max-memory cap left out, as a sentence for the reports, or NULL when it left
 * nothing out. */
const char *report_cap_note(const struct report_input *in, char *buf, size_t len);
int report_write_sources_csv(FILE *out, const struct report_input *in);
int report_write_summary_json(FILE *out, const struct report_input *in);
int report_write_daily_csv(FILE *out, const struct report_input *in);
int report_write_ports_csv(FILE *out, const struct report_input *in);
int report_write_html(FILE *out, const struct report_input *in);
int report_write_sensors_csv(FILE *out, const struct report_input *in);

/* The charts, each also written alone as an .svg file. */
size_t report_chart_count(const struct report_input *in);
/* File name ("fig1-daily-share.svg", ...) and caption of chart i. */
void report_chart_name(const struct report_input *in, size_t i, char *file, size_t file_len,
                       char *caption, size_t caption_len);
int report_chart_draw(FILE *out, const struct report_input *in, size_t i);
/* Named tools (not unknown) with SYN probes, most SYNs first; returns how many. */
size_t report_tools_by_syn(const struct report_input *in, int *tools, bool with_unknown);

/* Writes every report_writers file into dir (created if missing). Returns SL_OK or an error
 * naming the file that could not be written; files already there stay as they were. */
int report_write_dir(const char *dir, const struct report_input *in, char *errbuf);
/* Creates dir if missing and checks that files can be written into it: what a command asks
 * before reading its input, so that a month's run does not end on a bad -o. */
int report_dir_prepare(const char *dir, char *errbuf);

#endif
