/* The options that shape a report (period, time zone, research rule, known scanners, outliers,
 * exclusions, comparison, output directory), shared by `analyze` and `report`, and the step
 * that turns an aggregate into the terminal summary and the report files. */
#ifndef SCANLENS_REPORT_OPTIONS_H
#define SCANLENS_REPORT_OPTIONS_H

#include "../report/report.h"
#include "analysis_run.h"
#include "options.h"

#define MAX_EXCLUSIONS 256

struct report_options {
    struct analysis_options analysis;
    struct report_settings settings;
    const char *out_dir, *known_path;
    struct exclusion exclusions[MAX_EXCLUSIONS];
    int32_t from_day, to_day;
    double sensor_size, research_packets, research_ports;
    bool tz_given;
};

#define REPORT_LONG_OPTIONS                                                                        \
    {"output", required_argument, NULL, 'o'},                                                      \
        {"min-consistency", required_argument, NULL, OPT_MIN_CONSISTENCY},                         \
        {"tz", required_argument, NULL, OPT_TZ}, {"from", required_argument, NULL, OPT_FROM},      \
        {"to", required_argument, NULL, OPT_TO},                                                   \
        {"research-packets", required_argument, NULL, OPT_RESEARCH_PACKETS},                       \
        {"research-ports", required_argument, NULL, OPT_RESEARCH_PORTS},                           \
        {"sensor-size", required_argument, NULL, OPT_SENSOR_SIZE},                                 \
        {"known", required_argument, NULL, OPT_KNOWN},                                             \
        {"exclude-outliers", no_argument, NULL, OPT_EXCLUDE_OUTLIERS},                             \
        {"outlier-share", required_argument, NULL, OPT_OUTLIER_SHARE},                             \
        {"outlier-factor", required_argument, NULL, OPT_OUTLIER_FACTOR},                           \
        {"exclude", required_argument, NULL, OPT_EXCLUDE},                                         \
        {"max-memory", required_argument, NULL, OPT_MAX_MEMORY},                                   \
    {                                                                                              \
        "compare", required_argument, NULL, OPT_COMPARE                                            \
    }

extern const char report_options_help[];

void report_options_init(struct report_options *r);
/* 1: handled; 0: not one of these; -1: bad value (message printed). */
int report_option(struct report_options *r, int opt, const char *arg);
/* Checks and derives after parsing; -1 on a problem (message printed). */
int report_options_finish(struct report_options *r);

/* With -o, creates the output directory and checks that it takes files, before any input is
 * read; -1 on a problem (message printed: the exit status is then EXIT_FAILED). */
int report_options_prepare_output(const struct report_options *r);

/* Caps agg as --max-memory asks (nothing without it). */
void report_options_limit(const struct report_options *r, agg_t *agg);
/* After reading into agg: when the cap left packets out, says how many and from which day on
 * standard error (of `sensor`'s own load for the comparison, unless NULL), and returns true
 * (the exit status is then EXIT_PARTIAL). */
bool report_options_cap_reached(const struct report_options *r, const agg_t *agg,
                                const char *sensor);

/* Verdicts, figures, the terminal summary and (with -o) the report files. Returns an exit
 * status: EXIT_OK, or EXIT_FAILED when the analysis or the output failed. */
int produce_report(struct report_options *r, const agg_t *agg, const fprules_t *rules,
                   const known_list_t *known, const struct file_result *files, size_t n_files,
                   const struct netset *sensor, const struct sensor_comparison *sensors);

#endif
