#!/usr/bin/env bash
# Region names on the bundled provinces (data/provinces.shp, field `name`): --only picks regions
# through romanisations, accents, spacing and ISO 3166-2 codes; an unknown name is a usage error
# (exit 2) that lists the names available; --region-field. Also each province's region_ha against
# GeographicLib's Planimeter.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh" "$@"
need Planimeter

PROVINCES="$SOURCE_DIR/data/provinces.shp"
[[ -f $PROVINCES ]] || fail "no bundled $PROVINCES"
csv_layer "$DATA/border_utm.csv" cleared.gpkg EPSG:32648 -nln cleared -nlt POLYGON
RUN=(report --regions "$PROVINCES" --cleared cleared.gpkg --format json)

names() { j '[.regions[] | "\(.name)/\(.iso)"] | join(",")'; }

cc "${RUN[@]}" --only "Bolikhamxay,Xieng Khouang"
expect_ok "--only Bolikhamxay,Xieng Khouang"
assert_eq "$(names)" "Bolikhamxay/LA-BL,Xieng Khouang/LA-XI" "--only both provinces"
assert_eq "$(j .inputs.regions.features)" 2 "regions read"

# Each query and the province it must pick (spellings from data/README.md and ISO 3166-2:LA).
while IFS='|' read -r query want; do
    cc "${RUN[@]}" --only "$query"
    expect_ok "--only '$query'"
    assert_eq "$(names)" "$want" "--only '$query'"
done <<'EOF'
Bolikhamxay|Bolikhamxay/LA-BL
bolikhamsai|Bolikhamxay/LA-BL
Borikhane|Bolikhamxay/LA-BL
LA-BL|Bolikhamxay/LA-BL
xieng khouang|Xieng Khouang/LA-XI
  XIENG-KHOUANG  |Xieng Khouang/LA-XI
Xiêng Khouang|Xieng Khouang/LA-XI
Xiangkhouang|Xieng Khouang/LA-XI
LA-XI|Xieng Khouang/LA-XI
Xieng Khouang, LA-BL|Bolikhamxay/LA-BL,Xieng Khouang/LA-XI
EOF

# An unknown name: exit 2, the name quoted, the available names listed, nothing on stdout.
cc "${RUN[@]}" --only "Bolikhamxay,Atlantis"
expect_rc 2 "--only with an unknown name"
expect_err_has "'Atlantis'" "unknown name quoted"
expect_err_has "Bolikhamxay, Xieng Khouang" "available names listed"
[[ ! -s $WORK/out ]] || { show_last; fail "unknown name: nothing may go to stdout"; }

# --region-field: Natural Earth's own spellings from the name_ne column.
cc "${RUN[@]}" --region-field name_ne --only "Bolikhamxay,Xieng Khouang"
expect_ok "--region-field name_ne"
assert_eq "$(j '[.regions[].name] | join(",")')" "Bolikhamxai,Xiangkhoang" "--region-field name_ne"
cc "${RUN[@]}" --region-field nosuch
expect_rc 2 "--region-field with a missing field"
expect_err_has "nosuch" "missing field named"
expect_err_has "name_alt" "fields listed"

# region_ha against Planimeter. The province edges (straight in lon/lat, up to tens of km) are
# split at 0.001 degree in equal parts (OGR -segmentize, as the method says) and each ring measured
# on WGS84. (The bundled data/README.md gives SpatiaLite's 15,435.28 and 12,400.30 km2 for the
# undensified polygons.)
ogr2ogr -f GPKG provinces.gpkg "$PROVINCES" -nln provinces -segmentize 0.001
geodesic_ha provinces.gpkg "SELECT name AS key, geom FROM provinces" >ref.region
note "reference region_ha (Planimeter): $(tr '\t\n' '= ' <ref.region)"
cc "${RUN[@]}"
expect_ok "all provinces"
for i in 0 1; do
    name=$(j ".regions[$i].name")
    assert_close "$(j ".regions[$i].region_ha")" "$(lookup ref.region "$name")" 1e-9 \
        "$name region_ha vs Planimeter"
done

note "ok"
