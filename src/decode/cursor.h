/* Bounds-checked reads over a frame: every fetch says whether the bytes were there.
 * Decoders read packet bytes only through these helpers, as tcpdump does through extract.h,
 * so a truncated or lying header can never make them read past the captured bytes. */
#ifndef SCANLENS_CURSOR_H
#define SCANLENS_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cursor {
    const uint8_t *data;
    size_t len; /* captured bytes from data onwards */
    size_t pos;
};

static inline void cursor_init(struct cursor *c, const uint8_t *data, size_t len)
{
    c->data = data;
    c->len = len;
    c->pos = 0;
}

static inline size_t cursor_left(const struct cursor *c)
{
    return c->len - c->pos;
}

static inline const uint8_t *cursor_ptr(const struct cursor *c)
{
    return c->data + c->pos;
}

/* Returns a pointer to n bytes at the cursor and advances, or NULL if fewer remain. */
static inline const uint8_t *cursor_take(struct cursor *c, size_t n)
{
    if (cursor_left(c) < n) return NULL;
    const uint8_t *p = c->data + c->pos;
    c->pos += n;
    return p;
}

static inline bool cursor_skip(struct cursor *c, size_t n)
{
    return cursor_take(c, n) != NULL;
}

static inline bool get_u8(struct cursor *c, uint8_t *out)
{
    const uint8_t *p = cursor_take(c, 1);
    if (!p) return false;
    *out = p[0];
    return true;
}

static inline bool get_be16(struct cursor *c, uint16_t *out)
{
    const uint8_t *p = cursor_take(c, 2);
    if (!p) return false;
    *out = (uint16_t)(p[0] << 8 | p[1]);
    return true;
}

static inline bool get_be32(struct cursor *c, uint32_t *out)
{
    const uint8_t *p = cursor_take(c, 4);
    if (!p) return false;
    *out = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    return true;
}

static inline uint16_t load_be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t load_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

#endif
