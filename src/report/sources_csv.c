/* sources.csv: one row per source address with its tool, class and counts. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../util/timefmt.h"
#include "report.h"

/* Rows are written field by field with stdio's unlocked calls, not fprintf: for millions of
 * sources, parsing the format string of each row cost more than everything else. */

/* A decimal number, then a comma. */
static void put_number(FILE *out, uint64_t v)
{
    char digits[20];
    int n = 0;
    do
        digits[n++] = (char)('0' + v % 10);
    while (v /= 10);
    while (n)
        putc_unlocked(digits[--n], out);
    putc_unlocked(',', out);
}

/* Text, then a comma. */
static void put_field(FILE *out, const char *s)
{
    fputs_unlocked(s, out);
    putc_unlocked(',', out);
}

/* RFC 4180 quoting for text that may hold commas or quotes (an organisation's name). */
static void csv_text(FILE *out, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs_unlocked(s, out);
        return;
    }
    putc_unlocked('"', out);
    for (; *s; s++) {
        if (*s == '"') putc_unlocked('"', out);
        putc_unlocked(*s, out);
    }
    putc_unlocked('"', out);
}

int report_write_sources_csv(FILE *out, const struct report_input *in)
{
    const struct analysis *an = in->an;
    fputs("src,tool,class,syn_packets,udp_packets,icmp_packets,backscatter_packets,"
          "other_packets,dst_ports,udp_ports,dst_addrs,first_seen,last_seen,days,"
          "tool_matched,probes,rule,research_days,known_org,known_label\n",
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
        put_field(out, ipaddr_format(&s->src, text, sizeof text));
        put_field(out, fprules_tool_name(in->rules, s->tool));
        put_field(out, source_class_name(s->cls));
        put_number(out, k[KIND_SYN_PROBE]);
        put_number(out, k[KIND_UDP_PROBE]);
        put_number(out, k[KIND_ICMP_PROBE]);
        put_number(out, k[KIND_BACKSCATTER]);
        put_number(out, k[KIND_OTHER] + k[KIND_SENSOR]);
        put_number(out, s->syn_ports);
        put_number(out, s->udp_ports);
        put_number(out, s->dst_addrs);
        put_field(out, format_time_utc(s->first_ns, text, sizeof text));
        put_field(out, format_time_utc(s->last_ns, text, sizeof text));
        put_number(out, s->days);
        put_number(out, s->tool_matched);
        put_number(out, source_probes(s));
        put_field(out, s->rule >= 0 ? fprules_rule_name(in->rules, s->rule) : "");
        put_number(out, s->research_days);
        csv_text(out, s->known >= 0 ? known_list_org(in->known, s->known) : "");
        putc_unlocked(',', out);
        csv_text(out, s->known >= 0 ? known_list_label(in->known, s->known) : "");
        putc_unlocked('\n', out);
    }
    source_reader_free(reader);
    return ferror(out) ? -1 : 0;
}
