#!/usr/bin/env bash
# Two builds side by side, stage by stage: each `-vv` stage time (wall seconds, as clearcov
# prints them), the user and system CPU time, the wall time and the peak memory of a plain
# `clearcov report` on one set, with one and with two threads, runs alternating between the
# builds so that both see the same load. User CPU time is the figure to compare on a shared
# machine (the load average is printed with each run); wall times need a quiet one.
#
#   scripts/bench/stages.sh OLD NEW SET.gpkg [RUNS [report options...]]
#   e.g. scripts/bench/stages.sh /tmp/old build/clearcov /tmp/s1e5.gpkg 1 \
#            --regions ../shared/data/lao_adm1_geoboundaries.geojson \
#            --only "Bolikhamxay,Xieng Khouang"
set -euo pipefail
[[ $# -ge 3 ]] || { sed -n '2,12p' "$0" >&2; exit 2; }
OLD=$(realpath "$1")
NEW=$(realpath "$2")
SET=$(realpath "$3")
RUNS=${4:-1}
shift $(($# >= 4 ? 4 : 3))
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export CLEARCOV_DATA=${CLEARCOV_DATA:-$ROOT/data}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/clearcov-stages.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# one LABEL BINARY THREADS: one run, one line.
one() {
    local label=$1 bin=$2 threads=$3 load
    shift 3
    load=$(cut -d' ' -f1 /proc/loadavg)
    /usr/bin/time -f '%U %S %e %M' -o "$WORK/time" "$bin" report --cleared "$SET" -vv \
        --threads "$threads" --format json -o "$WORK/out.json" --overwrite "$@" 2>"$WORK/err" \
        >/dev/null
    read -r user sys wall rss <"$WORK/time"
    stages=$(sed -n 's/^clearcov: \([a-z ,]*\): .* \([0-9.]*\) s\( on [0-9]* threads\)\{0,1\}$/\1 \2/p' \
        "$WORK/err" | awk '{ t = $NF; $NF = ""; sub(/ $/, ""); printf "%s%s=%s", sep, $0, t; sep = "; " }')
    printf '%-4s t=%s load=%s user=%s sys=%s wall=%s rss_mb=%d | %s\n' "$label" "$threads" \
        "$load" "$user" "$sys" "$wall" $((rss / 1024)) "$stages"
}

for ((k = 0; k < RUNS; k++)); do
    for threads in 1 2; do
        one old "$OLD" "$threads" "$@"
        one new "$NEW" "$threads" "$@"
    done
done
