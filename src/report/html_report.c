/* report.html: one self-contained page (inline CSS and SVG; no scripts, fonts or images from
 * elsewhere) with every figure, its table, the top sources, research and known scanners,
 * outliers, the inputs and the method. */
#include <inttypes.h>
#include <string.h>

#include "../util/timefmt.h"
#include "findings.h"
#include "report.h"
#include "svg_chart.h"

static const char style[] =
    "body{font-family:'DejaVu Sans',Arial,sans-serif;max-width:1000px;margin:2em auto;color:#222;"
    "padding:0 1em}h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #999}"
    "table{border-collapse:collapse;margin:.6em 0;font-size:.9em}td,th{border:1px solid #bbb;"
    "padding:.2em .5em;text-align:right}th{background:#eee}td.l,th.l{text-align:left}"
    "figure{margin:1em 0}figcaption{font-style:italic;margin-top:.3em}svg{max-width:100%;"
    "height:auto}.note{color:#555;font-size:.9em}details{margin:.5em 0}"
    "@media print{h2{page-break-before:auto}figure,table{page-break-inside:avoid}}";

static void cell_u64(FILE *o, uint64_t v)
{
    fprintf(o, "<td>%" PRIu64 "</td>", v);
}

static void cell_text(FILE *o, const char *text)
{
    fputs("<td class=\"l\">", o);
    xml_escape(o, text);
    fputs("</td>", o);
}

static void write_header(FILE *o, const struct report_input *in)
{
    const struct analysis *an = in->an;
    char a[40], b[40];
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<title>scanlens report</title><style>",
          o);
    fputs(style, o);
    fputs("</style></head><body>\n<h1>Who scanned the sensor, and with what</h1>\n", o);
    fprintf(o, "<p>Period %s to %s (days in %s)",
            an->first_ns <= an->last_ns ? format_time_utc(an->first_ns, a, sizeof a) : "-",
            an->first_ns <= an->last_ns ? format_time_utc(an->last_ns, b, sizeof b) : "-",
            in->settings->time_zone);
    if (in->settings->from || in->settings->to)
        fprintf(o, ", cut to %s .. %s", in->settings->from ? in->settings->from : "start",
                in->settings->to ? in->settings->to : "end");
    fprintf(o, ". %zu input file%s, %" PRIu64 " packets. Made by scanlens %s.</p>\n", in->n_files,
            in->n_files == 1 ? "" : "s", agg_frames(in->agg), in->version);
    char note[400];
    if (report_cap_note(in, note, sizeof note)) fprintf(o, "<p><strong>%s</strong></p>\n", note);
    fprintf(o,
            "<table><tr><th class=\"l\">SYN probes</th><td>%" PRIu64 "</td></tr>"
            "<tr><th class=\"l\">scanning sources</th><td>%" PRIu64 "</td></tr>"
            "<tr><th class=\"l\">UDP / ICMP echo probes</th><td>%" PRIu64 " / %" PRIu64 "</td></tr>"
            "<tr><th class=\"l\">reflection SYNs (left out)</th><td>%" PRIu64 "</td></tr>"
            "<tr><th class=\"l\">backscatter packets (left out)</th><td>%" PRIu64 "</td></tr>"
            "<tr><th class=\"l\">sensor's own packets (left out)</th><td>%" PRIu64
            "</td></tr></table>\n",
            an->syn_probes, an->class_sources[CLASS_SCANNER], an->udp_probes, an->icmp_probes,
            an->reflection_syn, an->backscatter_packets, an->class_packets[CLASS_SENSOR]);
    fputs("<p class=\"note\">Shares are of the SYN probes the sensor received: every TCP SYN "
          "(without ACK) from a scanning source, less the SYNs of sources judged to be spoofed "
          "SYN/ACK reflection. Backscatter and the sensor's own packets never count. A source's "
          "tool is decided from all of its probes (docs/classification.md).</p>\n",
          o);
    char lines[16][FINDING_LEN];
    size_t n = report_findings(in, lines, 16);
    fputs("<h2>Findings</h2><ul>\n", o);
    for (size_t i = 0; i < n; i++) {
        fputs("<li>", o);
        xml_escape(o, lines[i]);
        fputs("</li>\n", o);
    }
    fputs("</ul>\n", o);
}

static void write_figure(FILE *o, const struct report_input *in, size_t i, const char *number)
{
    char file[128], caption[256];
    report_chart_name(in, i, file, sizeof file, caption, sizeof caption);
    fprintf(o, "<figure id=\"fig%s\">\n", number);
    report_chart_draw(o, in, i);
    fprintf(o, "<figcaption>Figure %s. ", number);
    xml_escape(o, caption);
    fprintf(o, " (also <code>%s</code>)</figcaption></figure>\n", file);
}

static void share_table(FILE *o, const struct report_input *in)
{
    const struct figure_data *fig = in->fig;
    int tools[FP_MAX_TOOLS];
    size_t n = report_tools_by_syn(in, tools, true);
    fputs("<details><summary>Daily shares (data: daily.csv)</summary><table><tr><th "
          "class=\"l\">date</th><th>SYN probes</th>",
          o);
    for (size_t i = 0; i < n; i++)
        fprintf(o, "<th>%s</th>", fprules_tool_name(in->rules, tools[i]));
    fputs("</tr>\n", o);
    char date[16];
    for (size_t d = 0; d < fig->n_days; d++) {
        fprintf(o, "<tr><td class=\"l\">%s</td>",
                format_day(fig->first_day + (int32_t)d, date, sizeof date));
        cell_u64(o, fig->day_syn[d]);
        for (size_t i = 0; i < n; i++)
            fprintf(o, "<td>%.1f%%</td>",
                    fig->day_syn[d]
                        ? 100.0 * (double)fig->day_tool_syn[d * fig->n_tools + (size_t)tools[i]] /
                              (double)fig->day_syn[d]
                        : 0.0);
        fputs("</tr>\n", o);
    }
    fputs("</table></details>\n", o);
}

static void ports_table(FILE *o, const struct report_input *in, int tool)
{
    const struct tool_stats *t = &in->fig->tool[tool];
    fputs("<table><tr><th class=\"l\">port</th><th>SYN packets</th><th>share of the tool's "
          "SYNs</th></tr>\n",
          o);
    for (size_t k = 0; k < t->n_top; k++) {
        uint64_t v = in->fig->tool_port_syn[(size_t)tool * 65536 + t->top_port[k]];
        fprintf(o, "<tr><td class=\"l\">%u/tcp</td>", t->top_port[k]);
        cell_u64(o, v);
        fprintf(o, "<td>%.1f%%</td></tr>\n", 100.0 * (double)v / (double)t->syn_packets);
    }
    fputs("</table>\n", o);
}

static void compare_table(FILE *o, const struct report_input *in)
{
    int a = in->settings->compare_a, b = in->settings->compare_b;
    const struct tool_stats *t = &in->fig->tool[a];
    fprintf(o, "<table><tr><th class=\"l\">port</th><th>%s</th><th>%s</th><th>%s / %s</th></tr>\n",
            fprules_tool_name(in->rules, a), fprules_tool_name(in->rules, b),
            fprules_tool_name(in->rules, a), fprules_tool_name(in->rules, b));
    for (size_t k = 0; k < t->n_top && k < 5; k++) {
        uint64_t va = in->fig->tool_port_syn[(size_t)a * 65536 + t->top_port[k]];
        uint64_t vb = in->fig->tool_port_syn[(size_t)b * 65536 + t->top_port[k]];
        fprintf(o, "<tr><td class=\"l\">%u/tcp</td>", t->top_port[k]);
        cell_u64(o, va);
        cell_u64(o, vb);
        if (vb)
            fprintf(o, "<td>%.2f</td></tr>\n", (double)va / (double)vb);
        else
            fputs("<td>-</td></tr>\n", o);
    }
    fputs("</table>\n", o);
}

static void stats_table(FILE *o, const struct report_input *in)
{
    int tools[FP_MAX_TOOLS];
    size_t n = report_tools_by_syn(in, tools, true);
    fputs(
        "<h2>Figure 4. Tools compared</h2><table><tr><th class=\"l\">tool</th><th>SYN packets</th>"
        "<th>share</th><th>sources</th><th>packets per source</th><th>top 5 sources</th>"
        "<th>top 10 sources</th><th>sources &ge; 1,000 ports</th><th>sources with all 65,535</th>"
        "<th>research-rule sources</th></tr>\n",
        o);
    for (size_t i = 0; i < n; i++) {
        const struct tool_stats *t = &in->fig->tool[tools[i]];
        fputs("<tr>", o);
        cell_text(o, fprules_tool_name(in->rules, tools[i]));
        cell_u64(o, t->syn_packets);
        fprintf(o, "<td>%.1f%%</td>", 100.0 * (double)t->syn_packets / (double)in->an->syn_probes);
        cell_u64(o, t->sources);
        fprintf(o, "<td>%.1f</td><td>%.1f%%</td><td>%.1f%%</td>",
                (double)t->syn_packets / (double)t->sources,
                100.0 * (double)t->top5_syn / (double)t->syn_packets,
                100.0 * (double)t->top10_syn / (double)t->syn_packets);
        cell_u64(o, t->sweep_1000);
        cell_u64(o, t->sweep_all);
        cell_u64(o, t->research_sources);
        fputs("</tr>\n", o);
    }
    fputs("</table>\n", o);
}

static void source_row(FILE *o, const struct report_input *in, const struct source_summary *s)
{
    char addr[64], a[40], b[40];
    fputs("<tr>", o);
    cell_text(o, ipaddr_format(&s->src, addr, sizeof addr));
    cell_text(o, fprules_tool_name(in->rules, s->tool));
    cell_u64(o, s->kind_packets[KIND_SYN_PROBE]);
    cell_u64(o, s->syn_ports);
    cell_u64(o, s->dst_addrs);
    cell_u64(o, s->days);
    cell_text(o, format_time_short(s->first_ns, a, sizeof a));
    cell_text(o, format_time_short(s->last_ns, b, sizeof b));
    cell_text(o, s->research_days ? "yes" : "");
    cell_text(o, s->known >= 0 ? known_list_org(in->known, s->known) : "");
    cell_text(o, s->known >= 0 ? known_list_label(in->known, s->known) : "");
    fputs("</tr>\n", o);
}

static const char source_head[] =
    "<table><tr><th class=\"l\">source</th><th class=\"l\">tool</th><th>SYN packets</th>"
    "<th>ports</th><th>addresses</th><th>days active</th><th class=\"l\">first seen (UTC)</th>"
    "<th class=\"l\">last seen (UTC)</th><th class=\"l\">research rule</th><th class=\"l\">known "
    "as</th>"
    "<th class=\"l\">label</th></tr>\n";

/* false when out of memory (a reader's sets): the report is then not complete. */
static bool top_sources(FILE *o, const struct report_input *in)
{
    source_reader_t *reader = source_reader_new(in->an);
    if (!reader) return false;
    bool ok = true;
    int tools[FP_MAX_TOOLS];
    size_t n = report_tools_by_syn(in, tools, true);
    fputs("<h2>Top sources per tool</h2>\n", o);
    for (size_t i = 0; i < n; i++) {
        fprintf(o, "<h3>%s</h3>", fprules_tool_name(in->rules, tools[i]));
        fputs(source_head, o);
        size_t shown = 0;
        for (size_t k = 0; ok && k < in->an->n_sources && shown < 10; k++) {
            size_t source = analysis_ranked(in->an, k);
            const struct source_verdict *v = &in->an->verdict[source];
            if (v->cls != CLASS_SCANNER || v->tool != tools[i] || !(v->flags & SOURCE_SENT_SYN))
                continue;
            const struct source_summary *s = source_reader_get(reader, source);
            if (!(ok = s != NULL)) break;
            source_row(o, in, s);
            shown++;
        }
        fputs("</table>\n", o);
    }
    fputs("<h2>Research scanners and known scanners</h2>\n", o);
    fprintf(o,
            "<p>Research-scan rule (NICTER's): a source sending at least %" PRIu64
            " TCP SYN and UDP packets to at least %u destination ports in one day",
            in->settings->research_min_packets, in->settings->research_min_ports);
    if (in->settings->sensor_size)
        fprintf(o, " (300,000 packets scaled to a sensor of %" PRIu64 " addresses)",
                in->settings->sensor_size);
    fprintf(o, ". Known scanners: %zu entries in the list given.</p>\n",
            known_list_count(in->known));
    fputs(source_head, o);
    size_t shown = 0;
    for (size_t k = 0; ok && k < in->an->n_sources && shown < 200; k++) {
        size_t source = analysis_ranked(in->an, k);
        const struct source_verdict *v = &in->an->verdict[source];
        if (!(v->flags & SOURCE_RESEARCH) && v->known < 0) continue;
        const struct source_summary *s = source_reader_get(reader, source);
        if (!(ok = s != NULL)) break;
        source_row(o, in, s);
        shown++;
    }
    fputs("</table>\n", o);
    source_reader_free(reader);
    return ok;
}

static void outliers_section(FILE *o, const struct report_input *in)
{
    fprintf(o,
            "<h2>Outliers</h2><p>A (day, source) is an outlier when its SYNs are at least %.0f%% "
            "of that day's SYN probes and at least %.1f times the median daily SYN probes. "
            "They are %s.%s</p>\n",
            100 * in->settings->outlier_share, in->settings->outlier_factor,
            in->settings->outliers_excluded ? "left out of every figure above"
                                            : "included in the figures above",
            in->settings->manual_exclusions ? " Exclusions given with --exclude were also applied."
                                            : "");
    if (!in->n_outliers) {
        fputs("<p>None.</p>\n", o);
        return;
    }
    fputs("<table><tr><th class=\"l\">source</th><th class=\"l\">day</th><th>SYN packets</th>"
          "<th>day's SYN probes</th><th>ports</th><th class=\"l\">tool</th></tr>\n",
          o);
    char addr[64], date[16];
    for (size_t i = 0; i < in->n_outliers; i++) {
        const struct outlier *x = &in->outliers[i];
        fputs("<tr>", o);
        struct ipaddr src = agg_record_src(in->agg, x->record);
        cell_text(o, ipaddr_format(&src, addr, sizeof addr));
        cell_text(o, format_day(x->day, date, sizeof date));
        cell_u64(o, x->syn_packets);
        cell_u64(o, x->day_syn);
        cell_u64(o, x->ports);
        cell_text(o, fprules_tool_name(in->rules, x->tool));
        fputs("</tr>\n", o);
    }
    fputs("</table>\n", o);
}

static void sensors_section(FILE *o, const struct report_input *in)
{
    if (!in->sensors) return;
    fputs(
        "<h2>Sensors compared</h2><p>What a sensor sees depends on where it sits. Each row is one "
        "tool at one sensor (data: sensors.csv).</p><table><tr><th class=\"l\">sensor</th>"
        "<th class=\"l\">tool</th><th>SYN packets</th><th>share</th><th>sources</th>"
        "<th class=\"l\">top ports</th></tr>\n",
        o);
    for (size_t i = 0; i < in->sensors->n_rows; i++) {
        const struct sensor_row *r = &in->sensors->rows[i];
        char ports[48] = "";
        size_t len = 0;
        for (size_t k = 0; k < r->n_top; k++)
            len += (size_t)snprintf(ports + len, sizeof ports - len, "%s%u", k ? ", " : "",
                                    r->top_port[k]);
        fputs("<tr>", o);
        cell_text(o, r->sensor);
        cell_text(o, fprules_tool_name(in->rules, r->tool));
        cell_u64(o, r->syn_packets);
        fprintf(o, "<td>%.1f%%</td>", 100 * r->share);
        cell_u64(o, r->sources);
        cell_text(o, ports);
        fputs("</tr>\n", o);
    }
    fputs("</table>\n", o);
}

static void inputs_section(FILE *o, const struct report_input *in)
{
    fputs("<h2>Inputs</h2><table><tr><th class=\"l\">file</th><th class=\"l\">format</th>"
          "<th>packets</th><th class=\"l\">status</th></tr>\n",
          o);
    for (size_t i = 0; i < in->n_files; i++) {
        const struct file_result *f = &in->files[i];
        fputs("<tr>", o);
        cell_text(o, f->path);
        cell_text(o, f->format ? f->format : "-");
        cell_u64(o, f->frames);
        cell_text(o, f->status == SL_OK ? "complete" : f->message);
        fputs("</tr>\n", o);
    }
    fputs("</table>\n", o);
}

int report_write_html(FILE *o, const struct report_input *in)
{
    write_header(o, in);
    size_t charts = report_chart_count(in);
    fputs("<h2>Figure 1. Share of SYN probes per tool</h2>\n", o);
    write_figure(o, in, 0, "1");
    share_table(o, in);
    int tools[FP_MAX_TOOLS];
    size_t n = report_tools_by_syn(in, tools, false);
    fputs("<h2>Figure 2. Destination ports per tool</h2>\n", o);
    for (size_t i = 0; i < n; i++) {
        char number[8];
        snprintf(number, sizeof number, "2%c", (char)('a' + i));
        write_figure(o, in, 1 + i, number);
        ports_table(o, in, tools[i]);
    }
    if (charts > 1 + n) {
        fputs("<h2>Figure 3. One tool against another on its top ports</h2>\n", o);
        write_figure(o, in, 1 + n, "3");
        compare_table(o, in);
    }
    stats_table(o, in);
    bool listed = top_sources(o, in);
    outliers_section(o, in);
    sensors_section(o, in);
    inputs_section(o, in);
    fputs("<p class=\"note\">Data files beside this report: daily.csv, ports.csv, sources.csv, "
          "summary.json, and each figure as an .svg file.</p>\n</body></html>\n",
          o);
    return ferror(o) || !listed ? -1 : 0;
}
