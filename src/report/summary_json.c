/* summary.json: the headline figures and the inputs they came from, for scripts. */
#include <inttypes.h>
#include <stdlib.h>

#include "../decode/decode.h"
#include "../util/timefmt.h"
#include "jsonw.h"
#include "report.h"

static void write_inputs(FILE *out, const struct report_input *in)
{
    fputs("  \"inputs\": [", out);
    for (size_t i = 0; i < in->n_files; i++) {
        const struct file_result *f = &in->files[i];
        fputs(i ? ",\n    {" : "\n    {", out);
        fputs("\"path\": ", out);
        json_string(out, f->path);
        fprintf(out, ", \"format\": ");
        json_string(out, f->format ? f->format : "");
        fprintf(out, ", \"compression\": ");
        json_string(out, f->compression ? f->compression : "");
        fprintf(out, ", \"packets\": %" PRIu64 ", \"filtered_out\": %" PRIu64 ", \"complete\": %s",
                f->frames, f->filtered_out, f->status == SL_OK ? "true" : "false");
        if (f->status != SL_OK) {
            fputs(", \"error\": ", out);
            json_string(out, f->message);
        }
        fputc('}', out);
    }
    fputs("\n  ],\n", out);
}

/* The --max-memory cap: null without one; else what it left out (0 packets when not reached)
 * and the first day it left packets out of (null when none). */
static void write_memory_cap(FILE *out, const struct report_input *in)
{
    if (!in->settings->max_memory_mib) {
        fputs("  \"memory_cap\": null,\n", out);
        return;
    }
    uint64_t left_out = agg_refused(in->agg);
    char day[16];
    fprintf(out,
            "  \"memory_cap\": {\"mib\": %" PRIu64 ", \"packets_left_out\": %" PRIu64
            ", \"first_day_left_out\": ",
            in->settings->max_memory_mib, left_out);
    if (left_out)
        json_string(out, format_day(agg_refused_first_day(in->agg), day, sizeof day));
    else
        fputs("null", out);
    fputs("},\n", out);
}

static void write_sensor(FILE *out, const struct report_input *in)
{
    char buf[64];
    fprintf(out, "  \"sensor\": {\"inferred\": %s, \"addresses\": [",
            in->an->sensor_inferred ? "true" : "false");
    if (in->an->sensor_inferred) {
        /* sorted, so that the list does not depend on the order packets were read in */
        size_t n = agg_probed_count(in->agg), shown = n < 1000 ? n : 1000;
        const struct ipaddr **sorted = agg_probed_sorted(in->agg);
        for (size_t i = 0; sorted && i < shown; i++) {
            if (i) fputs(", ", out);
            json_string(out, ipaddr_format(sorted[i], buf, sizeof buf));
        }
        free(sorted);
        fprintf(out, "], \"address_count\": %zu},\n", n);
    } else {
        for (size_t i = 0; i < in->sensor->n; i++) {
            if (i) fputs(", ", out);
            json_string(out, prefix_format(&in->sensor->net[i], buf, sizeof buf));
        }
        fputs("]},\n", out);
    }
}

/* Settings, per-tool statistics, outliers and research / known sources. */
static void write_analysis(FILE *out, const struct report_input *in)
{
    const struct report_settings *st = in->settings;
    const struct figure_data *fig = in->fig;
    char addr[64], day[16];
    fputs("  \"settings\": {\"time_zone\": ", out);
    json_string(out, st->time_zone);
    fputs(", \"from\": ", out);
    st->from ? json_string(out, st->from) : (void)fputs("null", out);
    fputs(", \"to\": ", out);
    st->to ? json_string(out, st->to) : (void)fputs("null", out);
    fprintf(out,
            ", \"research_min_packets\": %" PRIu64 ", \"research_min_ports\": %u, "
            "\"sensor_size\": %" PRIu64 ", \"outliers_excluded\": %s, \"outlier_share\": ",
            st->research_min_packets, st->research_min_ports, st->sensor_size,
            st->outliers_excluded ? "true" : "false");
    json_number(out, st->outlier_share);
    fputs(", \"outlier_factor\": ", out);
    json_number(out, st->outlier_factor);
    fprintf(out, ", \"manual_exclusions\": %zu},\n", st->manual_exclusions);
    fputs("  \"tool_stats\": {", out);
    for (size_t t = 0, first = 1; t < fig->n_tools; t++) {
        const struct tool_stats *ts = &fig->tool[t];
        if (!ts->syn_packets) continue;
        fprintf(out, "%s\n    ", first ? "" : ",");
        first = 0;
        json_string(out, fprules_tool_name(in->rules, (int)t));
        fprintf(out, ": {\"syn_packets\": %" PRIu64 ", \"sources\": %" PRIu64 ", \"top5_share\": ",
                ts->syn_packets, ts->sources);
        json_number(out, (double)ts->top5_syn / (double)ts->syn_packets);
        fputs(", \"top10_share\": ", out);
        json_number(out, (double)ts->top10_syn / (double)ts->syn_packets);
        fprintf(out,
                ", \"sources_1000_ports\": %u, \"sources_all_ports\": %u, "
                "\"research_sources\": %u, \"top_ports\": [",
                ts->sweep_1000, ts->sweep_all, ts->research_sources);
        for (size_t k = 0; k < ts->n_top; k++)
            fprintf(out, "%s%u", k ? ", " : "", ts->top_port[k]);
        fputs("]}", out);
    }
    fputs("\n  },\n  \"outliers\": [", out);
    for (size_t i = 0; i < in->n_outliers; i++) {
        const struct outlier *o = &in->outliers[i];
        struct ipaddr src = agg_record_src(in->agg, o->record);
        fprintf(out,
                "%s\n    {\"src\": \"%s\", \"day\": \"%s\", \"syn_packets\": %" PRIu64
                ", \"day_syn_packets\": %" PRIu64 ", \"ports\": %u, \"tool\": ",
                i ? "," : "", ipaddr_format(&src, addr, sizeof addr),
                format_day(o->day, day, sizeof day), o->syn_packets, o->day_syn, o->ports);
        json_string(out, fprules_tool_name(in->rules, o->tool));
        fputc('}', out);
    }
    fputs("\n  ],\n  \"research_sources\": [", out);
    for (size_t i = 0, n = 0; i < in->an->n_sources; i++) {
        size_t source = analysis_ranked(in->an, i);
        if (!(in->an->verdict[source].flags & SOURCE_RESEARCH)) continue;
        struct ipaddr src = analysis_source_address(in->an, source);
        fprintf(out, "%s\"%s\"", n++ ? ", " : "", ipaddr_format(&src, addr, sizeof addr));
    }
    fputs("],\n  \"known_sources\": [", out);
    for (size_t i = 0, n = 0; i < in->an->n_sources; i++) {
        size_t source = analysis_ranked(in->an, i);
        int32_t known = in->an->verdict[source].known;
        if (known < 0) continue;
        struct ipaddr src = analysis_source_address(in->an, source);
        fprintf(out, "%s\n    {\"src\": \"%s\", \"org\": ", n++ ? "," : "",
                ipaddr_format(&src, addr, sizeof addr));
        json_string(out, known_list_org(in->known, known));
        fputs(", \"label\": ", out);
        json_string(out, known_list_label(in->known, known));
        fputc('}', out);
    }
    fputs("\n  ],\n", out);
}

int report_write_summary_json(FILE *out, const struct report_input *in)
{
    const struct analysis *an = in->an;
    const agg_t *agg = in->agg;
    char a[40], b[40];
    fputs("{\n  \"scanlens_version\": ", out);
    json_string(out, in->version);
    fputs(",\n", out);
    write_inputs(out, in);
    write_memory_cap(out, in);
    write_sensor(out, in);
    fprintf(out, "  \"packets\": %" PRIu64 ",\n  \"undecoded\": {", agg_frames(agg));
    for (int s = 1; s < PKT_STATUS_COUNT; s++)
        fprintf(out, "%s\"%s\": %" PRIu64, s > 1 ? ", " : "", packet_status_name(s),
                agg_status_count(agg, s));
    fputs("},\n", out);
    if (an->first_ns <= an->last_ns)
        fprintf(out, "  \"first_seen\": \"%s\",\n  \"last_seen\": \"%s\",\n",
                format_time_utc(an->first_ns, a, sizeof a),
                format_time_utc(an->last_ns, b, sizeof b));
    fprintf(out,
            "  \"syn_probes\": %" PRIu64 ",\n  \"udp_probes\": %" PRIu64
            ",\n  \"icmp_probes\": %" PRIu64 ",\n",
            an->syn_probes, an->udp_probes, an->icmp_probes);
    fprintf(out, "  \"scanner_sources\": %" PRIu64 ",\n", an->class_sources[CLASS_SCANNER]);
    fputs("  \"tools\": [", out);
    for (size_t t = 0; t < an->n_tools; t++) {
        const struct tool_totals *tt = &an->tool[t];
        fputs(t ? ",\n    {\"tool\": " : "\n    {\"tool\": ", out);
        json_string(out, fprules_tool_name(in->rules, (int)t));
        fprintf(out, ", \"syn_packets\": %" PRIu64 ", \"share\": ", tt->syn_packets);
        json_number(out, an->syn_probes ? (double)tt->syn_packets / (double)an->syn_probes : 0.0);
        fprintf(out,
                ", \"syn_sources\": %" PRIu64 ", \"sources\": %" PRIu64
                ", \"udp_packets\": %" PRIu64 ", \"icmp_packets\": %" PRIu64 "}",
                tt->syn_sources, tt->sources, tt->udp_packets, tt->icmp_packets);
    }
    fputs("\n  ],\n", out);
    fprintf(out, "  \"reflection\": {\"syn_packets\": %" PRIu64 ", \"sources\": %" PRIu64 "},\n",
            an->reflection_syn, an->class_sources[CLASS_REFLECTION]);
    fprintf(out, "  \"backscatter\": {\"packets\": %" PRIu64 ", \"sources\": %" PRIu64 "},\n",
            an->backscatter_packets, an->class_sources[CLASS_BACKSCATTER]);
    write_analysis(out, in);
    fprintf(out, "  \"sensor_packets\": %" PRIu64 ",\n  \"classes\": {",
            an->class_packets[CLASS_SENSOR]);
    for (int c = 0; c < CLASS_COUNT; c++)
        fprintf(out, "%s\"%s\": {\"sources\": %" PRIu64 ", \"packets\": %" PRIu64 "}",
                c ? ", " : "", source_class_name(c), an->class_sources[c], an->class_packets[c]);
    fputs("}\n}\n", out);
    return ferror(out) ? -1 : 0;
}
