/* The (day, source) record table: open addressing over an array of records. */
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

struct agg {
    struct src_day **block;
    size_t n_blocks, cap_blocks, n_rec;
    struct big_ahead next_block; /* the next block of records, its pages touched meanwhile */
    day_index_t *index;          /* NULL after agg_drop_index, until the next lookup */
    struct day_slots *last_days; /* the table of the previous lookup's day */
    uint64_t frames, dropped, refused;
    size_t record_limit;      /* 0: none */
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
    for (size_t i = 0; i < a->n_rec; i++) {
        const struct src_day *r = record_at(a, i);
        struct day_slots *t = slots_of(a, r->day);
        if (!t || !day_slots_add(t, key_hash(&r->src, r->day), (uint32_t)i)) {
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

static inline void note_day(agg_t *a, int32_t day)
{
    if (day < a->min_day) a->min_day = day;
    if (day > a->max_day) a->max_day = day;
}

static inline bool at_limit(const agg_t *a)
{
    return a->record_limit && a->n_rec >= a->record_limit;
}

/* Finds or creates the record for (src, day); hash is key_hash(src, day). A packet (limited)
 * may not create a record past the record limit; a merge may. */
static struct src_day *lookup_hashed(agg_t *a, const struct ipaddr *src, int32_t day, uint32_t hash,
                                     bool limited)
{
    struct day_slots *t = slots_of(a, day);
    if (!t || !day_slots_reserve(t, 1)) return NULL;
    size_t mask = t->cap - 1;
    size_t j = hash & mask;
    for (; t->slot[j].index; j = (j + 1) & mask) {
        if (t->slot[j].hash != hash) continue;
        struct src_day *r = record_at(a, t->slot[j].index - 1);
        if (same_key(r, src, day)) return r;
    }
    if (limited && at_limit(a)) return NULL;
    struct src_day *r = new_record(a);
    if (!r) return NULL;
    src_day_init(r, src, day);
    note_day(a, day);
    t->slot[j].hash = hash;
    t->slot[j].index = (uint32_t)++a->n_rec;
    t->n++;
    return r;
}

static inline uint32_t key_hash(const struct ipaddr *src, int32_t day)
{
    return addr_hash(src, (uint64_t)(uint32_t)day);
}

/* lookup_hashed, after a look at the previous packet's record: sources come in bursts. */
static struct src_day *lookup_hashed_last(agg_t *a, const struct ipaddr *src, int32_t day,
                                          uint32_t hash, bool limited)
{
    if (a->last && same_key(a->last, src, day)) return a->last;
    struct src_day *r = lookup_hashed(a, src, day, hash, limited);
    if (r) a->last = r;
    return r;
}

static struct src_day *lookup(agg_t *a, const struct ipaddr *src, int32_t day)
{
    return lookup_hashed_last(a, src, day, key_hash(src, day), false);
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

static bool is_probe(int kind)
{
    return kind == KIND_SYN_PROBE || kind == KIND_UDP_PROBE || kind == KIND_ICMP_PROBE;
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

/* dst_key is addrset_key(&p->dst). */
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
    r->kind_packets[p->kind]++;
    if (p->ts_ns < r->first_ns) r->first_ns = p->ts_ns;
    if (p->ts_ns > r->last_ns) r->last_ns = p->ts_ns;
    bool ok = true;
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
    struct src_day *r = lookup_hashed_last(a, &p->src, day, key_hash(&p->src, day), true);
    return count_into(a, r, p, addrset_key(&p->dst));
}

void agg_limit_records(agg_t *a, size_t max_records)
{
    a->record_limit = max_records;
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
                const char *r = (const char *)record_at(a, s->index - 1);
                __builtin_prefetch(r);
                __builtin_prefetch(r + 64);
            }
        }
        for (size_t i = start; i < end; i++) {
            struct src_day *r = rec[i - start] =
                lookup_hashed_last(a, &p[i]->src, day[i], hash[i - start], true);
            dst_key[i - start] = addrset_key(&p[i]->dst);
            if (r) prefetch_sets(r, p[i], dst_key[i - start]);
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

bool agg_merge_record(agg_t *a, const struct src_day *from)
{
    struct src_day *r = lookup(a, &from->src, from->day);
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
    for (size_t i = 0; i < from->n_rec; i++) {
        const struct src_day *f = record_at(from, i);
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

/* Threads read pieces of the capture that are mostly different days. The records of `from`
 * of days both tables have are merged through the index; the blocks holding the rest are
 * taken over whole, and the gaps (the unused end of into's last block, the records merged
 * away) are filled with records taken from the end, so that records stay numbered from 0
 * without copying each one. */
bool agg_absorb(agg_t *into, agg_t *from)
{
    add_counters(into, from);
    into->last = NULL;
    if (!from->n_rec) return merge_probed(into, from);
    bool ok = true;
    int32_t lo = into->min_day > from->min_day ? into->min_day : from->min_day;
    int32_t hi = into->max_day < from->max_day ? into->max_day : from->max_day;
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
        size_t before = into->n_rec;
        struct src_day *r = lookup_hashed(into, &f->src, f->day, key_hash(&f->src, f->day), false);
        if (!r) {
            ok = false;
            break;
        }
        if (into->n_rec > before) {
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
    agg_drop_index(into); /* records moved: the next lookup rebuilds it */
    return merge_probed(into, from);
}

size_t agg_records(const agg_t *a)
{
    return a->n_rec;
}

const struct src_day *agg_record(const agg_t *a, size_t i)
{
    return record_at(a, i);
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
