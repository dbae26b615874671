#!/usr/bin/env python3
"""Generates a month of honeypot traffic with a known mix, for the demo and for tests that
check scanlens' figures against what was sent: Masscan (spread over many ports, 1433 and 445
somewhat more, a few sweeping 1,000+ ports), ZMap (concentrated on 52869), Mirai bots (23,
2323), Nmap, ordinary OS connections, a SYN/ACK reflection event late in the month on 23 and
2323, and backscatter. Writes the pcap (gzip if the name ends in .gz) and, with --truth, a JSON
file of what each source is and how many SYN probes each tool sent per day.

usage: gen_month.py OUT.pcap[.gz] [--days N] [--scale X] [--seed N] [--truth FILE]"""
import argparse
import gzip
import json
import random
import struct

from pktbuild import ethernet, ip4, ipv4, tcp_options, tcp_segment

SENSOR = ["198.51.100.%d" % i for i in range(1, 65)]
DAY0 = 1546300800  # 2019-01-01 00:00:00 UTC


def u32(a):
    return int.from_bytes(ip4(a), "big")


def syn(src, dst, sport, dport, seq, ttl, ipid, window, opts=b"", df=False):
    return ethernet(ipv4(src, dst, "tcp", tcp_segment(src, dst, sport, dport, seq, 0, "S", window, opts),
                         ttl=ttl, ipid=ipid, df=df))


class Month:
    def __init__(self, days, scale, seed):
        self.rng = random.Random(seed)
        self.days, self.scale = days, scale
        self.frames = []
        self.truth = {"sources": {}, "syn_per_day": {}}

    def note(self, src, tool, cls, day, n):
        self.truth["sources"].setdefault(src, {"tool": tool, "class": cls})
        per_day = self.truth["syn_per_day"].setdefault(str(day), {})
        key = tool if cls == "scanner" else cls
        per_day[key] = per_day.get(key, 0) + n

    def when(self, day):
        return DAY0 + day * 86400 + self.rng.random() * 86400

    def masscan(self, src, day, n, ports):
        r = self.rng
        sport = r.randrange(40000, 60000)
        for _ in range(n):
            dst, dport, seq = r.choice(SENSOR), r.choice(ports), r.randrange(1 << 32)
            ipid = (u32(dst) ^ dport ^ seq) & 0xFFFF
            self.frames.append((self.when(day), syn(src, dst, sport, dport, seq, 255 - r.randrange(5, 20), ipid, 1024)))
        self.note(src, "masscan", "scanner", day, n)

    def zmap(self, src, day, n, ports):
        r = self.rng
        for _ in range(n):
            dst, dport = r.choice(SENSOR), r.choice(ports)
            self.frames.append((self.when(day), syn(src, dst, r.randrange(32768, 61001), dport,
                                                    r.randrange(1 << 32), 255 - r.randrange(5, 20), 54321, 65535)))
        self.note(src, "zmap", "scanner", day, n)

    def mirai(self, src, day, n):
        r = self.rng
        window, sport = r.randrange(1, 65536), r.randrange(1024, 65536)
        for i in range(n):
            dst = r.choice(SENSOR)
            self.frames.append((self.when(day), syn(src, dst, sport, 23 if r.random() < 0.9 else 2323, u32(dst),
                                                    64 - r.randrange(5, 20), r.randrange(65536), window)))
        self.note(src, "mirai", "scanner", day, n)

    def nmap(self, src, day, n):
        r = self.rng
        seq, sport = r.randrange(1 << 32), r.randrange(1024, 65536)
        dst = r.choice(SENSOR)
        for i in range(n):
            self.frames.append((self.when(day), syn(src, dst, sport, r.randrange(1, 1001), seq, r.randrange(37, 60) - 8,
                                                    r.randrange(65536), 1024, tcp_options(["M1460"]))))
        self.note(src, "nmap", "scanner", day, n)

    def linux(self, src, day, n):
        r = self.rng
        for i in range(n):
            t = self.when(day)
            self.frames.append((t, syn(src, r.choice(SENSOR), r.randrange(32768, 61000), r.choice([22, 80, 443, 8080]),
                                       r.randrange(1 << 32), 64 - r.randrange(5, 20), r.randrange(65536), 64240,
                                       tcp_options(["M1460", "S", "T", "N", "W7"], tsval=r.randrange(1 << 32)), df=True)))
        self.note(src, "unknown", "scanner", day, n)

    def reflection(self, victim, day, n):
        r = self.rng
        dst = r.choice(SENSOR)
        start = self.when(day)
        for i in range(n):
            self.frames.append((start + i * 0.5, syn(victim, dst, 80, 23 if i % 2 else 2323, r.randrange(1 << 32),
                                                     50, r.randrange(65536), r.randrange(1024, 65535))))
        self.note(victim, "unknown", "reflection", day, n)

    def backscatter(self, victim, day, n):
        r = self.rng
        for i in range(n):
            dst = r.choice(SENSOR)
            self.frames.append((self.when(day), ethernet(ipv4(victim, dst, "tcp", tcp_segment(
                victim, dst, 443, r.randrange(1024, 65536), r.randrange(1 << 32), r.randrange(1 << 32), "SA", 29200),
                ttl=52, df=True))))
        self.truth["sources"].setdefault(victim, {"tool": "unknown", "class": "backscatter"})

    def build(self):
        r, s = self.rng, self.scale
        common = [1433, 445, 1433, 445, 22, 23, 80, 443, 3389, 8080, 5900, 3306, 6379, 8443, 2222, 81]
        masscan_srcs = ["192.0.2.%d" % i for i in range(10, 30)]
        zmap_srcs = ["203.0.113.%d" % i for i in range(10, 20)]
        mirai_srcs = ["203.0.113.%d" % i for i in range(100, 160)]
        for day in range(self.days):
            for src in r.sample(masscan_srcs, 8):
                self.masscan(src, day, int(r.randrange(40, 120) * s), common)
            if day % 5 == 0:  # a sweeper of 1,000+ ports
                self.masscan("192.0.2.200", day, int(1500 * s), list(range(1, 20000)))
            for src in r.sample(zmap_srcs, 4):
                self.zmap(src, day, int(r.randrange(10, 40) * s), [52869] * 6 + [80, 8080, 37215, 81])
            for src in r.sample(mirai_srcs, 12):
                self.mirai(src, day, int(r.randrange(5, 20) * s))
            if day % 7 == 3:
                self.nmap("198.18.0.%d" % (day + 1), day, int(100 * s))
            for i in range(20):
                self.linux("198.18.1.%d" % r.randrange(1, 250), day, 1 + r.randrange(3))
            if day >= self.days - 4:
                self.reflection("203.0.113.250", day, int(400 * s))
            self.backscatter("203.0.113.%d" % (200 + day % 10), day, int(30 * s))
            if day >= self.days - 3:  # the anomaly: a full-speed Masscan sweep on the last 3 days
                self.masscan("192.0.2.250", day, int(6000 * s), list(range(1, 65536)))
                self.truth.setdefault("outliers", []).append(["192.0.2.250", day])
        self.frames.sort(key=lambda f: f[0])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--days", type=int, default=31)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=2019)
    ap.add_argument("--truth")
    a = ap.parse_args()
    m = Month(a.days, a.scale, a.seed)
    m.build()
    opener = gzip.open if a.out.endswith(".gz") else open
    with opener(a.out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        for t, data in m.frames:
            sec = int(t)
            f.write(struct.pack("<IIII", sec, int((t - sec) * 1e6), len(data), len(data)) + data)
    if a.truth:
        with open(a.truth, "w") as f:
            json.dump(m.truth, f, indent=1, sort_keys=True)
    print("%s: %d packets" % (a.out, len(m.frames)))


if __name__ == "__main__":
    main()
