/* The read loop shared by the commands: every frame of every file, through the BPF filter,
 * decoded and classified, handed to a per-packet function. Per-file outcomes are recorded so
 * a report can say which input was damaged and how. */
#ifndef SCANLENS_SCAN_H
#define SCANLENS_SCAN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../classify/classify.h"
#include "../decode/packet.h"
#include "../input/bpf.h"
#include "../input/capture.h"
#include "../input/file_result.h"
#include "../util/error.h"

typedef void (*packet_fn)(void *ctx, struct packet *p);

struct scan_progress {
    double start, next; /* when the run started; when to show the next line */
    uint64_t total_bytes;
    _Atomic uint64_t bytes_done, frames_done; /* updated by every reading thread */
};

struct scan_job {
    char **paths;
    size_t n_paths;
    bpf_set_t *filter; /* may be NULL */
    const struct classifier *classifier;
    packet_fn on_packet;
    void *ctx;
    FILE *diag;                  /* warnings and errors go here ("scanlens: FILE: ...") */
    bool progress;               /* a progress line on diag (a terminal) */
    struct file_result *results; /* n_paths entries */
    struct scan_progress progress_state;
    /* With threads > 1, files (and plain pcap files in pieces) are read by that many threads,
     * each with its own context from fork_ctx, folded back into ctx by join_ctx at the end. */
    size_t threads;
    const char *filter_expression; /* each thread compiles its own filter from it */
    void *(*fork_ctx)(void *ctx);
    void (*join_ctx)(void *ctx, void *worker_ctx);
};

struct scan_outcome {
    size_t damaged;    /* files that stopped early: their whole packets before were used */
    size_t unreadable; /* files that gave no packet at all because of an error */
};

struct scan_outcome scan_files(struct scan_job *job);

/* The pieces scan_files is made of (scan.c, scan_parallel.c). A piece is the records of file
 * `index` that start in [start, end) (0, UINT64_MAX: the whole file). It is opened before its
 * turn, while the piece before it is read: a compressed file's decompressing thread then fills
 * its first chunks meanwhile (744 hourly .gz files took 1 s longer than one .gz of the same
 * month, each waiting for its first chunk). Opening fills res (a failure: its status and
 * message, said when the piece's turn comes) and returns NULL if the piece cannot be read. */
capture_t *scan_open_piece(struct scan_job *job, size_t index, uint64_t start, uint64_t end,
                           struct file_result *res);
/* Reads an opened piece (cap and res from scan_open_piece) into ctx through filter, and closes
 * it. Shown progress and diagnostics name the file. */
void scan_read_piece(struct scan_job *job, size_t index, uint64_t start, uint64_t end,
                     capture_t *cap, void *ctx, bpf_set_t *filter, struct file_result *res,
                     bool show);
void scan_parallel(struct scan_job *job);
void show_progress(struct scan_job *job, size_t file);
FILE *diag(struct scan_job *job);
double now_seconds(void);
/* Whether a progress line is due (two a second at most); moves *next on when it is. */
bool progress_due(double *next);
/* The exit status for an outcome, if the output itself was written fine. */
int scan_exit_status(const struct scan_outcome *o, size_t n_files);

#endif
