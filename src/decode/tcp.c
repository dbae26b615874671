/* TCP decoder: ports, sequence numbers, flags, window, and the option list kept raw for the
 * fingerprints' byte-for-byte layout match; the timestamp option read out of it on demand. */
#include "decode.h"
#include "layers.h"

#define TCPOPT_EOL 0
#define TCPOPT_NOP 1
#define TCPOPT_TIMESTAMP 8

/* Walked on demand, not while decoding: only a few rules read the timestamp, and a walk over
 * every packet's options (whose layout changes from packet to packet) mispredicted a branch or
 * two a packet. */
bool packet_tcp_timestamp(const struct packet *p, uint32_t *tsval, uint32_t *tsecr)
{
    if (p->proto != IPPROTO_NUM_TCP || p->opts_cut) return false;
    for (size_t i = 0; i < p->opt_len;) {
        uint8_t kind = p->opts[i];
        if (kind == TCPOPT_EOL) return false;
        if (kind == TCPOPT_NOP) {
            i++;
            continue;
        }
        if (i + 1 >= p->opt_len) return false;
        uint8_t len = p->opts[i + 1];
        if (len < 2 || i + len > p->opt_len) return false;
        if (kind == TCPOPT_TIMESTAMP && len == 10) {
            *tsval = load_be32(p->opts + i + 2);
            *tsecr = load_be32(p->opts + i + 6);
            return true;
        }
        i += len;
    }
    return false;
}

int decode_tcp(struct cursor *c, struct packet *p)
{
    const uint8_t *h = cursor_take(c, 20);
    if (!h) return PKT_TRUNCATED;
    p->sport = load_be16(h);
    p->dport = load_be16(h + 2);
    p->seq = load_be32(h + 4);
    p->ack = load_be32(h + 8);
    size_t header_len = (size_t)(h[12] >> 4) * 4;
    p->tcp_flags = h[13];
    p->window = load_be16(h + 14);
    if (header_len < 20) return PKT_MALFORMED;
    size_t opt_len = header_len - 20;
    p->opts = cursor_ptr(c);
    if (!cursor_skip(c, opt_len)) {
        /* A small snaplen (tcpdump -s 68, say) cut the options: the fixed header is whole, so
         * the packet still counts, but no rule may judge the options it cannot see. */
        p->opt_len = (uint8_t)cursor_left(c);
        p->opts_cut = 1;
    } else {
        p->opt_len = (uint8_t)opt_len;
    }
    p->payload_len = (uint16_t)(p->l4_len > header_len ? p->l4_len - header_len : 0);
    return PKT_OK;
}
