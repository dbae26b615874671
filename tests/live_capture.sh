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
