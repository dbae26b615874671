"""Builds IPv4/IPv6 packets and writes pcap/pcapng files, byte for byte, for the crafted test
traces (tools that cannot run here: Mirai, reflection, backscatter, ZMap 4.1, ...). Written
without scapy so the traces are fast to make and identical on every run."""
import ipaddress
import struct

ETH_SRC = bytes.fromhex("020000000001")
ETH_DST = bytes.fromhex("020000000002")


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip4(addr):
    return ipaddress.IPv4Address(addr).packed


def tcp_options(layout, tsval=0):
    """layout: list like ["M1460", "N", "W8", "S", "T", "E"]"""
    out = b""
    for opt in layout:
        kind, val = opt[0], opt[1:]
        if kind == "M":
            out += struct.pack("!BBH", 2, 4, int(val))
        elif kind == "W":
            out += struct.pack("!BBB", 3, 3, int(val))
        elif kind == "S":
            out += b"\x04\x02"
        elif kind == "T":
            out += struct.pack("!BBII", 8, 10, tsval, 0)
        elif kind == "N":
            out += b"\x01"
        elif kind == "E":
            out += b"\x00"
    return out


def pseudo_header(src, dst, proto, length):
    if ":" in src:
        return (ipaddress.IPv6Address(src).packed + ipaddress.IPv6Address(dst).packed +
                struct.pack("!IxxxB", length, proto))
    return ip4(src) + ip4(dst) + struct.pack("!BBH", 0, proto, length)


def tcp_segment(src, dst, sport, dport, seq, ack=0, flags="S", window=1024, options=b"",
                payload=b""):
    bits = sum(1 << "FSRPAUEC".index(f) for f in flags)
    opts = options + b"\0" * (-len(options) % 4)
    off = (20 + len(opts)) // 4
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, off << 4, bits, window, 0, 0) + opts
    pseudo = pseudo_header(src, dst, 6, len(hdr) + len(payload))
    c = checksum(pseudo + hdr + payload)
    return hdr[:16] + struct.pack("!H", c) + hdr[18:] + payload


def udp_datagram(src, dst, sport, dport, payload=b""):
    hdr = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0)
    pseudo = ip4(src) + ip4(dst) + struct.pack("!BBH", 0, 17, 8 + len(payload))
    c = checksum(pseudo + hdr + payload) or 0xFFFF
    return hdr[:6] + struct.pack("!H", c) + payload


def icmp_message(icmp_type, code=0, ident=0, seq=0, payload=b""):
    hdr = struct.pack("!BBHHH", icmp_type, code, 0, ident, seq)
    c = checksum(hdr + payload)
    return hdr[:2] + struct.pack("!H", c) + hdr[4:] + payload


def ipv4(src, dst, proto, payload, ttl=64, ipid=0, df=False):
    proto_num = {"tcp": 6, "udp": 17, "icmp": 1}[proto]
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ipid, 0x4000 if df else 0,
                      ttl, proto_num, 0, ip4(src), ip4(dst))
    return hdr[:10] + struct.pack("!H", checksum(hdr)) + hdr[12:] + payload


def ipv6(src, dst, next_header, payload, hlim=64, hop_by_hop=False):
    if hop_by_hop:  # an 8-byte Hop-by-Hop Options header (PadN) before the transport header
        payload = struct.pack("!BB", next_header, 0) + b"\x01\x04\0\0\0\0" + payload
        next_header = 0
    return (struct.pack("!IHBB", 6 << 28, len(payload), next_header, hlim) +
            ipaddress.IPv6Address(src).packed + ipaddress.IPv6Address(dst).packed + payload)


def ethernet(ip_packet, ethertype=0x0800, vlans=()):
    tags = b"".join(struct.pack("!HH", tpid, vid) for tpid, vid in vlans)
    return ETH_DST + ETH_SRC + tags + struct.pack("!H", ethertype) + ip_packet


def write_pcap(path, frames, linktype=1, nanosecond=False, big_endian=False, snaplen=262144):
    """frames: iterable of (time_seconds_float, bytes[, original_length])"""
    e = ">" if big_endian else "<"
    magic = 0xA1B23C4D if nanosecond else 0xA1B2C3D4
    with open(path, "wb") as f:
        f.write(struct.pack(e + "IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype))
        for fr in frames:
            t, data = fr[0], fr[1]
            orig = fr[2] if len(fr) > 2 else len(data)
            sec = int(t)
            frac = round((t - sec) * (1e9 if nanosecond else 1e6))
            f.write(struct.pack(e + "IIII", sec, frac, len(data), orig) + data)


def pcapng_block(block_type, body, e="<"):
    body += b"\0" * (-len(body) % 4)
    n = len(body) + 12
    return struct.pack(e + "II", block_type, n) + body + struct.pack(e + "I", n)


def pcapng_shb(e="<"):
    return pcapng_block(0x0A0D0D0A, struct.pack(e + "IHHq", 0x1A2B3C4D, 1, 0, -1), e)


def pcapng_idb(linktype, tsresol=None, e="<", snaplen=262144):
    opts = b""
    if tsresol is not None:
        opts += struct.pack(e + "HH", 9, 1) + bytes([tsresol]) + b"\0\0\0"
        opts += struct.pack(e + "HH", 0, 0)
    return pcapng_block(1, struct.pack(e + "HHI", linktype, 0, snaplen) + opts, e)


def pcapng_epb(iface, t, data, units_per_second=1000000, e="<"):
    ts = int(round(t * units_per_second))
    body = struct.pack(e + "IIIII", iface, ts >> 32, ts & 0xFFFFFFFF, len(data), len(data)) + data
    return pcapng_block(6, body, e)
