#!/usr/bin/env bash
# Peak memory of `clearcov report` reading N synthetic cleared areas (default 10^6) from PostGIS
# against the same features read from a GeoPackage. Starts a throw-away PostgreSQL 15 + PostGIS 3
# server (tests/pg/server.sh), writes the features with `clearcov synth`, loads them into the
# server with ogr2ogr, runs both reports under /usr/bin/time -v and prints the figures.
#
#   scripts/bench/pg-memory.sh [CLEARCOV [N]]      (default: build/clearcov 1000000)
#
# Peak memory (maximum resident set size) does not depend on the machine's load; the times do.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CLEARCOV=$(realpath "${1:-$ROOT/build/clearcov}")
N=${2:-1000000}
fail() { echo "pg-memory: $*" >&2; exit 1; }
skip() { echo "pg-memory: cannot run: $*" >&2; exit 77; }
note() { echo "pg-memory: $*"; }
# shellcheck source=../../tests/pg/server.sh
source "$ROOT/tests/pg/server.sh"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/clearcov-pgmem.XXXXXX")
trap 'pg_stop; rm -rf "$WORK"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
pg_start
cd "$WORK"
chmod 755 "$WORK"
note "synth: $N features"
"$CLEARCOV" synth --count "$N" --seed 1 -o synth.gpkg --layer cleared -q
pg_as_client ogr2ogr -f PostgreSQL "$PG_CONN" synth.gpkg cleared -nln cleared -preserve_fid \
    -lco SPATIAL_INDEX=GIST --config PG_USE_COPY YES
note "loaded: $(pg_psql 'SELECT count(*) FROM cleared') rows on the server"

# run NAME ARGS...: clearcov report under /usr/bin/time -v; prints NAME, peak RSS and times.
run() {
    local name=$1
    shift
    /usr/bin/time -v "$CLEARCOV" report --format json -q "$@" >"$name.json" 2>"$name.time"
    local rss user wall
    rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$name.time")
    user=$(awk -F': ' '/User time/ { print $2 }' "$name.time")
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { print $2 }' "$name.time")
    printf '%-10s peak RSS %8.1f MiB   user %8s s   wall %s   net %s ha\n' "$name" \
        "$(echo "$rss / 1024" | bc -l)" "$user" "$wall" "$(jq .totals.net_ha "$name.json")"
    echo "$rss" >"$name.rss"
}
run gpkg --cleared synth.gpkg --cleared-layer cleared
run postgis --cleared "$PG_CONN" --cleared-layer cleared
echo "postgis / gpkg peak RSS: $(echo "$(cat postgis.rss) / $(cat gpkg.rss)" | bc -l | cut -c1-5)"
# The figures (the sources' names differ, and so do the notes that name them).
cmp -s <(jq '{totals, regions}' gpkg.json) <(jq '{totals, regions}' postgis.json) &&
    echo "figures (totals, regions): identical" || echo "figures (totals, regions): differ"
