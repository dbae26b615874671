/* A list of address prefixes (CIDRs), IPv4 or IPv6: the sensor's own addresses. */
#ifndef SCANLENS_NETSET_H
#define SCANLENS_NETSET_H

#include <stdbool.h>
#include <stddef.h>

#include "../decode/packet.h"

#define NETSET_MAX 256

struct prefix {
    struct ipaddr addr;
    unsigned bits; /* prefix length over the 128-bit (v4-mapped) address */
};

struct netset {
    size_t n;
    struct prefix net[NETSET_MAX];
};

/* Parses "198.51.100.0/24", "2001:db8::/32" or a bare address. */
int prefix_parse(struct prefix *out, const char *cidr, char *errbuf);
bool prefix_contains(const struct prefix *p, const struct ipaddr *addr);
/* "198.51.100.0/24"; buf needs 64 bytes. */
const char *prefix_format(const struct prefix *p, char *buf, size_t len);
/* Adds a prefix as prefix_parse reads it; returns SL_OK or an error. */
int netset_add(struct netset *set, const char *cidr, char *errbuf);
bool netset_contains(const struct netset *set, const struct ipaddr *addr);
/* Formats an address the usual way (dotted quad for IPv4). buf needs 46 bytes. */
const char *ipaddr_format(const struct ipaddr *addr, char *buf, size_t len);
/* Parses a bare IPv4 or IPv6 address. */
bool ipaddr_parse(const char *text, struct ipaddr *out);

#endif
