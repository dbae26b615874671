/* Capture file reader: pcap (micro/nanosecond, either byte order) and pcapng (any number of
 * sections and interfaces, each with its own link type and timestamp resolution), plain,
 * gzip, zstd, xz or bzip2, from a path or stdin. Frames are handed out in place, without
 * copying.
 *
 *   capture_t *cap;
 *   if (capture_open(&cap, path, errbuf) != SL_OK) { report errbuf; }
 *   while ((rc = capture_next(cap, &frame, errbuf)) > 0) { ... }
 *   if (rc < 0) { errbuf says what is wrong and where; frames before it were good }
 *   capture_close(cap);
 */
#ifndef SCANLENS_CAPTURE_H
#define SCANLENS_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

typedef struct capture capture_t;

struct frame {
    const uint8_t *data; /* valid until the next capture_next() */
    uint32_t caplen, wirelen;
    int64_t ts_ns;
    uint16_t linktype;
    uint32_t interface;
};

int capture_open(capture_t **out, const char *path, char *errbuf);
/* Opens only the records that start in [start, end) of the file, for reading one file with
 * several threads; start must be a record boundary found by capture_split. */
int capture_open_range(capture_t **out, const char *path, uint64_t start, uint64_t end,
                       char *errbuf);
/* Finds up to `parts` record boundaries that cut a plain (uncompressed) pcap file into pieces of
 * about equal size: bounds[0] = start of the first record, bounds[n] = the file's size. Other
 * files, or files too small to be worth it, give one piece. Returns the number of pieces. */
size_t capture_split(const char *path, size_t parts, uint64_t *bounds);
/* 1: a frame; 0: the end of the data; <0: the data is damaged from here on (errbuf says how).
 * A file cut in the middle of a record is reported as SL_ERR_FORMAT after its last whole
 * record, so callers keep every frame that was complete. */
int capture_next(capture_t *cap, struct frame *frame, char *errbuf);
void capture_close(capture_t *cap);

/* "pcap" or "pcapng", and compression (codec_name: "none", "gzip", "zstd", "xz", "bzip2"). */
const char *capture_format(const capture_t *cap);
const char *capture_compression(const capture_t *cap);
/* Warnings that do not stop reading (an interface with an unsupported link type, ...):
 * returns the text of the newest one not yet taken, or NULL. */
const char *capture_take_warning(capture_t *cap);
/* Bytes of the file consumed so far (compressed bytes for compressed files), for progress. */
uint64_t capture_bytes_read(const capture_t *cap);

#endif
