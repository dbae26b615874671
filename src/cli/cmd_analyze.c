/* scanlens analyze: captures in; the headline figures on the terminal; with -o DIR the full
 * report (report.html, figures as SVG, daily.csv, ports.csv, sources.csv, summary.json). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../aggregate/agg.h"
#include "../report/report.h"
#include "../util/dayclock.h"
#include "analysis_run.h"
#include "commands.h"
#include "options.h"
#include "scan.h"

#define NICTER_DARKNET_ADDRESSES 300000.0
#define MAX_EXCLUSIONS 256

static const char analyze_help[] =
    "usage: scanlens analyze [OPTIONS] FILE...\n"
    "       scanlens analyze [OPTIONS] -r FILE [-r FILE...] [FILTER EXPRESSION]\n"
    "\n"
    "Reads pcap or pcapng captures (plain, .gz or .zst; - for stdin), recognises the tool\n"
    "behind every probe and prints SYN probes in all and per tool, with backscatter,\n"
    "reflection and the sensor's own packets set aside.\n"
    "\n"
    "Input:\n"
    "  -r, --read FILE           read FILE; then the words after the options are a BPF filter\n"
    "      --filter EXPR         BPF filter expression (tcpdump syntax)\n"
    "      --sensor CIDR         the sensor's own addresses (repeatable); inferred if not given\n"
    "      --fingerprints FILE   extra fingerprint rules, tried before the built-in ones\n"
    "      --no-builtin-fingerprints  use only the --fingerprints files\n"
    "Period:\n"
    "      --tz ZONE             day boundaries in ZONE (e.g. Asia/Tokyo; default UTC)\n"
    "      --from DAY, --to DAY  only days DAY (YYYY-MM-DD, inclusive, in --tz)\n"
    "Output:\n"
    "  -o, --output DIR          write report.html, the figures (.svg), daily.csv, ports.csv,\n"
    "                            sources.csv and summary.json into DIR\n"
    "      --compare A,B         figure 3: tool A against B on A's top ports (default zmap,masscan)\n"
    "  -q, --quiet               no progress line\n"
    "Analysis:\n"
    "      --min-consistency X   share of a source's probes its tool must match (default 0.5)\n"
    "      --research-packets N  research-scan rule: packets per day (default 300000)\n"
    "      --research-ports N    research-scan rule: destination ports per day (default 30)\n"
    "      --sensor-size N       addresses the sensor watches: scales --research-packets by\n"
    "                            N / 300000 (NICTER's darknet size)\n"
    "      --known FILE          known scanners: lines of CIDR,organisation,label\n"
    "                            (label: research, benign or malicious)\n"
    "      --exclude-outliers    leave the outliers (see the report) out of every figure\n"
    "      --outlier-share X     outlier: share of its day's SYN probes (default 0.2)\n"
    "      --outlier-factor X    outlier: times the median daily SYN probes (default 3)\n"
    "      --exclude ADDR[@DAY..DAY]  leave a source out (on those days); repeatable\n"
    "  -h, --help                this text\n"
    "\n"
    "Exit status: 0 ok; 1 nothing could be read or written; 2 usage error;\n"
    "3 results written, but some input was damaged (the message names the file).\n";

#define PENDING 64

/* Packets are handed to the aggregate in batches, so that it can fetch their records from
 * memory ahead of use. agg does not read the packets' pointers into the frame, which may be
 * gone by the time a batch is counted. */
struct analyze_ctx {
    agg_t *agg;
    struct dayclock clock;
    int32_t from_day, to_day;
    uint64_t outside_period;
    struct packet pending[PENDING];
    const struct packet *pending_ptr[PENDING];
    int32_t pending_day[PENDING];
    size_t n_pending;
};

static void flush_pending(struct analyze_ctx *a)
{
    agg_add_batch(a->agg, a->pending_ptr, a->pending_day, a->n_pending);
    a->n_pending = 0;
}

static void count_packet(void *ctx, struct packet *p)
{
    struct analyze_ctx *a = ctx;
    if (p->status != PKT_OK) {
        agg_add_undecoded(a->agg, p->status);
        return;
    }
    int32_t day = dayclock_day(&a->clock, p->ts_ns);
    if (day < a->from_day || day > a->to_day) {
        a->outside_period++;
        return;
    }
    a->pending[a->n_pending] = *p;
    a->pending_ptr[a->n_pending] = &a->pending[a->n_pending];
    a->pending_day[a->n_pending] = day;
    if (++a->n_pending == PENDING) flush_pending(a);
}

struct analyze_args {
    struct input_options in;
    struct analysis_options analysis;
    struct report_settings settings;
    const char *out_dir, *known_path;
    struct exclusion exclusions[MAX_EXCLUSIONS];
    int32_t from_day, to_day;
    double sensor_size;
};

static bool parse_number(const char *text, double min, double max, double *out)
{
    char *end;
    double v = strtod(text, &end);
    if (*end || end == text || !(v >= min && v <= max)) return false;
    *out = v;
    return true;
}

/* Returns -1 to go on, or an exit status. */
static int parse_args(struct analyze_args *a, int argc, char **argv)
{
    static const struct option long_options[] = {
        INPUT_LONG_OPTIONS,
        {"output", required_argument, NULL, 'o'},
        {"min-consistency", required_argument, NULL, OPT_MIN_CONSISTENCY},
        {"tz", required_argument, NULL, OPT_TZ},
        {"from", required_argument, NULL, OPT_FROM},
        {"to", required_argument, NULL, OPT_TO},
        {"research-packets", required_argument, NULL, OPT_RESEARCH_PACKETS},
        {"research-ports", required_argument, NULL, OPT_RESEARCH_PORTS},
        {"sensor-size", required_argument, NULL, OPT_SENSOR_SIZE},
        {"known", required_argument, NULL, OPT_KNOWN},
        {"exclude-outliers", no_argument, NULL, OPT_EXCLUDE_OUTLIERS},
        {"outlier-share", required_argument, NULL, OPT_OUTLIER_SHARE},
        {"outlier-factor", required_argument, NULL, OPT_OUTLIER_FACTOR},
        {"exclude", required_argument, NULL, OPT_EXCLUDE},
        {"compare", required_argument, NULL, OPT_COMPARE},
        {NULL, 0, NULL, 0},
    };
    char errbuf[SL_ERRBUF_SIZE];
    double research_packets = 300000, research_ports = 30;
    a->settings.time_zone = "UTC";
    a->from_day = INT32_MIN;
    a->to_day = INT32_MAX;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "+r:o:qh", long_options, NULL)) != -1) {
        int handled = input_option(&a->in, opt, optarg);
        if (handled < 0) return EXIT_USAGE;
        if (handled) continue;
        const char *bad = NULL;
        switch (opt) {
        case 'o': a->out_dir = optarg; break;
        case OPT_MIN_CONSISTENCY:
            if (!parse_number(optarg, 1e-9, 1, &a->analysis.verdict.min_consistency))
                bad = "--min-consistency takes a number in (0, 1]";
            break;
        case OPT_TZ:
            if (dayclock_set_zone(optarg, errbuf) != SL_OK) bad = errbuf;
            a->settings.time_zone = optarg;
            break;
        case OPT_FROM:
            if (!parse_day(optarg, &a->from_day)) bad = "--from takes a day as YYYY-MM-DD";
            a->settings.from = optarg;
            break;
        case OPT_TO:
            if (!parse_day(optarg, &a->to_day)) bad = "--to takes a day as YYYY-MM-DD";
            a->settings.to = optarg;
            break;
        case OPT_RESEARCH_PACKETS:
            if (!parse_number(optarg, 1, 1e15, &research_packets)) bad = "--research-packets takes a positive number";
            break;
        case OPT_RESEARCH_PORTS:
            if (!parse_number(optarg, 1, 65536, &research_ports)) bad = "--research-ports takes 1-65536";
            break;
        case OPT_SENSOR_SIZE:
            if (!parse_number(optarg, 1, 1e15, &a->sensor_size)) bad = "--sensor-size takes a number of addresses";
            break;
        case OPT_KNOWN: a->known_path = optarg; break;
        case OPT_EXCLUDE_OUTLIERS: a->analysis.exclude_outliers = true; break;
        case OPT_OUTLIER_SHARE:
            if (!parse_number(optarg, 0, 1, &a->analysis.outliers.min_share)) bad = "--outlier-share takes 0-1";
            break;
        case OPT_OUTLIER_FACTOR:
            if (!parse_number(optarg, 0, 1e9, &a->analysis.outliers.min_factor)) bad = "--outlier-factor takes a number >= 0";
            break;
        case OPT_EXCLUDE:
            if (a->analysis.n_exclusions == MAX_EXCLUSIONS)
                bad = "too many --exclude";
            else if (exclusion_parse(&a->exclusions[a->analysis.n_exclusions], optarg, errbuf) != SL_OK)
                bad = errbuf;
            else
                a->analysis.n_exclusions++;
            break;
        case OPT_COMPARE: a->analysis.compare = optarg; break;
        case 'h': fputs(analyze_help, stdout); return EXIT_OK;
        default: fputs("Try 'scanlens analyze --help'.\n", stderr); return EXIT_USAGE;
        }
        if (bad) {
            fprintf(stderr, "scanlens: %s\n", bad);
            return EXIT_USAGE;
        }
    }
    if (a->from_day > a->to_day) {
        fprintf(stderr, "scanlens: --from is after --to\n");
        return EXIT_USAGE;
    }
    if (input_finish(&a->in, argc, argv, optind) != 0) return EXIT_USAGE;
    if (a->sensor_size) research_packets = ceil(research_packets * a->sensor_size / NICTER_DARKNET_ADDRESSES);
    a->analysis.verdict.research_min_packets = (uint64_t)research_packets;
    a->analysis.verdict.research_min_ports = (uint32_t)research_ports;
    a->analysis.exclusions = a->exclusions;
    a->settings.research_min_packets = (uint64_t)research_packets;
    a->settings.research_min_ports = (uint32_t)research_ports;
    a->settings.sensor_size = (uint64_t)a->sensor_size;
    a->settings.outliers_excluded = a->analysis.exclude_outliers;
    a->settings.manual_exclusions = a->analysis.n_exclusions;
    a->settings.outlier_share = a->analysis.outliers.min_share;
    a->settings.outlier_factor = a->analysis.outliers.min_factor;
    return -1;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double seconds_since(double t0)
{
    return now_seconds() - t0;
}

/* Reads, analyses, reports; returns the exit status. SCANLENS_DEBUG in the environment prints
 * where the time and memory go. */
static int run(struct analyze_args *a, const fprules_t *rules, bpf_set_t *filter,
               known_list_t *known)
{
    char errbuf[SL_ERRBUF_SIZE];
    struct classifier classifier = {.rules = rules, .sensor = &a->in.sensor};
    struct analyze_ctx *ctx = calloc(1, sizeof *ctx); /* large: the pending batch */
    if (!ctx) return EXIT_FAILED;
    ctx->agg = agg_new();
    ctx->from_day = a->from_day;
    ctx->to_day = a->to_day;
    dayclock_init(&ctx->clock);
    struct file_result *results = calloc(a->in.n_files, sizeof *results);
    if (!ctx->agg || !results) {
        fprintf(stderr, "scanlens: out of memory\n");
        free(results);
        agg_free(ctx->agg);
        free(ctx);
        return EXIT_FAILED;
    }
    struct scan_job job = {
        .paths = a->in.files, .n_paths = a->in.n_files, .filter = filter,
        .classifier = &classifier, .on_packet = count_packet, .ctx = ctx, .diag = stderr,
        .progress = !a->in.quiet && isatty(STDERR_FILENO), .results = results,
    };
    double t0 = now_seconds();
    struct scan_outcome outcome = scan_files(&job);
    flush_pending(ctx);
    bool debug = getenv("SCANLENS_DEBUG") != NULL;
    if (debug)
        fprintf(stderr, "debug: read in %.2f s: %zu records, %.0f MB of aggregate (%zu B a record)\n",
                seconds_since(t0), agg_records(ctx->agg), agg_memory_bytes(ctx->agg) / 1e6,
                sizeof(struct src_day));
    int status = scan_exit_status(&outcome, a->in.n_files);
    if (agg_dropped(ctx->agg))
        fprintf(stderr, "scanlens: out of memory: %llu packets could not be counted\n",
                (unsigned long long)agg_dropped(ctx->agg));
    if (ctx->outside_period)
        fprintf(stderr, "scanlens: %llu packets fell outside --from/--to and were skipped\n",
                (unsigned long long)ctx->outside_period);
    a->analysis.verdict.sensor = &a->in.sensor;
    a->analysis.verdict.known = known;
    struct analysis_result res;
    if (status != EXIT_FAILED && analysis_run(&res, ctx->agg, rules, &a->analysis, errbuf) != SL_OK) {
        fprintf(stderr, "scanlens: %s\n", errbuf);
        status = EXIT_FAILED;
    } else if (status != EXIT_FAILED) {
        if (debug) fprintf(stderr, "debug: analysed at %.2f s\n", seconds_since(t0));
        a->settings.compare_a = res.compare_a;
        a->settings.compare_b = res.compare_b;
        struct report_input rin = {
            .an = &res.an, .agg = ctx->agg, .rules = rules, .files = results,
            .n_files = a->in.n_files, .sensor = &a->in.sensor, .version = SCANLENS_VERSION,
            .fig = &res.fig, .outliers = res.outliers, .n_outliers = res.n_outliers,
            .known = known, .settings = &a->settings,
        };
        report_write_text(stdout, &rin);
        if (a->out_dir && report_write_dir(a->out_dir, &rin, errbuf) != SL_OK) {
            fprintf(stderr, "scanlens: %s\n", errbuf);
            status = EXIT_FAILED;
        }
        if (status == EXIT_OK && agg_dropped(ctx->agg)) status = EXIT_PARTIAL;
        if (debug) fprintf(stderr, "debug: reported at %.2f s\n", seconds_since(t0));
        analysis_result_free(&res);
    }
    if (fflush(stdout) != 0) status = EXIT_FAILED;
    free(results);
    agg_free(ctx->agg);
    free(ctx);
    return status;
}

int cmd_analyze(int argc, char **argv)
{
    struct analyze_args *a = calloc(1, sizeof *a);
    if (!a) return EXIT_FAILED;
    analysis_options_defaults(&a->analysis);
    int status = parse_args(a, argc, argv);
    char errbuf[SL_ERRBUF_SIZE];
    bpf_set_t *filter = NULL;
    fprules_t *rules = NULL;
    known_list_t *known = NULL;
    if (status < 0 && bpf_set_open(&filter, a->in.filter, errbuf) != SL_OK) {
        fprintf(stderr, "scanlens: %s\n", errbuf);
        status = EXIT_USAGE;
    }
    if (status < 0 && a->known_path && known_list_load(&known, a->known_path, errbuf) != 0) {
        fprintf(stderr, "scanlens: %s\n", errbuf);
        status = EXIT_USAGE;
    }
    if (status < 0 && !(rules = load_rules(&a->in))) status = EXIT_USAGE;
    if (status < 0) status = run(a, rules, filter, known);
    fprules_free(rules);
    known_list_free(known);
    bpf_set_close(filter);
    input_options_free(&a->in);
    free(a);
    return status;
}
