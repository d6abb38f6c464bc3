#!/usr/bin/env bash
# Write the bundled land-release sample data/release_sample.gpkg with `clearcov synth --release`
# (issue 13: records cleared, reduced and cancelled, several operators, start and end dates), for
# the breakdowns by category, operator and year. data/cleared_sample.gpkg is not touched.
# Usage: scripts/make-release-sample.sh [path/to/clearcov]   (default: build/clearcov)
# The same clearcov build gives the same bytes: fixed seed, and GDAL's "last change" timestamp in
# the GeoPackage pinned through OGR_CURRENT_DATE.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
clearcov=${1:-$here/build/clearcov}
out=$here/data/release_sample.gpkg
OGR_CURRENT_DATE=2000-01-01T00:00:00Z "$clearcov" synth --release --count 2000 --seed 2018 \
    --regions "$here/data/provinces.shp" --crs EPSG:32648 -o "$out" --overwrite
sha256sum "$out"
