/* Live capture through libpcap (on Linux, its TPACKET_V3 memory-mapped ring): an opaque handle
 * that hands each packet to a callback, with the kernel's counts of what it received and
 * dropped, and optional rotated pcap files of the raw traffic (as tcpdump -w -G does). */
#ifndef SCANLENS_LIVE_H
#define SCANLENS_LIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "capture.h"

typedef struct live live_t;

struct live_options {
    const char *interface;
    const char *filter; /* BPF expression, or NULL */
    int buffer_mib;     /* kernel ring size; 0: libpcap's default */
    bool promiscuous;
    const char *write_pattern; /* strftime pattern of raw pcap files, or NULL */
    int rotate_seconds;        /* with write_pattern: a new file every N seconds (0: one file) */
    int rotate_mib;            /* with write_pattern: a new file after N MiB (0: no limit) */
};

struct live_stats {
    uint64_t received, dropped_kernel, dropped_interface;
};

int live_open(live_t **out, const struct live_options *opt, char *errbuf);
void live_close(live_t *l);
/* Reads what the ring holds (waiting at most ~200 ms) and calls fn for each frame; returns the
 * number of frames, or <0 on an error (errbuf). */
int live_dispatch(live_t *l, void (*fn)(void *ctx, const struct frame *f), void *ctx, char *errbuf);
/* Makes a live_dispatch in progress return soon; safe from a signal handler. */
void live_break(live_t *l);
int live_stats(live_t *l, struct live_stats *st, char *errbuf);
/* Closes and reopens the raw pcap file (after logrotate moved it). */
int live_reopen_output(live_t *l, char *errbuf);

#endif
