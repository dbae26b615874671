/* The (day, source) record table: records in fixed blocks, found through a slot table a day.
 * A record of one packet is kept in 32 bytes (struct one_packet) until a second comes. */
#include "agg.h"

#include <stdlib.h>
#include <string.h>

#include "../classify/fprules.h"
#include "../util/bigalloc.h"
#include "day_index.h"

struct addr_table {
    struct ipaddr *addr;
    uint32_t *slot; /* index + 1 */
    size_t n, cap_addr, cap_slots;
    bool overflow;
};

/* Records live in fixed blocks that never move: the table grows without copying (and without
 * the doubled peak of realloc), and pointers to records stay valid. */
#define BLOCK_BITS 16
#define BLOCK_RECORDS (1u << BLOCK_BITS)

/* A (day, source) record of a single packet: the packet's few fields, 32 bytes where a full
 * record takes 128. On a darknet most sources send one packet a day (13.3 M of the 13.7 M
 * records of the benchmark's 10 M-source month). Only for IPv4 sources and packets whose
 * record needs no heap (not UDP probes); the second packet of the (day, source) moves it into
 * a full record. Readers see it as a full record (agg_record's scratch). */
struct one_packet {
    uint32_t src4;
    int32_t day;
    int64_t ts_ns;
    uint32_t dst_key; /* addrset_key of the destination */
    uint16_t dport;
    uint8_t kind;
    uint8_t tool;
    int16_t rule;
    uint8_t service_sport; /* a SYN from a source port below 1024 */
    uint8_t unused[5];
};
_Static_assert(sizeof(struct one_packet) == 32, "a one-packet record is 32 bytes");

/* A slot's record: a full record's number, or ONE_PACKET and a one-packet record's number. */
#define ONE_PACKET 0x80000000u

struct agg {
    struct src_day **block;
    size_t n_blocks, cap_blocks, n_rec;
    struct one_packet **one_block; /* in blocks of BLOCK_RECORDS too */
    size_t n_one_blocks, cap_one_blocks, n_one;
    uint64_t ones_made, ones_promoted; /* by packets: see worth_one */
    struct big_ahead next_block;       /* the next block of records, its pages touched meanwhile */
    day_index_t *index;                /* NULL after agg_drop_index, until the next lookup */
    struct day_slots *last_days;       /* the table of the previous lookup's day */
    uint64_t frames, dropped, refused;
    uint64_t memory_limit;    /* bytes at the peak, by AGG_PEAK_*; 0: none */
    int32_t min_day, max_day; /* of the records; INT32_MAX, INT32_MIN when there are none */
    uint64_t status_count[PKT_STATUS_COUNT];
    uint64_t kind_count[KIND_COUNT];
    struct addr_table probed;
    /* IPv4 destinations known to be in `probed`, by their last byte: a sensor's few addresses
     * answer here without hashing. Entry i starts as an address whose last byte is not i, so
     * that no destination matches an entry never set. */
    uint32_t probed_recent[256];
    struct src_day *last; /* the record of the previous packet: sources come in bursts */
};

static inline struct src_day *record_at(const agg_t *a, size_t i)
{
    return &a->block[i >> BLOCK_BITS][i & (BLOCK_RECORDS - 1)];
}

static inline struct one_packet *one_at(const agg_t *a, size_t i)
{
    return &a->one_block[i >> BLOCK_BITS][i & (BLOCK_RECORDS - 1)];
}

static inline bool is_v4_mapped(const struct ipaddr *a)
{
    uint64_t lo;
    memcpy(&lo, a->b, 8);
    return lo == 0 && a->b[8] == 0 && a->b[9] == 0 && a->b[10] == 0xFF && a->b[11] == 0xFF;
}

static inline uint32_t v4_of(const struct ipaddr *a)
{
    return (uint32_t)a->b[12] << 24 | (uint32_t)a->b[13] << 16 | (uint32_t)a->b[14] << 8 | a->b[15];
}

static struct ipaddr mapped_v4(uint32_t v4)
{
    struct ipaddr a = {{0}};
    a.b[10] = a.b[11] = 0xFF;
    a.b[12] = (uint8_t)(v4 >> 24), a.b[13] = (uint8_t)(v4 >> 16);
    a.b[14] = (uint8_t)(v4 >> 8), a.b[15] = (uint8_t)v4;
    return a;
}

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    return x ^ x >> 33;
}

static uint32_t addr_hash(const struct ipaddr *a, uint64_t seed)
{
    uint64_t lo, hi;
    memcpy(&lo, a->b, 8);
    memcpy(&hi, a->b + 8, 8);
    return (uint32_t)mix64(hi ^ mix64(lo ^ seed));
}

agg_t *agg_new(void)
{
    agg_t *a = calloc(1, sizeof(agg_t));
    if (!a) return NULL;
    for (uint32_t i = 0; i < 256; i++)
        a->probed_recent[i] = i ^ 1;
    a->min_day = INT32_MAX;
    a->max_day = INT32_MIN;
    return a;
}

void agg_free(agg_t *a)
{
    if (!a) return;
    for (size_t i = 0; i < a->n_rec; i++)
        src_day_free(record_at(a, i));
    for (size_t b = 0; b < a->n_blocks; b++)
        big_free(a->block[b], BLOCK_RECORDS * sizeof(struct src_day));
    free(a->block);
    for (size_t b = 0; b < a->n_one_blocks; b++)
        big_free(a->one_block[b], BLOCK_RECORDS * sizeof(struct one_packet));
    free(a->one_block);
    day_index_free(a->index);
    if (a->next_block.p) big_ahead_cancel(&a->next_block);
    free(a->probed.addr);
    free(a->probed.slot);
    free(a);
}

static inline uint32_t key_hash(const struct ipaddr *src, int32_t day);

/* The slot table of a day, from the index (rebuilt from the records after agg_drop_index). */
static struct day_slots *slots_of(agg_t *a, int32_t day);

static bool rebuild_index(agg_t *a)
{
    if (!(a->index = day_index_new())) return false;
    for (size_t i = 0; i < a->n_rec + a->n_one; i++) {
        struct ipaddr src;
        int32_t day;
        uint32_t ref;
        if (i < a->n_rec) {
            src = record_at(a, i)->src, day = record_at(a, i)->day, ref = (uint32_t)i;
        } else {
            const struct one_packet *o = one_at(a, i - a->n_rec);
            src = mapped_v4(o->src4), day = o->day, ref = ONE_PACKET | (uint32_t)(i - a->n_rec);
        }
        struct day_slots *t = slots_of(a, day);
        if (!t || !day_slots_add(t, key_hash(&src, day), ref)) {
            agg_drop_index(a); /* a part of an index would find too little */
            return false;
        }
    }
    return true;
}

static struct day_slots *slots_of(agg_t *a, int32_t day)
{
    if (a->last_days && a->last_days->day == day) return a->last_days;
    if (!a->index && !rebuild_index(a)) return NULL;
    struct day_slots *t = day_index_get(a->index, day);
    if (t) a->last_days = t;
    return t;
}

static inline bool same_key(const struct src_day *r, const struct ipaddr *src, int32_t day)
{
    return r->day == day && memcmp(&r->src, src, sizeof *src) == 0;
}

static inline bool ref_matches(const agg_t *a, uint32_t ref, const struct ipaddr *src, int32_t day)
{
    if (!(ref & ONE_PACKET)) return same_key(record_at(a, ref), src, day);
    const struct one_packet *o = one_at(a, ref & ~ONE_PACKET);
    return o->day == day && is_v4_mapped(src) && o->src4 == v4_of(src);
}

/* Where the record of a slot is, to fetch it ahead. */
static inline const char *ref_address(const agg_t *a, uint32_t ref)
{
    return ref & ONE_PACKET ? (const char *)one_at(a, ref & ~ONE_PACKET)
                            : (const char *)record_at(a, ref);
}

/* The next free place in a list of blocks of `size`-byte items, n of them used; NULL when out
 * of memory. */
static void *next_in_blocks(void ***blocks, size_t *n_blocks, size_t *cap_blocks, size_t n,
                            size_t size)
{
    if ((n & (BLOCK_RECORDS - 1)) == 0 && n >> BLOCK_BITS == *n_blocks) {
        if (*n_blocks == *cap_blocks) {
            size_t cap = *cap_blocks ? *cap_blocks * 2 : 64;
            void **grown = realloc(*blocks, cap * sizeof *grown);
            if (!grown) return NULL;
            *blocks = grown;
            *cap_blocks = cap;
        }
        void *block = big_calloc(BLOCK_RECORDS * size);
        if (!block) return NULL;
        (*blocks)[(*n_blocks)++] = block;
    }
    return (char *)(*blocks)[n >> BLOCK_BITS] + (n & (BLOCK_RECORDS - 1)) * size;
}

static struct src_day *new_record(agg_t *a)
{
    if ((a->n_rec & (BLOCK_RECORDS - 1)) == 0 && a->n_rec >> BLOCK_BITS == a->n_blocks) {
        if (a->n_blocks == a->cap_blocks) {
            size_t cap = a->cap_blocks ? a->cap_blocks * 2 : 64;
            struct src_day **grown = realloc(a->block, cap * sizeof *grown);
            if (!grown) return NULL;
            a->block = grown;
            a->cap_blocks = cap;
        }
        size_t bytes = BLOCK_RECORDS * sizeof(struct src_day);
        struct src_day *block =
            a->next_block.p ? big_ahead_take(&a->next_block) : big_calloc(bytes);
        if (!block) return NULL;
        a->block[a->n_blocks++] = block;
        big_ahead_start(&a->next_block, bytes); /* the block after: ready when it is needed */
    }
    return record_at(a, a->n_rec);
}

static struct one_packet *new_one(agg_t *a)
{
    return next_in_blocks((void ***)&a->one_block, &a->n_one_blocks, &a->cap_one_blocks, a->n_one,
                          sizeof(struct one_packet));
}

static inline void note_day(agg_t *a, int32_t day)
{
    if (day < a->min_day) a->min_day = day;
    if (day > a->max_day) a->max_day = day;
}

static inline bool at_limit(const agg_t *a)
{
    return a->memory_limit && (uint64_t)a->n_rec * AGG_PEAK_FULL_RECORD +
                                      (uint64_t)a->n_one * AGG_PEAK_ONE_PACKET_RECORD >=
                                  a->memory_limit;
}

static bool is_probe(int kind)
{
    return kind == KIND_SYN_PROBE || kind == KIND_UDP_PROBE || kind == KIND_ICMP_PROBE;
}

/* A one-packet record as a full one. Its sets hold one key each, inline: nothing is
 * allocated, so a view needs no freeing. */
static void view_one(const struct one_packet *o, struct src_day *v)
{
    struct ipaddr src = mapped_v4(o->src4);
    src_day_init(v, &src, o->day);
    v->kind_packets[o->kind] = 1;
    v->first_ns = v->last_ns = o->ts_ns;
    if (!is_probe(o->kind)) return;
    if (o->tool != TOOL_UNKNOWN)
        v->tools[0] = (struct tool_tally){.count = 1, .rule = o->rule, .tool = o->tool};
    addrset_add(&v->dsts, o->dst_key);
    if (o->kind == KIND_SYN_PROBE) {
        portmap_add(&v->syn_ports, o->dport, 1);
        v->syn_from_service_port = o->service_sport;
    }
}

/* The slot of (src, day) in table t, or the empty slot where it goes (t has room). */
static struct slot *find_slot(const agg_t *a, struct day_slots *t, const struct ipaddr *src,
                              int32_t day, uint32_t hash)
{
    size_t mask = t->cap - 1, j = hash & mask;
    for (; t->slot[j].index; j = (j + 1) & mask)
        if (t->slot[j].hash == hash && ref_matches(a, t->slot[j].index - 1, src, day)) break;
    return &t->slot[j];
}

/* Removes one-packet record i: the last one takes its place (and its slot is pointed there). */
static void remove_one(agg_t *a, uint32_t i)
{
    uint32_t last = (uint32_t)a->n_one - 1;
    if (i != last) {
        const struct one_packet *moved = one_at(a, last);
        struct ipaddr src = mapped_v4(moved->src4);
        struct day_slots *t = day_index_get(a->index, moved->day); /* there: it holds moved */
        uint32_t hash = key_hash(&src, moved->day);
        size_t mask = t->cap - 1, j = hash & mask;
        while (t->slot[j].index != (ONE_PACKET | last) + 1)
            j = (j + 1) & mask;
        t->slot[j].index = (ONE_PACKET | i) + 1;
        *one_at(a, i) = *moved;
    }
    memset(one_at(a, last), 0, sizeof(struct one_packet)); /* nothing stale to be found */
    a->n_one--;
}

/* Moves the one-packet record of slot s into a new full record, which it returns. */
static struct src_day *promote(agg_t *a, struct slot *s)
{
    struct src_day *r = new_record(a);
    if (!r) return NULL;
    uint32_t one = (s->index - 1) & ~ONE_PACKET;
    view_one(one_at(a, one), r);
    s->index = (uint32_t)++a->n_rec;
    remove_one(a, one);
    return r;
}

/* A new full record for (src, day) in the empty slot s. */
static struct src_day *add_record(agg_t *a, struct day_slots *t, struct slot *s,
                                  const struct ipaddr *src, int32_t day, uint32_t hash)
{
    struct src_day *r = new_record(a);
    if (!r) return NULL;
    src_day_init(r, src, day);
    note_day(a, day);
    s->hash = hash;
    s->index = (uint32_t)++a->n_rec;
    t->n++;
    return r;
}

/* Finds or creates the full record for (src, day); hash is key_hash(src, day). A packet
 * (limited) may not create a record past the record limit; a merge may. *created says whether
 * the record is new (and empty). */
static struct src_day *lookup_hashed(agg_t *a, const struct ipaddr *src, int32_t day, uint32_t hash,
                                     bool limited, bool *created)
{
    *created = false;
    struct day_slots *t = slots_of(a, day);
    if (!t || !day_slots_reserve(t, 1)) return NULL;
    struct slot *s = find_slot(a, t, src, day, hash);
    if (s->index) {
        uint32_t ref = s->index - 1;
        return ref & ONE_PACKET ? promote(a, s) : record_at(a, ref);
    }
    if (limited && at_limit(a)) return NULL;
    *created = true;
    return add_record(a, t, s, src, day, hash);
}

static inline uint32_t key_hash(const struct ipaddr *src, int32_t day)
{
    return addr_hash(src, (uint64_t)(uint32_t)day);
}

static struct src_day *lookup(agg_t *a, const struct ipaddr *src, int32_t day)
{
    if (a->last && same_key(a->last, src, day)) return a->last;
    bool created;
    struct src_day *r = lookup_hashed(a, src, day, key_hash(src, day), false, &created);
    if (r) a->last = r;
    return r;
}

/* A new one-packet record o in the empty slot s of table t. */
static bool add_one(agg_t *a, struct day_slots *t, struct slot *s, uint32_t hash,
                    const struct one_packet *o)
{
    struct one_packet *kept = new_one(a);
    if (!kept) return false;
    *kept = *o;
    note_day(a, o->day);
    s->hash = hash;
    s->index = (ONE_PACKET | (uint32_t)a->n_one++) + 1;
    t->n++;
    return true;
}

/* What a packet's lookup gives when it was kept whole in a new one-packet record. */
static struct src_day one_packet_kept;
#define KEPT_AS_ONE (&one_packet_kept)

static inline bool fits_one(const struct packet *p)
{
    return p->kind != KIND_UDP_PROBE && is_v4_mapped(&p->src);
}

/* Whether a new record should start in the one-packet form: not while most of those made
 * have had a second packet (a honeypot whose sources each send a few packets a day), where
 * the move to a full record would only add to the work. Either form counts the same. */
static inline bool worth_one(const agg_t *a)
{
    return a->ones_promoted * 2 <= a->ones_made + 4096;
}

/* The full record to count packet p into, or KEPT_AS_ONE when p made a new one-packet
 * record (which then holds all of it), or NULL (out of memory, or the record limit). */
static struct src_day *record_for(agg_t *a, const struct packet *p, int32_t day, uint32_t hash,
                                  uint32_t dst_key)
{
    if (a->last && same_key(a->last, &p->src, day)) return a->last;
    struct day_slots *t = slots_of(a, day);
    if (!t || !day_slots_reserve(t, 1)) return NULL;
    struct slot *s = find_slot(a, t, &p->src, day, hash);
    struct src_day *r;
    if (s->index) {
        uint32_t ref = s->index - 1;
        if (ref & ONE_PACKET) a->ones_promoted++;
        r = ref & ONE_PACKET ? promote(a, s) : record_at(a, ref);
    } else if (at_limit(a)) {
        return NULL;
    } else if (fits_one(p) && worth_one(a)) {
        struct one_packet o = {.src4 = v4_of(&p->src),
                               .day = day,
                               .ts_ns = p->ts_ns,
                               .dst_key = dst_key,
                               .dport = p->dport,
                               .kind = p->kind,
                               .tool = p->tool,
                               .rule = p->rule,
                               .service_sport = p->kind == KIND_SYN_PROBE && p->sport < 1024};
        if (!add_one(a, t, s, hash, &o)) return NULL;
        a->ones_made++;
        return KEPT_AS_ONE;
    } else {
        r = add_record(a, t, s, &p->src, day, hash);
    }
    if (r) a->last = r;
    return r;
}

/* The rule kept for a tool is the first in rules-file order that matched: the same whatever
 * order the packets or records arrive in. */
static int16_t earlier_rule(int16_t a, int16_t b)
{
    return a < 0 ? b : b < 0 ? a : a < b ? a : b;
}

static void tally_tool(struct src_day *r, uint8_t tool, int16_t rule, uint32_t count)
{
    for (int i = 0; i < AGG_TOOL_SLOTS; i++) {
        if (r->tools[i].count && r->tools[i].tool == tool) {
            r->tools[i].count += count;
            r->tools[i].rule = earlier_rule(r->tools[i].rule, rule);
            return;
        }
        if (!r->tools[i].count) {
            r->tools[i] = (struct tool_tally){.tool = tool, .rule = rule, .count = count};
            return;
        }
    }
    r->tools_overflow += count;
}

static bool probed_insert(struct addr_table *t, const struct ipaddr *addr)
{
    if (t->n >= AGG_MAX_PROBED) {
        t->overflow = true;
        return true;
    }
    if ((t->n + 1) * 2 > t->cap_slots) {
        size_t cap = t->cap_slots ? t->cap_slots * 2 : 256;
        uint32_t *slot = calloc(cap, sizeof *slot);
        if (!slot) return false;
        for (size_t i = 0; i < t->n; i++) {
            size_t j = addr_hash(&t->addr[i], 0) & (cap - 1);
            while (slot[j])
                j = (j + 1) & (cap - 1);
            slot[j] = (uint32_t)i + 1;
        }
        free(t->slot);
        t->slot = slot;
        t->cap_slots = cap;
    }
    size_t mask = t->cap_slots - 1, j = addr_hash(addr, 0) & mask;
    for (; t->slot[j]; j = (j + 1) & mask)
        if (memcmp(&t->addr[t->slot[j] - 1], addr, sizeof *addr) == 0) return true;
    if (t->n == t->cap_addr) {
        size_t cap = t->cap_addr ? t->cap_addr * 2 : 256;
        struct ipaddr *grown = realloc(t->addr, cap * sizeof *grown);
        if (!grown) return false;
        t->addr = grown;
        t->cap_addr = cap;
    }
    t->addr[t->n] = *addr;
    t->slot[j] = (uint32_t)++t->n;
    return true;
}

/* Records a probe's destination among the probed addresses. */
static inline bool note_probed(agg_t *a, const struct packet *p)
{
    bool v4 = p->ip_version == 4;
    uint32_t *recent = &a->probed_recent[p->dst4 & 0xFF];
    if (v4 && *recent == p->dst4) return true;
    if (!probed_insert(&a->probed, &p->dst)) return false;
    if (v4 && !a->probed.overflow) *recent = p->dst4;
    return true;
}

/* dst_key is addrset_key(&p->dst); r is record_for's answer. */
static bool count_into(agg_t *a, struct src_day *r, const struct packet *p, uint32_t dst_key)
{
    a->frames++;
    a->status_count[PKT_OK]++;
    a->kind_count[p->kind]++;
    if (!r) {
        if (at_limit(a))
            a->refused++;
        else
            a->dropped++;
        return false;
    }
    bool ok = true;
    if (r == KEPT_AS_ONE) {
        ok = !is_probe(p->kind) || note_probed(a, p);
        if (!ok) a->dropped++;
        return ok;
    }
    r->kind_packets[p->kind]++;
    if (p->ts_ns < r->first_ns) r->first_ns = p->ts_ns;
    if (p->ts_ns > r->last_ns) r->last_ns = p->ts_ns;
    if (is_probe(p->kind)) {
        if (p->tool != TOOL_UNKNOWN) tally_tool(r, p->tool, p->rule, 1);
        ok = addrset_add(&r->dsts, dst_key) && note_probed(a, p);
        if (p->kind == KIND_SYN_PROBE) {
            ok = ok && portmap_add(&r->syn_ports, p->dport, 1);
            if (p->sport < 1024) r->syn_from_service_port++;
        } else if (p->kind == KIND_UDP_PROBE) {
            if (!r->udp_ports) r->udp_ports = calloc(1, sizeof *r->udp_ports);
            ok = ok && r->udp_ports && portmap_add(r->udp_ports, p->dport, 1);
        }
    }
    if (!ok) a->dropped++;
    return ok;
}

bool agg_add(agg_t *a, const struct packet *p, int32_t day)
{
    uint32_t dst_key = addrset_key(&p->dst);
    struct src_day *r = record_for(a, p, day, key_hash(&p->src, day), dst_key);
    return count_into(a, r, p, dst_key);
}

void agg_limit_memory(agg_t *a, uint64_t max_bytes)
{
    a->memory_limit = max_bytes;
}

void agg_day_range(const agg_t *a, int32_t *first, int32_t *last)
{
    *first = a->min_day;
    *last = a->max_day;
}

uint64_t agg_refused(const agg_t *a)
{
    return a->refused;
}

#define BATCH 64

/* Where a packet's keys will land in its record's sets: fetched before it is counted. */
static inline void prefetch_sets(const struct src_day *r, const struct packet *p, uint32_t dst_key)
{
    addrset_prefetch(&r->dsts, dst_key);
    portmap_prefetch(&r->syn_ports, p->dport);
}

void agg_add_batch(agg_t *a, const struct packet *const *p, const int32_t *day, size_t n)
{
    for (size_t start = 0; start < n; start += BATCH) {
        size_t end = start + BATCH < n ? start + BATCH : n;
        uint32_t hash[BATCH];
        struct src_day *rec[BATCH];
        uint32_t dst_key[BATCH];
        struct day_slots *table[BATCH];
        /* make room first so that the day's table does not move under the prefetches */
        struct day_slots *first = slots_of(a, day[start]);
        if (first) day_slots_reserve(first, end - start);
        /* 1: the slots; 2: the records they point to; 3: the records' sets; 4: count */
        for (size_t i = start; i < end; i++) {
            hash[i - start] = key_hash(&p[i]->src, day[i]);
            struct day_slots *t = table[i - start] = slots_of(a, day[i]);
            if (t && t->cap) __builtin_prefetch(&t->slot[hash[i - start] & (t->cap - 1)]);
        }
        for (size_t i = start; i < end; i++) {
            const struct day_slots *t = table[i - start];
            const struct slot *s = t && t->cap ? &t->slot[hash[i - start] & (t->cap - 1)] : NULL;
            if (s && s->index) {
                const char *r = ref_address(a, s->index - 1);
                __builtin_prefetch(r);
                __builtin_prefetch(r + 64);
            }
        }
        for (size_t i = start; i < end; i++) {
            dst_key[i - start] = addrset_key(&p[i]->dst);
            struct src_day *r = rec[i - start] =
                record_for(a, p[i], day[i], hash[i - start], dst_key[i - start]);
            if (r && r != KEPT_AS_ONE) prefetch_sets(r, p[i], dst_key[i - start]);
        }
        for (size_t i = start; i < end; i++)
            count_into(a, rec[i - start], p[i], dst_key[i - start]);
    }
}

void src_day_init(struct src_day *r, const struct ipaddr *src, int32_t day)
{
    memset(r, 0, sizeof *r);
    r->src = *src;
    r->day = day;
    r->first_ns = INT64_MAX;
    r->last_ns = INT64_MIN;
    for (int i = 0; i < AGG_TOOL_SLOTS; i++)
        r->tools[i].rule = -1;
}

void src_day_free(struct src_day *r)
{
    portmap_free(&r->syn_ports);
    if (r->udp_ports) portmap_free(r->udp_ports);
    free(r->udp_ports);
    r->udp_ports = NULL;
    addrset_free(&r->dsts);
}

bool src_day_add_tool(struct src_day *r, uint8_t tool, int16_t rule, uint32_t count)
{
    tally_tool(r, tool, rule, count);
    return true;
}

void agg_drop_index(agg_t *a)
{
    if (a->next_block.p) big_ahead_cancel(&a->next_block);
    day_index_free(a->index);
    a->index = NULL;
    a->last_days = NULL;
    a->last = NULL;
}

/* The one-packet form of record r, when it holds exactly one packet that the form can keep
 * (what view_one gives back is then r). */
static bool one_packet_of(const struct src_day *r, struct one_packet *o)
{
    int kind = -1;
    for (int k = 0; k < KIND_COUNT; k++) {
        if (!r->kind_packets[k]) continue;
        if (kind >= 0 || r->kind_packets[k] != 1) return false;
        kind = k;
    }
    if (kind < 0 || kind == KIND_UDP_PROBE || !is_v4_mapped(&r->src) || r->udp_ports ||
        r->tools_overflow || r->tools[1].count || r->first_ns != r->last_ns)
        return false;
    bool probe = is_probe(kind), syn = kind == KIND_SYN_PROBE;
    if (r->dsts.cap || r->dsts.n != (probe ? 1u : 0u) || r->syn_ports.cap ||
        r->syn_ports.n != (syn ? 1u : 0u) || (syn && r->syn_ports.u.small.count[0] != 1) ||
        r->tools[0].count > (probe ? 1u : 0u) || r->syn_from_service_port > (syn ? 1u : 0u))
        return false;
    *o = (struct one_packet){.src4 = v4_of(&r->src),
                             .day = r->day,
                             .ts_ns = r->first_ns,
                             .dst_key = probe ? r->dsts.u.small[0] : 0,
                             .dport = syn ? r->syn_ports.u.small.port[0] : 0,
                             .kind = (uint8_t)kind,
                             .tool = r->tools[0].count ? r->tools[0].tool : TOOL_UNKNOWN,
                             .rule = r->tools[0].count ? r->tools[0].rule : -1,
                             .service_sport = (uint8_t)r->syn_from_service_port};
    return true;
}

/* A record read back from a store: a new one of one packet is kept in the small form, as
 * when it was counted. */
bool agg_merge_record(agg_t *a, const struct src_day *from)
{
    uint32_t hash = key_hash(&from->src, from->day);
    struct day_slots *t = slots_of(a, from->day);
    if (!t || !day_slots_reserve(t, 1)) return false;
    struct slot *s = find_slot(a, t, &from->src, from->day, hash);
    struct one_packet o;
    if (!s->index && one_packet_of(from, &o)) return add_one(a, t, s, hash, &o);
    struct src_day *r;
    if (!s->index)
        r = add_record(a, t, s, &from->src, from->day, hash);
    else if ((s->index - 1) & ONE_PACKET)
        r = promote(a, s);
    else
        r = record_at(a, s->index - 1);
    return r && src_day_merge(r, from);
}

void agg_count_frames(agg_t *a, uint64_t frames, const uint64_t *status, const uint64_t *kind)
{
    a->frames += frames;
    for (int s = 0; s < PKT_STATUS_COUNT; s++)
        a->status_count[s] += status[s];
    for (int k = 0; k < KIND_COUNT; k++)
        a->kind_count[k] += kind[k];
}

bool agg_add_probed(agg_t *a, const struct ipaddr *addr)
{
    return probed_insert(&a->probed, addr);
}

void agg_add_undecoded(agg_t *a, int status)
{
    a->frames++;
    a->status_count[status]++;
    a->kind_count[KIND_NONE]++;
}

bool src_day_merge(struct src_day *into, const struct src_day *from)
{
    for (int k = 0; k < KIND_COUNT; k++)
        into->kind_packets[k] += from->kind_packets[k];
    into->syn_from_service_port += from->syn_from_service_port;
    if (from->first_ns < into->first_ns) into->first_ns = from->first_ns;
    if (from->last_ns > into->last_ns) into->last_ns = from->last_ns;
    for (int i = 0; i < AGG_TOOL_SLOTS; i++)
        if (from->tools[i].count)
            tally_tool(into, from->tools[i].tool, from->tools[i].rule, from->tools[i].count);
    into->tools_overflow += from->tools_overflow;
    if (from->udp_ports && !into->udp_ports &&
        !(into->udp_ports = calloc(1, sizeof *into->udp_ports)))
        return false;
    return portmap_merge(&into->syn_ports, &from->syn_ports) &&
           (!from->udp_ports || portmap_merge(into->udp_ports, from->udp_ports)) &&
           addrset_merge(&into->dsts, &from->dsts);
}

/* The packet-level counters and probed addresses of `from`, added to `into`. */
static void add_counters(agg_t *into, const agg_t *from)
{
    agg_count_frames(into, from->frames, from->status_count, from->kind_count);
    into->dropped += from->dropped;
    into->refused += from->refused;
}

static bool merge_probed(agg_t *into, const agg_t *from)
{
    bool ok = true;
    for (size_t i = 0; i < from->probed.n; i++)
        if (!probed_insert(&into->probed, &from->probed.addr[i])) ok = false;
    into->probed.overflow |= from->probed.overflow;
    return ok;
}

bool agg_merge(agg_t *into, const agg_t *from)
{
    bool ok = true;
    add_counters(into, from);
    for (size_t i = 0; i < agg_records(from); i++) {
        struct src_day scratch;
        const struct src_day *f = agg_record(from, i, &scratch);
        struct src_day *r = lookup(into, &f->src, f->day);
        if (!r || !src_day_merge(r, f)) ok = false;
    }
    return merge_probed(into, from) && ok;
}

/* Moves record f of another table into a new record here, sets and all. */
static void move_record(struct src_day *r, struct src_day *f)
{
    *r = *f;
    memset(&f->syn_ports, 0, sizeof f->syn_ports);
    f->udp_ports = NULL;
    memset(&f->dsts, 0, sizeof f->dsts);
}

/* Takes over the blocks of `from` after those of `into`; *base is the number the first
 * record taken over now has. false when out of memory (nothing is taken then). */
static bool adopt_blocks(agg_t *into, agg_t *from, size_t *base)
{
    if (into->n_blocks + from->n_blocks > into->cap_blocks) {
        size_t cap = into->n_blocks + from->n_blocks;
        struct src_day **grown = realloc(into->block, cap * sizeof *grown);
        if (!grown) return false;
        into->block = grown;
        into->cap_blocks = cap;
    }
    *base = into->n_blocks * BLOCK_RECORDS;
    memcpy(into->block + into->n_blocks, from->block, from->n_blocks * sizeof *from->block);
    into->n_blocks += from->n_blocks;
    from->n_blocks = 0;
    from->n_rec = 0;
    return true;
}

/* Out of memory while absorbing: the packets of from's records that did not make it across
 * (all but away[0..n_away), which are in order) are counted as dropped, so they are said. */
static void drop_rest(agg_t *into, const agg_t *from, const uint32_t *away, size_t n_away)
{
    for (size_t i = 0, k = 0; i < from->n_rec; i++) {
        if (k < n_away && away[k] == i) {
            k++;
            continue;
        }
        for (int kind = 0; kind < KIND_COUNT; kind++)
            into->dropped += record_at(from, i)->kind_packets[kind];
    }
}

/* The one-packet records of `from` of days both tables have, merged through the index (into
 * full records). Before anything is appended without the index: a promotion here moves
 * into's last one-packet record, which must be indexed. */
static bool absorb_shared_one_packet(agg_t *into, agg_t *from, int32_t lo, int32_t hi,
                                     size_t *handled)
{
    for (size_t i = 0; i < from->n_one; i++) {
        const struct one_packet *o = one_at(from, i);
        if (o->day < lo || o->day > hi) continue;
        struct src_day view;
        view_one(o, &view);
        struct src_day *r = lookup(into, &view.src, view.day);
        if (!r || !src_day_merge(r, &view)) return false;
        ++*handled;
    }
    return true;
}

/* The other one-packet records of `from`, copied over (32 bytes each); they are indexed
 * when the index is next built. */
static bool append_other_one_packet(agg_t *into, agg_t *from, int32_t lo, int32_t hi,
                                    size_t *handled)
{
    for (size_t i = 0; i < from->n_one; i++) {
        const struct one_packet *o = one_at(from, i);
        if (o->day < lo || o->day > hi) {
            struct one_packet *copy = new_one(into);
            if (!copy) return false;
            *copy = *o;
            into->n_one++;
            note_day(into, o->day);
            ++*handled;
        }
        if ((i & (BLOCK_RECORDS - 1)) == BLOCK_RECORDS - 1 || i + 1 == from->n_one) {
            /* a block copied is given back at once: the two copies never coexist whole */
            big_free(from->one_block[i >> BLOCK_BITS], BLOCK_RECORDS * sizeof(struct one_packet));
            from->one_block[i >> BLOCK_BITS] = NULL;
        }
    }
    return true;
}

/* Threads read pieces of the capture that are mostly different days. The records of `from`
 * of days both tables have are merged through the index; the blocks holding the rest are
 * taken over whole, and the gaps (the unused end of into's last block, the records merged
 * away) are filled with records taken from the end, so that records stay numbered from 0
 * without copying each one. */
bool agg_absorb(agg_t *into, agg_t *from)
{
    add_counters(into, from);
    into->last = NULL;
    int32_t lo = into->min_day > from->min_day ? into->min_day : from->min_day;
    int32_t hi = into->max_day < from->max_day ? into->max_day : from->max_day;
    size_t ones_taken = 0;
    bool ok = absorb_shared_one_packet(into, from, lo, hi, &ones_taken);
    if (ok && !from->n_rec) {
        ok = append_other_one_packet(into, from, lo, hi, &ones_taken);
        into->dropped += from->n_one - ones_taken;
        agg_drop_index(into); /* records were added without it */
        return merge_probed(into, from) && ok;
    }
    uint32_t *away = NULL; /* from's records merged into into's, in order */
    size_t n_away = 0, cap_away = 0;
    for (size_t i = 0; ok && i < from->n_rec; i++) {
        struct src_day *f = record_at(from, i);
        if (f->day < lo || f->day > hi) continue;
        if (n_away == cap_away) {
            cap_away = cap_away ? 2 * cap_away : 4096;
            uint32_t *grown = realloc(away, cap_away * sizeof *grown);
            if (!grown) {
                ok = false;
                break;
            }
            away = grown;
        }
        bool created;
        struct src_day *r =
            lookup_hashed(into, &f->src, f->day, key_hash(&f->src, f->day), false, &created);
        if (!r) {
            ok = false;
            break;
        }
        if (created) {
            move_record(r, f);
        } else {
            ok = src_day_merge(r, f); /* counts first: only a set may fall short */
            src_day_free(f);
        }
        away[n_away++] = (uint32_t)i;
    }
    size_t into_n = into->n_rec, from_n = from->n_rec;
    note_day(into, from->min_day);
    note_day(into, from->max_day);
    size_t base = 0;
    if (!ok || !adopt_blocks(into, from, &base)) {
        drop_rest(into, from, away, n_away);
        into->dropped += from->n_one - ones_taken;
        free(away);
        agg_drop_index(into);
        return false;
    }
    size_t end = base + from_n, gap_at = into_n, front = 0, back = n_away;
    for (;;) { /* gaps in order: into's unused end, then the records merged away */
        size_t gap;
        if (gap_at < base)
            gap = gap_at;
        else if (front < back)
            gap = base + away[front];
        else
            break;
        while (back > front && base + away[back - 1] == end - 1) { /* no moving a gap */
            back--;
            end--;
        }
        if (end <= base && end > gap_at) end = gap_at; /* nothing of from's left to move */
        if (gap >= end) break;
        *record_at(into, gap) = *record_at(into, end - 1);
        end--;
        if (gap_at < base)
            gap_at++;
        else
            front++;
    }
    into->n_rec = end;
    size_t blocks_used = (end + BLOCK_RECORDS - 1) / BLOCK_RECORDS;
    for (size_t b = blocks_used; b < into->n_blocks; b++)
        big_free(into->block[b], BLOCK_RECORDS * sizeof(struct src_day));
    into->n_blocks = blocks_used;
    free(away);
    ok = append_other_one_packet(into, from, lo, hi, &ones_taken);
    into->dropped += from->n_one - ones_taken;
    agg_drop_index(into); /* records moved: the next lookup rebuilds it */
    return merge_probed(into, from) && ok;
}

size_t agg_records(const agg_t *a)
{
    return a->n_rec + a->n_one;
}

const struct src_day *agg_record(const agg_t *a, size_t i, struct src_day *scratch)
{
    if (i < a->n_rec) return record_at(a, i);
    view_one(one_at(a, i - a->n_rec), scratch);
    return scratch;
}

struct ipaddr agg_record_src(const agg_t *a, size_t i)
{
    return i < a->n_rec ? record_at(a, i)->src : mapped_v4(one_at(a, i - a->n_rec)->src4);
}

int32_t agg_record_day(const agg_t *a, size_t i)
{
    return i < a->n_rec ? record_at(a, i)->day : one_at(a, i - a->n_rec)->day;
}

uint32_t agg_record_syn(const agg_t *a, size_t i)
{
    return i < a->n_rec ? record_at(a, i)->kind_packets[KIND_SYN_PROBE]
                        : one_at(a, i - a->n_rec)->kind == KIND_SYN_PROBE;
}

const struct src_day *agg_record_stored(const agg_t *a, size_t i)
{
    return i < a->n_rec ? record_at(a, i) : NULL;
}

const void *agg_record_address(const agg_t *a, size_t i)
{
    return i < a->n_rec ? (const void *)record_at(a, i) : (const void *)one_at(a, i - a->n_rec);
}

uint64_t agg_frames(const agg_t *a)
{
    return a->frames;
}

uint64_t agg_status_count(const agg_t *a, int status)
{
    return a->status_count[status];
}

uint64_t agg_kind_count(const agg_t *a, int kind)
{
    return a->kind_count[kind];
}

uint64_t agg_dropped(const agg_t *a)
{
    return a->dropped;
}

uint64_t agg_memory_bytes(const agg_t *a)
{
    uint64_t bytes = a->n_blocks * BLOCK_RECORDS * sizeof(struct src_day) +
                     a->n_one_blocks * BLOCK_RECORDS * sizeof(struct one_packet) +
                     day_index_bytes(a->index) + a->probed.cap_addr * sizeof(struct ipaddr) +
                     a->probed.cap_slots * 4;
    for (size_t i = 0; i < a->n_rec; i++) {
        const struct src_day *r = record_at(a, i);
        bytes += portmap_heap_bytes(&r->syn_ports) + addrset_heap_bytes(&r->dsts);
        if (r->udp_ports) bytes += sizeof *r->udp_ports + portmap_heap_bytes(r->udp_ports);
    }
    return bytes;
}

size_t agg_probed_count(const agg_t *a)
{
    return a->probed.n;
}

const struct ipaddr *agg_probed(const agg_t *a, size_t i)
{
    return &a->probed.addr[i];
}

bool agg_probed_contains(const agg_t *a, const struct ipaddr *addr)
{
    const struct addr_table *t = &a->probed;
    if (!t->cap_slots) return false;
    size_t mask = t->cap_slots - 1, j = addr_hash(addr, 0) & mask;
    for (; t->slot[j]; j = (j + 1) & mask)
        if (memcmp(&t->addr[t->slot[j] - 1], addr, sizeof *addr) == 0) return true;
    return false;
}

bool agg_probed_overflow(const agg_t *a)
{
    return a->probed.overflow;
}
