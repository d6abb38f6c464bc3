#!/usr/bin/env bash
# The dependency check (scripts/check-layers) checked itself, so that it cannot pass by seeing
# nothing: made-up `nm -A` text, a few objects compiled here and a made-up source tree, each
# with one known violation that must be named, and clean ones that must pass; then the real
# build's objects must show the calls every build has.
#
# usage: test_check_layers.sh PYTHON SOURCE_DIR CC OBJECT...
set -u
python=$1 src=$2 cc=$3
shift 3
check=$src/scripts/check-layers
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# expect NAME STATUS LINE... -- ARGS...: check-layers ARGS exits with STATUS and prints each LINE.
expect() {
    local name=$1 status=$2 lines=() out rc line
    shift 2
    while [[ $1 != -- ]]; do
        lines+=("$1")
        shift
    done
    shift
    out=$("$python" "$check" "$@" 2>&1)
    rc=$?
    [[ $rc -eq $status ]] || fail "$name: exit $rc, expected $status; output: $out"
    for line in "${lines[@]}"; do
        grep -qxF -- "$line" <<<"$out" || fail "$name: no line '$line' in: $out"
    done
}

# nm_text FILE: `nm -A` lines from stdin, in the form nm writes them, with the object paths of
# a CMake tree.
nm_text() {
    sed 's|^\([^ ]*\) |obj/CMakeFiles/x.dir/src/\1.c.o:|' >"$1"
}

# ---- made-up nm output ----
nm_text "$work/clean.nm" <<'EOF'
core/ctx 0000000000000000 T ccov_ctx_fail
io/io 0000000000000010 T ccov_io_open
io/io                  U ccov_ctx_fail
io/io 0000000000000000 t helper
coverage/run 0000000000000000 T ccov_coverage_run
coverage/run                  U ccov_io_open
coverage/run                  U helper
coverage/run                  U GEOSArea_r
cli/cli 0000000000000000 T ccov_cli_main
cli/cli                  U ccov_coverage_run
EOF
expect clean 0 "check-layers: 4 files, 3 calls between files, 0 violations" \
    -- --nm "$work/clean.nm" --min-files 4 --min-edges 3
expect vacuous-files 1 "too few files: 4 seen, at least 5 expected" \
    -- --nm "$work/clean.nm" --min-files 5
expect vacuous-edges 1 "too few calls: 3 seen, at least 4 expected" \
    -- --nm "$work/clean.nm" --min-edges 4
: >"$work/empty.nm"
expect empty 1 "too few files: 0 seen, at least 1 expected" -- --nm "$work/empty.nm"

nm_text "$work/cycle.nm" <<'EOF'
coverage/run 0000000000000000 T ccov_coverage_run
coverage/run                  U ccov_load
coverage/load 0000000000000000 T ccov_load
coverage/load                  U ccov_measure_ha
coverage/load 0000000000000000 D ccov_load_table
coverage/run 0000000000000000 T ccov_measure_ha
io/a 0000000000000000 T ccov_a
io/a                  U ccov_b
io/b 0000000000000000 T ccov_b
io/b                  U ccov_c
io/c 0000000000000000 T ccov_c
io/c                  U ccov_a
io/c                  U ccov_load_table
EOF
expect cycle 1 \
    "cycle: coverage/load.c -> coverage/run.c -> coverage/load.c (symbols coverage/load.c->coverage/run.c: ccov_measure_ha; coverage/run.c->coverage/load.c: ccov_load)" \
    "cycle: io/a.c -> io/b.c -> io/c.c -> io/a.c (symbols io/a.c->io/b.c: ccov_b; io/b.c->io/c.c: ccov_c; io/c.c->io/a.c: ccov_a)" \
    "upward: io/c.c calls coverage/load.c (ccov_load_table)" \
    "check-layers: 5 files, 6 calls between files, 3 violations" \
    -- --nm "$work/cycle.nm"

nm_text "$work/side.nm" <<'EOF'
claims/claims 0000000000000000 T ccov_claims_unit_factor
audit/audit                  U ccov_claims_unit_factor
io/io 0000000000000000 T ccov_io_open
io/io                  U ccov_geom_make_valid
geom/geom 0000000000000000 T ccov_geom_make_valid
output/render 0000000000000000 T ccov_render_table
cli/cli                  U ccov_render_table
core/names                  U ccov_render_table
core/names 0000000000000000 T ccov_names_fold
misc/x                  U ccov_names_fold
EOF
expect sideways-upward 1 \
    "sideways: audit/audit.c calls claims/claims.c (ccov_claims_unit_factor)" \
    "sideways: io/io.c calls geom/geom.c (ccov_geom_make_valid)" \
    "upward: core/names.c calls output/render.c (ccov_render_table)" \
    "unknown folder: misc/x.c (not in the layer list)" \
    -- --nm "$work/side.nm"

# ---- objects compiled here: the calls are read from real nm output ----
mkdir -p "$work/t/src/coverage" "$work/t/src/core" "$work/o/src/coverage" "$work/o/src/core"
cat >"$work/t/src/coverage/run.c" <<'EOF'
int ccov_load(int);
int ccov_run(int x);
int ccov_run(int x) { return x > 0 ? ccov_load(x - 1) : 0; }
EOF
cat >"$work/t/src/coverage/load.c" <<'EOF'
int ccov_run(int);
int ccov_load(int x);
int ccov_load(int x) { return ccov_run(x); }
EOF
cat >"$work/t/src/core/ctx.c" <<'EOF'
int ccov_run(int);
static int twice(int x) { return 2 * x; }
int ccov_ctx(int x);
int ccov_ctx(int x) { return twice(ccov_run(x)); }
EOF
for f in coverage/run coverage/load core/ctx; do
    "$cc" -c -o "$work/o/src/$f.c.o" "$work/t/src/$f.c" || fail "cannot compile $f.c with $cc"
done
expect objects 1 \
    "cycle: coverage/load.c -> coverage/run.c -> coverage/load.c (symbols coverage/load.c->coverage/run.c: ccov_run; coverage/run.c->coverage/load.c: ccov_load)" \
    "upward: core/ctx.c calls coverage/run.c (ccov_run)" \
    "check-layers: 3 files, 3 calls between files, 2 violations" \
    -- "$work/o/src/coverage/run.c.o" "$work/o/src/coverage/load.c.o" "$work/o/src/core/ctx.c.o"
# CMake may pass the objects as one ';'-separated argument.
expect objects-list 0 "check-layers: 1 files, 0 calls between files, 0 violations" \
    -- --min-edges 0 "$work/o/src/core/ctx.c.o;"

# ---- #include lines of a made-up tree ----
tree=$work/tree
mkdir -p "$tree/src/geom" "$tree/src/crs" "$tree/src/io" "$tree/src/audit" "$tree/src/core" \
    "$tree/include/clearcov"
printf '#include "geom/geom.h"\n#include "core/internal.h"\n#include <gdal.h>\n' \
    >"$tree/src/geom/geom.c"
printf '#include <proj.h>\n#include <ogr_srs_api.h>\n#include <geos_c.h>\n' >"$tree/src/crs/crs.c"
printf '#include "io/io.h"\n  #  include "coverage/run.h"\n#include <geos_c.h>\n#include <cpl_conv.h>\n#include <clearcov/audit.h>\n#include <sys/stat.h>\n' \
    >"$tree/src/io/io.c"
printf '#include "clearcov/audit.h"\n#include "clearcov/claims.h"\n#include "output/render.h"\n' \
    >"$tree/src/audit/audit.c"
printf '#include "units.h"\n#include "clearcov/ctx.h"\n#include "clearcov/nope.h"\n' \
    >"$tree/src/core/units.c"
printf '#include "clearcov/ctx.h"\n' >"$tree/include/clearcov/extra.h"
printf '#include "clearcov/report.h"\n' >"$tree/include/clearcov/coverage.h"
expect includes 1 \
    "include: src/geom/geom.c:3: geom includes GDAL header gdal.h" \
    "include: src/crs/crs.c:2: crs includes GDAL header ogr_srs_api.h" \
    "include: src/crs/crs.c:3: crs includes GEOS header geos_c.h" \
    "upward include: src/io/io.c:2: io includes coverage/run.h (coverage)" \
    "include: src/io/io.c:3: io includes GEOS header geos_c.h" \
    "sideways include: src/audit/audit.c:2: audit includes clearcov/claims.h (claims)" \
    "include: src/core/units.c:1: \"units.h\" does not name its folder" \
    "include: src/core/units.c:3: public header clearcov/nope.h is not placed in a layer (PUBLIC)" \
    "upward include: src/io/io.c:5: io includes clearcov/audit.h (audit)" \
    "unknown folder: include/clearcov/extra.h (not in the layer list)" \
    "upward include: include/clearcov/coverage.h:1: coverage includes clearcov/report.h (output)" \
    "check-layers: 4 files, 3 calls between files, 11 violations" \
    -- --nm "$work/clean.nm" --src "$tree"
rm "$tree/src/geom/geom.c" "$tree/src/crs/crs.c" "$tree/src/io/io.c" "$tree/src/core/units.c" \
    "$tree/include/clearcov/extra.h" "$tree/include/clearcov/coverage.h"
printf '#include "clearcov/audit.h"\n#include "output/render.h"\n#include "io/io.h"\n' \
    >"$tree/src/audit/audit.c"
expect includes-clean 0 "check-layers: 4 files, 3 calls between files, 0 violations" \
    -- --nm "$work/clean.nm" --src "$tree"

# ---- the real build: the calls that every build has must be seen ----
out=$("$python" "$check" -v --min-edges 0 "$@" 2>&1)
for line in "call: cli/main.c -> cli/cli.c (ccov_cli_main)" \
    "call: cli/cli.c -> coverage/" "call: cli/cli.c -> synth/synth.c (ccov_synth_run)" \
    "call: io/io.c -> core/ctx.c" \
    "call: crs/crs.c -> core/ctx.c" "call: geom/geom.c -> core/ctx.c"; do
    grep -qF -- "$line" <<<"$out" || fail "real build: no '$line' in: $out"
done

if [[ $failures -gt 0 ]]; then
    echo "test_check_layers: $failures failures"
    exit 1
fi
echo "test_check_layers: all cases passed"
