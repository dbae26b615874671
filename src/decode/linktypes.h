/* Link-layer header types scanlens decodes (tcpdump.org/linktypes.html numbering). */
#ifndef SCANLENS_LINKTYPES_H
#define SCANLENS_LINKTYPES_H

#include <stdbool.h>
#include <stdint.h>

enum {
    LINKTYPE_NULL = 0,
    LINKTYPE_ETHERNET = 1,
    LINKTYPE_DLT_RAW1 = 12, /* DLT_RAW on most BSDs */
    LINKTYPE_DLT_RAW2 = 14, /* DLT_RAW on OpenBSD */
    LINKTYPE_RAW = 101,
    LINKTYPE_LOOP = 108,
    LINKTYPE_LINUX_SLL = 113,
    LINKTYPE_IPV4 = 228,
    LINKTYPE_IPV6 = 229,
    LINKTYPE_LINUX_SLL2 = 276,
};

static inline bool linktype_supported(uint32_t linktype)
{
    switch (linktype) {
    case LINKTYPE_NULL:
    case LINKTYPE_ETHERNET:
    case LINKTYPE_DLT_RAW1:
    case LINKTYPE_DLT_RAW2:
    case LINKTYPE_RAW:
    case LINKTYPE_LOOP:
    case LINKTYPE_LINUX_SLL:
    case LINKTYPE_IPV4:
    case LINKTYPE_IPV6:
    case LINKTYPE_LINUX_SLL2:
        return true;
    default:
        return false;
    }
}

#endif
