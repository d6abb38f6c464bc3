#!/usr/bin/env bash
# User CPU time of `report` and of `map` on the same cleared areas, side by side, and their ratio
# (issue 15: a map takes at most 2x the report's time). User CPU time, not wall-clock time: the
# machine may be shared, and the pipeline's threads add up either way.
# Usage: scripts/bench/map.sh [path/to/clearcov] [COUNT]
#   makes COUNT (default 100000) synthetic tasks (seed 1, EPSG:32648) in a temporary folder.
set -euo pipefail
clearcov=$(realpath "${1:-build/clearcov}")
count=${2:-100000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$clearcov" synth --count "$count" --seed 1 --crs EPSG:32648 -o "$work/set.gpkg" -q
user_time() { # command...: user CPU seconds
    /usr/bin/time -f %U -o "$work/time" "$@" >/dev/null
    cat "$work/time"
}
report=$(user_time "$clearcov" report --cleared "$work/set.gpkg" -q)
map=$(user_time "$clearcov" map --cleared "$work/set.gpkg" -o "$work/map.svg" -q)
awk -v r="$report" -v m="$map" -v n="$count" 'BEGIN {
    printf "tasks %d: report %.2f s user, map %.2f s user, ratio %.2f\n", n, r, m, m / r }'
