/* Byte sources for capture readers: a buffer fed by read() from plain files and pipes, or by
 * zlib or libzstd from compressed data. */
#include "bytesrc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "../util/error.h"

enum codec { CODEC_NONE, CODEC_GZIP, CODEC_ZSTD };

#define RAW_CHUNK (1u << 20)
#define BUF_INITIAL (1u << 20) /* measured as fast as 256 KiB and 4 MiB; a thread holds one */

struct bytesrc {
    int fd;
    enum codec codec;
    uint64_t file_consumed;

    /* decompressed bytes buf[start, end), fed from raw[raw_pos, raw_end) */
    uint8_t *buf;
    size_t cap, start, end;
    uint64_t start_offset; /* offset of buf[start] in the decompressed data */
    uint8_t *raw;
    size_t raw_pos, raw_end;
    bool raw_eof, eof;
    z_stream z;
    bool z_ready;
    ZSTD_DStream *zstd;
    bool zstd_mid_frame;
};

static ssize_t read_raw(bytesrc_t *s, char *errbuf)
{
    if (s->raw_pos == s->raw_end) s->raw_pos = s->raw_end = 0;
    if (s->raw_eof || s->raw_end == RAW_CHUNK) return 0;
    ssize_t n;
    do
        n = read(s->fd, s->raw + s->raw_end, RAW_CHUNK - s->raw_end);
    while (n < 0 && errno == EINTR);
    if (n < 0) return sl_error(errbuf, SL_ERR_IO, "read error: %s", strerror(errno));
    if (n == 0) s->raw_eof = true;
    s->raw_end += (size_t)n;
    s->file_consumed += (uint64_t)n;
    return n;
}

/* Each fill_* adds decompressed bytes at buf[end]; returns bytes added, 0 at end, <0 error. */
static ssize_t fill_plain(bytesrc_t *s, char *errbuf)
{
    if (s->raw_pos < s->raw_end) { /* bytes read while sniffing the format */
        size_t n = s->raw_end - s->raw_pos;
        if (n > s->cap - s->end) n = s->cap - s->end;
        memcpy(s->buf + s->end, s->raw + s->raw_pos, n);
        s->raw_pos += n;
        s->end += n;
        if (s->raw_pos == s->raw_end) { /* a plain file needs it no more */
            free(s->raw);
            s->raw = NULL;
            s->raw_pos = s->raw_end = 0;
        }
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

static ssize_t fill_gzip(bytesrc_t *s, char *errbuf)
{
    for (;;) {
        if (s->raw_pos == s->raw_end) {
            ssize_t r = read_raw(s, errbuf);
            if (r < 0) return r;
            if (r == 0) {
                if (s->z.total_in == 0 && s->z_ready) return 0; /* clean end between members */
                return sl_error(errbuf, SL_ERR_FORMAT,
                                "gzip data ends early (the file was cut while being written?)");
            }
        }
        s->z.next_in = s->raw + s->raw_pos;
        s->z.avail_in = (uInt)(s->raw_end - s->raw_pos);
        s->z.next_out = s->buf + s->end;
        s->z.avail_out = (uInt)(s->cap - s->end);
        int rc = inflate(&s->z, Z_NO_FLUSH);
        size_t produced = (size_t)(s->z.next_out - (s->buf + s->end));
        s->raw_pos = (size_t)(s->z.next_in - s->raw);
        s->end += produced;
        if (rc == Z_STREAM_END) {
            inflateReset(&s->z); /* another gzip member may follow (cat a.gz b.gz) */
            s->z.total_in = 0;
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
            return sl_error(errbuf, SL_ERR_FORMAT, "gzip data corrupt: %s",
                            s->z.msg ? s->z.msg : "inflate failed");
        }
        if (produced) return (ssize_t)produced;
    }
}

static ssize_t fill_zstd(bytesrc_t *s, char *errbuf)
{
    for (;;) {
        if (s->raw_pos == s->raw_end) {
            ssize_t r = read_raw(s, errbuf);
            if (r < 0) return r;
            if (r == 0) {
                if (!s->zstd_mid_frame) return 0;
                return sl_error(errbuf, SL_ERR_FORMAT,
                                "zstd data ends early (the file was cut while being written?)");
            }
        }
        ZSTD_inBuffer in = {s->raw, s->raw_end, s->raw_pos};
        ZSTD_outBuffer out = {s->buf, s->cap, s->end};
        size_t rc = ZSTD_decompressStream(s->zstd, &out, &in);
        if (ZSTD_isError(rc))
            return sl_error(errbuf, SL_ERR_FORMAT, "zstd data corrupt: %s", ZSTD_getErrorName(rc));
        s->zstd_mid_frame = rc != 0;
        size_t produced = out.pos - s->end;
        s->raw_pos = in.pos;
        s->end = out.pos;
        if (produced) return (ssize_t)produced;
    }
}

static ssize_t fill(bytesrc_t *s, char *errbuf)
{
    switch (s->codec) {
    case CODEC_GZIP:
        return fill_gzip(s, errbuf);
    case CODEC_ZSTD:
        return fill_zstd(s, errbuf);
    default:
        return fill_plain(s, errbuf);
    }
}

static int start_stream(bytesrc_t *s, char *errbuf)
{
    s->raw = malloc(RAW_CHUNK);
    s->cap = BUF_INITIAL;
    s->buf = malloc(s->cap);
    if (!s->raw || !s->buf) return sl_error(errbuf, SL_ERR_NOMEM, "out of memory");
    /* Sniff the compression from the first bytes. */
    while (s->raw_end < 4 && !s->raw_eof) {
        ssize_t r = read_raw(s, errbuf);
        if (r < 0) return (int)r;
    }
    const uint8_t *m = s->raw;
    if (s->raw_end >= 2 && m[0] == 0x1f && m[1] == 0x8b) {
        s->codec = CODEC_GZIP;
        if (inflateInit2(&s->z, 16 + MAX_WBITS) != Z_OK)
            return sl_error(errbuf, SL_ERR_NOMEM, "cannot start zlib");
        s->z_ready = true;
    } else if (s->raw_end >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd) {
        s->codec = CODEC_ZSTD;
        s->zstd = ZSTD_createDStream();
        if (!s->zstd) return sl_error(errbuf, SL_ERR_NOMEM, "cannot start zstd");
    }
    return SL_OK;
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
    if (s->z_ready) inflateEnd(&s->z);
    if (s->zstd) ZSTD_freeDStream(s->zstd);
    if (s->fd >= 0) close(s->fd);
    free(s->buf);
    free(s->raw);
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
    s->raw_pos = s->raw_end = 0;
    s->raw_eof = s->eof = false;
    s->start_offset = s->file_consumed = offset;
    return SL_OK;
}

uint64_t bytesrc_offset(const bytesrc_t *s)
{
    return s->start_offset;
}

const char *bytesrc_compression(const bytesrc_t *s)
{
    return s->codec == CODEC_GZIP ? "gzip" : s->codec == CODEC_ZSTD ? "zstd" : "none";
}

uint64_t bytesrc_file_offset(const bytesrc_t *s)
{
    return s->file_consumed;
}
