#!/usr/bin/env bash
# Draw docs/chart.png for the README: `clearcov chart --by year` on the bundled provinces and
# synthetic sample (2008 to 2024, the sample's years), rendered by rsvg-convert (Debian package librsvg2-bin).
# Usage: scripts/make-chart-png.sh [path/to/clearcov]   (default: build/clearcov)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
clearcov=${1:-$here/build/clearcov}
command -v rsvg-convert >/dev/null || { echo "make-chart-png: needs rsvg-convert" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$clearcov" chart --by year --min-year 2008 --max-year 2024 -o "$work/chart.svg" \
    --title "Cleared land per year, by province (bundled synthetic sample)"
xmllint --noout "$work/chart.svg" 2>/dev/null || true
rsvg-convert --background-color white "$work/chart.svg" -o "$here/docs/chart.png"
echo "wrote $here/docs/chart.png"
