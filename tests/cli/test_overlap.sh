#!/usr/bin/env bash
# Overlaps: an exact duplicate and a nested polygon do not change net_ha; gross - net is the
# overlap worked out by hand. Subsets of tests/data/cleared_utm.csv are picked with --where
# (which is tested here too). All in test region Alpha (EPSG:32648, 450000..452000 E,
# 2050000..2052000 N):
#   C01  450200..450500 x 2050200..2050500   300 m x 300 m = 9 ha
#   C02  450400..450700 x 2050300..2050600   9 ha; C01 n C02 = 100 m x 200 m = 2 ha
#   C03  450250..450350 x 2050250..2050350   1 ha, inside C01
#   C04  exactly C02                         9 ha
#   C07  455000..455200 x 2050500..2050700   4 ha, outside both regions
#   C11  449800..450200 x 2051500..2051800   12 ha across Alpha's west edge: 6 in, 6 out
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh" "$@"
need Planimeter

csv_layer "$DATA/regions_utm.csv" regions.gpkg EPSG:32648 -nln regions -nlt POLYGON
csv_layer "$DATA/cleared_utm.csv" cleared.gpkg EPSG:32648 -nln cleared -nlt MULTIPOLYGON
RUN=(report --regions regions.gpkg --cleared cleared.gpkg --format json)
PLANAR=(--area planar --crs EPSG:32648)

alpha_is() { # label net gross overlap tasks (hand values, planar)
    assert_close "$(j '.regions[0].net_ha')" "$2" 1e-9 "$1: Alpha net_ha"
    assert_close "$(j '.regions[0].gross_ha')" "$3" 1e-9 "$1: Alpha gross_ha"
    assert_close "$(j '.regions[0].overlap_ha')" "$4" 1e-9 "$1: Alpha overlap_ha"
    assert_eq "$(j '.regions[0].tasks')" "$5" "$1: Alpha tasks"
    assert_close "$(j '.regions[1].gross_ha')" 0 0 "$1: nothing in Beta"
}

# ---- planar, by hand ----
# C01 + C02: union 9 + 9 - 2 = 16, gross 18, overlap 2.
cc "${RUN[@]}" "${PLANAR[@]}" --where "task_id IN ('C01', 'C02')"
expect_ok "C01+C02"
alpha_is "C01+C02" 16 18 2 2
assert_eq "$(j .inputs.cleared.features)" 2 "--where keeps 2 features"

# + C03 (nested) + C04 (duplicate of C02): union still 16; gross 18 + 1 + 9 = 28; overlap 12.
cc "${RUN[@]}" "${PLANAR[@]}" --where "task_id IN ('C01', 'C02', 'C03', 'C04')"
expect_ok "C01..C04"
alpha_is "C01..C04" 16 28 12 4

# + C07 (outside) + C11 (half outside): net 16 + 6 = 22, gross 28 + 6 = 34, overlap still 12;
# outside 4 + 6 = 10; 5 tasks touch Alpha (C07 none).
cc "${RUN[@]}" "${PLANAR[@]}" --where "task_id IN ('C01', 'C02', 'C03', 'C04', 'C07', 'C11')"
expect_ok "C01..C04, C07, C11"
alpha_is "with C07, C11" 22 34 12 5
assert_close "$(j .totals.outside_ha)" 10 1e-9 "outside_ha = 4 + 6"
assert_eq "$(j .totals.tasks)" 5 "total tasks"
# The same as CSV, every figure by hand: Alpha 400 ha, 22 / 400 = 5.5 %.
cc report --regions regions.gpkg --cleared cleared.gpkg "${PLANAR[@]}" --format csv \
    --where "task_id IN ('C01', 'C02', 'C03', 'C04', 'C07', 'C11')"
expect_ok "CSV"
expect_out_has "Alpha,XX-A,400.000000,22.000000,34.000000,12.000000,5.500000,5" "CSV Alpha row"
expect_out_has "(outside),,,10.000000,,,," "CSV outside row"

# ---- geodesic: the duplicate and the nested polygon change gross, not net ----
cc "${RUN[@]}" --where "task_id IN ('C01', 'C02')"
expect_ok "geodesic C01+C02"
net1=$(j '.regions[0].net_ha')
gross1=$(j '.regions[0].gross_ha')
overlap1=$(j '.regions[0].overlap_ha')
cc "${RUN[@]}" --where "task_id IN ('C01', 'C02', 'C03', 'C04')"
expect_ok "geodesic C01..C04"
assert_close "$(j '.regions[0].net_ha')" "$net1" 1e-9 "geodesic: duplicate and nested leave net_ha"
# Independent geodesic areas (Planimeter on the polygons in lon/lat): the overlap C01 n C02,
# and C03 and C04 (counted again in gross).
geodesic_ha cleared.gpkg "SELECT task_id AS key, ST_Transform(geom, 4326) AS geom FROM cleared
    WHERE task_id IN ('C01', 'C02', 'C03', 'C04')" >ref.area
geodesic_ha cleared.gpkg "SELECT 'C01nC02' AS key, CollectionExtract(ST_Intersection(
    ST_Transform(a.geom, 4326), ST_Transform(b.geom, 4326)), 3) AS geom
    FROM cleared a, cleared b WHERE a.task_id = 'C01' AND b.task_id = 'C02'" >ref.overlap
note "geodesic reference (ha): $(tr '\t\n' '= ' <ref.area)$(tr '\t\n' '= ' <ref.overlap)"
want=$(awk -v o="$(lookup ref.overlap C01nC02)" -v c3="$(lookup ref.area C03)" \
    -v c4="$(lookup ref.area C04)" 'BEGIN { printf "%.9f", o + c3 + c4 }')
assert_close "$(j '.regions[0].overlap_ha')" "$want" 1e-6 "geodesic overlap = C01nC02 + C03 + C04"
assert_close "$overlap1" "$(lookup ref.overlap C01nC02)" 1e-6 "geodesic overlap of C01 and C02"
assert_close "$(j '.regions[0].gross_ha')" "$(awk -v g="$gross1" -v c3="$(lookup ref.area C03)" \
    -v c4="$(lookup ref.area C04)" 'BEGIN { printf "%.9f", g + c3 + c4 }')" 1e-6 \
    "geodesic gross grows by C03 + C04"

# ---- --where on other fields (the issue's example) ----
# status = 'cleared' AND year >= 2018: C05, C06, C07, C09, C10, C11, C12 (see the CSV).
cc "${RUN[@]}" --where "status = 'cleared' AND year >= 2018"
expect_ok "--where status and year"
assert_eq "$(j .inputs.cleared.features)" 7 "--where status = 'cleared' AND year >= 2018"
# Nothing matches: a valid run with zeros.
cc "${RUN[@]}" --where "year > 3000"
expect_ok "--where matching nothing"
assert_eq "$(j .inputs.cleared.features)" 0 "--where matching nothing: no features"
assert_close "$(j .totals.net_ha)" 0 0 "--where matching nothing: net 0"

note "ok"
