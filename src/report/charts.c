/* The report's charts: (1) daily share of SYN probes per tool, (2) each tool's top ports per
 * day, (3) one tool against another on the first's top ports. Drawn from figure_data. */
#include <stdlib.h>
#include <string.h>

#include "../util/timefmt.h"
#include "report.h"
#include "svg_chart.h"

#define COMPARE_PORTS 5

size_t report_tools_by_syn(const struct report_input *in, int *tools, bool with_unknown)
{
    size_t n = 0;
    for (size_t t = with_unknown ? 0 : 1; t < in->fig->n_tools; t++)
        if (in->fig->tool[t].syn_packets) tools[n++] = (int)t;
    for (size_t i = 1; i < n; i++) /* insertion sort, most SYNs first */
        for (size_t j = i;
             j > 0 && in->fig->tool[tools[j]].syn_packets > in->fig->tool[tools[j - 1]].syn_packets;
             j--) {
            int tmp = tools[j];
            tools[j] = tools[j - 1];
            tools[j - 1] = tmp;
        }
    return n;
}

static bool has_comparison(const struct report_input *in)
{
    const struct report_settings *s = in->settings;
    return s->compare_a > 0 && s->compare_b > 0 && in->fig->tool[s->compare_a].n_top;
}

size_t report_chart_count(const struct report_input *in)
{
    int tools[FP_MAX_TOOLS];
    return 1 + report_tools_by_syn(in, tools, false) + has_comparison(in);
}

/* Chart i is: 0 the shares, 1..k the port charts of the k tools, then the comparison. */
static int port_chart_tool(const struct report_input *in, size_t i)
{
    int tools[FP_MAX_TOOLS];
    size_t n = report_tools_by_syn(in, tools, false);
    return i >= 1 && i <= n ? tools[i - 1] : -1;
}

void report_chart_name(const struct report_input *in, size_t i, char *file, size_t file_len,
                       char *caption, size_t caption_len)
{
    const fprules_t *r = in->rules;
    int tool = port_chart_tool(in, i);
    if (i == 0) {
        snprintf(file, file_len, "fig1-daily-share.svg");
        snprintf(caption, caption_len,
                 "Share of the sensor's SYN probes sent by each tool, per day");
    } else if (tool >= 0) {
        snprintf(file, file_len, "fig2-ports-%s.svg", fprules_tool_name(r, tool));
        snprintf(caption, caption_len, "%s: SYN packets per day by destination port (top %d)",
                 fprules_tool_name(r, tool), FIG_TOP_PORTS);
    } else {
        const char *a = fprules_tool_name(r, in->settings->compare_a);
        const char *b = fprules_tool_name(r, in->settings->compare_b);
        snprintf(file, file_len, "fig3-%s-vs-%s.svg", a, b);
        snprintf(caption, caption_len,
                 "%s's top %d ports: SYN packets of %s and %s over the period", a, COMPARE_PORTS, a,
                 b);
    }
}

static char **day_labels(const struct figure_data *fig)
{
    char **labels = calloc(fig->n_days, sizeof *labels);
    for (size_t d = 0; labels && d < fig->n_days; d++) {
        labels[d] = malloc(16);
        if (labels[d]) format_day(fig->first_day + (int32_t)d, labels[d], 16);
    }
    return labels;
}

static void free_labels(char **labels, size_t n)
{
    for (size_t i = 0; labels && i < n; i++)
        free(labels[i]);
    free(labels);
}

static int draw_shares(FILE *out, const struct report_input *in, const char *caption)
{
    const struct figure_data *fig = in->fig;
    int tools[FP_MAX_TOOLS];
    size_t n = report_tools_by_syn(in, tools, true);
    double *values = calloc(n * fig->n_days + 1, sizeof *values);
    char **labels = day_labels(fig);
    struct chart_series series[FP_MAX_TOOLS];
    char names[FP_MAX_TOOLS][64];
    if (!values || !labels) {
        free(values);
        free_labels(labels, fig->n_days);
        return -1;
    }
    for (size_t s = 0; s < n; s++) {
        double sum = 0;
        size_t active = 0;
        for (size_t d = 0; d < fig->n_days; d++) {
            uint64_t day = fig->day_syn[d];
            values[s * fig->n_days + d] =
                day ? (double)fig->day_tool_syn[d * fig->n_tools + tools[s]] / (double)day : 0;
            if (day) sum += values[s * fig->n_days + d], active++;
        }
        snprintf(names[s], sizeof names[s], "%s (avg %.1f%%)",
                 fprules_tool_name(in->rules, tools[s]), active ? 100 * sum / (double)active : 0.0);
        series[s] = (struct chart_series){names[s], values + s * fig->n_days};
    }
    struct chart c = {
        "share", caption, "share of SYN probes", (const char *const *)labels, fig->n_days, series,
        n,       true};
    svg_line_chart(out, &c);
    free(values);
    free_labels(labels, fig->n_days);
    return 0;
}

static int draw_ports(FILE *out, const struct report_input *in, int tool, const char *caption)
{
    const struct figure_data *fig = in->fig;
    const struct tool_stats *ts = &fig->tool[tool];
    size_t n = ts->n_top + 1; /* + other */
    double *values = calloc(n * fig->n_days + 1, sizeof *values);
    char **labels = day_labels(fig);
    struct chart_series series[FIG_TOP_PORTS + 1];
    char names[FIG_TOP_PORTS + 1][16];
    if (!values || !labels) {
        free(values);
        free_labels(labels, fig->n_days);
        return -1;
    }
    for (size_t d = 0; d < fig->n_days; d++) {
        double rest = (double)fig->day_tool_syn[d * fig->n_tools + tool];
        for (size_t k = 0; k < ts->n_top; k++) {
            double v = (double)figures_day_port(fig, d, tool, ts->top_port[k]);
            values[k * fig->n_days + d] = v;
            rest -= v;
        }
        values[ts->n_top * fig->n_days + d] = rest > 0 ? rest : 0;
    }
    for (size_t k = 0; k < n; k++) {
        if (k < ts->n_top)
            snprintf(names[k], sizeof names[k], "%u/tcp", ts->top_port[k]);
        else
            snprintf(names[k], sizeof names[k], "other");
        series[k] = (struct chart_series){names[k], values + k * fig->n_days};
    }
    char id[48];
    snprintf(id, sizeof id, "ports-%s", fprules_tool_name(in->rules, tool));
    struct chart c = {id,     caption, "SYN packets", (const char *const *)labels, fig->n_days,
                      series, n,       false};
    svg_stacked_bars(out, &c);
    free(values);
    free_labels(labels, fig->n_days);
    return 0;
}

static int draw_comparison(FILE *out, const struct report_input *in, const char *caption)
{
    const struct figure_data *fig = in->fig;
    int a = in->settings->compare_a, b = in->settings->compare_b;
    const struct tool_stats *ts = &fig->tool[a];
    size_t n = ts->n_top < COMPARE_PORTS ? ts->n_top : COMPARE_PORTS;
    double va[COMPARE_PORTS], vb[COMPARE_PORTS];
    char label_text[COMPARE_PORTS][16];
    const char *labels[COMPARE_PORTS];
    for (size_t k = 0; k < n; k++) {
        uint16_t p = ts->top_port[k];
        va[k] = (double)fig->tool_port_syn[(size_t)a * 65536 + p];
        vb[k] = (double)fig->tool_port_syn[(size_t)b * 65536 + p];
        snprintf(label_text[k], sizeof label_text[k], "%u/tcp", p);
        labels[k] = label_text[k];
    }
    struct chart_series series[2] = {{fprules_tool_name(in->rules, a), va},
                                     {fprules_tool_name(in->rules, b), vb}};
    struct chart c = {"compare", caption, "SYN packets", labels, n, series, 2, false};
    svg_grouped_bars(out, &c);
    return 0;
}

int report_chart_draw(FILE *out, const struct report_input *in, size_t i)
{
    char file[128], caption[256];
    report_chart_name(in, i, file, sizeof file, caption, sizeof caption);
    int tool = port_chart_tool(in, i);
    if (i == 0) return draw_shares(out, in, caption);
    if (tool >= 0) return draw_ports(out, in, tool, caption);
    return draw_comparison(out, in, caption);
}
