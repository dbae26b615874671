/* The read loop: capture -> filter -> decode -> classify -> caller's function. */
#include "scan.h"

#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../decode/decode.h"
#include "../input/capture.h"
#include "options.h"

double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

bool progress_due(double *next)
{
    double now = now_seconds();
    if (now < *next) return false;
    *next = now + 0.5;
    return true;
}

/* One line, rewritten in place: files, packets, rate, and time left from the bytes read of
 * all the files' sizes (compressed bytes for compressed files). */
void show_progress(struct scan_job *job, size_t file)
{
    struct scan_progress *pr = &job->progress_state;
    double elapsed = now_seconds() - pr->start;
    uint64_t frames = atomic_load(&pr->frames_done);
    uint64_t done = atomic_load(&pr->bytes_done);
    fprintf(job->diag, "\r\033[Kfile %zu/%zu, %.1f M packets, %.2f M packets/s", file + 1,
            job->n_paths, frames / 1e6, elapsed > 0 ? frames / elapsed / 1e6 : 0.0);
    if (pr->total_bytes && done && done <= pr->total_bytes && elapsed > 0.5)
        fprintf(job->diag, ", %.0f%%, %.0f s left", 100.0 * (double)done / (double)pr->total_bytes,
                elapsed * (double)(pr->total_bytes - done) / (double)done);
    fflush(job->diag);
}

/* Clears the progress line so a message does not land in the middle of it. */
FILE *diag(struct scan_job *job)
{
    if (job->progress) fputs("\r\033[K", job->diag);
    return job->diag;
}

capture_t *scan_open_piece(struct scan_job *job, size_t index, uint64_t start, uint64_t end,
                           struct file_result *res)
{
    const char *path = job->paths[index];
    memset(res, 0, sizeof *res);
    res->path = path;
    capture_t *cap = NULL;
    res->status = start || end != UINT64_MAX
                      ? capture_open_range(&cap, path, start, end, res->message)
                      : capture_open(&cap, path, res->message);
    if (res->status != SL_OK) return NULL;
    res->format = capture_format(cap);
    res->compression = capture_compression(cap);
    return cap;
}

void scan_read_piece(struct scan_job *job, size_t index, uint64_t start, uint64_t end,
                     capture_t *cap, void *ctx, bpf_set_t *filter, struct file_result *res,
                     bool show)
{
    const char *path = job->paths[index];
    if (!cap) {
        fprintf(diag(job), "scanlens: %s: %s\n", path, res->message);
        return;
    }
    struct frame frame;
    struct packet pkt;
    int rc;
    uint64_t reported = capture_bytes_read(cap);
    while ((rc = capture_next(cap, &frame, res->message)) > 0) {
        const char *warning = capture_take_warning(cap);
        if (warning) fprintf(diag(job), "scanlens: %s: warning: %s\n", path, warning);
        res->frames++;
        if (filter) {
            int keep = bpf_set_match(filter, frame.linktype, frame.data, frame.caplen,
                                     frame.wirelen, res->message);
            if (keep < 0) {
                rc = keep;
                break;
            }
            if (!keep) {
                res->filtered_out++;
                continue;
            }
        }
        decode_frame(&pkt, frame.linktype, frame.data, frame.caplen, frame.wirelen, frame.ts_ns);
        classify_packet(job->classifier, &pkt);
        job->on_packet(ctx, &pkt);
        if ((res->frames & 0xFFFF) == 0) {
            uint64_t bytes = capture_bytes_read(cap);
            atomic_fetch_add(&job->progress_state.frames_done, 0x10000);
            atomic_fetch_add(&job->progress_state.bytes_done, bytes - reported);
            reported = bytes;
            if (show && job->progress && progress_due(&job->progress_state.next))
                show_progress(job, index);
        }
    }
    atomic_fetch_add(&job->progress_state.frames_done, res->frames & 0xFFFF);
    atomic_fetch_add(&job->progress_state.bytes_done, capture_bytes_read(cap) - reported);
    const char *warning = capture_take_warning(cap);
    if (warning) fprintf(diag(job), "scanlens: %s: warning: %s\n", path, warning);
    if (rc < 0) {
        res->status = rc;
        /* a piece's own count is not the file's: scan_parallel says it for the whole file */
        if (start == 0 && end == UINT64_MAX)
            fprintf(diag(job), "scanlens: %s: %s; the %llu whole packets before it were used\n",
                    path, res->message, (unsigned long long)res->frames);
    }
    capture_close(cap);
}

struct scan_outcome scan_files(struct scan_job *job)
{
    struct scan_outcome o = {0, 0};
    memset(&job->progress_state, 0, sizeof job->progress_state);
    job->progress_state.start = now_seconds();
    job->progress_state.next = job->progress_state.start + 0.5;
    for (size_t i = 0; job->progress && i < job->n_paths; i++) {
        struct stat st;
        if (stat(job->paths[i], &st) == 0 && S_ISREG(st.st_mode))
            job->progress_state.total_bytes += (uint64_t)st.st_size;
    }
    if (job->threads > 1) {
        scan_parallel(job);
    } else {
        /* each file is opened while the one before it is read: see scan_open_piece */
        capture_t *next =
            job->n_paths ? scan_open_piece(job, 0, 0, UINT64_MAX, &job->results[0]) : NULL;
        for (size_t i = 0; i < job->n_paths; i++) {
            capture_t *cap = next;
            next = i + 1 < job->n_paths
                       ? scan_open_piece(job, i + 1, 0, UINT64_MAX, &job->results[i + 1])
                       : NULL;
            scan_read_piece(job, i, 0, UINT64_MAX, cap, job->ctx, job->filter, &job->results[i],
                            true);
        }
    }
    for (size_t i = 0; i < job->n_paths; i++) {
        const struct file_result *r = &job->results[i];
        if (r->status != SL_OK) {
            if (r->frames)
                o.damaged++;
            else
                o.unreadable++;
        }
    }
    if (job->progress) fprintf(job->diag, "\r\033[K");
    return o;
}

int scan_exit_status(const struct scan_outcome *o, size_t n_files)
{
    if (o->unreadable == n_files) return EXIT_FAILED;
    return o->damaged || o->unreadable ? EXIT_PARTIAL : EXIT_OK;
}
