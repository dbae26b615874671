/* Verdicts, outliers and exclusions, then figures. */
#include "analysis_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/dayclock.h"
#include "../util/error.h"
#include "debug_trace.h"
#include "scan.h"

void analysis_options_defaults(struct analysis_options *o)
{
    memset(o, 0, sizeof *o);
    verdict_config_defaults(&o->verdict);
    o->outliers.min_share = 0.2;
    o->outliers.min_factor = 3.0;
}

int exclusion_parse(struct exclusion *out, const char *text, char *errbuf)
{
    char addr[128];
    const char *at = strchr(text, '@');
    size_t len = at ? (size_t)(at - text) : strlen(text);
    if (len >= sizeof addr)
        return sl_error(errbuf, SL_ERR_USAGE, "--exclude '%s': bad address", text);
    memcpy(addr, text, len);
    addr[len] = '\0';
    if (!ipaddr_parse(addr, &out->addr))
        return sl_error(errbuf, SL_ERR_USAGE, "--exclude '%s': '%s' is not an address", text, addr);
    out->from_day = INT32_MIN;
    out->to_day = INT32_MAX;
    if (!at) return SL_OK;
    const char *range = at + 1, *dots = strstr(range, "..");
    char first[16] = "", last[16] = "";
    if (dots) {
        if ((size_t)(dots - range) >= sizeof first || strlen(dots + 2) >= sizeof last)
            return sl_error(errbuf, SL_ERR_USAGE, "--exclude '%s': days are YYYY-MM-DD", text);
        memcpy(first, range, (size_t)(dots - range));
        strcpy(last, dots + 2);
    } else if (strlen(range) < sizeof first) {
        strcpy(first, range);
        strcpy(last, range);
    }
    if ((*first && !parse_day(first, &out->from_day)) ||
        (*last && !parse_day(last, &out->to_day)) || (!*first && !*last) ||
        out->from_day > out->to_day)
        return sl_error(
            errbuf, SL_ERR_USAGE,
            "--exclude '%s': write ADDR, ADDR@DAY or ADDR@DAY..DAY with YYYY-MM-DD days", text);
    return SL_OK;
}

static void choose_comparison(struct analysis_result *res, const fprules_t *rules, const char *spec)
{
    res->compare_a = res->compare_b = -1;
    if (spec) {
        char a[64] = "", b[64] = "";
        const char *comma = strchr(spec, ',');
        if (comma && (size_t)(comma - spec) < sizeof a && strlen(comma + 1) < sizeof b) {
            memcpy(a, spec, (size_t)(comma - spec));
            strcpy(b, comma + 1);
            res->compare_a = fprules_tool_id(rules, a);
            res->compare_b = fprules_tool_id(rules, b);
        }
        return;
    }
    /* The study's pair when both are present, otherwise the two biggest tools. */
    int zmap = fprules_tool_id(rules, "zmap"), masscan = fprules_tool_id(rules, "masscan");
    if (zmap > 0 && masscan > 0 && res->fig.tool[zmap].syn_packets &&
        res->fig.tool[masscan].syn_packets) {
        res->compare_a = zmap;
        res->compare_b = masscan;
        return;
    }
    for (size_t t = 1; t < res->fig.n_tools; t++) {
        uint64_t syn = res->fig.tool[t].syn_packets;
        if (!syn) continue;
        if (res->compare_a < 0 || syn > res->fig.tool[res->compare_a].syn_packets) {
            res->compare_b = res->compare_a;
            res->compare_a = (int)t;
        } else if (res->compare_b < 0 || syn > res->fig.tool[res->compare_b].syn_packets) {
            res->compare_b = (int)t;
        }
    }
}

int analysis_run(struct analysis_result *res, const agg_t *agg, const fprules_t *rules,
                 const struct analysis_options *opt, char *errbuf)
{
    memset(res, 0, sizeof *res);
    size_t n = agg_records(agg);
    res->excluded = calloc(n ? n : 1, 1);
    if (!res->excluded) return sl_error(errbuf, SL_ERR_NOMEM, "out of memory");
    for (size_t r = 0; opt->n_exclusions && r < n; r++) {
        struct ipaddr src = agg_record_src(agg, r);
        int32_t day = agg_record_day(agg, r);
        for (size_t e = 0; e < opt->n_exclusions; e++) {
            const struct exclusion *x = &opt->exclusions[e];
            if (!memcmp(&x->addr, &src, sizeof x->addr) && day >= x->from_day && day <= x->to_day)
                res->excluded[r] = 1;
        }
    }
    struct verdict_config vcfg = opt->verdict;
    vcfg.excluded = res->excluded;
    debug_trace("judging");
    int rc = analysis_build(&res->an, agg, rules, &vcfg, errbuf);
    debug_trace("%zu sources judged", res->an.n_sources);
    if (rc == SL_OK && find_outliers(agg, &res->an, &opt->outliers, vcfg.threads, &res->outliers,
                                     &res->n_outliers) != SL_OK)
        rc = sl_error(errbuf, SL_ERR_NOMEM, "out of memory while looking for outliers");
    if (rc == SL_OK && opt->exclude_outliers && res->n_outliers) {
        for (size_t i = 0; i < res->n_outliers; i++)
            res->excluded[res->outliers[i].record] = 1;
        analysis_free(&res->an);
        rc = analysis_build(&res->an, agg, rules, &vcfg, errbuf);
    }
    debug_trace("outliers found");
    if (rc == SL_OK) rc = figures_build(&res->fig, agg, &res->an, vcfg.threads, errbuf);
    debug_trace("figures built");
    if (rc == SL_OK) choose_comparison(res, rules, opt->compare);
    if (rc != SL_OK) analysis_result_free(res);
    return rc;
}

void analysis_result_free(struct analysis_result *res)
{
    analysis_free(&res->an);
    figures_free(&res->fig);
    free(res->outliers);
    free(res->excluded);
    res->outliers = NULL;
    res->excluded = NULL;
}
