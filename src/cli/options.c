/* Parsing of the options shared by analyze and packets. */
#include "options.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/error.h"

static int add_file(struct input_options *o, const char *path)
{
    char **grown = realloc(o->files, (o->n_files + 1) * sizeof *grown);
    if (!grown) return -1;
    o->files = grown;
    o->files[o->n_files++] = (char *)path;
    return 0;
}

int input_option(struct input_options *o, int opt, const char *arg)
{
    char errbuf[SL_ERRBUF_SIZE];
    switch (opt) {
    case 'r':
        o->files_from_r = true;
        return add_file(o, arg) == 0 ? 1 : -1;
    case OPT_FILTER:
        free(o->filter);
        o->filter = strdup(arg);
        return 1;
    case OPT_SENSOR:
        if (netset_add(&o->sensor, arg, errbuf) != SL_OK) {
            fprintf(stderr, "scanlens: --sensor: %s\n", errbuf);
            return -1;
        }
        return 1;
    case OPT_FINGERPRINTS:
        if (o->n_fingerprint_files ==
            sizeof o->fingerprint_files / sizeof o->fingerprint_files[0]) {
            fprintf(stderr, "scanlens: too many --fingerprints files\n");
            return -1;
        }
        o->fingerprint_files[o->n_fingerprint_files++] = arg;
        return 1;
    case OPT_NO_BUILTIN:
        o->no_builtin = true;
        return 1;
    case 'q':
        o->quiet = true;
        return 1;
    case 'j': {
        char *end;
        long n = strtol(arg, &end, 10);
        if (*end || end == arg || n < 1 || n > 256) {
            fprintf(stderr, "scanlens: --jobs takes a number of threads from 1 to 256\n");
            return -1;
        }
        o->jobs = (size_t)n;
        return 1;
    }
    default:
        return 0;
    }
}

int input_finish(struct input_options *o, int argc, char **argv, int first)
{
    if (o->files_from_r) {
        /* tcpdump style: every word after the options is part of the filter expression */
        size_t len = 1;
        for (int i = first; i < argc; i++)
            len += strlen(argv[i]) + 1;
        if (first < argc) {
            if (o->filter) {
                fprintf(stderr, "scanlens: give the filter either with --filter or after the "
                                "options, not both\n");
                return -1;
            }
            o->filter = calloc(1, len);
            if (!o->filter) return -1;
            for (int i = first; i < argc; i++) {
                if (i > first) strcat(o->filter, " ");
                strcat(o->filter, argv[i]);
            }
        }
    } else {
        for (int i = first; i < argc; i++)
            if (add_file(o, argv[i]) != 0) return -1;
    }
    if (o->n_files == 0) {
        fprintf(stderr, "scanlens: no capture files given (use FILE... or -r FILE; - is stdin)\n");
        return -1;
    }
    return 0;
}

void input_options_free(struct input_options *o)
{
    free(o->files);
    free(o->filter);
}

fprules_t *load_rules(const struct input_options *o)
{
    fprules_t *rules = fprules_new();
    if (!rules) return NULL;
    int problems = 0;
    char *errors = NULL;
    /* The user's rules come first so that they take precedence over the shipped ones. */
    for (size_t i = 0; i < o->n_fingerprint_files; i++) {
        problems += fprules_load_file(rules, o->fingerprint_files[i], &errors);
        if (errors) fputs(errors, stderr);
        free(errors);
        errors = NULL;
    }
    if (!o->no_builtin) {
        problems += fprules_load_builtin(rules, &errors);
        if (errors) fputs(errors, stderr);
        free(errors);
    }
    if (problems) {
        fprintf(stderr, "scanlens: %d problem%s in the fingerprint rules\n", problems,
                problems == 1 ? "" : "s");
        fprules_free(rules);
        return NULL;
    }
    return rules;
}

bool parse_max_memory(const char *arg, uint64_t *mib)
{
    char *end;
    unsigned long long v = strtoull(arg, &end, 10);
    if (*end || end == arg || arg[0] == '-' || v < 16 || v > (1ull << 30)) {
        fprintf(stderr, "scanlens: --max-memory takes mebibytes, from 16 up\n");
        return false;
    }
    *mib = v;
    return true;
}
