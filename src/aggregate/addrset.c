/* Adaptive set of 32-bit address keys. Key 0 marks an empty hash slot, so 0 is stored as 1
 * (0.0.0.0 is never a probe's destination).
 *
 * Three forms, told by cap: a few keys inline; a bitmap over an aligned window of addresses;
 * an open-addressing table. A sensor is nearly always one prefix or a few close ones, so the
 * destinations of one source fall in a narrow window: a /24 honeypot's 254 addresses cost a
 * 32-byte bitmap instead of a 2 KiB table, which is most of the aggregate's memory and of its
 * cache misses. Keys that spread wider than WINDOW_MAX move the set to the table. */
#include "addrset.h"

#include <stdlib.h>
#include <string.h>

#define WINDOW_MIN_BITS 8  /* 256 addresses: a /24 */
#define WINDOW_MAX_BITS 16 /* 65,536 addresses (8 KiB): a /16 */
#define HASH_FIRST_CAP 16

static inline uint32_t window_words(const struct addrset *s)
{
    return 1u << addrset_window_bits(s) >> 5;
}

uint32_t addrset_key(const struct ipaddr *a)
{
    uint32_t key;
    if (ipaddr_is_v4(a)) {
        key = ipaddr_v4(a);
    } else {
        uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
        for (int i = 0; i < 16; i++)
            h = (h ^ a->b[i]) * 0x100000001b3ull;
        key = (uint32_t)(h ^ h >> 32);
    }
    return key ? key : 1;
}

static inline uint32_t slot_of(uint32_t key, uint32_t cap)
{
    return (key * 0x9E3779B1u) >> 8 & (cap - 1);
}

void addrset_prefetch(const struct addrset *s, uint32_t key)
{
    if (addrset_is_window(s))
        __builtin_prefetch(
            &s->u.table[(key - addrset_window_base(s)) >> 5 & (window_words(s) - 1)]);
    else if (s->cap)
        __builtin_prefetch(&s->u.table[slot_of(key, s->cap)]);
}

void addrset_prefetch_table(const struct addrset *s)
{
    if (s->cap) __builtin_prefetch(s->u.table);
}

/* The narrowest window of at least WINDOW_MIN_BITS that holds both keys, or 0 if none up to
 * WINDOW_MAX_BITS does. */
static uint32_t bits_to_hold(uint32_t a, uint32_t b)
{
    uint32_t bits = WINDOW_MIN_BITS;
    while (bits <= WINDOW_MAX_BITS && a >> bits != b >> bits)
        bits++;
    return bits <= WINDOW_MAX_BITS ? bits : 0;
}

static bool table_insert(uint32_t *table, uint32_t cap, uint32_t key)
{
    uint32_t mask = cap - 1;
    for (uint32_t i = slot_of(key, cap);; i = (i + 1) & mask) {
        if (table[i] == key) return false;
        if (!table[i]) {
            table[i] = key;
            return true;
        }
    }
}

void addrset_each(const struct addrset *s, void (*fn)(void *ctx, uint32_t key), void *ctx)
{
    if (s->cap == 0) {
        for (uint32_t i = 0; i < s->n; i++)
            fn(ctx, s->u.small[i]);
    } else if (addrset_is_window(s)) {
        for (uint32_t w = 0; w < window_words(s); w++)
            for (uint32_t bits = s->u.table[w]; bits; bits &= bits - 1)
                fn(ctx, addrset_window_base(s) + w * 32 + (uint32_t)__builtin_ctz(bits));
    } else {
        for (uint32_t i = 0; i < s->cap; i++)
            if (s->u.table[i]) fn(ctx, s->u.table[i]);
    }
}

struct refill {
    uint32_t *table, cap, base;
};

static void refill_window(void *ctx, uint32_t key)
{
    struct refill *r = ctx;
    addrset_window_set(r->table, key - r->base);
}

static void refill_hash(void *ctx, uint32_t key)
{
    struct refill *r = ctx;
    table_insert(r->table, r->cap, key);
}

static void release(struct addrset *s)
{
    if (s->cap) free(s->u.table);
}

/* Moves the keys into a window of 2^bits addresses that also holds `key`. */
static bool to_window(struct addrset *s, uint32_t bits, uint32_t key)
{
    uint32_t *bitmap = calloc(1u << bits >> 5, sizeof *bitmap), base = key >> bits << bits;
    if (!bitmap) return false;
    addrset_each(s, refill_window, &(struct refill){bitmap, 0, base});
    release(s);
    s->u.table = bitmap;
    s->cap = ADDRSET_WINDOW | bits << 24 | base >> 8;
    return true;
}

static bool to_hash(struct addrset *s, uint32_t cap)
{
    uint32_t *table = calloc(cap, sizeof *table);
    if (!table) return false;
    addrset_each(s, refill_hash, &(struct refill){table, cap, 0});
    release(s);
    s->u.table = table;
    s->cap = cap;
    return true;
}

/* Makes room for `key` when the current form has none. */
static bool make_room(struct addrset *s, uint32_t key)
{
    uint32_t bits = 0;
    if (s->cap == 0) {
        bits = bits_to_hold(s->u.small[0], key);
        for (uint32_t i = 1; bits && i < s->n; i++) {
            uint32_t b = bits_to_hold(s->u.small[i], key);
            bits = b > bits || !b ? b : bits;
        }
        return bits ? to_window(s, bits, key) : to_hash(s, HASH_FIRST_CAP);
    }
    if (addrset_is_window(s)) {
        bits = bits_to_hold(addrset_window_base(s), key);
        uint32_t hash_cap = HASH_FIRST_CAP;
        while (hash_cap < 2 * (s->n + 1))
            hash_cap *= 2;
        return bits ? to_window(s, bits, key) : to_hash(s, hash_cap);
    }
    return to_hash(s, s->cap * 2);
}

/* Whether key can go in without the set changing its form or size. */
static bool has_room(const struct addrset *s, uint32_t key)
{
    if (addrset_is_window(s)) return addrset_window_holds(s, key);
    if (s->cap == 0) return s->n < ADDRSET_INLINE;
    return (s->n + 1) * 2 <= s->cap;
}

bool addrset_add_slow(struct addrset *s, uint32_t key)
{
    if (!has_room(s, key) && !make_room(s, key)) return false;
    if (addrset_is_window(s))
        s->n += addrset_window_set(s->u.table, key - addrset_window_base(s));
    else if (s->cap == 0)
        s->u.small[s->n++] = key;
    else
        s->n += table_insert(s->u.table, s->cap, key);
    return true;
}

struct merge_ctx {
    struct addrset *into;
    bool ok;
};

static void merge_one(void *ctx, uint32_t key)
{
    struct merge_ctx *m = ctx;
    if (m->ok && !addrset_add(m->into, key)) m->ok = false;
}

/* Set bits of a word. By hand because the x86-64 baseline Debian builds for has no popcnt
 * instruction: __builtin_popcount became a call into libgcc, 2% of judging's samples. */
static inline uint32_t bits_set(uint32_t x)
{
    x = x - (x >> 1 & 0x55555555u);
    x = (x & 0x33333333u) + (x >> 2 & 0x33333333u);
    x = (x + (x >> 4)) & 0x0F0F0F0Fu;
    return x * 0x01010101u >> 24;
}

bool addrset_merge(struct addrset *into, const struct addrset *from)
{
    if (addrset_is_window(into) && into->cap == from->cap) { /* the same window: OR the bitmaps */
        uint32_t n = 0;
        for (uint32_t w = 0; w < window_words(into); w++)
            n += bits_set(into->u.table[w] |= from->u.table[w]);
        into->n = n;
        return true;
    }
    struct merge_ctx m = {into, true};
    addrset_each(from, merge_one, &m);
    return m.ok;
}

void addrset_clear(struct addrset *s)
{
    if (addrset_is_window(s))
        memset(s->u.table, 0, window_words(s) * sizeof(uint32_t));
    else if (s->cap)
        memset(s->u.table, 0, s->cap * sizeof(uint32_t));
    else
        memset(&s->u, 0, sizeof s->u);
    s->n = 0;
}

void addrset_free(struct addrset *s)
{
    release(s);
    memset(s, 0, sizeof *s);
}

uint64_t addrset_heap_bytes(const struct addrset *s)
{
    if (addrset_is_window(s)) return window_words(s) * sizeof(uint32_t);
    return (uint64_t)s->cap * sizeof(uint32_t);
}
