/* libFuzzer target: any bytes as a capture file (pcap, pcapng, gzip, zstd), read to the end and
 * every frame decoded. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "decode/decode.h"
#include "input/capture.h"
#include "util/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    if (!path[0]) snprintf(path, sizeof path, "/tmp/scanlens-fuzz-%d.pcap", (int)getpid());
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    char errbuf[SL_ERRBUF_SIZE];
    capture_t *cap;
    if (capture_open(&cap, path, errbuf) != SL_OK) return 0;
    struct frame fr;
    struct packet p;
    while (capture_next(cap, &fr, errbuf) > 0)
        decode_frame(&p, fr.linktype, fr.data, fr.caplen, fr.wirelen, fr.ts_ns);
    capture_close(cap);
    return 0;
}
