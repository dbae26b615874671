/* The headline figures on the terminal: SYN probes in all, each tool's packets, share and
 * sources, and what was set aside as reflection, backscatter and the sensor's own. */
#include <inttypes.h>
#include <stdlib.h>

#include "../decode/decode.h"
#include "../util/timefmt.h"
#include "findings.h"
#include "report.h"

static double percent(uint64_t part, uint64_t whole)
{
    return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

const char *report_cap_note(const struct report_input *in, char *buf, size_t len)
{
    uint64_t left_out = agg_refused(in->agg);
    if (!left_out) return NULL;
    char day[16];
    snprintf(buf, len,
             "Incomplete: the --max-memory %" PRIu64 " cap was reached. %" PRIu64
             " packets that would have started a new (day, source) record were left out, the "
             "first of them on %s: every packet of the days before it was counted, later days "
             "count only the sources already seen on that day.",
             in->settings->max_memory_mib, left_out,
             format_day(agg_refused_first_day(in->agg), day, sizeof day));
    return buf;
}

static void print_inputs(FILE *out, const struct report_input *in)
{
    const agg_t *agg = in->agg;
    uint64_t undecoded = agg_kind_count(agg, KIND_NONE);
    fprintf(out, "Read %zu file%s, %" PRIu64 " packets", in->n_files, in->n_files == 1 ? "" : "s",
            agg_frames(agg));
    if (undecoded) {
        fprintf(out, " (%" PRIu64 " not decoded:", undecoded);
        for (int s = 1; s < PKT_STATUS_COUNT; s++)
            if (agg_status_count(agg, s))
                fprintf(out, " %" PRIu64 " %s", agg_status_count(agg, s), packet_status_name(s));
        fputc(')', out);
    }
    fputc('\n', out);
    char note[400];
    if (report_cap_note(in, note, sizeof note)) fprintf(out, "%s\n", note);
    const struct analysis *an = in->an;
    if (an->first_ns <= an->last_ns) {
        char a[40], b[40];
        fprintf(out, "Period %s to %s\n", format_time_utc(an->first_ns, a, sizeof a),
                format_time_utc(an->last_ns, b, sizeof b));
    }
    if (an->sensor_inferred) {
        size_t n = agg_probed_count(agg);
        fprintf(out, "Sensor addresses inferred%s: the %zu address%s that received probes",
                in->settings->from_history ? "" : " (no --sensor given)", n, n == 1 ? "" : "es");
        char buf[64];
        /* the lowest, as summary.json lists them: not the first kept, which -j changes */
        const struct ipaddr **sorted = agg_probed_sorted(agg);
        for (size_t i = 0; sorted && i < n && i < 3; i++)
            fprintf(out, "%s%s", i ? ", " : ": ", ipaddr_format(sorted[i], buf, sizeof buf));
        free(sorted);
        fprintf(out, "%s\n", n > 3 ? ", ..." : "");
        if (agg_probed_overflow(agg))
            fprintf(out,
                    "  (more than %u addresses received probes: only the first were kept, so "
                    "give the sensor's prefixes with --sensor)\n",
                    AGG_MAX_PROBED);
    }
}

int report_write_text(FILE *out, const struct report_input *in)
{
    const struct analysis *an = in->an;
    print_inputs(out, in);
    fprintf(out,
            "\nSYN probes: %" PRIu64 " from %" PRIu64 " source%s (%" PRIu64
            " scanning source%s in all)\n",
            an->syn_probes, an->tool_syn_sources, an->tool_syn_sources == 1 ? "" : "s",
            an->class_sources[CLASS_SCANNER], an->class_sources[CLASS_SCANNER] == 1 ? "" : "s");
    fprintf(out, "  %-12s %12s %8s %11s %10s %10s\n", "tool", "SYN packets", "share", "SYN sources",
            "UDP", "ICMP echo");
    for (size_t t = 1; t <= an->n_tools; t++) {
        size_t tool = t % an->n_tools; /* unknown last */
        const struct tool_totals *tt = &an->tool[tool];
        if (!tt->sources && tool != TOOL_UNKNOWN) continue;
        fprintf(out, "  %-12s %12" PRIu64 " %7.2f%% %11" PRIu64 " %10" PRIu64 " %10" PRIu64 "\n",
                fprules_tool_name(in->rules, (int)tool), tt->syn_packets,
                percent(tt->syn_packets, an->syn_probes), tt->syn_sources, tt->udp_packets,
                tt->icmp_packets);
    }
    const uint64_t *cs = an->class_sources;
    fprintf(out, "\nSet aside (not counted as probes):\n");
    fprintf(out, "  reflection   %12" PRIu64 " SYN packets from %" PRIu64 " spoofed source%s\n",
            an->reflection_syn, cs[CLASS_REFLECTION], cs[CLASS_REFLECTION] == 1 ? "" : "s");
    fprintf(out, "  backscatter  %12" PRIu64 " packets from %" PRIu64 " source%s\n",
            an->backscatter_packets, cs[CLASS_BACKSCATTER], cs[CLASS_BACKSCATTER] == 1 ? "" : "s");
    fprintf(out, "  sensor       %12" PRIu64 " packets from %" PRIu64 " sensor address%s\n",
            an->class_packets[CLASS_SENSOR], cs[CLASS_SENSOR], cs[CLASS_SENSOR] == 1 ? "" : "es");
    if (in->fig) {
        char lines[16][FINDING_LEN];
        size_t n = report_findings(in, lines, 16);
        if (n) fputc('\n', out);
        for (size_t i = 0; i < n; i++)
            fprintf(out, "%s\n", lines[i]);
    }
    return ferror(out) ? -1 : 0;
}
