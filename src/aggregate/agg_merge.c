/* Merging: tables of threads (agg_absorb moves what it can), tables into tables, and records
 * read back from a store. Counts add and sets unite, so a merge gives what reading the
 * packets in one table would have. */
#include <stdlib.h>
#include <string.h>

#include "../classify/fprules.h"
#include "agg_table.h"

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
    if (kind < 0 || kind == KIND_UDP_PROBE || !ipaddr_is_v4(&r->src) || r->udp_ports ||
        r->tools_overflow || r->tools[1].count || r->first_ns != r->last_ns)
        return false;
    bool probe = kind_is_probe(kind), syn = kind == KIND_SYN_PROBE;
    if (r->dsts.cap || r->dsts.n != (probe ? 1u : 0u) || r->syn_ports.cap ||
        r->syn_ports.n != (syn ? 1u : 0u) || (syn && r->syn_ports.u.small.count[0] != 1) ||
        r->tools[0].count > (probe ? 1u : 0u) || r->syn_from_service_port > (syn ? 1u : 0u))
        return false;
    *o = (struct one_packet){.src4 = ipaddr_v4(&r->src),
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

/* A record the memory limit keeps out: its packets counted as left out. */
static bool refuse_record(agg_t *a, const struct src_day *r)
{
    uint64_t packets = 0;
    for (int k = 0; k < KIND_COUNT; k++)
        packets += r->kind_packets[k];
    table_refuse(a, packets, r->day);
    return true;
}

/* A record read back from a store: a new one of one packet is kept in the small form, as
 * when it was counted. */
bool agg_merge_record(agg_t *a, const struct src_day *from)
{
    struct one_packet o;
    bool created;
    struct src_day *r = table_place(a, &from->src, from->day, key_hash(&from->src, from->day),
                                    one_packet_of(from, &o) ? &o : NULL, true, &created);
    if (!r && table_at_limit(a)) return refuse_record(a, from);
    return r == KEPT_AS_ONE || (r && src_day_merge(r, from));
}

bool agg_append_record(agg_t *a, const struct src_day *from)
{
    if (a->index) agg_drop_index(a); /* its lookups would miss what comes in here */
    if (table_at_limit(a)) return refuse_record(a, from);
    note_day(a, from->day);
    struct one_packet o;
    if (one_packet_of(from, &o)) {
        struct one_packet *kept = table_new_one(a);
        if (!kept) return false;
        *kept = o;
        a->n_one++;
        return true;
    }
    struct src_day *r = table_new_record(a);
    if (!r) return false;
    src_day_init(r, &from->src, from->day);
    a->n_rec++; /* counted before the merge: a failed one leaves a record to free */
    return src_day_merge(r, from);
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
            table_tally_tool(into, from->tools[i].tool, from->tools[i].rule, from->tools[i].count);
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
    if (from->refused_first_day < into->refused_first_day)
        into->refused_first_day = from->refused_first_day;
}

static bool merge_probed(agg_t *into, const agg_t *from)
{
    bool ok = true;
    for (size_t i = 0; i < from->probed.n; i++)
        if (!table_probed_insert(&into->probed, &from->probed.addr[i])) ok = false;
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
        struct src_day *r = table_lookup(into, &f->src, f->day);
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
    struct blocks *to = &into->records, *away = &from->records;
    if (to->n + away->n > to->cap) {
        size_t cap = to->n + away->n;
        void **grown = realloc(to->block, cap * sizeof *grown);
        if (!grown) return false;
        to->block = grown;
        to->cap = cap;
    }
    *base = to->n * BLOCK_RECORDS;
    memcpy(to->block + to->n, away->block, away->n * sizeof *away->block);
    to->n += away->n;
    away->n = 0;
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

/* The one-packet records of `from` of days both tables have, merged through the index (kept
 * small when into has no record of theirs). Before anything is appended without the index: a
 * promotion here moves into's last one-packet record, which must be indexed. */
static bool absorb_shared_one_packet(agg_t *into, agg_t *from, int32_t lo, int32_t hi,
                                     size_t *handled)
{
    for (size_t i = 0; i < from->n_one; i++) {
        const struct one_packet *o = one_at(from, i);
        if (o->day < lo || o->day > hi) continue;
        struct ipaddr src = ipaddr_from_v4(o->src4);
        bool created;
        struct src_day *r =
            table_place(into, &src, o->day, key_hash(&src, o->day), o, false, &created);
        if (!r) return false;
        if (r != KEPT_AS_ONE) { /* there already: merged into it */
            struct src_day view;
            table_view_one(o, &view);
            if (!src_day_merge(r, &view)) return false;
        }
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
            struct one_packet *copy = table_new_one(into);
            if (!copy) return false;
            *copy = *o;
            into->n_one++;
            note_day(into, o->day);
            ++*handled;
        }
        if ((i & (BLOCK_RECORDS - 1)) == BLOCK_RECORDS - 1 || i + 1 == from->n_one) {
            /* a block copied is given back at once: the two copies never coexist whole */
            big_free(from->ones.block[i >> BLOCK_BITS], BLOCK_RECORDS * sizeof(struct one_packet));
            from->ones.block[i >> BLOCK_BITS] = NULL;
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
            table_place(into, &f->src, f->day, key_hash(&f->src, f->day), NULL, false, &created);
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
    for (size_t b = blocks_used; b < into->records.n; b++)
        big_free(into->records.block[b], BLOCK_RECORDS * sizeof(struct src_day));
    into->records.n = blocks_used;
    free(away);
    ok = append_other_one_packet(into, from, lo, hi, &ones_taken);
    into->dropped += from->n_one - ones_taken;
    agg_drop_index(into); /* records moved: the next lookup rebuilds it */
    return merge_probed(into, from) && ok;
}
