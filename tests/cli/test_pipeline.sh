#!/usr/bin/env bash
# The whole pipeline (repair, reprojection, dissolve, clip, area) on a small set against an
# independent computation, within 1e-6 relative:
#   - geodesic (default working frame: gnomonic around the regions; WGS84 ellipsoid): SpatiaLite transforms every
#     polygon to lon/lat, unions and intersects there, and GeographicLib's Planimeter measures
#     the resulting rings;
#   - planar (--area planar --crs EPSG:32648): SpatiaLite's ST_Union/ST_Intersection/ST_Area in
#     EPSG:32648.
# Data (tests/data/README.md): two test regions Alpha and Beta in EPSG:32648 sharing an edge, with
# a vertex every 250 m (split every 100 m here, as the method splits region edges before
# reprojecting: collinear points change nothing in the plane); twelve cleared polygons (edges
# < 500 m, which the method leaves whole)
# with overlaps, a nested one, an exact duplicate, a hole, a multipolygon, polygons crossing the
# shared edge and the outer edge, and one outside both.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh" "$@"
need Planimeter

TOL=1e-6
csv_layer "$DATA/regions_utm.csv" set.gpkg EPSG:32648 -nln regions -nlt POLYGON -segmentize 100
csv_layer "$DATA/cleared_utm.csv" set.gpkg EPSG:32648 -update -nln cleared -nlt MULTIPOLYGON

# Cleared polygons whose clipped area in a region is positive, counted per region.
TASKS_SQL="SELECT r.name AS key, (SELECT COUNT(*) FROM cleared c
    WHERE ST_Area(ST_Intersection(r.geom, c.geom)) > 0) AS tasks FROM regions r"

check_run() { # $1: label; reference files ref.net ref.gross ref.region ref.tasks, value outside
    local label=$1 outside=$2 region name
    for region in 0 1; do
        name=$(j ".regions[$region].name")
        assert_close "$(j ".regions[$region].net_ha")" "$(lookup ref.net "$name")" $TOL \
            "$label: $name net_ha"
        assert_close "$(j ".regions[$region].gross_ha")" "$(lookup ref.gross "$name")" $TOL \
            "$label: $name gross_ha"
        assert_close "$(j ".regions[$region].overlap_ha")" \
            "$(awk -v g="$(lookup ref.gross "$name")" -v n="$(lookup ref.net "$name")" \
                'BEGIN { printf "%.9f", g - n }')" $TOL "$label: $name overlap_ha"
        assert_close "$(j ".regions[$region].region_ha")" "$(lookup ref.region "$name")" $TOL \
            "$label: $name region_ha"
        assert_eq "$(j ".regions[$region].tasks")" "$(lookup ref.tasks "$name")" \
            "$label: $name tasks"
    done
    assert_close "$(j .totals.outside_ha)" "$outside" $TOL "$label: outside_ha"
    assert_close "$(j .totals.net_ha)" \
        "$(awk -F'\t' '{ s += $2 } END { printf "%.9f", s }' ref.net)" $TOL "$label: total net_ha"
    assert_close "$(j .totals.gross_ha)" \
        "$(awk -F'\t' '{ s += $2 } END { printf "%.9f", s }' ref.gross)" $TOL \
        "$label: total gross_ha"
    # Features with area in some region: all but C07 (wholly outside), by construction.
    assert_eq "$(j .totals.tasks)" 11 "$label: total tasks"
    assert_eq "$(j '.inputs.cleared.features')" 12 "$label: cleared features read"
    assert_eq "$(j '.inputs.cleared.used')" 12 "$label: cleared features used"
    assert_eq "$(j '.excluded | length')" 0 "$label: nothing excluded"
}

# ---- geodesic, default working frame ----
# Every input edge is straight in EPSG:32648, so the reference overlays there, then splits the
# result's edges every 100 m (ST_Segmentize) so that the geodesics Planimeter draws between
# vertices follow those straight lines (to well under 1e-7), and transforms to lon/lat.
L="ST_Transform(ST_Segmentize(CollectionExtract"
R=", 3), 100), 4326)"
U="(SELECT ST_Union(geom) FROM cleared)"
geodesic_ha set.gpkg "SELECT r.name AS key, $L(ST_Intersection(r.geom, $U)$R AS geom
    FROM regions r" >ref.net
geodesic_ha set.gpkg "SELECT r.name AS key, $L(ST_Intersection(r.geom, c.geom)$R AS geom
    FROM regions r, cleared c" >ref.gross
geodesic_ha set.gpkg "SELECT r.name AS key, ST_Transform(ST_Segmentize(r.geom, 100), 4326) AS geom
    FROM regions r" >ref.region
geodesic_ha set.gpkg "SELECT 'outside' AS key, $L(ST_Difference($U,
    (SELECT ST_Union(geom) FROM regions))$R AS geom" >ref.outside
sql set.gpkg "$TASKS_SQL" >ref.tasks
note "geodesic reference (ha, Planimeter): net $(tr '\t\n' '= ' <ref.net) gross $(
    tr '\t\n' '= ' <ref.gross) $(tr '\t\n' '= ' <ref.outside)tasks $(tr '\t\n' '= ' <ref.tasks)"

cc report --regions set.gpkg --regions-layer regions --cleared set.gpkg --cleared-layer cleared \
    --format json
expect_ok "geodesic run"
assert_eq "$(j .area_method)" geodesic "area method"
assert_eq "$(j .working_frame | cut -c1-20)" "Gnomonic centred on " "working frame (default: gnomonic around the regions)"
assert_eq "$(j '[.regions[].name] | join(",")')" "Alpha,Beta" "regions in file order"
check_run geodesic "$(lookup ref.outside outside)"

# ---- planar in EPSG:32648 ----
sql set.gpkg "SELECT r.name AS key, ST_Area(ST_Intersection(r.geom,
    (SELECT ST_Union(geom) FROM cleared))) / 1e4 AS ha FROM regions r" >ref.net
sql set.gpkg "SELECT r.name AS key, SUM(ST_Area(ST_Intersection(r.geom, c.geom))) / 1e4 AS ha
    FROM regions r, cleared c GROUP BY r.name" >ref.gross
sql set.gpkg "SELECT r.name AS key, ST_Area(r.geom) / 1e4 AS ha FROM regions r" >ref.region
outside=$(sql set.gpkg "SELECT ST_Area(ST_Difference((SELECT ST_Union(geom) FROM cleared),
    (SELECT ST_Union(geom) FROM regions))) / 1e4 AS ha")
note "planar reference (ha, SpatiaLite): net $(tr '\t\n' '= ' <ref.net) gross $(
    tr '\t\n' '= ' <ref.gross) outside=$outside"

cc report --regions set.gpkg --regions-layer regions --cleared set.gpkg --cleared-layer cleared \
    --area planar --crs EPSG:32648 --format json
expect_ok "planar run"
assert_eq "$(j .area_method)" planar "area method"
assert_eq "$(j .working_frame)" EPSG:32648 "working frame"
check_run planar "$outside"

# Hand check of the planar figures that are plain rectangles: Alpha's region is 2 km x 2 km.
assert_close "$(j '.regions[0].region_ha')" 400 1e-12 "planar: Alpha is 2 km x 2 km = 400 ha"

# ---- the same, geodesic, with the working frame in UTM (overlay in EPSG:32648, rings measured
# on the ellipsoid): the reference unions and clips in EPSG:32648 and transforms the result.
geodesic_ha set.gpkg "SELECT r.name AS key, ST_Transform(CollectionExtract(ST_Intersection(
    r.geom, (SELECT ST_Union(geom) FROM cleared)), 3), 4326) AS geom FROM regions r" >ref.net
geodesic_ha set.gpkg "SELECT r.name AS key, ST_Transform(CollectionExtract(
    ST_Intersection(r.geom, c.geom), 3), 4326) AS geom FROM regions r, cleared c" >ref.gross
geodesic_ha set.gpkg "SELECT r.name AS key, ST_Transform(r.geom, 4326) AS geom
    FROM regions r" >ref.region
geodesic_ha set.gpkg "SELECT 'outside' AS key, ST_Transform(CollectionExtract(ST_Difference(
    (SELECT ST_Union(geom) FROM cleared), (SELECT ST_Union(geom) FROM regions)), 3), 4326)
    AS geom" >ref.outside
cc report --regions set.gpkg --regions-layer regions --cleared set.gpkg --cleared-layer cleared \
    --crs EPSG:32648 --format json
expect_ok "geodesic run in a UTM frame"
assert_eq "$(j .area_method)" geodesic "area method (UTM frame)"
check_run "geodesic in UTM frame" "$(lookup ref.outside outside)"

note "ok"
