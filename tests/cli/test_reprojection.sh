#!/usr/bin/env bash
# Reprojection: the same polygons stored in EPSG:32648, EPSG:4326, Lao 1997 (EPSG:4678) and a Lao
# 1997 / UTM zone 48N CRS given as WKT (tests/data/lao1997_utm48n.wkt; EPSG has no code for it)
# give the same hectares within 1e-6 and the same province assignment on the bundled provinces;
# the Lao 1997 datum shift (about 15 m) is honoured; Indian 1960 / UTM 48N (EPSG:3148), for which
# PROJ knows only a ballpark operation over Laos, fails without --allow-ballpark.
#
# tests/data/border_utm.csv: six polygons (edges <= 412 m, so that nothing is densified in any of
# the CRSs) around the Bolikhamxay / Xieng Khouang border near 402500 E 2080300 N (UTM 48N):
# R01 and its duplicate R06 in Bolikhamxay, R02 in Xieng Khouang, R03, R04 and R05 across the
# border. So by construction 5 tasks touch Bolikhamxay, 4 Xieng Khouang, 6 in all.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh" "$@"
need cs2cs Planimeter

TOL=1e-6
PROVINCES="$SOURCE_DIR/data/provinces.shp"
[[ -f $PROVINCES ]] || fail "no bundled $PROVINCES"

# ---- the same polygons in five CRSs (ogr2ogr transforms the vertices with PROJ) ----
csv_layer "$DATA/border_utm.csv" utm.gpkg EPSG:32648 -nln cleared -nlt POLYGON
ogr2ogr -f GeoJSON wgs84.geojson utm.gpkg -t_srs EPSG:4326 -lco RFC7946=NO \
    -lco COORDINATE_PRECISION=15
ogr2ogr -f "ESRI Shapefile" lao97.shp utm.gpkg -t_srs EPSG:4678
ogr2ogr -f GPKG lao97utm.gpkg utm.gpkg -t_srs "$DATA/lao1997_utm48n.wkt"
# Same numbers as UTM 48N, declared Indian 1960 / UTM 48N.
csv_layer "$DATA/border_utm.csv" indian.gpkg EPSG:3148 -nln cleared -nlt POLYGON

# The data were made with the datum shift: the first vertex of R01 (402000 2079000) in the
# Lao 1997 file is where cs2cs puts it (EPSG axis order: latitude first).
read -r lat lon _ < <(echo "402000 2079000" | cs2cs EPSG:32648 EPSG:4678 -f %.10f)
first=$(ogrinfo -ro -q lao97.shp -sql "SELECT * FROM lao97 WHERE task_id = 'R01'" |
    sed -nE 's/.*POLYGON \(\(([^ ,]+) ([^ ,]+),.*/\1 \2/p')
assert_close "${first% *}" "$lon" 1e-9 "lao97.shp R01 first vertex longitude vs cs2cs"
assert_close "${first#* }" "$lat" 1e-9 "lao97.shp R01 first vertex latitude vs cs2cs"

report() { # SRC [options]: JSON report on the two bundled provinces
    local src=$1
    shift
    cc report --regions "$PROVINCES" --cleared "$src" --format json "$@"
}

# Figures of one run as lines "field region value", for comparing runs.
figures() {
    # shellcheck disable=SC2016 # jq variables
    j '(.regions[] | .name as $n | "net \($n) \(.net_ha)", "gross \($n) \(.gross_ha)",
        "overlap \($n) \(.overlap_ha)", "tasks \($n) \(.tasks)"),
        "outside - \(.totals.outside_ha)"' |
        sed 's/Xieng Khouang/Xieng_Khouang/'
}

same_figures() { # label reference-file [tolerance [kind=tolerance]]: every figure of the last
    local label=$1 ref=$2 tol=${3:-$TOL} special=${4:-} kind region value want t # run equals
    figures >last.fig                                                              # the reference's
    while read -r kind region value; do
        want=$(awk -v k="$kind" -v r="$region" '$1 == k && $2 == r { print $3 }' "$ref")
        t=$tol
        [[ -n $special && $kind == "${special%%=*}" ]] && t=${special#*=}
        if [[ $kind == tasks ]]; then
            assert_eq "$value" "$want" "$label: tasks in $region"
        else
            assert_close "$value" "$want" "$t" "$label: $kind $region"
        fi
    done <last.fig
}

# ---- geodesic, default working frame ----
report utm.gpkg
expect_ok "UTM 48N source"
figures >utm.fig
assert_eq "$(j '[.regions[].name] | join(",")')" "Bolikhamxay,Xieng Khouang" "province names"
assert_eq "$(j '[.regions[].tasks] | join(",")')" "5,4" "tasks per province (by construction)"
assert_eq "$(j .totals.tasks)" 6 "tasks in all"
assert_eq "$(j .inputs.cleared.crs)" EPSG:32648 "source CRS label"

# Independent figures on the real provinces: SpatiaLite intersects the polygons (in lon/lat) with
# each province, Planimeter measures; tasks are the polygons with area in the province.
# The provinces' edges are straight lines in lon/lat up to 3 km long; the method (README, issue)
# splits lon/lat edges longer than 0.001 degree into equal parts before anything else, and so does
# the reference, with OGR's -segmentize (equal parts). Without it the reference measures each
# clipped stretch of border as one geodesic instead of a chain of 0.001-degree ones, and differs
# by about 0.6 m2 in 26 ha (2.5e-6).
ogr2ogr -f GPKG ref.gpkg "$PROVINCES" -nln provinces -segmentize 0.001
ogr2ogr -update ref.gpkg utm.gpkg -nln cleared
P="ST_Transform(p.geom, 4326)"
C="ST_Transform(c.geom, 4326)"
geodesic_ha ref.gpkg "SELECT p.name AS key, CollectionExtract(ST_Intersection($P,
    (SELECT ST_Union($C) FROM cleared c)), 3) AS geom FROM provinces p" >ref.net
geodesic_ha ref.gpkg "SELECT p.name AS key, CollectionExtract(ST_Intersection($P, $C), 3)
    AS geom FROM provinces p, cleared c" >ref.gross
sql ref.gpkg "SELECT p.name AS key, (SELECT COUNT(*) FROM cleared c
    WHERE ST_Area(ST_Intersection($P, $C)) > 0) AS tasks FROM provinces p" >ref.tasks
note "reference (ha, Planimeter): net $(tr '\t\n' '= ' <ref.net)gross $(
    tr '\t\n' '= ' <ref.gross)tasks $(tr '\t\n' '= ' <ref.tasks)"
for i in 0 1; do
    name=$(j ".regions[$i].name")
    assert_close "$(j ".regions[$i].net_ha")" "$(lookup ref.net "$name")" $TOL "$name net_ha"
    assert_close "$(j ".regions[$i].gross_ha")" "$(lookup ref.gross "$name")" $TOL \
        "$name gross_ha"
    assert_eq "$(j ".regions[$i].tasks")" "$(lookup ref.tasks "$name")" "$name tasks"
done
# Nothing is lost at the border: net over both provinces + outside = area of the union.
geodesic_ha ref.gpkg "SELECT 'all' AS key, ST_Union($C) AS geom FROM cleared c" >ref.all
assert_close "$(j '.totals.net_ha + .totals.outside_ha')" "$(lookup ref.all all)" $TOL \
    "net + outside = union of all polygons"

for src in wgs84.geojson lao97.shp lao97utm.gpkg; do
    report "$src"
    expect_ok "$src"
    same_figures "$src" utm.fig
done
report lao97.shp
expect_ok "Lao 1997 source"
assert_eq "$(j .inputs.cleared.crs)" EPSG:4678 "Lao 1997 source CRS label"
for src in lao97.shp lao97utm.gpkg; do
    report "$src"
    expect_ok "$src (Lao 1997 to WGS 84)"
    case $(j .inputs.cleared.operation) in
    *"Lao 1997 to WGS 84"*) ;;
    *) fail "$src: operation '$(j .inputs.cleared.operation)' is not Lao 1997 to WGS 84" ;;
    esac
done

# Control: the Lao 1997 numbers read as if they were WGS 84 (the datum shift ignored) move the
# polygons about 15 m and change the figures of the border-crossing ones well beyond 1e-6.
ogr2ogr -f GPKG wrongdatum.gpkg lao97.shp -a_srs EPSG:4326
report wrongdatum.gpkg
expect_ok "Lao 1997 numbers labelled WGS 84"
utm_net=$(awk '$1 == "net" && $2 == "Bolikhamxay" { print $3 }' utm.fig)
assert_differs "$(j '.regions[0].net_ha')" "$utm_net" 0.01 \
    "control: ignoring the Lao 1997 datum must change Bolikhamxay's net_ha"

# ---- planar in EPSG:32648 ----
report utm.gpkg --area planar --crs EPSG:32648
expect_ok "planar, UTM source"
figures >utm-planar.fig
for src in wgs84.geojson lao97.shp lao97utm.gpkg; do
    report "$src" --area planar --crs EPSG:32648
    expect_ok "planar, $src"
    same_figures "planar $src" utm-planar.fig
done
# Hand checks (planar in UTM 48N): R01 is 300 m x 300 m = 9 ha in Bolikhamxay, R06 its
# duplicate, R02 (9 ha) in Xieng Khouang. R03 (300 m x 400 m = 12 ha) and R05 (300 m x 200 m =
# 6 ha) overlap on 100 m x 200 m = 2 ha: union 16 ha, split between the provinces by the border.
report utm.gpkg --area planar --crs EPSG:32648 --where "task_id IN ('R01', 'R02', 'R06')"
expect_ok "planar R01, R02, R06"
assert_close "$(j '.regions[0].net_ha')" 9 1e-9 "planar: Bolikhamxay net = R01 = 9 ha"
assert_close "$(j '.regions[0].gross_ha')" 18 1e-9 "planar: Bolikhamxay gross = R01 + R06"
assert_close "$(j '.regions[1].net_ha')" 9 1e-9 "planar: Xieng Khouang net = R02 = 9 ha"
report utm.gpkg --area planar --crs EPSG:32648 --where "task_id IN ('R03', 'R05')"
expect_ok "planar R03, R05"
assert_close "$(j '.totals.net_ha')" 16 1e-9 "planar: R03 u R05 = 12 + 6 - 2 over both provinces"
assert_close "$(j '.totals.gross_ha')" 18 1e-9 "planar: R03 + R05 = 18 over both provinces"
assert_close "$(j '.totals.overlap_ha')" 2 1e-9 "planar: R03 n R05 = 2 over both provinces"
assert_close "$(j '.totals.outside_ha')" 0 0 "planar: R03, R05 wholly in the two provinces"

# ---- geodesic with the working frame in UTM 48N: again the same for every source CRS ----
report utm.gpkg --crs EPSG:32648
expect_ok "geodesic, UTM frame"
figures >utm-frame.fig
for src in wgs84.geojson lao97.shp lao97utm.gpkg; do
    report "$src" --crs EPSG:32648
    expect_ok "geodesic, UTM frame, $src"
    same_figures "geodesic in UTM frame, $src" utm-frame.fig
done
# Across working frames: region edges are split every 0.001 degree (~110 m) before reprojecting,
# so the clip line is the same in any frame to a fraction of a millimetre; the cleared polygons'
# own 500 m-or-shorter edges, straight in UTM, are drawn as near-geodesics in the default
# (gnomonic) frame, which moves net and gross by about 1e-7. overlap_ha, a small difference of
# the two (1.5 ha of 26), carries that as a few 1e-6 of itself, hence the looser bound on it.
same_figures "geodesic, UTM frame vs default frame" utm.fig 1e-6 overlap=1e-5
report utm.gpkg --crs EPSG:4326
expect_ok "geodesic, lon/lat frame"
same_figures "geodesic, lon/lat frame vs default frame" utm.fig 1e-6 overlap=1e-5

# ---- Indian 1960: ballpark only ----
report indian.gpkg
expect_rc 4 "Indian 1960 / UTM 48N without --allow-ballpark"
expect_err_has "--allow-ballpark" "Indian 1960 message names the option"
expect_err_has "ballpark" "Indian 1960 message says ballpark"
expect_err_has "indian.gpkg" "Indian 1960 message names the file"
report indian.gpkg --allow-ballpark
expect_ok "Indian 1960 / UTM 48N with --allow-ballpark"
assert_eq "$(j .totals.tasks)" 6 "Indian 1960 with --allow-ballpark: all six polygons placed"
case $(j .inputs.cleared.operation) in
*allpark*) ;;
*) fail "Indian 1960: operation '$(j .inputs.cleared.operation)' should say ballpark" ;;
esac

note "ok"
