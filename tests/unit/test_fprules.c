/* Fingerprint rules: parsing, every error with its line, and matching of each condition. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "classify/fprules.h"
#include "decode/decode.h"

static struct packet syn_packet(uint32_t dst4, uint16_t dport, uint32_t seq, uint16_t ipid)
{
    struct packet p;
    memset(&p, 0, sizeof p);
    p.status = PKT_OK;
    p.ip_version = 4;
    p.proto = IPPROTO_NUM_TCP;
    p.tcp_flags = TCP_SYN;
    p.dst4 = dst4;
    p.dport = dport;
    p.seq = seq;
    p.ip_id = ipid;
    p.ttl = 240;
    p.window = 1024;
    p.rule = -1;
    return p;
}

static void test_builtin(void)
{
    fprules_t *r = fprules_new();
    char *errors = NULL;
    CHECK("built-in rules parse without problems",
          fprules_load_builtin(r, &errors) == 0 && !errors);
    CHECK("the study's tools are all there",
          fprules_tool_id(r, "masscan") > 0 && fprules_tool_id(r, "zmap") > 0 &&
              fprules_tool_id(r, "mirai") > 0 && fprules_tool_id(r, "nmap") > 0 &&
              fprules_tool_id(r, "hping3") > 0 && fprules_tool_id(r, "unicornscan") > 0);
    CHECK("tool 0 is unknown", strcmp(fprules_tool_name(r, 0), "unknown") == 0);

    /* masscan: ip.id = (dst ^ dport ^ seq) & 0xffff, here worked out by hand:
     * dst 198.51.100.5 = 0xC6336405, dport 443 = 0x01BB, seq 0x12345678
     * low 16 bits: 0x6405 ^ 0x01BB ^ 0x5678 = 0x33C6 */
    struct packet p = syn_packet(0xC6336405u, 443, 0x12345678u, 0x33C6);
    fprules_match(r, &p);
    CHECK("masscan relation matches",
          p.tool == fprules_tool_id(r, "masscan") &&
              strcmp(fprules_rule_name(r, p.rule), "masscan-1.3-syn") == 0);
    p = syn_packet(0xC6336405u, 443, 0x12345678u, 0x33C7);
    fprules_match(r, &p);
    CHECK("masscan relation off by one does not", p.tool == TOOL_UNKNOWN && p.rule == -1);
    /* the byte-order mistake fingerprints.md warns of: using the address's first bytes */
    p = syn_packet(0xC6336405u, 443, 0x12345678u, (uint16_t)(0xC633 ^ 0x01BB ^ 0x5678));
    fprules_match(r, &p);
    CHECK("masscan relation with the wrong half of the address does not", p.tool == TOOL_UNKNOWN);

    p = syn_packet(0xC6336405u, 23, 0xC6336405u, 999);
    p.ttl = 50;
    p.window = 5555;
    fprules_match(r, &p);
    CHECK("mirai: seq = destination", p.tool == fprules_tool_id(r, "mirai"));
    p = syn_packet(0xC6336405u, 23, 0xC6336405u, 54321);
    p.ttl = 50;
    p.window = 5555;
    fprules_match(r, &p);
    CHECK("mirai: seq = destination with ZMap's IP ID by chance is Mirai's, not the family rule's",
          p.tool == fprules_tool_id(r, "mirai") &&
              strcmp(fprules_rule_name(r, p.rule), "mirai-syn") == 0);
    p = syn_packet(0xC6336405u, 23, 7, 54321);
    fprules_match(r, &p);
    CHECK("... which still takes IP ID 54321 without DF from others",
          strcmp(fprules_rule_name(r, p.rule), "zmap-family-syn") == 0);

    const uint8_t windows_layout[] = {2, 4, 5, 0xb4, 1, 3, 3, 8, 1, 1, 4, 2};
    p = syn_packet(0xC6336405u, 80, 1, 2);
    p.ttl = 50, p.window = 65535, p.sport = 40000;
    p.opts = windows_layout, p.opt_len = sizeof windows_layout;
    fprules_match(r, &p);
    CHECK("zmap 4.1 windows layout", strcmp(fprules_rule_name(r, p.rule), "zmap-4.1-windows") == 0);
    p.df = 1, p.ttl = 117, p.window = 64240;
    fprules_match(r, &p);
    CHECK("a Windows stack with the same layout is no tool", p.tool == TOOL_UNKNOWN);
    p.df = 0, p.ttl = 50, p.window = 65535, p.opt_len = 4, p.opts_cut = 1;
    fprules_match(r, &p);
    CHECK("options cut by the snaplen match no layout rule", p.tool == TOOL_UNKNOWN);
    fprules_free(r);
}

static void test_errors(void)
{
    const char *text = "version 1\n"
                       "rule early = tcp\n" /* 2: before any section */
                       "[zmap]\n"
                       "rule ok = tcp flags=S ttl=1-64\n"
                       "rule bad1 = tcp ttl=300\n"      /* 5: out of range */
                       "rule bad2 = tcp opts=M1460,X\n" /* 6: unknown option letter */
                       "rule ok = tcp\n"                /* 7: defined twice */
                       "garbage here\n"                 /* 8 */
                       "rule bad3 min=0 = tcp\n";       /* 9: min must be >= 1 */
    fprules_t *r = fprules_new();
    char *errors = NULL;
    int n = fprules_parse(r, text, "t.conf", &errors);
    CHECK("six problems found", n == 6);
    CHECK("each problem has its line",
          errors && strstr(errors, "t.conf:2:") && strstr(errors, "t.conf:5:") &&
              strstr(errors, "t.conf:6:") && strstr(errors, "t.conf:7:") &&
              strstr(errors, "t.conf:8:") && strstr(errors, "t.conf:9:"));
    CHECK("the good rule is kept", fprules_count(r) == 1);
    free(errors);
    fprules_free(r);

    r = fprules_new();
    errors = NULL;
    CHECK("a missing version line is a problem", fprules_parse(r, "[x]\n", "v.conf", &errors) == 1);
    free(errors);
    fprules_free(r);
}

static void test_conditions(void)
{
    const char *text = "version 1\n[a]\n"
                       "rule ts = tcp tsval=now:60 opts=M*,T\n"
                       "rule list = tcp win=5,7-9 ack=nonzero\n"
                       "[b]\n"
                       "rule any = any\n";
    fprules_t *r = fprules_new();
    CHECK("conditions parse", fprules_parse(r, text, "c.conf", NULL) == 0);
    const uint8_t opts[] = {2, 4, 1, 2, 8, 10, 0, 0, 0x03, 0xE8, 0, 0, 0, 0};
    struct packet p = syn_packet(1, 1, 1, 1);
    p.opts = opts, p.opt_len = sizeof opts; /* tsval 1000 */
    p.ts_ns = 1030 * 1000000000LL;
    fprules_match(r, &p);
    CHECK("tsval within 60 s of capture time", strcmp(fprules_rule_name(r, p.rule), "ts") == 0);
    p.ts_ns = 1061 * 1000000000LL;
    fprules_match(r, &p);
    CHECK("tsval 61 s off does not match", strcmp(fprules_rule_name(r, p.rule), "ts") != 0);
    p = syn_packet(1, 1, 1, 1);
    p.window = 8, p.ack = 5;
    fprules_match(r, &p);
    CHECK("value lists and ranges", strcmp(fprules_rule_name(r, p.rule), "list") == 0);
    p.ack = 0;
    fprules_match(r, &p);
    CHECK("first matching rule wins, in file order",
          strcmp(fprules_rule_name(r, p.rule), "any") == 0);
    fprules_free(r);
    r = fprules_new();
    CHECK("a tsecr condition parses",
          fprules_parse(r, "version 1\n[e]\nrule echo = tcp tsecr=3\n", "e.conf", NULL) == 0);
    const uint8_t echo[] = {1, 1, 8, 10, 0, 0, 0, 9, 0, 0, 0, 3};
    p = syn_packet(1, 1, 1, 1);
    p.opts = echo, p.opt_len = sizeof echo;
    fprules_match(r, &p);
    CHECK("tsecr read from the timestamp option", p.rule == 0);
    p.opt_len = 2; /* only the NOPs */
    fprules_match(r, &p);
    CHECK("no timestamp option: tsecr=3 does not hold", p.rule == -1);
    fprules_free(r);
}

static uint64_t rng = 88172645463325252ull;
static uint32_t next_random(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (uint32_t)rng;
}

/* A probe drawn near the built-in rules: each field either a value some rule wants or a
 * random one, options from the rules' layouts or random, sometimes cut. */
static struct packet random_probe(uint8_t *opts)
{
    static const uint8_t protos[] = {IPPROTO_NUM_TCP, IPPROTO_NUM_TCP, IPPROTO_NUM_UDP,
                                     IPPROTO_NUM_ICMP};
    static const uint16_t windows[] = {1024, 1025, 65535, 2048, 4096, 512, 4128, 64240};
    static const uint8_t layouts[][20] = {
        {2, 4, 5, 180}, {2, 4, 5, 180, 1, 3, 3, 8, 1, 1, 4, 2}, {2, 4, 5, 180, 4, 2, 8, 10}};
    static const uint8_t layout_len[] = {4, 12, 20};
    uint32_t r = next_random();
    struct packet p = syn_packet(0xC6336400u + (r & 0xFF), (uint16_t)next_random(), next_random(),
                                 (uint16_t)next_random());
    p.proto = protos[r >> 8 & 3];
    p.ip_id = r >> 10 & 1 ? 54321 : (uint16_t)((p.dst4 ^ p.dport ^ p.seq) & 0xFFFF);
    if (r >> 11 & 1) p.ip_id = (uint16_t)next_random();
    if (r >> 12 & 1) p.seq = p.dst4;
    p.window = windows[r >> 13 & 7];
    p.ttl = (uint8_t)(r >> 16 & 1 ? 30 + (r >> 20 & 31) : next_random());
    p.df = r >> 17 & 1;
    p.tcp_flags = r >> 18 & 1 ? TCP_SYN : (uint8_t)next_random();
    p.ack = r >> 19 & 1 ? 0 : next_random();
    p.sport = (uint16_t)(r >> 25 & 1 ? 40000 : next_random());
    p.icmp_type = r >> 26 & 1 ? 8 : (uint8_t)next_random();
    uint32_t pick = next_random() % 5;
    p.opts = opts;
    if (pick < 3) {
        memcpy(opts, layouts[pick], layout_len[pick]);
        p.opt_len = layout_len[pick];
    } else if (pick == 3) {
        p.opt_len = (uint8_t)(next_random() % 41);
        for (int i = 0; i < p.opt_len; i++)
            opts[i] = (uint8_t)next_random();
    }
    p.opts_cut = next_random() % 8 == 0;
    if (p.opts_cut && p.opt_len) p.opt_len--;
    return p;
}

/* The candidate index must only prune: with it (the built-in rules) and without it (the same
 * rules followed by more than 64 that never match, so every rule is tried in turn), each
 * packet gets the same tool and the same rule. */
static void test_index_prunes_only(void)
{
    fprules_t *indexed = fprules_new(), *linear = fprules_new();
    fprules_load_builtin(indexed, NULL);
    fprules_load_builtin(linear, NULL);
    char extra[8192] = "version 1\n[never]\n";
    for (int i = 0; i < 64; i++) {
        size_t len = strlen(extra);
        snprintf(extra + len, sizeof extra - len,
                 "rule never-%d = icmp type=255 code=%d icmpid=7\n", i, i);
    }
    CHECK("64 more rules parse", fprules_parse(linear, extra, "extra", NULL) == 0);
    CHECK("... and take the rules past the index", fprules_count(linear) > 64);
    int same = 0, matched = 0, n = 200000;
    uint8_t opts[40];
    for (int i = 0; i < n; i++) {
        struct packet a = random_probe(opts), b = a;
        fprules_match(indexed, &a);
        fprules_match(linear, &b);
        same += a.tool == b.tool && a.rule == b.rule;
        matched += a.rule >= 0;
    }
    CHECK("the index gives every packet the same rule as trying them all", same == n);
    CHECK("... over packets many of which match a rule", matched > n / 20);
    fprules_free(indexed);
    fprules_free(linear);
}

int main(void)
{
    test_builtin();
    test_errors();
    test_conditions();
    test_index_prunes_only();
    CHECK_DONE();
}
