/* Filter expressions through libpcap's compiler and interpreter. */
#include "bpf.h"

#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#include "../decode/linktypes.h"
#include "../util/error.h"

#define BPF_MAX_LINKTYPES 16

struct bpf_set {
    char *expression;
    size_t n;
    struct {
        uint16_t linktype;
        bool usable;
        struct bpf_program program;
    } compiled[BPF_MAX_LINKTYPES];
};

/* Capture files store LINKTYPE_ values; libpcap's compiler wants the DLT_ ones, which differ
 * for raw IP. */
static int linktype_to_dlt(uint16_t linktype)
{
    return linktype == LINKTYPE_RAW ? DLT_RAW : linktype;
}

static int compile(const char *expression, int linktype, struct bpf_program *program, char *errbuf)
{
    pcap_t *dead = pcap_open_dead(linktype, 262144);
    if (!dead) return sl_error(errbuf, SL_ERR_NOMEM, "libpcap could not start");
    int rc = SL_OK;
    if (pcap_compile(dead, program, expression, 1, PCAP_NETMASK_UNKNOWN) != 0)
        rc = sl_error(errbuf, SL_ERR_USAGE, "filter '%s': %s", expression, pcap_geterr(dead));
    pcap_close(dead);
    return rc;
}

int bpf_set_open(bpf_set_t **out, const char *expression, char *errbuf)
{
    *out = NULL;
    if (!expression || !*expression) return SL_OK;
    struct bpf_program probe;
    int rc = compile(expression, DLT_EN10MB, &probe, errbuf);
    if (rc != SL_OK) return rc;
    pcap_freecode(&probe);
    bpf_set_t *set = calloc(1, sizeof *set);
    if (!set || !(set->expression = strdup(expression))) {
        free(set);
        return sl_error(errbuf, SL_ERR_NOMEM, "out of memory");
    }
    *out = set;
    return SL_OK;
}

void bpf_set_close(bpf_set_t *set)
{
    if (!set) return;
    for (size_t i = 0; i < set->n; i++)
        if (set->compiled[i].usable) pcap_freecode(&set->compiled[i].program);
    free(set->expression);
    free(set);
}

int bpf_set_match(bpf_set_t *set, uint16_t linktype, const uint8_t *data, uint32_t caplen,
                  uint32_t wirelen, char *errbuf)
{
    size_t i = 0;
    while (i < set->n && set->compiled[i].linktype != linktype)
        i++;
    if (i == set->n) {
        if (set->n == BPF_MAX_LINKTYPES)
            return sl_error(errbuf, SL_ERR_UNSUPPORTED, "more than %d link types in one run",
                            BPF_MAX_LINKTYPES);
        set->compiled[i].linktype = linktype;
        set->compiled[i].usable = compile(set->expression, linktype_to_dlt(linktype),
                                          &set->compiled[i].program, errbuf) == SL_OK;
        set->n++;
    }
    if (!set->compiled[i].usable)
        return sl_error(errbuf, SL_ERR_USAGE, "filter '%s' does not apply to link type %u",
                        set->expression, linktype);
    return bpf_filter(set->compiled[i].program.bf_insns, data, wirelen, caplen) != 0;
}
