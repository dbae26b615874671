/* The known-scanners list. */
#include "known.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/error.h"

struct known_entry {
    struct prefix net;
    char *org, *label;
};

struct known_list {
    struct known_entry *entry;
    size_t n;
};

static char *field(char **cursor)
{
    char *start = *cursor, *comma = strchr(start, ',');
    if (comma) {
        *comma = '\0';
        *cursor = comma + 1;
    } else {
        *cursor = start + strlen(start);
    }
    while (*start == ' ' || *start == '\t')
        start++;
    char *end = start + strlen(start);
    while (end > start && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
        *--end = '\0';
    return start;
}

int known_list_load(known_list_t **out, const char *path, char *errbuf)
{
    *out = NULL;
    FILE *f = fopen(path, "r");
    if (!f) return sl_error(errbuf, SL_ERR_IO, "%s: cannot open the known-scanners list", path);
    known_list_t *list = calloc(1, sizeof *list);
    char line[1024];
    int line_no = 0, problems = 0;
    while (list && fgets(line, sizeof line, f)) {
        line_no++;
        char *hash = strchr(line, '#');
        if (hash) *hash = '\0';
        char *cursor = line;
        char *cidr = field(&cursor);
        if (!*cidr) continue;
        char *org = field(&cursor), *label = field(&cursor);
        struct known_entry e = {0};
        char err[SL_ERRBUF_SIZE];
        const char *why = NULL;
        if (prefix_parse(&e.net, cidr, err) != SL_OK)
            why = err;
        else if (!*org)
            why = "missing organisation (CIDR,organisation,label)";
        else if (strcmp(label, "research") && strcmp(label, "benign") && strcmp(label, "malicious"))
            why = "label must be research, benign or malicious";
        if (why) {
            if (!problems) sl_error(errbuf, SL_ERR_FORMAT, "%s:%d: %s", path, line_no, why);
            problems++;
            continue;
        }
        struct known_entry *grown = realloc(list->entry, (list->n + 1) * sizeof *grown);
        if (!grown) break;
        list->entry = grown;
        e.org = strdup(org);
        e.label = strdup(label);
        list->entry[list->n++] = e;
    }
    fclose(f);
    if (!list) return sl_error(errbuf, SL_ERR_NOMEM, "out of memory");
    if (problems) {
        known_list_free(list);
        return problems;
    }
    *out = list;
    return 0;
}

void known_list_free(known_list_t *list)
{
    if (!list) return;
    for (size_t i = 0; i < list->n; i++) {
        free(list->entry[i].org);
        free(list->entry[i].label);
    }
    free(list->entry);
    free(list);
}

int known_list_find(const known_list_t *list, const struct ipaddr *addr)
{
    int best = -1;
    unsigned best_bits = 0;
    for (size_t i = 0; list && i < list->n; i++) {
        const struct prefix *p = &list->entry[i].net;
        if (prefix_contains(p, addr) && (best < 0 || p->bits > best_bits)) {
            best = (int)i;
            best_bits = p->bits;
        }
    }
    return best;
}

const char *known_list_org(const known_list_t *list, int entry)
{
    return entry >= 0 ? list->entry[entry].org : "";
}

const char *known_list_label(const known_list_t *list, int entry)
{
    return entry >= 0 ? list->entry[entry].label : "";
}

size_t known_list_count(const known_list_t *list)
{
    return list ? list->n : 0;
}
