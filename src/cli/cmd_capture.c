/* scanlens capture: watches an interface with the same classification as analyze and adds the
 * daily records to the history every --flush seconds and when a day ends, so a crash loses at
 * most one interval. SIGINT/SIGTERM flush and stop; SIGHUP reopens the raw pcap file. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../classify/classify.h"
#include "../decode/decode.h"
#include "../input/live.h"
#include "../store/store.h"
#include "history.h"
#include "agg_feed.h"
#include "commands.h"
#include "options.h"
#include "../util/error.h"

static const char capture_help[] =
    "usage: scanlens capture -i IFACE --db PATH [OPTIONS] [FILTER EXPRESSION]\n"
    "\n"
    "Captures on IFACE, classifies every packet as analyze does, and adds the daily records to\n"
    "the history at PATH every --flush seconds and at each day's end. Stop with SIGINT or\n"
    "SIGTERM (the last interval is written); SIGHUP reopens the -w file (for logrotate).\n"
    "\n"
    "  -i, --interface IFACE     the interface to watch\n"
    "      --db PATH             the history (SQLite, created if missing)\n"
    "      --sensor-name NAME    this sensor's name in the history (default: the interface)\n"
    "      --sensor CIDR         the sensor's own addresses (repeatable); inferred if not given\n"
    "      --flush SECONDS       write to the history this often (default 60)\n"
    "      --max-memory MIB      also write as soon as the records held reach about MIB\n"
    "                            mebibytes (a flood of spoofed sources within an interval)\n"
    "      --buffer-size MIB     the kernel capture ring (default: libpcap's)\n"
    "      --promisc             promiscuous mode (off by default)\n"
    "  -w PATTERN                also keep the raw packets in pcap files named by "
    "strftime(PATTERN)\n"
    "  -G SECONDS                with -w, start a new file every SECONDS\n"
    "  -C MIB                    with -w, start a new file after MIB mebibytes (numbered)\n"
    "      --tz ZONE             the history's time zone if it is created now (default UTC)\n"
    "      --fingerprints FILE   extra fingerprint rules, tried before the built-in ones\n"
    "  -h, --help                this text\n"
    "\n"
    "Exit status: 0 stopped by a signal after a clean flush; 1 capture or history failed;\n"
    "2 usage error.\n";

static volatile sig_atomic_t stop_requested, reopen_requested;
static live_t *live_for_signals;

static void on_signal(int sig)
{
    if (sig == SIGHUP)
        reopen_requested = 1;
    else
        stop_requested = 1;
    live_break(live_for_signals);
}

struct capture_ctx {
    struct classifier classifier;
    struct agg_feed *feed;
    int32_t day;
    bool new_day;
};

static void on_frame(void *ctx, const struct frame *f)
{
    struct capture_ctx *c = ctx;
    struct packet p;
    decode_frame(&p, f->linktype, f->data, f->caplen, f->wirelen, f->ts_ns);
    classify_packet(&c->classifier, &p);
    int32_t day = dayclock_day(&c->feed->clock, p.ts_ns);
    if (day != c->day) {
        if (c->day != INT32_MIN) c->new_day = true;
        c->day = day;
    }
    agg_feed_packet(c->feed, &p);
}

/* Adds what was counted since the last flush to the history in one transaction. When that
 * fails the counts are kept and tried again at the next flush: nothing is half-written. */
static int flush(store_t *st, int64_t sensor, struct capture_ctx *c, live_t *live,
                 const fprules_t *rules)
{
    char errbuf[SL_ERRBUF_SIZE];
    agg_t *agg = agg_feed_take(c->feed);
    if (!agg) {
        fprintf(stderr, "scanlens: out of memory\n");
        return -1;
    }
    struct live_stats ls = {0, 0, 0};
    live_stats(live, &ls, errbuf);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int rc = store_begin(st, errbuf);
    if (rc == SL_OK) rc = st->ops->add_agg(st, sensor, agg, rules, errbuf);
    if (rc == SL_OK)
        rc = st->ops->add_capture_stats(st, sensor, (int64_t)now.tv_sec * 1000000000 + now.tv_nsec,
                                        ls.received, ls.dropped_kernel, ls.dropped_interface,
                                        errbuf);
    if (rc == SL_OK) rc = store_commit(st, errbuf);
    fprintf(stderr,
            "scanlens: capture: %llu packets received, %llu dropped by the kernel, %llu by "
            "the interface; %zu source-day records %s\n",
            (unsigned long long)ls.received, (unsigned long long)ls.dropped_kernel,
            (unsigned long long)ls.dropped_interface, agg_records(agg),
            rc == SL_OK ? "written" : "kept for the next try");
    if (rc != SL_OK) {
        store_rollback(st);
        fprintf(stderr, "scanlens: %s\n", errbuf);
        agg_merge(c->feed->agg, agg); /* keep them: the next flush tries again */
    }
    agg_free(agg);
    return rc == SL_OK ? 0 : 1;
}

int cmd_capture(int argc, char **argv)
{
    static const struct option long_options[] = {
        {"interface", required_argument, NULL, 'i'},
        {"db", required_argument, NULL, OPT_DB},
        {"sensor-name", required_argument, NULL, OPT_SENSOR_NAME},
        {"sensor", required_argument, NULL, OPT_SENSOR},
        {"flush", required_argument, NULL, OPT_FLUSH},
        {"max-memory", required_argument, NULL, OPT_MAX_MEMORY},
        {"buffer-size", required_argument, NULL, OPT_BUFFER},
        {"promisc", no_argument, NULL, OPT_PROMISC},
        {"tz", required_argument, NULL, OPT_TZ},
        {"fingerprints", required_argument, NULL, OPT_FINGERPRINTS},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct input_options in = {0};
    struct live_options lo = {0};
    const char *db = NULL, *sensor_name = NULL, *tz = NULL;
    long flush_seconds = 60;
    uint64_t max_memory_mib = 0;
    int opt, status = -1;
    char errbuf[SL_ERRBUF_SIZE], *end;
    optind = 1;
    while (status < 0 && (opt = getopt_long(argc, argv, "+i:w:G:C:h", long_options, NULL)) != -1) {
        switch (opt) {
        case 'i':
            lo.interface = optarg;
            break;
        case 'w':
            lo.write_pattern = optarg;
            break;
        case 'G':
            lo.rotate_seconds = (int)strtol(optarg, &end, 10);
            if (*end || lo.rotate_seconds <= 0)
                status = EXIT_USAGE, fprintf(stderr, "scanlens: -G takes seconds\n");
            break;
        case OPT_DB:
            db = optarg;
            break;
        case OPT_SENSOR_NAME:
            sensor_name = optarg;
            break;
        case OPT_FLUSH:
            flush_seconds = strtol(optarg, &end, 10);
            if (*end || flush_seconds <= 0)
                status = EXIT_USAGE, fprintf(stderr, "scanlens: --flush takes seconds\n");
            break;
        case OPT_MAX_MEMORY:
            if (!parse_max_memory(optarg, &max_memory_mib)) status = EXIT_USAGE;
            break;
        case OPT_BUFFER:
            lo.buffer_mib = (int)strtol(optarg, &end, 10);
            if (*end || lo.buffer_mib <= 0)
                status = EXIT_USAGE, fprintf(stderr, "scanlens: --buffer-size takes MiB\n");
            break;
        case OPT_PROMISC:
            lo.promiscuous = true;
            break;
        case OPT_TZ:
            tz = optarg;
            break;
        case 'h':
            fputs(capture_help, stdout);
            status = EXIT_OK;
            break;
        default:
            if (input_option(&in, opt, optarg) <= 0) {
                fputs("Try 'scanlens capture --help'.\n", stderr);
                status = EXIT_USAGE;
            }
        }
    }
    if (status < 0 && (!lo.interface || !db)) {
        fprintf(stderr, "scanlens: capture needs -i IFACE and --db PATH\n");
        status = EXIT_USAGE;
    }
    /* the words after the options are the filter, as with tcpdump */
    char filter[4096] = "";
    for (int i = optind; status < 0 && i < argc; i++) {
        if (strlen(filter) + strlen(argv[i]) + 2 > sizeof filter)
            status = EXIT_USAGE;
        else
            strcat(strcat(filter, i > optind ? " " : ""), argv[i]);
    }
    lo.filter = filter;
    if (status < 0 && tz && dayclock_set_zone(tz, errbuf) != SL_OK) {
        fprintf(stderr, "scanlens: %s\n", errbuf);
        status = EXIT_USAGE;
    }
    fprules_t *rules = NULL;
    store_t *st = NULL;
    live_t *live = NULL;
    int64_t sensor = 0;
    if (status < 0 && !(rules = load_rules(&in))) status = EXIT_USAGE;
    if (status < 0 && (history_open_writer(&st, db, tz, sensor_name ? sensor_name : lo.interface,
                                           &sensor, errbuf) != SL_OK ||
                       live_open(&live, &lo, errbuf) != SL_OK)) {
        fprintf(stderr, "scanlens: %s\n", errbuf);
        status = EXIT_FAILED;
    }
    struct capture_ctx ctx = {.classifier = {.rules = rules, .sensor = &in.sensor},
                              .feed = status < 0 ? agg_feed_new(INT32_MIN, INT32_MAX) : NULL,
                              .day = INT32_MIN};
    if (status < 0 && !ctx.feed) status = EXIT_FAILED;
    if (status < 0) {
        live_for_signals = live;
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
        fprintf(stderr, "scanlens: capturing on %s into %s, flushing every %ld s\n", lo.interface,
                db, flush_seconds);
        time_t next_flush = time(NULL) + flush_seconds;
        bool held_back = false; /* the last write failed: wait for the next interval */
        status = EXIT_OK;
        while (!stop_requested) {
            if (live_dispatch(live, on_frame, &ctx, errbuf) < 0) {
                fprintf(stderr, "scanlens: %s\n", errbuf);
                status = EXIT_FAILED;
                break;
            }
            if (reopen_requested) {
                reopen_requested = 0;
                if (live_reopen_output(live, errbuf) != SL_OK)
                    fprintf(stderr, "scanlens: %s\n", errbuf);
            }
            /* Past --max-memory the records are written at once; after a failed write, not
             * again before the next interval's (the records are kept: no hammering). */
            bool full = max_memory_mib && !held_back &&
                        agg_reckoned_bytes(ctx.feed->agg) >= max_memory_mib << 20;
            if (full)
                fprintf(stderr, "scanlens: capture: --max-memory %llu reached: writing now\n",
                        (unsigned long long)max_memory_mib);
            if (ctx.new_day || full || time(NULL) >= next_flush) {
                bool timed = !full || time(NULL) >= next_flush;
                ctx.new_day = false;
                if (timed) next_flush = time(NULL) + flush_seconds;
                int flushed = flush(st, sensor, &ctx, live, rules);
                if (flushed < 0) {
                    status = EXIT_FAILED;
                    break;
                }
                held_back = flushed != 0;
            }
        }
        if (status == EXIT_OK && flush(st, sensor, &ctx, live, rules) != 0) status = EXIT_FAILED;
        live_for_signals = NULL;
    }
    agg_feed_free(ctx.feed);
    live_close(live);
    store_close(st);
    fprules_free(rules);
    input_options_free(&in);
    return status;
}
