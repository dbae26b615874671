#!/bin/bash
# Compares the speed of two builds of scanlens on one capture: a git revision (built in a
# worktree) against the working tree, in the same invocation. Prints each build's median and
# best wall, user and system time and the ratio of the medians.
#
# usage: bench/compare.sh [-r REV] [-n ROUNDS] [-p SECONDS] FILE [ANALYZE OPTIONS...]
#   -r REV      the baseline (default HEAD)
#   -n ROUNDS   rounds (default 5); each round runs the baseline and the new build twice,
#               in the order A B B A, then B A A B in the next round
#   -p SECONDS  pause before every run (default 0): with a pause of a few seconds every run
#               starts from memory the host has taken back, as a one-off run would
#
# Why the order matters: on this virtual machine, memory a process has just freed is cheap
# to touch for a second or two (the host still backs it), so a run that follows another one
# pays less for fresh pages. Running A then B every time made B look 14% faster than an
# identical A with -j 2 (docs/design.md, "Measuring here"). A B B A balances that.
set -eu
cd "$(dirname "$0")/.."
rev=HEAD rounds=5 pause=0
while getopts "r:n:p:" opt; do
    case $opt in
    r) rev=$OPTARG ;;
    n) rounds=$OPTARG ;;
    p) pause=$OPTARG ;;
    *) exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { echo "usage: bench/compare.sh [-r REV] [-n ROUNDS] [-p SECONDS] FILE [OPTIONS...]" >&2; exit 2; }
file=$1
shift
[ -r "$file" ] || { echo "bench/compare.sh: $file: cannot read" >&2; exit 1; }

work=$(mktemp -d /tmp/scanlens-compare.XXXXXX)
trap 'git worktree remove --force "$work/base" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git worktree add -q --detach "$work/base" "$rev"
make -s -C "$work/base" build/scanlens >/dev/null
make -s build/scanlens >/dev/null
cat "$file" >/dev/null # into the page cache

one_run() { # NAME BINARY [OPTIONS...]
    local name=$1 bin=$2
    shift 2
    sleep "$pause"
    /usr/bin/time -f "%e %U %S" -o "$work/time" "$bin" analyze -q "$@" "$file" >/dev/null 2>&1 || true
    echo "$name $(tail -n 1 "$work/time")" >>"$work/times"
}
base=$work/base/build/scanlens new=./build/scanlens
for round in $(seq "$rounds"); do
    if [ $((round % 2)) = 1 ]; then order="base new new base"; else order="new base base new"; fi
    for who in $order; do
        if [ "$who" = base ]; then bin=$base; else bin=$new; fi
        one_run "$who" "$bin" "$@"
    done
done 2>/dev/null

awk -v rev="$rev" '
    { wall[$1] = wall[$1] " " $2; user[$1] = user[$1] " " $3; sys[$1] = sys[$1] " " $4 }
    function median(list,   v, n, i, j, t) {
        n = split(list, v, " ")
        for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
        return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    }
    function least(list,   v, n, i, m) {
        n = split(list, v, " "); m = v[1]
        for (i = 2; i <= n; i++) if (v[i] + 0 < m + 0) m = v[i]
        return m
    }
    END {
        split("base new", names, " ")
        for (k = 1; k <= 2; k++) {
            who = names[k]
            printf "%-5s wall median %.2f s (best %.2f), user %.2f s, system %.2f s\n", who,
                median(wall[who]), least(wall[who]), median(user[who]), median(sys[who])
        }
        printf "new / base (%s), median wall: %.3f\n", rev, median(wall["new"]) / median(wall["base"])
    }' "$work/times"
