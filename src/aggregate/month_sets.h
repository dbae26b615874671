/* The distinct ports and destination addresses of a source over its days, counted without
 * building the union of its day records' sets. */
#ifndef SCANLENS_MONTH_SETS_H
#define SCANLENS_MONTH_SETS_H

#include <stdbool.h>
#include <stdint.h>

#include "agg.h"

typedef struct month_sets month_sets_t;

month_sets_t *month_sets_new(void);
void month_sets_free(month_sets_t *m);
/* Counts the ports and addresses of one day record of the source. False when out of memory
 * (the counts are then too low). */
bool month_sets_add_day(month_sets_t *m, const struct src_day *r);
/* Distinct ports and addresses of the days added since the last clear. */
uint32_t month_sets_syn_ports(const month_sets_t *m);
uint32_t month_sets_udp_ports(const month_sets_t *m);
uint32_t month_sets_dst_addrs(const month_sets_t *m);
/* Ready for the next source; keeps the memory. */
void month_sets_clear(month_sets_t *m);

#endif
