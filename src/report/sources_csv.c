/* sources.csv: one row per source address with its tool, class and counts. */
#include <inttypes.h>
#include <string.h>

#include "../util/timefmt.h"
#include "report.h"

/* RFC 4180 quoting for text that may hold commas or quotes (an organisation's name). */
static void csv_text(FILE *out, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"') fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

int report_write_sources_csv(FILE *out, const struct report_input *in)
{
    const struct analysis *an = in->an;
    fputs("src,tool,class,syn_packets,udp_packets,icmp_packets,backscatter_packets,"
          "other_packets,dst_ports,udp_ports,dst_addrs,first_seen,last_seen,days,"
          "tool_matched,probes,rule,research_days,known_org,known_label\n",
          out);
    char addr[64], first[40], last[40];
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
        fprintf(out,
                "%s,%s,%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
                ",%u,%u,%u,%s,%s,%u,%" PRIu64 ",%" PRIu64 ",%s,%u,",
                ipaddr_format(&s->src, addr, sizeof addr), fprules_tool_name(in->rules, s->tool),
                source_class_name(s->cls), k[KIND_SYN_PROBE], k[KIND_UDP_PROBE], k[KIND_ICMP_PROBE],
                k[KIND_BACKSCATTER], k[KIND_OTHER] + k[KIND_SENSOR], s->syn_ports, s->udp_ports,
                s->dst_addrs, format_time_utc(s->first_ns, first, sizeof first),
                format_time_utc(s->last_ns, last, sizeof last), s->days, s->tool_matched,
                source_probes(s), s->rule >= 0 ? fprules_rule_name(in->rules, s->rule) : "",
                s->research_days);
        csv_text(out, s->known >= 0 ? known_list_org(in->known, s->known) : "");
        fputc(',', out);
        csv_text(out, s->known >= 0 ? known_list_label(in->known, s->known) : "");
        fputc('\n', out);
    }
    source_reader_free(reader);
    return ferror(out) ? -1 : 0;
}
