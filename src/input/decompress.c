/* Decompression on a thread of its own (the codecs are in codec.c): a ring of chunks filled
 * ahead, read out in order by the capture reader. */
#include "decompress.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../util/error.h"

/* Four chunks of 1 MiB: the thread stays up to 4 MiB ahead, and a hand-over a MiB costs
 * nothing next to inflating it. */
#define CHUNK_BYTES (1u << 20)
#define CHUNKS 4
#define FIRST_CHUNK_BYTES (64u << 10)

/* Decompressed bytes and, for the last chunk of the data, how the data ended. */
struct chunk {
    uint8_t *data;
    size_t len;
    bool last;
    int rc; /* of the last chunk: SL_OK at a clean end, else an SL_ERR_* explained in err */
    char err[SL_ERRBUF_SIZE];
};

struct decompress {
    codec_t *codec;
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

/* Fills a chunk with up to `size` bytes, unless the data ends (or fails) first, or the input
 * read so far is used up: what a pipe has sent is handed on before the thread waits for more. */
static void fill_chunk(codec_t *c, struct chunk *ch, size_t size)
{
    ch->len = 0;
    ch->last = false;
    while (ch->len < size && !(ch->len && codec_input_used_up(c))) {
        ssize_t n = codec_read(c, ch->data + ch->len, size - ch->len, ch->err);
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
        fill_chunk(d->codec, ch, CHUNK_BYTES); /* not looked at until `filled` counts it */
        pthread_mutex_lock(&d->lock);
        d->filled++;
        pthread_cond_signal(&d->chunk_filled);
        pthread_mutex_unlock(&d->lock);
        if (ch->last) return NULL;
    }
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
    int rc = codec_open(&d->codec, fd, codec, first, n, errbuf);
    for (int i = 0; rc == SL_OK && i < CHUNKS; i++)
        if (!(d->chunk[i].data = malloc(CHUNK_BYTES)))
            rc = sl_error(errbuf, SL_ERR_NOMEM, "out of memory");
    if (rc != SL_OK) {
        decompress_close(d);
        return rc;
    }
    if (ahead) {
        /* The first bytes are inflated here: opening a capture waits for its header, and a
         * thread just made may wait for a core (0.65 ms a file, 0.5 s for a month of hourly
         * files, while the file before was read): so a file opened ahead of its turn is open
         * at once, and the rest is inflated meanwhile. */
        fill_chunk(d->codec, &d->chunk[0], FIRST_CHUNK_BYTES);
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
    codec_close(d->codec);
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
            fill_chunk(d->codec, &d->chunk[d->filled % CHUNKS], CHUNK_BYTES);
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
    return codec_consumed(d->codec);
}
