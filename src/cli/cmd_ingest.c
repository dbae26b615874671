/* scanlens ingest: adds captures to the history. Files go in in batches, each batch one
 * transaction together with its files' lines in the ingest ledger, so a file is recorded whole
 * or not at all; a file whose content was ingested before is skipped, whatever its name. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../store/store.h"
#include "history.h"
#include "agg_feed.h"
#include "commands.h"
#include "debug_trace.h"
#include "options.h"
#include "scan.h"

static const char ingest_help[] =
    "usage: scanlens ingest --db PATH [--sensor-name NAME] [OPTIONS] FILE...\n"
    "\n"
    "Adds captures to the history at PATH (an SQLite file, created if missing). A file already\n"
    "ingested for this sensor (same size and content) is skipped; a file is recorded whole or not\n"
    "at all, so an ingest killed half-way is simply run again. Files are written in batches of\n"
    "about 512 MiB of records (one transaction each).\n"
    "\n"
    "      --db PATH             the history\n"
    "      --sensor-name NAME    which sensor the captures come from (default: default)\n"
    "      --sensor CIDR         the sensor's own addresses (repeatable); inferred if not given\n"
    "      --tz ZONE             the history's time zone, fixed when it is created (default UTC)\n"
    "      --filter EXPR         BPF filter expression (tcpdump syntax)\n"
    "      --fingerprints FILE   extra fingerprint rules, tried before the built-in ones\n"
    "  -j, --jobs N              read each plain pcap file of 64 MiB or more with N threads, in\n"
    "                            pieces cut at record boundaries (default: 1; the same history)\n"
    "      --max-memory MIB      hold a file's records within about MIB mebibytes: each time\n"
    "                            they fill it they are written to the history (in the file's\n"
    "                            transaction, exactly as if held), file by file; without it\n"
    "                            files are held and written in batches\n"
    "  -q, --quiet               no progress line\n"
    "  -h, --help                this text\n"
    "\n"
    "Exit status: 0 ok; 1 the history could not be written; 2 usage error;\n"
    "3 some files were damaged or unreadable (the others were recorded).\n";

static void say_unfinished(void *ctx, const char *path)
{
    (void)ctx;
    fprintf(stderr,
            "scanlens: %s: an earlier ingest of this file was interrupted; nothing of it "
            "was recorded\n",
            path);
}

struct write_progress {
    const char *path;
    double next; /* when to show the next line */
};

/* The progress line while a file's records are written (on a terminal). */
static void show_writing(void *ctx, size_t done, size_t total)
{
    struct write_progress *wp = ctx;
    if (!progress_due(&wp->next)) return;
    fprintf(stderr, "\r\033[K%s: writing to the history: %.0f%% of %.1f M records", wp->path,
            100.0 * (double)done / (double)total, (double)total / 1e6);
    fflush(stderr);
}

/* Where a file's aggregate goes under --max-memory each time it fills: into the history, in
 * the file's open transaction, merged with what is there as any record is. The reading
 * threads take turns (one SQLite handle). */
struct spill_to_history {
    store_t *st;
    int64_t sensor;
    const fprules_t *rules;
    pthread_mutex_t lock;
    bool ok;
    char errbuf[SL_ERRBUF_SIZE]; /* the first failure */
};

static bool spill_to_history(void *ctx, const agg_t *agg)
{
    struct spill_to_history *h = ctx;
    pthread_mutex_lock(&h->lock);
    if (h->ok && h->st->ops->add_agg(h->st, h->sensor, agg, h->rules, h->errbuf) != SL_OK)
        h->ok = false;
    bool ok = h->ok;
    pthread_mutex_unlock(&h->lock);
    debug_trace("spilled %zu records to the history", agg_records(agg));
    return ok;
}

/* Files read, not yet written: their records are in the batch's feed. */
struct pending_file {
    struct file_identity id;
    struct file_result result;
};

/* Files read one after another into one aggregate and written to the history together, in one
 * transaction with their ledger lines. Written file by file, a month of 744 hourly files took
 * 60 s to ingest against 9 s for the same month in one file: each hour's records merged into
 * the rows of its day already written (a lookup, a decode, a merge and a rewrite, 24 times a
 * row). A batch is written when its records reach `limit` bytes by agg_reckoned_bytes
 * (BATCH_BYTES: about 1.6 M (day, source) records of several packets), and after the last
 * file. SCANLENS_INGEST_BATCH_KIB sets another limit, for tests that need many batches. */
#define BATCH_BYTES (512ull << 20)

struct batch {
    struct agg_feed *feed;
    struct pending_file *files;
    size_t n, cap;
    uint64_t limit;
};

/* Before a file is read: its identity, and whether it is in the history already (or in the
 * batch being read); if not, its line in the ledger says `started`, in a transaction of its
 * own. Returns 1 to read it, 0 skipped, 2 unreadable (said), -1 the history failed (in
 * errbuf). */
static int start_file(store_t *st, int64_t sensor, const char *path, const struct batch *b,
                      struct file_identity *id, char *errbuf)
{
    int state;
    if (file_identity_read(id, path, errbuf) != SL_OK) {
        fprintf(stderr, "scanlens: %s\n", errbuf);
        return 2;
    }
    if (st->ops->file_state(st, sensor, id, &state, errbuf) != SL_OK) return -1;
    for (size_t i = 0; b && i < b->n; i++)
        if (b->files[i].id.size == id->size && b->files[i].id.fingerprint == id->fingerprint)
            state = FILE_COMPLETE; /* given twice: in the history once the batch is written */
    if (state == FILE_COMPLETE) {
        fprintf(stderr, "scanlens: %s: already in the history (same size and content): skipped\n",
                path);
        return 0;
    }
    if (store_begin(st, errbuf) != SL_OK ||
        st->ops->mark_file(st, sensor, id, FILE_STARTED, 0, NULL, errbuf) != SL_OK ||
        store_commit(st, errbuf) != SL_OK)
        return -1;
    return 1;
}

/* Reads one file into feed (through the reading threads), the result in *result. */
static void read_file(const char *path, struct agg_feed *feed, const fprules_t *rules,
                      struct input_options *in, bpf_set_t *filter, struct file_result *result)
{
    struct classifier classifier = {.rules = rules, .sensor = &in->sensor};
    char *paths[1] = {(char *)path};
    struct scan_job job = agg_feed_scan_job(feed, in, filter, &classifier);
    job.paths = paths;
    job.n_paths = 1;
    job.results = result;
    scan_files(&job);
    agg_feed_flush(feed);
}

/* A file that gave no packet at all: its line in the ledger says why. */
static int mark_failed(store_t *st, int64_t sensor, const struct file_identity *id,
                       const struct file_result *result, char *errbuf)
{
    int rc = store_begin(st, errbuf);
    if (rc == SL_OK)
        rc = st->ops->mark_file(st, sensor, id, FILE_FAILED, 0, result->message, errbuf);
    if (rc == SL_OK) rc = store_commit(st, errbuf);
    return rc;
}

/* Writes the batch's records and marks its files complete, in one transaction (`begun`: open
 * already, holding what --max-memory wrote of them); empties it. Returns SL_OK or the
 * history's error (in errbuf; nothing of the batch written). */
static int write_batch(store_t *st, int64_t sensor, struct batch *b, const fprules_t *rules,
                       bool quiet, bool begun, char *errbuf)
{
    if (!b->n) return SL_OK;
    bool progress = !quiet && isatty(STDERR_FILENO);
    char what[64];
    snprintf(what, sizeof what, "%zu files", b->n);
    struct write_progress wp = {b->n == 1 ? b->files[0].id.path : what, now_seconds() + 0.5};
    debug_trace("writing a batch of %zu file%s", b->n, b->n == 1 ? "" : "s");
    int rc = begun ? SL_OK : store_begin(st, errbuf);
    if (progress) store_set_progress(st, show_writing, &wp);
    if (rc == SL_OK) rc = st->ops->add_agg(st, sensor, b->feed->agg, rules, errbuf);
    if (rc == SL_OK) debug_trace("records written, committing");
    if (progress) {
        store_set_progress(st, NULL, NULL);
        fprintf(stderr, "\r\033[K%s: committing\r", wp.path); /* the WAL's checkpoint */
    }
    for (size_t i = 0; rc == SL_OK && i < b->n; i++) {
        const struct file_result *r = &b->files[i].result;
        rc = st->ops->mark_file(st, sensor, &b->files[i].id, FILE_COMPLETE, r->frames,
                                r->status == SL_OK ? NULL : r->message, errbuf);
    }
    if (rc == SL_OK) rc = store_commit(st, errbuf);
    if (rc != SL_OK) store_rollback(st);
    if (progress) fputs("\r\033[K", stderr);
    size_t records = agg_records(b->feed->agg);
    for (size_t i = 0; i < b->n; i++) {
        const struct file_result *r = &b->files[i].result;
        if (rc != SL_OK)
            fprintf(stderr, "scanlens: %s: not recorded: %s\n", b->files[i].id.path, errbuf);
        else if (!quiet && b->feed->spills)
            fprintf(stderr,
                    "scanlens: %s: recorded %llu packets (written in %llu parts, the first %llu "
                    "as --max-memory filled)\n",
                    r->path, (unsigned long long)r->frames, (unsigned long long)b->feed->spills + 1,
                    (unsigned long long)b->feed->spills);
        else if (!quiet && b->n == 1)
            fprintf(stderr, "scanlens: %s: recorded %llu packets (%zu source-day records)\n",
                    r->path, (unsigned long long)r->frames, records);
        else if (!quiet)
            fprintf(stderr, "scanlens: %s: recorded %llu packets\n", r->path,
                    (unsigned long long)r->frames);
    }
    if (rc == SL_OK && !quiet && b->n > 1)
        fprintf(stderr, "scanlens: %zu files written together: %zu source-day records\n", b->n,
                records);
    if (rc == SL_OK)
        debug_trace("committed: %zu file%s, %zu records", b->n, b->n == 1 ? "" : "s", records);
    b->n = 0;
    agg_feed_free(b->feed);
    b->feed = agg_feed_new(INT32_MIN, INT32_MAX);
    if (rc == SL_OK && !b->feed) rc = sl_error(errbuf, SL_ERR_NOMEM, "out of memory");
    return rc;
}

/* Reads one file into the batch, and writes the batch once it is full. Returns 0 recorded or
 * skipped, 1 damaged but recorded or unreadable, -1 the history failed (stop). */
static int ingest_into_batch(store_t *st, int64_t sensor, const char *path, struct batch *b,
                             const fprules_t *rules, struct input_options *in, bpf_set_t *filter)
{
    char errbuf[SL_ERRBUF_SIZE];
    struct file_identity id;
    int go = start_file(st, sensor, path, b, &id, errbuf);
    if (go != 1) {
        if (go < 0) fprintf(stderr, "scanlens: %s: not recorded: %s\n", path, errbuf);
        return go < 0 ? -1 : go == 2;
    }
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 16;
        struct pending_file *grown = realloc(b->files, cap * sizeof *grown);
        if (!grown) {
            fprintf(stderr, "scanlens: out of memory\n");
            return -1;
        }
        b->files = grown;
        b->cap = cap;
    }
    struct pending_file *f = &b->files[b->n];
    f->id = id;
    read_file(path, b->feed, rules, in, filter, &f->result);
    int outcome = f->result.status == SL_OK ? 0 : 1;
    if (f->result.status != SL_OK && f->result.frames == 0) {
        if (mark_failed(st, sensor, &id, &f->result, errbuf) != SL_OK) {
            fprintf(stderr, "scanlens: %s: not recorded: %s\n", path, errbuf);
            return -1;
        }
        return 1;
    }
    b->n++;
    if (agg_reckoned_bytes(b->feed->agg) >= b->limit &&
        write_batch(st, sensor, b, rules, in->quiet, false, errbuf) != SL_OK)
        return -1;
    return outcome;
}

/* Ingests one file under --max-memory: its records are written each time they reach the cap,
 * in the file's transaction, which stays open while it is read; the rest as a batch of one.
 * Returns as ingest_into_batch. */
static int ingest_file(store_t *st, int64_t sensor, const char *path, const fprules_t *rules,
                       struct input_options *in, bpf_set_t *filter, uint64_t max_memory_mib)
{
    char errbuf[SL_ERRBUF_SIZE];
    struct pending_file f;
    struct batch one = {.files = &f, .cap = 1};
    int go = start_file(st, sensor, path, NULL, &f.id, errbuf);
    if (go < 0) goto store_failed;
    if (go != 1) return go == 2;
    if (!(one.feed = agg_feed_new(INT32_MIN, INT32_MAX))) {
        fprintf(stderr, "scanlens: out of memory\n");
        return -1;
    }
    struct spill_to_history spill = {st, sensor, rules, PTHREAD_MUTEX_INITIALIZER, true, ""};
    if (store_begin(st, errbuf) != SL_OK) {
        agg_feed_free(one.feed);
        goto store_failed;
    }
    size_t threads = in->jobs > 1 ? (size_t)in->jobs : 1;
    agg_feed_spill(one.feed,
                   &(struct agg_spill){spill_to_history, &spill, (max_memory_mib << 20) / threads});
    read_file(path, one.feed, rules, in, filter, &f.result);
    int rc = SL_OK;
    if ((f.result.status != SL_OK && f.result.frames == 0) || !spill.ok) {
        store_rollback(st);
        if (!spill.ok) /* a part could not be written: nothing of the file is */
            rc = sl_error(errbuf, SL_ERR_IO, "%s", spill.errbuf);
        else /* nothing to record: say why */
            rc = mark_failed(st, sensor, &f.id, &f.result, errbuf);
        agg_feed_free(one.feed);
        if (rc != SL_OK) goto store_failed;
        return 1;
    }
    one.n = 1;
    rc = write_batch(st, sensor, &one, rules, in->quiet, true, errbuf);
    agg_feed_free(one.feed);
    if (rc != SL_OK) return -1; /* said by write_batch */
    return f.result.status == SL_OK ? 0 : 1;

store_failed:
    fprintf(stderr, "scanlens: %s: not recorded: %s\n", path, errbuf);
    return -1;
}

int cmd_ingest(int argc, char **argv)
{
    static const struct option long_options[] = {
        INPUT_LONG_OPTIONS,
        JOBS_LONG_OPTION,
        {"db", required_argument, NULL, OPT_DB},
        {"sensor-name", required_argument, NULL, OPT_SENSOR_NAME},
        {"tz", required_argument, NULL, OPT_TZ},
        {"max-memory", required_argument, NULL, OPT_MAX_MEMORY},
        {NULL, 0, NULL, 0},
    };
    struct input_options in = {0};
    const char *db = NULL, *sensor_name = "default", *tz = NULL;
    uint64_t max_memory_mib = 0;
    int opt, status = -1;
    char errbuf[SL_ERRBUF_SIZE];
    optind = 1;
    while (status < 0 && (opt = getopt_long(argc, argv, "+r:j:qh", long_options, NULL)) != -1) {
        int handled = input_option(&in, opt, optarg);
        if (handled < 0) status = EXIT_USAGE;
        if (handled) continue;
        switch (opt) {
        case OPT_DB:
            db = optarg;
            break;
        case OPT_SENSOR_NAME:
            sensor_name = optarg;
            break;
        case OPT_TZ:
            tz = optarg;
            break;
        case OPT_MAX_MEMORY:
            if (!parse_max_memory(optarg, &max_memory_mib)) status = EXIT_USAGE;
            break;
        case 'h':
            fputs(ingest_help, stdout);
            status = EXIT_OK;
            break;
        default:
            fputs("Try 'scanlens ingest --help'.\n", stderr);
            status = EXIT_USAGE;
        }
    }
    if (status < 0 && !db) {
        fprintf(stderr, "scanlens: ingest needs --db PATH\n");
        status = EXIT_USAGE;
    }
    if (status < 0 && input_finish(&in, argc, argv, optind) != 0) status = EXIT_USAGE;
    if (status < 0 && tz && dayclock_set_zone(tz, errbuf) != SL_OK) {
        fprintf(stderr, "scanlens: %s\n", errbuf);
        status = EXIT_USAGE;
    }
    bpf_set_t *filter = NULL;
    fprules_t *rules = NULL;
    store_t *st = NULL;
    if (status < 0 && bpf_set_open(&filter, in.filter, errbuf) != SL_OK) {
        fprintf(stderr, "scanlens: %s\n", errbuf);
        status = EXIT_USAGE;
    }
    if (status < 0 && !(rules = load_rules(&in))) status = EXIT_USAGE;
    int64_t sensor = 0;
    if (status < 0 && history_open_writer(&st, db, tz, sensor_name, &sensor, errbuf) != SL_OK) {
        fprintf(stderr, "scanlens: %s\n", errbuf);
        status = EXIT_FAILED;
    }
    if (status < 0) {
        st->ops->each_unfinished(st, sensor, say_unfinished, NULL, errbuf);
        size_t damaged = 0;
        status = EXIT_OK;
        const char *batch_kib = getenv("SCANLENS_INGEST_BATCH_KIB");
        struct batch batch = {agg_feed_new(INT32_MIN, INT32_MAX), NULL, 0, 0,
                              batch_kib ? strtoull(batch_kib, NULL, 10) << 10 : BATCH_BYTES};
        if (!batch.feed) {
            fprintf(stderr, "scanlens: out of memory\n");
            status = EXIT_FAILED;
        }
        debug_trace("ingesting %zu file%s", in.n_files, in.n_files == 1 ? "" : "s");
        for (size_t i = 0; status == EXIT_OK && i < in.n_files; i++) {
            int rc = max_memory_mib
                         ? ingest_file(st, sensor, in.files[i], rules, &in, filter, max_memory_mib)
                         : ingest_into_batch(st, sensor, in.files[i], &batch, rules, &in, filter);
            if (rc < 0) status = EXIT_FAILED;
            if (rc > 0) damaged++;
        }
        if (status == EXIT_OK &&
            write_batch(st, sensor, &batch, rules, in.quiet, false, errbuf) != SL_OK)
            status = EXIT_FAILED;
        agg_feed_free(batch.feed);
        free(batch.files);
        if (status == EXIT_OK && damaged) status = EXIT_PARTIAL;
    }
    store_close(st);
    fprules_free(rules);
    bpf_set_close(filter);
    input_options_free(&in);
    return status;
}
