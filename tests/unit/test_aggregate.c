/* Aggregation: exact port and address sets, merges that do not depend on how the input was
 * split, and the source verdict rules (consistency, reflection, sensor). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate/agg.h"
#include "aggregate/key_order.h"
#include "aggregate/verdict.h"
#include "check.h"
#include "classify/netset.h"
#include "decode/decode.h"
#include "util/radix.h"

static void count_port(void *ctx, uint16_t port, uint32_t count)
{
    uint64_t *sum = ctx;
    sum[0] += count;
    sum[1] += port;
}

static void record_port(void *ctx, uint16_t port, uint32_t count)
{
    uint32_t *count_of = ctx;
    count_of[port] += count;
}

static void test_portmap(void)
{
    struct portmap m = {0};
    for (int round = 0; round < 2; round++)
        for (uint32_t port = 0; port < 65536; port += 3)
            portmap_add(&m, (uint16_t)port, 1);
    CHECK("21846 distinct ports after two sweeps", m.n == 21846);
    uint64_t sum[2] = {0, 0};
    portmap_each(&m, count_port, sum);
    CHECK("each counted twice", sum[0] == 2 * 21846);
    struct portmap a = {0}, b = {0};
    for (int p = 0; p < 3; p++)
        portmap_add(&a, (uint16_t)p, 1);
    for (int p = 2; p < 5000; p++)
        portmap_add(&b, (uint16_t)p, 2);
    portmap_merge(&a, &b);
    CHECK("merge is a union", a.n == 5000);
    uint64_t s2[2] = {0, 0};
    portmap_each(&a, count_port, s2);
    CHECK("merge adds counts", s2[0] == 3 + 2 * 4998);
    portmap_free(&m);
    portmap_free(&a);
    portmap_free(&b);

    /* through each form (inline, hash table, dense array), against plain counts */
    static uint32_t want[65536];
    memset(want, 0, sizeof want);
    struct portmap f = {0};
    uint32_t seed = 12345, distinct = 0;
    for (int step = 0; step < 30000; step++) {
        seed = seed * 1103515245u + 12345u;
        /* few ports at first (the inline form and its edge), then ever more */
        uint16_t port = (uint16_t)(step < 40    ? seed >> 16 & 3
                                   : step < 200 ? seed >> 16 & 63
                                                : seed >> 16);
        uint32_t count = 1 + (seed >> 8 & 7);
        distinct += want[port] == 0;
        want[port] += count;
        portmap_add(&f, port, count);
        if (step == 39)
            CHECK("4 ports stay inline", f.cap == 0 && f.n == 4 && portmap_heap_bytes(&f) == 0);
        if (step == 199) CHECK("more ports move to a table", f.cap != 0 && f.n == distinct);
    }
    CHECK("thousands of ports move to the dense array", f.cap == PORTMAP_DENSE);
    /* the inline ports are compared all at once: unused places (zero) are not port 0, and a
     * count past 16 bits moves the map to a table */
    struct portmap z = {0};
    portmap_add(&z, 7, 1);
    portmap_add(&z, 0, 1);
    CHECK("port 0 is a port of its own", z.cap == 0 && z.n == 2 && portmap_small_find(&z, 0) == 1);
    portmap_add(&z, 0, 70000);
    uint32_t *zc = calloc(65536, sizeof *zc);
    portmap_each(&z, record_port, zc);
    CHECK("a count past 65,535 is kept whole", z.n == 2 && zc[0] == 70001 && zc[7] == 1);
    free(zc);
    portmap_free(&z);
    uint32_t *got = calloc(65536, sizeof *got);
    portmap_each(&f, record_port, got);
    CHECK("every form counts each port exactly",
          f.n == distinct && memcmp(got, want, sizeof want) == 0);
    free(got);
    portmap_free(&f);

    struct addrset s = {0}, t = {0};
    for (uint32_t i = 1; i <= 1000; i++)
        addrset_add(&s, i), addrset_add(&s, i);
    for (uint32_t i = 500; i <= 1500; i++)
        addrset_add(&t, i);
    addrset_merge(&s, &t);
    CHECK("address set union is exact", s.n == 1500);
    addrset_free(&s);
    addrset_free(&t);
}

static void collect_key(void *ctx, uint32_t key)
{
    uint64_t *sum = ctx;
    sum[0]++;
    sum[1] += key;
}

/* Keys a set holds, checked against a plain list of them: count and sum of keys. */
static bool set_holds(const struct addrset *s, const uint32_t *keys, size_t n)
{
    uint64_t got[2] = {0, 0}, want = 0;
    addrset_each(s, collect_key, got);
    for (size_t i = 0; i < n; i++)
        want += keys[i];
    return s->n == n && got[0] == n && got[1] == want;
}

/* The set's forms (inline, address window, table) and the moves between them keep it exact. */
static void test_addrset_forms(void)
{
    uint32_t keys[700];
    size_t n = 0;
    struct addrset s = {0};
    for (uint32_t host = 1; host < 255; host++) /* a /24 honeypot: a window */
        keys[n++] = 0xC6336400u + host, addrset_add(&s, 0xC6336400u + host);
    addrset_add(&s, 0xC6336405u);
    CHECK("a /24's 254 addresses, once each", set_holds(&s, keys, n));
    CHECK("held in a small bitmap", addrset_heap_bytes(&s) <= 64);
    addrset_add(&s, keys[n++] = 0xC6336A01u); /* 198.51.106.1: the window widens */
    CHECK("a wider window keeps every key", set_holds(&s, keys, n));
    addrset_add(&s, keys[n++] = 0x0A000001u); /* 10.0.0.1: too far for a window */
    for (uint32_t i = 0; i < 400; i++)
        addrset_add(&s, keys[n++] = 0x0B000000u + i * 4099);
    CHECK("moved to a table, still exact", set_holds(&s, keys, n));

    struct addrset a = {0}, b = {0}, c = {0};
    uint32_t union_keys[300];
    size_t u = 0;
    for (uint32_t host = 0; host < 200; host++)
        addrset_add(&a, 0xC0000200u + host), union_keys[u++] = 0xC0000200u + host;
    for (uint32_t host = 100; host < 256; host++) {
        addrset_add(&b, 0xC0000200u + host);
        if (host >= 200) union_keys[u++] = 0xC0000200u + host;
    }
    addrset_merge(&a, &b);
    CHECK("two bitmaps of one window unite exactly", set_holds(&a, union_keys, u));
    addrset_add(&c, 0xC0000201u);
    addrset_add(&c, 0x01020304u);
    addrset_merge(&c, &a);
    union_keys[u++] = 0x01020304u;
    CHECK("a window merged into a spread set", set_holds(&c, union_keys, u));
    addrset_free(&s);
    addrset_free(&a);
    addrset_free(&b);
    addrset_free(&c);

    struct portmap m = {0};
    portmap_add(&m, 80, 65000);
    portmap_add(&m, 80, 1000); /* past a 16-bit inline count */
    portmap_add(&m, 443, 70000);
    uint64_t sum[2] = {0, 0};
    portmap_each(&m, count_port, sum);
    CHECK("counts past 65,535 stay exact", m.n == 2 && sum[0] == 136000 && sum[1] == 523);
    portmap_free(&m);
}

static struct packet make_syn(const char *src, const char *dst, uint16_t sport, uint16_t dport,
                              int64_t ts_ns, uint8_t tool, int16_t rule)
{
    struct packet p;
    memset(&p, 0, sizeof p);
    p.status = PKT_OK;
    p.kind = KIND_SYN_PROBE;
    p.proto = IPPROTO_NUM_TCP;
    ipaddr_parse(src, &p.src);
    ipaddr_parse(dst, &p.dst);
    /* as the decoder sets them: the version from the addresses, IPv4 ones in host order too */
    p.ip_version = ipaddr_is_v4(&p.src) ? 4 : 6;
    if (p.ip_version == 4) p.src4 = ipaddr_v4(&p.src), p.dst4 = ipaddr_v4(&p.dst);
    p.sport = sport;
    p.dport = dport;
    p.ts_ns = ts_ns;
    p.tool = tool;
    p.rule = rule;
    return p;
}

/* A stream of packets from a few sources over three days. */
static struct packet nth_packet(int i)
{
    static const char *const srcs[] = {"203.0.113.1", "203.0.113.2", "2001:db8::9"};
    char dst[32];
    snprintf(dst, sizeof dst, "198.51.100.%d", i % 200);
    int64_t day = (i / 7) % 3; /* every source on every day */
    return make_syn(srcs[i % 3], dst, 40000, (uint16_t)(i * 7 % 3000), day * 86400000000000LL + i,
                    (uint8_t)(i % 3 == 0 ? 1 : 0), (int16_t)(i % 3 == 0 ? 0 : -1));
}

/* A cap of 10 one-packet records: a source's second packet of a day is still counted (its
 * record is there), a known source on a new day is not (that needs a new record), and the
 * earliest day left out is kept, also across a merge. */
static void test_memory_cap(void)
{
    agg_t *a = agg_new();
    agg_limit_memory(a, 10 * AGG_PEAK_ONE_PACKET_RECORD);
    char src[32];
    for (int i = 0; i < 10; i++) {
        snprintf(src, sizeof src, "203.0.113.%d", i + 1);
        struct packet p = make_syn(src, "198.51.100.1", 40000, 22, 86400000000000LL + i, 0, -1);
        agg_add(a, &p, 1);
    }
    CHECK("a cap: nothing left out while it holds",
          agg_refused(a) == 0 && agg_refused_first_day(a) == INT32_MAX);
    struct packet again =
        make_syn("203.0.113.1", "198.51.100.2", 40000, 23, 86400000000001LL, 0, -1);
    agg_add(a, &again, 1);
    struct packet new_source =
        make_syn("203.0.113.99", "198.51.100.1", 40000, 22, 86400000000002LL, 0, -1);
    agg_add(a, &new_source, 1);
    struct packet next_day =
        make_syn("203.0.113.2", "198.51.100.1", 40000, 22, 3 * 86400000000000LL, 0, -1);
    agg_add(a, &next_day, 3);
    CHECK("past the cap: a new source and a known source's new day left out, a known (day, "
          "source) counted",
          agg_refused(a) == 2 && agg_frames(a) == 13 && agg_records(a) == 10);
    CHECK("... the first day left out is the earliest", agg_refused_first_day(a) == 1);
    agg_t *b = agg_new();
    agg_limit_memory(b, 1); /* one record */
    struct packet first = make_syn("203.0.113.7", "198.51.100.1", 40000, 22, 0, 0, -1);
    struct packet earlier = make_syn("203.0.113.8", "198.51.100.1", 40000, 22, 1, 0, -1);
    agg_add(b, &first, 0);
    agg_add(b, &earlier, 0);
    agg_merge(a, b);
    CHECK("... and across a merge", agg_refused(a) == 3 && agg_refused_first_day(a) == 0);
    agg_free(a);
    agg_free(b);

    /* records loaded from a store, capped at one: the second is left out with its packets */
    agg_t *c = agg_new();
    agg_limit_memory(c, 1);
    struct src_day first_day, second_day;
    struct ipaddr x, y;
    ipaddr_parse("203.0.113.1", &x);
    ipaddr_parse("203.0.113.2", &y);
    src_day_init(&first_day, &x, 4);
    src_day_init(&second_day, &x, 5);
    first_day.kind_packets[KIND_SYN_PROBE] = 2;
    second_day.kind_packets[KIND_SYN_PROBE] = 3;
    second_day.kind_packets[KIND_BACKSCATTER] = 4;
    CHECK("a store's records under a cap: the first appended",
          agg_append_record(c, &first_day) && agg_records(c) == 1 && agg_refused(c) == 0);
    CHECK("... the next left out, its packets counted",
          agg_append_record(c, &second_day) && agg_records(c) == 1 && agg_refused(c) == 7 &&
              agg_refused_first_day(c) == 5);
    CHECK("... a record of a key already there still merges",
          agg_merge_record(c, &first_day) && agg_records(c) == 1 && agg_refused(c) == 7 &&
              agg_record_syn(c, 0) == 4);
    struct src_day other;
    src_day_init(&other, &y, 3);
    other.kind_packets[KIND_OTHER] = 1;
    CHECK("... a new key merged is left out, and its day is the first left out",
          agg_merge_record(c, &other) && agg_records(c) == 1 && agg_refused(c) == 8 &&
              agg_refused_first_day(c) == 3);
    src_day_free(&first_day);
    src_day_free(&second_day);
    src_day_free(&other);
    agg_free(c);
}

static int compare_records(const agg_t *x, const agg_t *y)
{
    if (agg_records(x) != agg_records(y) || agg_frames(x) != agg_frames(y)) return 0;
    for (size_t i = 0; i < agg_records(x); i++) {
        struct src_day scratch_a, scratch_b;
        const struct src_day *a = agg_record(x, i, &scratch_a);
        int found = 0;
        for (size_t j = 0; j < agg_records(y); j++) {
            const struct src_day *b = agg_record(y, j, &scratch_b);
            if (a->day != b->day || memcmp(&a->src, &b->src, sizeof a->src)) continue;
            found = memcmp(a->kind_packets, b->kind_packets, sizeof a->kind_packets) == 0 &&
                    a->first_ns == b->first_ns && a->last_ns == b->last_ns &&
                    a->syn_ports.n == b->syn_ports.n && a->dsts.n == b->dsts.n &&
                    a->tools[0].count == b->tools[0].count;
        }
        if (!found) return 0;
    }
    return 1;
}

/* An order-free digest of a table: every record's key and counts, mixed and added up. */
static uint64_t table_digest(const agg_t *a)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < agg_records(a); i++) {
        struct src_day scratch;
        const struct src_day *r = agg_record(a, i, &scratch);
        uint64_t h = (uint64_t)(uint32_t)r->day * 0x9E3779B97F4A7C15ull;
        for (int b = 0; b < 16; b++)
            h = (h ^ r->src.b[b]) * 0x100000001B3ull;
        for (int k = 0; k < KIND_COUNT; k++)
            h = (h ^ r->kind_packets[k]) * 0x100000001B3ull;
        h = (h ^ (uint64_t)r->first_ns ^ (uint64_t)r->last_ns << 1) * 0x100000001B3ull;
        h = (h ^ r->syn_ports.n ^ (uint64_t)r->dsts.n << 20) * 0xff51afd7ed558ccdull;
        sum += h ^ h >> 29;
    }
    return sum;
}

/* Records past one block (65,536), cut in time at several places: the shared day, into's
 * unused block end and the records merged away are all filled without losing or doubling
 * one. */
static void test_absorb_blocks(void)
{
    const int per_day = 60000, days = 4;
    agg_t *whole = agg_new();
    for (int d = 0; d < days; d++)
        for (int i = 0; i < per_day; i++) {
            struct packet p = make_syn("10.0.0.1", "198.51.100.9", 40000, (uint16_t)(i % 50),
                                       d * 86400000000000LL + i, 0, -1);
            uint32_t src = 0x0A000000u + (uint32_t)(i * 7 + d * 3) % 100000u;
            p.src.b[12] = (uint8_t)(src >> 24), p.src.b[13] = (uint8_t)(src >> 16);
            p.src.b[14] = (uint8_t)(src >> 8), p.src.b[15] = (uint8_t)src, p.src4 = src;
            agg_add(whole, &p, d);
        }
    int ok = 0, cuts = 0;
    for (int cut = 30000; cut < per_day * days; cut += 47000, cuts++) {
        agg_t *early = agg_new(), *late = agg_new();
        for (int d = 0, n = 0; d < days; d++)
            for (int i = 0; i < per_day; i++, n++) {
                struct packet p = make_syn("10.0.0.1", "198.51.100.9", 40000, (uint16_t)(i % 50),
                                           d * 86400000000000LL + i, 0, -1);
                uint32_t src = 0x0A000000u + (uint32_t)(i * 7 + d * 3) % 100000u;
                p.src.b[12] = (uint8_t)(src >> 24), p.src.b[13] = (uint8_t)(src >> 16);
                p.src.b[14] = (uint8_t)(src >> 8), p.src.b[15] = (uint8_t)src, p.src4 = src;
                agg_add(n < cut ? early : late, &p, d);
            }
        agg_absorb(early, late);
        ok += agg_records(early) == agg_records(whole) &&
              table_digest(early) == table_digest(whole) && agg_frames(early) == agg_frames(whole);
        agg_free(early);
        agg_free(late);
    }
    CHECK("absorbed at every cut: the same records and counts as read whole", ok == cuts);
    CHECK("... over more than one block of records", agg_records(whole) > 65536);
    agg_free(whole);
}

static void test_merge_exact(void)
{
    agg_t *whole = agg_new(), *part1 = agg_new(), *part2 = agg_new(), *merged = agg_new();
    for (int i = 0; i < 30000; i++) {
        struct packet p = nth_packet(i);
        int32_t day = (int32_t)(p.ts_ns / 86400000000000LL);
        agg_add(whole, &p, day);
        agg_add(i % 7 < 3 ? part1 : part2, &p, day); /* split unevenly, interleaved */
    }
    agg_merge(merged, part1);
    agg_merge(merged, part2);
    CHECK("9 (day, source) records", agg_records(whole) == 9);
    CHECK("split and merged equals read whole", compare_records(whole, merged));
    agg_absorb(part1, part2); /* moves part2's records */
    CHECK("split and absorbed equals read whole", compare_records(whole, part1));
    uint64_t syn = 0;
    for (size_t i = 0; i < agg_records(whole); i++)
        syn += agg_record_syn(whole, i);
    CHECK("every SYN is in one record", syn == 30000);

    /* Cut in time, as threads read a capture: the parts share one day, the other records are
     * appended without a lookup; packets counted after that still find their records. */
    agg_t *early = agg_new(), *late = agg_new(), *in_time = agg_new();
    for (int day = 0; day < 6; day++)
        for (int i = 0; i < 3000; i++) {
            struct packet p = nth_packet(i);
            p.ts_ns = day * 86400000000000LL + i;
            agg_add(in_time, &p, day);
            agg_add(day < 3 || (day == 3 && i < 1500) ? early : late, &p, day);
        }
    agg_absorb(early, late);
    CHECK("cut in time and absorbed: 18 records", agg_records(early) == 18);
    for (int i = 0; i < 300; i++) {
        struct packet p = nth_packet(i);
        p.ts_ns = 5 * 86400000000000LL + i;
        agg_add(in_time, &p, 5);
        agg_add(early, &p, 5);
    }
    CHECK("... equal to read whole, and later packets land in the same records",
          agg_records(early) == 18 && compare_records(in_time, early));
    agg_free(early);
    agg_free(late);
    agg_free(in_time);

    /* A table with frames but no records yet (a thread that read only undecodable frames)
     * takes the other's records all the same. */
    agg_t *bare = agg_new(), *full = agg_new();
    agg_add_undecoded(bare, PKT_NOT_IP);
    for (int i = 0; i < 300; i++) {
        struct packet p = nth_packet(i);
        agg_add(full, &p, (int32_t)(p.ts_ns / 86400000000000LL));
    }
    size_t records = agg_records(full);
    agg_absorb(bare, full);
    CHECK("absorbed into a table without records: every record, every frame",
          records > 0 && agg_records(bare) == records && agg_frames(bare) == 301);
    agg_free(bare);
    agg_free(full);
    agg_free(whole);
    agg_free(part1);
    agg_free(part2);
    agg_free(merged);
}

static void test_verdicts(void)
{
    fprules_t *rules = fprules_new();
    fprules_parse(rules, "version 1\n[toolx]\nrule x = tcp win=1\n", "t", NULL);
    struct verdict_config cfg;
    verdict_config_defaults(&cfg);
    struct netset sensor = {0};
    netset_add(&sensor, "198.51.100.0/24", NULL);
    cfg.sensor = &sensor;
    agg_t *agg = agg_new();
    /* 203.0.113.1: 6 of 10 probes match -> toolx; 203.0.113.2: 4 of 10 -> unknown */
    for (int i = 0; i < 10; i++) {
        struct packet a = make_syn("203.0.113.1", "198.51.100.1", 4000, (uint16_t)(i + 1), i, i < 6,
                                   i < 6 ? 0 : -1);
        struct packet b = make_syn("203.0.113.2", "198.51.100.1", 4000, (uint16_t)(i + 1), i, i < 4,
                                   i < 4 ? 0 : -1);
        agg_add(agg, &a, 0);
        agg_add(agg, &b, 0);
    }
    /* 203.0.113.50: 200 SYNs from port 80 to two ports of one address -> reflection */
    for (int i = 0; i < 200; i++) {
        struct packet p = make_syn("203.0.113.50", "198.51.100.5", 80, i % 2 ? 23 : 2323, i, 0, -1);
        agg_add(agg, &p, 0);
    }
    /* 203.0.113.60: the same volume spread over 200 ports -> a scanner */
    for (int i = 0; i < 200; i++) {
        struct packet p = make_syn("203.0.113.60", "198.51.100.5", 80, (uint16_t)(i + 1), i, 0, -1);
        agg_add(agg, &p, 0);
    }
    struct analysis an;
    CHECK("analysis builds", analysis_build(&an, agg, rules, &cfg, NULL) == 0);
    int seen = 0;
    source_reader_t *reader = source_reader_new(&an);
    for (size_t i = 0; i < an.n_sources; i++) {
        const struct source_summary *s = source_reader_get(reader, i);
        char buf[64];
        ipaddr_format(&s->src, buf, sizeof buf);
        if (!strcmp(buf, "203.0.113.1")) {
            seen++;
            CHECK("6 of 10 matching: the tool", s->tool == 1 && s->tool_matched == 6);
        }
        if (!strcmp(buf, "203.0.113.2")) {
            seen++;
            CHECK("4 of 10 matching: unknown", s->tool == TOOL_UNKNOWN && s->tool_matched == 4);
        }
        if (!strcmp(buf, "203.0.113.50")) {
            seen++;
            CHECK("hammering two ports: reflection", s->cls == CLASS_REFLECTION);
        }
        if (!strcmp(buf, "203.0.113.60")) {
            seen++;
            CHECK("spreading over ports: scanner", s->cls == CLASS_SCANNER && s->syn_ports == 200);
        }
    }
    CHECK("all four sources judged", seen == 4);
    source_reader_free(reader);
    CHECK("reflection SYNs kept out of the SYN probes",
          an.syn_probes == 220 && an.reflection_syn == 200);
    analysis_free(&an);
    agg_free(agg);
    fprules_free(rules);
}

/* More records than one storage block holds, sorted and mapped back correctly. */
static void test_many_sources(void)
{
    agg_t *agg = agg_new();
    const int n = 50000;
    for (int i = 0; i < n; i++) {
        char src[32];
        snprintf(src, sizeof src, "10.%d.%d.%d", i >> 16, (i >> 8) & 255, i & 255);
        for (int k = 0; k <= i % 5; k++) {
            struct packet p = make_syn(src, "198.51.100.1", 4000, 80, k, 0, -1);
            agg_add(agg, &p, k % 2); /* two days for most sources */
        }
    }
    fprules_t *rules = fprules_new();
    struct verdict_config cfg;
    verdict_config_defaults(&cfg);
    struct analysis an;
    CHECK("many sources: analysis builds", analysis_build(&an, agg, rules, &cfg, NULL) == 0);
    CHECK("many sources: one summary per address", an.n_sources == (size_t)n);
    int sorted = 1, mapped = 1;
    source_reader_t *reader = source_reader_new(&an);
    uint64_t previous = UINT64_MAX, first = 0;
    for (size_t i = 0; i < an.n_sources; i++) {
        uint64_t syn =
            source_reader_get(reader, analysis_ranked(&an, i))->kind_packets[KIND_SYN_PROBE];
        if (syn > previous) sorted = 0;
        if (i == 0) first = syn;
        previous = syn;
    }
    for (size_t r = 0; r < agg_records(agg); r++) {
        struct ipaddr of_source = analysis_source_address(&an, an.record_source[r]);
        struct ipaddr src = agg_record_src(agg, r);
        if (memcmp(&of_source, &src, sizeof src)) mapped = 0;
    }
    source_reader_free(reader);
    CHECK("many sources: ranked by SYN packets", sorted && first == 5);
    CHECK("many sources: every record maps to its own source", mapped);
    analysis_free(&an);
    fprules_free(rules);
    agg_free(agg);
}

/* The report order: most SYNs first, then most probes, then by address (IPv4 before IPv6),
 * whichever way each source's key is sorted internally. */
static void test_source_order(void)
{
    static const struct {
        const char *src;
        int syn;
    } plan[] = {{"10.0.0.2", 3},     {"2001:db8::1", 3}, {"10.0.0.5", 1},
                {"10.0.0.9", 70000}, {"10.0.0.1", 3},    {"2001:db8::2", 70000}};
    static const char *const want[] = {"10.0.0.9", "2001:db8::2", "10.0.0.1",
                                       "10.0.0.2", "2001:db8::1", "10.0.0.5"};
    agg_t *agg = agg_new();
    for (size_t i = 0; i < sizeof plan / sizeof plan[0]; i++)
        for (int k = 0; k < plan[i].syn; k++) {
            struct packet p =
                make_syn(plan[i].src, "198.51.100.1", 4000, (uint16_t)(k % 7 + 1), k, 0, -1);
            agg_add(agg, &p, 0);
        }
    fprules_t *rules = fprules_new();
    struct verdict_config cfg;
    verdict_config_defaults(&cfg);
    struct analysis an;
    analysis_build(&an, agg, rules, &cfg, NULL);
    int ok = an.n_sources == 6;
    for (size_t i = 0; ok && i < 6; i++) {
        char buf[64];
        struct ipaddr src = analysis_source_address(&an, analysis_ranked(&an, i));
        ok = !strcmp(ipaddr_format(&src, buf, sizeof buf), want[i]);
    }
    CHECK("sources in report order across IPv4, IPv6 and large counts", ok);
    analysis_free(&an);
    fprules_free(rules);
    agg_free(agg);
}

/* Grouping by source: IPv4 by address, IPv6 by a 32-bit hash that two of these addresses
 * share (found by search), excluded records in no group. */
static void test_grouping(void)
{
    static const char *const srcs[] = {"10.0.0.3", "2001:db8::2275", "10.0.0.1", "2001:db8::1:4414",
                                       "10.0.0.2"};
    agg_t *agg = agg_new();
    for (int day = 0; day < 3; day++)
        for (int i = 0; i < 5; i++) {
            struct packet p = make_syn(srcs[i], "198.51.100.1", 4000, 80, day, 0, -1);
            agg_add(agg, &p, day);
        }
    size_t n = agg_records(agg);
    uint8_t *excluded = calloc(n, 1);
    uint32_t *record_source = malloc(n * sizeof *record_source);
    excluded[7] = 1;
    struct grouping g;
    CHECK("grouping: builds", grouping_build(&g, agg, excluded, record_source, 1) == 0);
    CHECK("grouping: five sources, the two IPv6 with one hash apart", g.n_sources == 5);
    int one_address = 1, in_order = 1, v4_sorted = 1;
    size_t seen = 0;
    for (size_t s = 0; s < g.n_sources; s++) {
        struct ipaddr first = agg_record_src(agg, g.members[g.offsets[s]]);
        for (uint32_t m = g.offsets[s]; m < g.offsets[s + 1]; m++, seen++) {
            struct ipaddr src = agg_record_src(agg, g.members[m]);
            one_address &= !memcmp(&src, &first, sizeof first);
            one_address &= record_source[g.members[m]] == s;
            if (m > g.offsets[s]) in_order &= g.members[m] > g.members[m - 1];
        }
        if (s > 0 && s < 3) {
            struct ipaddr before = agg_record_src(agg, g.members[g.offsets[s - 1]]);
            v4_sorted &= memcmp(&before, &first, sizeof first) < 0;
        }
    }
    CHECK("grouping: a source's records share its address", one_address);
    CHECK("grouping: every kept record once", seen == n - 1 && record_source[7] == NO_SOURCE);
    CHECK("grouping: records in record order within a source", in_order);
    CHECK("grouping: IPv4 sources first, by address", v4_sorted);
    grouping_free(&g);
    free(record_source);
    free(excluded);
    agg_free(agg);
}

static uint32_t port_count(const struct portmap *m, uint16_t port)
{
    uint64_t found[2] = {0, 0}; /* count, port sum: port_count is for maps of one port */
    portmap_each(m, count_port, found);
    return m->n == 1 && found[1] == port ? (uint32_t)found[0] : 0;
}

/* Records of one packet are kept apart in a small form: what readers see of them is what a
 * full record of that packet holds, and a second packet, a UDP probe or an IPv6 source gives
 * a full record with everything in it. Promotions in the middle of many one-packet records
 * leave every record found by the next packet. */
static void test_one_packet_records(void)
{
    agg_t *agg = agg_new();
    struct packet p = make_syn("10.0.0.1", "198.51.100.9", 1000, 80, 5000, 1, 0);
    agg_add(agg, &p, 0);
    struct src_day scratch;
    const struct src_day *r = agg_record(agg, 0, &scratch);
    char buf[64];
    CHECK("one packet: the record a full one would be",
          agg_records(agg) == 1 && r->day == 0 &&
              !strcmp(ipaddr_format(&r->src, buf, sizeof buf), "10.0.0.1") &&
              r->kind_packets[KIND_SYN_PROBE] == 1 && r->first_ns == 5000 && r->last_ns == 5000 &&
              r->tools[0].count == 1 && r->tools[0].tool == 1 && r->tools[0].rule == 0 &&
              port_count(&r->syn_ports, 80) == 1 && r->dsts.n == 1 &&
              r->syn_from_service_port == 1 && r->udp_ports == NULL);
    struct packet again = make_syn("10.0.0.1", "198.51.100.10", 40000, 80, 4000, 0, -1);
    agg_add(agg, &again, 0);
    r = agg_record(agg, 0, &scratch);
    CHECK("a second packet: one full record with both",
          agg_records(agg) == 1 && r->kind_packets[KIND_SYN_PROBE] == 2 && r->first_ns == 4000 &&
              r->last_ns == 5000 && port_count(&r->syn_ports, 80) == 2 && r->dsts.n == 2 &&
              r->tools[0].count == 1 && r->syn_from_service_port == 1);
    struct packet udp = make_syn("10.0.0.2", "198.51.100.9", 5353, 53, 1, 0, -1);
    udp.kind = KIND_UDP_PROBE;
    agg_add(agg, &udp, 0);
    struct packet v6 = make_syn("2001:db8::7", "2001:db8:1::1", 1000, 22, 2, 0, -1);
    agg_add(agg, &v6, 0);
    int udp_ok = 0, v6_ok = 0;
    for (size_t i = 0; i < agg_records(agg); i++) {
        r = agg_record(agg, i, &scratch);
        udp_ok |= r->udp_ports && port_count(r->udp_ports, 53) == 1;
        v6_ok |= !ipaddr_is_v4(&r->src) && port_count(&r->syn_ports, 22) == 1;
    }
    CHECK("a UDP probe and an IPv6 source: full records", udp_ok && v6_ok);
    agg_free(agg);

    /* read back from a store: a record of one packet is kept small again, the same record */
    agg = agg_new();
    agg_t *back = agg_new();
    struct packet lone = make_syn("10.0.0.3", "198.51.100.7", 800, 443, 77, 2, 3);
    agg_add(agg, &lone, 4);
    struct src_day scratch_back;
    agg_merge_record(back, agg_record(agg, 0, &scratch));
    r = agg_record(back, 0, &scratch_back);
    CHECK("a one-packet record read back: kept small, unchanged",
          agg_records(back) == 1 && agg_record_stored(back, 0) == NULL &&
              memcmp(r, agg_record(agg, 0, &scratch), sizeof *r) == 0);
    agg_merge_record(back, agg_record(agg, 0, &scratch));
    r = agg_record(back, 0, &scratch_back);
    CHECK("... and merged with itself: a full record of two packets",
          agg_records(back) == 1 && agg_record_stored(back, 0) != NULL &&
              r->kind_packets[KIND_SYN_PROBE] == 2 && port_count(&r->syn_ports, 443) == 2 &&
              r->tools[0].count == 2 && r->tools[0].rule == 3);
    agg_free(back);
    agg_free(agg);

    /* sources of two packets each: past a few thousand moves to full records, new records
     * start full, and every count stays exact */
    agg = agg_new();
    const int pairs = 10000;
    for (int i = 0; i < pairs; i++)
        for (int k = 0; k < 2; k++) {
            char src[32];
            snprintf(src, sizeof src, "10.2.%d.%d", i >> 8, i & 255);
            struct packet q = make_syn(src, "198.51.100.1", 40000, (uint16_t)(10 + k), k, 0, -1);
            agg_add(agg, &q, 3);
        }
    struct packet late = make_syn("10.3.0.1", "198.51.100.1", 40000, 10, 0, 0, -1);
    agg_add(agg, &late, 3);
    int two_each = agg_records(agg) == (size_t)pairs + 1;
    for (size_t i = 0; i < agg_records(agg); i++) {
        r = agg_record(agg, i, &scratch);
        bool is_late = r->src.b[13] == 3;
        two_each &= r->kind_packets[KIND_SYN_PROBE] == (is_late ? 1u : 2u) &&
                    r->syn_ports.n == (is_late ? 1u : 2u);
        if (is_late) two_each &= agg_record_stored(agg, i) != NULL; /* made full from the start */
    }
    CHECK("when most one-packet records get a second packet, new records start full; exact",
          two_each);
    agg_free(agg);

    agg = agg_new();
    const int n = 3000;
    for (int round = 0; round < 3; round++)
        for (int i = 0; i < n; i++) {
            /* round 1 promotes every third source, round 2 every fifth */
            if ((round == 1 && i % 3) || (round == 2 && i % 5)) continue;
            char src[32];
            snprintf(src, sizeof src, "10.1.%d.%d", i >> 8, i & 255);
            struct packet q =
                make_syn(src, "198.51.100.1", 40000, (uint16_t)(1 + round), round, 0, -1);
            agg_add(agg, &q, 7);
        }
    int exact = agg_records(agg) == (size_t)n;
    uint64_t total = 0;
    for (size_t i = 0; i < agg_records(agg); i++) {
        r = agg_record(agg, i, &scratch);
        int k = (int)(r->src.b[14] << 8 | r->src.b[15]);
        uint32_t want = 1 + (k % 3 == 0) + (k % 5 == 0);
        exact &= r->kind_packets[KIND_SYN_PROBE] == want && r->syn_ports.n == want &&
                 agg_record_syn(agg, i) == want && agg_record_day(agg, i) == 7;
        total += r->kind_packets[KIND_SYN_PROBE];
    }
    CHECK("promotions among many one-packet records: every record found and exact",
          exact && total == (uint64_t)n + 1000 + 600);
    agg_free(agg);
}

/* The summary of a source named by its address, or NULL. */
static const struct source_summary *summary_of(source_reader_t *reader, const struct analysis *an,
                                               const char *addr)
{
    for (size_t i = 0; i < an->n_sources; i++) {
        const struct source_summary *s = source_reader_get(reader, i);
        char buf[64];
        if (s && !strcmp(ipaddr_format(&s->src, buf, sizeof buf), addr)) return s;
    }
    return NULL;
}

static void add_syn(agg_t *agg, const char *src, int dst_last_byte, uint16_t dport, int32_t day)
{
    char dst[32];
    snprintf(dst, sizeof dst, "198.51.100.%d", dst_last_byte);
    struct packet p = make_syn(src, dst, 40000, dport, 1000 + day, 0, -1);
    agg_add(agg, &p, day);
}

#define CHECK_AS(prefix, name, cond)                                                               \
    do {                                                                                           \
        char full_name[160];                                                                       \
        snprintf(full_name, sizeof full_name, "%s%s", prefix, name);                               \
        CHECK(full_name, cond);                                                                    \
    } while (0)

/* The checks of test_source_summaries, on what source_reader gives for an analysis of its
 * records; prefix names the way the summaries came. */
static void check_source_summaries(const struct analysis *an, const char *prefix)
{
    source_reader_t *reader = source_reader_new(an);
    const struct source_summary *s = summary_of(reader, an, "203.0.113.10");
    CHECK_AS(prefix, "a lone packet: its port, address, time, tool and class",
             s && s->days == 1 && s->syn_ports == 1 && s->dst_addrs == 1 && s->udp_ports == 0 &&
                 s->kind_packets[KIND_SYN_PROBE] == 1 && s->first_ns == 100 && s->last_ns == 100 &&
                 s->tool_matched == 1 && s->rule == 0 && s->tool == 1 && s->cls == CLASS_SCANNER &&
                 s->research_days == 0);
    s = summary_of(reader, an, "203.0.113.5");
    CHECK_AS(prefix, "many ports and addresses over days: distinct ones counted",
             s && s->days == 3 && s->syn_ports == 40 && s->dst_addrs == 40 &&
                 s->kind_packets[KIND_SYN_PROBE] == 60 && s->tool == TOOL_UNKNOWN);
    s = summary_of(reader, an, "203.0.113.6");
    CHECK_AS(prefix, "a few addresses, then many: all counted once",
             s && s->days == 2 && s->dst_addrs == 102 && s->syn_ports == 1);
    s = summary_of(reader, an, "203.0.113.11");
    CHECK_AS(prefix, "a few ports and addresses over days, after sources with many: exact",
             s && s->days == 3 && s->syn_ports == 3 && s->dst_addrs == 3 &&
                 s->kind_packets[KIND_SYN_PROBE] == 5 && s->first_ns == 1000 && s->last_ns == 1002);
    s = summary_of(reader, an, "203.0.113.12");
    CHECK_AS(prefix, "many ports over days, after another source with many: exact",
             s && s->days == 2 && s->syn_ports == 60 && s->dst_addrs == 1);
    s = summary_of(reader, an, "198.51.100.150");
    CHECK_AS(prefix, "a probed address that sends: the sensor", s && s->cls == CLASS_SENSOR);
    s = summary_of(reader, an, "198.51.100.151");
    CHECK_AS(prefix, "an address among the probed ones, not probed itself: not the sensor",
             s && s->cls == CLASS_BACKSCATTER);
    s = summary_of(reader, an, "198.51.100.201");
    CHECK_AS(prefix, "an address past the probed ones: not the sensor",
             s && s->cls == CLASS_BACKSCATTER);
    source_reader_free(reader);
}

/* Summaries by the path each source takes: one record of one packet (read as it is kept), a
 * few ports and addresses over several days (counted in a short list), many (counted in a
 * bitmap and a set, which the next source finds empty again); and sensor addresses inferred
 * from the probed ones. */
static void test_source_summaries(void)
{
    fprules_t *rules = fprules_new();
    fprules_parse(rules, "version 1\n[toolx]\nrule x = tcp win=1\n", "t", NULL);
    struct verdict_config cfg;
    verdict_config_defaults(&cfg); /* no sensor given: inferred from the probed addresses */
    agg_t *agg = agg_new();
    struct packet lone = make_syn("203.0.113.10", "198.51.100.1", 443, 22, 100, 1, 0);
    agg_add(agg, &lone, 0);
    /* 203.0.113.5, judged before the others: 20 ports and 20 addresses a day, overlapping */
    for (int day = 0; day < 3; day++)
        for (int k = 0; k < 20; k++)
            add_syn(agg, "203.0.113.5", 1 + 10 * day + k, (uint16_t)(10 * day + k), day);
    /* 203.0.113.6: three addresses, then the 100 even ones */
    for (int k = 1; k <= 3; k++)
        add_syn(agg, "203.0.113.6", k, 1, 0);
    for (int k = 2; k <= 200; k += 2)
        add_syn(agg, "203.0.113.6", k, 1, 1);
    /* 203.0.113.11: ports 1,2 / 2,3 / 1 to addresses .1,.2 / .2,.3 / .1 */
    add_syn(agg, "203.0.113.11", 1, 1, 0);
    add_syn(agg, "203.0.113.11", 2, 2, 0);
    add_syn(agg, "203.0.113.11", 2, 2, 1);
    add_syn(agg, "203.0.113.11", 3, 3, 1);
    add_syn(agg, "203.0.113.11", 1, 1, 2);
    /* 203.0.113.12, judged after 203.0.113.5: ports 100-139, then 120-159 */
    for (int day = 0; day < 2; day++)
        for (int k = 0; k < 40; k++)
            add_syn(agg, "203.0.113.12", 1, (uint16_t)(100 + 20 * day + k), day);
    const char *replies[] = {"198.51.100.150", "198.51.100.151", "198.51.100.201"};
    for (int i = 0; i < 3; i++) {
        struct packet p = make_syn(replies[i], "203.0.113.10", 80, 40000, 5, 0, -1);
        p.kind = KIND_BACKSCATTER;
        agg_add(agg, &p, 0);
    }
    struct analysis an;
    CHECK("summaries: analysis builds", analysis_build(&an, agg, rules, &cfg, NULL) == 0);
    CHECK("summaries: judging kept them (a few sources)", an.summaries != NULL);
    /* The checks twice: on the summaries judging kept, then on those built again from the
     * records (what a report gets when keeping them would cost too much memory). */
    struct source_summary *kept = an.summaries;
    for (int again = 0; again < 2; again++) {
        an.summaries = again ? NULL : kept;
        check_source_summaries(&an, again ? "built again: " : "kept: ");
    }
    source_reader_t *reader = source_reader_new(&an);
    bool same = true;
    for (size_t i = 0; i < an.n_sources; i++) {
        const struct source_summary *s = source_reader_get(reader, i);
        same = same && s && !memcmp(s, &kept[i], sizeof *s);
    }
    CHECK("summaries: every one built again equals the one judging kept", same);
    an.summaries = kept;
    source_reader_free(reader);
    analysis_free(&an);
    agg_free(agg);
    fprules_free(rules);
}

/* The tool a source is given from its tallies over days: a tie goes to the tool whose rule
 * has its minimum of packets, then to the earlier rule; a third tool over the days is not
 * lost to the record's two slots. The same answer whichever order the days were counted in,
 * as when threads read pieces of a capture in either order. */
static uint8_t tool_of(const fprules_t *rules, const struct packet *p, size_t n, bool reverse,
                       const char *src, uint32_t *matched)
{
    struct verdict_config cfg;
    verdict_config_defaults(&cfg);
    agg_t *agg = agg_new();
    for (size_t i = 0; i < n; i++) {
        const struct packet *q = &p[reverse ? n - 1 - i : i];
        agg_add(agg, q, (int32_t)(q->ts_ns / 86400000000000LL));
    }
    struct analysis an;
    uint8_t tool = 255;
    *matched = 0;
    if (analysis_build(&an, agg, rules, &cfg, NULL) == 0) {
        source_reader_t *reader = source_reader_new(&an);
        for (size_t i = 0; i < an.n_sources; i++) {
            const struct source_summary *s = source_reader_get(reader, i);
            char buf[64];
            ipaddr_format(&s->src, buf, sizeof buf);
            if (!strcmp(buf, src)) tool = s->tool, *matched = (uint32_t)s->tool_matched;
        }
        source_reader_free(reader);
        analysis_free(&an);
    }
    agg_free(agg);
    return tool;
}

static void test_tool_ties(void)
{
    fprules_t *rules = fprules_new();
    fprules_parse(rules,
                  "version 1\n[weak]\nrule w min=3 = tcp win=1\n[toolb]\nrule b = tcp win=2\n"
                  "[toolc]\nrule c = tcp win=3\n",
                  "t", NULL);
    uint8_t weak = (uint8_t)fprules_tool_id(rules, "weak"),
            toolb = (uint8_t)fprules_tool_id(rules, "toolb"),
            toolc = (uint8_t)fprules_tool_id(rules, "toolc");
    const int64_t day = 86400000000000LL;
    const char *dst = "198.51.100.1";
    /* one match each of weak (rule 0, needs 3) and toolb (rule 1), on two days */
    struct packet tie_min[] = {make_syn("203.0.113.7", dst, 4000, 80, 0, weak, 0),
                               make_syn("203.0.113.7", dst, 4000, 81, day, toolb, 1)};
    /* one match each of toolc (rule 2) and toolb (rule 1) */
    struct packet tie_rule[] = {make_syn("203.0.113.8", dst, 4000, 80, 0, toolc, 2),
                                make_syn("203.0.113.8", dst, 4000, 81, day, toolb, 1)};
    /* two of weak, two of toolb, then four of toolc (half the probes): three tools over three days
     * (two packets a day or more, so that each day is a full record, numbered in day order) */
    struct packet three[] = {make_syn("203.0.113.9", dst, 4000, 80, 0, weak, 0),
                             make_syn("203.0.113.9", dst, 4000, 81, 1, weak, 0),
                             make_syn("203.0.113.9", dst, 4000, 82, day, toolb, 1),
                             make_syn("203.0.113.9", dst, 4000, 83, day + 1, toolb, 1),
                             make_syn("203.0.113.9", dst, 4000, 84, 2 * day, toolc, 2),
                             make_syn("203.0.113.9", dst, 4000, 85, 2 * day + 1, toolc, 2),
                             make_syn("203.0.113.9", dst, 4000, 86, 2 * day + 2, toolc, 2),
                             make_syn("203.0.113.9", dst, 4000, 87, 2 * day + 3, toolc, 2)};
    for (int reverse = 0; reverse <= 1; reverse++) {
        uint32_t matched;
        CHECK("a tie goes to the tool whose rule has its minimum",
              tool_of(rules, tie_min, 2, reverse, "203.0.113.7", &matched) == toolb &&
                  matched == 1);
        CHECK("a tie between tools with enough goes to the earlier rule",
              tool_of(rules, tie_rule, 2, reverse, "203.0.113.8", &matched) == toolb &&
                  matched == 1);
        CHECK("a third tool over the days is counted",
              tool_of(rules, three, 8, reverse, "203.0.113.9", &matched) == toolc && matched == 4);
    }
    fprules_free(rules);
}

/* Grouping and its radix sort on several threads give what one thread gives: the same sources,
 * members in the same order, stable among equal keys. Enough records for the threads to be
 * used (the sort goes to threads from 200,000 pairs). */
static void test_grouping_threads(void)
{
    enum { N = 500000 };
    uint64_t *one = malloc(N * sizeof *one), *many = malloc(N * sizeof *many),
             *tmp = malloc(N * sizeof *tmp);
    uint32_t seed = 7;
    for (uint32_t i = 0; i < N; i++) {
        seed = seed * 1103515245u + 12345u;
        one[i] = many[i] = (uint64_t)(seed >> 16 & 0x3FFF) << 32 | i; /* many equal keys */
    }
    radix_sort_u64(one, tmp, N, 32);
    radix_sort_u64_threads(many, tmp, N, 32, 3);
    bool stable = true;
    for (uint32_t i = 1; i < N; i++)
        stable &= one[i - 1] >> 32 < one[i] >> 32 || (uint32_t)one[i - 1] < (uint32_t)one[i];
    CHECK("radix sort on threads: as on one, stable",
          stable && memcmp(one, many, N * sizeof *one) == 0);
    free(one);
    free(many);
    free(tmp);

    agg_t *agg = agg_new();
    char src[64];
    for (uint32_t i = 0; i < 240000; i++) { /* 80,000 sources on 3 days, and some IPv6 */
        uint32_t s = i * 7919 % 80000;      /* each source once in each 80,000, out of order */
        if (s % 997 == 0)
            snprintf(src, sizeof src, "2001:db8::%x:%x", s >> 16, s & 0xFFFF);
        else
            snprintf(src, sizeof src, "10.%u.%u.%u", s >> 16, s >> 8 & 0xFF, s & 0xFF);
        struct packet p = make_syn(src, "198.51.100.1", 4000, 80, i, 0, -1);
        agg_add(agg, &p, (int32_t)(i / 80000));
    }
    size_t n = agg_records(agg);
    uint8_t *excluded = calloc(n, 1);
    for (size_t r = 0; r < n; r += 1001)
        excluded[r] = 1;
    uint32_t *source_1 = malloc(n * sizeof *source_1), *source_3 = malloc(n * sizeof *source_3);
    struct grouping g1, g3;
    bool built = grouping_build(&g1, agg, excluded, source_1, 1) == 0 &&
                 grouping_build(&g3, agg, excluded, source_3, 3) == 0;
    CHECK("grouping on threads: as on one",
          built && g1.n_sources == 80000 && g3.n_sources == g1.n_sources &&
              memcmp(g1.offsets, g3.offsets, (g1.n_sources + 1) * sizeof *g1.offsets) == 0 &&
              memcmp(g1.members, g3.members, g1.offsets[g1.n_sources] * sizeof *g1.members) == 0 &&
              memcmp(source_1, source_3, n * sizeof *source_1) == 0);
    grouping_free(&g1);
    grouping_free(&g3);
    free(source_1);
    free(source_3);
    free(excluded);
    agg_free(agg);
}

/* The oracle for agg_key_order: day, then IPv4 before IPv6, then the IPv4 address, then the
 * record number (which keeps a day's IPv6 records in record order). */
struct order_key {
    int32_t day;
    int v6;
    uint32_t v4;
    uint32_t record;
};

static int compare_order_keys(const void *pa, const void *pb)
{
    const struct order_key *a = pa, *b = pb;
    if (a->day != b->day) return a->day < b->day ? -1 : 1;
    if (a->v6 != b->v6) return a->v6 - b->v6;
    if (a->v4 != b->v4) return a->v4 < b->v4 ? -1 : 1;
    return (a->record > b->record) - (a->record < b->record);
}

static void test_key_order(void)
{
    agg_t *agg = agg_new();
    static const int32_t days[] = {20400, 20399, 20405, 20401};
    uint32_t seed = 77;
    for (int i = 0; i < 20000; i++) {
        seed = seed * 1103515245u + 12345u;
        char src[48];
        if (seed >> 28 == 0) /* one in sixteen from IPv6 */
            snprintf(src, sizeof src, "2001:db8::%x", seed >> 20 & 0xFF);
        else /* a few thousand sources, some with one packet a day, some with many */
            snprintf(src, sizeof src, "%u.%u.0.%u", 1 + (seed >> 8 & 0xFF), seed >> 20 & 7,
                     seed >> 24 & 0x1F);
        add_syn(agg, src, (int)(seed & 0xFF), (uint16_t)(seed >> 4), days[seed >> 16 & 3]);
    }
    size_t n = agg_records(agg);
    uint32_t *order = agg_key_order(agg);
    struct order_key *want = malloc(n * sizeof *want);
    for (size_t i = 0; i < n; i++) {
        struct ipaddr src = agg_record_src(agg, i);
        bool v4 = ipaddr_is_v4(&src);
        want[i] =
            (struct order_key){agg_record_day(agg, i), !v4, v4 ? ipaddr_v4(&src) : 0, (uint32_t)i};
    }
    qsort(want, n, sizeof *want, compare_order_keys);
    size_t same = 0, v6 = 0, ones = 0;
    for (size_t i = 0; order && i < n; i++) {
        same += order[i] == want[i].record;
        v6 += want[i].v6;
        ones += agg_record_one(agg, i) != NULL;
    }
    CHECK("key order: records by day, then IPv4 address, then a day's IPv6 ones in record order",
          order && n > 3000 && v6 > 0 && ones > 0 && ones < n && same == n);
    free(order);
    free(want);
    agg_free(agg);

    agg_t *empty = agg_new();
    uint32_t *none = agg_key_order(empty);
    CHECK("key order of an empty table: an empty order", none != NULL);
    free(none);
    agg_free(empty);
}

/* Records appended without a lookup (a store's rows of one sensor) make the table that
 * merging them one by one makes; a lookup after them finds them. */
static void test_append_records(void)
{
    agg_t *counted = agg_new();
    for (int i = 0; i < 3000; i++) {
        struct packet p = nth_packet(i);
        agg_add(counted, &p, (int32_t)(p.ts_ns / 86400000000000LL));
    }
    for (int i = 0; i < 500; i++) /* records of one packet, kept in the small form */
        add_syn(counted, i % 2 ? "192.0.2.7" : "192.0.2.8", i % 250, (uint16_t)i, 100 + i);
    agg_t *appended = agg_new(), *merged = agg_new();
    size_t ones = 0;
    for (size_t i = 0; i < agg_records(counted); i++) {
        struct src_day scratch;
        const struct src_day *r = agg_record(counted, i, &scratch);
        ones += agg_record_one(counted, i) != NULL;
        agg_append_record(appended, r);
        agg_merge_record(merged, r);
    }
    size_t before = agg_records(appended);
    CHECK("appended records: the table merging them makes",
          ones > 400 && before == agg_records(counted) && compare_records(appended, merged) &&
              table_digest(appended) == table_digest(merged));
    struct src_day scratch;
    const struct src_day *first = agg_record(counted, 0, &scratch);
    struct ipaddr key_src = first->src;
    int32_t key_day = first->day;
    uint32_t syn = first->kind_packets[KIND_SYN_PROBE];
    agg_merge_record(appended, first);
    size_t copies = 0;
    uint32_t syn_now = 0;
    for (size_t i = 0; i < agg_records(appended); i++) {
        const struct src_day *r = agg_record(appended, i, &scratch);
        if (r->day != key_day || memcmp(&r->src, &key_src, sizeof r->src)) continue;
        copies++;
        syn_now = r->kind_packets[KIND_SYN_PROBE];
    }
    CHECK("... and a record merged after them finds its own: no second record of the key",
          syn > 0 && agg_records(appended) == before && copies == 1 && syn_now == 2 * syn);
    agg_free(counted);
    agg_free(appended);
    agg_free(merged);
}

int main(void)
{
    test_append_records();
    test_key_order();
    test_source_summaries();
    test_one_packet_records();
    test_grouping();
    test_grouping_threads();
    test_source_order();
    test_many_sources();
    test_portmap();
    test_addrset_forms();
    test_memory_cap();
    test_merge_exact();
    test_absorb_blocks();
    test_verdicts();
    test_tool_ties();
    CHECK_DONE();
}
