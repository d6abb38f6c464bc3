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

# ---- regions that share a name, picked by "name (parent)" (issue 15) ----
# Three small squares: Alpha and Beta in North, another Beta in South; the parent field is found
# by itself (province), or named with --parent-field (prov, not a usual name).
feature() { # NAME PARENT_FIELD PARENT LON0: a 0.05-degree square at LON0, 18.5
    printf '{"type":"Feature","properties":{"name":"%s","%s":"%s"},"geometry":{"type":"Polygon","coordinates":[[[%s,18.5],[%s,18.5],[%s,18.55],[%s,18.55],[%s,18.5]]]}}' \
        "$1" "$2" "$3" "$4" "$(awk -v x="$4" 'BEGIN { print x + 0.05 }')" \
        "$(awk -v x="$4" 'BEGIN { print x + 0.05 }')" "$4" "$4"
}
twins() { # PARENT_FIELD FILE
    printf '{"type":"FeatureCollection","features":[%s,%s,%s]}\n' "$(feature Alpha "$1" North 104.0)" \
        "$(feature Beta "$1" North 104.05)" "$(feature Beta "$1" South 104.1)" >"$2"
}
twins province twins.geojson
twins prov twins_prov.geojson
GOOD="$SOURCE_DIR/tests/bad/inputs/good.geojson"
TW=(report --regions twins.geojson --cleared "$GOOD" --format json)
picked() { j '[.regions[] | "\(.name)/\(.fid)"] | join(",")'; }

cc "${TW[@]}" --only Beta
expect_rc 2 "--only Beta (two regions)"
expect_err_has "twins.geojson: --only: 'Beta' is ambiguous: 2 regions have that name (\"Beta (North)\" = fid:1, \"Beta (South)\" = fid:2); pick one by name and parent (field province) or by feature id, e.g. --only \"Beta (North)\" or --only fid:1" \
    "ambiguous: both forms of every candidate"
# The example of the message, pasted back as it stands.
pick=$(sed -n 's/.*e\.g\. --only \("[^"]*"\) or --only fid:[0-9]*$/\1/p' "$WORK/err")
assert_eq "$pick" '"Beta (North)"' "the message's example"
eval "cc \"\${TW[@]}\" --only $pick"
expect_ok "--only $pick (pasted)"
assert_eq "$(picked)" "Beta/1" "--only $pick picks the Beta of North"
while IFS='|' read -r query want; do
    cc "${TW[@]}" --only "$query"
    expect_ok "--only '$query'"
    assert_eq "$(picked)" "$want" "--only '$query'"
done <<'EOF'
Beta (South)|Beta/2
beta  ( south )|Beta/2
Alpha (North)|Alpha/0
Alpha|Alpha/0
Beta (North), Beta (South)|Beta/1,Beta/2
fid:2|Beta/2
EOF
cc "${TW[@]}" --only "Beta (East)"
expect_rc 2 "--only 'Beta (East)'"
expect_err_has "no region matches 'Beta (East)' (parents from field province): \"Beta (North)\", \"Beta (South)\"" \
    "no such parent: the candidates listed"
# A parent field of another name: without --parent-field the message says how to use one.
TP=(report --regions twins_prov.geojson --cleared "$GOOD" --format json)
cc "${TP[@]}" --only Beta
expect_rc 2 "--only Beta without a parent field"
expect_err_has "2 regions have that name (fid:1, fid:2); pick one by its feature id, e.g. --only fid:1 (or as \"NAME (PARENT)\" with --parent-field naming the field of the parent region)" \
    "no parent field: feature ids, and --parent-field named"
cc "${TP[@]}" --only "Beta (South)"
expect_rc 2 "--only 'Beta (South)' without a parent field"
expect_err_has "no region matches 'Beta (South)': the regions have no parent field; name it with --parent-field" \
    "name (parent) without a parent field"
cc "${TP[@]}" --parent-field prov --only "Beta (South)"
expect_ok "--parent-field prov --only 'Beta (South)'"
assert_eq "$(picked)" "Beta/2" "--parent-field prov"
cc "${TP[@]}" --parent-field nope --only Beta
expect_rc 2 "--parent-field nope"
expect_err_has "twins_prov.geojson: --parent-field: no field 'nope' (fields: name, prov)" "unknown parent field"

note "ok"
