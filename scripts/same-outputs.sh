#!/usr/bin/env bash
# Write every output clearcov makes, on the bundled data and on a seeded 10^5 synthetic set, into
# one folder, so that two builds can be compared byte for byte:
#
#   scripts/same-outputs.sh OLD_BINARY /tmp/before
#   scripts/same-outputs.sh NEW_BINARY /tmp/after
#   diff -r /tmp/before /tmp/after && echo identical
#
# Standard output, standard error and the exit code of each command are kept too. Paths that
# name the output folder are the same in both runs only when the folder name is: the script
# runs every command from inside the folder, with relative output paths.
set -euo pipefail
bin=$(realpath "$1")
out=$2
src=$(cd "$(dirname "$0")/.." && pwd)
[[ -e $out ]] && { echo "$out exists; remove it first" >&2; exit 2; }
mkdir -p "$out"
cd "$out"
export CLEARCOV_DATA=$src/data
# GeoPackages record the time they were written unless told a fixed one.
export OGR_CURRENT_DATE=2000-01-01T00:00:00.000Z

# run NAME ARGS...: clearcov ARGS, with its stdout, stderr and exit code kept under NAME.
run() {
    local name=$1
    shift
    local rc=0
    "$bin" "$@" >"$name.out" 2>"$name.err" || rc=$?
    echo "$rc" >"$name.rc"
}

data=$src/data
run report_table report
run report_csv report --format csv
run report_json report --format json
run report_planar report --area planar --crs EPSG:32648 --format json
run report_where report --where "year >= 2020" --format csv
run report_layers report --out layers_geojson
run report_gpkg report --out layers_gpkg --out-format gpkg
run map map -o map.svg
run validate validate --claims "$data/claims.csv" --format json
run validate_out validate --claims "$data/claims.csv" --out verdicts
run audit audit --format json
run audit_table audit
run audit_out audit --out audit_out --out-format gpkg
run synth_small synth --count 2000 --seed 7 -o synth_small.gpkg

# 10^5 synthetic set (the scale of the benchmarks), with the bundled provinces.
run synth_big synth --count 100000 --seed 42 -o big.gpkg
run big_json report --cleared big.gpkg --format json
run big_layers report --cleared big.gpkg --out big_layers --out-format gpkg
run big_audit audit --cleared big.gpkg --format json
run big_map map --cleared big.gpkg -o big.svg

# GeoPackages carry no clock, but SQLite files may differ in unused pages: compare their
# content as SQL text too.
for g in $(find . -name '*.gpkg' | sort); do
    sqlite3 "$g" .dump >"$g.sql"
done
