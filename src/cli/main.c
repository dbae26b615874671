/* scanlens: who is scanning, and with what. Dispatches to the subcommands. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "options.h"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"analyze", cmd_analyze, "read captures; print who scanned with what; write reports"},
    {"packets", cmd_packets, "one verdict per packet, as CSV or JSON Lines"},
    {"fingerprints", cmd_fingerprints, "list the fingerprint rules, or check a rules file"},
    {"ingest", cmd_ingest, "add captures to a history (SQLite)"},
    {"report", cmd_report, "the report of any period and sensors, from a history"},
    {"capture", cmd_capture, "watch an interface; keep daily figures in a history"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: scanlens COMMAND [OPTIONS] ...\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-13s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'scanlens COMMAND --help' describes each; 'man scanlens' all of them.\n"
                 "Exit status: 0 ok, 1 failed, 2 usage error, 3 results from damaged input.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return EXIT_OK;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
        printf("scanlens %s\n", SCANLENS_VERSION);
        return EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name)) {
            /* getopt names argv[0] in its messages: "scanlens analyze: option requires ..." */
            static char name[64];
            snprintf(name, sizeof name, "scanlens %s", commands[i].name);
            argv[1] = name;
            return commands[i].run(argc - 1, argv + 1);
        }
    fprintf(stderr, "scanlens: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return EXIT_USAGE;
}
