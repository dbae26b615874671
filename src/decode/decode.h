/* Frame decoder: turns one captured frame into a struct packet, reading headers in place. */
#ifndef SCANLENS_DECODE_H
#define SCANLENS_DECODE_H

#include <stdbool.h>

#include "packet.h"

#define IPPROTO_NUM_ICMP 1
#define IPPROTO_NUM_TCP 6
#define IPPROTO_NUM_UDP 17
#define IPPROTO_NUM_ICMPV6 58

/* Fills *p from the frame and returns p->status. Never reads beyond caplen bytes. */
int decode_frame(struct packet *p, uint16_t linktype, const uint8_t *data, uint32_t caplen,
                 uint32_t wirelen, int64_t ts_ns);

const char *packet_status_name(int status);

/* The TCP timestamp option's two values, read from the options decode_frame kept (p->opts):
 * false when the packet has none, or the snapshot length cut its options. */
bool packet_tcp_timestamp(const struct packet *p, uint32_t *tsval, uint32_t *tsecr);

#endif
