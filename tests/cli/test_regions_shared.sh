#!/usr/bin/env bash
# Region names on the shared geoBoundaries ADM1 file (../shared/data/, read-only, not part of the
# project), whose names are Bolikhamsai and Xiangkhouang in field shapeName with shapeISO:
# --only "Bolikhamxay,Xieng Khouang" must pick them; on the ADM2 file, the two Phonthong districts
# by feature id, and by "name (province)" once a province field is added. Skipped (exit 77) when
# ../shared is absent.
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

# ---- ADM2: two districts named Phonthong, no ISO codes: picked by feature id ----
ADM2="$SOURCE_DIR/../shared/data/lao_adm2_geoboundaries.geojson"
if [[ -f $ADM2 ]]; then
    fids=$(ogrinfo -q -ro -al "$ADM2" -where "shapeName = 'Phonthong'" | sed -n 's/^OGRFeature([^)]*):\([0-9]*\)$/\1/p' | paste -sd ' ')
    read -r f1 f2 <<<"$fids"
    [[ -n $f1 && -n $f2 ]] || fail "ADM2: two Phonthong features expected (got '$fids')"
    RUN2=(report --regions "$ADM2" --cleared cleared.gpkg --format json)
    cc "${RUN2[@]}" --only Phonthong
    expect_rc 2 "--only Phonthong (two districts)"
    expect_err_has "'Phonthong' is ambiguous: 2 regions have that name (fid:$f1, fid:$f2); pick one by its feature id, e.g. --only fid:$f1 (or as \"NAME (PARENT)\" with --parent-field naming the field of the parent region)" "ambiguous name offers the feature ids"
    cc "${RUN2[@]}" --only "fid:$f2,fid:$f1"
    expect_ok "--only fid:$f2,fid:$f1"
    assert_eq "$(j '[.regions[] | "\(.name)/\(.fid)"] | sort | join(",")')" \
        "$(printf 'Phonthong/%s\nPhonthong/%s\n' "$f1" "$f2" | sort | paste -sd ,)" "both Phonthong districts by fid"
    cc "${RUN2[@]}" --only Phonthongg
    expect_rc 2 "--only Phonthongg"
    expect_err_has "no region matches 'Phonthongg'; did you mean 'Phonthong' or 'Phonhong'? (and 146 other regions)" \
        "nearest names, the rest counted"
    # No near name: the names in file order, cut where the message must end, the rest counted.
    cc "${RUN2[@]}" --only Zzzzz
    expect_rc 2 "--only Zzzzz"
    line=$(grep -m1 "no region matches 'Zzzzz'" "$WORK/err")
    [[ $line =~ \(regions:\ (.*),\ \.\.\.\ and\ ([0-9]+)\ more\)$ ]] || fail "Zzzzz: list not cut with '... and N more)': $line"
    shown=$(awk -F', ' '{ print NF }' <<<"${BASH_REMATCH[1]}")
    assert_eq "$((shown + BASH_REMATCH[2]))" "$(ogrinfo -ro -so -al "$ADM2" | sed -n 's/^Feature Count: //p')" "names shown + names counted = features"
    grep -q "try 'clearcov --help'" "$WORK/err" && fail "a name the data lacks is not a usage hint"
    note "ADM2: Phonthong fid:$f1 and fid:$f2 picked by id; suggestions; list cut with a count"
    # The same districts with the province that holds most of each one's area (SpatiaLite, as
    # --districts assigns them), as a field: then "Phonthong (Champasak)" picks one (issue 15).
    ogr2ogr -f SQLite -dsco SPATIALITE=YES lao.sqlite "$ADM1" -nln adm1
    ogr2ogr -update lao.sqlite "$ADM2" -nln adm2
    ogr2ogr -f GPKG adm2p.gpkg lao.sqlite -nln districts -sql "SELECT shapeName, shapeISO,
        province, MAX(a) AS share, geom FROM (SELECT d.ogc_fid AS id, d.shapename AS shapeName,
        d.shapeiso AS shapeISO, p.shapename AS province,
        ST_Area(ST_Intersection(d.geometry, p.geometry)) AS a, d.geometry AS geom
        FROM adm2 d, adm1 p WHERE ST_Intersects(d.geometry, p.geometry)) GROUP BY id ORDER BY id"
    pfid() { ogrinfo -q -ro adm2p.gpkg districts -where "shapeName = 'Phonthong' AND province = '$1'" |
        sed -n 's/^OGRFeature([^)]*):\([0-9]*\)$/\1/p'; }
    fc=$(pfid Champasak)
    fl=$(pfid "Luang Prabang")
    [[ -n $fc && -n $fl ]] || fail "ADM2: Phonthong in Champasak and in Luang Prabang expected ($fc, $fl)"
    RUN3=(report --regions adm2p.gpkg --cleared cleared.gpkg --format json)
    cc "${RUN3[@]}" --only Phonthong
    expect_rc 2 "--only Phonthong with a province field"
    expect_err_has "'Phonthong' is ambiguous: 2 regions have that name (\"Phonthong (Luang Prabang)\" = fid:$fl, \"Phonthong (Champasak)\" = fid:$fc); pick one by name and parent (field province) or by feature id, e.g. --only \"Phonthong (Luang Prabang)\" or --only fid:$fl" \
        "ambiguous: name (parent) and fid of each"
    cc "${RUN3[@]}" --only "Phonthong (Champasak)"
    expect_ok "--only 'Phonthong (Champasak)'"
    assert_eq "$(j '[.regions[] | "\(.name)/\(.fid)"] | join(",")')" "Phonthong/$fc" "Phonthong (Champasak) picked"
    ha_c=$(j '.regions[0].region_ha')
    cc "${RUN3[@]}" --only "Phonthong (Luang Prabang)"
    expect_ok "--only 'Phonthong (Luang Prabang)'"
    assert_eq "$(j '[.regions[] | "\(.name)/\(.fid)"] | join(",")')" "Phonthong/$fl" "Phonthong (Luang Prabang) picked"
    # The same district as in the file without the field (GeoJSON fids count from 0, the copy's
    # from 1, in the same order).
    cc "${RUN2[@]}" --only "fid:$((fc - 1))"
    expect_ok "--only fid:$((fc - 1)) on the geoBoundaries file"
    assert_close "$(j '.regions[0].region_ha')" "$ha_c" 1e-9 "Phonthong (Champasak) is the same district"
    cc "${RUN2[@]}" --only "Phonthong (Champasak)"
    expect_rc 2 "--only 'Phonthong (Champasak)' on the file without a parent field"
    expect_err_has "no region matches 'Phonthong (Champasak)': the regions have no parent field; name it with --parent-field" \
        "no parent field in geoBoundaries ADM2: said so"
    note "ADM2 with a province field: Phonthong (Champasak) fid:$fc, Phonthong (Luang Prabang) fid:$fl"
fi

note "ok"
