#!/bin/bash
# scanlens benchmark: the same capture read by `scanlens analyze` and by
# `tcpdump -r FILE -w /dev/null 'tcp[13]==2'` (the bare filter a user would otherwise script
# around), in one run, from the page cache. Prints packets/s, peak RSS and the ratio, and
# writes bench/RESULTS.md. Figures from one run are ratios: these machines are noisy.
#
# usage: bench/run.sh [PACKETS] [SOURCES...]   (default 30000000 10000000 100000 1000: a busy
#         month with a darknet's many sources, with a honeypot's fewer, and with so few that
#         every (day, source) record stays in the cache: what the code does when memory does
#         not hold it up)
set -eu
cd "$(dirname "$0")/.."
packets=${1:-30000000}
shift || true
source_counts=${*:-10000000 100000 1000}
work=${BENCH_DIR:-/tmp/scanlens-bench}
mkdir -p "$work"
make -s build/scanlens
cc -O2 -std=c17 -Wall -Wextra -o "$work/gen_traffic" bench/gen_traffic.c
cc -O2 -std=c17 -Wall -Wextra -o "$work/machine" bench/machine.c
# months are kept between runs; the generator's checksum in their names keeps a month an
# older generator wrote from being read as this one's
gen=$(cksum <bench/gen_traffic.c | cut -d' ' -f1)
find "$work" -maxdepth 1 -name 'month-*.pcap' ! -name "*-g$gen.pcap" -delete

measure() { # NAME COMMAND...: best wall time of 3, and the peak RSS of that run
    local name=$1 best=999999 rss=0
    shift
    for _ in 1 2 3; do
        # exit status 3 (a --max-memory cap reached) is a result here, not a failure
        /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>&1 || true
        read -r t m < <(tail -n 1 "$work/time")
        if awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$t; rss=$m; fi
    done
    echo "$name $best $rss"
}

measure_cold() { # NAME COMMAND...: one run after a pause, as a one-off run on an idle machine
    local name=$1
    shift
    sleep 10 # memory the runs before freed is handed back to the host meanwhile
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>&1 || true
    read -r t m < <(tail -n 1 "$work/time")
    echo "$name $t $m"
}

: >"$work/results"
: >"$work/refused"
rm -f "$work"/stages-*
for sources in $source_counts; do
    file=$work/month-$packets-$sources-g$gen.pcap
    [ -f "$file" ] || "$work/gen_traffic" "$file" --packets "$packets" --sources "$sources" >"$work/mix-$sources.txt"
    cat "$file" >/dev/null # into the page cache
    size=$(stat -c %s "$file")
    {
        measure "tcpdump($sources)" tcpdump -r "$file" -w /dev/null 'tcp[13]==2'
        # the ceiling: map the file and step over its records, nothing else
        measure "walk($sources)" "$work/machine" walk "$file"
        measure "scanlens($sources)" ./build/scanlens analyze -q "$file"
        measure "scanlens-j2($sources)" ./build/scanlens analyze -q -j 2 "$file"
        measure_cold "scanlens-cold($sources)" ./build/scanlens analyze -q "$file"
        measure_cold "scanlens-j2-cold($sources)" ./build/scanlens analyze -q -j 2 "$file"
        # what a user who keeps the report files waits for: every file of -o written too
        measure "scanlens-reports($sources)" ./build/scanlens analyze -q -o "$work/reports" "$file"
        rm -rf "$work/reports"
        measure "scanlens-cap1024($sources)" ./build/scanlens analyze -q --max-memory 1024 "$file"
        ./build/scanlens analyze -q --max-memory 1024 "$file" 2>&1 >/dev/null |
            sed -n "s/.*reached: \([0-9]*\) packets.*/$sources \1/p" >>"$work/refused"
        # the history: the same month into a new SQLite file, and its report read back
        if [ "$sources" = "${HISTORY_SOURCES-100000}" ]; then
            measure "ingest($sources)" sh -c "rm -f '$work/bench.db'*; exec ./build/scanlens ingest -q --db '$work/bench.db' '$file'"
            measure "report-db($sources)" ./build/scanlens report --db "$work/bench.db" -o "$work/report-db"
            rm -rf "$work/bench.db"* "$work/report-db"
        fi
        # where one thread's time and memory go, stage by stage (SCANLENS_DEBUG traces)
        SCANLENS_DEBUG=1 ./build/scanlens analyze -q "$file" 2>"$work/stages-$sources" >/dev/null || true
    } >>"$work/results"
    rm -f "$file.keep"
done

# Throughput against file size: the same month's mix at a third and two thirds of the
# packets (and the same sources), one thread. SIZE_SOURCES= (empty) skips it.
size_sources=${SIZE_SOURCES-100000}
: >"$work/sizes"
if [ -n "$size_sources" ]; then
    for part in $((packets / 3)) $((packets * 2 / 3)) "$packets"; do
        file=$work/month-$part-$size_sources-g$gen.pcap
        [ -f "$file" ] || "$work/gen_traffic" "$file" --packets "$part" --sources "$size_sources" >/dev/null
        cat "$file" >/dev/null
        {
            measure "tcpdump($part)" tcpdump -r "$file" -w /dev/null 'tcp[13]==2'
            measure "scanlens($part)" ./build/scanlens analyze -q "$file"
        } >>"$work/sizes"
        [ "$part" = "$packets" ] || rm -f "$file"
    done
fi

# Compressed captures, as sensors keep them: scanlens decompresses on a thread of its own
# beside the reading one; what a user would otherwise script is zcat (zstdcat) piped into
# tcpdump. COMPRESSED_SOURCES= (empty) skips it.
compressed_sources=${COMPRESSED_SOURCES-100000}
: >"$work/compressed"
if [ -n "$compressed_sources" ]; then
    file=$work/month-$packets-$compressed_sources-g$gen.pcap
    [ -f "$file" ] || "$work/gen_traffic" "$file" --packets "$packets" --sources "$compressed_sources" >/dev/null
    gzip -1 -c "$file" >"$work/month.pcap.gz"
    zstd -q -T0 -3 -c "$file" >"$work/month.pcap.zst"
    {
        for z in gz zst; do
            cat "$work/month.pcap.$z" >/dev/null
            cat=zcat
            [ "$z" = zst ] && cat=zstdcat
            measure "tcpdump($z)" sh -c "$cat '$work/month.pcap.$z' | tcpdump -r - -w /dev/null 'tcp[13]==2'"
            measure "scanlens($z)" ./build/scanlens analyze -q "$work/month.pcap.$z"
            measure "scanlens-j2($z)" ./build/scanlens analyze -q -j 2 "$work/month.pcap.$z"
            echo "size($z) $(stat -c %s "$work/month.pcap.$z") 0"
        done
    } >>"$work/compressed"
    rm -f "$work/month.pcap.gz" "$work/month.pcap.zst"
fi

# The same month as a sensor rotates it: 744 hourly files (editcap -i 3600), plain and gzip'd,
# against tcpdump given the plain files' list (-V). HOURLY_SOURCES= (empty) skips it.
hourly_sources=${HOURLY_SOURCES-100000}
: >"$work/hourly"
if [ -n "$hourly_sources" ]; then
    file=$work/month-$packets-$hourly_sources-g$gen.pcap
    [ -f "$file" ] || "$work/gen_traffic" "$file" --packets "$packets" --sources "$hourly_sources" >/dev/null
    rm -rf "$work/hourly-files" && mkdir -p "$work/hourly-files/gz"
    editcap -F pcap -i 3600 "$file" "$work/hourly-files/h.pcap" >/dev/null
    ls "$work/hourly-files"/*.pcap >"$work/hourly-files/list"
    for f in "$work/hourly-files"/*.pcap; do gzip -1 -c "$f" >"$work/hourly-files/gz/${f##*/}.gz"; done
    cat "$work/hourly-files"/*.pcap "$work/hourly-files/gz"/* >/dev/null
    {
        echo "files $(wc -l <"$work/hourly-files/list") 0"
        measure "tcpdump(hourly)" tcpdump -V "$work/hourly-files/list" -w /dev/null 'tcp[13]==2'
        measure "scanlens(hourly)" sh -c "./build/scanlens analyze -q '$work/hourly-files'/*.pcap"
        measure "scanlens-j2(hourly)" sh -c "./build/scanlens analyze -q -j 2 '$work/hourly-files'/*.pcap"
        measure "scanlens(hourly.gz)" sh -c "./build/scanlens analyze -q '$work/hourly-files/gz'/*.gz"
        measure "scanlens-j2(hourly.gz)" sh -c "./build/scanlens analyze -q -j 2 '$work/hourly-files/gz'/*.gz"
    } >>"$work/hourly"
    rm -rf "$work/hourly-files"
fi

# what a page of fresh memory costs here, after a pause long enough for memory freed by the
# runs above to be handed back to the host (a VM's balloon reports free pages within seconds)
sleep 10
"$work/machine" memory 1024 >"$work/memory"

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
{
    echo "# Benchmark results"
    echo
    echo "Made by \`bench/run.sh $packets $source_counts\` on $(date -u +%Y-%m-%d): $(nproc) cores ($cpu),"
    echo "$(free -g | awk '/Mem:/ {print $2}') GiB of memory. Files: $packets packets, about $((size / 1000000)) MB each, from the page cache;"
    echo "the number in brackets is how many distinct source addresses the generator drew from."
    echo
    echo "| program (sources) | seconds | packets/s | peak RSS (MiB) | speed vs tcpdump on the same file |"
    echo "|---|---|---|---|---|"
    while read -r name t rss; do
        base=$(awk -v n="tcpdump(${name#*(}" '$1 == n {print $2}' "$work/results")
        awk -v n="$name" -v t="$t" -v rss="$rss" -v p="$packets" -v base="$base" \
            'BEGIN { printf "| %s | %.2f | %.2f M | %.0f | %.2fx |\n", n, t, p / t / 1e6, rss / 1024, base / t }'
    done <"$work/results"
    echo
    echo "walk is bench/machine.c mapping the file and stepping over its records: no reader is faster."
    echo "Fresh memory on this machine, after a pause: $(cat "$work/memory"). Every"
    echo "MiB an analysis holds at its peak is first touched at such a rate (by helper threads where"
    echo "a core is idle; records on 4 KiB pages, hash tables on huge pages: docs/design.md)."
    echo
    echo "Every row is the best of three runs in a row, except cold: one run after a 10 s pause,"
    echo "as a one-off run on an idle machine. Memory a process has just freed is cheap to touch"
    echo "again for a second or two on this virtual machine (the host still backs it); after a"
    echo "pause the host has taken it back, and every page of the peak is fresh again."
    echo
    echo "reports is one thread with \`-o DIR\`: every report file written as well (sources.csv has a"
    echo "row a source)."
    echo
    echo "ingest is \`scanlens ingest\` of the file into a new history (SQLite), report-db \`scanlens"
    echo "report --db\` of that history (both one thread); their ratio to tcpdump is only for scale."
    echo
    echo "cap1024 is \`--max-memory 1024\`: packets it left out (those that would have started a new (day, source) record):"
    echo
    if [ -s "$work/refused" ]; then
        awk '{ printf "- %s sources: %s packets left out\n", $1, $2 }' "$work/refused"
    else
        echo "- none"
    fi
    if [ -s "$work/sizes" ]; then
        echo
        echo "Against file size ($size_sources sources, 31 days, one thread):"
        echo
        echo "| packets | scanlens seconds | packets/s | peak RSS (MiB) | vs tcpdump |"
        echo "|---|---|---|---|---|"
        awk '$1 ~ /^tcpdump/ { split($1, a, /[()]/); base[a[2]] = $2 }
             $1 ~ /^scanlens/ { split($1, a, /[()]/); n = a[2]
                 printf "| %d | %.2f | %.2f M | %.0f | %.2fx |\n", n, $2, n / $2 / 1e6, $3 / 1024, base[n] / $2 }' \
            "$work/sizes"
    fi
    if [ -s "$work/compressed" ]; then
        echo
        echo "Compressed ($compressed_sources sources, the same month as \`gzip -1\` and \`zstd -3\`),"
        echo "against \`zcat FILE | tcpdump -r - ...\` (\`zstdcat\` for zstd) in the same run:"
        echo
        echo "| program (compression) | compressed MB | seconds | packets/s | peak RSS (MiB) | vs zcat \\| tcpdump |"
        echo "|---|---|---|---|---|---|"
        awk -v p="$packets" '$1 ~ /^size/ { split($1, a, /[()]/); mb[a[2]] = $2 / 1e6; next }
             { split($1, a, /[()]/); name[NR] = $1; z[NR] = a[2]; t[NR] = $2; rss[NR] = $3
               if ($1 ~ /^tcpdump/) base[a[2]] = $2 }
             END { for (i = 1; i <= NR; i++) if (i in name)
                 printf "| %s | %.0f | %.2f | %.2f M | %.0f | %.2fx |\n", name[i], mb[z[i]], t[i],
                        p / t[i] / 1e6, rss[i] / 1024, base[z[i]] / t[i] }' "$work/compressed"
    fi
    if [ -s "$work/hourly" ]; then
        echo
        echo "The same month ($hourly_sources sources) in $(awk '$1 == "files" {print $2}' "$work/hourly") hourly files (\`editcap -i 3600\`), plain and as"
        echo "\`gzip -1\` files, against \`tcpdump -V LIST\` over the plain files in the same run:"
        echo
        echo "| program (files) | seconds | packets/s | peak RSS (MiB) | vs tcpdump -V |"
        echo "|---|---|---|---|---|"
        awk -v p="$packets" '$1 == "files" { next }
             $1 ~ /^tcpdump/ { base = $2 }
             { printf "| %s | %.2f | %.2f M | %.0f | %.2fx |\n", $1, $2, p / $2 / 1e6, $3 / 1024, base / $2 }' \
            "$work/hourly"
    fi
    for stages in "$work"/stages-*; do
        [ -f "$stages" ] || continue
        echo
        echo "Stages of one single-thread run with ${stages##*stages-} sources (\`SCANLENS_DEBUG=1\`:"
        echo "seconds since the start, resident memory, peak so far):"
        echo '```'
        sed 's/^debug: *//' "$stages"
        echo '```'
    done
    echo
    echo "Traffic mix written by bench/gen_traffic.c:"
    echo '```'
    cat "$work"/mix-*.txt 2>/dev/null | sed "s|^.*/month-|month-|" || true
    echo '```'
} | tee bench/RESULTS.md
