/* Inside the fingerprint rules (classify/fprules*.c): the compiled form of a rule, the rule
 * set and its index, shared by the parser (fprules_parse.c) and the matcher (fprules.c). Not
 * for use outside classify/. */
#ifndef SCANLENS_FPRULES_IMPL_H
#define SCANLENS_FPRULES_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fprules.h"

#define FP_MAX_RANGES 8
#define FP_MAX_NUMERIC 16
#define FP_MAX_OPTS 40

enum fp_field {
    F_TTL,
    F_WIN,
    F_SPORT,
    F_DPORT,
    F_IPID,
    F_PAYLOAD,
    F_DF,
    F_IPLEN,
    F_ACK,
    F_SEQ,
    F_TSECR,
    F_FLAGS,
    F_ICMP_TYPE,
    F_ICMP_CODE,
    F_ICMP_ID,
    F_ICMP_SEQ,
    F_FIELD_COUNT
};

struct fp_numeric {
    uint8_t field;
    uint8_t n_ranges;
    struct {
        uint32_t lo, hi;
    } range[FP_MAX_RANGES];
};

struct fp_rule {
    char *name, *text, *origin;
    int line;
    uint8_t tool;
    uint32_t min_packets;
    uint8_t proto; /* 0: any */
    uint8_t n_numeric;
    struct fp_numeric numeric[FP_MAX_NUMERIC];
    bool ipid_masscan; /* ip.id == (dst ^ dport ^ seq) & 0xffff */
    bool seq_is_dst;   /* tcp.seq == ip.dst */
    bool needs_ts_near;
    uint32_t ts_window; /* |tsval - capture seconds| <= ts_window */
    bool opts_set;
    uint8_t opt_len;
    uint8_t opt_bytes[FP_MAX_OPTS], opt_mask[FP_MAX_OPTS];
};

/* Which rules a packet can still match, from fields with few values: one lookup a field,
 * ANDed, leaves the candidates (bit i: rule i), which are then tried in order. Most probes
 * match no rule, and most of those are turned away here without trying any. The index only
 * prunes: a candidate is still tried whole. Built for up to 64 rules; past that every rule is
 * tried. */
#define FP_INDEXED_RULES 64
#define OPT_LEN_CUT (FP_MAX_OPTS + 1) /* opt_len slot of packets whose options were cut */

struct rule_index {
    bool usable;
    uint64_t proto[256], df[2], flags[256], ttl[256], opt_len[FP_MAX_OPTS + 2];
};

struct fprules {
    struct fp_rule *rule;
    size_t n_rules, cap_rules;
    char *tool_name[FP_MAX_TOOLS];
    size_t n_tools;
    struct rule_index index;
    bool reads_tsecr; /* a rule tests tsecr: read_fields looks for the timestamp */
};

/* Builds r->index from the rules (after parsing). */
void fprules_build_index(fprules_t *r);

#endif
