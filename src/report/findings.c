/* Sentences stating what the figures show. */
#include "findings.h"

#include <stdio.h>

#include "../util/timefmt.h"

static double mean_daily_share(const struct figure_data *fig, int tool)
{
    double sum = 0;
    size_t days = 0;
    for (size_t d = 0; d < fig->n_days; d++)
        if (fig->day_syn[d]) {
            sum += (double)fig->day_tool_syn[d * fig->n_tools + (size_t)tool] /
                   (double)fig->day_syn[d];
            days++;
        }
    return days ? sum / (double)days : 0;
}

size_t report_findings(const struct report_input *in, char (*lines)[FINDING_LEN], size_t max)
{
    const struct figure_data *fig = in->fig;
    const fprules_t *r = in->rules;
    int tools[FP_MAX_TOOLS];
    size_t n_tools = report_tools_by_syn(in, tools, false), n = 0;
    if (!in->an->syn_probes || max == 0) return 0;
    size_t len = (size_t)snprintf(lines[n], FINDING_LEN, "On an average day,");
    for (size_t i = 0; i < n_tools && len < FINDING_LEN; i++)
        len +=
            (size_t)snprintf(lines[n] + len, FINDING_LEN - len, "%s %s sent %.1f%%",
                             i == 0             ? ""
                             : i + 1 == n_tools ? " and"
                                                : ",",
                             fprules_tool_name(r, tools[i]), 100 * mean_daily_share(fig, tools[i]));
    if (len < FINDING_LEN)
        snprintf(lines[n] + len, FINDING_LEN - len, "%s of the SYN probes the sensor received.",
                 n_tools ? "" : " no known tool sent any");
    n++;
    int ta = in->settings->compare_a, tb = in->settings->compare_b;
    if (ta > 0 && tb > 0 && fig->tool[ta].syn_packets && fig->tool[tb].syn_packets && n < max) {
        if (fig->tool[tb].syn_packets > fig->tool[ta].syn_packets) {
            int tmp = ta;
            ta = tb;
            tb = tmp;
        }
        const struct tool_stats *a = &fig->tool[ta], *b = &fig->tool[tb];
        snprintf(lines[n++], FINDING_LEN,
                 "%s sent %.1fx the SYN packets of %s from %.1fx the sources.",
                 fprules_tool_name(r, ta), (double)a->syn_packets / (double)b->syn_packets,
                 fprules_tool_name(r, tb), (double)a->sources / (double)b->sources);
    }
    for (size_t i = 0; i < n_tools && n < max; i++) {
        const struct tool_stats *t = &fig->tool[tools[i]];
        if (!t->n_top) continue;
        uint64_t top = fig->tool_port_syn[(size_t)tools[i] * 65536 + t->top_port[0]];
        snprintf(lines[n++], FINDING_LEN,
                 "%s: top port %u/tcp with %.1f%% of its SYNs; its top 5 sources sent %.1f%%; "
                 "%u source%s touched 1,000 ports or more and %u all 65,535.",
                 fprules_tool_name(r, tools[i]), t->top_port[0],
                 100.0 * (double)top / (double)t->syn_packets,
                 100.0 * (double)t->top5_syn / (double)t->syn_packets, t->sweep_1000,
                 t->sweep_1000 == 1 ? "" : "s", t->sweep_all);
    }
    uint64_t research = in->an->research_sources;
    if (n < max)
        snprintf(lines[n++], FINDING_LEN,
                 "%llu source%s met the research-scan rule (>= %llu TCP SYN + UDP packets to >= %u "
                 "ports in a day).",
                 (unsigned long long)research, research == 1 ? "" : "s",
                 (unsigned long long)in->settings->research_min_packets,
                 in->settings->research_min_ports);
    if (n < max && in->n_outliers)
        snprintf(lines[n++], FINDING_LEN, "%zu (day, source) outlier%s found; %s.", in->n_outliers,
                 in->n_outliers == 1 ? "" : "s",
                 in->settings->outliers_excluded
                     ? "they are left out of every figure"
                     : "they are included (--exclude-outliers leaves them out)");
    if (n < max && in->an->reflection_syn)
        snprintf(lines[n++], FINDING_LEN,
                 "%llu SYN packets from %llu source%s looked like SYN/ACK reflection and are not "
                 "counted as probes.",
                 (unsigned long long)in->an->reflection_syn,
                 (unsigned long long)in->an->class_sources[CLASS_REFLECTION],
                 in->an->class_sources[CLASS_REFLECTION] == 1 ? "" : "s");
    return n;
}
