/* The aggregate model every input produces and every report reads: one record per
 * (day, source address) with counts by packet kind, the tools its probes matched, and the
 * exact sets of destination ports and addresses. Records of the same (day, source) from
 * different files, threads or sensors merge by addition and set union, so the result does
 * not depend on how the input was split. Memory grows with (day, source) pairs, not packets. */
#ifndef SCANLENS_AGG_H
#define SCANLENS_AGG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../decode/packet.h"
#include "addrset.h"
#include "key_hash.h"
#include "portmap.h"

#define AGG_TOOL_SLOTS 2

/* How many of a source's probes matched one tool, and the rule that matched first. */
struct tool_tally {
    uint32_t count;
    int16_t rule;
    uint8_t tool;
};

/* 136 bytes, always three cache lines (records follow each other in their blocks). Measured
 * faster than 128 bytes in two lines: the 8 bytes more keep 4 ports inline in the port map,
 * which holds most sources' ports of a day (a sensor's few services), where 2 inline sent
 * them to a table on the heap, another line to fetch and an allocation a record (and 115 MB
 * more with the bench's 100,000 sources). Fields ordered so that nothing pads. */
struct src_day {
    struct ipaddr src;
    int32_t day;                       /* days since 1970-01-01 in the analysis time zone */
    uint32_t kind_packets[KIND_COUNT]; /* by enum packet_kind */
    uint32_t syn_from_service_port;    /* SYNs whose source port is below 1024 */
    uint32_t tools_overflow;           /* matches of further tools beyond the slots */
    int64_t first_ns, last_ns;
    struct tool_tally tools[AGG_TOOL_SLOTS]; /* most sources match one tool at most */
    struct portmap syn_ports;                /* TCP SYN destination ports */
    struct addrset dsts;                     /* probe destinations */
    struct portmap *udp_ports;               /* UDP destination ports; NULL until the first */
};
_Static_assert(sizeof(struct src_day) == 136, "a record is 136 bytes");
/* The cache lines of a full record, to fetch ahead: at p, p + 64 and p + 128. */
#define AGG_RECORD_LINES 3

/* Starts fetching the record stored at p: its three lines when full, the one line of a
 * one-packet record otherwise. Inline on purpose: a function of another file that only
 * prefetches is dropped whole by the compiler (it has no effect it must keep). */
static inline void agg_prefetch_record(const void *p, bool full)
{
    __builtin_prefetch(p);
    for (int line = 1; full && line < AGG_RECORD_LINES; line++)
        __builtin_prefetch((const char *)p + 64 * line);
}

/* Distinct UDP destination ports of a record. */
static inline uint32_t src_day_udp_ports(const struct src_day *r)
{
    return r->udp_ports ? r->udp_ports->n : 0;
}

/* A record on its own (outside a table), e.g. read back from a store. */
void src_day_init(struct src_day *r, const struct ipaddr *src, int32_t day);
void src_day_free(struct src_day *r);
/* Adds `from` into `into`: counts add, sets unite, first/last widen. */
bool src_day_merge(struct src_day *into, const struct src_day *from);
bool src_day_add_tool(struct src_day *r, uint8_t tool, int16_t rule, uint32_t count);

/* A (day, source) record of a single packet: the packet's few fields, 32 bytes where a full
 * record takes 136. It is also the form a packet waits in to be counted (agg_packet_form,
 * agg_add_v4). On a darknet most sources send one packet a day (13.3 M of the 13.7 M
 * records of the benchmark's 10 M-source month). Only for IPv4 sources and packets whose
 * record needs no heap (not UDP probes); the second packet of the (day, source) moves it into
 * a full record. Readers see it as a full record (agg_record's scratch), or read it as it is
 * (agg_record_one) where building one for each of millions of records would cost. */
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
    uint8_t unused;
    uint32_t hash; /* key_hash of (source, day), for counting; not read from a kept record */
};
_Static_assert(sizeof(struct one_packet) == 32, "a one-packet record is 32 bytes");

typedef struct agg agg_t;

agg_t *agg_new(void);
void agg_free(agg_t *a);

/* Counts one classified packet into the (day, source) record. Returns false when out of
 * memory (the packet is then counted in agg_dropped()). */
bool agg_add(agg_t *a, const struct packet *p, int32_t day);
/* Writes packet p of day `day` into *o in the 32-byte form agg_add_v4 counts, which is also
 * the form a record of that one packet is kept in. Inline: it is made for every packet. Field
 * by field into place, not a struct built and copied: GCC built it on the stack with narrow
 * stores and copied it with 16-byte loads, which wait for those stores (a failed store
 * forward, most of the time of agg_feed_packet by perf annotate). */
static inline void agg_packet_form(struct one_packet *o, const struct packet *p, int32_t day)
{
    bool v4 = p->ip_version == 4;
    o->src4 = p->src4;
    o->day = day;
    o->ts_ns = p->ts_ns;
    o->dst_key = v4 ? addrset_key_v4(p->dst4) : addrset_key(&p->dst);
    o->dport = p->dport;
    o->kind = p->kind;
    o->tool = p->tool;
    o->rule = p->rule;
    o->service_sport = p->kind == KIND_SYN_PROBE && p->sport < 1024;
    o->unused = 0;
    o->hash = v4 ? key_hash_v4(p->src4, day) : key_hash(&p->src, day);
}
/* Counts n IPv4 packets in that form, each sent to the address dst_key (so not to 0.0.0.0,
 * whose key is 1: agg_add counts those): as agg_add would, but looking the records up ahead
 * of use (prefetching), which is what makes a table of millions of sources fast. */
void agg_add_v4(agg_t *a, const struct one_packet *o, size_t n);
/* What a record costs at the peak of an analysis (judging), all told: the record, its share
 * of the index, the per-record and per-source arrays, and for a full record the port and
 * address sets of a typical source. Measured on the bench/ months (about 225 bytes a record
 * with 100,000 sources, 65 with 10 million where nearly all are of one packet), with room
 * to spare. An estimate: a source that sweeps every port of a day takes 256 KiB for it. */
#define AGG_PEAK_FULL_RECORD 320
#define AGG_PEAK_ONE_PACKET_RECORD 80
/* Caps the table at about max_bytes at the peak of an analysis, reckoning its records at the
 * costs above (0: no cap): a packet that would need one more record (a source not seen that
 * day) is not counted, and counted in agg_refused() instead. A record already there keeps
 * counting, even when a second packet makes a full one of a one-packet record (where the
 * reckoning grows past the cap). Records added one by one from a store are capped the same
 * way (agg_merge_record, agg_append_record: a record that would be new is left out, its
 * packets counted in agg_refused()); merges of tables (agg_merge, agg_absorb) are not. */
void agg_limit_memory(agg_t *a, uint64_t max_bytes);
uint64_t agg_refused(const agg_t *a);
/* What the table's records come to at the peak by the reckoning above (AGG_PEAK_* each). */
uint64_t agg_reckoned_bytes(const agg_t *a);
/* The earliest day of a packet the cap left out (INT32_MAX if none): every packet of the days
 * before it was counted. */
int32_t agg_refused_first_day(const agg_t *a);
/* Counts a frame that did not decode (p->status != PKT_OK). */
void agg_add_undecoded(agg_t *a, int status);
/* Adds everything in `from` into `into` (from stays unchanged). */
bool agg_merge(agg_t *into, const agg_t *from);
/* Frees what only adding needs once reading is over: the lookup index (about 16 bytes a
 * record) and the block of records kept ready; adding or merging later rebuilds them. */
void agg_drop_index(agg_t *a);
/* Like agg_merge, but moves what it can out of `from` instead of copying it; `from` is left
 * fit only for agg_free. */
bool agg_absorb(agg_t *into, agg_t *from);
/* Adds one record (from another table or a store) into the table. */
bool agg_merge_record(agg_t *a, const struct src_day *from);
/* Adds a record whose (day, source) the table does not hold, without looking for it: what a
 * store's rows of one sensor are (unique by key), loaded into an empty table. Lookups after it
 * rebuild the index (agg_drop_index). Adding a key twice makes two records of it. */
bool agg_append_record(agg_t *a, const struct src_day *from);
/* Adds packet-level counters (by enum packet_status and enum packet_kind) and a probed
 * address, as a store hands them back. */
void agg_count_frames(agg_t *a, uint64_t frames, const uint64_t *status, const uint64_t *kind);
bool agg_add_probed(agg_t *a, const struct ipaddr *addr);

size_t agg_records(const agg_t *a);
/* The first and last day of the records (first > last when there are none). */
void agg_day_range(const agg_t *a, int32_t *first, int32_t *last);
/* Record i (0 <= i < agg_records): where it is stored, or, for a record of one packet (which
 * is stored in a form of its own), built in *scratch, which needs no freeing. Valid until the
 * table changes. */
const struct src_day *agg_record(const agg_t *a, size_t i, struct src_day *scratch);
/* Fields of record i, without building it. */
struct ipaddr agg_record_src(const agg_t *a, size_t i);
int32_t agg_record_day(const agg_t *a, size_t i);
uint32_t agg_record_syn(const agg_t *a, size_t i);
/* Record i if it is a record of one packet, as it is kept; else NULL. */
const struct one_packet *agg_record_one(const agg_t *a, size_t i);
/* Record i where it is stored, or NULL for a record of one packet. */
const struct src_day *agg_record_stored(const agg_t *a, size_t i);
/* Where record i is stored (136 bytes, or 32 for a record of one packet), to fetch it ahead
 * of use. The caller prefetches: a function that only prefetches may be optimised away
 * whole, as it has no effect the compiler must keep. */
const void *agg_record_address(const agg_t *a, size_t i);
uint64_t agg_frames(const agg_t *a);
uint64_t agg_status_count(const agg_t *a, int status);
uint64_t agg_kind_count(const agg_t *a, int kind);
uint64_t agg_dropped(const agg_t *a);
uint64_t agg_memory_bytes(const agg_t *a);
/* The records' own blocks, without their sets and the index: a cheap part of the above (that
 * one reads every record). */
uint64_t agg_record_bytes(const agg_t *a);

/* Addresses that received probes, kept to infer the sensor's addresses when the user gives
 * none. At most AGG_MAX_PROBED addresses are kept; agg_probed_overflow() says if more came. */
#define AGG_MAX_PROBED (1u << 20)
size_t agg_probed_count(const agg_t *a);
const struct ipaddr *agg_probed(const agg_t *a, size_t i);
/* The probed addresses in address order (the order they were kept in depends on the order
 * packets were read in, which -j changes): an array of agg_probed_count() pointers into the
 * table, for the caller to free; NULL when out of memory or there are none. */
const struct ipaddr **agg_probed_sorted(const agg_t *a);
bool agg_probed_contains(const agg_t *a, const struct ipaddr *addr);
bool agg_probed_overflow(const agg_t *a);

#endif
