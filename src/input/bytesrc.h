/* A byte source: the contents of a capture file, decompressed if it was compressed (codec.h),
 * from a path or from stdin ("-"), through a buffer that grows to fit a record. Plain files are
 * read with read() into the same buffer over and over, not mapped: see docs/design.md, "Reading a
 * file". */
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
/* The bytes at the current position that are at hand without reading (*have of them: what
 * the buffer holds), for a reader's fast path; valid like peek's. */
const uint8_t *bytesrc_at_hand(const bytesrc_t *s, size_t *have);
/* Moves past n bytes, which the last peek or at_hand has shown. */
void bytesrc_advance(bytesrc_t *s, size_t n);
/* Moves to a byte offset of an uncompressed file (one not read from a pipe): for reading a
 * file in pieces. */
int bytesrc_seek(bytesrc_t *s, uint64_t offset, char *errbuf);
/* Offset of the current position in the (decompressed) data. */
uint64_t bytesrc_offset(const bytesrc_t *s);
/* "none", "gzip", "zstd", "xz" or "bzip2". */
const char *bytesrc_compression(const bytesrc_t *s);
/* Compressed bytes consumed so far, for progress reports. */
uint64_t bytesrc_file_offset(const bytesrc_t *s);

#endif
