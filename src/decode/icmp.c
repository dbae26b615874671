/* ICMP and ICMPv6 decoder: type, code, and the echo identifier and sequence number that
 * ping-style probes (ZMap's icmp_echo module among them) use as markers. */
#include "layers.h"

int decode_icmp(struct cursor *c, struct packet *p)
{
    const uint8_t *h = cursor_take(c, 8);
    if (!h) return PKT_TRUNCATED;
    p->icmp_type = h[0];
    p->icmp_code = h[1];
    p->icmp_id = load_be16(h + 4);
    p->icmp_seq = load_be16(h + 6);
    p->payload_len = (uint16_t)(p->l4_len >= 8 ? p->l4_len - 8 : 0);
    return PKT_OK;
}
