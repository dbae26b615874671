/* Options shared by the commands that read captures (analyze, packets), parsed into a
 * struct each command passes down: no global configuration. */
#ifndef SCANLENS_OPTIONS_H
#define SCANLENS_OPTIONS_H

#include <getopt.h>
#include <stdbool.h>

#include "../classify/fprules.h"
#include "../classify/netset.h"
#include "../input/bpf.h"

enum exit_code {
    EXIT_OK = 0,
    EXIT_FAILED = 1,  /* no result: nothing readable, or the output could not be written */
    EXIT_USAGE = 2,   /* bad options, filter or rules file */
    EXIT_PARTIAL = 3, /* results written, but some input was damaged or unreadable */
};

enum {
    OPT_SENSOR = 1000,
    OPT_FINGERPRINTS,
    OPT_NO_BUILTIN,
    OPT_FORMAT,
    OPT_FILTER,
    OPT_CHECK,
    OPT_MIN_CONSISTENCY,
    OPT_TZ,
    OPT_FROM,
    OPT_TO,
    OPT_RESEARCH_PACKETS,
    OPT_RESEARCH_PORTS,
    OPT_SENSOR_SIZE,
    OPT_KNOWN,
    OPT_EXCLUDE_OUTLIERS,
    OPT_OUTLIER_SHARE,
    OPT_OUTLIER_FACTOR,
    OPT_EXCLUDE,
    OPT_COMPARE,
    OPT_DB,          /* ingest, report, capture */
    OPT_SENSOR_NAME, /* ingest and capture: --sensor-name; report: --sensor NAME */
    OPT_FLUSH,       /* capture */
    OPT_BUFFER,
    OPT_PROMISC,
    OPT_MAX_MEMORY, /* analyze, report, ingest, capture */
};

struct input_options {
    char **files;
    size_t n_files;
    bool files_from_r; /* -r was used: trailing words are the filter, as in tcpdump */
    char *filter;
    struct netset sensor;
    const char *fingerprint_files[16];
    size_t n_fingerprint_files;
    bool no_builtin;
    bool quiet;
    size_t jobs; /* reading threads, 0 or 1: one */
};

#define INPUT_LONG_OPTIONS                                                                         \
    {"read", required_argument, NULL, 'r'}, {"filter", required_argument, NULL, OPT_FILTER},       \
        {"sensor", required_argument, NULL, OPT_SENSOR},                                           \
        {"fingerprints", required_argument, NULL, OPT_FINGERPRINTS},                               \
        {"no-builtin-fingerprints", no_argument, NULL, OPT_NO_BUILTIN},                            \
        {"quiet", no_argument, NULL, 'q'},                                                         \
    {                                                                                              \
        "help", no_argument, NULL, 'h'                                                             \
    }
/* -j N, for the commands that read with several threads (not `packets`, whose lines follow
 * the capture's order: there it is an unknown option, not one silently ignored). */
#define JOBS_LONG_OPTION                                                                           \
    {                                                                                              \
        "jobs", required_argument, NULL, 'j'                                                       \
    }

/* Handles one of the shared options; returns 1 if it was one, 0 if not, -1 on a bad value
 * (message printed). */
int input_option(struct input_options *o, int opt, const char *arg);
/* Takes the words after the options: files, or the filter when -r was used. */
int input_finish(struct input_options *o, int argc, char **argv, int optind_);
void input_options_free(struct input_options *o);

/* --max-memory's value: mebibytes, 16 or more. False (message printed) when it is not. */
bool parse_max_memory(const char *arg, uint64_t *mib);

/* Loads the built-in rules and the user's files; prints every problem. NULL on failure. */
fprules_t *load_rules(const struct input_options *o);

#endif
