/* Report writers. Each writes one view of an analysis to a stream; they are listed in a
 * table (report_writers) so that `analyze -o DIR` writes every file the same careful way:
 * to a temporary name first, renamed into place only when complete. */
#ifndef SCANLENS_REPORT_H
#define SCANLENS_REPORT_H

#include <stdio.h>

#include "../aggregate/agg.h"
#include "../aggregate/verdict.h"
#include "../classify/fprules.h"
#include "../classify/netset.h"
#include "../input/file_result.h"

struct report_input {
    const struct analysis *an;
    const agg_t *agg;
    const fprules_t *rules;
    const struct file_result *files;
    size_t n_files;
    const struct netset *sensor; /* what the user gave; empty means inferred */
    const char *version;
};

struct report_writer {
    const char *file_name; /* inside the output directory */
    int (*write)(FILE *out, const struct report_input *in);
};

extern const struct report_writer report_writers[];
extern const size_t report_writer_count;

/* The terminal summary. */
int report_write_text(FILE *out, const struct report_input *in);
int report_write_sources_csv(FILE *out, const struct report_input *in);
int report_write_summary_json(FILE *out, const struct report_input *in);

/* Writes every report_writers file into dir (created if missing). Returns SL_OK or an error
 * naming the file that could not be written; files already there stay as they were. */
int report_write_dir(const char *dir, const struct report_input *in, char *errbuf);

#endif
