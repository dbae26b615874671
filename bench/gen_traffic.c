/* Benchmark traffic generator: writes a pcap of realistic sensor traffic with a known mix,
 * fast enough for a 30-million-packet month. Python (tests/tools/gen_month.py) writes the
 * small test months; this writes the big ones.
 *
 *   gen_traffic OUT.pcap [--packets N] [--sources N] [--days N] [--seed N]
 *
 * Mix per packet: Masscan 16%, ZMap 3%, Mirai 3%, Nmap 1%, OS-stack SYNs 55%, reflection SYNs
 * 3%, backscatter (SYN/ACK, RST) 12%, the sensor's replies 7%. Half of the packets come from
 * a few thousand heavy sources, half from a long tail, so most of the --sources addresses
 * appear once or twice, as on a darknet. Prints the mix it wrote, which the analysis must find
 * again (tests/run.sh checks it). The reflection SYNs are an attack's: a few victims, each
 * flooding one sensor address and port with thousands of spoofed SYNs (as an attacker's list
 * of reflectors names each address once), hundreds a day even in a short test month. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum mix { MASSCAN, ZMAP, MIRAI, NMAP, OS_SYN, REFLECTION, BACKSCATTER, SENSOR_REPLY, MIX_COUNT };
static const char *const mix_name[MIX_COUNT] = {
    "masscan", "zmap", "mirai", "nmap", "os-syn", "reflection", "backscatter", "sensor-reply"};
static const double mix_share[MIX_COUNT] = {0.16, 0.03, 0.03, 0.01, 0.55, 0.03, 0.12, 0.07};
#define HEAVY_SOURCES 4096u
#define VICTIMS 24u             /* sources 0 to VICTIMS - 1: reflection victims */
#define SENSOR_BASE 0xC6336400u /* 198.51.100.0/24 */

static uint64_t rng_state;

static uint64_t next_random(void)
{
    uint64_t x = rng_state; /* xorshift64* */
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}

static uint32_t permute(uint32_t x) /* a bijection of the 32-bit numbers */
{
    x ^= x >> 16;
    x *= 0x7FEB352Du;
    x ^= x >> 15;
    x *= 0x846CA68Bu;
    return x ^ x >> 16;
}

static int is_source_address(uint32_t a)
{
    return a >= 0x01000000u && a < 0xE0000000u && (a & 0xFFFFFF00u) != SENSOR_BASE;
}

/* Source address of source number i: spread over 1.0.0.0-223.255.255.255, never the sensor,
 * and one address a number, so that the kinds the generator counts are the sources the
 * analysis judges (two sources of different kinds on one address would make one source of
 * mixed traffic). i is placed in the range, then permuted within it (cycle walking: permute
 * again until the value lies in the range again, which keeps distinct numbers distinct). */
static uint32_t source_address(uint64_t i)
{
    uint32_t a = 0x01000000u + (uint32_t)i;
    if (a >= SENSOR_BASE) a += 256;
    do
        a = permute(a);
    while (!is_source_address(a));
    return a;
}

/* Which kind of traffic a source sends is fixed by its number: the victims' is reflection,
 * the others' drawn from the rest of the mix. */
static enum mix source_kind(uint64_t i)
{
    if (i < VICTIMS) return REFLECTION;
    double u = (double)(((i + 7) * 0xD1B54A32D192ED03ULL) >> 11) / 9007199254740992.0, acc = 0;
    u *= 1 - mix_share[REFLECTION];
    for (int m = 0; m < MIX_COUNT; m++)
        if (m != REFLECTION && u < (acc += mix_share[m])) return (enum mix)m;
    return OS_SYN;
}

static size_t build(uint8_t *f, enum mix kind, uint32_t src, uint64_t src_index)
{
    uint32_t sensor = SENSOR_BASE + 1 + (uint32_t)(next_random() % 254);
    if (kind == REFLECTION) sensor = SENSOR_BASE + 1 + (uint32_t)(src_index % 254);
    uint64_t r = next_random();
    static const uint16_t masscan_ports[] = {1433, 445, 22, 23, 80, 443, 3389, 8080, 5900, 3306};
    static const uint16_t zmap_ports[] = {52869, 52869, 52869, 80, 8080, 37215};
    uint16_t sport = (uint16_t)(1024 + src_index % 60000), dport = 80, window = 1024, ipid;
    uint32_t seq = (uint32_t)r, ack = 0;
    uint8_t ttl = 240, flags = 0x02, opt_len = 0, df = 0;
    uint8_t opts[20];
    uint32_t s = src, d = sensor;
    switch (kind) {
    case MASSCAN:
        dport = masscan_ports[(r >> 32) % 10];
        if ((r >> 40) % 4 == 0) dport = (uint16_t)((r >> 44) % 65535 + 1);
        break;
    case ZMAP:
        dport = zmap_ports[(r >> 32) % 6];
        window = 65535;
        break;
    case MIRAI:
        dport = (r >> 32) % 10 ? 23 : 2323;
        seq = sensor;
        ttl = 50;
        window = (uint16_t)(src_index * 2654435761u);
        break;
    case NMAP:
        dport = (uint16_t)((r >> 32) % 1000 + 1);
        ttl = 45;
        memcpy(opts, "\x02\x04\x05\xb4", 4);
        opt_len = 4;
        break;
    case OS_SYN:
    case REFLECTION:
        dport = kind == REFLECTION ? (src_index & 1 ? 80 : 443)
                                   : (uint16_t[]){22, 80, 443, 8080}[(r >> 32) % 4];
        if (kind == REFLECTION) sport = 80;
        ttl = 52;
        window = 64240;
        df = 1;
        memcpy(opts,
               "\x02\x04\x05\xb4\x04\x02\x08\x0a\x12\x34\x56\x78\x00\x00\x00\x00\x01\x03\x03\x07",
               20);
        opt_len = 20;
        break;
    case BACKSCATTER:
        flags = (r >> 32) % 3 ? 0x12 : 0x04;
        sport = 443;
        dport = (uint16_t)(1024 + (r >> 48) % 60000);
        ack = (uint32_t)(r >> 16);
        window = 29200;
        ttl = 52;
        break;
    case SENSOR_REPLY:
        s = sensor;
        d = src;
        flags = (r >> 32) % 2 ? 0x12 : 0x14;
        sport = 80;
        dport = (uint16_t)(1024 + src_index % 60000);
        ack = (uint32_t)r + 1;
        window = 64240;
        ttl = 64;
        break;
    default:
        break;
    }
    ipid = kind == ZMAP      ? 54321
           : kind == MASSCAN ? (uint16_t)((d ^ dport ^ seq) & 0xFFFF)
                             : (uint16_t)(r >> 20);
    memcpy(f, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00", 14);
    uint8_t *ip = f + 14, *tcp = ip + 20;
    size_t total = 20 + 20 + opt_len;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    put16(ip + 2, (uint16_t)total);
    put16(ip + 4, ipid);
    ip[6] = df ? 0x40 : 0;
    ip[8] = ttl;
    ip[9] = 6;
    put32(ip + 12, s);
    put32(ip + 16, d);
    uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2)
        sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    put16(ip + 10, (uint16_t)~sum);
    memset(tcp, 0, 20);
    put16(tcp, sport);
    put16(tcp + 2, dport);
    put32(tcp + 4, seq);
    put32(tcp + 8, ack);
    tcp[12] = (uint8_t)((20 + opt_len) / 4 << 4);
    tcp[13] = flags;
    put16(tcp + 14, window);
    memcpy(tcp + 20, opts, opt_len);
    return 14 + total;
}

int main(int argc, char **argv)
{
    const char *out = NULL;
    uint64_t packets = 30000000, sources = 10000000, days = 31, seed = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--packets") && i + 1 < argc)
            packets = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--sources") && i + 1 < argc)
            sources = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--days") && i + 1 < argc)
            days = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (argv[i][0] != '-' && !out)
            out = argv[i];
        else {
            fprintf(
                stderr,
                "usage: gen_traffic OUT.pcap [--packets N] [--sources N] [--days N] [--seed N]\n");
            return 2;
        }
    }
    if (!out || !sources || !days) {
        fprintf(stderr,
                "usage: gen_traffic OUT.pcap [--packets N] [--sources N] [--days N] [--seed N]\n");
        return 2;
    }
    rng_state = seed * 0x9E3779B97F4A7C15ULL + 1;
    FILE *f = fopen(out, "wb");
    if (!f) {
        perror(out);
        return 1;
    }
    static char buffer[1 << 22];
    setvbuf(f, buffer, _IOFBF, sizeof buffer);
    uint8_t header[24] = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0,
                          0,    0,    0,    0,    0, 0, 4, 0, 1, 0, 0, 0};
    fwrite(header, 1, 24, f);
    uint64_t count[MIX_COUNT] = {0};
    const uint64_t start = 1546300800ULL * 1000000; /* 2019-01-01, microseconds */
    const uint64_t span = days * 86400ULL * 1000000;
    uint8_t record[16 + 128];
    for (uint64_t n = 0; n < packets; n++) {
        uint64_t r = next_random(), index;
        if ((double)(next_random() >> 11) / 9007199254740992.0 < mix_share[REFLECTION])
            index = (r >> 1) % VICTIMS;
        else
            index =
                VICTIMS + ((r & 1) ? (r >> 1) % HEAVY_SOURCES : HEAVY_SOURCES + (r >> 1) % sources);
        enum mix kind = source_kind(index);
        size_t len = build(record + 16, kind, source_address(index), index);
        /* in time order across the whole span (span * n overflows 64 bits for big months) */
        uint64_t t = start + (uint64_t)((unsigned __int128)span * n / packets);
        uint32_t sec = (uint32_t)(t / 1000000), usec = (uint32_t)(t % 1000000);
        memcpy(record, &sec, 4);
        memcpy(record + 4, &usec, 4);
        uint32_t l = (uint32_t)len;
        memcpy(record + 8, &l, 4);
        memcpy(record + 12, &l, 4);
        fwrite(record, 1, 16 + len, f);
        count[kind]++;
    }
    if (fclose(f) != 0) {
        perror(out);
        return 1;
    }
    printf("%s: %llu packets over %llu days\n", out, (unsigned long long)packets,
           (unsigned long long)days);
    for (int m = 0; m < MIX_COUNT; m++)
        printf("  %-13s %llu\n", mix_name[m], (unsigned long long)count[m]);
    return 0;
}
