/* From records to everything a report shows: source verdicts, outliers (found, and left out
 * on request, as are the user's --exclude entries), and the figure data. Shared by every
 * command that reports, whatever produced the records. */
#ifndef SCANLENS_ANALYSIS_RUN_H
#define SCANLENS_ANALYSIS_RUN_H

#include "../aggregate/outliers.h"
#include "../aggregate/verdict.h"
#include "../report/figures.h"

struct exclusion {
    struct ipaddr addr;
    int32_t from_day, to_day; /* inclusive; INT32_MIN..INT32_MAX for every day */
};

struct analysis_options {
    struct verdict_config verdict;
    struct outlier_config outliers;
    bool exclude_outliers;
    const struct exclusion *exclusions;
    size_t n_exclusions;
    const char *compare; /* "A,B", or NULL for the default */
};

struct analysis_result {
    struct analysis an;
    struct figure_data fig;
    struct outlier *outliers;
    size_t n_outliers;
    uint8_t *excluded; /* per record */
    int compare_a, compare_b;
};

void analysis_options_defaults(struct analysis_options *o);
/* Parses "ADDR" or "ADDR@DAY..DAY" (either day may be left out). */
int exclusion_parse(struct exclusion *out, const char *text, char *errbuf);
int analysis_run(struct analysis_result *res, const agg_t *agg, const fprules_t *rules,
                 const struct analysis_options *opt, char *errbuf);
void analysis_result_free(struct analysis_result *res);

#endif
