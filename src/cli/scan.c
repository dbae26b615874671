/* The read loop: capture -> filter -> decode -> classify -> caller's function. */
#include "scan.h"

#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../decode/decode.h"
#include "../input/capture.h"
#include "options.h"

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One line, rewritten in place: files, packets, rate, and time left from the bytes read of
 * all the files' sizes (compressed bytes for compressed files). */
static void show_progress(struct scan_job *job, size_t file, const capture_t *cap)
{
    struct scan_progress *pr = &job->progress_state;
    double elapsed = now_seconds() - pr->start;
    uint64_t frames = pr->frames_before + capture_frames_read(cap);
    uint64_t done = pr->bytes_before + capture_bytes_read(cap);
    fprintf(job->diag, "\r\033[Kfile %zu/%zu, %.1f M packets, %.2f M packets/s", file + 1,
            job->n_paths, frames / 1e6, elapsed > 0 ? frames / elapsed / 1e6 : 0.0);
    if (pr->total_bytes && done && done <= pr->total_bytes && elapsed > 0.5)
        fprintf(job->diag, ", %.0f%%, %.0f s left", 100.0 * (double)done / (double)pr->total_bytes,
                elapsed * (double)(pr->total_bytes - done) / (double)done);
    fflush(job->diag);
}

/* Clears the progress line so a message does not land in the middle of it. */
static FILE *diag(struct scan_job *job)
{
    if (job->progress) fputs("\r\033[K", job->diag);
    return job->diag;
}

static void scan_one(struct scan_job *job, size_t index)
{
    struct file_result *res = &job->results[index];
    const char *path = job->paths[index];
    memset(res, 0, sizeof *res);
    res->path = path;
    capture_t *cap;
    res->status = capture_open(&cap, path, res->message);
    if (res->status != SL_OK) {
        fprintf(diag(job), "scanlens: %s: %s\n", path, res->message);
        return;
    }
    res->format = capture_format(cap);
    res->compression = capture_compression(cap);
    struct frame frame;
    struct packet pkt;
    int rc;
    while ((rc = capture_next(cap, &frame, res->message)) > 0) {
        const char *warning = capture_take_warning(cap);
        if (warning) fprintf(diag(job), "scanlens: %s: warning: %s\n", path, warning);
        res->frames++;
        if (job->filter) {
            int keep = bpf_set_match(job->filter, frame.linktype, frame.data, frame.caplen,
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
        job->on_packet(job->ctx, &pkt);
        if (job->progress && (res->frames & 0xFFFF) == 0 && now_seconds() > job->progress_state.next) {
            show_progress(job, index, cap);
            job->progress_state.next = now_seconds() + 0.5;
        }
    }
    job->progress_state.frames_before += capture_frames_read(cap);
    job->progress_state.bytes_before += capture_bytes_read(cap);
    const char *warning = capture_take_warning(cap);
    if (warning) fprintf(diag(job), "scanlens: %s: warning: %s\n", path, warning);
    if (rc < 0) {
        res->status = rc;
        fprintf(diag(job), "scanlens: %s: %s; the %llu whole packets before it were used\n", path,
                res->message, (unsigned long long)res->frames);
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
    for (size_t i = 0; i < job->n_paths; i++) {
        scan_one(job, i);
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
