/* The fingerprint rule set: made, freed, indexed, matched against packets, and asked about.
 * Parsing is in fprules_parse.c. */
#include "fprules.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../decode/decode.h"
#include "fprules_impl.h"

/* ---- the rule set ------------------------------------------------------------------------ */

fprules_t *fprules_new(void)
{
    fprules_t *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->tool_name[0] = strdup("unknown");
    r->n_tools = 1;
    return r;
}

void fprules_free(fprules_t *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->n_rules; i++) {
        free(r->rule[i].name);
        free(r->rule[i].text);
        free(r->rule[i].origin);
    }
    for (size_t i = 0; i < r->n_tools; i++)
        free(r->tool_name[i]);
    free(r->rule);
    free(r);
}

int fprules_tool_id(const fprules_t *r, const char *name)
{
    for (size_t i = 0; i < r->n_tools; i++)
        if (strcmp(r->tool_name[i], name) == 0) return (int)i;
    return -1;
}

/* ---- the index of candidate rules -------------------------------------------------------- */

/* Whether the rule's conditions on `field` (none: all) let value v through. */
static bool field_allows(const struct fp_rule *rule, int field, uint32_t v)
{
    for (int i = 0; i < rule->n_numeric; i++) {
        const struct fp_numeric *c = &rule->numeric[i];
        if (c->field != field) continue;
        bool in = false;
        for (int k = 0; k < c->n_ranges && !in; k++)
            in = v >= c->range[k].lo && v <= c->range[k].hi;
        if (!in) return false;
    }
    return true;
}

void fprules_build_index(fprules_t *r)
{
    struct rule_index *x = &r->index;
    memset(x, 0, sizeof *x);
    x->usable = r->n_rules <= FP_INDEXED_RULES;
    for (size_t i = 0; x->usable && i < r->n_rules; i++) {
        const struct fp_rule *rule = &r->rule[i];
        uint64_t bit = 1ull << i;
        for (uint32_t v = 0; v < 256; v++) {
            if (!rule->proto || rule->proto == v) x->proto[v] |= bit;
            if (field_allows(rule, F_FLAGS, v)) x->flags[v] |= bit;
            if (field_allows(rule, F_TTL, v)) x->ttl[v] |= bit;
            if (v < 2 && field_allows(rule, F_DF, v)) x->df[v] |= bit;
        }
        for (uint32_t len = 0; len <= FP_MAX_OPTS; len++)
            if (!rule->opts_set || rule->opt_len == len) x->opt_len[len] |= bit;
        if (!rule->opts_set && !rule->needs_ts_near) x->opt_len[OPT_LEN_CUT] |= bit;
    }
}

/* ---- matching ---------------------------------------------------------------------------- */

/* Every field a condition can test, read once per packet instead of once per condition. A
 * packet without the timestamp option has tsecr 0. */
static void read_fields(const fprules_t *r, const struct packet *p, uint32_t *v)
{
    uint32_t tsval = 0, tsecr = 0;
    if (r->reads_tsecr) packet_tcp_timestamp(p, &tsval, &tsecr);
    v[F_TTL] = p->ttl;
    v[F_WIN] = p->window;
    v[F_SPORT] = p->sport;
    v[F_DPORT] = p->dport;
    v[F_IPID] = p->ip_id;
    v[F_PAYLOAD] = p->payload_len;
    v[F_DF] = p->df;
    v[F_IPLEN] = p->ip_len;
    v[F_ACK] = p->ack;
    v[F_SEQ] = p->seq;
    v[F_TSECR] = tsecr;
    v[F_FLAGS] = p->tcp_flags;
    v[F_ICMP_TYPE] = p->icmp_type;
    v[F_ICMP_CODE] = p->icmp_code;
    v[F_ICMP_ID] = p->icmp_id;
    v[F_ICMP_SEQ] = p->icmp_seq;
}

static bool numeric_holds(const struct fp_numeric *c, const uint32_t *fields)
{
    uint32_t v = fields[c->field];
    for (int i = 0; i < c->n_ranges; i++)
        if (v >= c->range[i].lo && v <= c->range[i].hi) return true;
    return false;
}

static bool rule_holds(const struct fp_rule *rule, const struct packet *p, const uint32_t *fields)
{
    if (rule->proto && rule->proto != p->proto) return false;
    if (rule->ipid_masscan &&
        (p->ip_version != 4 || p->ip_id != (uint16_t)((p->dst4 ^ p->dport ^ p->seq) & 0xFFFF)))
        return false;
    if (rule->seq_is_dst && (p->ip_version != 4 || p->seq != p->dst4)) return false;
    for (int i = 0; i < rule->n_numeric; i++)
        if (!numeric_holds(&rule->numeric[i], fields)) return false;
    if (rule->opts_set) {
        if (p->opts_cut || p->opt_len != rule->opt_len) return false;
        for (int i = 0; i < rule->opt_len; i++)
            if ((p->opts[i] & rule->opt_mask[i]) != rule->opt_bytes[i]) return false;
    }
    if (rule->needs_ts_near) {
        uint32_t tsval, tsecr;
        if (!packet_tcp_timestamp(p, &tsval, &tsecr)) return false;
        int64_t now = p->ts_ns / 1000000000;
        int64_t diff = (int64_t)tsval - now;
        if (diff < -(int64_t)rule->ts_window || diff > (int64_t)rule->ts_window) return false;
    }
    return true;
}

/* Gives the packet rule i's tool if the rule holds. */
static bool try_rule(const fprules_t *r, size_t i, struct packet *p, const uint32_t *fields)
{
    if (!rule_holds(&r->rule[i], p, fields)) return false;
    p->tool = r->rule[i].tool;
    p->rule = (int16_t)i;
    return true;
}

void fprules_match(const fprules_t *r, struct packet *p)
{
    uint32_t fields[F_FIELD_COUNT];
    p->tool = TOOL_UNKNOWN;
    p->rule = -1;
    const struct rule_index *x = &r->index;
    if (!x->usable) { /* past FP_INDEXED_RULES rules: each in turn */
        read_fields(r, p, fields);
        for (size_t i = 0; i < r->n_rules; i++)
            if (try_rule(r, i, p, fields)) return;
        return;
    }
    size_t opt_len = p->opts_cut                ? OPT_LEN_CUT
                     : p->opt_len < FP_MAX_OPTS ? p->opt_len
                                                : FP_MAX_OPTS;
    uint64_t candidates = x->proto[p->proto] & x->df[p->df ? 1 : 0] & x->flags[p->tcp_flags] &
                          x->ttl[p->ttl] & x->opt_len[opt_len];
    if (candidates) read_fields(r, p, fields);
    for (; candidates; candidates &= candidates - 1)
        if (try_rule(r, (size_t)__builtin_ctzll(candidates), p, fields)) return;
}

size_t fprules_count(const fprules_t *r)
{
    return r->n_rules;
}

const char *fprules_rule_name(const fprules_t *r, int i)
{
    return i >= 0 && (size_t)i < r->n_rules ? r->rule[i].name : "";
}

const char *fprules_rule_text(const fprules_t *r, int i)
{
    return i >= 0 && (size_t)i < r->n_rules ? r->rule[i].text : "";
}

const char *fprules_rule_origin(const fprules_t *r, int i)
{
    return i >= 0 && (size_t)i < r->n_rules ? r->rule[i].origin : "";
}

int fprules_rule_tool(const fprules_t *r, int i)
{
    return i >= 0 && (size_t)i < r->n_rules ? r->rule[i].tool : TOOL_UNKNOWN;
}

uint32_t fprules_rule_min_packets(const fprules_t *r, int i)
{
    return i >= 0 && (size_t)i < r->n_rules ? r->rule[i].min_packets : 1;
}

size_t fprules_tool_count(const fprules_t *r)
{
    return r->n_tools;
}

const char *fprules_tool_name(const fprules_t *r, int tool)
{
    return tool >= 0 && (size_t)tool < r->n_tools ? r->tool_name[tool] : "unknown";
}
