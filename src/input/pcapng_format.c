/* pcapng files: a sequence of blocks in sections. Each Section Header Block sets the byte
 * order and forgets the interfaces; each Interface Description Block adds an interface with
 * its own link type and timestamp resolution; packets come in Enhanced, Simple or (obsolete)
 * Packet Blocks. Other blocks (name resolution, statistics, custom) are skipped. */
#include <stdio.h>
#include <string.h>

#include "../decode/linktypes.h"
#include "capture_impl.h"

enum {
    BLOCK_SHB = 0x0A0D0D0A,
    BLOCK_IDB = 1,
    BLOCK_OPB = 2,
    BLOCK_SPB = 3,
    BLOCK_EPB = 6,
    OPT_END = 0,
    OPT_IF_TSRESOL = 9,
    OPT_IF_TSOFFSET = 14,
    BYTE_ORDER_MAGIC = 0x1A2B3C4D,
};

static int block_error(char *errbuf, uint64_t offset, const char *what)
{
    return sl_error(errbuf, SL_ERR_FORMAT, "bad pcapng block at byte %llu: %s",
                    (unsigned long long)offset, what);
}

static void read_interface_options(capture_t *cap, struct pcapng_interface *ifc, const uint8_t *opt,
                                   const uint8_t *end)
{
    while (end - opt >= 4) {
        uint16_t code = cap_u16(cap, opt), len = cap_u16(cap, opt + 2);
        const uint8_t *value = opt + 4;
        if (code == OPT_END || (size_t)(end - value) < len) return;
        if (code == OPT_IF_TSRESOL && len >= 1) {
            ifc->ts_pow2 = (value[0] & 0x80) != 0;
            ifc->ts_exp = value[0] & 0x7F;
        } else if (code == OPT_IF_TSOFFSET && len >= 8) {
            /* a 64-bit integer in the section's byte order */
            const uint8_t *high = cap->big_endian ? value : value + 4;
            const uint8_t *low = cap->big_endian ? value + 4 : value;
            uint64_t seconds = (uint64_t)cap_u32(cap, high) << 32 | cap_u32(cap, low);
            ifc->ts_offset_ns = (int64_t)seconds * 1000000000;
        }
        opt = value + ((len + 3u) & ~3u);
    }
}

static int64_t units_to_ns(const struct pcapng_interface *ifc, uint64_t units)
{
    static const uint64_t pow10[] = {1,      10,      100,      1000,      10000,
                                     100000, 1000000, 10000000, 100000000, 1000000000};
    int64_t ns;
    if (ifc->ts_pow2) {
        unsigned __int128 scaled = (unsigned __int128)units * 1000000000u;
        ns = ifc->ts_exp >= 127 ? 0 : (int64_t)(scaled >> ifc->ts_exp);
    } else if (ifc->ts_exp <= 9) {
        ns = (int64_t)(units * pow10[9 - ifc->ts_exp]);
    } else {
        uint64_t div = 1;
        for (int i = 9; i < ifc->ts_exp && i < 28; i++)
            div *= 10;
        ns = (int64_t)(units / div);
    }
    return ns + ifc->ts_offset_ns;
}

static int read_section_header(capture_t *cap, const uint8_t *b, uint32_t len, uint64_t offset,
                               char *errbuf)
{
    if (len < 28) return block_error(errbuf, offset, "section header shorter than 28 bytes");
    uint16_t major = cap_u16(cap, b + 12);
    if (major != 1) return block_error(errbuf, offset, "section header version is not 1.x");
    cap->n_interfaces = 0;
    return SL_OK;
}

static int add_interface(capture_t *cap, const uint8_t *b, uint32_t len, uint64_t offset,
                         char *errbuf)
{
    if (len < 20) return block_error(errbuf, offset, "interface description shorter than 20 bytes");
    if (cap->n_interfaces == PCAPNG_MAX_INTERFACES)
        return block_error(errbuf, offset, "more than 256 interfaces in one section");
    struct pcapng_interface *ifc = &cap->interfaces[cap->n_interfaces];
    memset(ifc, 0, sizeof *ifc);
    ifc->linktype = cap_u16(cap, b + 8);
    ifc->snaplen = cap_u32(cap, b + 12);
    ifc->ts_exp = 6;
    read_interface_options(cap, ifc, b + 16, b + len - 4);
    if (!linktype_supported(ifc->linktype))
        capture_warn(cap,
                     "interface %u has link type %u, which scanlens does not decode: its "
                     "packets are counted as skipped",
                     cap->n_interfaces, ifc->linktype);
    cap->n_interfaces++;
    return SL_OK;
}

/* Fills the frame from an EPB, SPB or OPB; returns 1, or an error. */
static int read_packet_block(capture_t *cap, uint32_t type, const uint8_t *b, uint32_t len,
                             uint64_t offset, struct frame *frame, char *errbuf)
{
    uint32_t iface, caplen, fixed;
    uint64_t units = 0;
    if (type == BLOCK_SPB) {
        if (len < 16) return block_error(errbuf, offset, "simple packet block too short");
        iface = 0;
        fixed = 12;
        frame->wirelen = cap_u32(cap, b + 8);
        caplen = frame->wirelen;
        if (caplen > len - 16) caplen = len - 16;
        if (cap->n_interfaces && cap->interfaces[0].snaplen && caplen > cap->interfaces[0].snaplen)
            caplen = cap->interfaces[0].snaplen;
    } else {
        if (len < 32) return block_error(errbuf, offset, "packet block shorter than 32 bytes");
        iface = type == BLOCK_OPB ? cap_u16(cap, b + 8) : cap_u32(cap, b + 8);
        units = (uint64_t)cap_u32(cap, b + 12) << 32 | cap_u32(cap, b + 16);
        caplen = cap_u32(cap, b + 20);
        frame->wirelen = cap_u32(cap, b + 24);
        fixed = 28;
        if (caplen > len - 32)
            return block_error(errbuf, offset, "captured length runs past the end of the block");
    }
    if (iface >= cap->n_interfaces) {
        char what[96];
        snprintf(what, sizeof what, "packet on interface %u, but the section defines %u", iface,
                 cap->n_interfaces);
        return block_error(errbuf, offset, what);
    }
    const struct pcapng_interface *ifc = &cap->interfaces[iface];
    frame->data = b + fixed;
    frame->caplen = caplen;
    frame->ts_ns = type == BLOCK_SPB ? 0 : units_to_ns(ifc, units);
    frame->linktype = ifc->linktype;
    frame->interface = iface;
    return 1;
}

static int pcapng_next(capture_t *cap, struct frame *frame, char *errbuf)
{
    for (;;) {
        int status;
        uint64_t offset = bytesrc_offset(cap->src);
        const uint8_t *b = capture_need(cap, 12, "block header", true, &status, errbuf);
        if (!b) return status;
        uint32_t type = load_magic_be(b); /* the SHB type reads the same in both orders */
        if (type == BLOCK_SHB) {
            uint32_t bom = load_magic_be(b + 8);
            if (bom == BYTE_ORDER_MAGIC)
                cap->big_endian = true;
            else if (bom == 0x4D3C2B1A)
                cap->big_endian = false;
            else
                return block_error(errbuf, offset, "section header has no byte-order magic");
        } else {
            type = cap_u32(cap, b);
        }
        uint32_t len = cap_u32(cap, b + 4);
        if (len < 12 || len % 4 != 0 || len > CAPTURE_MAX_RECORD) {
            char what[80];
            snprintf(what, sizeof what, "block length %u is impossible", len);
            return block_error(errbuf, offset, what);
        }
        b = capture_need(cap, len, "block", false, &status, errbuf);
        if (!b) return status;
        if (cap_u32(cap, b + len - 4) != len)
            return block_error(errbuf, offset, "trailing length does not match the header");

        int rc = 0;
        if (type == BLOCK_SHB)
            rc = read_section_header(cap, b, len, offset, errbuf);
        else if (type == BLOCK_IDB)
            rc = add_interface(cap, b, len, offset, errbuf);
        else if (type == BLOCK_EPB || type == BLOCK_SPB || type == BLOCK_OPB)
            rc = read_packet_block(cap, type, b, len, offset, frame, errbuf);
        if (rc < 0) return rc;
        bytesrc_advance(cap->src, len);
        if (rc == 1) return 1;
    }
}

static int pcapng_open(capture_t *cap, char *errbuf)
{
    (void)cap;
    (void)errbuf;
    return SL_OK; /* the section header is read as the first block */
}

const struct capture_format_ops capture_format_pcapng = {
    .name = "pcapng",
    .open = pcapng_open,
    .next = pcapng_next,
};
