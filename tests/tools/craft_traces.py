#!/usr/bin/env python3
"""Writes the crafted traces in tests/captures/: packets of tools and events that cannot be
produced here with the real programs (Mirai, SYN/ACK reflection, backscatter, ZMap 4.1,
current Masscan, Unicornscan, old Nmap, a Windows stack), each built from the published
behaviour in docs/fingerprints.md. Deterministic: the same bytes on every run.

usage: craft_traces.py OUTDIR"""
import random
import sys

from pktbuild import (ethernet, icmp_message, ip4, ipv4, ipv6, tcp_options, tcp_segment,
                      udp_datagram, write_pcap)

T0 = 1547510400.0  # 2019-01-15 00:00:00 UTC
SENSOR = ["198.51.100.%d" % i for i in range(1, 33)]


def u32(addr):
    return int.from_bytes(ip4(addr), "big")


def syn(src, dst, sport, dport, seq, ttl, ipid, window, opts=b"", df=False, ack=0):
    return ethernet(ipv4(src, dst, "tcp", tcp_segment(src, dst, sport, dport, seq, ack, "S", window,
                                                      opts), ttl=ttl, ipid=ipid, df=df))


def mirai(rng, t):
    """Three bots: seq = destination, window random but fixed per bot, TTL 64 less hops,
    23/tcp nine times in ten, else 2323; one variant on 37215 and 52869."""
    frames = []
    bots = [("203.0.113.1", None), ("203.0.113.2", None), ("203.0.113.3", None),
            ("203.0.113.4", [37215, 52869])]
    for src, ports in bots:
        window, sport = rng.randrange(1, 65536), rng.randrange(1024, 65536)
        for i in range(40):
            dst = rng.choice(SENSOR)
            dport = rng.choice(ports) if ports else (23 if i % 10 else 2323)
            frames.append((t, syn(src, dst, sport, dport, u32(dst), 64 - 12, rng.randrange(65536),
                                  window)))
            t += 0.00625
    return frames


def reflection(rng, t):
    """A victim's address spoofed onto SYNs hammering two sensor ports from 80/tcp; the sensor
    answers SYN/ACK to the victim, the victim answers RST."""
    frames = []
    victim = "203.0.113.50"
    for i in range(300):
        dst = "198.51.100.5"
        dport = 23 if i % 2 else 2323
        seq = rng.randrange(1 << 32)
        frames.append((t, syn(victim, dst, 80, dport, seq, 49, rng.randrange(65536),
                              rng.randrange(1024, 65536))))
        frames.append((t + 0.0001, ethernet(ipv4(dst, victim, "tcp", tcp_segment(
            dst, victim, dport, 80, rng.randrange(1 << 32), seq + 1, "SA", 64240,
            tcp_options(["M1460"])), ttl=64, df=True))))
        frames.append((t + 0.02, ethernet(ipv4(victim, dst, "tcp", tcp_segment(
            victim, dst, 80, dport, seq + 1, 0, "R", 0), ttl=49))))
        t += 0.05
    return frames


def rescans_and_floods(rng, t):
    """Repeats within a day and across days told apart: a scanner with a Linux stack that
    sweeps ten sensor addresses on 443/tcp once a day for 20 days (200 SYNs, 20 to each
    address over the period, one a day), and a victim whose spoofed SYNs hammer one sensor
    port on two days (60 a day)."""
    frames = []
    stack = tcp_options(["M1460", "S", "T", "N", "W7"], tsval=1000)
    scanner = "203.0.113.60"
    for day in range(20):
        for i in range(10):
            dst = SENSOR[i]
            frames.append((t + day * 86400 + i, syn(scanner, dst, rng.randrange(32768, 61000), 443,
                                                    rng.randrange(1 << 32), 52,
                                                    rng.randrange(65536), 64240, stack, df=True)))
    victim = "203.0.113.61"
    for day in (3, 4):
        for i in range(60):
            frames.append((t + day * 86400 + 3600 + i * 0.5, syn(
                victim, "198.51.100.7", 80, 23, rng.randrange(1 << 32), 49, rng.randrange(65536),
                rng.randrange(1024, 65536))))
    return frames


def backscatter(rng, t):
    """A DoS victim's SYN/ACKs and RSTs to spoofed sources inside the sensor, and ICMP errors
    from a router."""
    frames = []
    victim, router = "203.0.113.80", "203.0.113.81"
    for i in range(60):
        dst = rng.choice(SENSOR)
        flags = "SA" if i % 3 else "R"
        frames.append((t, ethernet(ipv4(victim, dst, "tcp", tcp_segment(
            victim, dst, 80, rng.randrange(1024, 65536), rng.randrange(1 << 32),
            rng.randrange(1 << 32), flags, 29200 if flags == "SA" else 0), ttl=52, df=True))))
        t += 0.1
    for i in range(20):
        dst = rng.choice(SENSOR)
        inner = ipv4(dst, "192.0.2.99", "udp", udp_datagram(dst, "192.0.2.99", 53, 3333))
        frames.append((t, ethernet(ipv4(router, dst, "icmp", icmp_message(3, 1, payload=inner[:28]),
                                        ttl=250))))
        t += 0.1
    return frames


def zmap41(rng, t):
    """ZMap 4.1+: random IP ID, TTL 64, window 65535, three option layouts, TSval = Unix time."""
    frames = []
    layouts = [("203.0.113.20", ["M1460", "N", "W8", "N", "N", "S"]),
               ("203.0.113.21", ["M1460", "S", "T", "N", "W7"]),
               ("203.0.113.22", ["M1460", "N", "W6", "N", "N", "T", "S", "E", "E"])]
    for src, layout in layouts:
        for i in range(20):
            dst = rng.choice(SENSOR)
            frames.append((t, syn(src, dst, rng.randrange(32768, 61001), 52869,
                                  rng.randrange(1 << 32), 64 - 9, rng.randrange(65536), 65535,
                                  tcp_options(layout, tsval=int(t)))))
            t += 0.01
    return frames


def others(rng, t):
    frames = []
    # Masscan from git: window 1025, MSS 1460, the IP ID relation.
    src = "203.0.113.30"
    for i in range(24):
        dst, dport, seq = rng.choice(SENSOR), rng.choice([22, 80, 443, 1433, 445, 3389]), rng.randrange(1 << 32)
        ipid = (u32(dst) ^ dport ^ seq) & 0xFFFF
        frames.append((t, syn(src, dst, 61000, dport, seq, 255 - 14, ipid, 1025,
                              tcp_options(["M1460"]))))
        t += 0.01
    # Unicornscan's Cisco profile: TTL 255, window 4128, MSS only.
    for i in range(10):
        dst = rng.choice(SENSOR)
        frames.append((t, syn("203.0.113.31", dst, 40001, 21 + i, rng.randrange(1 << 32), 240,
                              rng.randrange(65536), 4128, tcp_options(["M536"]))))
        t += 0.01
    # Nmap before 5.59: window 2048, 3072 or 4096 with MSS 1460.
    for i in range(12):
        dst = "198.51.100.9"
        frames.append((t, syn("203.0.113.32", dst, 50123, 100 + i, 0x5EED5EED, 45,
                              rng.randrange(65536), [2048, 3072, 4096][i % 3],
                              tcp_options(["M1460"]))))
        t += 0.01
    # A Windows 10 stack: the same option layout as ZMap 4.1's, but DF, TTL 128, window 64240.
    for i in range(8):
        dst = "198.51.100.10"
        frames.append((t, syn("203.0.113.33", dst, 49700 + i, 445, rng.randrange(1 << 32), 117,
                              rng.randrange(65536), 64240,
                              tcp_options(["M1460", "N", "W8", "N", "N", "S"]), df=True)))
        t += 0.01
    # One packet of ten with ZMap's IP ID and window: chance, not ZMap.
    for i in range(10):
        dst = "198.51.100.11"
        if i == 4:
            frames.append((t, syn("203.0.113.34", dst, 41000 + i, 8080, rng.randrange(1 << 32), 50,
                                  54321, 65535)))
        else:
            frames.append((t, syn("203.0.113.34", dst, 41000 + i, 8080, rng.randrange(1 << 32), 50,
                                  rng.randrange(65536), 29200,
                                  tcp_options(["M1460", "S", "T", "N", "W7"], tsval=123456), df=True)))
        t += 0.5
    # IPv6: an unknown scanner whose SYNs carry a Hop-by-Hop header, and ICMPv6 echo requests.
    for i in range(6):
        src, dst = "2001:db8:66::1", "2001:db8:1::%x" % (i + 1)
        frames.append((t, ethernet(ipv6(src, dst, 6, tcp_segment(
            src, dst, 45000, 22, rng.randrange(1 << 32), 0, "S", 28800, tcp_options(["M1440"])),
            hlim=55, hop_by_hop=i % 2 == 0), ethertype=0x86DD)))
        t += 0.01
    for i in range(4):
        frames.append((t, ethernet(ipv6("2001:db8:77::1", "2001:db8:1::1", 58, icmp_message(
            128, 0, 0x1234, i)), ethertype=0x86DD)))
        t += 0.01
    return frames


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/captures"
    rng = random.Random(20190115)
    traces = {
        "crafted-mirai": mirai(rng, T0),
        "crafted-reflection": reflection(rng, T0 + 3600),
        "crafted-backscatter": backscatter(rng, T0 + 7200),
        "crafted-zmap41": zmap41(rng, T0 + 10800),
        "crafted-misc": others(rng, T0 + 14400),
        # its own generator: the traces above stay byte for byte what they were
        "crafted-rescan": rescans_and_floods(random.Random(20190101), T0 - 14 * 86400),
    }
    for name, frames in traces.items():
        frames.sort(key=lambda f: f[0])
        write_pcap("%s/%s.pcap" % (out, name), frames)
        print("%s: %d packets" % (name, len(frames)))


if __name__ == "__main__":
    main()
