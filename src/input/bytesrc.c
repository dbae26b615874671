/* Byte sources for capture readers: a buffer fed by read() from plain files and pipes, or by
 * the decompressing thread (decompress.c) from compressed data. */
#include "bytesrc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/error.h"
#include "decompress.h"

#define SNIFF_BYTES 4          /* enough for the gzip and zstd magic numbers */
#define BUF_INITIAL (1u << 20) /* measured as fast as 256 KiB and 4 MiB; a thread holds one */

struct bytesrc {
    int fd;
    enum codec codec;
    decompress_t *decompress; /* compressed data only */
    uint64_t file_consumed;   /* plain data only */

    /* bytes buf[start, end) of the (decompressed) data */
    uint8_t *buf;
    size_t cap, start, end;
    uint64_t start_offset; /* offset of buf[start] in the decompressed data */
    /* of a plain file, what sniffing read: sniffed[sniffed_pos, sniffed_len) still to hand out */
    uint8_t sniffed[SNIFF_BYTES];
    size_t sniffed_pos, sniffed_len;
    bool eof;
};

/* Adds bytes at buf[end]; returns bytes added, 0 at the end, <0 on an error. */
static ssize_t fill(bytesrc_t *s, char *errbuf)
{
    if (s->decompress) {
        ssize_t n = decompress_read(s->decompress, s->buf + s->end, s->cap - s->end, errbuf);
        if (n > 0) s->end += (size_t)n;
        return n;
    }
    if (s->sniffed_pos < s->sniffed_len) {
        size_t n = s->sniffed_len - s->sniffed_pos;
        if (n > s->cap - s->end) n = s->cap - s->end;
        memcpy(s->buf + s->end, s->sniffed + s->sniffed_pos, n);
        s->sniffed_pos += n;
        s->end += n;
        return (ssize_t)n;
    }
    ssize_t n;
    do
        n = read(s->fd, s->buf + s->end, s->cap - s->end);
    while (n < 0 && errno == EINTR);
    if (n < 0) return sl_error(errbuf, SL_ERR_IO, "read error: %s", strerror(errno));
    s->end += (size_t)n;
    s->file_consumed += (uint64_t)n;
    return n;
}

/* Reads the first bytes, tells the compression from them, and starts the decompression. */
static int start_stream(bytesrc_t *s, char *errbuf)
{
    s->cap = BUF_INITIAL;
    if (!(s->buf = malloc(s->cap))) return sl_error(errbuf, SL_ERR_NOMEM, "out of memory");
    while (s->sniffed_len < SNIFF_BYTES) {
        ssize_t n = read(s->fd, s->sniffed + s->sniffed_len, SNIFF_BYTES - s->sniffed_len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return sl_error(errbuf, SL_ERR_IO, "read error: %s", strerror(errno));
        if (n == 0) break;
        s->sniffed_len += (size_t)n;
    }
    s->file_consumed = s->sniffed_len;
    s->codec = codec_sniff(s->sniffed, s->sniffed_len);
    if (s->codec == CODEC_NONE) return SL_OK;
    return decompress_open(&s->decompress, s->fd, s->codec, s->sniffed, s->sniffed_len, true,
                           errbuf);
}

int bytesrc_open(bytesrc_t **out, const char *path, char *errbuf)
{
    *out = NULL;
    bytesrc_t *s = calloc(1, sizeof *s);
    if (!s) return sl_error(errbuf, SL_ERR_NOMEM, "out of memory");
    s->fd = -1;
    if (strcmp(path, "-") == 0) {
        s->fd = dup(STDIN_FILENO);
    } else {
        s->fd = open(path, O_RDONLY | O_CLOEXEC);
    }
    if (s->fd < 0) {
        int rc = sl_error(errbuf, SL_ERR_IO, "cannot open: %s", strerror(errno));
        bytesrc_close(s);
        return rc;
    }
    struct stat st;
    if (fstat(s->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        bytesrc_close(s);
        return sl_error(errbuf, SL_ERR_IO, "is a directory, not a capture file");
    }
    int rc = start_stream(s, errbuf);
    if (rc != SL_OK) {
        bytesrc_close(s);
        return rc;
    }
    *out = s;
    return SL_OK;
}

void bytesrc_close(bytesrc_t *s)
{
    if (!s) return;
    decompress_close(s->decompress); /* before its fd is closed */
    if (s->fd >= 0) close(s->fd);
    free(s->buf);
    free(s);
}

const uint8_t *bytesrc_peek(bytesrc_t *s, size_t want, size_t *got, char *errbuf)
{
    while (s->end - s->start < want && !s->eof) {
        if (s->cap - s->start < want) {
            if (s->cap < want) {
                size_t cap = s->cap;
                while (cap < want)
                    cap *= 2;
                uint8_t *grown = realloc(s->buf, cap);
                if (!grown) {
                    sl_error(errbuf, SL_ERR_NOMEM, "out of memory for a %zu-byte record", want);
                    return NULL;
                }
                s->buf = grown;
                s->cap = cap;
            }
            memmove(s->buf, s->buf + s->start, s->end - s->start);
            s->end -= s->start;
            s->start = 0;
        }
        ssize_t n = fill(s, errbuf);
        if (n < 0) return NULL;
        if (n == 0) s->eof = true;
    }
    size_t have = s->end - s->start;
    *got = want < have ? want : have;
    return s->buf + s->start;
}

const uint8_t *bytesrc_at_hand(const bytesrc_t *s, size_t *have)
{
    *have = s->end - s->start;
    return s->buf + s->start;
}

void bytesrc_advance(bytesrc_t *s, size_t n)
{
    s->start += n;
    s->start_offset += n;
}

int bytesrc_seek(bytesrc_t *s, uint64_t offset, char *errbuf)
{
    if (offset >= s->start_offset && offset - s->start_offset <= s->end - s->start) {
        bytesrc_advance(s, (size_t)(offset - s->start_offset));
        return SL_OK;
    }
    if (s->codec != CODEC_NONE)
        return sl_error(errbuf, SL_ERR_UNSUPPORTED, "cannot seek in compressed data");
    if (lseek(s->fd, (off_t)offset, SEEK_SET) < 0)
        return sl_error(errbuf, SL_ERR_IO, "cannot seek to byte %llu: %s",
                        (unsigned long long)offset, strerror(errno));
    s->start = s->end = 0;
    s->sniffed_pos = s->sniffed_len; /* the sniffed bytes are before any offset sought */
    s->eof = false;
    s->start_offset = s->file_consumed = offset;
    return SL_OK;
}

uint64_t bytesrc_offset(const bytesrc_t *s)
{
    return s->start_offset;
}

const char *bytesrc_compression(const bytesrc_t *s)
{
    return codec_name(s->codec);
}

uint64_t bytesrc_file_offset(const bytesrc_t *s)
{
    return s->decompress ? decompress_consumed(s->decompress) : s->file_consumed;
}
