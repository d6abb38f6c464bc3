#!/usr/bin/env bash
# Write the bundled-data layers and QGIS project with `clearcov report --out`, open the project
# in headless QGIS (Debian packages qgis and python3-qgis) and export its print layout to a PNG,
# for the README and docs/screenshots.
# Usage: scripts/make-layout-png.sh [path/to/clearcov] [out.png]
#        (defaults: build/clearcov, docs/screenshots/qgis-layout.png)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
clearcov=$(realpath "${1:-$here/build/clearcov}")
out=$(realpath -m "${2:-$here/docs/screenshots/qgis-layout.png}")
if ! python3 -c 'import qgis.core' 2>/dev/null && ! /usr/bin/python3 -c 'import qgis.core' 2>/dev/null; then
    echo "make-layout-png: PyQGIS not found; install it with: apt-get install qgis python3-qgis" >&2
    exit 3
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$here"
"$clearcov" report --regions data/provinces.shp --cleared data/cleared_sample.gpkg -q \
    --out "$work/layers" >/dev/null
QT_QPA_PLATFORM=offscreen /usr/bin/python3 - "$work/layers/clearcov.qgs" "$out" <<'PY'
import sys
from qgis.core import QgsApplication, QgsLayoutExporter, QgsProject
app = QgsApplication([], False)
app.initQgis()
project = QgsProject.instance()
if not project.read(sys.argv[1]):
    sys.exit("make-layout-png: QGIS cannot read " + sys.argv[1])
layouts = project.layoutManager().layouts()
if not layouts:
    sys.exit("make-layout-png: the project has no print layout")
settings = QgsLayoutExporter.ImageExportSettings()
settings.dpi = 100
result = QgsLayoutExporter(layouts[0]).exportToImage(sys.argv[2], settings)
app.exitQgis()
sys.exit(0 if result == QgsLayoutExporter.Success else "make-layout-png: export failed")
PY
echo "wrote $out"
