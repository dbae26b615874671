/* IPv6 decoder: fixed header plus the extension-header chain up to the transport header.
 * A fragment header with a non-zero offset makes the packet a non-first fragment. */
#include <string.h>

#include "layers.h"

#define IPV6_HOPOPTS 0
#define IPV6_ROUTING 43
#define IPV6_FRAGMENT 44
#define IPV6_AH 51
#define IPV6_DSTOPTS 60
#define IPV6_MAX_EXTENSIONS 8

int decode_ipv6(struct cursor *c, struct packet *p)
{
    const uint8_t *h = cursor_take(c, 40);
    if (!h) return PKT_TRUNCATED;
    if (h[0] >> 4 != 6) return PKT_MALFORMED;
    uint16_t payload_len = load_be16(h + 4);
    p->ip_version = 6;
    p->ip_len = (uint16_t)(payload_len + 40 > 0xFFFF ? 0xFFFF : payload_len + 40);
    p->ttl = h[7];
    memcpy(p->src.b, h + 8, 16);
    memcpy(p->dst.b, h + 24, 16);
    /* Jumbograms (payload length 0) keep whatever was captured. */
    if (payload_len && c->pos + payload_len < c->len) c->len = c->pos + payload_len;

    size_t start = c->pos; /* extension headers count against the payload length */
    uint8_t next = h[6];
    for (int i = 0; i < IPV6_MAX_EXTENSIONS; i++) {
        const uint8_t *e;
        switch (next) {
        case IPV6_HOPOPTS:
        case IPV6_ROUTING:
        case IPV6_DSTOPTS:
            if (!(e = cursor_take(c, 2))) return PKT_TRUNCATED;
            next = e[0];
            if (!cursor_skip(c, (size_t)e[1] * 8 + 6)) return PKT_TRUNCATED;
            break;
        case IPV6_AH:
            if (!(e = cursor_take(c, 2))) return PKT_TRUNCATED;
            next = e[0];
            if (!cursor_skip(c, ((size_t)e[1] + 2) * 4 - 2)) return PKT_TRUNCATED;
            break;
        case IPV6_FRAGMENT:
            if (!(e = cursor_take(c, 8))) return PKT_TRUNCATED;
            next = e[0];
            p->proto = next;
            if (load_be16(e + 2) & 0xFFF8) return PKT_FRAGMENT;
            break;
        default:
            p->proto = next;
            size_t header_bytes = c->pos - start;
            p->l4_len = (uint16_t)(payload_len > header_bytes ? payload_len - header_bytes : 0);
            return PKT_OK;
        }
    }
    p->proto = next;
    return PKT_MALFORMED;
}
