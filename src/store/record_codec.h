/* The byte layouts of a record's sets and tool tallies as the stores keep them (documented in
 * docs/history.md): little-endian arrays, so that they read the same on every machine. */
#ifndef SCANLENS_RECORD_CODEC_H
#define SCANLENS_RECORD_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "../aggregate/agg.h"

struct byte_buffer {
    uint8_t *data;
    size_t len, cap;
    bool failed; /* out of memory */
};

void buffer_reset(struct byte_buffer *b);
void buffer_free(struct byte_buffer *b);

/* [port u16][count u32]... in no particular order */
void encode_ports(struct byte_buffer *b, const struct portmap *m);
bool decode_ports(struct portmap *m, const uint8_t *data, size_t len);
/* [key u32]... */
void encode_addrs(struct byte_buffer *b, const struct addrset *s);
bool decode_addrs(struct addrset *s, const uint8_t *data, size_t len);
/* [tool u16][rule u16, 0xffff for none][count u32]..., tool and rule given as the store's ids by
 * the mapping functions. */
void encode_tools(struct byte_buffer *b, const struct src_day *r, uint16_t (*tool_id)(void *, int),
                  uint16_t (*rule_id)(void *, int), void *ctx);
bool decode_tools(struct src_day *r, const uint8_t *data, size_t len,
                  int (*tool_of)(void *, uint16_t), int (*rule_of)(void *, uint16_t), void *ctx);

#endif
