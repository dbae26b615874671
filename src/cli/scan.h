/* The read loop shared by the commands: every frame of every file, through the BPF filter,
 * decoded and classified, handed to a per-packet function. Per-file outcomes are recorded so
 * a report can say which input was damaged and how. */
#ifndef SCANLENS_SCAN_H
#define SCANLENS_SCAN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../classify/classify.h"
#include "../decode/packet.h"
#include "../input/bpf.h"
#include "../input/file_result.h"
#include "../util/error.h"

typedef void (*packet_fn)(void *ctx, struct packet *p);

struct scan_progress {
    double start, next; /* when the run started; when to show the next line */
    uint64_t total_bytes, bytes_before, frames_before;
};

struct scan_job {
    char **paths;
    size_t n_paths;
    bpf_set_t *filter; /* may be NULL */
    const struct classifier *classifier;
    packet_fn on_packet;
    void *ctx;
    FILE *diag;            /* warnings and errors go here ("scanlens: FILE: ...") */
    bool progress;         /* a progress line on diag (a terminal) */
    struct file_result *results; /* n_paths entries */
    struct scan_progress progress_state;
};

struct scan_outcome {
    size_t damaged;    /* files that stopped early: their whole packets before were used */
    size_t unreadable; /* files that gave no packet at all because of an error */
};

struct scan_outcome scan_files(struct scan_job *job);
/* The exit status for an outcome, if the output itself was written fine. */
int scan_exit_status(const struct scan_outcome *o, size_t n_files);

#endif
