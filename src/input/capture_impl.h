/* Internals shared by the capture file formats: the reader state and the per-format
 * operations table (one entry per file format, as zmap does for its probe modules). */
#ifndef SCANLENS_CAPTURE_IMPL_H
#define SCANLENS_CAPTURE_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include "../util/error.h"
#include "bytesrc.h"
#include "capture.h"

#define PCAPNG_MAX_INTERFACES 256
/* The largest record accepted; libpcap's limit for any link type is 256 KiB, pcapng blocks
 * may carry options too. Anything larger is a corrupt length field, not a packet. */
#define CAPTURE_MAX_RECORD (16u << 20)

struct pcapng_interface {
    uint16_t linktype;
    uint32_t snaplen;
    bool ts_pow2;   /* if_tsresol is a power of 2 rather than of 10 */
    uint8_t ts_exp; /* units are 10^-ts_exp (or 2^-ts_exp) seconds */
    int64_t ts_offset_ns;
};

struct capture_format_ops {
    const char *name;
    /* Called with the first bytes already checked to be this format's magic. */
    int (*open)(capture_t *cap, char *errbuf);
    int (*next)(capture_t *cap, struct frame *frame, char *errbuf);
};

struct capture {
    bytesrc_t *src;
    const struct capture_format_ops *ops;
    uint64_t frames;
    uint64_t range_end; /* stop before a record that starts here or later; UINT64_MAX: never */
    char warning[SL_ERRBUF_SIZE];
    bool has_warning;

    /* pcap */
    bool big_endian; /* the file's (pcap) or the section's (pcapng) byte order */
    bool nanosecond;
    uint32_t snaplen;
    uint16_t linktype;

    /* pcapng: the current section */
    uint32_t n_interfaces;
    struct pcapng_interface interfaces[PCAPNG_MAX_INTERFACES];
};

extern const struct capture_format_ops capture_format_pcap;
extern const struct capture_format_ops capture_format_pcapng;

void capture_warn(capture_t *cap, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static inline uint16_t cap_u16(const capture_t *cap, const uint8_t *p)
{
    return cap->big_endian ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

static inline uint32_t cap_u32(const capture_t *cap, const uint8_t *p)
{
    return cap->big_endian
               ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
               : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static inline uint32_t load_magic_be(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Returns n contiguous bytes at the current position (not consumed), or NULL with *status
 * saying why: 0 when the data ended cleanly before them and end_ok is set, otherwise an
 * error naming `what` ("record header", "block") and the offset. */
const uint8_t *capture_need(capture_t *cap, size_t n, const char *what, bool end_ok, int *status,
                            char *errbuf);

#endif
