/* Classic pcap files: 24-byte file header, then 16-byte record headers, microsecond or
 * nanosecond timestamps, written in either byte order. */
#include "../decode/linktypes.h"
#include "capture_impl.h"

#define PCAP_FILE_HEADER 24
#define PCAP_RECORD_HEADER 16
/* libpcap's MAXIMUM_SNAPLEN: no real record is larger, whatever the header's snaplen says. */
#define PCAP_MAX_SNAPLEN 262144u

static int pcap_open(capture_t *cap, char *errbuf)
{
    int status;
    const uint8_t *h =
        capture_need(cap, PCAP_FILE_HEADER, "pcap file header", false, &status, errbuf);
    if (!h) return status;
    uint32_t magic = load_magic_be(h);
    cap->big_endian = magic == 0xA1B2C3D4 || magic == 0xA1B23C4D;
    cap->nanosecond = magic == 0xA1B23C4D || magic == 0x4D3CB2A1;
    uint16_t major = cap_u16(cap, h + 4);
    if (major != 2)
        return sl_error(errbuf, SL_ERR_FORMAT, "pcap version %u.%u is not one scanlens reads (2.x)",
                        major, cap_u16(cap, h + 6));
    cap->snaplen = cap_u32(cap, h + 16);
    uint32_t linktype = cap_u32(cap, h + 20) & 0xFFFF; /* upper bits describe an FCS */
    if (!linktype_supported(linktype))
        return sl_error(errbuf, SL_ERR_UNSUPPORTED,
                        "link type %u is not supported (scanlens decodes Ethernet, 802.1Q, Linux "
                        "cooked v1/v2, raw IP and BSD loopback)",
                        linktype);
    cap->linktype = (uint16_t)linktype;
    bytesrc_advance(cap->src, PCAP_FILE_HEADER);
    return SL_OK;
}

/* Record h (its header, then caplen captured bytes) as the next frame, consumed. */
static int take_record(capture_t *cap, struct frame *frame, const uint8_t *h, uint32_t caplen)
{
    uint32_t frac = cap_u32(cap, h + 4);
    frame->ts_ns =
        (int64_t)cap_u32(cap, h) * 1000000000 + (int64_t)frac * (cap->nanosecond ? 1 : 1000);
    frame->caplen = caplen;
    frame->wirelen = cap_u32(cap, h + 12);
    frame->data = h + PCAP_RECORD_HEADER;
    frame->linktype = cap->linktype;
    frame->interface = 0;
    bytesrc_advance(cap->src, PCAP_RECORD_HEADER + caplen);
    return 1;
}

static uint32_t caplen_limit(const capture_t *cap)
{
    uint32_t limit = cap->snaplen > PCAP_MAX_SNAPLEN ? cap->snaplen : PCAP_MAX_SNAPLEN;
    return limit < CAPTURE_MAX_RECORD ? limit : CAPTURE_MAX_RECORD;
}

static int pcap_next(capture_t *cap, struct frame *frame, char *errbuf)
{
    /* nearly always: the whole record is at hand (a mapped file, or a full buffer) */
    size_t have;
    const uint8_t *h = bytesrc_at_hand(cap->src, &have);
    if (have >= PCAP_RECORD_HEADER) {
        uint32_t caplen = cap_u32(cap, h + 8);
        if (caplen <= caplen_limit(cap) && have - PCAP_RECORD_HEADER >= caplen)
            return take_record(cap, frame, h, caplen);
    }
    int status;
    uint64_t offset = bytesrc_offset(cap->src);
    h = capture_need(cap, PCAP_RECORD_HEADER, "record header", true, &status, errbuf);
    if (!h) return status;
    uint32_t caplen = cap_u32(cap, h + 8);
    if (caplen > caplen_limit(cap))
        return sl_error(errbuf, SL_ERR_FORMAT,
                        "record %llu at byte %llu claims %u captured bytes, more than the "
                        "snapshot length %u allows: corrupt record header",
                        (unsigned long long)cap->frames + 1, (unsigned long long)offset, caplen,
                        cap->snaplen);
    h = capture_need(cap, PCAP_RECORD_HEADER + caplen, "record", false, &status, errbuf);
    if (!h) return status;
    return take_record(cap, frame, h, caplen);
}

const struct capture_format_ops capture_format_pcap = {
    .name = "pcap",
    .open = pcap_open,
    .next = pcap_next,
};
