#!/bin/bash
# Live capture test: `scanlens capture` on the sensor end of a veth pair (network namespaces
# made here, scripts/lab.sh) while the real zmap and masscan scan it; tcpdump on the same
# interface counts the packets independently. Prints "ok ..." / "FAIL ..." lines; needs root.
# usage: tests/live_capture.sh SCANLENS
set -u
SL=$(realpath "$1")
cd "$(dirname "$0")/.."
work=$(mktemp -d)
. scripts/lab.sh
export LAB_LOG=$work/zmap.log
trap "lab_down; [ -n \"${KEEP:-}\" ] || rm -rf $work" EXIT
trap 'exit 1' INT TERM HUP PIPE
say() { if eval "$2"; then echo "ok $1"; else echo "FAIL $1"; return 1; fi; }
ready() { # ERRFILE: wait until capture says it is capturing (up to 10 s)
    for _ in $(seq 100); do grep -q "capturing on" "$1" 2>/dev/null && return 0; sleep 0.1; done
    return 1
}

if ! lab_up 2>"$work/lab.err"; then
    echo "FAIL network namespaces could be made ($(head -1 "$work/lab.err"))"
    exit 0
fi
ip netns exec "$LAB_SENS" tcpdump -n -U -s 262144 -i sl-t0 -w "$work/ref.pcap" 2>/dev/null &
dump=$!
ip netns exec "$LAB_SENS" "$SL" capture -i sl-t0 --db "$work/live.db" --sensor-name lab --flush 1 \
    -w "$work/raw.pcap" 2>"$work/capture.err" &
cap=$!
ready "$work/capture.err"
sleep 0.5
lab_zmap 80 198.51.100.0/27
lab_masscan 198.51.100.0/28 -p 22,23,80,443,445,1433,3389,8080
sleep 2.5
mv "$work/raw.pcap" "$work/raw-rotated.pcap" # as logrotate would
kill -HUP "$cap"
sleep 1.5
lab_zmap 81 198.51.100.0/30
sleep 1.5
kill -INT "$cap"
wait "$cap"
rc=$?
sleep 0.5
kill -INT "$dump"
wait "$dump" 2>/dev/null
say "capture stops cleanly on SIGINT (exit $rc)" '[ $rc = 0 ]'
say "capture logged the kernel's counts" 'grep -q "packets received" "$work/capture.err"'
"$SL" report --db "$work/live.db" -o "$work/report" >/dev/null 2>"$work/report.err"
field() { awk -F, -v src="$1" -v col="$2" 'NR == 1 { for (i = 1; i <= NF; i++) idx[$i] = i; next } $1 == src { print $idx[col] }' "$work/report/sources.csv"; }
syn_count() { tcpdump -n -r "$work/ref.pcap" "src host $1 and tcp and (tcp[13] & 0x16) == 2" 2>/dev/null | wc -l; }
zmap_syn=$(syn_count 192.0.2.10)
masscan_syn=$(syn_count 192.0.2.11)
say "the history names zmap's source" '[ "$(field 192.0.2.10 tool)" = zmap ]'
say "zmap's SYNs equal tcpdump's count ($zmap_syn; zmap sent 32 + 4)" '[ "$(field 192.0.2.10 syn_packets)" = "$zmap_syn" ] && [ "$zmap_syn" = 36 ]' ||
    grep -v INFO "$LAB_LOG" | tail -5 | sed 's/^/    zmap: /' >&2
say "the history names masscan's source" '[ "$(field 192.0.2.11 tool)" = masscan ]'
say "masscan's SYNs equal tcpdump's count ($masscan_syn; masscan sent 128)" '[ "$(field 192.0.2.11 syn_packets)" = "$masscan_syn" ] && [ "$masscan_syn" = 128 ]'
scanner_packets() { tcpdump -n -r "$1" "tcp and src net 192.0.2.0/24" 2>/dev/null | wc -l; }
raw_total=$(( $(scanner_packets "$work/raw-rotated.pcap") + $(scanner_packets "$work/raw.pcap") ))
say "SIGHUP reopened the -w file after it was moved" '[ -s "$work/raw.pcap" ] && [ "$(tcpdump -n -r "$work/raw.pcap" "tcp dst port 81" 2>/dev/null | wc -l)" = 4 ]'
say "-w kept the scanners' packets: as many as tcpdump saw ($raw_total)" \
    '[ "$raw_total" = "$(scanner_packets "$work/ref.pcap")" ]'
# Killed with -9 between flushes: the history stays consistent and keeps what was flushed.
ip netns exec "$LAB_SENS" "$SL" capture -i sl-t0 --db "$work/kill.db" --flush 1 2>"$work/kill.err" &
cap=$!
ready "$work/kill.err"
sleep 0.5
lab_zmap 80 198.51.100.0/27
sleep 2.5
kill -9 "$cap"
wait "$cap" 2>/dev/null
say "after kill -9 the history passes SQLite's integrity check" '[ "$(sqlite3 "$work/kill.db" "pragma integrity_check")" = ok ]'
"$SL" report --db "$work/kill.db" -o "$work/kill-report" >/dev/null 2>&1
say "after kill -9 the flushed intervals are all there (zmap: 32 SYNs)" \
    '[ "$(awk -F, '"'"'$1 == "192.0.2.10" { print $4 }'"'"' "$work/kill-report/sources.csv")" = 32 ]'
say "capture statistics were stored" '[ "$(sqlite3 "$work/live.db" "select count(*) from capture_stats")" -ge 1 ]'
# A flood of spoofed sources within one interval (290,000 (day, source) records from 600,000
# frames, replayed as they are): past --max-memory the records are written at once, and the
# history still holds every packet capture took.
cc -O2 -std=c17 -o "$work/gen_traffic" bench/gen_traffic.c &&
    "$work/gen_traffic" "$work/flood.pcap" --packets 600000 --sources 10000000 --days 1 >/dev/null
ip netns exec "$LAB_SENS" "$SL" capture -i sl-t0 --db "$work/flood.db" --flush 3600 \
    --max-memory 16 --buffer-size 64 ip 2>"$work/flood.err" &
cap=$!
ready "$work/flood.err"
sleep 0.5
sent=$(ip netns exec "$LAB_SCAN" /usr/bin/python3 tests/tools/replay.py sl-s0 "$work/flood.pcap")
sleep 2 # the ring drained: what the kernel counts as received is then all counted
kill -INT "$cap"
wait "$cap"
rc=$?
say "a flood past --max-memory 16: written before the interval's end (exit $rc)" \
    '[ $rc = 0 ] && grep -q "max-memory 16 reached: writing now" "$work/flood.err"'
taken=$(sed -n 's/.*: \([0-9]*\) packets received, \([0-9]*\) dropped by the kernel.*/\1 \2/p' "$work/flood.err" | tail -1)
"$SL" report --db "$work/flood.db" -o "$work/flood-report" >/dev/null 2>&1
stored=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["packets"])' "$work/flood-report/summary.json" 2>/dev/null)
say "... and the history holds every packet capture took ($stored of $sent sent; received, dropped: $taken)" \
    '[ -n "$taken" ] && [ "$stored" = "$(( ${taken% *} - ${taken#* } ))" ]'
