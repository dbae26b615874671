/* Chains the per-layer decoders: link, then IPv4 or IPv6, then TCP, UDP or ICMP. */
#include "decode.h"

#include "layers.h"

static int decode_layers(struct cursor *c, struct packet *p)
{
    uint16_t ethertype = 0;
    int status = decode_link(c, p->linktype, &ethertype);
    if (status != PKT_OK) return status;
    if (ethertype == ETHERTYPE_IPV4)
        status = decode_ipv4(c, p);
    else if (ethertype == ETHERTYPE_IPV6)
        status = decode_ipv6(c, p);
    else
        return PKT_NOT_IP;
    if (status != PKT_OK) return status;

    switch (p->proto) {
    case IPPROTO_NUM_TCP:
        return decode_tcp(c, p);
    case IPPROTO_NUM_UDP:
        return decode_udp(c, p);
    case IPPROTO_NUM_ICMP:
    case IPPROTO_NUM_ICMPV6:
        return decode_icmp(c, p);
    default:
        return PKT_OK; /* other protocols: network layer is all there is to read */
    }
}

int decode_frame(struct packet *p, uint16_t linktype, const uint8_t *data, uint32_t caplen,
                 uint32_t wirelen, int64_t ts_ns)
{
    /* Copied from a constant rather than memset: GCC makes that 176-byte memset a `rep stos`,
     * whose start-up costs more than the stores (a packet's worth of time, every packet). The
     * empty asm hides what the constant holds: with link-time optimisation GCC saw it was
     * zeros and made the copy that memset again (40% of the read loop's own time by perf). */
    static const struct packet blank = {.rule = -1};
    const struct packet *from = &blank;
    __asm__("" : "+r"(from));
    *p = *from;
    p->ts_ns = ts_ns;
    p->caplen = caplen;
    p->wirelen = wirelen;
    p->linktype = linktype;
    struct cursor c;
    cursor_init(&c, data, caplen);
    p->status = (uint8_t)decode_layers(&c, p);
    return p->status;
}

const char *packet_status_name(int status)
{
    static const char *const names[PKT_STATUS_COUNT] = {
        [PKT_OK] = "ok",         [PKT_TRUNCATED] = "truncated",       [PKT_FRAGMENT] = "fragment",
        [PKT_NOT_IP] = "not-ip", [PKT_UNKNOWN_LINK] = "unknown-link", [PKT_MALFORMED] = "malformed",
    };
    return status >= 0 && status < PKT_STATUS_COUNT ? names[status] : "?";
}
