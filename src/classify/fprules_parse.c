/* Parser of the fingerprint rules file (docs/fingerprints-format.md). It keeps going after a
 * bad line so that it can report every problem with its line number; nothing here exits. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../decode/decode.h"
#include "fprules_impl.h"

#define FP_FORMAT_VERSION 1 /* the rules file's `version` line */

/* Each field's key in the rules file and its largest value. */
static const struct {
    const char *key;
    uint32_t max;
} field_info[F_FIELD_COUNT] = {
    [F_TTL] = {"ttl", 255},
    [F_WIN] = {"win", 65535},
    [F_SPORT] = {"sport", 65535},
    [F_DPORT] = {"dport", 65535},
    [F_IPID] = {"ipid", 65535},
    [F_PAYLOAD] = {"payload", 65535},
    [F_DF] = {"df", 1},
    [F_IPLEN] = {"iplen", 65535},
    [F_ACK] = {"ack", UINT32_MAX},
    [F_SEQ] = {"seq", UINT32_MAX},
    [F_TSECR] = {"tsecr", UINT32_MAX},
    [F_FLAGS] = {"flags", 255},
    [F_ICMP_TYPE] = {"type", 255},
    [F_ICMP_CODE] = {"code", 255},
    [F_ICMP_ID] = {"icmpid", 65535},
    [F_ICMP_SEQ] = {"icmpseq", 65535},
};

/* ---- problems ---------------------------------------------------------------------------- */

struct diag {
    char **text;
    size_t len;
    int count;
    const char *origin;
};

static void problem(struct diag *d, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void problem(struct diag *d, int line, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    d->count++;
    if (!d->text) return;
    char head[300];
    int n = snprintf(head, sizeof head, "%s:%d: ", d->origin, line);
    size_t add = (size_t)n + strlen(msg) + 1;
    char *grown = realloc(*d->text, d->len + add + 1);
    if (!grown) return;
    *d->text = grown;
    snprintf(grown + d->len, add + 1, "%s%s\n", head, msg);
    d->len += add;
}

/* How rarely a probe meets a condition on each field, most selective first: conditions are
 * tested in this order so that a packet that matches no rule (most of them) is turned away by
 * its first test. The order of ANDed tests does not change what matches. */
static const uint8_t field_rank[F_FIELD_COUNT] = {
    [F_IPID] = 0,       [F_SEQ] = 1,        [F_ACK] = 2,     [F_TSECR] = 3,
    [F_WIN] = 4,        [F_SPORT] = 5,      [F_ICMP_ID] = 6, [F_ICMP_SEQ] = 7,
    [F_PAYLOAD] = 8,    [F_IPLEN] = 9,      [F_TTL] = 10,    [F_DPORT] = 11,
    [F_ICMP_CODE] = 12, [F_ICMP_TYPE] = 13, [F_DF] = 14,     [F_FLAGS] = 15,
};

static void order_conditions(struct fp_rule *rule)
{
    for (int i = 1; i < rule->n_numeric; i++) { /* insertion sort: stable, at most 16 */
        struct fp_numeric c = rule->numeric[i];
        int j = i;
        for (; j > 0 && field_rank[rule->numeric[j - 1].field] > field_rank[c.field]; j--)
            rule->numeric[j] = rule->numeric[j - 1];
        rule->numeric[j] = c;
    }
}

static int intern_tool(fprules_t *r, const char *name)
{
    int id = fprules_tool_id(r, name);
    if (id >= 0 || r->n_tools == FP_MAX_TOOLS) return id;
    r->tool_name[r->n_tools] = strdup(name);
    return r->tool_name[r->n_tools] ? (int)r->n_tools++ : -1;
}

/* ---- parsing a rule's conditions ---------------------------------------------------------- */

static bool parse_u32(const char *s, const char *end, uint32_t *out)
{
    if (s == end || !isdigit((unsigned char)*s)) return false;
    uint64_t v = 0;
    for (; s < end; s++) {
        if (!isdigit((unsigned char)*s)) return false;
        v = v * 10 + (uint64_t)(*s - '0');
        if (v > UINT32_MAX) return false;
    }
    *out = (uint32_t)v;
    return true;
}

static bool parse_flags(const char *s, uint32_t *out)
{
    static const char letters[] = "FSRPAUEC"; /* bit order of the TCP flags byte */
    *out = 0;
    if (!*s) return false;
    for (; *s; s++) {
        const char *at = strchr(letters, toupper((unsigned char)*s));
        if (!at) return false;
        *out |= 1u << (at - letters);
    }
    return true;
}

/* "a", "a-b", "nonzero" or comma-separated lists of those. */
static const char *parse_numeric(struct fp_numeric *c, int field, const char *value)
{
    c->field = (uint8_t)field;
    c->n_ranges = 0;
    uint32_t max = field_info[field].max;
    if (field == F_FLAGS) {
        uint32_t flags;
        if (!parse_flags(value, &flags)) return "flags take TCP flag letters (F S R P A U E C)";
        c->range[0].lo = c->range[0].hi = flags;
        c->n_ranges = 1;
        return NULL;
    }
    for (const char *s = value; *s;) {
        const char *end = strchr(s, ',');
        if (!end) end = s + strlen(s);
        if (c->n_ranges == FP_MAX_RANGES) return "too many values in one list (at most 8)";
        uint32_t lo, hi;
        const char *dash = memchr(s, '-', (size_t)(end - s));
        if ((size_t)(end - s) == 7 && strncmp(s, "nonzero", 7) == 0) {
            lo = 1;
            hi = max;
        } else if (dash) {
            if (!parse_u32(s, dash, &lo) || !parse_u32(dash + 1, end, &hi) || lo > hi)
                return "a range is written LOW-HIGH with LOW <= HIGH";
        } else if (parse_u32(s, end, &lo)) {
            hi = lo;
        } else {
            return "expected a number, a range LOW-HIGH, 'nonzero' or a comma-separated list";
        }
        if (hi > max) return "value out of range for this field";
        c->range[c->n_ranges].lo = lo;
        c->range[c->n_ranges].hi = hi;
        c->n_ranges++;
        s = *end ? end + 1 : end;
    }
    return c->n_ranges ? NULL : "empty value";
}

/* Option layouts: none, or comma-separated M<mss>|M*, W<shift>|W*, S, T, N, E. */
static const char *parse_layout(struct fp_rule *rule, const char *value)
{
    rule->opts_set = true;
    rule->opt_len = 0;
    if (strcmp(value, "none") == 0) return NULL;
    uint8_t *b = rule->opt_bytes, *m = rule->opt_mask;
    for (const char *s = value; *s;) {
        const char *end = strchr(s, ',');
        if (!end) end = s + strlen(s);
        size_t need = 0;
        char kind = *s;
        bool any = end - s == 2 && s[1] == '*';
        uint32_t v = 0;
        if ((kind == 'M' || kind == 'W') && !any && !parse_u32(s + 1, end, &v))
            return "M and W take a value or * (M1460, W*)";
        if ((kind == 'M' && v > 65535) || (kind == 'W' && v > 255)) return "option value too large";
        if (strchr("NESTnest", kind) && end - s != 1) return "N, E, S and T take no value";
        switch (kind) {
        case 'M':
            need = 4;
            break;
        case 'W':
            need = 3;
            break;
        case 'S':
            need = 2;
            break;
        case 'T':
            need = 10;
            break;
        case 'N':
        case 'E':
            need = 1;
            break;
        default:
            return "unknown option letter (M W S T N E, or 'none')";
        }
        if (rule->opt_len + need > FP_MAX_OPTS) return "layout longer than 40 bytes";
        size_t at = rule->opt_len;
        memset(m + at, 0xFF, need);
        switch (kind) {
        case 'M':
            b[at] = 2, b[at + 1] = 4, b[at + 2] = (uint8_t)(v >> 8), b[at + 3] = (uint8_t)v;
            if (any) m[at + 2] = m[at + 3] = 0;
            break;
        case 'W':
            b[at] = 3, b[at + 1] = 3, b[at + 2] = (uint8_t)v;
            if (any) m[at + 2] = 0;
            break;
        case 'S':
            b[at] = 4, b[at + 1] = 2;
            break;
        case 'T':
            b[at] = 8, b[at + 1] = 10;
            memset(m + at + 2, 0, 8);
            break;
        case 'N':
            b[at] = 1;
            break;
        case 'E':
            b[at] = 0;
            break;
        }
        rule->opt_len = (uint8_t)(at + need);
        s = *end ? end + 1 : end;
    }
    return NULL;
}

static const char *parse_condition(struct fp_rule *rule, char *token)
{
    char *eq = strchr(token, '=');
    if (!eq) return "a condition is written key=value";
    *eq = '\0';
    const char *key = token, *value = eq + 1;
    if (strcmp(key, "opts") == 0) return parse_layout(rule, value);
    if (strcmp(key, "ipid") == 0 && strcmp(value, "masscan") == 0) {
        rule->ipid_masscan = true;
        return NULL;
    }
    if (strcmp(key, "seq") == 0 && strcmp(value, "dst") == 0) {
        rule->seq_is_dst = true;
        return NULL;
    }
    if (strcmp(key, "tsval") == 0) {
        if (strncmp(value, "now:", 4) != 0 ||
            !parse_u32(value + 4, value + strlen(value), &rule->ts_window))
            return "tsval takes now:SECONDS (the timestamp within SECONDS of capture time)";
        rule->needs_ts_near = true;
        return NULL;
    }
    for (int f = 0; f < F_FIELD_COUNT; f++) {
        if (strcmp(key, field_info[f].key) != 0) continue;
        if (rule->n_numeric == FP_MAX_NUMERIC) return "too many conditions";
        const char *err = parse_numeric(&rule->numeric[rule->n_numeric], f, value);
        if (!err) rule->n_numeric++;
        return err;
    }
    return "unknown condition (see docs/fingerprints-format.md for the list)";
}

static int proto_number(const char *word)
{
    if (strcmp(word, "tcp") == 0) return IPPROTO_NUM_TCP;
    if (strcmp(word, "udp") == 0) return IPPROTO_NUM_UDP;
    if (strcmp(word, "icmp") == 0) return IPPROTO_NUM_ICMP;
    if (strcmp(word, "icmp6") == 0) return IPPROTO_NUM_ICMPV6;
    if (strcmp(word, "any") == 0) return 0;
    return -1;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

static bool valid_name(const char *s)
{
    if (!*s) return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr("-_.+", *s)) return false;
    return true;
}

/* "rule NAME [min=N] = PROTO cond cond ..." */
static void parse_rule_line(fprules_t *r, struct diag *d, int line, int tool, char *rest)
{
    char *eq = strchr(rest, '=');
    char *head = rest;
    /* the separator is the first '=' that stands alone, after the name and attributes */
    while (eq && !(eq > head && eq[-1] == ' ' && (eq[1] == ' ' || eq[1] == '\0')))
        eq = strchr(eq + 1, '=');
    if (!eq) {
        problem(d, line, "a rule is written: rule NAME [min=N] = PROTO CONDITION...");
        return;
    }
    *eq = '\0';
    char *conds = trim(eq + 1);
    char *save = NULL;
    char *name = strtok_r(head, " \t", &save);
    if (!name || !valid_name(name)) {
        problem(d, line, "rule name missing or not made of letters, digits and - _ . +");
        return;
    }
    if (tool < 0) {
        problem(d, line, "rule '%s' comes before any [tool] section", name);
        return;
    }
    for (size_t i = 0; i < r->n_rules; i++)
        if (strcmp(r->rule[i].name, name) == 0) {
            problem(d, line, "rule '%s' is defined twice (first at %s:%d)", name, r->rule[i].origin,
                    r->rule[i].line);
            return;
        }
    struct fp_rule rule = {.line = line, .tool = (uint8_t)tool, .min_packets = 1};
    for (char *attr; (attr = strtok_r(NULL, " \t", &save));) {
        if (strncmp(attr, "min=", 4) == 0 &&
            parse_u32(attr + 4, attr + strlen(attr), &rule.min_packets) && rule.min_packets > 0)
            continue;
        problem(d, line, "unknown rule attribute '%s' (only min=N, N >= 1)", attr);
        return;
    }
    char *text = strdup(conds);
    char *csave = NULL;
    char *word = strtok_r(conds, " \t", &csave);
    int proto = word ? proto_number(word) : -1;
    if (proto < 0) {
        problem(d, line, "rule '%s': conditions start with tcp, udp, icmp, icmp6 or any", name);
        free(text);
        return;
    }
    rule.proto = (uint8_t)proto;
    for (char *tok; (tok = strtok_r(NULL, " \t", &csave));) {
        char copy[128];
        snprintf(copy, sizeof copy, "%s", tok);
        const char *err = parse_condition(&rule, tok);
        if (err) {
            problem(d, line, "rule '%s', condition '%s': %s", name, copy, err);
            free(text);
            return;
        }
    }
    if (r->n_rules == r->cap_rules) {
        size_t cap = r->cap_rules ? r->cap_rules * 2 : 32;
        struct fp_rule *grown = realloc(r->rule, cap * sizeof *grown);
        if (!grown) {
            problem(d, line, "out of memory");
            free(text);
            return;
        }
        r->rule = grown;
        r->cap_rules = cap;
    }
    order_conditions(&rule);
    for (int i = 0; i < rule.n_numeric; i++)
        r->reads_tsecr |= rule.numeric[i].field == F_TSECR;
    rule.name = strdup(name);
    rule.text = text;
    rule.origin = strdup(d->origin);
    r->rule[r->n_rules++] = rule;
}

int fprules_parse(fprules_t *r, const char *text, const char *origin, char **errors)
{
    struct diag d = {.text = errors, .origin = origin};
    if (errors) {
        *errors = NULL;
        d.len = 0;
    }
    int tool = -1;
    bool seen_version = false;
    int line_no = 0;
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        line_no++;
        char buf[1024];
        if (len >= sizeof buf) {
            problem(&d, line_no, "line longer than %zu characters", sizeof buf - 1);
            p = nl ? nl + 1 : p + len;
            continue;
        }
        memcpy(buf, p, len);
        buf[len] = '\0';
        p = nl ? nl + 1 : p + len;
        char *hash = strchr(buf, '#');
        if (hash) *hash = '\0';
        char *line = trim(buf);
        if (!*line) continue;
        if (strncmp(line, "version", 7) == 0 && isspace((unsigned char)line[7])) {
            uint32_t v;
            char *num = trim(line + 7);
            if (!parse_u32(num, num + strlen(num), &v) || v != FP_FORMAT_VERSION)
                problem(&d, line_no, "this scanlens reads fingerprint format version %d",
                        FP_FORMAT_VERSION);
            seen_version = true;
        } else if (line[0] == '[') {
            char *close = strchr(line, ']');
            if (!close || close[1] != '\0') {
                problem(&d, line_no, "a section is written [toolname]");
                continue;
            }
            *close = '\0';
            if (!valid_name(line + 1) || strcmp(line + 1, "unknown") == 0) {
                problem(&d, line_no, "'%s' cannot be a tool name", line + 1);
                tool = -1;
                continue;
            }
            tool = intern_tool(r, line + 1);
            if (tool < 0) problem(&d, line_no, "more than %d tools", FP_MAX_TOOLS - 1);
        } else if (strncmp(line, "rule", 4) == 0 && isspace((unsigned char)line[4])) {
            parse_rule_line(r, &d, line_no, tool, trim(line + 4));
        } else {
            problem(&d, line_no, "expected 'version N', '[tool]' or 'rule NAME = ...'");
        }
    }
    if (!seen_version) problem(&d, 1, "missing 'version %d' line", FP_FORMAT_VERSION);
    fprules_build_index(r);
    return d.count;
}

int fprules_load_file(fprules_t *r, const char *path, char **errors)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errors) {
            *errors = NULL;
            size_t n = strlen(path) + 200;
            *errors = malloc(n);
            if (*errors) snprintf(*errors, n, "%s: cannot open: %s\n", path, strerror(errno));
        }
        return 1;
    }
    char *text = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (cap - len < 4096) {
            cap = cap ? cap * 2 : 65536;
            char *grown = realloc(text, cap);
            if (!grown) break;
            text = grown;
        }
        size_t n = fread(text + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0) break;
    }
    fclose(f);
    if (!text) return 1;
    text[len] = '\0';
    int n = fprules_parse(r, text, path, errors);
    free(text);
    return n;
}

int fprules_load_builtin(fprules_t *r, char **errors)
{
    return fprules_parse(r, fprules_builtin_text, "(built-in)fingerprints.conf", errors);
}
