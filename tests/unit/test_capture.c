/* Capture reader: timestamps in every resolution and byte order, pcapng interfaces and
 * blocks, gzip, zstd, xz and bzip2 input (decompressed on a thread of its own), and damaged files
 * that keep their whole records. */
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bzlib.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include "check.h"
#include "input/capture.h"
#include "input/decompress.h"
#include "util/error.h"

static char path[64];

static void put32(uint8_t *p, uint32_t v, int big)
{
    for (int i = 0; i < 4; i++)
        p[big ? 3 - i : i] = (uint8_t)(v >> (8 * i));
}

static void put16(uint8_t *p, uint16_t v, int big)
{
    p[big ? 1 : 0] = (uint8_t)v;
    p[big ? 0 : 1] = (uint8_t)(v >> 8);
}

static void write_file(const uint8_t *data, size_t len)
{
    strcpy(path, "/tmp/sl-test-XXXXXX");
    int fd = mkstemp(path);
    if (write(fd, data, len) != (ssize_t)len) abort();
    close(fd);
}

/* A pcap of one 4-byte record at 1000.5 s (frac as given). */
static size_t make_pcap(uint8_t *b, int big, int nano, uint32_t frac)
{
    put32(b, nano ? 0xA1B23C4D : 0xA1B2C3D4, big);
    put16(b + 4, 2, big), put16(b + 6, 4, big);
    put32(b + 8, 0, big), put32(b + 12, 0, big), put32(b + 16, 65535, big), put32(b + 20, 101, big);
    put32(b + 24, 1000, big), put32(b + 28, frac, big), put32(b + 32, 4, big),
        put32(b + 36, 60, big);
    memcpy(b + 40, "\x45\0\0\x28", 4);
    return 44;
}

static int read_one(struct frame *f, char *errbuf)
{
    capture_t *cap;
    int rc = capture_open(&cap, path, errbuf);
    if (rc != SL_OK) return rc;
    rc = capture_next(cap, f, errbuf);
    uint8_t first = rc > 0 ? f->data[0] : 0;
    int end = rc > 0 ? capture_next(cap, f, errbuf) : rc;
    capture_close(cap);
    f->data = NULL;
    return rc > 0 && end == 0 && first == 0x45 ? 1 : -100 + rc;
}

static void test_pcap_variants(void)
{
    uint8_t b[64];
    char errbuf[SL_ERRBUF_SIZE];
    struct frame f;
    for (int big = 0; big < 2; big++)
        for (int nano = 0; nano < 2; nano++) {
            write_file(b, make_pcap(b, big, nano, nano ? 500000000 : 500000));
            int rc = read_one(&f, errbuf);
            char name[80];
            snprintf(name, sizeof name, "pcap %s-endian %s: one record, 1000.5 s",
                     big ? "big" : "little", nano ? "ns" : "us");
            CHECK(name, rc == 1 && f.ts_ns == 1000500000000LL && f.caplen == 4 && f.wirelen == 60 &&
                            f.linktype == 101);
            unlink(path);
        }
}

static size_t block(uint8_t *b, uint32_t type, const uint8_t *body, uint32_t len)
{
    uint32_t total = 12 + ((len + 3) & ~3u);
    put32(b, type, 0), put32(b + 4, total, 0);
    memset(b + 8, 0, total - 12);
    memcpy(b + 8, body, len);
    put32(b + total - 4, total, 0);
    return total;
}

static void test_pcapng(void)
{
    uint8_t b[512], body[64];
    size_t n = 0;
    memset(body, 0, sizeof body);
    put32(body, 0x1A2B3C4D, 0), put16(body + 4, 1, 0);
    memset(body + 8, 0xFF, 8);
    n += block(b + n, 0x0A0D0D0A, body, 16);
    /* IDB: raw IP, if_tsresol 2^-20, if_tsoffset 100 s */
    memset(body, 0, sizeof body);
    put16(body, 101, 0), put32(body + 4, 65535, 0);
    put16(body + 8, 9, 0), put16(body + 10, 1, 0), body[12] = 0x80 | 20;
    put16(body + 16, 14, 0), put16(body + 18, 8, 0), put32(body + 20, 100, 0);
    n += block(b + n, 1, body, 28 + 4);
    /* EPB at 3 * 2^20 + 2^19 units = 3.5 s */
    memset(body, 0, sizeof body);
    uint64_t units = 3ull * (1 << 20) + (1 << 19);
    put32(body + 4, (uint32_t)(units >> 32), 0), put32(body + 8, (uint32_t)units, 0);
    put32(body + 12, 4, 0), put32(body + 16, 4, 0);
    memcpy(body + 20, "\x45\0\0\x14", 4);
    n += block(b + n, 6, body, 24);
    write_file(b, n);
    char errbuf[SL_ERRBUF_SIZE];
    struct frame f;
    CHECK("pcapng: binary resolution and offset give 103.5 s",
          read_one(&f, errbuf) == 1 && f.ts_ns == 103500000000LL && f.linktype == 101);
    unlink(path);
}

static void test_gzip_and_damage(void)
{
    uint8_t b[64];
    size_t len = make_pcap(b, 0, 0, 500000);
    uint8_t gz[256];
    z_stream z = {0};
    deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    z.next_in = b, z.avail_in = (uInt)len, z.next_out = gz, z.avail_out = sizeof gz;
    deflate(&z, Z_FINISH);
    size_t gz_len = z.total_out;
    deflateEnd(&z);
    write_file(gz, gz_len);
    char errbuf[SL_ERRBUF_SIZE];
    struct frame f;
    CHECK("gzip-compressed pcap reads the same",
          read_one(&f, errbuf) == 1 && f.ts_ns == 1000500000000LL);
    unlink(path);

    write_file(b, len - 2); /* the record is cut */
    capture_t *cap;
    CHECK("a cut file opens", capture_open(&cap, path, errbuf) == SL_OK);
    int rc = capture_next(cap, &f, errbuf);
    CHECK("a cut record is an error, not a frame", rc == SL_ERR_FORMAT && strstr(errbuf, "cut"));
    capture_close(cap);
    unlink(path);
}

/* Record i of a numbered pcap: at second i, of caplen_of(i, step) bytes (24 when step is 0). */
static uint32_t caplen_of(uint32_t i, uint32_t step)
{
    return 24 + (i % 7) * step;
}

/* Writes a pcap of `records` numbered records to path; returns its size. */
static size_t write_numbered_pcap(uint32_t records, uint32_t step)
{
    size_t len = 24;
    for (uint32_t i = 0; i < records; i++)
        len += 16 + caplen_of(i, step);
    uint8_t *b = calloc(1, len);
    if (!b) abort();
    make_pcap(b, 0, 0, 0);
    size_t at = 24;
    for (uint32_t i = 0; i < records; i++) {
        uint32_t caplen = caplen_of(i, step);
        put32(b + at, i, 0), put32(b + at + 4, 0, 0), put32(b + at + 8, caplen, 0);
        put32(b + at + 12, caplen, 0);
        memcpy(b + at + 16, "\x45\0\0\x18", 4);
        at += 16 + caplen;
    }
    write_file(b, len);
    free(b);
    return len;
}

/* The frames read from [start, end) of a numbered pcap: how many, and whether they are
 * records first, first + 1, ... whole, ending cleanly. */
static size_t read_range(uint64_t start, uint64_t end, uint32_t first, uint32_t step,
                         bool *in_order)
{
    char errbuf[SL_ERRBUF_SIZE];
    capture_t *cap;
    *in_order = false;
    if (capture_open_range(&cap, path, start, end, errbuf) != SL_OK) return 0;
    struct frame f;
    uint32_t n = 0;
    bool ordered = true;
    int rc;
    while ((rc = capture_next(cap, &f, errbuf)) > 0) {
        ordered = ordered && f.ts_ns == (int64_t)(first + n) * 1000000000 &&
                  f.caplen == caplen_of(first + n, step);
        n++;
    }
    capture_close(cap);
    *in_order = ordered && rc == 0;
    return n;
}

/* Pieces of a file larger than the reading buffer (1 MiB): records read through it whole,
 * a piece that starts within what the buffer holds and one far past it (a seek). */
static void test_pieces(void)
{
    enum { RECORDS = 200000, RECORD = 16 + 24 };
    write_numbered_pcap(RECORDS, 0);
    bool in_order;
#define AT(i) (24 + (uint64_t)(i)*RECORD)
    CHECK("an 8 MB pcap reads whole through the buffer, in order",
          read_range(0, UINT64_MAX, 0, 0, &in_order) == RECORDS && in_order);
    CHECK("a piece near the start: records 5 to 7",
          read_range(AT(5), AT(8), 5, 0, &in_order) == 3 && in_order);
    CHECK("a piece past the buffer: records 150000 to 150009",
          read_range(AT(150000), AT(150010), 150000, 0, &in_order) == 10 && in_order);
    CHECK("the last piece ends with the file",
          read_range(AT(RECORDS - 2), UINT64_MAX, RECORDS - 2, 0, &in_order) == 2 && in_order);
#undef AT

    /* Cut by another program while it is read, mid-record and past what the buffer holds: the
     * records before the cut are read, then an error says so. (A mapped file would have
     * killed the process with SIGBUS.) */
    char errbuf[SL_ERRBUF_SIZE];
    capture_t *cap;
    struct frame f;
    size_t frames = 0;
    int rc = capture_open(&cap, path, errbuf);
    if (rc == SL_OK) {
        if (capture_next(cap, &f, errbuf) > 0) {
            frames = 1;
            if (truncate(path, 24 + (size_t)150000 * RECORD + 30) != 0) abort();
            while ((rc = capture_next(cap, &f, errbuf)) > 0)
                frames++;
        }
        capture_close(cap);
    }
    CHECK("a file cut while read: its whole records, then an error naming the cut",
          frames == 150000 && rc == SL_ERR_FORMAT && strstr(errbuf, "cut"));
    unlink(path);
}

/* A 70 MB pcap of records of mixed sizes, cut by capture_split into 2 and 3 pieces: the
 * pieces start at records and, read one after another, give every record once, in order. */
static void test_split(void)
{
    enum { RECORDS = 1000000 };
    size_t len = write_numbered_pcap(RECORDS, 10);
    for (size_t parts = 2; parts <= 3; parts++) {
        uint64_t bounds[4];
        size_t k = capture_split(path, parts, bounds);
        uint32_t next = 0;
        bool whole = k == parts && bounds[0] == 24 && bounds[k] == len;
        for (size_t i = 0; i < k && whole; i++)
            next += (uint32_t)read_range(bounds[i], bounds[i + 1], next, 10, &whole);
        char name[96];
        snprintf(name, sizeof name, "capture_split into %zu: pieces at records, every record once",
                 parts);
        CHECK(name, whole && next == RECORDS);
    }
    unlink(path);
}

/* Compresses the file at path into a new file at path with `codec` (zstd with its checksum,
 * as the zstd tool writes it); the first `keep` bytes of it only, when keep is not 0, and
 * with 16 bytes inverted at `damage_at` when that is not 0. Returns the compressed size. */
static size_t compress_file(enum codec codec, size_t keep, size_t damage_at)
{
    FILE *in = fopen(path, "rb");
    if (!in || fseek(in, 0, SEEK_END) != 0) abort();
    size_t len = (size_t)ftell(in);
    uint8_t *plain = malloc(len);
    rewind(in);
    if (!plain || fread(plain, 1, len, in) != len) abort();
    fclose(in);
    size_t cap = ZSTD_compressBound(len) + compressBound(len) + lzma_stream_buffer_bound(len) +
                 len / 50 + 1024,
           out_len = 0;
    uint8_t *out = malloc(cap);
    if (!out) abort();
    if (codec == CODEC_XZ) {
        if (lzma_easy_buffer_encode(0, LZMA_CHECK_CRC64, NULL, plain, len, out, &out_len, cap) !=
            LZMA_OK)
            abort();
    } else if (codec == CODEC_BZIP2) {
        unsigned int n = (unsigned int)cap;
        if (BZ2_bzBuffToBuffCompress((char *)out, &n, (char *)plain, (unsigned int)len, 1, 0, 0) !=
            BZ_OK)
            abort();
        out_len = n;
    } else if (codec == CODEC_ZSTD) {
        ZSTD_CCtx *c = ZSTD_createCCtx();
        ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
        out_len = ZSTD_compress2(c, out, cap, plain, len);
        ZSTD_freeCCtx(c);
        if (ZSTD_isError(out_len)) abort();
    } else {
        z_stream z = {0};
        deflateInit2(&z, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
        z.next_in = plain, z.avail_in = (uInt)len, z.next_out = out, z.avail_out = (uInt)cap;
        if (deflate(&z, Z_FINISH) != Z_STREAM_END) abort();
        out_len = z.total_out;
        deflateEnd(&z);
    }
    for (size_t i = damage_at; damage_at && i < damage_at + 16 && i < out_len; i++)
        out[i] ^= 0xFF;
    if (keep && keep < out_len) out_len = keep;
    unlink(path);
    write_file(out, out_len);
    free(plain);
    free(out);
    return out_len;
}

/* Reads the numbered pcap (step 20) at path from its start: frames read and in order (as
 * read_range), and how the reading ended (0 at the end, else the error, in errbuf). */
static size_t read_all(bool *in_order, int *end, char *errbuf)
{
    capture_t *cap;
    *in_order = false;
    if ((*end = capture_open(&cap, path, errbuf)) != SL_OK) return 0;
    struct frame f;
    uint32_t n = 0;
    bool ordered = true;
    while ((*end = capture_next(cap, &f, errbuf)) > 0) {
        ordered = ordered && f.ts_ns == (int64_t)n * 1000000000 && f.caplen == caplen_of(n, 20);
        n++;
    }
    capture_close(cap);
    *in_order = ordered;
    return n;
}

/* Compressed captures larger than the decompressing thread's chunks (10 MB: the ring of four
 * 1 MiB chunks goes round twice), whole, cut and damaged, and given up on early. */
static void test_compressed(void)
{
    enum { RECORDS = 100000 };
    for (enum codec z = CODEC_GZIP; z <= CODEC_BZIP2; z++) {
        const char *codec = codec_name(z);
        char name[128], errbuf[SL_ERRBUF_SIZE];
        bool in_order;
        int end;
        write_numbered_pcap(RECORDS, 20);
        size_t len = compress_file(z, 0, 0);
        snprintf(name, sizeof name, "%s, 10 MB: every record, in order, a clean end", codec);
        CHECK(name, read_all(&in_order, &end, errbuf) == RECORDS && in_order && end == 0);

        capture_t *cap;
        struct frame f;
        bool one = capture_open(&cap, path, errbuf) == SL_OK && capture_next(cap, &f, errbuf) > 0;
        if (one) capture_close(cap); /* with the thread chunks ahead: it stops, nothing leaks */
        snprintf(name, sizeof name, "%s: closed after one record", codec);
        CHECK(name, one);
        unlink(path);

        write_numbered_pcap(RECORDS, 20);
        compress_file(z, len / 2, 0);
        size_t n = read_all(&in_order, &end, errbuf);
        snprintf(name, sizeof name, "%s cut in half: the records before the cut, then an error",
                 codec);
        CHECK(name, n > 0 && n < RECORDS && in_order && end == SL_ERR_FORMAT &&
                        strstr(errbuf, "ends early") && strstr(errbuf, codec));
        unlink(path);

        write_numbered_pcap(RECORDS, 20);
        compress_file(z, 0, len / 2);
        n = read_all(&in_order, &end, errbuf);
        snprintf(name, sizeof name, "%s damaged in the middle: the reading ends in an error",
                 codec);
        CHECK(name, n < RECORDS && end < 0);
        unlink(path);
    }
}

/* The decompressor by itself, on a thread of its own and on the caller's: the same bytes as
 * the file it was made from, read in pieces of changing sizes, and every compressed byte
 * counted for progress. */
static void test_decompress_both_ways(void)
{
    size_t len = write_numbered_pcap(100000, 20);
    uint8_t *plain = malloc(len), *got = malloc(len + 1);
    FILE *in = fopen(path, "rb");
    if (!plain || !got || !in || fread(plain, 1, len, in) != len) abort();
    fclose(in);
    for (enum codec z = CODEC_GZIP; z <= CODEC_BZIP2; z++) {
        write_file(plain, len); /* compress_file reads it back from path */
        size_t packed = compress_file(z, 0, 0);
        for (int ahead = 0; ahead <= 1; ahead++) {
            char errbuf[SL_ERRBUF_SIZE];
            int fd = open(path, O_RDONLY);
            uint8_t first[4];
            decompress_t *d = NULL;
            size_t at = 0;
            ssize_t n = 1;
            if (fd >= 0 && read(fd, first, 4) == 4 &&
                decompress_open(&d, fd, z, first, 4, ahead, errbuf) == SL_OK) {
                for (size_t want = 1000; n > 0 && at <= len; want = want * 7 % 70001 + 1) {
                    n = decompress_read(d, got + at, want < len + 1 - at ? want : len + 1 - at,
                                        errbuf);
                    if (n > 0) at += (size_t)n;
                }
            }
            char name[128];
            snprintf(name, sizeof name,
                     "%s on %s: the file's bytes, then the end; all compressed bytes counted",
                     codec_name(z), ahead ? "a thread of its own" : "the caller's thread");
            CHECK(name, d && n == 0 && at == len && memcmp(got, plain, len) == 0 &&
                            decompress_consumed(d) == packed);
            decompress_close(d);
            if (fd >= 0) close(fd);
        }
        unlink(path);
    }
    free(plain);
    free(got);
}

/* Deflates plain[0, len) as one gzip member at out (a file name and an extra field in its
 * header when named); returns its size. */
static size_t gzip_member(const uint8_t *plain, size_t len, uint8_t *out, size_t cap, bool named)
{
    z_stream z = {0};
    gz_header h = {0};
    h.name = (Bytef *)"first.pcap";
    h.extra = (Bytef *)"sl", h.extra_len = 2;
    deflateInit2(&z, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    if (named) deflateSetHeader(&z, &h);
    z.next_in = (Bytef *)plain, z.avail_in = (uInt)len, z.next_out = out, z.avail_out = (uInt)cap;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END) abort();
    size_t n = z.total_out;
    deflateEnd(&z);
    return n;
}

/* A .gz of two members (cat a.gz b.gz, and what gzip writes with a name and extra field): every
 * record, in order; with bytes after the last member that are no gzip data: an error. */
static void test_gzip_members(void)
{
    enum { RECORDS = 100000 };
    size_t len = write_numbered_pcap(RECORDS, 20);
    uint8_t *plain = malloc(len), *gz = malloc(2 * len + 64);
    FILE *in = fopen(path, "rb");
    if (!plain || !gz || !in || fread(plain, 1, len, in) != len) abort();
    fclose(in);
    unlink(path);
    size_t half = len / 2 + 7, n = gzip_member(plain, half, gz, 2 * len, true);
    n += gzip_member(plain + half, len - half, gz + n, 2 * len - n, false);
    write_file(gz, n);
    char errbuf[SL_ERRBUF_SIZE];
    bool in_order;
    int end;
    CHECK("gzip of two members (a name and an extra field in the first): every record",
          read_all(&in_order, &end, errbuf) == RECORDS && in_order && end == 0);
    unlink(path);
    memcpy(gz + n, "this is no gzip data!", 21);
    write_file(gz, n + 21);
    CHECK("gzip followed by bytes that are not gzip: every record, then an error",
          read_all(&in_order, &end, errbuf) == RECORDS && in_order && end == SL_ERR_FORMAT &&
              strstr(errbuf, "gzip data corrupt"));
    unlink(path);
    free(plain);
    free(gz);
}

/* gzip data from a pipe whose writer stays open: what came is read without waiting for more,
 * and closing does not wait for the writer either (the thread waits in read()). */
static void test_compressed_pipe(void)
{
    write_numbered_pcap(100000, 20);
    compress_file(CODEC_GZIP, 0, 0);
    FILE *in = fopen(path, "rb");
    uint8_t head[8192];
    size_t n = in ? fread(head, 1, sizeof head, in) : 0;
    if (in) fclose(in);
    unlink(path);
    int fds[2];
    if (n < sizeof head || pipe(fds) != 0) abort();
    pid_t child = fork();
    if (child == 0) {
        close(fds[0]);
        if (write(fds[1], head, n) != (ssize_t)n) _exit(1);
        sleep(60);
        _exit(0);
    }
    close(fds[1]);
    alarm(30); /* a hang fails the test */
    snprintf(path, sizeof path, "/proc/self/fd/%d", fds[0]);
    char errbuf[SL_ERRBUF_SIZE];
    capture_t *cap;
    struct frame f;
    int frames = 0;
    if (capture_open(&cap, path, errbuf) == SL_OK) {
        while (frames < 100 && capture_next(cap, &f, errbuf) > 0)
            frames++;
        capture_close(cap);
    }
    alarm(0);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    close(fds[0]);
    CHECK("gzip from a pipe left open: records read as they come, then closed", frames == 100);
}

int main(void)
{
    test_pcap_variants();
    test_pcapng();
    test_gzip_and_damage();
    test_pieces();
    test_split();
    test_compressed();
    test_decompress_both_ways();
    test_gzip_members();
    test_compressed_pipe();
    CHECK_DONE();
}
