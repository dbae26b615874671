#!/usr/bin/env python3
"""From one Ethernet pcap, writes the same packets in every container and link type scanlens
reads (tests/captures/variants/), and the broken files of tests/malformed/. A variant must give
exactly the verdicts of its original; each broken file has its expected message and exit status
in tests/malformed/EXPECTED.

usage: make_variants.py ORIGINAL.pcap VARIANT_DIR MALFORMED_DIR"""
import bz2
import gzip
import lzma
import os
import random
import struct
import subprocess
import sys

from pktbuild import pcapng_block, pcapng_epb, pcapng_idb, pcapng_shb, write_pcap


def read_pcap(path):
    data = open(path, "rb").read()
    assert struct.unpack("<I", data[:4])[0] == 0xA1B2C3D4, "little-endian microsecond pcap expected"
    frames, off = [], 24
    while off + 16 <= len(data):
        sec, usec, incl, orig = struct.unpack("<IIII", data[off:off + 16])
        frames.append((sec + usec / 1e6, data[off + 16:off + 16 + incl], orig))
        off += 16 + incl
    return frames


def strip_ethernet(frame):
    return frame[14:], struct.unpack("!H", frame[12:14])[0]


def main():
    original, vdir, mdir = sys.argv[1:4]
    os.makedirs(vdir, exist_ok=True)
    os.makedirs(mdir, exist_ok=True)
    frames = [f for f in read_pcap(original)]
    ip_only = [(t, *strip_ethernet(d)) for t, d, _ in frames]
    ip_only = [(t, p, et) for t, p, et in ip_only if et in (0x0800, 0x86DD)]

    def v(name):
        return os.path.join(vdir, name)

    write_pcap(v("ethernet-ns.pcap"), frames, nanosecond=True)
    write_pcap(v("ethernet-be.pcap"), frames, big_endian=True)
    write_pcap(v("raw.pcap"), [(t, p) for t, p, _ in ip_only], linktype=101)
    write_pcap(v("ipv4.pcap"), [(t, p) for t, p, et in ip_only if et == 0x0800], linktype=228)
    sll = lambda p, et: struct.pack("!HHH8sH", 0, 1, 6, b"\x02\0\0\0\0\x01\0\0", et) + p
    write_pcap(v("sll.pcap"), [(t, sll(p, et)) for t, p, et in ip_only], linktype=113)
    sll2 = lambda p, et: struct.pack("!HHIHBB8s", et, 0, 2, 1, 0, 6, b"\x02\0\0\0\0\x01\0\0") + p
    write_pcap(v("sll2.pcap"), [(t, sll2(p, et)) for t, p, et in ip_only], linktype=276)
    fam = lambda et: 2 if et == 0x0800 else 30
    write_pcap(v("null.pcap"), [(t, struct.pack("<I", fam(et)) + p) for t, p, et in ip_only], linktype=0)
    write_pcap(v("loop.pcap"), [(t, struct.pack("!I", fam(et)) + p) for t, p, et in ip_only], linktype=108)
    vlan = lambda d: d[:12] + struct.pack("!HH", 0x8100, 42) + d[12:]
    qinq = lambda d: d[:12] + struct.pack("!HHHH", 0x88A8, 7, 0x8100, 42) + d[12:]
    write_pcap(v("vlan.pcap"), [(t, vlan(d)) for t, d, _ in frames])
    write_pcap(v("qinq.pcap"), [(t, qinq(d)) for t, d, _ in frames])
    # pcapng: three interfaces of different link types and resolutions, packets spread over
    # them, a second section in big-endian order for the last third.
    third = len(frames) // 3
    out = pcapng_shb() + pcapng_idb(1) + pcapng_idb(101, tsresol=9) + pcapng_idb(276)
    for i, (t, d, _) in enumerate(frames[:2 * third]):
        p, et = strip_ethernet(d)
        if et not in (0x0800, 0x86DD):
            out += pcapng_epb(0, t, d)
        elif i % 3 == 0:
            out += pcapng_epb(0, t, d)
        elif i % 3 == 1:
            out += pcapng_epb(1, t, p, units_per_second=10**9)
        else:
            out += pcapng_epb(2, t, sll2(p, et))
    out += pcapng_block(5, b"\0" * 8)  # an Interface Statistics Block, to be skipped
    out += pcapng_shb(">") + pcapng_idb(1, e=">")
    for t, d, _ in frames[2 * third:]:
        out += pcapng_epb(0, t, d, e=">")
    open(v("multi.pcapng"), "wb").write(out)
    raw = open(original, "rb").read()
    with gzip.GzipFile(v("ethernet.pcap.gz"), "wb", mtime=0) as g:
        g.write(raw)
    subprocess.run(["zstd", "-q", "-f", "-19", original, "-o", v("ethernet.pcap.zst")], check=True)

    # Broken files.
    def m(name, data):
        open(os.path.join(mdir, name), "wb").write(data)

    m("empty.pcap", b"")
    m("random-bytes.pcap", random.Random(7).randbytes(4096))
    m("short-header.pcap", raw[:10])
    sizes, off = [], 24
    while off < len(raw):
        incl = struct.unpack("<I", raw[off + 8:off + 12])[0]
        sizes.append(off)
        off += 16 + incl
    m("cut-mid-record.pcap", raw[:sizes[10] + 30])  # 10 whole records, then part of one
    bad = bytearray(raw)
    struct.pack_into("<I", bad, sizes[5] + 8, 0x7FFFFFFF)
    m("absurd-caplen.pcap", bytes(bad))  # 5 whole records before the corrupt header
    unknown = bytearray(raw[:24 + 16 + struct.unpack("<I", raw[32:36])[0]])
    struct.pack_into("<I", unknown, 20, 147)
    m("unknown-linktype.pcap", bytes(unknown))
    version = bytearray(raw[:200])
    struct.pack_into("<H", version, 4, 3)
    m("pcap-version-3.pcap", bytes(version))
    ng = pcapng_shb() + pcapng_idb(1) + pcapng_epb(0, 1e9, frames[0][1])
    m("bad-block-length.pcapng", ng + struct.pack("<II", 6, 13) + b"\0" * 16)
    m("bad-block-trailer.pcapng", ng + pcapng_epb(0, 1e9, frames[1][1])[:-4] + struct.pack("<I", 99))
    m("packet-on-missing-interface.pcapng", ng + pcapng_epb(3, 1e9, frames[1][1]))
    gz = gzip.compress(raw, mtime=0)
    m("cut.pcap.gz", gz[: len(gz) // 2])
    zst = subprocess.run(["zstd", "-q", "-c", original], check=True, capture_output=True).stdout
    m("corrupt.pcap.zst", zst[:20] + bytes(b ^ 0x5A for b in zst[20:60]) + zst[60:])
    xz = lzma.compress(raw)
    m("cut.pcap.xz", xz[: len(xz) // 2])
    bz = bz2.compress(raw)
    m("cut.pcap.bz2", bz[: len(bz) // 2])
    m("compressed.pcap.lz4", bytes.fromhex("04224d18") + raw[:60])  # lz4's magic: not read


if __name__ == "__main__":
    main()
