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
    p.opts = opts, p.opt_len = sizeof opts, p.has_ts = 1, p.tsval = 1000;
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
}

int main(void)
{
    test_builtin();
    test_errors();
    test_conditions();
    CHECK_DONE();
}
