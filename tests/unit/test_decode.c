/* Decoder tests on hand-built frames: field values, and every truncation of a frame. The
 * frames are copied into exactly-sized heap buffers so that ASan catches any over-read. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "decode/decode.h"
#include "decode/linktypes.h"

/* Ethernet, IPv4 (TTL 57, id 0x1234, no DF), TCP SYN 40000 -> 23, seq 0xC6336405,
 * window 1024, options MSS 1460, NOP, NOP, TS(val 0x11223344, ecr 0). */
static const uint8_t syn_frame[] = {
    0x02, 0,    0,    0,    0,    2,    0x02, 0,    0,    0,    0,    1,    0x08, 0x00,
    0x45, 0x00, 0x00, 0x38, 0x12, 0x34, 0x00, 0x00, 57,   6,    0,    0,    203,  0,
    113,  9,    198,  51,   100,  5,    0x9c, 0x40, 0x00, 0x17, 0xc6, 0x33, 0x64, 0x05,
    0,    0,    0,    0,    0x90, 0x02, 0x04, 0x00, 0,    0,    0,    0,    2,    4,
    0x05, 0xb4, 1,    1,    8,    10,   0x11, 0x22, 0x33, 0x44, 0,    0,    0,    0,
};

/* The timestamp option of the last frame decode_copy decoded, read while the frame was there. */
static bool copy_has_ts;
static uint32_t copy_tsval, copy_tsecr;

static int decode_copy(struct packet *p, uint16_t linktype, const uint8_t *frame, size_t len)
{
    uint8_t *copy = malloc(len ? len : 1);
    memcpy(copy, frame, len);
    int status = decode_frame(p, linktype, copy, (uint32_t)len, (uint32_t)len, 0);
    copy_tsval = copy_tsecr = 0;
    copy_has_ts = status == PKT_OK && packet_tcp_timestamp(p, &copy_tsval, &copy_tsecr);
    p->opts = NULL; /* points into the freed copy */
    free(copy);
    return status;
}

static void test_tcp_syn(void)
{
    struct packet p;
    CHECK("ipv4 tcp syn decodes",
          decode_copy(&p, LINKTYPE_ETHERNET, syn_frame, sizeof syn_frame) == PKT_OK);
    CHECK("addresses", p.src4 == 0xCB007109u && p.dst4 == 0xC6336405u);
    CHECK("v4-mapped address", p.src.b[10] == 0xff && p.src.b[12] == 203);
    CHECK("ports", p.sport == 40000 && p.dport == 23);
    CHECK("seq", p.seq == 0xC6336405u);
    CHECK("flags SYN", p.tcp_flags == TCP_SYN);
    CHECK("window", p.window == 1024);
    CHECK("ttl, id, df", p.ttl == 57 && p.ip_id == 0x1234 && p.df == 0);
    CHECK("options length", p.opt_len == 16);
    CHECK("timestamp option read", copy_has_ts && copy_tsval == 0x11223344u && copy_tsecr == 0);
    CHECK("no payload", p.payload_len == 0);
}

/* The timestamp option among others, in the layouts real stacks send and broken ones. */
static void test_tcp_timestamp(void)
{
    static const struct {
        const char *name;
        uint8_t opts[40];
        uint8_t len;
        bool found;
        uint32_t tsval, tsecr;
    } cases[] = {
        {"Linux SYN: MSS, SACK-permitted, TS, NOP, WS",
         {2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 1, 0, 0, 0, 0, 7, 1, 3, 3, 7},
         20,
         true,
         256,
         7},
        {"NOP, NOP, TS", {1, 1, 8, 10, 0, 0, 0, 9, 0, 0, 0, 3}, 12, true, 9, 3},
        {"no timestamp: MSS, NOP, WS, NOP, NOP, SACK-permitted",
         {2, 4, 5, 0xb4, 1, 3, 3, 8, 1, 1, 4, 2},
         12,
         false,
         0,
         0},
        {"end of options before it",
         {2, 4, 5, 0xb4, 0, 0, 8, 10, 0, 0, 0, 1, 0, 0, 0, 1},
         16,
         false,
         0,
         0},
        {"a timestamp of the wrong length", {8, 6, 0, 0, 0, 1}, 6, false, 0, 0},
        {"an option longer than what is left", {2, 4, 5, 0xb4, 8, 10, 0, 0, 0, 1}, 10, false, 0, 0},
        {"an option length below 2", {3, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 1}, 12, false, 0, 0},
        {"a kind with no length byte left", {1, 1, 1, 8}, 4, false, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct packet p = {.proto = 6, .opts = cases[i].opts, .opt_len = cases[i].len};
        uint32_t tsval = 0, tsecr = 0;
        bool found = packet_tcp_timestamp(&p, &tsval, &tsecr);
        CHECK(cases[i].name,
              found == cases[i].found && tsval == cases[i].tsval && tsecr == cases[i].tsecr);
    }
    struct packet cut = {.proto = 6, .opts = cases[1].opts, .opt_len = 12, .opts_cut = 1};
    uint32_t tsval, tsecr;
    CHECK("options cut by the snapshot length: no timestamp",
          !packet_tcp_timestamp(&cut, &tsval, &tsecr));
}

/* Cut before the end of the fixed TCP header (54 bytes): truncated. Cut inside the options,
 * as a small snaplen does: the packet counts, its options marked as cut. */
static void test_every_truncation(void)
{
    int wrong = 0;
    for (size_t len = 0; len < sizeof syn_frame; len++) {
        struct packet p;
        int status = decode_copy(&p, LINKTYPE_ETHERNET, syn_frame, len);
        if (len < 54 && status != PKT_TRUNCATED) wrong++;
        if (len >= 54 && (status != PKT_OK || !p.opts_cut || p.opt_len != len - 54 || copy_has_ts))
            wrong++;
    }
    CHECK("cuts before the TCP options are truncated; cuts inside them keep the packet",
          wrong == 0);
    struct packet p;
    decode_copy(&p, LINKTYPE_ETHERNET, syn_frame, sizeof syn_frame);
    CHECK("the whole frame has its options whole", !p.opts_cut);
}

static void test_padding_and_malformed(void)
{
    uint8_t f[sizeof syn_frame + 6];
    memcpy(f, syn_frame, sizeof syn_frame);
    memset(f + sizeof syn_frame, 0xEE, 6); /* Ethernet trailer */
    struct packet p;
    CHECK("ethernet padding ignored",
          decode_copy(&p, LINKTYPE_ETHERNET, f, sizeof f) == PKT_OK && p.payload_len == 0);
    memcpy(f, syn_frame, sizeof syn_frame);
    f[14] = 0x44; /* IHL 4: below the minimum */
    CHECK("IHL below 5 is malformed",
          decode_copy(&p, LINKTYPE_ETHERNET, f, sizeof syn_frame) == PKT_MALFORMED);
    memcpy(f, syn_frame, sizeof syn_frame);
    f[20] = 0x00, f[21] = 0x10; /* fragment offset 16 */
    CHECK("non-first fragment",
          decode_copy(&p, LINKTYPE_ETHERNET, f, sizeof syn_frame) == PKT_FRAGMENT);
    memcpy(f, syn_frame, sizeof syn_frame);
    f[46] = 0x30; /* TCP data offset 3 words */
    CHECK("TCP offset below 5 is malformed",
          decode_copy(&p, LINKTYPE_ETHERNET, f, sizeof syn_frame) == PKT_MALFORMED);
    memcpy(f, syn_frame, sizeof syn_frame);
    f[12] = 0x08, f[13] = 0x06; /* ARP */
    CHECK("ARP is not IP", decode_copy(&p, LINKTYPE_ETHERNET, f, sizeof syn_frame) == PKT_NOT_IP);
    CHECK("unknown link type",
          decode_copy(&p, 147, syn_frame, sizeof syn_frame) == PKT_UNKNOWN_LINK);
}

static void test_vlan_and_links(void)
{
    uint8_t f[sizeof syn_frame + 8];
    memcpy(f, syn_frame, 12);
    const uint8_t tags[] = {0x88, 0xa8, 0, 7, 0x81, 0x00, 0, 42};
    memcpy(f + 12, tags, 8);
    memcpy(f + 20, syn_frame + 12, sizeof syn_frame - 12);
    struct packet p;
    CHECK("QinQ", decode_copy(&p, LINKTYPE_ETHERNET, f, sizeof f) == PKT_OK && p.dport == 23);
    CHECK("raw IP",
          decode_copy(&p, LINKTYPE_RAW, syn_frame + 14, sizeof syn_frame - 14) == PKT_OK &&
              p.seq == 0xC6336405u);
    uint8_t null_frame[sizeof syn_frame - 14 + 4] = {2, 0, 0, 0};
    memcpy(null_frame + 4, syn_frame + 14, sizeof syn_frame - 14);
    CHECK("BSD null, little-endian family",
          decode_copy(&p, LINKTYPE_NULL, null_frame, sizeof null_frame) == PKT_OK);
    null_frame[0] = 0, null_frame[3] = 2;
    CHECK("BSD null, big-endian family",
          decode_copy(&p, LINKTYPE_NULL, null_frame, sizeof null_frame) == PKT_OK);
}

static void test_ipv6(void)
{
    /* IPv6, Hop-by-Hop (8 bytes), Fragment header (offset 0, M set), TCP SYN */
    uint8_t f[40 + 8 + 8 + 20] = {0x60, 0, 0, 0, 0, 36, 0, 64};
    f[8] = 0x20, f[9] = 0x01, f[23] = 1;   /* src 2001::1 */
    f[24] = 0x20, f[25] = 0x01, f[39] = 2; /* dst 2001::2 */
    uint8_t *h = f + 40;
    h[0] = 44, h[1] = 0, h[2] = 1, h[3] = 4; /* next: fragment; PadN */
    uint8_t *fr = f + 48;
    fr[0] = 6, fr[3] = 1; /* next TCP, offset 0, more fragments */
    uint8_t *t = f + 56;
    t[1] = 50, t[3] = 22, t[12] = 0x50, t[13] = 0x02;
    struct packet p;
    CHECK("ipv6 with extension headers", decode_copy(&p, LINKTYPE_RAW, f, sizeof f) == PKT_OK &&
                                             p.proto == 6 && p.dport == 22 && p.ttl == 64);
    CHECK("ipv6 source", p.src.b[0] == 0x20 && p.src.b[15] == 1 && p.src4 == 0);
    fr[2] = 0, fr[3] = 0x09; /* offset 1 (8 bytes) */
    CHECK("ipv6 non-first fragment", decode_copy(&p, LINKTYPE_RAW, f, sizeof f) == PKT_FRAGMENT);
    int bad = 0;
    for (size_t len = 0; len < sizeof f; len++)
        if (decode_copy(&p, LINKTYPE_RAW, f, len) == PKT_OK) bad++;
    CHECK("every cut of the ipv6 frame fails safely", bad == 0);
}

int main(void)
{
    test_tcp_syn();
    test_tcp_timestamp();
    test_every_truncation();
    test_padding_and_malformed();
    test_vlan_and_links();
    test_ipv6();
    CHECK_DONE();
}
