#!/usr/bin/env bash
# Every figure at scale against an independent reference, within 1e-6 relative, with 1, 2, 3, 5
# and 7 threads (or those given as a third argument, e.g. "1 3" in the sanitizer tree).
#
# The set: `clearcov synth --count 20000 --seed 7` (EPSG:32648) around the two bundled provinces,
# keeping the features GEOS finds valid (about 19,000: repair is tested elsewhere and SpatiaLite's
# ST_MakeValid is not GEOS's "structure" method). That is about 37 cells of the dissolve (one cell
# per 512 polygons; one cell only below 1,024), 5 read batches of 4,096 records (overlapped with
# the preparation from 2 threads on), thousands of polygons cut at cell edges, nested, duplicated
# and chained groups, polygons across the shared border and the outer ones, and polygons outside.
# The provinces are reprojected vertex by vertex to EPSG:32648 by ogr2ogr (PROJ), and clearcov runs
# with --crs EPSG:32648, so both sides overlay the same coordinates in the same plane; once more in
# the default working frame (gnomonic), against the same reference.
#
# The reference: SpatiaLite (GEOS through GDAL's SQLite dialect) unions every polygon at once
# (ST_Union), intersects with each province (net), intersects every polygon with each province
# (gross, tasks), takes the union minus the provinces (outside); each result is split every 100 m
# (ST_Segmentize: the straight UTM edges followed closely by geodesics), transformed to lon/lat
# and its rings measured by GeographicLib's Planimeter (Karney) on WGS84 (geodesic_ha, lib.sh).
# Nothing of clearcov's grid, batches or threads is in it. Measured: the figures agree to a few
# 1e-10; a cell-edge piece dropped on purpose (one cut piece per cell left out in cell_cut) moved
# the net figures by 1e-4 and failed this test.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh" "$@"
need Planimeter

TOL=1e-6
COUNT=20000
SEED=7
read -r -a THREADS <<<"${3:-1 2 3 5 7}"

cc synth --count $COUNT --seed $SEED -o synth.gpkg
expect_ok "synth --count $COUNT --seed $SEED"
ogr2ogr -f GPKG set.gpkg "$SOURCE_DIR/data/provinces.shp" -t_srs EPSG:32648 -nln regions \
    -nlt POLYGON || fail "cannot reproject the provinces"
ogr2ogr -update -f GPKG set.gpkg synth.gpkg cleared -nln cleared -nlt MULTIPOLYGON \
    -dialect SQLite -sql "SELECT * FROM cleared WHERE ST_IsValid(geom) = 1" 2>/dev/null ||
    fail "cannot copy the valid synthetic polygons"
n=$(sql_one set.gpkg "SELECT count(*) AS n FROM cleared")
[[ $n -gt $((4 * 4096)) ]] || fail "only $n valid polygons: fewer than 5 read batches"
note "$n valid polygons of $COUNT"

# ---- the reference ----
# The union once, kept as a layer (ST_Union of ~19,000 polygons takes about 10 s).
ogr2ogr -update -f GPKG set.gpkg set.gpkg -dialect SQLite -nln u -nlt MULTIPOLYGON \
    -sql "SELECT ST_Union(geom) AS geom FROM cleared" || fail "SpatiaLite union failed"
ogr2ogr -update -f GPKG set.gpkg set.gpkg -dialect SQLite -nln ru -nlt MULTIPOLYGON \
    -sql "SELECT ST_Union(geom) AS geom FROM regions" || fail "SpatiaLite union of regions failed"
L="ST_Transform(ST_Segmentize(CollectionExtract"
R=", 3), 100), 4326)"
geodesic_ha set.gpkg "SELECT r.name AS key, $L(ST_Intersection(r.geom, u.geom)$R AS geom
    FROM regions r, u" >ref.net
# Gross: a polygon that a province covers is itself (no intersection to compute).
geodesic_ha set.gpkg "SELECT r.name AS key, $L(CASE WHEN ST_Covers(r.geom, c.geom) = 1
    THEN c.geom ELSE ST_Intersection(r.geom, c.geom) END$R AS geom
    FROM regions r, cleared c" >ref.gross
# Tasks: features with area in the province (the rows geodesic_ha measured, by key).
jq -r '.features[] | select(.geometry != null) | .properties.key' "$WORK/ref.geojson" |
    sort | uniq -c | awk '{ n = $1; $1 = ""; sub(/^ /, ""); printf "%s\t%d\n", $0, n }' >ref.tasks
geodesic_ha set.gpkg "SELECT r.name AS key, ST_Transform(ST_Segmentize(r.geom, 100), 4326) AS geom
    FROM regions r" >ref.region
geodesic_ha set.gpkg "SELECT 'outside' AS key, $L(ST_Difference(u.geom, ru.geom)$R AS geom
    FROM u, ru" >ref.outside
for f in net gross tasks region; do
    [[ $(wc -l <ref.$f) -eq 2 ]] || fail "reference $f: $(wc -l <ref.$f) regions, not 2"
done
note "reference (ha): net $(tr '\t\n' '= ' <ref.net)gross $(tr '\t\n' '= ' <ref.gross)$(
    tr '\t\n' '= ' <ref.outside)tasks $(tr '\t\n' '= ' <ref.tasks)"

# ---- clearcov, each thread count ----
check_run() { # $1: label
    local label=$1 i name net gross
    assert_eq "$(j '.regions | length')" 2 "$label: two regions"
    assert_eq "$(j .inputs.cleared.features)" "$n" "$label: features read"
    assert_eq "$(j .inputs.cleared.used)" "$n" "$label: features used"
    assert_eq "$(j '.excluded | length') $(j '.repaired | length')" "0 0" "$label: none excluded or repaired"
    for i in 0 1; do
        name=$(j ".regions[$i].name")
        net=$(lookup ref.net "$name")
        gross=$(lookup ref.gross "$name")
        assert_close "$(j ".regions[$i].net_ha")" "$net" $TOL "$label: $name net_ha"
        assert_close "$(j ".regions[$i].gross_ha")" "$gross" $TOL "$label: $name gross_ha"
        assert_close "$(j ".regions[$i].overlap_ha")" \
            "$(awk -v g="$gross" -v n="$net" 'BEGIN { printf "%.9f", g - n }')" $TOL \
            "$label: $name overlap_ha"
        assert_close "$(j ".regions[$i].region_ha")" "$(lookup ref.region "$name")" $TOL \
            "$label: $name region_ha"
        assert_eq "$(j ".regions[$i].tasks")" "$(lookup ref.tasks "$name")" "$label: $name tasks"
    done
    assert_close "$(j .totals.outside_ha)" "$(lookup ref.outside outside)" $TOL "$label: outside_ha"
    assert_close "$(j .totals.net_ha)" "$(awk -F'\t' '{ s += $2 } END { printf "%.9f", s }' ref.net)" \
        $TOL "$label: total net_ha"
}

for t in "${THREADS[@]}"; do
    cc report --regions set.gpkg --regions-layer regions --cleared set.gpkg --cleared-layer cleared \
        --crs EPSG:32648 --format json --threads "$t"
    expect_ok "--threads $t"
    check_run "--threads $t"
    save "t$t.json"
    note "--threads $t: $(jq -c '[.regions[] | [.name, .net_ha, .gross_ha]]' "$WORK/out") outside $(j .totals.outside_ha)"
done
# The default working frame (gnomonic around the regions): clearcov splits the straight UTM edges
# before projecting, so the same reference holds (measured: within 1e-10).
cc report --regions set.gpkg --regions-layer regions --cleared set.gpkg --cleared-layer cleared \
    --format json --threads 2
expect_ok "default working frame"
assert_eq "$(j .working_frame | cut -c1-20)" "Gnomonic centred on " "default working frame"
check_run "default working frame"
# The figures do not depend on the thread count: the same JSON, bit for bit.
for t in "${THREADS[@]}"; do
    cmp -s "t${THREADS[0]}.json" "t$t.json" ||
        fail "--threads $t and --threads ${THREADS[0]} give different reports"
done

note "ok"
