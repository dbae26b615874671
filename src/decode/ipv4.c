/* IPv4 decoder: header fields the fingerprints use, fragment detection, and trimming of
 * link-layer padding so the transport decoders see only the datagram. */
#include <string.h>

#include "layers.h"

#define IPV4_FLAG_DF 0x4000
#define IPV4_FLAG_MF 0x2000
#define IPV4_OFFSET_MASK 0x1FFF

int decode_ipv4(struct cursor *c, struct packet *p)
{
    const uint8_t *h = cursor_ptr(c);
    if (cursor_left(c) < 20) return PKT_TRUNCATED;
    if (h[0] >> 4 != 4) return PKT_MALFORMED;
    size_t header_len = (size_t)(h[0] & 0x0F) * 4;
    uint16_t total_len = load_be16(h + 2);
    if (header_len < 20 || total_len < header_len) return PKT_MALFORMED;

    p->ip_version = 4;
    p->ip_len = total_len;
    p->ip_id = load_be16(h + 4);
    uint16_t frag = load_be16(h + 6);
    p->df = (frag & IPV4_FLAG_DF) != 0;
    p->ttl = h[8];
    p->proto = h[9];
    p->src4 = load_be32(h + 12);
    p->dst4 = load_be32(h + 16);
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    memcpy(p->src.b, mapped, 12);
    memcpy(p->src.b + 12, h + 12, 4);
    memcpy(p->dst.b, mapped, 12);
    memcpy(p->dst.b + 12, h + 16, 4);

    p->l4_len = (uint16_t)(total_len - header_len);
    if (frag & IPV4_OFFSET_MASK) return PKT_FRAGMENT;
    if (!cursor_skip(c, header_len)) return PKT_TRUNCATED;
    /* Ethernet pads short frames; the datagram ends where IPv4 says it does. */
    size_t datagram_end = c->pos - header_len + total_len;
    if (datagram_end < c->len) c->len = datagram_end;
    return PKT_OK;
}
