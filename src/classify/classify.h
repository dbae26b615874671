/* Per-packet classification: what the packet is to the sensor (probe, backscatter, the
 * sensor's own, other) and, for probes, which tool's fingerprint it carries. */
#ifndef SCANLENS_CLASSIFY_H
#define SCANLENS_CLASSIFY_H

#include "../decode/packet.h"
#include "fprules.h"
#include "netset.h"

struct classifier {
    const fprules_t *rules;
    const struct netset *sensor; /* may be empty: then nothing is KIND_SENSOR here */
};

/* Sets p->kind, and p->tool / p->rule for probes. */
void classify_packet(const struct classifier *c, struct packet *p);

const char *packet_kind_name(int kind);

#endif
