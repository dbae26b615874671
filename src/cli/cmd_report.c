/* scanlens report: the same report as `analyze -o`, for any period and any sensors, from the
 * history; with several sensors, also each tool's share and top ports per sensor. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../store/store.h"
#include "commands.h"
#include "debug_trace.h"
#include "report_options.h"
#include "scan.h"

static const char report_help[] =
    "usage: scanlens report --db PATH [--sensor-name NAME]... [OPTIONS] [-o DIR]\n"
    "\n"
    "The report of `scanlens analyze -o` from a history made by `ingest` or `capture`: all\n"
    "sensors together unless --sensor-name names some; with several sensors, a comparison of\n"
    "each tool's share and top ports per sensor (sensors.csv, and a section of report.html).\n"
    "\n"
    "      --db PATH             the history\n"
    "      --sensor-name NAME    a sensor to include, as ingest and capture named it\n"
    "                            (repeatable; default: all; --sensor NAME also works)\n"
    "      --fingerprints FILE   rules that name tools the history knows by other names\n"
    "  -j, --jobs N              judge the sources and count the figures with N threads\n";

static const char report_help_end[] =
    "  -h, --help                this text\n"
    "\n"
    "Days are those of the history's time zone (set when it was created).\n"
    "Exit status: 0 ok; 1 the history could not be read or the report not written; 2 usage;\n"
    "3 --max-memory left records out (the message and the report say from which day).\n";

struct sensor_list {
    int64_t id[256];
    char name[256][64];
    size_t n;
};

static void collect_sensor(void *ctx, int64_t id, const char *name)
{
    struct sensor_list *l = ctx;
    if (l->n == 256) return;
    l->id[l->n] = id;
    snprintf(l->name[l->n], sizeof l->name[l->n], "%s", name);
    l->n++;
}

/* The progress line while the history is read (on a terminal): a report of millions of
 * records reads for seconds. */
struct load_progress {
    double next; /* when to show the next line */
    bool shown;  /* a line is on the terminal */
};

static void show_loading(void *ctx, size_t done, size_t total)
{
    struct load_progress *lp = ctx;
    if (!progress_due(&lp->next)) return;
    lp->shown = true;
    fprintf(stderr, "\r\033[Kreading the history: day %zu of %zu", done, total);
    fflush(stderr);
}

/* The records of the sensors' period, into agg. The lookup index it was loaded through is
 * dropped: judging does not use it, and with 13.7 M records it was a quarter of the peak. */
static int load_period(store_t *st, const int64_t *ids, size_t n, const struct report_options *ro,
                       agg_t *agg, const fprules_t *rules, char *errbuf)
{
    debug_trace("loading %zu sensor%s", n, n == 1 ? "" : "s");
    int rc = st->ops->load(st, ids, n, ro->from_day, ro->to_day, agg, rules, errbuf);
    struct load_progress *lp = st->progress == show_loading ? st->progress_ctx : NULL;
    if (lp && lp->shown) { /* the next line starts clean */
        fputs("\r\033[K", stderr);
        lp->shown = false;
    }
    agg_drop_index(agg);
    debug_trace("loaded: %zu records", agg_records(agg));
    return rc;
}

/* Per-sensor rows: each sensor loaded and judged on its own. */
static int compare_sensors(store_t *st, const struct sensor_list *sl, struct report_options *ro,
                           const fprules_t *rules, struct sensor_comparison *cmp, char *errbuf)
{
    cmp->rows = calloc(sl->n * FP_MAX_TOOLS, sizeof *cmp->rows);
    cmp->n_rows = 0;
    if (!cmp->rows) return sl_error(errbuf, SL_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < sl->n; i++) {
        agg_t *agg = agg_new();
        struct analysis_result res;
        if (agg) report_options_limit(ro, agg);
        int rc = agg ? load_period(st, &sl->id[i], 1, ro, agg, rules, errbuf) : SL_ERR_NOMEM;
        if (rc == SL_OK && report_options_cap_reached(ro, agg, sl->name[i])) cmp->capped = true;
        if (rc == SL_OK) rc = analysis_run(&res, agg, rules, &ro->analysis, errbuf);
        if (rc != SL_OK) {
            agg_free(agg);
            return rc;
        }
        for (size_t t = 0; t < res.fig.n_tools; t++) {
            const struct tool_stats *ts = &res.fig.tool[t];
            if (!ts->syn_packets) continue;
            struct sensor_row *row = &cmp->rows[cmp->n_rows++];
            snprintf(row->sensor, sizeof row->sensor, "%s", sl->name[i]);
            row->tool = (int)t;
            row->syn_packets = ts->syn_packets;
            row->sources = ts->sources;
            row->share =
                res.an.syn_probes ? (double)ts->syn_packets / (double)res.an.syn_probes : 0;
            row->n_top = ts->n_top < 3 ? ts->n_top : 3;
            memcpy(row->top_port, ts->top_port, row->n_top * sizeof row->top_port[0]);
        }
        analysis_result_free(&res);
        agg_free(agg);
    }
    return SL_OK;
}

/* The files behind the report, from the ingest ledgers, for its Inputs list. */
struct ledger {
    struct file_result *files;
    size_t n, cap;
};

static void collect_file(void *ctx, const char *path, uint64_t packets, int state,
                         const char *message)
{
    struct ledger *l = ctx;
    if (state == FILE_STARTED) return; /* being ingested, or interrupted: none of it is here */
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        struct file_result *grown = realloc(l->files, cap * sizeof *grown);
        if (!grown) return;
        l->files = grown;
        l->cap = cap;
    }
    struct file_result *f = &l->files[l->n++];
    memset(f, 0, sizeof *f);
    f->path = strdup(path);
    f->format = "history";
    f->compression = "";
    f->frames = packets;
    f->status = state == FILE_COMPLETE && !message ? SL_OK : SL_ERR_FORMAT;
    snprintf(f->message, sizeof f->message, "%s",
             message                ? message
             : state == FILE_FAILED ? "unreadable"
                                    : "");
}

static int run(const char *db, struct sensor_list *wanted, struct report_options *ro,
               const fprules_t *rules, const known_list_t *known)
{
    char errbuf[SL_ERRBUF_SIZE];
    if (access(db, F_OK) != 0) {
        fprintf(stderr, "scanlens: %s: no history there (make one with ingest or capture)\n", db);
        return EXIT_FAILED;
    }
    store_t *st = NULL;
    struct store_open_options so = {.time_zone = ro->tz_given ? ro->settings.time_zone : NULL,
                                    .read_only = true};
    if (store_open(&st, db, &so, errbuf) != SL_OK) {
        fprintf(stderr, "scanlens: %s\n", errbuf);
        return EXIT_FAILED;
    }
    ro->settings.time_zone = st->ops->time_zone(st);
    ro->settings.from_history = true;
    struct sensor_list *all = calloc(1, sizeof *all);
    int status = EXIT_OK;
    if (!all || st->ops->each_sensor(st, collect_sensor, all, errbuf) != SL_OK)
        status = EXIT_FAILED;
    if (status == EXIT_OK && wanted->n == 0) *wanted = *all;
    for (size_t i = 0; status == EXIT_OK && i < wanted->n; i++)
        if (store_sensor(st, wanted->name[i], false, &wanted->id[i], errbuf) != SL_OK) {
            fprintf(stderr, "scanlens: %s\n", errbuf);
            status = EXIT_USAGE;
        }
    struct load_progress lp = {now_seconds() + 0.5, false};
    if (isatty(STDERR_FILENO)) store_set_progress(st, show_loading, &lp);
    struct sensor_comparison cmp = {NULL, 0};
    agg_t *agg = status == EXIT_OK ? agg_new() : NULL;
    if (agg) report_options_limit(ro, agg);
    /* The comparison first: each sensor is loaded and let go before the whole is loaded, so
     * that no two of them are held at once (what --max-memory caps is one of them). */
    if (status == EXIT_OK &&
        ((wanted->n > 1 && compare_sensors(st, wanted, ro, rules, &cmp, errbuf) != SL_OK) || !agg ||
         load_period(st, wanted->id, wanted->n, ro, agg, rules, errbuf) != SL_OK)) {
        fprintf(stderr, "scanlens: %s\n", errbuf);
        status = EXIT_FAILED;
    }
    store_set_progress(st, NULL, NULL);
    bool capped = status == EXIT_OK && report_options_cap_reached(ro, agg, NULL);
    struct ledger ledger = {NULL, 0, 0};
    for (size_t i = 0; status == EXIT_OK && i < wanted->n; i++)
        st->ops->each_file(st, wanted->id[i], collect_file, &ledger, errbuf);
    if (status == EXIT_OK)
        status = produce_report(ro, agg, rules, known, ledger.files, ledger.n, &(struct netset){0},
                                wanted->n > 1 ? &cmp : NULL);
    for (size_t i = 0; i < ledger.n; i++)
        free((char *)ledger.files[i].path);
    free(ledger.files);
    if (status == EXIT_OK && wanted->n > 1) {
        printf("\nSensors compared (sensor, tool, SYN packets, share, top ports):\n");
        for (size_t i = 0; i < cmp.n_rows; i++)
            printf("  %-16s %-12s %12llu %7.2f%%  %u %u %u\n", cmp.rows[i].sensor,
                   fprules_tool_name(rules, cmp.rows[i].tool),
                   (unsigned long long)cmp.rows[i].syn_packets, 100 * cmp.rows[i].share,
                   cmp.rows[i].top_port[0], cmp.rows[i].top_port[1], cmp.rows[i].top_port[2]);
    }
    free(cmp.rows);
    agg_free(agg);
    free(all);
    store_close(st);
    return status == EXIT_OK && (capped || cmp.capped) ? EXIT_PARTIAL : status;
}

int cmd_report(int argc, char **argv)
{
    static const struct option long_options[] = {
        REPORT_LONG_OPTIONS,
        {"db", required_argument, NULL, OPT_DB},
        {"sensor-name", required_argument, NULL, OPT_SENSOR_NAME},
        /* the first spelling: kept for the scripts that use it */
        {"sensor", required_argument, NULL, OPT_SENSOR_NAME},
        {"fingerprints", required_argument, NULL, OPT_FINGERPRINTS},
        {"jobs", required_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct report_options *ro = calloc(1, sizeof *ro);
    struct sensor_list *wanted = calloc(1, sizeof *wanted);
    struct input_options in = {0};
    if (!ro || !wanted) {
        free(ro);
        free(wanted);
        return EXIT_FAILED;
    }
    report_options_init(ro);
    const char *db = NULL;
    int opt, status = -1;
    optind = 1;
    while (status < 0 && (opt = getopt_long(argc, argv, "+o:j:h", long_options, NULL)) != -1) {
        int handled = report_option(ro, opt, optarg);
        if (handled < 0) status = EXIT_USAGE;
        if (handled) continue;
        switch (opt) {
        case OPT_DB:
            db = optarg;
            break;
        case OPT_SENSOR_NAME:
            if (wanted->n < 256) snprintf(wanted->name[wanted->n++], 64, "%s", optarg);
            break;
        case OPT_FINGERPRINTS:
        case 'j':
            if (input_option(&in, opt, optarg) < 0) status = EXIT_USAGE;
            break;
        case 'h':
            printf("%s%s%s", report_help, report_options_help, report_help_end);
            status = EXIT_OK;
            break;
        default:
            fputs("Try 'scanlens report --help'.\n", stderr);
            status = EXIT_USAGE;
        }
    }
    if (status < 0 && optind < argc) {
        fprintf(stderr, "scanlens: report reads the history, not files ('%s'); see ingest\n",
                argv[optind]);
        status = EXIT_USAGE;
    }
    if (status < 0 && !db) {
        fprintf(stderr, "scanlens: report needs --db PATH\n");
        status = EXIT_USAGE;
    }
    if (status < 0 && report_options_finish(ro) != 0) status = EXIT_USAGE;
    char errbuf[SL_ERRBUF_SIZE];
    fprules_t *rules = NULL;
    known_list_t *known = NULL;
    if (status < 0 && ro->known_path && known_list_load(&known, ro->known_path, errbuf) != 0) {
        fprintf(stderr, "scanlens: %s\n", errbuf);
        status = EXIT_USAGE;
    }
    if (status < 0 && !(rules = load_rules(&in))) status = EXIT_USAGE;
    if (status < 0 && report_options_prepare_output(ro) != 0) status = EXIT_FAILED;
    ro->analysis.verdict.threads = in.jobs;
    if (status < 0) status = run(db, wanted, ro, rules, known);
    fprules_free(rules);
    known_list_free(known);
    input_options_free(&in);
    free(wanted);
    free(ro);
    return status;
}
