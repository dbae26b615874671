/* Packet kinds from flags and types, then the fingerprint rules for probes.
 * The rules for each kind are in docs/classification.md. */
#include "classify.h"

#include "../decode/decode.h"

/* UDP source ports of services that answer spoofed requests (DNS, NTP, SNMP, SSDP, memcached,
 * chargen, CLDAP): such datagrams to a high port are replies to someone else's traffic. */
static bool is_reflector_reply(const struct packet *p)
{
    if (p->dport < 1024) return false;
    switch (p->sport) {
    case 19:
    case 53:
    case 123:
    case 161:
    case 389:
    case 1900:
    case 11211:
        return true;
    default:
        return false;
    }
}

static int tcp_kind(const struct packet *p)
{
    uint8_t f = p->tcp_flags;
    if ((f & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN) return KIND_SYN_PROBE;
    if ((f & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK) || (f & TCP_RST)) return KIND_BACKSCATTER;
    return KIND_OTHER;
}

static int icmp_kind(const struct packet *p)
{
    if (p->proto == IPPROTO_NUM_ICMP) {
        switch (p->icmp_type) {
        case 8:
            return KIND_ICMP_PROBE; /* echo request */
        case 0:
        case 3:
        case 4:
        case 5:
        case 11:
        case 12:
            return KIND_BACKSCATTER; /* replies, errors */
        default:
            return KIND_OTHER;
        }
    }
    if (p->icmp_type == 128) return KIND_ICMP_PROBE;
    if (p->icmp_type == 129 || (p->icmp_type >= 1 && p->icmp_type <= 4)) return KIND_BACKSCATTER;
    return KIND_OTHER; /* neighbour discovery, router advertisements, ... */
}

void classify_packet(const struct classifier *c, struct packet *p)
{
    p->tool = TOOL_UNKNOWN;
    p->rule = -1;
    if (p->status != PKT_OK) {
        p->kind = KIND_NONE;
        return;
    }
    if (c->sensor && c->sensor->n && netset_contains(c->sensor, &p->src)) {
        p->kind = KIND_SENSOR;
        return;
    }
    switch (p->proto) {
    case IPPROTO_NUM_TCP:
        p->kind = (uint8_t)tcp_kind(p);
        break;
    case IPPROTO_NUM_UDP:
        p->kind = is_reflector_reply(p) ? KIND_BACKSCATTER : KIND_UDP_PROBE;
        break;
    case IPPROTO_NUM_ICMP:
    case IPPROTO_NUM_ICMPV6:
        p->kind = (uint8_t)icmp_kind(p);
        break;
    default:
        p->kind = KIND_OTHER;
        break;
    }
    if (kind_is_probe(p->kind)) fprules_match(c->rules, p);
}

const char *packet_kind_name(int kind)
{
    static const char *const names[KIND_COUNT] = {
        [KIND_NONE] = "undecoded",
        [KIND_SYN_PROBE] = "syn",
        [KIND_UDP_PROBE] = "udp",
        [KIND_ICMP_PROBE] = "icmp-echo",
        [KIND_BACKSCATTER] = "backscatter",
        [KIND_SENSOR] = "sensor",
        [KIND_OTHER] = "other",
    };
    return kind >= 0 && kind < KIND_COUNT ? names[kind] : "?";
}
