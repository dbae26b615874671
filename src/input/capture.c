/* Capture reader front end: opens the byte source, recognises the file format from its magic
 * number and hands each call to that format's operations. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

uint64_t capture_file_size(const capture_t *cap)
{
    return bytesrc_file_size(cap->src);
}

uint64_t capture_frames_read(const capture_t *cap)
{
    return cap->frames;
}
