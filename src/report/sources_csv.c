/* sources.csv: one row per source address with its tool, class and counts. */
#include <stdio.h>

#include "../util/timefmt.h"
#include "csv_out.h"
#include "report.h"

int report_write_sources_csv(FILE *out, const struct report_input *in)
{
    const struct analysis *an = in->an;
    fputs("src,tool,class,syn_packets,udp_packets,icmp_packets,backscatter_packets,"
          "other_packets,dst_ports,udp_ports,dst_addrs,first_seen,last_seen,days,"
          "tool_matched,probes,rule,research_days,known_org,known_label,syn_per_day_pair\n",
          out);
    char text[64];
    source_reader_t *reader = source_reader_new(an);
    if (!reader) return -1;
    for (size_t i = 0; i < an->n_sources; i++) {
        source_reader_ahead(reader, i);
        const struct source_summary *s = source_reader_get(reader, analysis_ranked(an, i));
        if (!s) {
            source_reader_free(reader);
            return -1;
        }
        const uint64_t *k = s->kind_packets;
        csv_put_field(out, ipaddr_format(&s->src, text, sizeof text));
        csv_put_field(out, fprules_tool_name(in->rules, s->tool));
        csv_put_field(out, source_class_name(s->cls));
        csv_put_number(out, k[KIND_SYN_PROBE]);
        csv_put_number(out, k[KIND_UDP_PROBE]);
        csv_put_number(out, k[KIND_ICMP_PROBE]);
        csv_put_number(out, k[KIND_BACKSCATTER]);
        csv_put_number(out, k[KIND_OTHER] + k[KIND_SENSOR]);
        csv_put_number(out, s->syn_ports);
        csv_put_number(out, s->udp_ports);
        csv_put_number(out, s->dst_addrs);
        csv_put_field(out, format_time_utc(s->first_ns, text, sizeof text));
        csv_put_field(out, format_time_utc(s->last_ns, text, sizeof text));
        csv_put_number(out, s->days);
        csv_put_number(out, s->tool_matched);
        csv_put_number(out, source_probes(s));
        csv_put_field(out, s->rule >= 0 ? fprules_rule_name(in->rules, s->rule) : "");
        csv_put_number(out, s->research_days);
        csv_put_text(out, s->known >= 0 ? known_list_org(in->known, s->known) : "");
        putc_unlocked(',', out);
        csv_put_text(out, s->known >= 0 ? known_list_label(in->known, s->known) : "");
        putc_unlocked(',', out);
        /* cut, not rounded: 9.999 shows as 9.99, below the rule's 10, as the rule sees it */
        csv_put_last_hundredths(out, s->syn_per_day_pair_x100);
    }
    source_reader_free(reader);
    return ferror(out) ? -1 : 0;
}
