/* The per-layer decoders that decode.c chains together. Each reads through a cursor, fills its
 * part of struct packet and returns an enum packet_status. Internal to the decode stage. */
#ifndef SCANLENS_LAYERS_H
#define SCANLENS_LAYERS_H

#include "cursor.h"
#include "packet.h"

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86DD

/* Leaves the cursor on the network header and sets *ethertype (IPv4/IPv6 or other). */
int decode_link(struct cursor *c, uint16_t linktype, uint16_t *ethertype);
/* Leave the cursor on the transport header, trimmed to the datagram's own length. */
int decode_ipv4(struct cursor *c, struct packet *p);
int decode_ipv6(struct cursor *c, struct packet *p);
int decode_tcp(struct cursor *c, struct packet *p);
int decode_udp(struct cursor *c, struct packet *p);
int decode_icmp(struct cursor *c, struct packet *p);

#endif
