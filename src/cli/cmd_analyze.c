/* scanlens analyze: captures in; the headline figures on the terminal; with -o DIR the full
 * report (report.html, figures as SVG, daily.csv, ports.csv, sources.csv, summary.json). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "agg_feed.h"
#include "commands.h"
#include "debug_trace.h"
#include "report_options.h"
#include "scan.h"

static const char analyze_help[] =
    "usage: scanlens analyze [OPTIONS] FILE...\n"
    "       scanlens analyze [OPTIONS] -r FILE [-r FILE...] [FILTER EXPRESSION]\n"
    "\n"
    "Reads pcap or pcapng captures (plain or compressed with gzip, zstd, xz or bzip2; - for\n"
    "stdin), recognises the tool behind every probe and prints SYN probes in all and per\n"
    "tool, with backscatter, reflection and the sensor's own packets set aside.\n"
    "\n"
    "Input:\n"
    "  -r, --read FILE           read FILE; then the words after the options are a BPF filter\n"
    "      --filter EXPR         BPF filter expression (tcpdump syntax)\n"
    "      --sensor CIDR         the sensor's own addresses (repeatable); inferred if not given\n"
    "      --fingerprints FILE   extra fingerprint rules, tried before the built-in ones\n"
    "      --no-builtin-fingerprints  use only the --fingerprints files\n"
    "  -j, --jobs N              read, judge and count with N threads (default: 1)\n"
    "  -q, --quiet               no progress line\n";

static const char analyze_help_end[] =
    "  -h, --help                this text\n"
    "\n"
    "Exit status: 0 ok; 1 nothing could be read or written; 2 usage error;\n"
    "3 results written, but some input was damaged (the message names the file) or\n"
    "--max-memory left packets out.\n";

/* The process ends after this command: the kernel takes the aggregate back at once, where
 * freeing millions of records' port and address sets one by one costs a noticeable share of a
 * run (8% of a benchmark month). Sanitizer builds free it, so that leak checking still sees
 * every other leak. */
static void release_at_exit(struct agg_feed *feed)
{
#if defined(__SANITIZE_ADDRESS__)
    agg_feed_free(feed);
#else
    (void)feed;
#endif
}

/* Reads and reports; SCANLENS_DEBUG in the environment prints where time and memory go. */
static int run(struct input_options *in, struct report_options *ro, const fprules_t *rules,
               bpf_set_t *filter, const known_list_t *known)
{
    struct classifier classifier = {.rules = rules, .sensor = &in->sensor};
    struct agg_feed *feed = agg_feed_new(ro->from_day, ro->to_day);
    uint64_t max_memory_mib = ro->settings.max_memory_mib;
    if (feed && max_memory_mib) { /* each reading thread keeps its share */
        agg_feed_limit(feed, (max_memory_mib << 20) / (in->jobs > 1 ? in->jobs : 1));
    }
    struct file_result *results = calloc(in->n_files, sizeof *results);
    if (!feed || !results) {
        fprintf(stderr, "scanlens: out of memory\n");
        free(results);
        agg_feed_free(feed);
        return EXIT_FAILED;
    }
    struct scan_job job = agg_feed_scan_job(feed, in, filter, &classifier);
    job.paths = in->files;
    job.n_paths = in->n_files;
    job.results = results;
    debug_trace("reading %zu file%s", in->n_files, in->n_files == 1 ? "" : "s");
    struct scan_outcome outcome = scan_files(&job);
    agg_feed_flush(feed);
    agg_drop_index(feed->agg);
    if (debug_enabled()) { /* the aggregate's size is counted over every record */
        size_t records = agg_records(feed->agg);
        double bytes = (double)agg_memory_bytes(feed->agg);
        debug_trace("read: %zu records, %.0f MB of aggregate (%.0f B a record on average)", records,
                    bytes / 1e6, records ? bytes / (double)records : 0.0);
    }
    int status = scan_exit_status(&outcome, in->n_files);
    if (agg_dropped(feed->agg))
        fprintf(stderr, "scanlens: out of memory: %llu packets could not be counted\n",
                (unsigned long long)agg_dropped(feed->agg));
    if (feed->outside_period)
        fprintf(stderr, "scanlens: %llu packets fell outside --from/--to and were skipped\n",
                (unsigned long long)feed->outside_period);
    bool capped = report_options_cap_reached(ro, feed->agg, NULL);
    ro->analysis.verdict.threads = in->jobs;
    if (status != EXIT_FAILED) {
        int reported =
            produce_report(ro, feed->agg, rules, known, results, in->n_files, &in->sensor, NULL);
        if (reported != EXIT_OK)
            status = reported;
        else if (agg_dropped(feed->agg) || capped)
            status = EXIT_PARTIAL;
        debug_trace("reported");
    }
    free(results);
    release_at_exit(feed);
    return status;
}

int cmd_analyze(int argc, char **argv)
{
    static const struct option long_options[] = {
        INPUT_LONG_OPTIONS, JOBS_LONG_OPTION, REPORT_LONG_OPTIONS, {NULL, 0, NULL, 0}};
    struct input_options in = {0};
    struct report_options *ro = calloc(1, sizeof *ro);
    if (!ro) return EXIT_FAILED;
    report_options_init(ro);
    int status = -1, opt;
    optind = 1;
    while (status < 0 && (opt = getopt_long(argc, argv, "+r:o:j:qh", long_options, NULL)) != -1) {
        int handled = input_option(&in, opt, optarg);
        if (!handled) handled = report_option(ro, opt, optarg);
        if (handled < 0) status = EXIT_USAGE;
        if (handled) continue;
        if (opt == 'h') {
            printf("%s%s%s", analyze_help, report_options_help, analyze_help_end);
            status = EXIT_OK;
        } else {
            fputs("Try 'scanlens analyze --help'.\n", stderr);
            status = EXIT_USAGE;
        }
    }
    if (status < 0 &&
        (report_options_finish(ro) != 0 || input_finish(&in, argc, argv, optind) != 0))
        status = EXIT_USAGE;
    char errbuf[SL_ERRBUF_SIZE];
    bpf_set_t *filter = NULL;
    fprules_t *rules = NULL;
    known_list_t *known = NULL;
    if (status < 0 && bpf_set_open(&filter, in.filter, errbuf) != SL_OK) {
        fprintf(stderr, "scanlens: %s\n", errbuf);
        status = EXIT_USAGE;
    }
    if (status < 0 && ro->known_path && known_list_load(&known, ro->known_path, errbuf) != 0) {
        fprintf(stderr, "scanlens: %s\n", errbuf);
        status = EXIT_USAGE;
    }
    if (status < 0 && !(rules = load_rules(&in))) status = EXIT_USAGE;
    if (status < 0 && report_options_prepare_output(ro) != 0) status = EXIT_FAILED;
    if (status < 0) status = run(&in, ro, rules, filter, known);
    fprules_free(rules);
    known_list_free(known);
    bpf_set_close(filter);
    input_options_free(&in);
    free(ro);
    return status;
}
