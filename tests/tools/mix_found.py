#!/usr/bin/python3
"""Compares what bench/gen_traffic.c says it wrote (its stdout) with what `scanlens analyze`
found in that capture (summary.json): each tool's SYNs, the reflection victims' SYNs, the
backscatter and the sensor's replies, packet for packet.

    mix_found.py MIX.txt SUMMARY.json

Prints one line, "all N kinds found again" or the kinds that differ (generated, found), and
exits 1 when any differs or the mix has no reflection (the check would then prove nothing
of it). Used by tests/run.sh and bench/run.sh."""
import json
import sys


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[1]) as f:
        mix = {w[0]: int(w[1]) for w in (line.split() for line in f.readlines()[1:]) if w}
    with open(sys.argv[2]) as f:
        d = json.load(f)
    syn = {t["tool"]: t["syn_packets"] for t in d["tools"]}
    found = {
        "masscan": syn["masscan"],
        "zmap": syn["zmap"],
        "mirai": syn["mirai"],
        "nmap": syn["nmap"],
        "os-syn": syn["unknown"],  # the OS stacks' SYNs match no tool's rule
        "reflection": d["reflection"]["syn_packets"],
        "backscatter": d["backscatter"]["packets"],
        "sensor-reply": d["sensor_packets"],
    }
    wrong = {k: (mix[k], found.get(k)) for k in mix if found.get(k) != mix[k]}
    if wrong:
        print("found differently (generated, found):",
              ", ".join(f"{k} {g} {f}" for k, (g, f) in wrong.items()))
    else:
        print(f"all {len(mix)} kinds found again")
    sys.exit(1 if wrong or not mix.get("reflection") else 0)


main()
