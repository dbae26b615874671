/* A byte source: the contents of a capture file, decompressed if it was gzip or zstd, from a
 * path or from stdin ("-"). Regular uncompressed files are mapped into memory, so readers see
 * records in place without copying; streams go through a buffer that grows to fit a record. */
#ifndef SCANLENS_BYTESRC_H
#define SCANLENS_BYTESRC_H

#include <stddef.h>
#include <stdint.h>

typedef struct bytesrc bytesrc_t;

/* Opens path ("-" for stdin) and detects compression from the first bytes, not the name. */
int bytesrc_open(bytesrc_t **out, const char *path, char *errbuf);
void bytesrc_close(bytesrc_t *s);

/* Makes up to `want` bytes at the current position contiguous and returns them; *got says how
 * many there are (fewer only at the end of the data). Returns NULL with errbuf set on a read or
 * decompression error. The pointer stays valid until the next call of peek or advance. */
const uint8_t *bytesrc_peek(bytesrc_t *s, size_t want, size_t *got, char *errbuf);
/* The bytes at the current position that are at hand without reading (*have of them: the rest
 * of a mapped file, or what the buffer holds), for a reader's fast path; valid like peek's. */
const uint8_t *bytesrc_at_hand(const bytesrc_t *s, size_t *have);
void bytesrc_advance(bytesrc_t *s, size_t n);
/* The whole file when it is mapped (a plain regular file), else NULL. */
const uint8_t *bytesrc_mapping(const bytesrc_t *s, size_t *len);
/* Offset of the current position in the (decompressed) data. */
uint64_t bytesrc_offset(const bytesrc_t *s);
/* "none", "gzip" or "zstd". */
const char *bytesrc_compression(const bytesrc_t *s);
/* Compressed bytes consumed so far, for progress reports. */
uint64_t bytesrc_file_offset(const bytesrc_t *s);

#endif
