/* scanlens fingerprints: list the rules in use, or check a rules file and report every
 * problem with its line. */
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "options.h"

static const char fingerprints_help[] =
    "usage: scanlens fingerprints [--fingerprints FILE]... [--no-builtin-fingerprints]\n"
    "       scanlens fingerprints --check FILE\n"
    "\n"
    "Lists the fingerprint rules in the order they are tried: name, tool, minimum matches\n"
    "per source, conditions, and where each was defined. --check parses FILE alone and\n"
    "prints every problem as FILE:LINE: message (exit status 2 if there is any).\n"
    "The format is described in docs/fingerprints-format.md and scanlens(1).\n";

static int check_file(const char *path)
{
    fprules_t *rules = fprules_new();
    if (!rules) return EXIT_FAILED;
    char *errors = NULL;
    int problems = fprules_load_file(rules, path, &errors);
    if (errors) fputs(errors, stderr);
    free(errors);
    if (problems == 0)
        printf("%s: %zu rules for %zu tools, no problems\n", path, fprules_count(rules),
               fprules_tool_count(rules) - 1);
    else
        fprintf(stderr, "%s: %d problem%s\n", path, problems, problems == 1 ? "" : "s");
    fprules_free(rules);
    return problems ? EXIT_USAGE : EXIT_OK;
}

int cmd_fingerprints(int argc, char **argv)
{
    static const struct option long_options[] = {
        {"check", required_argument, NULL, OPT_CHECK},
        {"fingerprints", required_argument, NULL, OPT_FINGERPRINTS},
        {"no-builtin-fingerprints", no_argument, NULL, OPT_NO_BUILTIN},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct input_options in = {0};
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "+h", long_options, NULL)) != -1) {
        if (opt == OPT_CHECK) return check_file(optarg);
        if (opt == 'h') {
            fputs(fingerprints_help, stdout);
            return EXIT_OK;
        }
        if (input_option(&in, opt, optarg) <= 0) {
            fputs("Try 'scanlens fingerprints --help'.\n", stderr);
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "scanlens: fingerprints takes no file arguments (did you mean --check?)\n");
        return EXIT_USAGE;
    }
    fprules_t *rules = load_rules(&in);
    if (!rules) return EXIT_USAGE;
    printf("%-22s %-12s %4s  %s\n", "rule", "tool", "min", "conditions");
    for (size_t i = 0; i < fprules_count(rules); i++) {
        int r = (int)i;
        printf("%-22s %-12s %4u  %s  [%s]\n", fprules_rule_name(rules, r),
               fprules_tool_name(rules, fprules_rule_tool(rules, r)),
               fprules_rule_min_packets(rules, r), fprules_rule_text(rules, r),
               fprules_rule_origin(rules, r));
    }
    fprules_free(rules);
    return EXIT_OK;
}
