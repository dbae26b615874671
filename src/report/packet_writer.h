/* Per-packet verdict writers for `scanlens packets`: CSV or JSON Lines, one line a packet,
 * chosen from a table by name like zmap's output modules. */
#ifndef SCANLENS_PACKET_WRITER_H
#define SCANLENS_PACKET_WRITER_H

#include <stdio.h>

#include "../classify/fprules.h"
#include "../decode/packet.h"

struct packet_writer {
    const char *name;
    void (*header)(FILE *out);
    void (*write)(FILE *out, const struct packet *p, const fprules_t *rules);
};

/* NULL if no writer has that name. */
const struct packet_writer *packet_writer_find(const char *name);

#endif
