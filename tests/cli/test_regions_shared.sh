#!/usr/bin/env bash
# Region names on the shared geoBoundaries ADM1 file (../shared/data/, read-only, not part of the
# project), whose names are Bolikhamsai and Xiangkhouang in field shapeName with shapeISO:
# --only "Bolikhamxay,Xieng Khouang" must pick them. Skipped (exit 77) when ../shared is absent.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh" "$@"
need Planimeter

ADM1="$SOURCE_DIR/../shared/data/lao_adm1_geoboundaries.geojson"
[[ -f $ADM1 ]] || skip "$ADM1 is absent (the shared reference data sit beside the repository)"

csv_layer "$DATA/border_utm.csv" cleared.gpkg EPSG:32648 -nln cleared -nlt POLYGON
RUN=(report --regions "$ADM1" --cleared cleared.gpkg --format json)

cc "${RUN[@]}" --only "Bolikhamxay,Xieng Khouang"
expect_ok "--only Bolikhamxay,Xieng Khouang on geoBoundaries"
assert_eq "$(j '[.regions[] | "\(.name)/\(.iso)"] | join(",")')" \
    "Bolikhamsai/LA-BL,Xiangkhouang/LA-XI" "geoBoundaries names picked"
assert_eq "$(j .inputs.regions.features)" 18 "all 18 provinces read"
# The six test polygons lie on the Bolikhamsai / Xiangkhouang border: nothing outside the two.
assert_eq "$(j .totals.tasks)" 6 "all six polygons placed"
assert_close "$(j .totals.outside_ha)" 0 0 "nothing outside the two provinces"
# Nothing lost or counted twice at the border: net over the two = area of the union of the
# polygons (Planimeter on their union in lon/lat).
geodesic_ha cleared.gpkg "SELECT 'all' AS key, ST_Union(ST_Transform(geom, 4326)) AS geom
    FROM cleared" >ref.all
assert_close "$(j .totals.net_ha)" "$(lookup ref.all all)" 1e-6 "net = area of the union"

# region_ha against Planimeter (edges split at 0.001 degree, as the method does).
ogr2ogr -f GPKG adm1.gpkg "$ADM1" -nln adm1 -segmentize 0.001 \
    -where "shapeISO IN ('LA-BL', 'LA-XI')"
geodesic_ha adm1.gpkg "SELECT shapeName AS key, geom FROM adm1" >ref.region
note "reference region_ha (Planimeter): $(tr '\t\n' '= ' <ref.region)"
for i in 0 1; do
    name=$(j ".regions[$i].name")
    assert_close "$(j ".regions[$i].region_ha")" "$(lookup ref.region "$name")" 1e-9 \
        "$name region_ha vs Planimeter"
done

# ISO codes and other spellings work here too.
cc "${RUN[@]}" --only "LA-XI, borikhamxay"
expect_ok "--only by code and variant"
assert_eq "$(j '[.regions[].name] | join(",")')" "Bolikhamsai,Xiangkhouang" "code and variant"

# Unknown name: exit 2 and the 18 names listed.
cc "${RUN[@]}" --only "Atlantis"
expect_rc 2 "unknown name on geoBoundaries"
expect_err_has "'Atlantis'" "unknown name quoted"
expect_err_has "Xaisomboun" "available names listed"
expect_err_has "Xiangkhouang" "available names listed"

note "ok"
