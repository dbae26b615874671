/* gzip and zstd decompression (ISA-L's igzip, libzstd) into a ring of chunks filled by a
 * thread of its own, read out in order by the capture reader. gzip is inflated by ISA-L, not
 * zlib: 1.7x as fast on the bench month (2.3 s against 4.0 of one core for 2.4 GB), which
 * decides how fast a .gz is read, as inflating takes longer than the analysis. */
#include "decompress.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <isa-l/igzip_lib.h>
#include <zstd.h>

#include "../util/error.h"

#define RAW_CHUNK (1u << 20) /* compressed bytes read at a time */
/* Four chunks of 1 MiB: the thread stays up to 4 MiB ahead, and a hand-over a MiB costs
 * nothing next to inflating it. */
#define CHUNK_BYTES (1u << 20)
#define CHUNKS 4
#define FIRST_CHUNK_BYTES (64u << 10)

/* What reads fd and inflates: used by one thread at a time (the decompressing one). */
struct codec_state {
    int fd;
    enum codec codec;
    uint8_t *raw;
    size_t raw_pos, raw_end;
    bool raw_eof;
    struct inflate_state *gz;
    bool gz_member_started; /* input of a gzip member taken since the last member ended */
    ZSTD_DStream *zstd;
    bool zstd_mid_frame;
    _Atomic uint64_t consumed; /* compressed bytes read, for progress (read by the reader) */
};

/* Decompressed bytes and, for the last chunk of the data, how the data ended. */
struct chunk {
    uint8_t *data;
    size_t len;
    bool last;
    int rc; /* of the last chunk: SL_OK at a clean end, else an SL_ERR_* explained in err */
    char err[SL_ERRBUF_SIZE];
};

struct decompress {
    struct codec_state c;
    struct chunk chunk[CHUNKS];
    /* Chunks filled and chunks read out, counted from the start (under lock): the thread
     * fills chunk[filled % CHUNKS] while fewer than CHUNKS wait; the reader reads
     * chunk[taken % CHUNKS] from `pos` while taken < filled. Without a thread the reader fills
     * each chunk itself when it needs one. */
    uint64_t filled, taken;
    size_t pos;
    bool threaded, stop;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t chunk_filled, chunk_taken;
};

/* After a call of the codec that gave no output: the input it left (a codec may wait for
 * the rest of a header or symbol before it takes any) moved to the front, and more read after
 * it. Returns >0 when more was read, 0 at the end of the file, <0 on an error. */
static ssize_t more_input(struct codec_state *c, const char *name, char *errbuf)
{
    size_t left = c->raw_end - c->raw_pos;
    memmove(c->raw, c->raw + c->raw_pos, left);
    c->raw_pos = 0;
    c->raw_end = left;
    if (c->raw_eof) return 0;
    if (left == RAW_CHUNK) /* a whole buffer of input that gives nothing */
        return sl_error(errbuf, SL_ERR_FORMAT, "%s data corrupt: no progress", name);
    ssize_t n;
    /* The one place the thread may be cancelled: a pipe that sends nothing more must not keep
     * decompress_close waiting. Nothing is half done here. */
    int old;
    pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &old);
    do
        n = read(c->fd, c->raw + c->raw_end, RAW_CHUNK - c->raw_end);
    while (n < 0 && errno == EINTR);
    pthread_setcancelstate(old, NULL);
    if (n < 0) return sl_error(errbuf, SL_ERR_IO, "read error: %s", strerror(errno));
    if (n == 0) c->raw_eof = true;
    c->raw_end += (size_t)n;
    atomic_fetch_add_explicit(&c->consumed, (uint64_t)n, memory_order_relaxed);
    return n;
}

/* The end of the file reached where the codec gave no output: a clean end when the data ended
 * with a whole member or frame and nothing after it, else "ends early". */
static ssize_t end_of_input(const struct codec_state *c, bool within, const char *name,
                            char *errbuf)
{
    if (!within && c->raw_pos == c->raw_end) return 0;
    return sl_error(errbuf, SL_ERR_FORMAT,
                    "%s data ends early (the file was cut while being written?)", name);
}

static const char *isal_error_text(int rc)
{
    switch (rc) {
    case ISAL_INVALID_BLOCK:
        return "invalid deflate block";
    case ISAL_INVALID_SYMBOL:
        return "invalid deflate symbol";
    case ISAL_INVALID_LOOKBACK:
        return "invalid distance";
    case ISAL_INVALID_WRAPPER:
        return "invalid gzip header";
    case ISAL_UNSUPPORTED_METHOD:
        return "not deflate";
    case ISAL_INCORRECT_CHECKSUM:
        return "checksum mismatch";
    default:
        return "inflate failed";
    }
}

/* Each inflate_* writes decompressed bytes to out[0, cap); returns bytes written (at least 1),
 * 0 at the end of the data, <0 on an error. The codec is asked before more input is read:
 * it may hold output of input it has taken (a long match, a block), which must come out
 * before the end of the file is judged, and a pipe must not be waited on meanwhile. */
static ssize_t inflate_gzip(struct codec_state *c, uint8_t *out, size_t cap, char *errbuf)
{
    struct inflate_state *st = c->gz;
    for (;;) {
        size_t before = c->raw_pos;
        st->next_in = c->raw + c->raw_pos;
        st->avail_in = (uint32_t)(c->raw_end - c->raw_pos);
        st->next_out = out;
        st->avail_out = (uint32_t)(cap < UINT32_MAX ? cap : UINT32_MAX);
        int rc = isal_inflate(st);
        size_t produced = (size_t)(st->next_out - out);
        c->raw_pos = (size_t)(st->next_in - c->raw);
        if (c->raw_pos != before) c->gz_member_started = true;
        if (rc < 0 || rc == ISAL_NEED_DICT)
            return sl_error(errbuf, SL_ERR_FORMAT, "gzip data corrupt: %s", isal_error_text(rc));
        if (st->block_state == ISAL_BLOCK_FINISH) {
            isal_inflate_reset(st); /* another gzip member may follow (cat a.gz b.gz) */
            st->crc_flag = ISAL_GZIP;
            c->gz_member_started = false;
        }
        if (produced) return (ssize_t)produced;
        if (c->raw_pos != before && c->raw_pos < c->raw_end) continue;
        ssize_t more = more_input(c, "gzip", errbuf);
        if (more <= 0)
            return more < 0 ? more : end_of_input(c, c->gz_member_started, "gzip", errbuf);
    }
}

static ssize_t inflate_zstd(struct codec_state *c, uint8_t *out, size_t cap, char *errbuf)
{
    for (;;) {
        ZSTD_inBuffer in = {c->raw, c->raw_end, c->raw_pos};
        ZSTD_outBuffer o = {out, cap, 0};
        size_t rc = ZSTD_decompressStream(c->zstd, &o, &in);
        if (ZSTD_isError(rc))
            return sl_error(errbuf, SL_ERR_FORMAT, "zstd data corrupt: %s", ZSTD_getErrorName(rc));
        /* a call without input after a frame's end asks for the next frame: not within one */
        if (o.pos || in.pos != c->raw_pos) c->zstd_mid_frame = rc != 0;
        bool took = in.pos != c->raw_pos;
        c->raw_pos = in.pos;
        if (o.pos) return (ssize_t)o.pos;
        if (took && c->raw_pos < c->raw_end) continue;
        ssize_t more = more_input(c, "zstd", errbuf);
        if (more <= 0) return more < 0 ? more : end_of_input(c, c->zstd_mid_frame, "zstd", errbuf);
    }
}

static ssize_t inflate_some(struct codec_state *c, uint8_t *out, size_t cap, char *errbuf)
{
    return c->codec == CODEC_GZIP ? inflate_gzip(c, out, cap, errbuf)
                                  : inflate_zstd(c, out, cap, errbuf);
}

/* Fills a chunk with up to `size` bytes, unless the data ends (or fails) first, or the input
 * read so far is used up: what a pipe has sent is handed on before the thread waits for more. */
static void fill_chunk(struct codec_state *c, struct chunk *ch, size_t size)
{
    ch->len = 0;
    ch->last = false;
    while (ch->len < size && !(ch->len && c->raw_pos == c->raw_end)) {
        ssize_t n = inflate_some(c, ch->data + ch->len, size - ch->len, ch->err);
        if (n <= 0) {
            ch->last = true;
            ch->rc = (int)n;
            return;
        }
        ch->len += (size_t)n;
    }
}

static void *decompressing(void *arg)
{
    decompress_t *d = arg;
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
    for (;;) {
        pthread_mutex_lock(&d->lock);
        while (d->filled - d->taken == CHUNKS && !d->stop)
            pthread_cond_wait(&d->chunk_taken, &d->lock);
        bool stop = d->stop;
        struct chunk *ch = &d->chunk[d->filled % CHUNKS];
        pthread_mutex_unlock(&d->lock);
        if (stop) return NULL;
        fill_chunk(&d->c, ch, CHUNK_BYTES); /* not looked at until `filled` counts it */
        pthread_mutex_lock(&d->lock);
        d->filled++;
        pthread_cond_signal(&d->chunk_filled);
        pthread_mutex_unlock(&d->lock);
        if (ch->last) return NULL;
    }
}

static int start_codec(struct codec_state *c, int fd, enum codec codec, char *errbuf)
{
    c->fd = fd;
    c->codec = codec;
    if (!(c->raw = malloc(RAW_CHUNK))) return sl_error(errbuf, SL_ERR_NOMEM, "out of memory");
    if (codec == CODEC_GZIP) {
        if (!(c->gz = malloc(sizeof *c->gz)))
            return sl_error(errbuf, SL_ERR_NOMEM, "out of memory");
        isal_inflate_init(c->gz);
        c->gz->crc_flag = ISAL_GZIP;
    } else if (codec == CODEC_ZSTD) {
        if (!(c->zstd = ZSTD_createDStream()))
            return sl_error(errbuf, SL_ERR_NOMEM, "cannot start zstd");
    } else {
        return sl_error(errbuf, SL_ERR_UNSUPPORTED, "not compressed data");
    }
    return SL_OK;
}

int decompress_open(decompress_t **out, int fd, enum codec codec, const uint8_t *first, size_t n,
                    bool ahead, char *errbuf)
{
    *out = NULL;
    decompress_t *d = calloc(1, sizeof *d);
    if (!d) return sl_error(errbuf, SL_ERR_NOMEM, "out of memory");
    pthread_mutex_init(&d->lock, NULL);
    pthread_cond_init(&d->chunk_filled, NULL);
    pthread_cond_init(&d->chunk_taken, NULL);
    int rc = start_codec(&d->c, fd, codec, errbuf);
    for (int i = 0; rc == SL_OK && i < CHUNKS; i++)
        if (!(d->chunk[i].data = malloc(CHUNK_BYTES)))
            rc = sl_error(errbuf, SL_ERR_NOMEM, "out of memory");
    if (rc != SL_OK) {
        decompress_close(d);
        return rc;
    }
    if (n > RAW_CHUNK) n = RAW_CHUNK;
    memcpy(d->c.raw, first, n);
    d->c.raw_end = n;
    atomic_store_explicit(&d->c.consumed, n, memory_order_relaxed);
    if (ahead) {
        /* The first bytes are inflated here: opening a capture waits for its header, and a
         * thread just made may wait for a core (0.65 ms a file, 0.5 s for a month of hourly
         * files, while the file before was read): so a file opened ahead of its turn is open
         * at once, and the rest is inflated meanwhile. */
        fill_chunk(&d->c, &d->chunk[0], FIRST_CHUNK_BYTES);
        d->filled = 1;
        d->threaded = !d->chunk[0].last && pthread_create(&d->thread, NULL, decompressing, d) == 0;
    }
    *out = d;
    return SL_OK;
}

void decompress_close(decompress_t *d)
{
    if (!d) return;
    if (d->threaded) {
        pthread_mutex_lock(&d->lock);
        d->stop = true;
        pthread_cond_signal(&d->chunk_taken);
        pthread_mutex_unlock(&d->lock);
        pthread_cancel(d->thread); /* acted on only while it waits for input */
        pthread_join(d->thread, NULL);
    }
    pthread_mutex_destroy(&d->lock);
    pthread_cond_destroy(&d->chunk_filled);
    pthread_cond_destroy(&d->chunk_taken);
    free(d->c.gz);
    if (d->c.zstd) ZSTD_freeDStream(d->c.zstd);
    free(d->c.raw);
    for (int i = 0; i < CHUNKS; i++)
        free(d->chunk[i].data);
    free(d);
}

ssize_t decompress_read(decompress_t *d, uint8_t *out, size_t cap, char *errbuf)
{
    for (;;) {
        pthread_mutex_lock(&d->lock);
        while (d->taken == d->filled && d->threaded)
            pthread_cond_wait(&d->chunk_filled, &d->lock);
        bool none = d->taken == d->filled;
        pthread_mutex_unlock(&d->lock);
        if (none) { /* no thread: filled here, when needed */
            fill_chunk(&d->c, &d->chunk[d->filled % CHUNKS], CHUNK_BYTES);
            d->filled++;
        }
        struct chunk *ch = &d->chunk[d->taken % CHUNKS];
        if (d->pos < ch->len) {
            size_t n = ch->len - d->pos < cap ? ch->len - d->pos : cap;
            memcpy(out, ch->data + d->pos, n);
            d->pos += n;
            return (ssize_t)n;
        }
        if (ch->last) { /* stays the current chunk: the end is given again */
            if (ch->rc) memcpy(errbuf, ch->err, SL_ERRBUF_SIZE);
            return ch->rc;
        }
        pthread_mutex_lock(&d->lock);
        d->taken++;
        d->pos = 0;
        pthread_cond_signal(&d->chunk_taken);
        pthread_mutex_unlock(&d->lock);
    }
}

uint64_t decompress_consumed(const decompress_t *d)
{
    return atomic_load_explicit(&d->c.consumed, memory_order_relaxed);
}
