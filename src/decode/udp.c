/* UDP decoder: ports and the payload length the header claims. */
#include "layers.h"

int decode_udp(struct cursor *c, struct packet *p)
{
    const uint8_t *h = cursor_take(c, 8);
    if (!h) return PKT_TRUNCATED;
    p->sport = load_be16(h);
    p->dport = load_be16(h + 2);
    uint16_t len = load_be16(h + 4);
    if (len < 8 && !(p->ip_version == 6 && len == 0)) return PKT_MALFORMED;
    p->payload_len = (uint16_t)(len >= 8 ? len - 8 : p->l4_len - 8);
    return PKT_OK;
}
