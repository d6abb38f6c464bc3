#!/usr/bin/env bash
# Memory checks under valgrind (normal build only; sanitizer builds are checked by ASan/LSan):
# the default run on the bundled data, a run through every repair and exclusion path, and an
# error exit. Any invalid read/write, use of uninitialised memory, or definitely or possibly lost
# block fails (valgrind exits 99). Blocks still reachable at exit (GDAL's driver registry, PROJ's
# and GEOS's static tables) are not leaks and are not reported; nothing is suppressed.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh" "$@"
need valgrind

# shellcheck disable=SC2054 # the commas belong to valgrind options
VG=(valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,possible
    --show-leak-kinds=definite,possible --num-callers=30 --quiet)

vg() { # expected-exit-code what args...
    local want=$1 what=$2
    shift 2
    LAST_CMD="valgrind clearcov $*"
    set +e
    "${VG[@]}" "$CLEARCOV" "$@" >"$WORK/out" 2>"$WORK/err"
    RC=$?
    set -e
    if [[ $RC -eq 99 ]]; then
        show_last
        fail "$what: valgrind found errors (see stderr above)"
    fi
    expect_rc "$want" "$what"
}

vg 0 "default run" report --format json
assert_eq "$(j '.regions | length')" 2 "default run under valgrind: two provinces"

csv_layer "$DATA/regions_utm.csv" regions.gpkg EPSG:32648 -nln regions -nlt POLYGON
csv_layer "$DATA/invalid_utm.csv" invalid.gpkg EPSG:32648 -nln cleared -nlt GEOMETRY
vg 0 "repairs and exclusions" report --regions regions.gpkg --cleared invalid.gpkg --format json
assert_eq "$(j '.excluded | length')" 5 "five features excluded under valgrind"

vg 3 "missing input" report --cleared "$WORK/missing.gpkg"

note "ok"
