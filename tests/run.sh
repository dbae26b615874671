#!/bin/bash
# scanlens test suite: unit tests, golden verdicts on real and crafted captures, format
# variants, the broken-capture corpus and the command line, all on the sanitizer build.
# Ends with the line "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
SL=${SCANLENS:-build/san/scanlens}
CAP=tests/captures
SHARED=${SHARED_DATA:-../shared/data/esnet-curated-pcaps}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1
passed=0 failed=0 skipped=0

pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }
skip() { skipped=$((skipped + 1)); echo "skip: $*"; }
check() { # DESCRIPTION CONDITION...
    local what=$1; shift
    if "$@"; then pass; else fail "$what"; fi
}

# Runs scanlens; stdout to $T/out, stderr to $T/err, status in $rc. A sanitizer report fails.
run() {
    "$SL" "$@" >"$T/out" 2>"$T/err"
    rc=$?
    if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$T/err"; then
        fail "sanitizer report from: scanlens $*"
        sed 's/^/    /' "$T/err" | head -30
    fi
}

# The value of COLUMN for SOURCE in a sources.csv.
csv_field() { # FILE SOURCE COLUMN
    awk -F, -v src="$2" -v col="$3" 'NR == 1 { for (i = 1; i <= NF; i++) idx[$i] = i; next }
        $1 == src { print $idx[col]; found = 1 } END { if (!found) print "(absent)" }' "$1"
}

trim() { printf '%s' "$1" | sed 's/^ *//; s/ *$//'; }

json_get() { # FILE PYTHON-EXPRESSION-ON-d
    python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"
}

echo "== unit tests"
for t in build/san/tests/test_*; do
    [ -x "$t" ] || continue
    "$t" >"$T/unit" 2>&1
    urc=$?
    p=$(grep -c '^ok ' "$T/unit")
    f=$(grep -c '^FAIL ' "$T/unit")
    passed=$((passed + p)); failed=$((failed + f))
    grep '^FAIL ' "$T/unit"
    if [ $urc -ne 0 ] && [ "$f" -eq 0 ]; then fail "$t exited $urc"; sed 's/^/    /' "$T/unit" | tail -20; fi
done

echo "== fuzzing (a few seconds per parser)"
mkdir -p "$T/corpus-capture" "$T/corpus-rules" "$T/corpus-decode"
cp "$CAP"/real-*.pcap "$CAP"/crafted-misc.pcap "$CAP"/variants/multi.pcapng "$CAP"/variants/ethernet.pcap.* \
    tests/malformed/*.pcap* "$T/corpus-capture/"
cp data/fingerprints.conf "$T/corpus-rules/"
for target in capture rules decode; do
    bin=build/fuzz/fuzz_$target
    if [ -x "$bin" ]; then
        "$bin" -max_total_time="${FUZZ_SECONDS:-8}" -max_len=65536 "$T/corpus-$target" >"$T/fuzz-$target.log" 2>&1
        frc=$?
        check "fuzz_$target: no crash or sanitizer report in ${FUZZ_SECONDS:-8} s ($(grep -o 'Done [0-9]* runs' "$T/fuzz-$target.log"))" [ "$frc" = 0 ]
        [ "$frc" = 0 ] || tail -30 "$T/fuzz-$target.log"
    else
        fail "fuzz_$target was not built (needs clang and libclang-rt-14-dev)"
    fi
done

echo "== golden verdicts"
tcpdump_count() { # FILE SOURCE KIND
    local expr
    case $3 in
    syn) expr="src host $2 and tcp and (tcp[13] & 0x16) == 2" ;;
    udp) expr="src host $2 and udp" ;;
    esac
    # the ESnet captures carry 802.1Q tags, which a tcpdump filter must name
    tcpdump -n -r "$1" "($expr) or (vlan and $expr)" 2>/dev/null | wc -l
}
while read -r capture src tool class syn udp icmp _; do
    case $capture in ''|'#'*) continue ;; esac
    file=$CAP/$capture
    if [ "${capture#shared:}" != "$capture" ]; then
        file=$SHARED/${capture#shared:}
        [ -f "$file" ] || { skip "$capture (no shared data here)"; continue; }
    fi
    [ "$syn" = tcpdump ] && syn=$(tcpdump_count "$file" "$src" syn)
    [ "$udp" = tcpdump ] && udp=$(tcpdump_count "$file" "$src" udp)
    out=$T/golden-$(basename "$file")
    [ -f "$out/sources.csv" ] || run analyze -q -o "$out" "$file"
    got="$(csv_field "$out/sources.csv" "$src" tool) $(csv_field "$out/sources.csv" "$src" class)"
    got="$got $(csv_field "$out/sources.csv" "$src" syn_packets) $(csv_field "$out/sources.csv" "$src" udp_packets)"
    got="$got $(csv_field "$out/sources.csv" "$src" icmp_packets)"
    want="$tool $class $syn $udp $icmp"
    check "$capture $src: want '$want', got '$got'" [ "$got" = "$want" ]
done <tests/golden/expected-verdicts.txt

echo "== a generated month against what the generator sent"
run analyze -q -o "$T/month" "$CAP/demo-month.pcap.gz"
check "demo month: exit 0" [ "$rc" = 0 ]
python3 - "$CAP/demo-month.truth.json" "$T/month/summary.json" "$T/month/sources.csv" >"$T/month.check" <<'PY'
import csv, json, sys
truth, summary = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
sent = {}
for day in truth["syn_per_day"].values():
    for key, n in day.items():
        sent[key] = sent.get(key, 0) + n
got = {t["tool"]: t["syn_packets"] for t in summary["tools"]}
for tool in ("masscan", "zmap", "mirai", "nmap", "unknown"):
    print("ok" if got.get(tool) == sent.get(tool) else "FAIL", "SYN packets of", tool, got.get(tool), sent.get(tool))
print("ok" if summary["reflection"]["syn_packets"] == sent["reflection"] else "FAIL", "reflection SYNs")
rows = {r["src"]: r for r in csv.DictReader(open(sys.argv[3]))}
wrong = [s for s, t in truth["sources"].items() if (rows[s]["tool"], rows[s]["class"]) != (t["tool"], t["class"])]
print("ok" if not wrong else "FAIL", "every generated source has its tool and class", wrong[:5])
PY
while read -r verdict what; do check "demo month: $what" [ "$verdict" = ok ]; done <"$T/month.check"

echo "== the report"
# Two crafted captures of 2019-01-15 (UTC), counted by hand: zmap 60 SYNs on 52869, masscan 24,
# nmap 12 (ports 100-111, one each), unicornscan 10, unknown 24 (8 + 10 + 6 IPv6): 130 in all.
run analyze -q -o "$T/small" "$CAP/crafted-misc.pcap" "$CAP/crafted-zmap41.pcap"
daily_row() { grep "^$2,$3," "$1/daily.csv" | cut -d, -f3-; }
check "daily.csv: zmap 60 SYNs, 3 sources, share 60/130" [ "$(daily_row "$T/small" 2019-01-15 zmap)" = "60,3,0.461538" ]
check "daily.csv: masscan 24 SYNs, 1 source, share 24/130" [ "$(daily_row "$T/small" 2019-01-15 masscan)" = "24,1,0.184615" ]
check "daily.csv: unknown 24 SYNs from 3 sources" [ "$(daily_row "$T/small" 2019-01-15 unknown)" = "24,3,0.184615" ]
check "ports.csv: zmap 60 on 52869/tcp" grep -qx "2019-01-15,zmap,52869,60" "$T/small/ports.csv"
check "ports.csv: nmap 1 on port 100" grep -qx "2019-01-15,nmap,100,1" "$T/small/ports.csv"
for f in report.html fig1-daily-share.svg fig2-ports-zmap.svg fig2-ports-masscan.svg fig3-zmap-vs-masscan.svg daily.csv ports.csv; do
    check "report file $f written" [ -s "$T/small/$f" ]
done
check "report.html is self-contained (no external references)" \
    sh -c "! grep -Eq '(src|href)=\"(https?:)?//' '$T/small/report.html' && ! grep -q '<script' '$T/small/report.html'"
check "terminal findings compare the tools" grep -q "zmap sent 2.5x the SYN packets of masscan from 3.0x the sources" "$T/out"

# Time zones: Mirai's trace is at 2019-01-15 00:00 UTC, which is the 14th in New York.
run analyze -q -o "$T/tz" --tz America/New_York "$CAP/crafted-mirai.pcap"
check "--tz America/New_York moves 00:00 UTC to the day before" [ "$(sed 1d "$T/tz/daily.csv" | cut -d, -f1 | sort -u)" = 2019-01-14 ]
run analyze -q --tz Mars/Olympus "$CAP/crafted-mirai.pcap"
check "--tz with an unknown zone: exit 2" [ "$rc" = 2 ]

# The research rule, counted by hand: masscan sent 128 SYNs to 8 ports in one day.
run analyze -q -o "$T/r1" --research-packets 100 --research-ports 8 "$CAP/real-masscan-syn.pcap"
check "research rule met at 100 packets / 8 ports" [ "$(csv_field "$T/r1/sources.csv" 192.0.2.11 research_days)" = 1 ]
run analyze -q -o "$T/r2" --research-packets 100 --research-ports 9 "$CAP/real-masscan-syn.pcap"
check "research rule not met at 9 ports" [ "$(csv_field "$T/r2/sources.csv" 192.0.2.11 research_days)" = 0 ]
run analyze -q -o "$T/r3" --sensor-size 300 --research-ports 8 "$CAP/real-masscan-syn.pcap"
check "--sensor-size 300 scales 300,000 packets to 300" [ "$(json_get "$T/r3/summary.json" 'd["settings"]["research_min_packets"]')" = 300 ]
check "... which 128 SYNs do not reach" [ "$(csv_field "$T/r3/sources.csv" 192.0.2.11 research_days)" = 0 ]

# Known scanners and manual exclusion.
printf '192.0.2.0/24,Example Research,research\n' >"$T/known.csv"
printf '192.0.2.12/32,Nmap Lab,benign\n' >>"$T/known.csv"
run analyze -q -o "$T/k" --known "$T/known.csv" "$CAP/real-masscan-syn.pcap" "$CAP/real-nmap-syn.pcap"
check "--known: a source in a listed /24" [ "$(csv_field "$T/k/sources.csv" 192.0.2.11 known_org)" = "Example Research" ]
check "--known: the most specific entry wins" [ "$(csv_field "$T/k/sources.csv" 192.0.2.12 known_label)" = benign ]
printf '192.0.2.0/24,Org,friendly\n' >"$T/bad-known.csv"
run analyze -q --known "$T/bad-known.csv" "$CAP/real-masscan-syn.pcap"
check "--known with a bad label: exit 2 naming the line" sh -c "[ $rc = 2 ] && grep -q 'bad-known.csv:1:' '$T/err'"
run analyze -q -o "$T/x" --exclude 192.0.2.11 "$CAP/real-masscan-syn.pcap" "$CAP/real-nmap-syn.pcap"
check "--exclude ADDR leaves it out" [ "$(csv_field "$T/x/sources.csv" 192.0.2.11 tool)" = "(absent)" ]
run analyze -q -o "$T/x2" --exclude 203.0.113.30@2019-01-14 "$CAP/crafted-misc.pcap"
check "--exclude ADDR@DAY on another day keeps it" [ "$(csv_field "$T/x2/sources.csv" 203.0.113.30 tool)" = masscan ]
run analyze -q --exclude 1.2.3.4@2019-13-01 "$CAP/crafted-misc.pcap"
check "--exclude with a bad day: exit 2" [ "$rc" = 2 ]

# The generated month: every day's figures against what the generator sent.
python3 - "$CAP/demo-month.truth.json" "$T/month" >"$T/month2.check" <<'PY'
import csv, json, sys
truth, out = json.load(open(sys.argv[1])), sys.argv[2]
rows = list(csv.DictReader(open(out + "/daily.csv")))
bad = []
for r in rows:
    day = (int(r["date"][8:]) - 1)  # the month starts 2019-01-01
    want = truth["syn_per_day"].get(str(day), {}).get(r["tool"], 0)
    if int(r["syn_packets"]) != want:
        bad.append((r["date"], r["tool"], r["syn_packets"], want))
print("ok" if rows and not bad else "FAIL", "daily.csv equals the generator's count for every day and tool", bad[:3])
days = {}
for r in rows:
    days.setdefault(r["date"], []).append(float(r["share"]))
print("ok" if all(abs(sum(v) - 1) < 1e-4 for v in days.values()) else "FAIL", "each day's shares add up to 1")
summary = json.load(open(out + "/summary.json"))
found = sorted([o["src"], int(o["day"][8:]) - 1] for o in summary["outliers"])
print("ok" if found == sorted(truth["outliers"]) else "FAIL", "outliers are exactly the planted anomaly", found)
PY
while read -r verdict what; do check "demo month: $what" [ "$verdict" = ok ]; done <"$T/month2.check"
run analyze -q -o "$T/month-x" --exclude-outliers "$CAP/demo-month.pcap.gz"
anomaly=$(python3 -c 'import json,sys; t=json.load(open(sys.argv[1])); print(sum(t["syn_per_day"][str(d)]["masscan"] for d in range(31)))' "$CAP/demo-month.truth.json")
check "--exclude-outliers: the anomaly's source is gone" [ "$(csv_field "$T/month-x/sources.csv" 192.0.2.250 tool)" = "(absent)" ]
check "--exclude-outliers: masscan loses exactly the anomaly's SYNs" \
    [ "$(json_get "$T/month-x/summary.json" '[t["syn_packets"] for t in d["tools"] if t["tool"]=="masscan"][0]')" = \
      "$(($(json_get "$T/month/summary.json" '[t["syn_packets"] for t in d["tools"] if t["tool"]=="masscan"][0]') - $(json_get "$T/month/summary.json" 'sum(o["syn_packets"] for o in d["outliers"])')))" ]
run analyze -q -o "$T/period" --from 2019-01-10 --to 2019-01-12 "$CAP/demo-month.pcap.gz"
check "--from/--to: three days in daily.csv" [ "$(cut -d, -f1 "$T/period/daily.csv" | sed 1d | sort -u | tr '\n' ' ')" = "2019-01-10 2019-01-11 2019-01-12 " ]
check "--from after --to: exit 2" sh -c "'$SL' analyze -q --from 2019-01-12 --to 2019-01-10 '$CAP/demo-month.pcap.gz' >/dev/null 2>&1; [ \$? = 2 ]"

# The report in a real browser: every figure drew.
if command -v chromium >/dev/null; then
    python3 tests/tools/render_check.py "$T/month/report.html" 6 >"$T/render"
    while read -r verdict what; do check "browser: $what" [ "$verdict" = ok ]; done <"$T/render"
else
    fail "chromium is not installed (scripts/install-deps.sh installs it)"
fi

echo "== the history"
# The report from a history equals analyze on the same captures, figure for figure, however the
# captures were ingested: in one go, in pieces, twice, split inside a day, concurrently.
same_report() { # DIR-A DIR-B: the same figures (summary.json without the inputs and the cap)
    for f in daily.csv ports.csv sources.csv; do cmp -s "$1/$f" "$2/$f" || return 1; done
    python3 -c 'import json,sys
a, b = (json.load(open(p + "/summary.json")) for p in sys.argv[1:3])
for d in (a, b): d.pop("inputs"), d.pop("memory_cap")
sys.exit(a != b)' "$1" "$2"
}
# Under --max-memory 30 the 1.2 M-packet capture (made below) is cut off on its second day:
# the message names that day, summary.json says the same, and the first day is whole, its
# daily.csv rows those of WHOLE. Checks of a run whose output is in DIR. LABEL names them.
check_cut_on_day_two() { # LABEL DIR WHOLE
    refused=$(sed -n 's/.*--max-memory 30 reached: \([0-9]*\) packets.* from \([0-9-]*\) on;.*/\1 \2/p' "$T/err")
    check "$1: the message names the first day left out ($refused)" [ "${refused#* }" = 2019-01-02 ]
    check "... summary.json says the same" [ "$(json_get "$2/summary.json" \
        'str(d["memory_cap"]["packets_left_out"]) + " " + d["memory_cap"]["first_day_left_out"]')" = "$refused" ]
    check "... the day before it is counted whole: its daily.csv rows are those of the whole run" \
        sh -c "grep ^2019-01-01 '$2/daily.csv' >'$2.day1' && [ -s '$2.day1' ] && grep ^2019-01-01 '$3/daily.csv' | cmp -s - '$2.day1'"
}
H=$T/hist
mkdir -p "$H"
run analyze -q -o "$H/direct" "$CAP/demo-month.pcap.gz" "$CAP/crafted-misc.pcap"
run ingest -q --db "$H/one.db" "$CAP/demo-month.pcap.gz" "$CAP/crafted-misc.pcap"
check "ingest: exit 0" [ "$rc" = 0 ]
run report --db "$H/one.db" -o "$H/one"
check "report from the history equals analyze (ingested in one go)" same_report "$H/direct" "$H/one"
check "... its summary says the sensor was inferred without pointing to --sensor (a name there)" \
    sh -c "grep -q '^Sensor addresses inferred: ' '$T/out' && ! grep -q 'no --sensor given' '$T/out'"
check "... and lists the ingested files with their packets" \
    [ "$(json_get "$H/one/summary.json" 'sorted(i["packets"] for i in d["inputs"])')" = "[74, 30004]" ]
run ingest -q --db "$H/pieces.db" "$CAP/crafted-misc.pcap"
run ingest -q --db "$H/pieces.db" "$CAP/demo-month.pcap.gz"
run report --db "$H/pieces.db" -o "$H/pieces"
check "... ingested in two runs" same_report "$H/direct" "$H/pieces"
run ingest --db "$H/pieces.db" "$CAP/demo-month.pcap.gz"
check "ingesting a file again: skipped, said so" sh -c "[ $rc = 0 ] && grep -q 'already in the history' '$T/err'"
cp "$CAP/crafted-misc.pcap" "$H/renamed.pcap"
run ingest --db "$H/pieces.db" "$H/renamed.pcap"
check "the same content under another name: skipped" grep -q 'already in the history' "$T/err"
run report --db "$H/pieces.db" -o "$H/twice"
check "... and ingested twice" same_report "$H/direct" "$H/twice"
zcat "$CAP/demo-month.pcap.gz" >"$H/month.pcap"
editcap -c 7001 "$H/month.pcap" "$H/chunk.pcap" >/dev/null 2>&1 # cuts fall inside days
run ingest -q --db "$H/chunks.db" "$H"/chunk_*.pcap "$CAP/crafted-misc.pcap"
run report --db "$H/chunks.db" -o "$H/chunks"
check "... split into $(ls "$H"/chunk_*.pcap | wc -l) files cut inside days" same_report "$H/direct" "$H/chunks"
# files are written in batches (one transaction each); with batches of 64 KiB the chunks take
# several, whose days meet, so rows of a day are merged into from one batch to the next
SCANLENS_DEBUG=1 SCANLENS_INGEST_BATCH_KIB=64 run ingest --db "$H/batches.db" "$H"/chunk_*.pcap "$CAP/crafted-misc.pcap"
batches=$(grep -c 'committed: [0-9]* file' "$T/err")
recorded=$(grep -c ': recorded [0-9]* packets' "$T/err")
run report --db "$H/batches.db" -o "$H/batches"
check "... written in $batches batches of 64 KiB ($recorded files said recorded): the same report" \
    same_report "$H/direct" "$H/batches"
check "... which were several" [ "$batches" -ge 3 -a "$recorded" = "$(ls "$H"/chunk_*.pcap | wc -l | awk '{print $1 + 1}')" ]
"$SL" ingest -q --db "$H/para.db" "$H"/chunk_0000[024]*.pcap "$CAP/crafted-misc.pcap" 2>"$H/p1.err" &
"$SL" ingest -q --db "$H/para.db" "$H"/chunk_0000[13]*.pcap 2>"$H/p2.err" &
wait
run report --db "$H/para.db" -o "$H/para"
check "... by two processes at once" same_report "$H/direct" "$H/para"
check "... neither calling the other's work interrupted" sh -c "! grep -q interrupted '$H/p1.err' '$H/p2.err'"
check "a new history has 16 KiB pages" [ "$(sqlite3 "$H/one.db" 'pragma page_size')" = 16384 ]
check "the history is plain SQLite: the sqlite3 shell reads it" \
    [ "$(sqlite3 "$H/one.db" "select sum(syn) from source_day_text where src = '192.0.2.250'")" = 9000 ]

# Several sensors: two histories' worth in one file, compared.
run ingest -q --db "$H/multi.db" --sensor-name tokyo "$CAP/real-zmap-syn.pcap"
run ingest -q --db "$H/multi.db" --sensor-name osaka "$CAP/real-masscan-syn.pcap"
run report --db "$H/multi.db" -o "$H/multi"
check "two sensors: sensors.csv has zmap at tokyo (32 SYNs)" grep -q '^tokyo,zmap,32,1.000000,1,80$' "$H/multi/sensors.csv"
check "two sensors: and masscan at osaka (128)" grep -q '^osaka,masscan,128,1.000000,1,' "$H/multi/sensors.csv"
check "every source-day row names a sensor there is (SQLite's foreign_key_check, on two histories)" \
    sh -c "[ -z \"\$(sqlite3 '$H/multi.db' 'pragma foreign_key_check')\$(sqlite3 '$H/para.db' 'pragma foreign_key_check')\" ] && [ \"\$(sqlite3 '$H/multi.db' 'select count(distinct sensor_id) from source_day')\" = 2 ]"
run report --db "$H/multi.db" --sensor tokyo -o "$H/tokyo"
check "--sensor tokyo: only tokyo's sources" sh -c "[ \"\$(sed 1d '$H/tokyo/sources.csv' | grep -c ',scanner,')\" = 1 ]"
run report --db "$H/multi.db" --sensor-name tokyo -o "$H/tokyo-named"
check "--sensor-name tokyo (as ingest names it): the same report as --sensor tokyo" same_report "$H/tokyo" "$H/tokyo-named"
run report --db "$H/multi.db" --sensor nowhere
check "an unknown sensor: exit 2" [ "$rc" = 2 ]
run report --db "$H/missing.db"
check "report on a missing history: exit 1" sh -c "[ $rc = 1 ] && grep -q 'no history there' '$T/err'"
run ingest -q --db "$H/one.db" --tz Asia/Tokyo "$CAP/crafted-misc.pcap"
check "a history keeps its time zone" sh -c "[ $rc = 1 ] && grep -q 'counts days in UTC' '$T/err'"

# Damage and contention.
head -c 8192 /dev/urandom >"$H/corrupt.db"
run ingest -q --db "$H/corrupt.db" "$CAP/crafted-misc.pcap"
check "a corrupt history: exit 1 naming it" sh -c "[ $rc = 1 ] && grep -q 'corrupt.db' '$T/err'"
check "... and left as it was" [ "$(stat -c %s "$H/corrupt.db")" = 8192 ]
sqlite3 "$H/other.db" "create table t(x)"
run ingest -q --db "$H/other.db" "$CAP/crafted-misc.pcap"
check "an SQLite file that is not a history: refused" sh -c "[ $rc = 1 ] && grep -q 'not a scanlens history' '$T/err'"
python3 -c 'import sqlite3, time, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None); c.execute("BEGIN IMMEDIATE"); time.sleep(4)' "$H/one.db" &
sleep 1
SCANLENS_LOCK_TIMEOUT_MS=500 run ingest -q --db "$H/one.db" "$CAP/real-zmap-syn.pcap"
check "a history locked by another process: exit 1, said so" sh -c "[ $rc = 1 ] && grep -q 'locked by another process' '$T/err'"
wait
mkdir -p "$H/ro"
if mount -t tmpfs -o size=64m tmpfs "$H/ro" 2>/dev/null; then
    "$SL" ingest -q --db "$H/ro/h.db" "$CAP/crafted-misc.pcap" 2>/dev/null
    mount -o remount,ro "$H/ro"
    run ingest -q --db "$H/ro/h.db" "$CAP/real-zmap-syn.pcap"
    check "a read-only history: exit 1, said so" sh -c "[ $rc = 1 ] && grep -qi 'read-only\|readonly\|unable to open' '$T/err'"
    run report --db "$H/ro/h.db" -o "$H/ro-report"
    check "... which can still be reported" [ "$rc" = 0 ]
    umount "$H/ro"
    mount -t tmpfs -o size=400k tmpfs "$H/ro"
    run ingest -q --db "$H/ro/full.db" "$CAP/crafted-misc.pcap"
    run report --db "$H/ro/full.db" -o "$H/before-full"
    run ingest -q --db "$H/ro/full.db" "$CAP/demo-month.pcap.gz"
    check "disk full during ingest: exit 1, said so" sh -c "[ $rc = 1 ] && grep -qi 'disk full\|full' '$T/err'"
    run report --db "$H/ro/full.db" -o "$H/after-full"
    check "... and the history holds exactly what it held before" same_report "$H/before-full" "$H/after-full"
    umount "$H/ro"
else
    skip "read-only and disk-full history tests (cannot mount a tmpfs here)"
fi

# Killed at random points during ingest: the next run says so and completes the file.
"$SL" analyze -q -o "$H/kill-direct" "$H/month.pcap" >/dev/null 2>&1
for delay in 0.05 0.15 0.3 0.6; do
    rm -f "$H/kill.db"*
    "$SL" ingest -q --db "$H/kill.db" "$H/month.pcap" 2>/dev/null &
    pid=$!
    sleep "$delay"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    run ingest --db "$H/kill.db" "$H/month.pcap"
    run report --db "$H/kill.db" -o "$H/kill"
    check "killed after ${delay}s: re-ingest completes it, no double counts" same_report "$H/kill-direct" "$H/kill"
done

echo "== live capture"
run capture --help
check "capture --help exits 0 with usage" sh -c "[ $rc = 0 ] && grep -q '^usage: scanlens capture' '$T/out'"
run capture --db "$T/x.db"
check "capture without -i: exit 2" [ "$rc" = 2 ]
run capture -i no-such-interface0 --db "$T/live-bad.db"
check "capture on a missing interface: exit 1 naming it" sh -c "[ $rc = 1 ] && grep -q 'no-such-interface0' '$T/err'"
if [ "$(id -u)" = 0 ] && command -v ip >/dev/null && command -v zmap >/dev/null && command -v masscan >/dev/null; then
    bash tests/live_capture.sh "$SL" >"$T/live"
    while read -r verdict what; do check "live: $what" [ "$verdict" = ok ]; done <"$T/live"
else
    skip "live capture test (needs root, iproute2, zmap and masscan)"
fi

echo "== reading with several threads"
run analyze -q -j 3 -o "$T/j3" "$CAP"/real-*.pcap "$CAP"/crafted-*.pcap
run analyze -q -j 1 -o "$T/j1" "$CAP"/real-*.pcap "$CAP"/crafted-*.pcap
check "-j 3 over many files: the same report as one thread" same_report "$T/j1" "$T/j3"
cc -O2 -std=c17 -o "$T/gen_traffic" bench/gen_traffic.c && "$T/gen_traffic" "$T/big.pcap" --packets 1200000 --sources 200000 --days 3 >"$T/big-mix.txt"
run analyze -q -j 1 -o "$T/big1" "$T/big.pcap"
cp "$T/out" "$T/big1.out"
# the generator prints what it wrote: each tool's SYNs, the reflection victims' SYNs, the
# backscatter and the sensor's replies must be found again, packet for packet
python3 tests/tools/mix_found.py "$T/big-mix.txt" "$T/big1/summary.json" >"$T/mix-found"
found=$?
check "bench/gen_traffic's month: every kind the generator wrote found again, packet for packet ($(cat "$T/mix-found"))" \
    [ "$found" = 0 ]
run analyze -q -j 2 -o "$T/big2" "$T/big.pcap"
check "-j 2 within one large pcap (cut at record boundaries): the same report" same_report "$T/big1" "$T/big2"
check "... which counts every packet" [ "$(json_get "$T/big2/summary.json" 'd["packets"]')" = 1200000 ]
check "... and prints the same summary, the inferred sensor's lowest addresses first" sh -c \
    "cmp -s '$T/out' '$T/big1.out' && grep -q 'received probes: 198.51.100.1, 198.51.100.2, 198.51.100.3, ...' '$T/out'"
# compressed, the same pcap is decompressed on a thread of its own beside the reading one
gzip -1 -c "$T/big.pcap" >"$T/big.pcap.gz"
zstd -q -1 -c "$T/big.pcap" >"$T/big.pcap.zst"
pzstd -q -p 2 -c "$T/big.pcap" >"$T/big.pcap.pzst" # frames each after a skippable frame
half=$(($(stat -c %s "$T/big.pcap") / 2)) # xz and bzip2 of two streams, cut mid-record
{ head -c $half "$T/big.pcap" | xz -0 -T2; tail -c +$((half + 1)) "$T/big.pcap" | xz -0 -T2; } >"$T/big.pcap.xz"
{ head -c $half "$T/big.pcap" | bzip2 -1; tail -c +$((half + 1)) "$T/big.pcap" | bzip2 -1; } >"$T/big.pcap.bz2"
for z in gz zst pzst xz bz2; do
    run analyze -q -o "$T/big-$z" "$T/big.pcap.$z"
    same=no
    [ "$rc" = 0 ] && same_report "$T/big1" "$T/big-$z" && same=yes
    check "the same pcap as .$z (decompressed ahead by a thread): exit $rc, the same report" \
        [ "$same" = yes ]
    head -c 5000000 "$T/big.pcap.$z" >"$T/big-cut.pcap.$z"
    run analyze -q "$T/big-cut.pcap.$z"
    named=no
    [ "$rc" = 3 ] && grep -q "big-cut.pcap.$z: .* data ends early" "$T/err" && named=yes
    check ".$z cut short: exit $rc (3), naming the file and the cut" [ "$named" = yes ]
done
# the same capture as a sensor keeps it, in hourly files: -j 2 gives each thread a run of
# them (util/lanes.h), and the same report
mkdir -p "$T/hourly"
editcap -F pcap -i 3600 "$T/big.pcap" "$T/hourly/h.pcap" >/dev/null 2>&1
run analyze -q -j 2 -o "$T/big-hourly" "$T/hourly"/*.pcap
check "-j 2 over the capture in $(ls "$T/hourly" | wc -l) hourly files: the same report" \
    same_report "$T/big1" "$T/big-hourly"
run ingest -q -j 2 --db "$T/big.db" "$T/big.pcap"
run report --db "$T/big.db" -o "$T/bigdb"
check "ingest -j 2 of that pcap: the history's report is analyze's" same_report "$T/big1" "$T/bigdb"
# ingest under a cap writes a file's records each time they fill it, in the file's one
# transaction: the history is the same as when they are all held (one and two threads)
for j in 1 2; do
    SCANLENS_DEBUG=1 run ingest -j $j --max-memory 16 --db "$T/big-spilled$j.db" "$T/big.pcap"
    spills=$(grep -c 'spilled [0-9]* records to the history' "$T/err")
    check "ingest -j $j --max-memory 16: exit 0, the records written in parts ($spills) as the cap filled" \
        sh -c "[ $rc = 0 ] && [ $spills -ge 2 ] && grep -q 'recorded 1200000 packets (written in' '$T/err'"
    run report --db "$T/big-spilled$j.db" -o "$T/bigdb-spilled$j"
    check "... and the history's report is the one of the file ingested whole" same_report "$T/bigdb" "$T/bigdb-spilled$j"
done
# two sensors under a cap: the comparison's own loads are capped too, and it is still shown
cp "$T/big.db" "$T/big2s.db"
"$SL" ingest -q --db "$T/big2s.db" --sensor-name other "$CAP/demo-month.pcap.gz" 2>/dev/null
run report --db "$T/big2s.db" --max-memory 16 -o "$T/big2s"
check "report of two sensors past the cap: exit 3, the comparison's load said so, the comparison shown" \
    sh -c "[ $rc = 3 ] && grep -q 'reached (sensor default, for the comparison)' '$T/err' && grep -q '^Sensors compared' '$T/out' && [ -s '$T/big2s/sensors.csv' ]"
mkdir -p "$T/spillfull"
if mount -t tmpfs -o size=4m tmpfs "$T/spillfull" 2>/dev/null; then
    "$SL" ingest -q --db "$T/spillfull/h.db" "$CAP/crafted-misc.pcap" 2>/dev/null
    run report --db "$T/spillfull/h.db" -o "$T/spillfull-before"
    run ingest -q --max-memory 16 --db "$T/spillfull/h.db" "$T/big.pcap"
    check "disk full while ingest --max-memory writes a part: exit 1, said so" \
        sh -c "[ $rc = 1 ] && grep -q 'big.pcap: not recorded: .*full' '$T/err'"
    run report --db "$T/spillfull/h.db" -o "$T/spillfull-after"
    check "... and the history holds exactly what it held before" \
        same_report "$T/spillfull-before" "$T/spillfull-after"
    umount "$T/spillfull"
else
    skip "disk full while ingest --max-memory writes a part (cannot mount a tmpfs here)"
fi
run report --db "$T/big.db" --max-memory 30 -o "$T/bigdb30"
check "report --max-memory 30: exit 3" [ "$rc" = 3 ]
check_cut_on_day_two "report --max-memory 30" "$T/bigdb30" "$T/bigdb"
if command -v script >/dev/null; then # on a terminal, the writing of 600,000 records shows
    script -qec "'$SL' ingest --db '$T/big-tty.db' '$T/big.pcap'" /dev/null >"$T/tty" 2>&1
    records=$(sed -n 's/.*recorded 1200000 packets (\([0-9]*\) source-day records).*/\1/p' "$T/tty")
    millions=$(awk -v n="${records:-0}" 'BEGIN { printf "%.1f", n / 1e6 }')
    check "ingest on a terminal: a progress line while its $records records are written" \
        sh -c "[ ${records:-0} -gt 65536 ] && grep -aq 'writing to the history: [0-9]*% of $millions M records' '$T/tty'"
else
    skip "ingest progress on a terminal (needs script from bsdutils)"
fi
run packets --jobs 2 "$CAP/real-zmap-syn.pcap"
check "packets --jobs: an unknown option (exit 2), not one ignored" sh -c "[ $rc = 2 ] && grep -q 'unrecognized option' '$T/err'"
# Judging, outliers and figures run on slices of the records: the demo month's outliers (on
# three days) are found and listed in the same order with 3 threads as with one.
run analyze -q -j 3 -o "$T/demo3" "$CAP/demo-month.pcap.gz"
run analyze -q -j 1 -o "$T/demo1" "$CAP/demo-month.pcap.gz"
check "-j 3 on the demo month: the same report as one thread" same_report "$T/demo1" "$T/demo3"
check "... with its 3 outliers" [ "$(json_get "$T/demo3/summary.json" 'len(d["outliers"])')" = 3 ]
# Stdin and a named pipe are read whole by one thread: looking for places to cut them must not
# take their first bytes (it did: "-j 2 -r -" said "not a pcap or pcapng capture").
exited_same() { [ "$1" = 0 ] && same_report "$2" "$3"; } # STATUS DIR-A DIR-B
zcat "$CAP/demo-month.pcap.gz" | timeout 60 "$SL" analyze -q -j 2 -o "$T/demo-stdin" -r - >"$T/out" 2>"$T/err"
check "-j 2 reading stdin: the same report as one thread" exited_same $? "$T/demo1" "$T/demo-stdin"
mkfifo "$T/fifo"
(timeout 60 zcat "$CAP/demo-month.pcap.gz" >"$T/fifo" &)
timeout 60 "$SL" analyze -q -j 2 -o "$T/demo-fifo" "$T/fifo" >"$T/out" 2>"$T/err"
check "-j 2 reading a named pipe: the same report as one thread" exited_same $? "$T/demo1" "$T/demo-fifo"
# Cut inside its last record: read in pieces, the message gives the file's count, not a piece's.
head -c $(($(stat -c %s "$T/big.pcap") - 10)) "$T/big.pcap" >"$T/big-cut.pcap"
run analyze -q -j 2 -o "$T/cut2" "$T/big-cut.pcap"
rc2=$rc said2=$(sed -n 's/.*; \([0-9]*\) whole packets of the file were used.*/\1/p' "$T/err")
run analyze -q -j 1 "$T/big-cut.pcap"
said1=$(sed -n 's/.*; the \([0-9]*\) whole packets before it were used.*/\1/p' "$T/err")
check "a cut file read in pieces: exit 3, the same count of packets used as one thread ($said2, $said1)" \
    [ "$rc2" = 3 -a "$rc" = 3 -a "${said2:-x}" = 1199999 -a "${said1:-y}" = 1199999 ]
check "... and that count is what the report counted" \
    [ "$(json_get "$T/cut2/summary.json" 'd["packets"]')" = 1199999 ]
run analyze -q -j 0 "$CAP/real-zmap-syn.pcap"
check "-j 0: exit 2" [ "$rc" = 2 ]

# The same threaded paths under ThreadSanitizer: reading pieces, merging the threads'
# tables, helper threads faulting pages in, judging and counting port figures in slices.
TSAN_SL=${SCANLENS_TSAN:-build/tsan/scanlens}
if [ -x "$TSAN_SL" ]; then
    TSAN_OPTIONS="halt_on_error=1 exitcode=66" "$TSAN_SL" analyze -q -j 3 -o "$T/tsan" \
        "$T/big.pcap" >/dev/null 2>"$T/tsan.err"
    tsan_rc=$?
    check "-j 3 under ThreadSanitizer: no data race (exit $tsan_rc)" [ "$tsan_rc" = 0 ]
    grep -q ThreadSanitizer "$T/tsan.err" && sed 's/^/    /' "$T/tsan.err" | head -30
    check "... and the same report" same_report "$T/big1" "$T/tsan"
    # two compressed files at once: two readers, each with its decompressing thread
    TSAN_OPTIONS="halt_on_error=1 exitcode=66" "$TSAN_SL" analyze -q -j 2 \
        "$T/big.pcap.zst" "$T/big.pcap.gz" >/dev/null 2>"$T/tsan.err"
    tsan_rc=$?
    check "compressed files, -j 2, under ThreadSanitizer: no data race (exit $tsan_rc)" \
        [ "$tsan_rc" = 0 ]
    grep -q ThreadSanitizer "$T/tsan.err" && sed 's/^/    /' "$T/tsan.err" | head -30
else
    skip "no ThreadSanitizer build ($TSAN_SL)"
fi

echo "== a memory cap"
# 16 MiB holds at most 209,715 (day, source) records (80 bytes each at the peak for a record
# of one packet, 320 for a full one: AGG_PEAK_* in src/aggregate/agg.h); the 1.2 M packets
# above make far more. Past the cap, packets of new sources are left out and said: what is
# counted plus what is left out is every packet.
run analyze -q --max-memory 16 -o "$T/capped" "$T/big.pcap"
check "--max-memory reached: exit 3" [ "$rc" = 3 ]
refused=$(sed -n 's/.*--max-memory 16 reached: \([0-9]*\) packets.*/\1/p' "$T/err")
check "... the message says how many packets were left out" [ "${refused:-0}" -gt 0 ]
# (the file has fewer sources than that bound, so what shows the cap at work is that sources
# are missing against the run without it)
capped_sources=$(($(wc -l <"$T/capped/sources.csv") - 1))
whole_sources=$(($(wc -l <"$T/big1/sources.csv") - 1))
check "... fewer sources ($capped_sources) than read whole ($whole_sources), no more than the cap holds records" \
    [ "$capped_sources" -lt "$whole_sources" -a "$capped_sources" -le 209715 ]
counted=$(awk -F, 'NR > 1 { n += $4 + $5 + $6 + $7 + $8 } END { print n }' "$T/capped/sources.csv")
check "... counted ($counted) + left out ($refused) = the 1200000 packets" \
    [ "$((counted + ${refused:-0}))" = 1200000 ]
# 30 MiB is reached on the second of the three days: the first is whole, and the reports say
# where the cap began to leave packets out
run analyze -q --max-memory 30 -o "$T/capped30" "$T/big.pcap"
check_cut_on_day_two "--max-memory 30" "$T/capped30" "$T/big1"
check "... the terminal summary says the report is incomplete" grep -q '^Incomplete: the --max-memory 30 cap was reached' "$T/out"
check "... and so does report.html" grep -q 'Incomplete: the --max-memory 30 cap' "$T/capped30/report.html"
check "without a cap: memory_cap is null" [ "$(json_get "$T/big1/summary.json" 'd["memory_cap"]')" = None ]
run analyze -q --max-memory 2000 -o "$T/uncapped" "$T/big.pcap"
check "a cap not reached changes nothing" same_report "$T/big1" "$T/uncapped"
check "... and summary.json says it left nothing out" [ "$(json_get "$T/uncapped/summary.json" \
    'd["memory_cap"]["packets_left_out"], d["memory_cap"]["first_day_left_out"]')" = "0 None" ]
run analyze -q --max-memory 10 "$T/big.pcap"
check "--max-memory below 16: exit 2" [ "$rc" = 2 ]

echo "== the same packets in every container and link type"
run analyze -q -o "$T/base" "$CAP/mixed-base.pcap"
cut -d, -f1-11,14- "$T/base/sources.csv" >"$T/base.csv"
grep -v '^[0-9a-f]*:' "$T/base.csv" >"$T/base-v4.csv"
for v in "$CAP"/variants/*; do
    run analyze -q -o "$T/variant" "$v"
    cut -d, -f1-11,14- "$T/variant/sources.csv" >"$T/variant.csv"
    expected=$T/base.csv
    case $v in *ipv4.pcap) expected=$T/base-v4.csv ;; esac  # LINKTYPE_IPV4 holds no IPv6
    check "$(basename "$v") gives the verdicts of the original (exit $rc)" \
        sh -c "[ $rc = 0 ] && cmp -s '$expected' '$T/variant.csv'"
done

echo "== a small snapshot length"
# tcpdump -s 56 keeps the fixed TCP header but not the options: SYNs still count; rules that
# need the options cannot match; rules that need none still do.
editcap -s 56 "$CAP/real-nmap-syn.pcap" "$T/nmap-s56.pcap" >/dev/null 2>&1
editcap -s 56 "$CAP/real-masscan-syn.pcap" "$T/masscan-s56.pcap" >/dev/null 2>&1
run analyze -q -o "$T/s56" "$T/nmap-s56.pcap" "$T/masscan-s56.pcap"
check "snaplen 56: nmap's 32 SYNs still counted" [ "$(csv_field "$T/s56/sources.csv" 192.0.2.12 syn_packets)" = 32 ]
check "snaplen 56: nmap cannot be told without its MSS option" [ "$(csv_field "$T/s56/sources.csv" 192.0.2.12 tool)" = unknown ]
check "snaplen 56: masscan 1.3 (no options) still is" [ "$(csv_field "$T/s56/sources.csv" 192.0.2.11 tool)" = masscan ]

echo "== broken captures"
while IFS='|' read -r file status packets text; do
    file=$(trim "$file"); status=$(trim "$status"); packets=$(trim "$packets"); text=$(trim "$text")
    case $file in ''|'#'*) continue ;; esac
    run analyze -q -o "$T/broken" "tests/malformed/$file"
    check "$file: exit $status (got $rc)" [ "$rc" = "$status" ]
    check "$file: message names the file and says '$text'" \
        grep -q "tests/malformed/$file: .*$text" "$T/err"
    if [ "$packets" != any ] && [ "$status" = 3 ]; then
        got=$(json_get "$T/broken/summary.json" 'd["packets"]')
        check "$file: the $packets whole packets before the damage are used (got $got)" [ "$got" = "$packets" ]
    fi
    rm -rf "$T/broken"
done <tests/malformed/EXPECTED
# A damaged file among good ones: the good ones still count, and the status says so.
run analyze -q -o "$T/mix" "$CAP/real-zmap-syn.pcap" tests/malformed/cut-mid-record.pcap
check "damaged file among good ones: exit 3" [ "$rc" = 3 ]
check "damaged file among good ones: the good file's verdict stands" \
    [ "$(csv_field "$T/mix/sources.csv" 192.0.2.10 tool)" = zmap ]
check "summary.json marks the damaged input" \
    [ "$(json_get "$T/mix/summary.json" '[i["complete"] for i in d["inputs"]]')" = "[True, False]" ]

echo "== command line"
for cmd in analyze packets fingerprints; do
    run "$cmd" --help
    check "$cmd --help exits 0 with usage" sh -c "[ $rc = 0 ] && grep -q '^usage: scanlens $cmd' '$T/out'"
done
run --help;                  check "scanlens --help exits 0" [ "$rc" = 0 ]
run;                         check "no command: exit 2" [ "$rc" = 2 ]
run frobnicate;              check "unknown command: exit 2" [ "$rc" = 2 ]
run analyze --bogus x.pcap;  check "unknown option: exit 2" [ "$rc" = 2 ]
run analyze;                 check "no input: exit 2 with a message" sh -c "[ $rc = 2 ] && grep -q 'no capture files' '$T/err'"
if [ -w /dev/full ]; then
    for cmd in analyze report; do
        if [ $cmd = analyze ]; then set -- "$CAP/real-zmap-syn.pcap"; else set -- --db "$T/full.db"; fi
        [ $cmd = report ] && "$SL" ingest --db "$T/full.db" "$CAP/real-zmap-syn.pcap" 2>/dev/null
        "$SL" $cmd "$@" >/dev/full 2>"$T/err"
        rc=$?
        check "$cmd with standard output on a full disk: exit 1, says so" \
            sh -c "[ $rc = 1 ] && grep -q 'standard output failed: No space left' '$T/err'"
    done
else
    skip "no /dev/full"
fi
run analyze "$T/missing.pcap"
check "missing file: exit 1, message names it" sh -c "[ $rc = 1 ] && grep -q 'missing.pcap: cannot open' '$T/err'"
run analyze "$T"
check "a directory: exit 1" sh -c "[ $rc = 1 ] && grep -q 'is a directory' '$T/err'"
run analyze --min-consistency 7 "$CAP/real-zmap-syn.pcap"
check "bad --min-consistency: exit 2" [ "$rc" = 2 ]
run analyze --sensor 300.1.2.3/8 "$CAP/real-zmap-syn.pcap"
check "bad --sensor: exit 2 naming the value" sh -c "[ $rc = 2 ] && grep -q '300.1.2.3' '$T/err'"

# BPF filters, tcpdump style: masscan sent 16 hosts one SYN each on 80/tcp.
run analyze -q -o "$T/f1" -r "$CAP/real-masscan-syn.pcap" dst port 80
check "filter after -r: 16 SYN probes to port 80 (exit $rc)" \
    [ "$(json_get "$T/f1/summary.json" 'd["syn_probes"]')" = 16 ]
run analyze -q -o "$T/f2" --filter 'dst port 80' "$CAP/real-masscan-syn.pcap"
check "--filter: the same 16" [ "$(json_get "$T/f2/summary.json" 'd["syn_probes"]')" = 16 ]
run analyze -q -r "$CAP/real-masscan-syn.pcap" 'tcp and and'
check "bad filter: exit 2 with libpcap's message" sh -c "[ $rc = 2 ] && grep -q 'filter' '$T/err'"
run analyze -q -o "$T/f3" -r "$CAP/variants/multi.pcapng" dst port 80
run analyze -q -o "$T/f4" -r "$CAP/mixed-base.pcap" dst port 80
check "filter over a pcapng of three link types: as on the original" \
    [ "$(json_get "$T/f3/summary.json" 'd["syn_probes"]')" = "$(json_get "$T/f4/summary.json" 'd["syn_probes"]')" ]

# stdin, and many files at once.
"$SL" analyze -q -o "$T/stdin" - <"$CAP/variants/ethernet.pcap.zst" >/dev/null 2>&1
check "stdin (zstd): same sources as the file" \
    cmp -s <(cut -d, -f1-11 "$T/base/sources.csv") <(cut -d, -f1-11 "$T/stdin/sources.csv")
run analyze -q -o "$T/all" "$CAP"/real-*.pcap "$CAP"/crafted-*.pcap
check "all captures together: exit 0" [ "$rc" = 0 ]
for pair in 192.0.2.10:zmap 192.0.2.11:masscan 192.0.2.12:nmap 192.0.2.13:hping3 203.0.113.1:mirai 192.0.2.14:unknown; do
    check "all captures together: ${pair%%:*} is ${pair#*:}" \
        [ "$(csv_field "$T/all/sources.csv" "${pair%%:*}" tool)" = "${pair#*:}" ]
done
check "all captures together: zmap SYNs add up over its captures (32 + 60)" \
    [ "$(json_get "$T/all/summary.json" '[t["syn_packets"] for t in d["tools"] if t["tool"]=="zmap"][0]')" = 92 ]
check "per-tool SYN packets add up to the SYN probes" \
    [ "$(json_get "$T/all/summary.json" 'sum(t["syn_packets"] for t in d["tools"]) == d["syn_probes"]')" = True ]
check "per-tool shares add up to 1" \
    [ "$(json_get "$T/all/summary.json" 'abs(sum(t["share"] for t in d["tools"]) - 1) < 1e-5')" = True ]

# --sensor given: the sensor's SYN/ACKs are its own, not backscatter; nothing inferred.
run analyze -q -o "$T/sensor" --sensor 198.51.100.0/24 "$CAP/crafted-reflection.pcap"
check "--sensor: reflection source still found" [ "$(csv_field "$T/sensor/sources.csv" 203.0.113.50 class)" = reflection ]
# the reflection rule's repeat, as sources.csv shows it, worked out by hand from how
# craft_traces.py made the packets: 300 SYNs to one address and 2 ports on one day; 200 SYNs
# to 10 addresses on one port over 20 days; 120 to one address and port over 2 days
check "sources.csv: syn_per_day_pair of the victim (300 / (1 x 2))" \
    [ "$(csv_field "$T/sensor/sources.csv" 203.0.113.50 syn_per_day_pair)" = 150.00 ]
run analyze -q -o "$T/rescan" "$CAP/crafted-rescan.pcap"
check "... of a scanner sweeping the same addresses daily (200 / (20 x 10 x 1))" \
    [ "$(csv_field "$T/rescan/sources.csv" 203.0.113.60 syn_per_day_pair)" = 1.00 ]
check "... of a victim flooding on two days (120 / (2 x 1 x 1))" \
    [ "$(csv_field "$T/rescan/sources.csv" 203.0.113.61 syn_per_day_pair)" = 60.00 ]
check "--sensor: 300 sensor packets" [ "$(json_get "$T/sensor/summary.json" 'd["sensor_packets"]')" = 300 ]
check "--sensor: reported as given" [ "$(json_get "$T/sensor/summary.json" 'd["sensor"]["addresses"]')" = "['198.51.100.0/24']" ]

# packets: one line per frame (tcpdump counts the frames independently), valid JSON Lines.
run packets "$CAP/real-nmap-syn.pcap"
check "packets csv: a header and one line per frame" \
    [ "$(($(wc -l <"$T/out") - 1))" = "$(tcpdump -n -r "$CAP/real-nmap-syn.pcap" 2>/dev/null | wc -l)" ]
check "packets csv: every nmap SYN names rule nmap-syn" \
    [ "$(grep -c ',syn,nmap,nmap-syn$' "$T/out")" = 32 ]
run packets --format jsonl "$CAP/crafted-misc.pcap"
check "packets jsonl: every line parses" \
    python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$T/out"
run packets --format xml "$CAP/crafted-misc.pcap"
check "packets --format xml: exit 2" [ "$rc" = 2 ]

# fingerprints: listing, --check with every problem and its line, user rules first.
run fingerprints
check "fingerprints lists the shipped rules" grep -q '^masscan-1.3-syn' "$T/out"
printf 'version 1\n[zmap]\nrule a = tcp flags=S win=abc\nrule b = tcp ttl=9-3\nrule c = tcp frob=1\nrule d = tcp opts=M1460,Q\n' >"$T/bad.conf"
run fingerprints --check "$T/bad.conf"
check "--check: exit 2" [ "$rc" = 2 ]
for line in 3 4 5 6; do check "--check reports line $line" grep -q "bad.conf:$line: " "$T/err"; done
run fingerprints --check data/fingerprints.conf
check "--check on the shipped rules: no problems" [ "$rc" = 0 ]
printf 'version 1\n[xmap]\nrule xmap-syn = tcp flags=S ipid=54321 win=65535\n' >"$T/user.conf"
run analyze -q -o "$T/user" --fingerprints "$T/user.conf" "$CAP/real-zmap-syn.pcap"
check "--fingerprints: the user's rule is tried first" [ "$(csv_field "$T/user/sources.csv" 192.0.2.10 tool)" = xmap ]
run analyze -q --fingerprints "$T/bad.conf" "$CAP/real-zmap-syn.pcap"
check "--fingerprints with a bad file: exit 2" [ "$rc" = 2 ]

# Output that cannot be written: a clear error, and what was there before stays.
run analyze -q -o "$T/a/b/c" "$CAP/real-zmap-syn.pcap"
check "-o creates missing parent directories" [ -f "$T/a/b/c/sources.csv" ]
run analyze -q -o /proc/version "$CAP/real-zmap-syn.pcap"
check "-o onto a file: exit 1" sh -c "[ $rc = 1 ] && grep -q '/proc/version: not a directory' '$T/err'"
check "-o onto a file: refused before reading (no summary printed)" [ ! -s "$T/out" ]
run report --db "$H/one.db" -o /proc/version
check "report -o onto a file: exit 1 before the history is read" sh -c "[ $rc = 1 ] && [ ! -s '$T/out' ]"
mkdir -p "$T/full"
if mount -t tmpfs -o size=12k tmpfs "$T/full" 2>/dev/null; then
    echo "previous" >"$T/full/sources.csv"
    dd if=/dev/zero of="$T/full/filler" bs=1k count=8 2>/dev/null
    run analyze -q -o "$T/full" "$CAP"/real-*.pcap "$CAP"/crafted-*.pcap
    check "disk full: exit 1 with a message" sh -c "[ $rc = 1 ] && grep -q 'No space left' '$T/err'"
    check "disk full: the previous sources.csv is intact" [ "$(cat "$T/full/sources.csv")" = previous ]
    umount "$T/full"
else
    skip "disk-full test (cannot mount a tmpfs here)"
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
