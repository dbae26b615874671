/* The (day, source) record table: records in fixed blocks, found through a slot table a day.
 * A record of one packet is kept in 32 bytes (struct one_packet) until a second comes. */
#include "agg.h"

#include <stdlib.h>
#include <string.h>

#include "../classify/fprules.h"
#include "agg_table.h"

/* For the per-packet path: GCC's own choice left record_for, count_into and the lookup out
 * of line once they took a packet's 32-byte form (70 instructions a packet more, counted
 * with callgrind). */
#define HOT_INLINE inline __attribute__((always_inline))

agg_t *agg_new(void)
{
    agg_t *a = calloc(1, sizeof(agg_t));
    if (!a) return NULL;
    for (uint32_t i = 0; i < 256; i++)
        a->probed_recent[i] = i ^ 1;
    a->min_day = INT32_MAX;
    a->max_day = INT32_MIN;
    a->refused_first_day = INT32_MAX;
    return a;
}

void agg_free(agg_t *a)
{
    if (!a) return;
    for (size_t i = 0; i < a->n_rec; i++)
        src_day_free(record_at(a, i));
    for (size_t b = 0; b < a->records.n; b++)
        big_free(a->records.block[b], BLOCK_RECORDS * sizeof(struct src_day));
    free(a->records.block);
    for (size_t b = 0; b < a->ones.n; b++)
        big_free(a->ones.block[b], BLOCK_RECORDS * sizeof(struct one_packet));
    free(a->ones.block);
    day_index_free(a->index);
    if (a->next_block.p) big_ahead_cancel(&a->next_block);
    if (a->next_one_block.p) big_ahead_cancel(&a->next_one_block);
    free(a->probed.addr);
    free(a->probed.slot);
    free(a);
}

static inline struct day_slots *slots_of(agg_t *a, int32_t day);

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
            src = ipaddr_from_v4(o->src4), day = o->day,
            ref = ONE_PACKET | (uint32_t)(i - a->n_rec);
        }
        struct day_slots *t = slots_of(a, day);
        if (!t || !day_slots_add(t, key_hash(&src, day), ref)) {
            agg_drop_index(a); /* a part of an index would find too little */
            return false;
        }
    }
    return true;
}

__attribute__((noinline)) static struct day_slots *slots_of_other_day(agg_t *a, int32_t day)
{
    if (!a->index && !rebuild_index(a)) return NULL;
    struct day_slots *t = day_index_get(a->index, day);
    if (t) a->last_days = t;
    return t;
}

/* The slot table of a day, from the index (rebuilt from the records after agg_drop_index);
 * NULL when out of memory. Nearly always the day of the packet before: inline. */
static inline struct day_slots *slots_of(agg_t *a, int32_t day)
{
    if (a->last_days && a->last_days->day == day) return a->last_days;
    return slots_of_other_day(a, day);
}

static inline bool same_key(const struct src_day *r, const struct ipaddr *src, int32_t day)
{
    return r->day == day && memcmp(&r->src, src, sizeof *src) == 0;
}

static inline bool ref_matches(const agg_t *a, uint32_t ref, const struct ipaddr *src, int32_t day)
{
    if (!(ref & ONE_PACKET)) return same_key(record_at(a, ref), src, day);
    const struct one_packet *o = one_at(a, ref & ~ONE_PACKET);
    return o->day == day && ipaddr_is_v4(src) && o->src4 == ipaddr_v4(src);
}

/* Where the record of a slot is, to fetch it ahead. */
static inline const void *ref_address(const agg_t *a, uint32_t ref)
{
    return ref & ONE_PACKET ? (const void *)one_at(a, ref & ~ONE_PACKET)
                            : (const void *)record_at(a, ref);
}

/* The place of item n (the first not used) in a list of blocks of `size`-byte items, adding a
 * block when n starts one: taken from `ahead` (whose pages a helper has touched meanwhile;
 * the block after is started then), or allocated here if that could not be started. NULL
 * when out of memory. */
static void *next_in_blocks(struct blocks *b, size_t n, size_t size, struct big_ahead *ahead)
{
    if ((n & (BLOCK_RECORDS - 1)) == 0 && n >> BLOCK_BITS == b->n) {
        if (b->n == b->cap) {
            size_t cap = b->cap ? b->cap * 2 : 64;
            void **grown = realloc(b->block, cap * sizeof *grown);
            if (!grown) return NULL;
            b->block = grown;
            b->cap = cap;
        }
        size_t bytes = BLOCK_RECORDS * size;
        void *block = ahead->p ? big_ahead_take(ahead) : big_calloc(bytes, BIG_FILLED);
        if (!block) return NULL;
        b->block[b->n++] = block;
        big_ahead_start(ahead, bytes, BIG_FILLED); /* the block after: ready when needed */
    }
    return (char *)b->block[n >> BLOCK_BITS] + (n & (BLOCK_RECORDS - 1)) * size;
}

struct src_day *table_new_record(agg_t *a)
{
    return next_in_blocks(&a->records, a->n_rec, sizeof(struct src_day), &a->next_block);
}

struct one_packet *table_new_one(agg_t *a)
{
    return next_in_blocks(&a->ones, a->n_one, sizeof(struct one_packet), &a->next_one_block);
}

/* A one-packet record as a full one. Its sets hold one key each, inline: nothing is
 * allocated, so a view needs no freeing. */
void table_view_one(const struct one_packet *o, struct src_day *v)
{
    struct ipaddr src = ipaddr_from_v4(o->src4);
    src_day_init(v, &src, o->day);
    v->kind_packets[o->kind] = 1;
    v->first_ns = v->last_ns = o->ts_ns;
    if (!kind_is_probe(o->kind)) return;
    if (o->tool != TOOL_UNKNOWN)
        v->tools[0] = (struct tool_tally){.count = 1, .rule = o->rule, .tool = o->tool};
    addrset_add(&v->dsts, o->dst_key);
    if (o->kind == KIND_SYN_PROBE) {
        portmap_add(&v->syn_ports, o->dport, 1);
        v->syn_from_service_port = o->service_sport;
    }
}

/* The full record slot s points to, or NULL (empty, or a one-packet record). */
static inline struct src_day *full_record_of(const agg_t *a, const struct slot *s)
{
    return s->index && !((s->index - 1) & ONE_PACKET) ? record_at(a, s->index - 1) : NULL;
}

/* The slot of (src, day) in table t, or the empty slot where it goes (t has room). */
static HOT_INLINE struct slot *find_slot(const agg_t *a, struct day_slots *t,
                                         const struct ipaddr *src, int32_t day, uint32_t hash)
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
        struct ipaddr src = ipaddr_from_v4(moved->src4);
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
    struct src_day *r = table_new_record(a);
    if (!r) return NULL;
    uint32_t one = (s->index - 1) & ~ONE_PACKET;
    a->ones_promoted++;
    table_view_one(one_at(a, one), r);
    s->index = (uint32_t)++a->n_rec;
    remove_one(a, one);
    return r;
}

/* A new full record for (src, day) in the empty slot s. */
static struct src_day *add_record(agg_t *a, struct day_slots *t, struct slot *s,
                                  const struct ipaddr *src, int32_t day, uint32_t hash)
{
    struct src_day *r = table_new_record(a);
    if (!r) return NULL;
    src_day_init(r, src, day);
    note_day(a, day);
    s->hash = hash;
    s->index = (uint32_t)++a->n_rec;
    t->n++;
    return r;
}

struct src_day *table_lookup(agg_t *a, const struct ipaddr *src, int32_t day)
{
    if (a->last && same_key(a->last, src, day)) return a->last;
    bool created;
    struct src_day *r = table_place(a, src, day, key_hash(src, day), NULL, false, &created);
    if (r) a->last = r;
    return r;
}

/* A new one-packet record o in the empty slot s of table t. */
static bool add_one(agg_t *a, struct day_slots *t, struct slot *s, uint32_t hash,
                    const struct one_packet *o)
{
    struct one_packet *kept = table_new_one(a);
    if (!kept) return false;
    *kept = *o;
    a->ones_made++;
    note_day(a, o->day);
    s->hash = hash;
    s->index = (ONE_PACKET | (uint32_t)a->n_one++) + 1;
    t->n++;
    return true;
}

struct src_day table_one_packet_kept;

/* place_in where slot s of t holds no full record: a one-packet record to promote, or none. */
__attribute__((noinline)) static struct src_day *
place_at(agg_t *a, struct day_slots *t, struct slot *s, const struct ipaddr *src, int32_t day,
         uint32_t hash, const struct one_packet *one, bool limited, bool *created)
{
    if (s->index) return promote(a, s);
    if (limited && table_at_limit(a)) return NULL;
    *created = true;
    if (one) return add_one(a, t, s, hash, one) ? KEPT_AS_ONE : NULL;
    return add_record(a, t, s, src, day, hash);
}

/* table_place in t, the slot table of the day, which has room for one more. Inline for the
 * common case, a full record that is there. */
static HOT_INLINE struct src_day *place_in(agg_t *a, struct day_slots *t, const struct ipaddr *src,
                                           int32_t day, uint32_t hash, const struct one_packet *one,
                                           bool limited, bool *created)
{
    *created = false;
    struct slot *s = find_slot(a, t, src, day, hash);
    struct src_day *there = full_record_of(a, s);
    return there ? there : place_at(a, t, s, src, day, hash, one, limited, created);
}

struct src_day *table_place(agg_t *a, const struct ipaddr *src, int32_t day, uint32_t hash,
                            const struct one_packet *one, bool limited, bool *created)
{
    *created = false; /* also when there is no table to look in */
    struct day_slots *t = slots_of(a, day);
    if (!t || !day_slots_reserve(t, 1)) return NULL;
    return place_in(a, t, src, day, hash, one, limited, created);
}

/* Whether a new record should start in the one-packet form: not while most of those made
 * have had a second packet (a honeypot whose sources each send a few packets a day), where
 * the move to a full record would only add to the work. Either form counts the same. */
static inline bool worth_one(const agg_t *a)
{
    return a->ones_promoted * 2 <= a->ones_made + 4096;
}

/* The full record to count packet o (of source src) into, or KEPT_AS_ONE when o made a new
 * one-packet record (which then holds all of it), or NULL (out of memory, or the record
 * limit). t is the slot table of o's day, with room for one more (NULL if it could not be
 * had). `seen`: a slot of t with o's hash that was looked at ahead, or NULL; taken as it is
 * when it holds o's full record, which spares the search (records made since fill empty
 * slots and move none, so it holds either that record or another). */
static HOT_INLINE struct src_day *record_for(agg_t *a, struct day_slots *t,
                                             const struct ipaddr *src, const struct one_packet *o,
                                             const struct slot *seen)
{
    struct src_day *ahead = seen && seen->hash == o->hash ? full_record_of(a, seen) : NULL;
    if (ahead && same_key(ahead, src, o->day)) return a->last = ahead;
    if (a->last && same_key(a->last, src, o->day)) return a->last;
    if (!t) return NULL;
    bool fits_one = o->kind != KIND_UDP_PROBE && ipaddr_is_v4(src) && worth_one(a);
    bool created;
    struct src_day *r = place_in(a, t, src, o->day, o->hash, fits_one ? o : NULL, true, &created);
    if (r && r != KEPT_AS_ONE) a->last = r;
    return r;
}

static int16_t earlier_rule(int16_t a, int16_t b)
{
    return a < 0 ? b : b < 0 ? a : a < b ? a : b;
}

void table_tally_tool(struct src_day *r, uint8_t tool, int16_t rule, uint32_t count)
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

bool table_probed_insert(struct addr_table *t, const struct ipaddr *addr)
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
    struct addr_order order = addr_order_of(addr);
    if (t->n == 0 || addr_order_less(order, t->lowest)) t->lowest = order;
    if (t->n == 0 || addr_order_less(t->highest, order)) t->highest = order;
    t->addr[t->n] = *addr;
    t->slot[j] = (uint32_t)++t->n;
    return true;
}

/* Records a probe's destination among the probed addresses. */
static HOT_INLINE bool note_probed(agg_t *a, const struct ipaddr *dst)
{
    bool v4 = ipaddr_is_v4(dst);
    uint32_t dst4 = ipaddr_v4(dst), *recent = &a->probed_recent[dst4 & 0xFF];
    if (v4 && *recent == dst4) return true;
    if (!table_probed_insert(&a->probed, dst)) return false;
    if (v4 && !a->probed.overflow) *recent = dst4;
    return true;
}

/* Counts packet o, sent to dst, into r (record_for's answer). */
static HOT_INLINE bool count_into(agg_t *a, struct src_day *r, const struct one_packet *o,
                                  const struct ipaddr *dst)
{
    a->frames++;
    a->status_count[PKT_OK]++;
    a->kind_count[o->kind]++;
    if (!r) {
        if (table_at_limit(a))
            table_refuse(a, 1, o->day);
        else
            a->dropped++;
        return false;
    }
    bool ok = true;
    if (r == KEPT_AS_ONE) {
        ok = !kind_is_probe(o->kind) || note_probed(a, dst);
        if (!ok) a->dropped++;
        return ok;
    }
    r->kind_packets[o->kind]++;
    if (o->ts_ns < r->first_ns) r->first_ns = o->ts_ns;
    if (o->ts_ns > r->last_ns) r->last_ns = o->ts_ns;
    if (kind_is_probe(o->kind)) {
        if (o->tool != TOOL_UNKNOWN) table_tally_tool(r, o->tool, o->rule, 1);
        ok = addrset_add(&r->dsts, o->dst_key) && note_probed(a, dst);
        if (o->kind == KIND_SYN_PROBE) {
            ok = ok && portmap_add(&r->syn_ports, o->dport, 1);
            r->syn_from_service_port += o->service_sport;
        } else if (o->kind == KIND_UDP_PROBE) {
            if (!r->udp_ports) r->udp_ports = calloc(1, sizeof *r->udp_ports);
            ok = ok && r->udp_ports && portmap_add(r->udp_ports, o->dport, 1);
        }
    }
    if (!ok) a->dropped++;
    return ok;
}

bool agg_add(agg_t *a, const struct packet *p, int32_t day)
{
    struct one_packet o;
    agg_packet_form(&o, p, day);
    struct day_slots *t = slots_of(a, day);
    if (t && !day_slots_reserve(t, 1)) t = NULL;
    return count_into(a, record_for(a, t, &p->src, &o, NULL), &o, &p->dst);
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

uint64_t agg_reckoned_bytes(const agg_t *a)
{
    return (uint64_t)a->n_rec * AGG_PEAK_FULL_RECORD +
           (uint64_t)a->n_one * AGG_PEAK_ONE_PACKET_RECORD;
}

int32_t agg_refused_first_day(const agg_t *a)
{
    return a->refused_first_day;
}

#define BATCH 64

/* Where a packet's keys will land in its record's sets: fetched before it is counted. */
static inline void prefetch_sets(const struct src_day *r, const struct one_packet *o)
{
    addrset_prefetch(&r->dsts, o->dst_key);
    portmap_prefetch(&r->syn_ports, o->dport);
}

void agg_add_v4(agg_t *a, const struct one_packet *o, size_t n)
{
    for (size_t start = 0; start < n; start += BATCH) {
        size_t end = start + BATCH < n ? start + BATCH : n;
        struct src_day *rec[BATCH];
        struct day_slots *table[BATCH];
        /* 1: the slots; 2: the records they point to; 3: the records' sets; 4: count. Each
         * day's table gets room for the whole batch first: none moves under the prefetches,
         * and counting need not ask again. */
        struct day_slots *reserved = NULL;
        for (size_t i = start; i < end; i++) {
            struct day_slots *t = slots_of(a, o[i].day);
            if (t && t != reserved && !day_slots_reserve(t, end - start)) t = NULL;
            if (t) reserved = t;
            table[i - start] = t;
            if (t) __builtin_prefetch(&t->slot[o[i].hash & (t->cap - 1)]);
        }
        const struct slot *seen[BATCH];
        for (size_t i = start; i < end; i++) {
            const struct day_slots *t = table[i - start];
            seen[i - start] = NULL;
            if (!t) continue;
            /* the first slot of this hash from its home: past one other key, as a table half
             * full often has one */
            size_t mask = t->cap - 1, j = o[i].hash & mask;
            if (t->slot[j].index && t->slot[j].hash != o[i].hash) j = (j + 1) & mask;
            if (t->slot[j].index && t->slot[j].hash == o[i].hash) {
                uint32_t ref = t->slot[j].index - 1;
                agg_prefetch_record(ref_address(a, ref), !(ref & ONE_PACKET));
                seen[i - start] = &t->slot[j];
            }
        }
        for (size_t i = start; i < end; i++) {
            struct ipaddr src = ipaddr_from_v4(o[i].src4);
            struct src_day *r = rec[i - start] =
                record_for(a, table[i - start], &src, &o[i], seen[i - start]);
            if (r && r != KEPT_AS_ONE) prefetch_sets(r, &o[i]);
        }
        for (size_t i = start; i < end; i++) {
            struct ipaddr dst = ipaddr_from_v4(o[i].dst_key);
            count_into(a, rec[i - start], &o[i], &dst);
        }
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
    table_tally_tool(r, tool, rule, count);
    return true;
}

void agg_drop_index(agg_t *a)
{
    if (a->next_block.p) big_ahead_cancel(&a->next_block);
    if (a->next_one_block.p) big_ahead_cancel(&a->next_one_block);
    day_index_free(a->index);
    a->index = NULL;
    a->last_days = NULL;
    a->last = NULL;
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
    return table_probed_insert(&a->probed, addr);
}

void agg_add_undecoded(agg_t *a, int status)
{
    a->frames++;
    a->status_count[status]++;
    a->kind_count[KIND_NONE]++;
}

size_t agg_records(const agg_t *a)
{
    return a->n_rec + a->n_one;
}

const struct src_day *agg_record(const agg_t *a, size_t i, struct src_day *scratch)
{
    if (i < a->n_rec) return record_at(a, i);
    table_view_one(one_at(a, i - a->n_rec), scratch);
    return scratch;
}

struct ipaddr agg_record_src(const agg_t *a, size_t i)
{
    return i < a->n_rec ? record_at(a, i)->src : ipaddr_from_v4(one_at(a, i - a->n_rec)->src4);
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

const struct one_packet *agg_record_one(const agg_t *a, size_t i)
{
    return i < a->n_rec ? NULL : one_at(a, i - a->n_rec);
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

uint64_t agg_record_bytes(const agg_t *a)
{
    return a->records.n * BLOCK_RECORDS * sizeof(struct src_day) +
           a->ones.n * BLOCK_RECORDS * sizeof(struct one_packet);
}

uint64_t agg_memory_bytes(const agg_t *a)
{
    uint64_t bytes = agg_record_bytes(a) + day_index_bytes(a->index) +
                     a->probed.cap_addr * sizeof(struct ipaddr) + a->probed.cap_slots * 4;
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

static int compare_addr_ptr(const void *a, const void *b)
{
    return memcmp(*(const struct ipaddr *const *)a, *(const struct ipaddr *const *)b,
                  sizeof(struct ipaddr));
}

const struct ipaddr **agg_probed_sorted(const agg_t *a)
{
    size_t n = a->probed.n;
    const struct ipaddr **sorted = n ? malloc(n * sizeof *sorted) : NULL;
    if (!sorted) return NULL;
    for (size_t i = 0; i < n; i++)
        sorted[i] = &a->probed.addr[i];
    qsort(sorted, n, sizeof *sorted, compare_addr_ptr);
    return sorted;
}

bool agg_probed_contains(const agg_t *a, const struct ipaddr *addr)
{
    const struct addr_table *t = &a->probed;
    struct addr_order order = addr_order_of(addr);
    if (!t->n || addr_order_less(order, t->lowest) || addr_order_less(t->highest, order))
        return false;
    size_t mask = t->cap_slots - 1, j = addr_hash(addr, 0) & mask;
    for (; t->slot[j]; j = (j + 1) & mask)
        if (memcmp(&t->addr[t->slot[j] - 1], addr, sizeof *addr) == 0) return true;
    return false;
}

bool agg_probed_overflow(const agg_t *a)
{
    return a->probed.overflow;
}
