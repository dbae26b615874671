/* scanlens analyze: captures in, headline figures out (terminal, and files with -o DIR). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../aggregate/agg.h"
#include "../aggregate/verdict.h"
#include "../report/report.h"
#include "../util/timefmt.h"
#include "commands.h"
#include "options.h"
#include "scan.h"

static const char analyze_help[] =
    "usage: scanlens analyze [OPTIONS] FILE...\n"
    "       scanlens analyze [OPTIONS] -r FILE [-r FILE...] [FILTER EXPRESSION]\n"
    "\n"
    "Reads pcap or pcapng captures (plain, .gz or .zst; - for stdin), recognises the tool\n"
    "behind every probe and prints SYN probes in all and per tool, with backscatter,\n"
    "reflection and the sensor's own packets set aside.\n"
    "\n"
    "  -o, --output DIR          also write DIR/sources.csv and DIR/summary.json\n"
    "  -r, --read FILE           read FILE; then the words after the options are a BPF filter\n"
    "      --filter EXPR         BPF filter expression (tcpdump syntax)\n"
    "      --sensor CIDR         the sensor's own addresses (repeatable); inferred if not given\n"
    "      --fingerprints FILE   extra fingerprint rules, tried before the built-in ones\n"
    "      --no-builtin-fingerprints  use only the --fingerprints files\n"
    "      --min-consistency X   share of a source's probes its tool must match (default 0.5)\n"
    "  -q, --quiet               no progress line\n"
    "  -h, --help                this text\n"
    "\n"
    "Exit status: 0 ok; 1 nothing could be read or written; 2 usage error;\n"
    "3 results written, but some input was damaged (the message names the file).\n";

struct analyze_ctx {
    agg_t *agg;
};

static void count_packet(void *ctx, struct packet *p)
{
    struct analyze_ctx *a = ctx;
    if (p->status != PKT_OK) {
        agg_add_undecoded(a->agg, p->status);
        return;
    }
    agg_add(a->agg, p, day_of_utc(p->ts_ns));
}

int cmd_analyze(int argc, char **argv)
{
    static const struct option long_options[] = {
        INPUT_LONG_OPTIONS,
        {"output", required_argument, NULL, 'o'},
        {"min-consistency", required_argument, NULL, OPT_MIN_CONSISTENCY},
        {NULL, 0, NULL, 0},
    };
    struct input_options in = {0};
    struct verdict_config vcfg;
    verdict_config_defaults(&vcfg);
    const char *out_dir = NULL;
    int opt, status = EXIT_OK;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "+r:o:qh", long_options, NULL)) != -1) {
        int handled = input_option(&in, opt, optarg);
        if (handled < 0) goto usage_error;
        if (handled) continue;
        char *end;
        switch (opt) {
        case 'o': out_dir = optarg; break;
        case OPT_MIN_CONSISTENCY:
            vcfg.min_consistency = strtod(optarg, &end);
            if (*end || end == optarg || vcfg.min_consistency <= 0 || vcfg.min_consistency > 1) {
                fprintf(stderr, "scanlens: --min-consistency takes a number in (0, 1]\n");
                goto usage_error;
            }
            break;
        case 'h':
            fputs(analyze_help, stdout);
            input_options_free(&in);
            return EXIT_OK;
        default: fputs("Try 'scanlens analyze --help'.\n", stderr); goto usage_error;
        }
    }
    if (input_finish(&in, argc, argv, optind) != 0) goto usage_error;

    char errbuf[SL_ERRBUF_SIZE];
    bpf_set_t *filter = NULL;
    if (bpf_set_open(&filter, in.filter, errbuf) != SL_OK) {
        fprintf(stderr, "scanlens: %s\n", errbuf);
        goto usage_error;
    }
    fprules_t *rules = load_rules(&in);
    if (!rules) {
        bpf_set_close(filter);
        goto usage_error;
    }
    vcfg.sensor = &in.sensor;
    struct classifier classifier = {.rules = rules, .sensor = &in.sensor};
    struct analyze_ctx ctx = {.agg = agg_new()};
    struct file_result *results = calloc(in.n_files, sizeof *results);
    if (!ctx.agg || !results) {
        fprintf(stderr, "scanlens: out of memory\n");
        free(results);
        agg_free(ctx.agg);
        fprules_free(rules);
        bpf_set_close(filter);
        input_options_free(&in);
        return EXIT_FAILED;
    }
    struct scan_job job = {
        .paths = in.files,
        .n_paths = in.n_files,
        .filter = filter,
        .classifier = &classifier,
        .on_packet = count_packet,
        .ctx = &ctx,
        .diag = stderr,
        .progress = !in.quiet && isatty(STDERR_FILENO),
        .results = results,
    };
    struct scan_outcome outcome = scan_files(&job);
    if (agg_dropped(ctx.agg))
        fprintf(stderr, "scanlens: out of memory: %llu packets could not be counted\n",
                (unsigned long long)agg_dropped(ctx.agg));

    struct analysis an;
    if (analysis_build(&an, ctx.agg, rules, &vcfg, errbuf) != SL_OK) {
        fprintf(stderr, "scanlens: %s\n", errbuf);
        status = EXIT_FAILED;
    } else {
        struct report_input rin = {
            .an = &an, .agg = ctx.agg, .rules = rules, .files = results,
            .n_files = in.n_files, .sensor = &in.sensor, .version = SCANLENS_VERSION,
        };
        status = scan_exit_status(&outcome, in.n_files);
        if (status != EXIT_FAILED) {
            report_write_text(stdout, &rin);
            if (out_dir && report_write_dir(out_dir, &rin, errbuf) != SL_OK) {
                fprintf(stderr, "scanlens: %s\n", errbuf);
                status = EXIT_FAILED;
            }
            if (status == EXIT_OK && agg_dropped(ctx.agg)) status = EXIT_PARTIAL;
        }
        analysis_free(&an);
    }
    if (fflush(stdout) != 0) status = EXIT_FAILED;
    free(results);
    agg_free(ctx.agg);
    fprules_free(rules);
    bpf_set_close(filter);
    input_options_free(&in);
    return status;

usage_error:
    input_options_free(&in);
    return EXIT_USAGE;
}
