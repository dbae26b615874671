/* Outliers: (day, source) records whose SYN volume is far out of line with the rest, like the
 * one full-port Masscan source the study left out on three days. A record is an outlier when
 * its SYNs are at least `min_share` of that day's SYN probes and at least `min_factor` times
 * the median daily SYN probes of the period (so it makes its day stand out, not merely lead
 * it). Only scanner-class sources count. Rule and defaults: docs/report.md. */
#ifndef SCANLENS_OUTLIERS_H
#define SCANLENS_OUTLIERS_H

#include <stddef.h>
#include <stdint.h>

#include "agg.h"
#include "verdict.h"

struct outlier_config {
    double min_share;  /* of the day's SYN probes, default 0.2 */
    double min_factor; /* times the median daily SYN probes, default 3 */
};

struct outlier {
    uint32_t record; /* agg record index */
    uint8_t tool;    /* its source's tool when it was found */
    int32_t day;
    uint64_t syn_packets, day_syn;
    uint32_t ports;
    double median_day_syn;
};

/* Fills a malloc'd array (caller frees), in record order, on up to `threads` threads. Returns
 * SL_OK or SL_ERR_NOMEM. */
int find_outliers(const agg_t *agg, const struct analysis *an, const struct outlier_config *cfg,
                  size_t threads, struct outlier **out, size_t *n_out);

#endif
