/* Decompressing a compressed capture (codec.h) from a file descriptor on a thread of its own:
 * inflating a month of captures takes as long as analysing it (zstd) or longer (gzip), so the
 * reader that analyses gets the bytes from a few chunks the decompressing thread keeps filled
 * ahead, and two cores work where one waited. Errors reach the reader where they are in the data:
 * the bytes before a corrupt or cut place first, then the error. */
#ifndef SCANLENS_DECOMPRESS_H
#define SCANLENS_DECOMPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "codec.h"

typedef struct decompress decompress_t;

/* Starts decompressing fd (which stays the caller's to close, after decompress_close) as
 * `codec`, beginning with the `n` bytes at `first` already read from it (copied): on a thread
 * of its own when `ahead`, else (or when no thread can be had) on the caller's, in
 * decompress_read. */
int decompress_open(decompress_t **out, int fd, enum codec codec, const uint8_t *first, size_t n,
                    bool ahead, char *errbuf);
/* Stops the thread and frees everything. */
void decompress_close(decompress_t *d);
/* Copies up to cap decompressed bytes into out, waiting for them if need be. Returns how many
 * (at least 1 while the data lasts), 0 at its end, or a negative SL_ERR_* with errbuf set. */
ssize_t decompress_read(decompress_t *d, uint8_t *out, size_t cap, char *errbuf);
/* Compressed bytes read from fd so far (ahead of what decompress_read has handed out). */
uint64_t decompress_consumed(const decompress_t *d);

#endif
