/* Compressed captures: the codec a file was written with, told from its first bytes, and its
 * bytes read from a file descriptor and handed out decompressed. A codec is used by one thread
 * at a time (decompress.c runs it on a thread of its own). Internal to input/. */
#ifndef SCANLENS_CODEC_H
#define SCANLENS_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* CODEC_LZ4 is told apart only to be refused (codec_open) with the command that pipes it in:
 * a sensor rotating its files with tcpdump -z may use it. */
enum codec { CODEC_NONE, CODEC_GZIP, CODEC_ZSTD, CODEC_XZ, CODEC_BZIP2, CODEC_LZ4 };

/* The codec of data starting with these n bytes (4 are enough), CODEC_NONE if not known. */
enum codec codec_sniff(const uint8_t *m, size_t n);
/* "none", "gzip", "zstd", "xz" (also .lzma), "bzip2" or "lz4". */
const char *codec_name(enum codec which);

typedef struct codec_reader codec_t;

/* Starts reading fd (the caller's to close, after codec_close) as `which`, beginning with the
 * n bytes at `first` already read from it (copied). */
int codec_open(codec_t **out, int fd, enum codec which, const uint8_t *first, size_t n,
               char *errbuf);
void codec_close(codec_t *c);
/* Writes decompressed bytes to out[0, cap): returns how many (at least 1), 0 at the end of the
 * data (after a whole stream, member or frame, and nothing after it), <0 on an error, with
 * errbuf saying whether the data is corrupt or ends early. The codec is asked before more
 * input is read: it may hold output of input it has taken, which must come out before the end
 * of the file is judged, and a pipe must not be waited on meanwhile. */
ssize_t codec_read(codec_t *c, uint8_t *out, size_t cap, char *errbuf);
/* Whether the input read so far is used up (the next codec_read may wait for a pipe). */
bool codec_input_used_up(const codec_t *c);
/* Compressed bytes read from fd so far; safe to call from another thread. */
uint64_t codec_consumed(const codec_t *c);

#endif
