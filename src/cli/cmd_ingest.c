/* scanlens ingest: adds captures to the history. Each file goes in as one transaction together
 * with its line in the ingest ledger, so a file is recorded whole or not at all; a file whose
 * content was ingested before is skipped, whatever its name. */
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
    "at all, so an ingest killed half-way is simply run again.\n"
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
    "                            transaction, exactly as if held); without it a file's records\n"
    "                            are all held, then written\n"
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

/* Ingests one file; returns 0 recorded or skipped, 1 damaged but recorded or unreadable,
 * -1 the history failed (stop). max_memory_mib 0: the file's records are all held, then
 * written; else they are written each time they reach the cap, and the file's transaction
 * stays open while it is read. */
static int ingest_file(store_t *st, int64_t sensor, const char *path, const fprules_t *rules,
                       struct input_options *in, bpf_set_t *filter, uint64_t max_memory_mib)
{
    char errbuf[SL_ERRBUF_SIZE];
    struct file_identity id;
    int state;
    if (file_identity_read(&id, path, errbuf) != SL_OK) {
        fprintf(stderr, "scanlens: %s\n", errbuf);
        return 1;
    }
    if (st->ops->file_state(st, sensor, &id, &state, errbuf) != SL_OK) goto store_failed;
    if (state == FILE_COMPLETE) {
        fprintf(stderr, "scanlens: %s: already in the history (same size and content): skipped\n",
                path);
        return 0;
    }
    if (store_begin(st, errbuf) != SL_OK ||
        st->ops->mark_file(st, sensor, &id, FILE_STARTED, 0, NULL, errbuf) != SL_OK ||
        store_commit(st, errbuf) != SL_OK)
        goto store_failed;

    struct classifier classifier = {.rules = rules, .sensor = &in->sensor};
    struct agg_feed *feed = agg_feed_new(INT32_MIN, INT32_MAX);
    struct file_result result;
    char *paths[1] = {(char *)path};
    if (!feed) {
        fprintf(stderr, "scanlens: out of memory\n");
        return -1;
    }
    struct spill_to_history spill = {st, sensor, rules, PTHREAD_MUTEX_INITIALIZER, true, ""};
    if (max_memory_mib) {
        if (store_begin(st, errbuf) != SL_OK) {
            agg_feed_free(feed);
            goto store_failed;
        }
        size_t threads = in->jobs > 1 ? (size_t)in->jobs : 1;
        agg_feed_spill(
            feed, &(struct agg_spill){spill_to_history, &spill, (max_memory_mib << 20) / threads});
    }
    struct scan_job job = {
        .paths = paths,
        .n_paths = 1,
        .filter = filter,
        .classifier = &classifier,
        .on_packet = agg_feed_packet,
        .ctx = feed,
        .diag = stderr,
        .progress = !in->quiet && isatty(STDERR_FILENO),
        .results = &result,
        .threads = in->jobs,
        .filter_expression = in->filter,
        .fork_ctx = agg_feed_fork,
        .join_ctx = agg_feed_join,
    };
    scan_files(&job);
    agg_feed_flush(feed);
    int outcome = result.status == SL_OK ? 0 : 1;
    if (result.status != SL_OK && result.frames == 0) {
        /* nothing to record: say why in the ledger */
        if (max_memory_mib) store_rollback(st);
        int rc = store_begin(st, errbuf);
        if (rc == SL_OK)
            rc = st->ops->mark_file(st, sensor, &id, FILE_FAILED, 0, result.message, errbuf);
        if (rc == SL_OK) rc = store_commit(st, errbuf);
        agg_feed_free(feed);
        if (rc != SL_OK) goto store_failed;
        return 1;
    }
    int rc = SL_OK;
    if (!max_memory_mib)
        rc = store_begin(st, errbuf);
    else if (!spill.ok)
        rc = sl_error(errbuf, SL_ERR_IO, "%s", spill.errbuf);
    struct write_progress wp = {path, now_seconds() + 0.5};
    if (job.progress) store_set_progress(st, show_writing, &wp);
    if (rc == SL_OK) rc = st->ops->add_agg(st, sensor, feed->agg, rules, errbuf);
    if (job.progress) {
        store_set_progress(st, NULL, NULL);
        fprintf(stderr, "\r\033[K%s: committing\r", path); /* the WAL's checkpoint: seconds */
    }
    if (rc == SL_OK)
        rc = st->ops->mark_file(st, sensor, &id, FILE_COMPLETE, result.frames,
                                result.status == SL_OK ? NULL : result.message, errbuf);
    if (rc == SL_OK) rc = store_commit(st, errbuf);
    if (rc != SL_OK) store_rollback(st);
    if (job.progress) fputs("\r\033[K", stderr);
    size_t records = agg_records(feed->agg);
    uint64_t spills = feed->spills;
    agg_feed_free(feed);
    if (rc != SL_OK) goto store_failed;
    if (!in->quiet && spills)
        fprintf(stderr,
                "scanlens: %s: recorded %llu packets (written in %llu parts, the first %llu "
                "as --max-memory filled)\n",
                path, (unsigned long long)result.frames, (unsigned long long)spills + 1,
                (unsigned long long)spills);
    else if (!in->quiet)
        fprintf(stderr, "scanlens: %s: recorded %llu packets (%zu source-day records)\n", path,
                (unsigned long long)result.frames, records);
    return outcome;

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
        for (size_t i = 0; i < in.n_files; i++) {
            int rc = ingest_file(st, sensor, in.files[i], rules, &in, filter, max_memory_mib);
            if (rc < 0) {
                status = EXIT_FAILED;
                break;
            }
            damaged += (size_t)rc;
        }
        if (status == EXIT_OK && damaged) status = EXIT_PARTIAL;
    }
    store_close(st);
    fprules_free(rules);
    bpf_set_close(filter);
    input_options_free(&in);
    return status;
}
