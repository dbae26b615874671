/* Address prefixes and address text conversion. */
#include "netset.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/error.h"

bool ipaddr_parse(const char *text, struct ipaddr *out)
{
    struct in_addr v4;
    if (inet_pton(AF_INET, text, &v4) == 1) {
        memset(out->b, 0, 10);
        out->b[10] = out->b[11] = 0xff;
        memcpy(out->b + 12, &v4, 4);
        return true;
    }
    return inet_pton(AF_INET6, text, out->b) == 1;
}

/* Dotted quad, written here: glibc's inet_ntop formats IPv4 with sprintf, which was a sixth
 * of writing sources.csv for millions of sources. buf has room for 16 bytes. */
static void format_v4(const uint8_t *b, char *buf)
{
    for (int i = 0; i < 4; i++) {
        unsigned v = b[i];
        if (v >= 100) *buf++ = (char)('0' + v / 100);
        if (v >= 10) *buf++ = (char)('0' + v / 10 % 10);
        *buf++ = (char)('0' + v % 10);
        *buf++ = i < 3 ? '.' : '\0';
    }
}

const char *ipaddr_format(const struct ipaddr *a, char *buf, size_t len)
{
    if (!ipaddr_is_v4(a))
        inet_ntop(AF_INET6, a->b, buf, (socklen_t)len);
    else if (len >= INET_ADDRSTRLEN)
        format_v4(a->b + 12, buf);
    else
        inet_ntop(AF_INET, a->b + 12, buf, (socklen_t)len);
    return buf;
}

int prefix_parse(struct prefix *out, const char *cidr, char *errbuf)
{
    char text[64];
    if (strlen(cidr) >= sizeof text)
        return sl_error(errbuf, SL_ERR_USAGE, "'%s' is not an address or prefix", cidr);
    strcpy(text, cidr);
    char *slash = strchr(text, '/');
    long bits = -1;
    if (slash) {
        *slash = '\0';
        char *end;
        bits = strtol(slash + 1, &end, 10);
        if (*end || end == slash + 1) bits = -2;
    }
    struct ipaddr addr;
    if (!ipaddr_parse(text, &addr))
        return sl_error(errbuf, SL_ERR_USAGE, "'%s' is not an address or prefix", cidr);
    bool v4 = ipaddr_is_v4(&addr);
    long max = v4 ? 32 : 128;
    if (bits == -1) bits = max;
    if (bits < 0 || bits > max)
        return sl_error(errbuf, SL_ERR_USAGE, "'%s': prefix length must be 0-%ld", cidr, max);
    unsigned total = (unsigned)(v4 ? bits + 96 : bits);
    for (unsigned i = total; i < 128; i++)
        addr.b[i / 8] &= (uint8_t) ~(0x80 >> (i % 8));
    out->addr = addr;
    out->bits = total;
    return SL_OK;
}

int netset_add(struct netset *set, const char *cidr, char *errbuf)
{
    if (set->n == NETSET_MAX)
        return sl_error(errbuf, SL_ERR_USAGE, "more than %d prefixes", NETSET_MAX);
    int rc = prefix_parse(&set->net[set->n], cidr, errbuf);
    if (rc == SL_OK) set->n++;
    return rc;
}

const char *prefix_format(const struct prefix *p, char *buf, size_t len)
{
    char addr[64];
    ipaddr_format(&p->addr, addr, sizeof addr);
    snprintf(buf, len, "%s/%u", addr, ipaddr_is_v4(&p->addr) ? p->bits - 96 : p->bits);
    return buf;
}

bool prefix_contains(const struct prefix *p, const struct ipaddr *a)
{
    const struct ipaddr *net = &p->addr;
    unsigned bits = p->bits;
    unsigned whole = bits / 8, rest = bits % 8;
    if (memcmp(net->b, a->b, whole) != 0) return false;
    if (!rest) return true;
    uint8_t mask = (uint8_t)(0xFF << (8 - rest));
    return (net->b[whole] & mask) == (a->b[whole] & mask);
}

bool netset_contains(const struct netset *set, const struct ipaddr *addr)
{
    for (size_t i = 0; i < set->n; i++)
        if (prefix_contains(&set->net[i], addr)) return true;
    return false;
}
