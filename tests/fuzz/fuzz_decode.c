/* libFuzzer target: any bytes as a frame of any supported link type, decoded and classified. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "classify/classify.h"
#include "decode/decode.h"

static const uint16_t linktypes[] = {0, 1, 12, 14, 101, 108, 113, 228, 229, 276};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static fprules_t *rules;
    if (!rules) {
        rules = fprules_new();
        fprules_load_builtin(rules, NULL);
    }
    if (size < 1) return 0;
    uint16_t linktype = linktypes[data[0] % (sizeof linktypes / sizeof linktypes[0])];
    /* an exactly-sized copy, so that ASan sees any read past the frame */
    uint8_t *frame = malloc(size - 1 ? size - 1 : 1);
    memcpy(frame, data + 1, size - 1);
    struct packet p;
    decode_frame(&p, linktype, frame, (uint32_t)(size - 1), (uint32_t)(size - 1), 0);
    struct netset sensor = {0};
    struct classifier c = {.rules = rules, .sensor = &sensor};
    classify_packet(&c, &p);
    free(frame);
    return 0;
}
