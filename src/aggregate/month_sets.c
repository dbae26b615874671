/* Counting a source's distinct ports and addresses over its days. Most sources seen on
 * several days of a darknet send a packet or two a day: their keys are kept in a short list,
 * and only a source with more spills them into a 65,536-bit port bitmap or an address set.
 * Clearing those (8 KiB each, and a sensor's window of addresses as much again) for every
 * source cost more than judging it. */
#include "month_sets.h"

#include <stdlib.h>
#include <string.h>

#define FEW_KEYS 32

/* Distinct keys, in a list while few. */
struct few_keys {
    uint32_t key[FEW_KEYS];
    uint32_t n;
    bool spilled; /* the keys went to the large form; the list is not used until cleared */
};

/* 1: a new key; 0: there already; -1: the list is full (key not added). */
static int few_keys_add(struct few_keys *f, uint32_t key)
{
    for (uint32_t i = 0; i < f->n; i++)
        if (f->key[i] == key) return 0;
    if (f->n == FEW_KEYS) return -1;
    f->key[f->n++] = key;
    return 1;
}

struct port_bits {
    uint64_t word[65536 / 64];
    uint32_t n;
};

static void port_bits_set(struct port_bits *b, uint32_t port)
{
    uint64_t bit = 1ull << (port & 63), *w = &b->word[port >> 6 & 1023];
    b->n += !(*w & bit);
    *w |= bit;
}

struct month_ports {
    struct few_keys few;
    struct port_bits bits;
};

static void spill_ports(struct month_ports *p)
{
    for (uint32_t i = 0; i < p->few.n; i++)
        port_bits_set(&p->bits, p->few.key[i]);
    p->few.spilled = true;
}

static void count_port(void *ctx, uint16_t port, uint32_t count)
{
    (void)count;
    struct month_ports *p = ctx;
    if (!p->few.spilled && few_keys_add(&p->few, port) >= 0) return;
    if (!p->few.spilled) spill_ports(p);
    port_bits_set(&p->bits, port);
}

static uint32_t month_ports_n(const struct month_ports *p)
{
    return p->few.spilled ? p->bits.n : p->few.n;
}

static void month_ports_clear(struct month_ports *p)
{
    if (p->few.spilled) memset(&p->bits, 0, sizeof p->bits);
    p->few.n = 0;
    p->few.spilled = false;
}

struct month_addrs {
    struct few_keys few;
    struct addrset set; /* reused: a sensor's window of addresses stays one bitmap */
    bool ok;
};

static void spill_addrs(struct month_addrs *a)
{
    for (uint32_t i = 0; i < a->few.n; i++)
        a->ok = addrset_add(&a->set, a->few.key[i]) && a->ok;
    a->few.spilled = true;
}

static void count_addr(void *ctx, uint32_t key)
{
    struct month_addrs *a = ctx;
    if (!a->few.spilled && few_keys_add(&a->few, key) >= 0) return;
    if (!a->few.spilled) spill_addrs(a);
    a->ok = addrset_add(&a->set, key) && a->ok;
}

struct month_sets {
    struct month_ports syn, udp;
    struct month_addrs dsts;
};

month_sets_t *month_sets_new(void)
{
    return calloc(1, sizeof(struct month_sets));
}

void month_sets_free(month_sets_t *m)
{
    if (!m) return;
    addrset_free(&m->dsts.set);
    free(m);
}

bool month_sets_add_day(month_sets_t *m, const struct src_day *r)
{
    portmap_each(&r->syn_ports, count_port, &m->syn);
    if (r->udp_ports) portmap_each(r->udp_ports, count_port, &m->udp);
    struct month_addrs *a = &m->dsts;
    a->ok = true;
    if (!a->few.spilled && a->few.n + r->dsts.n > FEW_KEYS) spill_addrs(a);
    if (a->few.spilled)
        a->ok = addrset_merge(&a->set, &r->dsts) && a->ok;
    else
        addrset_each(&r->dsts, count_addr, a);
    return a->ok;
}

uint32_t month_sets_syn_ports(const month_sets_t *m)
{
    return month_ports_n(&m->syn);
}

uint32_t month_sets_udp_ports(const month_sets_t *m)
{
    return month_ports_n(&m->udp);
}

uint32_t month_sets_dst_addrs(const month_sets_t *m)
{
    return m->dsts.few.spilled ? m->dsts.set.n : m->dsts.few.n;
}

void month_sets_clear(month_sets_t *m)
{
    month_ports_clear(&m->syn);
    month_ports_clear(&m->udp);
    if (m->dsts.few.spilled) addrset_clear(&m->dsts.set);
    m->dsts.few.n = 0;
    m->dsts.few.spilled = false;
}
