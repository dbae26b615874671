/* BPF filter expressions, as tcpdump takes them, compiled by libpcap once per link type
 * (a pcapng file may mix several) and run on each frame before it is decoded. */
#ifndef SCANLENS_BPF_H
#define SCANLENS_BPF_H

#include <stdbool.h>
#include <stdint.h>

typedef struct bpf_set bpf_set_t;

/* Compiles nothing yet; checks the expression's syntax against Ethernet. NULL/"" = no filter. */
int bpf_set_open(bpf_set_t **out, const char *expression, char *errbuf);
void bpf_set_close(bpf_set_t *set);
/* 1: keep the frame; 0: filtered out; <0: the expression cannot apply to this link type. */
int bpf_set_match(bpf_set_t *set, uint16_t linktype, const uint8_t *data, uint32_t caplen,
                  uint32_t wirelen, char *errbuf);

#endif
