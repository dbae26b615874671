/* Capture reader front end: opens the byte source, recognises the file format from its magic
 * number and hands each call to that format's operations. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture_impl.h"

void capture_warn(capture_t *cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cap->warning, sizeof cap->warning, fmt, ap);
    va_end(ap);
    cap->has_warning = true;
}

const char *capture_take_warning(capture_t *cap)
{
    if (!cap->has_warning) return NULL;
    cap->has_warning = false;
    return cap->warning;
}

const uint8_t *capture_need(capture_t *cap, size_t n, const char *what, bool end_ok, int *status,
                            char *errbuf)
{
    size_t got;
    uint64_t offset = bytesrc_offset(cap->src);
    const uint8_t *p = bytesrc_peek(cap->src, n, &got, errbuf);
    if (!p) {
        *status = SL_ERR_FORMAT;
        return NULL;
    }
    if (got == n) return p;
    if (got == 0 && end_ok) {
        *status = 0;
        return NULL;
    }
    *status = sl_error(errbuf, SL_ERR_FORMAT,
                       "file cut in the middle of a %s at byte %llu (%zu of %zu bytes present)",
                       what, (unsigned long long)offset, got, n);
    return NULL;
}

int capture_open(capture_t **out, const char *path, char *errbuf)
{
    *out = NULL;
    capture_t *cap = calloc(1, sizeof *cap);
    if (!cap) return sl_error(errbuf, SL_ERR_NOMEM, "out of memory");
    int rc = bytesrc_open(&cap->src, path, errbuf);
    if (rc != SL_OK) {
        free(cap);
        return rc;
    }
    size_t got;
    const uint8_t *m = bytesrc_peek(cap->src, 4, &got, errbuf);
    if (!m) {
        rc = SL_ERR_FORMAT;
    } else if (got == 0) {
        rc = sl_error(errbuf, SL_ERR_FORMAT, "empty file: no capture header");
    } else if (got < 4) {
        rc = sl_error(errbuf, SL_ERR_FORMAT, "only %zu bytes: too short for a capture header", got);
    } else {
        uint32_t be = load_magic_be(m);
        if (be == 0xA1B2C3D4 || be == 0xD4C3B2A1 || be == 0xA1B23C4D || be == 0x4D3CB2A1)
            cap->ops = &capture_format_pcap;
        else if (be == 0x0A0D0D0A)
            cap->ops = &capture_format_pcapng;
        else
            rc = sl_error(errbuf, SL_ERR_FORMAT,
                          "not a pcap or pcapng capture (first bytes %02x %02x %02x %02x)", m[0],
                          m[1], m[2], m[3]);
    }
    cap->range_end = UINT64_MAX;
    if (rc == SL_OK) rc = cap->ops->open(cap, errbuf);
    if (rc != SL_OK) {
        capture_close(cap);
        return rc;
    }
    *out = cap;
    return SL_OK;
}

int capture_next(capture_t *cap, struct frame *frame, char *errbuf)
{
    if (bytesrc_offset(cap->src) >= cap->range_end) return 0;
    int rc = cap->ops->next(cap, frame, errbuf);
    if (rc > 0) cap->frames++;
    return rc;
}

void capture_close(capture_t *cap)
{
    if (!cap) return;
    bytesrc_close(cap->src);
    free(cap);
}

const char *capture_format(const capture_t *cap)
{
    return cap->ops->name;
}

const char *capture_compression(const capture_t *cap)
{
    return bytesrc_compression(cap->src);
}

uint64_t capture_bytes_read(const capture_t *cap)
{
    return bytesrc_file_offset(cap->src);
}

int capture_open_range(capture_t **out, const char *path, uint64_t start, uint64_t end,
                       char *errbuf)
{
    int rc = capture_open(out, path, errbuf);
    if (rc != SL_OK) return rc;
    capture_t *cap = *out;
    if (start > bytesrc_offset(cap->src) && (rc = bytesrc_seek(cap->src, start, errbuf)) != SL_OK) {
        capture_close(cap);
        *out = NULL;
        return rc;
    }
    cap->range_end = end;
    return SL_OK;
}

/* A pcap record header that could be real: a timestamp near the first record's, a fraction
 * below one second, and lengths within the snapshot length. */
static bool plausible(const capture_t *cap, const uint8_t *h, uint32_t first_sec)
{
    uint32_t sec = cap_u32(cap, h), frac = cap_u32(cap, h + 4);
    uint32_t caplen = cap_u32(cap, h + 8), wirelen = cap_u32(cap, h + 12);
    uint32_t limit = cap->snaplen > 262144 ? cap->snaplen : 262144;
    return sec + 400u * 86400 >= first_sec && sec <= first_sec + 400u * 86400 &&
           frac < (cap->nanosecond ? 1000000000u : 1000000u) && caplen <= limit &&
           caplen <= wirelen && wirelen <= 262144 && caplen > 0;
}

#define CHAIN 16 /* consecutive plausible records before a position counts as a boundary */
#define LOOK_AHEAD (1u << 20) /* how far past a cut a boundary is looked for */
/* What is read at a cut: the look-ahead and CHAIN records of the largest plausible size. */
#define SPLIT_WINDOW (LOOK_AHEAD + CHAIN * (16 + 262144))

/* Whether a record starts at buf[at] and CHAIN plausible records follow in buf (or the file
 * ends, when buf reaches its end). */
static bool boundary_at(const capture_t *cap, const uint8_t *buf, size_t len, bool ends_file,
                        size_t at, uint32_t first_sec)
{
    for (int k = 0; k < CHAIN; k++) {
        if (at == len) return ends_file;
        if (at + 16 > len || !plausible(cap, buf + at, first_sec)) return false;
        at += 16 + (size_t)cap_u32(cap, buf + at + 8);
        if (at > len) return false;
    }
    return true;
}

/* Reads up to n bytes at offset into buf; how many were read (fewer at the end of the file or
 * on an error, which only makes the cut there fail). */
static size_t read_at(int fd, uint8_t *buf, size_t n, uint64_t offset)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(fd, buf + got, n - got, (off_t)(offset + got));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += (size_t)r;
    }
    return got;
}

size_t capture_split(const char *path, size_t parts, uint64_t *bounds)
{
    char errbuf[SL_ERRBUF_SIZE];
    capture_t *cap;
    bounds[0] = 24;
    bounds[1] = UINT64_MAX;
    /* Only a regular file is opened here: opening stdin or a pipe would read (and so take)
     * the bytes the one reader of it needs. */
    struct stat st;
    if (parts < 2 || strcmp(path, "-") == 0 || stat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
        st.st_size < (64 << 20))
        return 1;
    if (capture_open(&cap, path, errbuf) != SL_OK) return 1;
    /* Only a window after each cut is read, with pread: not mapped, so that a file cut
     * meanwhile is an error and not SIGBUS. */
    uint8_t *window = NULL;
    int fd = -1;
    size_t n = 1;
    if (cap->ops == &capture_format_pcap && strcmp(capture_compression(cap), "none") == 0 &&
        (fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0 && fstat(fd, &st) == 0 &&
        (window = malloc(SPLIT_WINDOW)) && read_at(fd, window, 16, 24) == 16) {
        uint64_t len = (uint64_t)st.st_size;
        uint32_t first_sec = cap_u32(cap, window);
        bounds[1] = len;
        for (size_t p = 1; p < parts; p++) {
            uint64_t cut = len / parts * p;
            size_t got = read_at(fd, window, SPLIT_WINDOW, cut), at = 0;
            bool ends_file = cut + got == len;
            while (at < LOOK_AHEAD && at < got &&
                   !boundary_at(cap, window, got, ends_file, at, first_sec))
                at++;
            if (at >= LOOK_AHEAD || at >= got || cut + at <= bounds[n - 1]) continue;
            bounds[n++] = cut + at;
            bounds[n] = len;
        }
    }
    free(window);
    if (fd >= 0) close(fd);
    capture_close(cap);
    return n;
}
