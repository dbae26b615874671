/* Encoding and decoding of record sets for storage. */
#include "record_codec.h"

#include <stdlib.h>
#include <string.h>

void buffer_reset(struct byte_buffer *b)
{
    b->len = 0;
    b->failed = false;
}

void buffer_free(struct byte_buffer *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

static void put(struct byte_buffer *b, uint64_t v, int bytes)
{
    if (b->len + (size_t)bytes > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        while (cap < b->len + (size_t)bytes)
            cap *= 2;
        uint8_t *grown = realloc(b->data, cap);
        if (!grown) {
            b->failed = true;
            return;
        }
        b->data = grown;
        b->cap = cap;
    }
    for (int i = 0; i < bytes; i++)
        b->data[b->len++] = (uint8_t)(v >> (8 * i));
}

static uint64_t get(const uint8_t *p, int bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static void put_port(void *ctx, uint16_t port, uint32_t count)
{
    put(ctx, port, 2);
    put(ctx, count, 4);
}

void encode_ports(struct byte_buffer *b, const struct portmap *m)
{
    portmap_each(m, put_port, b);
}

bool decode_ports(struct portmap *m, const uint8_t *data, size_t len)
{
    if (len % 6) return false;
    for (size_t i = 0; i < len; i += 6)
        if (!portmap_add(m, (uint16_t)get(data + i, 2), (uint32_t)get(data + i + 2, 4)))
            return false;
    return true;
}

static void put_addr(void *ctx, uint32_t key)
{
    put(ctx, key, 4);
}

void encode_addrs(struct byte_buffer *b, const struct addrset *s)
{
    addrset_each(s, put_addr, b);
}

bool decode_addrs(struct addrset *s, const uint8_t *data, size_t len)
{
    if (len % 4) return false;
    for (size_t i = 0; i < len; i += 4)
        if (!addrset_add(s, (uint32_t)get(data + i, 4))) return false;
    return true;
}

void encode_tools(struct byte_buffer *b, const struct src_day *r, uint16_t (*tool_id)(void *, int),
                  uint16_t (*rule_id)(void *, int), void *ctx)
{
    for (int i = 0; i < AGG_TOOL_SLOTS; i++) {
        if (!r->tools[i].count) continue;
        put(b, tool_id(ctx, r->tools[i].tool), 2);
        put(b, r->tools[i].rule >= 0 ? rule_id(ctx, r->tools[i].rule) : 0xFFFF, 2);
        put(b, r->tools[i].count, 4);
    }
    if (r->tools_overflow) { /* tool 0 stands for matches beyond the slots */
        put(b, 0, 2);
        put(b, 0xFFFF, 2);
        put(b, r->tools_overflow, 4);
    }
}

bool decode_tools(struct src_day *r, const uint8_t *data, size_t len,
                  int (*tool_of)(void *, uint16_t), int (*rule_of)(void *, uint16_t), void *ctx)
{
    if (len % 8) return false;
    for (size_t i = 0; i < len; i += 8) {
        uint16_t tool = (uint16_t)get(data + i, 2), rule = (uint16_t)get(data + i + 2, 2);
        uint32_t count = (uint32_t)get(data + i + 4, 4);
        int t = tool ? tool_of(ctx, tool) : -1;
        if (t <= 0) { /* overflow, or a tool today's rules do not know */
            r->tools_overflow += count;
            continue;
        }
        src_day_add_tool(r, (uint8_t)t, (int16_t)(rule == 0xFFFF ? -1 : rule_of(ctx, rule)), count);
    }
    return true;
}
