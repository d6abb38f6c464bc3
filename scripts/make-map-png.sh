#!/usr/bin/env bash
# Draw the bundled-data map with `clearcov map` and render it to docs/map.png with headless
# Chromium (Debian package `chromium`), for the README.
# Usage: scripts/make-map-png.sh [path/to/clearcov] [out.png]
#        (defaults: build/clearcov, docs/map.png)
# The input paths are given relative to the source tree, so the footer of the map names
# data/provinces.shp and data/cleared_sample.gpkg rather than this machine's folders.
# Chromium runs without network, sandbox or profile: a throw-away --user-data-dir, deleted after.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
clearcov=$(realpath "${1:-$here/build/clearcov}")
out=$(realpath -m "${2:-$here/docs/map.png}")
chromium=$(command -v chromium || command -v chromium-browser || true)
if [[ -z $chromium ]]; then
    echo "make-map-png: chromium not found; install it with: apt-get install chromium" >&2
    exit 3
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/profile"

cd "$here"
"$clearcov" map --regions data/provinces.shp --cleared data/cleared_sample.gpkg \
    --title "Cleared land by province (synthetic sample data)" -o "$work/map.svg"

# The page is exactly the SVG's size: read width and height from the root element.
read -r width height < <(python3 - "$work/map.svg" <<'EOF'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
print(round(float(root.get("width"))), round(float(root.get("height"))))
EOF
)

# An HTML wrapper without margins, so that the screenshot holds the map and nothing else.
cat >"$work/page.html" <<EOF
<!DOCTYPE html>
<html><head><meta charset="utf-8"><style>html,body{margin:0;padding:0;background:#fff}
img{display:block}</style></head>
<body><img src="map.svg" width="$width" height="$height" alt="map"></body></html>
EOF

"$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --hide-scrollbars --force-device-scale-factor=1 --user-data-dir="$work/profile" \
    --screenshot="$work/map.png" --window-size="$width,$height" "file://$work/page.html" \
    >"$work/chromium.log" 2>&1 || {
    cat "$work/chromium.log" >&2
    echo "make-map-png: chromium failed" >&2
    exit 3
}
if [[ ! -s $work/map.png ]]; then
    cat "$work/chromium.log" >&2
    echo "make-map-png: chromium wrote no screenshot" >&2
    exit 3
fi
mkdir -p "$(dirname "$out")"
mv "$work/map.png" "$out"
echo "make-map-png: wrote $out (${width}x${height} px, SVG $(stat -c %s "$work/map.svg") bytes)"
