/* CSV and JSON Lines output of per-packet verdicts. */
#include "packet_writer.h"

#include <string.h>

#include "../classify/classify.h"
#include "../classify/netset.h"
#include "../decode/decode.h"
#include "../util/timefmt.h"

struct packet_text {
    char time[40], src[64], dst[64], flags[9];
    const char *proto, *kind, *tool, *rule, *status;
};

static const char *proto_name(const struct packet *p)
{
    if (p->status != PKT_OK && !p->ip_version) return "";
    switch (p->proto) {
    case IPPROTO_NUM_TCP:
        return "tcp";
    case IPPROTO_NUM_UDP:
        return "udp";
    case IPPROTO_NUM_ICMP:
        return "icmp";
    case IPPROTO_NUM_ICMPV6:
        return "icmp6";
    default:
        return "ip";
    }
}

static void describe(const struct packet *p, const fprules_t *rules, struct packet_text *t)
{
    format_time_utc(p->ts_ns, t->time, sizeof t->time);
    t->src[0] = t->dst[0] = '\0';
    if (p->ip_version) {
        ipaddr_format(&p->src, t->src, sizeof t->src);
        ipaddr_format(&p->dst, t->dst, sizeof t->dst);
    }
    static const char letters[] = "FSRPAUEC";
    size_t n = 0;
    if (p->proto == IPPROTO_NUM_TCP)
        for (int i = 0; i < 8; i++)
            if (p->tcp_flags & (1 << i)) t->flags[n++] = letters[i];
    t->flags[n] = '\0';
    t->proto = proto_name(p);
    t->kind = packet_kind_name(p->kind);
    t->tool = fprules_tool_name(rules, p->tool);
    t->rule = p->rule >= 0 ? fprules_rule_name(rules, p->rule) : "";
    t->status = packet_status_name(p->status);
}

static void csv_header(FILE *out)
{
    fputs("time,src,sport,dst,dport,proto,flags,ttl,ipid,window,seq,ack,length,status,kind,"
          "tool,rule\n",
          out);
}

static void csv_write(FILE *out, const struct packet *p, const fprules_t *rules)
{
    struct packet_text t;
    describe(p, rules, &t);
    fprintf(out, "%s,%s,%u,%s,%u,%s,%s,%u,%u,%u,%u,%u,%u,%s,%s,%s,%s\n", t.time, t.src, p->sport,
            t.dst, p->dport, t.proto, t.flags, p->ttl, p->ip_id, p->window, p->seq, p->ack,
            p->wirelen, t.status, t.kind, t.tool, t.rule);
}

static void jsonl_header(FILE *out)
{
    (void)out;
}

/* Every value written here is an address, a number or a name made of [A-Za-z0-9.+_:-], so
 * none needs escaping. */
static void jsonl_write(FILE *out, const struct packet *p, const fprules_t *rules)
{
    struct packet_text t;
    describe(p, rules, &t);
    fprintf(out,
            "{\"time\":\"%s\",\"src\":\"%s\",\"sport\":%u,\"dst\":\"%s\",\"dport\":%u,"
            "\"proto\":\"%s\",\"flags\":\"%s\",\"ttl\":%u,\"ipid\":%u,\"window\":%u,\"seq\":%u,"
            "\"ack\":%u,\"length\":%u,\"status\":\"%s\",\"kind\":\"%s\",\"tool\":\"%s\","
            "\"rule\":\"%s\"}\n",
            t.time, t.src, p->sport, t.dst, p->dport, t.proto, t.flags, p->ttl, p->ip_id, p->window,
            p->seq, p->ack, p->wirelen, t.status, t.kind, t.tool, t.rule);
}

static const struct packet_writer writers[] = {
    {"csv", csv_header, csv_write},
    {"jsonl", jsonl_header, jsonl_write},
};

const struct packet_writer *packet_writer_find(const char *name)
{
    for (size_t i = 0; i < sizeof writers / sizeof writers[0]; i++)
        if (strcmp(writers[i].name, name) == 0) return &writers[i];
    return NULL;
}
