#!/bin/sh
# Makes the ground-truth captures in tests/captures/ by running the real scanners from
# Debian (zmap, masscan, nmap, hping3) and the Linux TCP stack against a sensor that lives in
# network namespaces this script creates. Nothing leaves the machine: the targets are
# 198.51.100.0/24 (TEST-NET-2), local to the sensor namespace; the scanners sit at
# 192.0.2.0/24 (TEST-NET-1) on the other end of a veth pair.
#
# Run as root: sh scripts/make-captures.sh [OUTDIR]   (default tests/captures)
# Each tool runs from its own source address, so each capture's expected verdicts are known
# by construction; they are written down by hand in tests/golden/expected-verdicts.txt.
set -eu
for tool in zmap masscan nmap hping3 tcpdump curl python3 ip; do
    command -v "$tool" >/dev/null || { echo "make-captures: needs $tool (apt-get install zmap masscan nmap hping3 tcpdump curl iproute2)" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "make-captures: run as root (it creates network namespaces)" >&2; exit 1; }
out=${1:-tests/captures}
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
. "$(dirname "$0")/lab.sh"
SCAN=$LAB_SCAN
SENS=$LAB_SENS
GW_MAC=$LAB_GW_MAC
trap 'lab_down; rm -rf "$work"' EXIT
trap 'exit 1' INT TERM HUP PIPE
lab_up

# The sensor: something listening on 80/tcp, so that some probes get a SYN/ACK.
ip netns exec $SENS python3 -c '
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 80)); s.listen(64); time.sleep(600)' &
sleep 0.5

: > "$work/empty"
capture() { # NAME COMMAND...: capture on the sensor side while COMMAND runs in the scanner ns
    name=$1
    shift
    ip netns exec $SENS tcpdump -q -n -U -s 262144 -i sl-t0 -w "$work/$name.pcap" 2>/dev/null &
    dump=$!
    sleep 1
    ip netns exec $SCAN "$@" >/dev/null 2>&1 || echo "warning: $name: $* exited non-zero" >&2
    sleep 1.5
    kill -INT $dump
    wait $dump 2>/dev/null || true
    cp "$work/$name.pcap" "$out/$name.pcap"
    echo "$name: $(tcpdump -n -r "$out/$name.pcap" 2>/dev/null | wc -l) packets"
}

capture real-zmap-syn zmap -q -p 80 -i sl-s0 -G $GW_MAC -S 192.0.2.10 -r 200 -C "$work/empty" \
    -b "$work/empty" -o /dev/null -c 1 198.51.100.0/27
capture real-zmap-icmp zmap -q -M icmp_echoscan -i sl-s0 -G $GW_MAC -S 192.0.2.10 -r 200 \
    -C "$work/empty" -b "$work/empty" -o /dev/null -c 1 198.51.100.0/28
capture real-zmap-udp zmap -q -M udp -p 53 --probe-args=text:scanlens -i sl-s0 -G $GW_MAC \
    -S 192.0.2.10 -r 200 -C "$work/empty" -b "$work/empty" -o /dev/null -c 1 198.51.100.0/28
capture real-masscan-syn masscan 198.51.100.0/28 -p 22,23,80,443,445,1433,3389,8080 \
    --rate 500 --adapter sl-s0 --adapter-ip 192.0.2.11 --router-mac $GW_MAC --wait 1
capture real-masscan-udp masscan 198.51.100.0/28 -pU:53,123,161,1900,5060 \
    --rate 500 --adapter sl-s0 --adapter-ip 192.0.2.11 --router-mac $GW_MAC --wait 1
capture real-nmap-syn nmap -n -Pn -sS -e sl-s0 -S 192.0.2.12 -p 21-25,80,443,8080 --max-retries 0 \
    198.51.100.20-23
capture real-hping3-syn hping3 -q -S -p 23 -c 12 -i u20000 -a 192.0.2.13 198.51.100.30
# The Linux stack: connect() from an ordinary program, and nmap's connect scan.
capture real-linux-connect sh -c 'for p in 22 23 80 8080; do
    timeout 1 curl -s --interface 192.0.2.14 http://198.51.100.40:$p/ || true; done'
capture real-nmap-connect nmap -n -Pn -sT -S 192.0.2.15 -e sl-s0 -p 21-25,80 --max-retries 0 198.51.100.41
echo "captures written to $out"
