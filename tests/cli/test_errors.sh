#!/usr/bin/env bash
# Error paths: exit code and message for each (STYLE rules 11, 12, 14, 23), and features that
# cannot be used, listed with their fid and reason instead of being dropped silently.
#   2 usage, 3 input or output, 4 CRS or projection.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh" "$@"

csv_layer "$DATA/border_utm.csv" good.gpkg EPSG:32648 -nln cleared -nlt POLYGON
expect_nothing_out() {
    [[ ! -s $WORK/out ]] || { show_last; fail "$1: nothing may be written to stdout"; }
}

# ---- usage (2): one line and "try 'clearcov --help'" ----
for args in "report --bogus" "report --format xml" "report --area sideways" "report extra" \
    "frobnicate" "" "report --cleared" "chart --by month" "map --width 5"; do
    # shellcheck disable=SC2086 # word splitting wanted
    cc $args
    expect_rc 2 "clearcov $args"
    expect_err_has "try 'clearcov --help'" "clearcov $args"
    expect_nothing_out "clearcov $args"
    # one message, then the hint: a refused value is not also called an unknown option
    assert_eq "$(wc -l <"$WORK/err")" 2 "clearcov $args: two lines on stderr"
done
cc report --area planar
expect_rc 2 "--area planar without --crs"
expect_err_has "--crs" "--area planar without --crs names --crs"
cc --help
expect_ok "--help"
expect_out_has "Exit codes" "--help documents the exit codes"
cc --version
expect_ok "--version"
expect_out_has "PROJ" "--version names PROJ"

# ---- missing and unreadable inputs (3), the file named ----
cc report --cleared "$WORK/no/such/cleared.gpkg"
expect_rc 3 "missing cleared file"
expect_err_has "$WORK/no/such/cleared.gpkg" "missing cleared file named"
cc report --regions "$WORK/nowhere.shp" --cleared good.gpkg
expect_rc 3 "missing regions file"
expect_err_has "$WORK/nowhere.shp" "missing regions file named"
: >empty.gpkg
cc report --cleared empty.gpkg
expect_rc 3 "empty file"
expect_err_has "empty.gpkg" "empty file named"
echo "not a dataset" >junk.gpkg
cc report --cleared junk.gpkg
expect_rc 3 "unreadable file"
expect_err_has "junk.gpkg" "unreadable file named"

# ---- a source without a CRS (4) unless --assume-crs ----
csv_layer "$DATA/border_utm.csv" nocrs.shp "" -nlt POLYGON
[[ ! -e nocrs.prj ]] || fail "test setup: nocrs.shp has a .prj"
cc report --cleared nocrs.shp
expect_rc 4 "no CRS"
expect_err_has "--assume-crs" "no CRS message names --assume-crs"
expect_err_has "nocrs.shp" "no CRS message names the file"
cc report --cleared nocrs.shp --assume-crs EPSG:32648 --format json
expect_ok "no CRS with --assume-crs"
nocrs_net=$(j .totals.net_ha)
cc report --cleared good.gpkg --format json
expect_ok "the same polygons with their CRS"
assert_close "$nocrs_net" "$(j .totals.net_ha)" 1e-12 "--assume-crs EPSG:32648 = declared CRS"
cc report --cleared nocrs.shp --assume-crs "not a crs"
expect_rc 4 "--assume-crs that PROJ does not know"
cc report --cleared good.gpkg --crs EPSG:999999
expect_rc 4 "--crs that PROJ does not know"
expect_err_has "--crs" "bad --crs named"

# ---- --where syntax error (2), on sources OGR SQL filters (shapefile, GeoJSON) ----
ogr2ogr -f GeoJSON good.geojson good.gpkg
for src in nocrs.shp good.geojson; do
    cc report --cleared "$src" --assume-crs EPSG:32648 --where "task_id =="
    expect_rc 2 "--where syntax error on $src"
    expect_err_has "--where" "--where error on $src names the option"
    expect_nothing_out "--where syntax error on $src"
done
cc report --cleared nocrs.shp --assume-crs EPSG:32648 --where "no_such_field = 1"
expect_rc 2 "--where on a missing field"
expect_err_has "no_such_field" "--where missing field named"
# (The same on GeoPackage, whose driver hands the filter to SQLite: tests/cli/test_where_gpkg.sh.)

# ---- multi-layer source without --cleared-layer (3) ----
csv_layer "$DATA/regions_utm.csv" multi.gpkg EPSG:32648 -nln regions -nlt POLYGON
csv_layer "$DATA/border_utm.csv" multi.gpkg EPSG:32648 -update -nln cleared -nlt POLYGON
cc report --cleared multi.gpkg
expect_rc 3 "multi-layer source without --cleared-layer"
expect_err_has "--cleared-layer" "multi-layer message names --cleared-layer"
expect_err_has "regions" "multi-layer message lists the layers"
cc report --cleared multi.gpkg --cleared-layer nope
expect_rc 3 "--cleared-layer naming no layer"
expect_err_has "nope" "missing layer named"
cc report --cleared multi.gpkg --cleared-layer cleared --format json
expect_ok "--cleared-layer cleared"
assert_eq "$(j .inputs.cleared.layer)" cleared "layer used"

# ---- --output (3 when it exists, unless --overwrite) ----
echo "keep me" >existing.txt
cc report --cleared good.gpkg --output existing.txt
expect_rc 3 "--output to an existing file"
expect_err_has "--overwrite" "existing output names --overwrite"
assert_eq "$(cat existing.txt)" "keep me" "existing output left alone"
cc report --cleared good.gpkg --output existing.txt --overwrite --format json
expect_ok "--output with --overwrite"
expect_nothing_out "--output"
jq -e '.regions | length == 2' existing.txt >/dev/null || fail "--overwrite did not write JSON"
cc report --cleared good.gpkg -o "$WORK/no/dir/report.json"
expect_rc 3 "--output into a missing directory"
expect_err_has "$WORK/no/dir/report.json" "unwritable output named"
[[ -z $(find "$WORK" -name '.clearcov-*') ]] || fail "temporary output files left behind"

# ---- unusable and repaired features: listed with fid and reason ----
# tests/data/invalid_utm.csv, fids 1..10 in file order (GeoPackage numbers rows from 1):
# V01 fine, V02 bow-tie, V03 hole outside shell, V04 null, V05 line, V06 POLYGON EMPTY (null once
# through OGR's CSV reader), V07 zero area, V08 collection of a polygon and a line, V09 point,
# V10 repeated point (valid).
csv_layer "$DATA/invalid_utm.csv" invalid.gpkg EPSG:32648 -nln cleared -nlt GEOMETRY
fid_of() { sql invalid.gpkg "SELECT fid + 0 AS f FROM cleared WHERE task_id = '$1'"; }
for pair in V01:1 V04:4 V09:9 V10:10; do # the numbering relied on below, checked with SQL
    assert_eq "$(fid_of "${pair%:*}")" "${pair#*:}" "fid of ${pair%:*}"
done
csv_layer "$DATA/regions_utm.csv" regions.gpkg EPSG:32648 -nln regions -nlt POLYGON
cc report --regions regions.gpkg --cleared invalid.gpkg --area planar --crs EPSG:32648 \
    --format json
expect_ok "invalid features"
assert_eq "$(j '[.excluded[].fid] | join(",")')" "4,5,6,7,9" "excluded fids"
assert_eq "$(j '[.repaired[].fid] | join(",")')" "2,3,8" "repaired fids"
assert_eq "$(j '[.excluded[], .repaired[] | .source == "invalid.gpkg"] | all')" true \
    "notes name the source"
assert_eq "$(j '.excluded[] | select(.fid == 4) | .reason')" "no geometry (null)" "V04 reason"
case $(j '.excluded[] | select(.fid == 5) | .reason') in *polygonal*) ;;
*) fail "V05 (line) reason: $(j '.excluded[] | select(.fid == 5) | .reason')" ;; esac
case $(j '.excluded[] | select(.fid == 7) | .reason') in *area*) ;;
*) fail "V07 (zero area) reason: $(j '.excluded[] | select(.fid == 7) | .reason')" ;; esac
case $(j '.excluded[] | select(.fid == 9) | .reason') in *polygonal*) ;;
*) fail "V09 (point) reason: $(j '.excluded[] | select(.fid == 9) | .reason')" ;; esac
case $(j '.repaired[] | select(.fid == 2) | .reason') in *elf-intersection*) ;;
*) fail "V02 (bow-tie) reason: $(j '.repaired[] | select(.fid == 2) | .reason')" ;; esac
case $(j '.repaired[] | select(.fid == 3) | .reason') in *outside*) ;;
*) fail "V03 (hole outside shell) reason: $(j '.repaired[] | select(.fid == 3) | .reason')" ;; esac
assert_eq "$(j .inputs.cleared.features)" 10 "features read"
assert_eq "$(j .inputs.cleared.used)" 5 "features used"
# The repaired ones count (planar, by hand, all in Alpha): V01 200 m x 200 m = 4 ha; V02 two
# triangles of 200 m base and 100 m height = 2 x 1 ha; V03 shell 4 ha + its outside 'hole'
# 100 m x 100 m = 1 ha (GEOS make-valid keeps it as a part); V08 the polygon, 4 ha; V10 4 ha.
assert_close "$(j '.regions[0].net_ha')" 19 1e-9 "net = 4 + 2 + 5 + 4 + 4"
assert_eq "$(j '.regions[0].tasks')" 5 "tasks"
# The table says how many were repaired and excluded; -v names each on stderr.
cc report --regions regions.gpkg --cleared invalid.gpkg -v
expect_ok "table with -v"
expect_out_has "Repaired: 3 feature(s); excluded: 5 feature(s)" "table counts"
expect_err_has "invalid.gpkg: feature 4: no geometry (null)" "-v names feature 4"

# Non-finite coordinates (a GeoJSON reader keeps NaN; WKT readers refuse it).
cat >nan.geojson <<'EOF'
{ "type": "FeatureCollection", "features": [
  { "type": "Feature", "properties": { "task_id": "N1" }, "geometry": { "type": "Polygon",
    "coordinates": [ [ [ 103.5, 18.5 ], [ 103.51, 18.5 ], [ NaN, 18.51 ], [ 103.5, 18.5 ] ] ] } },
  { "type": "Feature", "properties": { "task_id": "N2" }, "geometry": { "type": "Polygon",
    "coordinates": [ [ [ 103.5, 18.5 ], [ 103.51, 18.5 ], [ 103.51, 18.51 ], [ 103.5, 18.5 ] ] ] } }
] }
EOF
cc report --cleared nan.geojson --format json
expect_ok "NaN coordinate"
assert_eq "$(j '[.excluded[] | "\(.fid): \(.reason)"] | join(";")')" \
    "0: non-finite coordinates (NaN or infinity)" "NaN feature excluded with its fid"
assert_eq "$(j .inputs.cleared.used)" 1 "the finite feature used"

note "ok"
