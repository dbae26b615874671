/* The read loop: capture -> filter -> decode -> classify -> caller's function. */
#include "scan.h"

#include <string.h>
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

static void show_progress(struct scan_job *job, size_t file, const capture_t *cap, double start)
{
    double elapsed = now_seconds() - start;
    uint64_t done = capture_bytes_read(cap), size = capture_file_size(cap);
    uint64_t frames = capture_frames_read(cap);
    fprintf(job->diag, "\r\033[Kfile %zu/%zu %s: %.1f M packets, %.2f M/s", file + 1,
            job->n_paths, job->paths[file], frames / 1e6, elapsed > 0 ? frames / elapsed / 1e6 : 0.0);
    if (size && done && elapsed > 0.5)
        fprintf(job->diag, ", %.0f%%, %.0f s left in this file", 100.0 * done / size,
                elapsed * (double)(size - done) / (double)done);
    fflush(job->diag);
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
        fprintf(job->diag, "scanlens: %s: %s\n", path, res->message);
        return;
    }
    res->format = capture_format(cap);
    res->compression = capture_compression(cap);
    struct frame frame;
    struct packet pkt;
    double start = now_seconds(), next_progress = start + 0.5;
    int rc;
    while ((rc = capture_next(cap, &frame, res->message)) > 0) {
        const char *warning = capture_take_warning(cap);
        if (warning) fprintf(job->diag, "scanlens: %s: warning: %s\n", path, warning);
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
        if (job->progress && (res->frames & 0xFFFF) == 0 && now_seconds() > next_progress) {
            show_progress(job, index, cap, start);
            next_progress = now_seconds() + 0.5;
        }
    }
    if (job->progress) fprintf(job->diag, "\r\033[K");
    const char *warning = capture_take_warning(cap);
    if (warning) fprintf(job->diag, "scanlens: %s: warning: %s\n", path, warning);
    if (rc < 0) {
        res->status = rc;
        fprintf(job->diag, "scanlens: %s: %s; the %llu whole packets before it were used\n", path,
                res->message, (unsigned long long)res->frames);
    }
    capture_close(cap);
}

struct scan_outcome scan_files(struct scan_job *job)
{
    struct scan_outcome o = {0, 0};
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
    return o;
}

int scan_exit_status(const struct scan_outcome *o, size_t n_files)
{
    if (o->unreadable == n_files) return EXIT_FAILED;
    return o->damaged || o->unreadable ? EXIT_PARTIAL : EXIT_OK;
}
