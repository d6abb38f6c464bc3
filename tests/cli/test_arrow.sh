#!/usr/bin/env bash
# A GeoPackage whose attributes the run does not need is read through GDAL's Arrow stream; with
# --where it is read feature by feature. Both ways must see the same features, with the same
# geometries, exclusions and repairs: every geometry kind the feature path handles is here (2D,
# 3D and curved polygons, multipolygons, a bow-tie, null, empty and point geometries).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh" "$@"

cat >"$WORK/kinds.csv" <<'CSV'
WKT,task_id
"POLYGON((402000 2079000,402300 2079000,402300 2079300,402000 2079300,402000 2079000))",A1
"MULTIPOLYGON(((402100 2079100,402500 2079100,402500 2079500,402100 2079500,402100 2079100)),((410000 2080000,410200 2080000,410200 2080200,410000 2080000)))",A2
"POLYGON Z ((403000 2079000 5,403300 2079000 5,403300 2079300 7,403000 2079300 7,403000 2079000 5))",A3
"CURVEPOLYGON(CIRCULARSTRING(404000 2079000,404200 2079200,404000 2079400,403800 2079200,404000 2079000))",A4
"POLYGON((405000 2079000,405300 2079300,405300 2079000,405000 2079300,405000 2079000))",A5
,A6
"POLYGON EMPTY",A7
"POINT(406000 2079000)",A8
"POLYGON((0.5 0.5,1 0.5,1 1,0.5 0.5))",A9
CSV
csv_layer "$WORK/kinds.csv" kinds.gpkg EPSG:32648 -nln cleared -nlt GEOMETRY

cc report --cleared kinds.gpkg --format json -vv
expect_ok "report on a GeoPackage (Arrow stream)"
expect_err_has "read through GDAL's Arrow stream" "the GeoPackage is read through Arrow"
save arrow.json
cc report --cleared kinds.gpkg --format json -vv --where "1 = 1"
expect_ok "report on a GeoPackage with --where (feature by feature)"
if grep -qF "Arrow stream" "$WORK/err"; then
    show_last
    fail "with --where the features are read one by one"
fi
save features.json

pick='{regions: .regions, totals: .totals, repaired: .repaired, excluded: .excluded,
       features: .inputs.cleared.features, used: .inputs.cleared.used}'
assert_eq "$(jq -S "$pick" "$WORK/arrow.json")" "$(jq -S "$pick" "$WORK/features.json")" \
    "Arrow and feature reading give the same result"
assert_eq "$(jq -r .inputs.cleared.features "$WORK/arrow.json")" 9 "all 9 features are read"
assert_eq "$(jq -r .inputs.cleared.used "$WORK/arrow.json")" 6 "6 features are used"
# ogr2ogr stores the CSV's empty cell and POLYGON EMPTY as null geometries (fids 6 and 7); the
# point (fid 8) is not polygonal; the bow-tie (fid 5) is repaired.
assert_eq "$(jq -c '[.excluded[].fid]' "$WORK/arrow.json")" "[6,7,8]" "excluded features"
assert_eq "$(jq -r '.excluded[2].reason' "$WORK/arrow.json")" "not polygonal (Point)" \
    "the point's reason"
assert_eq "$(jq -c '[.repaired[].fid]' "$WORK/arrow.json")" "[5]" "repaired features"
note "ok"
