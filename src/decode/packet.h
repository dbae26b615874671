/* The decoded packet: the one struct that flows from decode through classify to aggregate.
 * Decoders fill the header fields; classify fills kind/tool/rule. Pointers point into the
 * frame the reader handed out, valid until the next frame is read. */
#ifndef SCANLENS_PACKET_H
#define SCANLENS_PACKET_H

#include <stdint.h>
#include <string.h>

/* How far decoding got. Anything but PKT_OK is counted and skipped, never guessed at. */
enum packet_status {
    PKT_OK = 0,
    PKT_TRUNCATED,    /* snaplen or a cut record left a header incomplete */
    PKT_FRAGMENT,     /* a non-first IP fragment: no transport header to read */
    PKT_NOT_IP,       /* ARP, LLDP, ... */
    PKT_UNKNOWN_LINK, /* a link type scanlens does not decode */
    PKT_MALFORMED,    /* a header contradicts itself (bad IHL, length below header) */
    PKT_STATUS_COUNT
};

/* What a packet is to a sensor. Reflection is decided per source, later (aggregate). */
enum packet_kind {
    KIND_NONE = 0,    /* not decoded */
    KIND_SYN_PROBE,   /* TCP SYN without ACK */
    KIND_UDP_PROBE,   /* any UDP datagram towards the sensor */
    KIND_ICMP_PROBE,  /* ICMP / ICMPv6 echo request */
    KIND_BACKSCATTER, /* SYN/ACK, RST, ICMP errors and echo replies: replies to someone else */
    KIND_SENSOR,      /* sent by one of the sensor's own addresses */
    KIND_OTHER,       /* established-session TCP, other ICMP, other IP protocols */
    KIND_COUNT
};

/* A probe: what a scanner sends, and what fingerprints and probe counts are about. */
static inline int kind_is_probe(int kind)
{
    return kind == KIND_SYN_PROBE || kind == KIND_UDP_PROBE || kind == KIND_ICMP_PROBE;
}

enum tcp_flag {
    TCP_FIN = 0x01,
    TCP_SYN = 0x02,
    TCP_RST = 0x04,
    TCP_PSH = 0x08,
    TCP_ACK = 0x10,
    TCP_URG = 0x20,
    TCP_ECE = 0x40,
    TCP_CWR = 0x80,
};

/* An IPv4 address is stored as ::ffff:a.b.c.d so that one type serves both families. */
struct ipaddr {
    uint8_t b[16];
};

#define TCP_MAX_OPTIONS 40

struct packet {
    int64_t ts_ns; /* capture time, ns since the Unix epoch */
    uint32_t caplen, wirelen;
    uint16_t linktype;
    uint8_t status; /* enum packet_status */
    uint8_t kind;   /* enum packet_kind, set by classify */

    /* network layer */
    uint8_t ip_version; /* 4 or 6 */
    uint8_t proto;      /* transport protocol number (after IPv6 extension headers) */
    uint8_t ttl;        /* TTL or hop limit */
    uint8_t df;         /* IPv4 don't-fragment bit */
    uint16_t ip_id;     /* IPv4 identification (0 for IPv6) */
    uint16_t ip_len;    /* IPv4 total length / IPv6 payload length + 40 */
    uint16_t l4_len;    /* transport header + payload length, from the IP header (not caplen) */
    struct ipaddr src, dst;
    uint32_t src4, dst4; /* IPv4 addresses in host order, 0 for IPv6 */

    /* transport layer */
    uint16_t sport, dport;
    uint16_t payload_len; /* transport payload length as sent (may exceed what was captured) */
    /* TCP */
    uint32_t seq, ack;
    uint16_t window;
    uint8_t tcp_flags;
    uint8_t opt_len;     /* bytes of TCP options captured */
    uint8_t opts_cut;    /* the snapshot length cut the options: opt_len is what was kept */
    const uint8_t *opts; /* raw option bytes, inside the frame (packet_tcp_timestamp) */
    /* ICMP / ICMPv6 */
    uint8_t icmp_type, icmp_code;
    uint16_t icmp_id, icmp_seq;

    /* classification */
    uint8_t tool; /* enum tool_id, TOOL_UNKNOWN when no rule matched */
    int16_t rule; /* index of the fingerprint rule that matched, -1 for none */
};

static inline int ipaddr_is_v4(const struct ipaddr *a)
{
    static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return memcmp(a->b, prefix, sizeof prefix) == 0;
}

/* The IPv4 address of ::ffff:a.b.c.d, in host order. */
static inline uint32_t ipaddr_v4(const struct ipaddr *a)
{
    return (uint32_t)a->b[12] << 24 | (uint32_t)a->b[13] << 16 | (uint32_t)a->b[14] << 8 | a->b[15];
}

/* ::ffff:a.b.c.d for an IPv4 address in host order. */
static inline struct ipaddr ipaddr_from_v4(uint32_t v4)
{
    struct ipaddr a = {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, (uint8_t)(v4 >> 24),
                        (uint8_t)(v4 >> 16), (uint8_t)(v4 >> 8), (uint8_t)v4}};
    return a;
}

#endif
