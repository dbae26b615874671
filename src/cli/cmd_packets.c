/* scanlens packets: one line per packet with its kind, tool and matching rule, to check a
 * figure by hand or feed another pipeline. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../report/packet_writer.h"
#include "commands.h"
#include "options.h"
#include "scan.h"

static const char packets_help[] =
    "usage: scanlens packets [OPTIONS] FILE...\n"
    "       scanlens packets [OPTIONS] -r FILE [-r FILE...] [FILTER EXPRESSION]\n"
    "\n"
    "Prints one verdict per packet: time, addresses, ports, flags, header fields, whether it\n"
    "decoded, its kind (syn, udp, icmp-echo, backscatter, sensor, other), the tool whose\n"
    "fingerprint it carries and the rule that matched. The tool is the packet's own match;\n"
    "`analyze` decides a source's tool from all of its packets.\n"
    "\n"
    "      --format csv|jsonl    output format (default csv)\n"
    "  -r, --read FILE           read FILE; then the words after the options are a BPF filter\n"
    "      --filter EXPR         BPF filter expression (tcpdump syntax)\n"
    "      --sensor CIDR         the sensor's own addresses (repeatable)\n"
    "      --fingerprints FILE   extra fingerprint rules, tried before the built-in ones\n"
    "      --no-builtin-fingerprints  use only the --fingerprints files\n"
    "  -h, --help                this text\n"
    "\n"
    "Exit status: 0 ok; 1 nothing could be read; 2 usage error; 3 some input was damaged.\n";

struct packets_ctx {
    const struct packet_writer *writer;
    const fprules_t *rules;
};

static void print_packet(void *ctx, struct packet *p)
{
    struct packets_ctx *c = ctx;
    c->writer->write(stdout, p, c->rules);
}

int cmd_packets(int argc, char **argv)
{
    static const struct option long_options[] = {
        INPUT_LONG_OPTIONS,
        {"format", required_argument, NULL, OPT_FORMAT},
        {NULL, 0, NULL, 0},
    };
    struct input_options in = {0};
    struct packets_ctx ctx = {.writer = packet_writer_find("csv")};
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "+r:qh", long_options, NULL)) != -1) {
        int handled = input_option(&in, opt, optarg);
        if (handled < 0) goto usage_error;
        if (handled) continue;
        switch (opt) {
        case OPT_FORMAT:
            ctx.writer = packet_writer_find(optarg);
            if (!ctx.writer) {
                fprintf(stderr, "scanlens: --format takes csv or jsonl, not '%s'\n", optarg);
                goto usage_error;
            }
            break;
        case 'h':
            fputs(packets_help, stdout);
            input_options_free(&in);
            return EXIT_OK;
        default:
            fputs("Try 'scanlens packets --help'.\n", stderr);
            goto usage_error;
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
    ctx.rules = rules;
    struct classifier classifier = {.rules = rules, .sensor = &in.sensor};
    struct file_result *results = calloc(in.n_files, sizeof *results);
    int status = EXIT_OK;
    if (!results) {
        fprintf(stderr, "scanlens: out of memory\n");
        status = EXIT_FAILED;
    } else {
        ctx.writer->header(stdout);
        struct scan_job job = {
            .paths = in.files,
            .n_paths = in.n_files,
            .filter = filter,
            .classifier = &classifier,
            .on_packet = print_packet,
            .ctx = &ctx,
            .diag = stderr,
            .progress = false,
            .results = results,
        };
        struct scan_outcome outcome = scan_files(&job);
        status = scan_exit_status(&outcome, in.n_files);
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "scanlens: writing the output failed\n");
        status = EXIT_FAILED;
    }
    free(results);
    fprules_free(rules);
    bpf_set_close(filter);
    input_options_free(&in);
    return status;

usage_error:
    input_options_free(&in);
    return EXIT_USAGE;
}
