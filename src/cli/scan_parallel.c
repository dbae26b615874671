/* Reading with several threads: the work is cut into pieces (whole files, and plain pcap files
 * cut at record boundaries), which the threads take in lanes (util/lanes.h), each counting
 * into its own context; the contexts are folded together at the end. Aggregates merge
 * exactly, so the result is the one a single thread gives. The calling thread shows progress
 * meanwhile. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../input/capture.h"
#include "../util/lanes.h"
#include "scan.h"

#define MAX_PIECES_PER_FILE 64
/* Pieces a thread of a file read alone: with one piece a thread, the two halves of the bench
 * month ended 0.03-0.27 s apart, the one thread waiting for the other. */
#define PIECES_PER_THREAD 8

struct piece {
    size_t file;
    uint64_t start, end;
    struct file_result result;
};

struct worker {
    pthread_t thread;
    struct scan_job *job;
    struct piece *pieces;
    lanes_t *lanes;
    size_t index;         /* of the thread, in lanes */
    _Atomic size_t *done; /* threads finished */
    void *ctx;
    bpf_set_t *filter;
    bool started;
};

/* The worker's next piece, taken and opened: *i is SIZE_MAX (and NULL returned) when none is
 * left, and NULL is also what a piece that cannot be opened gives (its result says why). */
static capture_t *take_piece(struct worker *w, size_t *i)
{
    *i = lanes_take(w->lanes, w->index);
    if (*i == SIZE_MAX) return NULL;
    struct piece *p = &w->pieces[*i];
    return scan_open_piece(w->job, p->file, p->start, p->end, &p->result);
}

static void *work(void *arg)
{
    struct worker *w = arg;
    size_t i, next = SIZE_MAX;
    capture_t *cap = take_piece(w, &i), *next_cap = NULL;
    while (i != SIZE_MAX) {
        /* A compressed piece's successor is taken and opened while it is read
         * (scan_open_piece); a plain one's is not: taken early, it would stay this thread's
         * while the other thread of the lane, done, waits at the end. */
        bool ahead = cap && strcmp(capture_compression(cap), "none") != 0;
        if (ahead) next_cap = take_piece(w, &next);
        struct piece *p = &w->pieces[i];
        scan_read_piece(w->job, p->file, p->start, p->end, cap, w->ctx, w->filter, &p->result,
                        false);
        if (!ahead) next_cap = take_piece(w, &next);
        i = next;
        cap = next_cap;
    }
    atomic_fetch_add(w->done, 1);
    return NULL;
}

/* A file's result from its pieces: frames add up, the first error (in file order) stands. */
static void combine(struct file_result *into, const struct piece *pieces, size_t n, size_t file)
{
    bool first = true;
    for (size_t i = 0; i < n; i++) {
        const struct file_result *r = &pieces[i].result;
        if (pieces[i].file != file) continue;
        if (first) {
            *into = *r;
            first = false;
            continue;
        }
        into->frames += r->frames;
        into->filtered_out += r->filtered_out;
        if (into->status == SL_OK && r->status != SL_OK) {
            into->status = r->status;
            memcpy(into->message, r->message, sizeof into->message);
        }
    }
}

static size_t pieces_of(const struct piece *pieces, size_t n, size_t file)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += pieces[i].file == file;
    return k;
}

void scan_parallel(struct scan_job *job)
{
    size_t cap = job->n_paths * 2 + 8, n = 0;
    struct piece *pieces = calloc(cap, sizeof *pieces);
    struct worker *workers = calloc(job->threads, sizeof *workers);
    lanes_t *lanes = NULL;
    _Atomic size_t done = 0;
    if (!pieces || !workers) goto sequential;
    bool alone = job->n_paths == 1; /* cut finer */
    for (size_t f = 0; f < job->n_paths; f++) {
        uint64_t bounds[MAX_PIECES_PER_FILE + 1];
        size_t parts = job->threads * (alone ? PIECES_PER_THREAD : 1);
        if (parts > MAX_PIECES_PER_FILE) parts = MAX_PIECES_PER_FILE;
        size_t k = capture_split(job->paths[f], parts, bounds);
        for (size_t i = 0; i < k; i++) {
            if (n == cap) {
                struct piece *grown = realloc(pieces, 2 * cap * sizeof *grown);
                if (!grown) goto sequential;
                pieces = grown;
                cap *= 2;
            }
            pieces[n++] = (struct piece){.file = f,
                                         .start = k > 1 ? bounds[i] : 0,
                                         .end = k > 1 ? bounds[i + 1] : UINT64_MAX};
        }
    }
    /* the pieces in the order of the files, and within each: in lanes (util/lanes.h) */
    if (!(lanes = lanes_new(job->threads, n))) goto sequential;
    for (size_t t = 0; t < job->threads; t++) {
        struct worker *w = &workers[t];
        *w = (struct worker){
            .job = job, .pieces = pieces, .lanes = lanes, .index = t, .done = &done};
        char errbuf[SL_ERRBUF_SIZE];
        w->ctx = job->fork_ctx(job->ctx);
        if (!w->ctx || bpf_set_open(&w->filter, job->filter_expression, errbuf) != SL_OK) break;
        if (pthread_create(&w->thread, NULL, work, w) != 0) break;
        w->started = true;
    }
    size_t running = 0;
    for (size_t t = 0; t < job->threads; t++)
        running += workers[t].started;
    if (!running) goto sequential;
    while (job->progress && atomic_load(&done) < running) {
        usleep(200000);
        if (progress_due(&job->progress_state.next)) {
            /* lanes read files from both ends: a count of files, not a position */
            size_t started = lanes_taken(lanes) * job->n_paths / n;
            show_progress(job, started ? started - 1 : 0);
        }
    }
    for (size_t t = 0; t < job->threads; t++) {
        struct worker *w = &workers[t];
        if (w->started) pthread_join(w->thread, NULL);
        if (w->ctx) job->join_ctx(job->ctx, w->ctx);
        bpf_set_close(w->filter);
    }
    for (size_t f = 0; f < job->n_paths; f++) {
        const struct file_result *r = &job->results[f];
        combine(&job->results[f], pieces, n, f);
        /* Damage in a file read in pieces is said here (a piece knows only its own count);
         * the pieces after the damaged one were read too: every whole packet of the file. */
        if (r->status != SL_OK && pieces_of(pieces, n, f) > 1)
            fprintf(diag(job), "scanlens: %s: %s; %llu whole packets of the file were used\n",
                    r->path, r->message, (unsigned long long)r->frames);
    }
    lanes_free(lanes);
    free(pieces);
    free(workers);
    return;

sequential: /* could not start threads: read here, as with one thread */
    lanes_free(lanes);
    for (size_t t = 0; workers && t < job->threads; t++) {
        if (workers[t].ctx) job->join_ctx(job->ctx, workers[t].ctx);
        bpf_set_close(workers[t].filter);
    }
    free(pieces);
    free(workers);
    for (size_t i = 0; i < job->n_paths; i++)
        scan_read_piece(job, i, 0, UINT64_MAX,
                        scan_open_piece(job, i, 0, UINT64_MAX, &job->results[i]), job->ctx,
                        job->filter, &job->results[i], true);
}
