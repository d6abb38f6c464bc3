#!/usr/bin/env bash
# The cost of the breakdowns against a plain report, side by side on one synthetic set: a plain
# `clearcov report`, then with --status-field, with --group-by operator, with --group-by year
# (cumulative years) and with both --status-field and --group-by operator,year. Prints the user
# CPU time, the wall time and the peak memory of each, and each one's CPU time over the plain
# run's. CPU time is the figure to compare on a shared machine; wall time needs a quiet one.
#
#   scripts/bench/breakdowns.sh [CLEARCOV [N [THREADS]]]   (default: build/clearcov 100000 2)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CLEARCOV=$(realpath "${1:-$ROOT/build/clearcov}")
N=${2:-100000}
THREADS=${3:-2}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/clearcov-breakdowns.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
"$CLEARCOV" synth --count "$N" --seed 1 --release -o "$WORK/set.gpkg" -q
plain=
printf '%-48s %10s %9s %9s %8s\n' "options" "user (s)" "wall (s)" "RSS (MB)" "x plain"
for opts in "" "--status-field status" "--group-by operator" "--group-by year" \
    "--status-field status --group-by operator,year"; do
    # shellcheck disable=SC2086 # the options are words
    /usr/bin/time -f '%U %e %M' -o "$WORK/time" "$CLEARCOV" report --cleared "$WORK/set.gpkg" \
        --threads "$THREADS" -q $opts >/dev/null
    read -r user wall rss <"$WORK/time"
    plain=${plain:-$user}
    printf '%-48s %10s %9s %9d %8.2f\n' "${opts:-(plain)}" "$user" "$wall" $((rss / 1024)) \
        "$(awk -v a="$user" -v b="$plain" 'BEGIN { print (b > 0 ? a / b : 0) }')"
done
