/* Link-layer decoder: Ethernet (with 802.1Q / QinQ tags), Linux cooked v1 and v2, raw IP,
 * BSD null and loop. Finds where the IP header starts and which family it is. */
#include "layers.h"
#include "linktypes.h"

#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ 0x88A8
#define ETHERTYPE_QINQ_OLD 0x9100
#define MAX_VLAN_TAGS 4

/* BSD AF_INET6 differs between systems; these are the values libpcap accepts. */
static uint16_t bsd_family_to_ethertype(uint32_t family)
{
    switch (family) {
    case 2:
        return ETHERTYPE_IPV4;
    case 10:
    case 24:
    case 28:
    case 30:
        return ETHERTYPE_IPV6;
    default:
        return 0;
    }
}

static int ethertype_from_version(const struct cursor *c, uint16_t *ethertype)
{
    if (cursor_left(c) < 1) return PKT_TRUNCATED;
    uint8_t version = cursor_ptr(c)[0] >> 4;
    *ethertype = version == 4 ? ETHERTYPE_IPV4 : version == 6 ? ETHERTYPE_IPV6 : 0;
    return PKT_OK;
}

static int decode_ethernet(struct cursor *c, uint16_t *ethertype)
{
    if (!cursor_skip(c, 12) || !get_be16(c, ethertype)) return PKT_TRUNCATED;
    for (int tags = 0; *ethertype == ETHERTYPE_VLAN || *ethertype == ETHERTYPE_QINQ ||
                       *ethertype == ETHERTYPE_QINQ_OLD;
         tags++) {
        if (tags == MAX_VLAN_TAGS) return PKT_MALFORMED;
        if (!cursor_skip(c, 2) || !get_be16(c, ethertype)) return PKT_TRUNCATED;
    }
    return PKT_OK;
}

int decode_link(struct cursor *c, uint16_t linktype, uint16_t *ethertype)
{
    uint32_t family;
    const uint8_t *p;
    switch (linktype) {
    case LINKTYPE_ETHERNET:
        return decode_ethernet(c, ethertype);
    case LINKTYPE_RAW:
    case LINKTYPE_DLT_RAW1:
    case LINKTYPE_DLT_RAW2:
        return ethertype_from_version(c, ethertype);
    case LINKTYPE_IPV4:
        *ethertype = ETHERTYPE_IPV4;
        return PKT_OK;
    case LINKTYPE_IPV6:
        *ethertype = ETHERTYPE_IPV6;
        return PKT_OK;
    case LINKTYPE_NULL: /* 4-byte family in the byte order of the machine that captured */
        if (!(p = cursor_take(c, 4))) return PKT_TRUNCATED;
        family = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
        if (family > 0xFFFF) family = load_be32(p);
        *ethertype = bsd_family_to_ethertype(family);
        return PKT_OK;
    case LINKTYPE_LOOP:
        if (!get_be32(c, &family)) return PKT_TRUNCATED;
        *ethertype = bsd_family_to_ethertype(family);
        return PKT_OK;
    case LINKTYPE_LINUX_SLL: /* type, ARPHRD, addr len, 8 addr bytes, protocol */
        if (!cursor_skip(c, 14) || !get_be16(c, ethertype)) return PKT_TRUNCATED;
        return PKT_OK;
    case LINKTYPE_LINUX_SLL2: /* protocol first, then 18 more bytes */
        if (!get_be16(c, ethertype) || !cursor_skip(c, 18)) return PKT_TRUNCATED;
        return PKT_OK;
    default:
        return PKT_UNKNOWN_LINK;
    }
}
