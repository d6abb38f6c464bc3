#!/usr/bin/env bash
# The SVG map drawn the same by two independent renderers: librsvg (`rsvg-convert`, Debian
# librsvg2-bin) and ImageMagick's own SVG renderer (`convert MSVG:`, Debian imagemagick with
# libmagickcore-6.q16-6-extra; the MSVG: prefix keeps ImageMagick from handing the file to
# rsvg-convert). The map is styled with presentation attributes only, so both must paint the same
# colours over the same areas. Then the overlaps are drawn in proportion (issue 15): on a map
# whose polygons are many pixels wide, the share of overlap-orange pixels among cleared pixels
# is the overlap's share of the cleared area, computed with GDAL's SQLite dialect.
# Usage: tests/test_map_render.sh path/to/clearcov source-dir
# Exit 77 (skip, "SKIP: reason") when a tool is missing.
set -uo pipefail
clearcov=$(realpath "$1")
im=$(command -v convert-im6.q16 || command -v convert || true)
for tool in rsvg-convert "$im" ogrinfo; do
    if [[ -z $tool ]] || ! command -v "$tool" >/dev/null; then
        echo "SKIP: ${tool:-convert} not found (rsvg-convert: librsvg2-bin; convert: imagemagick;" \
            "ogrinfo: gdal-bin)"
        exit 77
    fi
done
if ! "$im" -list format 2>/dev/null | grep -q '^ *MSVG'; then
    echo "SKIP: ImageMagick has no MSVG renderer (Debian libmagickcore-6.q16-6-extra)"
    exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}
ok() { echo "ok: $*"; }

# Colours of the map: white, region fill, region outline, cleared, 4 overlap classes, outside,
# ink, muted text, frame lines. Every pixel is mapped to the nearest of them.
PALETTE=('#ffffff' '#f3efe2' '#6b6b6b' '#2f9e44' '#fd8d3c' '#e6550d' '#a63603' '#7f2704'
    '#868e96' '#222222' '#555555' '#cccccc')
args=()
for c in "${PALETTE[@]}"; do args+=("xc:$c"); done
"$im" -size 1x1 "${args[@]}" +append palette.png || { fail "cannot make the palette"; exit 1; }

# counts PNG: "#RRGGBB count" per palette colour, sorted.
counts() {
    "$im" "$1" -alpha off +dither -remap palette.png -depth 8 -format %c histogram:info:- |
        sed -n 's/^ *\([0-9]*\):.*\(#[0-9A-Fa-f]\{6\}\).*/\2 \1/p' | tr a-f A-F | sort
}
count_of() { awk -v c="$2" '$1 == c { n = $2 } END { print n + 0 }' "$1"; }

# ---- a square region, two overlapping cleared squares and one half outside ----
square() { # lon0 lat0 size
    awk -v x="$1" -v y="$2" -v s="$3" 'BEGIN { printf "[[[%s,%s],[%s,%s],[%s,%s],[%s,%s],[%s,%s]]]",
        x, y, x + s, y, x + s, y + s, x, y + s, x, y }'
}
feature() { printf '{"type":"Feature","properties":{"name":"%s"},"geometry":{"type":"Polygon","coordinates":%s}}' "$1" "$2"; }
printf '{"type":"FeatureCollection","features":[%s]}\n' "$(feature Square "$(square 103 18 1)")" \
    >regions.geojson
printf '{"type":"FeatureCollection","features":[%s,%s,%s]}\n' \
    "$(feature A "$(square 103.1 18.1 0.4)")" "$(feature B "$(square 103.3 18.3 0.4)")" \
    "$(feature C "$(square 103.8 18.8 0.4)")" >cleared.geojson
"$clearcov" map --regions regions.geojson --cleared cleared.geojson --out map.svg 2>err ||
    { fail "map failed: $(cat err)"; exit 1; }
grep -q '<style\|class=' map.svg && fail "the SVG still uses CSS (<style> or class=)" ||
    ok "no CSS in the SVG"
rsvg-convert map.svg -o rsvg.png 2>err || fail "rsvg-convert failed: $(cat err)"
"$im" MSVG:map.svg im.png 2>err || fail "ImageMagick failed: $(cat err)"
[[ -s rsvg.png && -s im.png ]] || { fail "a renderer wrote nothing"; exit 1; }
counts rsvg.png >rsvg.txt
counts im.png >im.txt
echo "colour rsvg imagemagick:"
join -a1 -a2 -e0 -o 0,1.2,2.2 rsvg.txt im.txt
# Areas (page, region fill, cleared, overlap, outside) agree to 10 % (+300 px for edges: the two
# renderers anti-alias and snap 1-px lines differently); text (ink) to 50 %, since each renderer
# picks its own sans-serif font. Before the map used presentation attributes, ImageMagick drew
# every shape without its CSS colour: black text everywhere (ink 50 times librsvg's) and no page.
for c in FFFFFF F3EFE2 2F9E44 FD8D3C 868E96 222222; do
    a=$(count_of rsvg.txt "#$c")
    b=$(count_of im.txt "#$c")
    tol=$([[ $c == 222222 ]] && echo 0.5 || echo 0.1)
    if awk -v a="$a" -v b="$b" -v t="$tol" 'BEGIN { d = a - b; if (d < 0) d = -d
        m = a > b ? a : b; exit !(a > 0 && b > 0 && d <= t * m + 300) }'; then
        ok "#$c: $a px (rsvg) vs $b px (ImageMagick)"
    else
        fail "#$c: $a px (rsvg) vs $b px (ImageMagick), more than $tol apart"
    fi
done

# ---- overlaps drawn in proportion ----
# Inside the map frame (legend swatches excluded), overlap-orange pixels over all cleared pixels
# (green + orange) against the overlap's share of the cleared land inside the region, from
# SpatiaLite's geodesic ST_Area (the UTM map changes area ratios by well under 0.1 % here). The
# squares are about 90 px wide, so the pixels on their edges, shared between colours by
# anti-aliasing, are about 4 % of the overlap's, and cleared land's 0.25-px hairline adds about as
# much to green: 10 % relative tolerance. (Squares this large hide outline widths: the old 2.2-px
# overlap outline also gave 0.124 here; the outlines mattered on dense maps of pixel-sized tasks.)
frame=$(xmllint --xpath "(//*[local-name()='rect'][@stroke='#cccccc'])[1]" map.svg 2>/dev/null |
    sed 's/.* x="\([^"]*\)" y="\([^"]*\)" width="\([^"]*\)" height="\([^"]*\)".*/\3x\4+\1+\2/')
"$im" rsvg.png -crop "$frame" +repage frame.png
counts frame.png >frame.txt
green=$(count_of frame.txt '#2F9E44')
orange=$(($(count_of frame.txt '#FD8D3C') + $(count_of frame.txt '#E6550D') +
    $(count_of frame.txt '#A63603') + $(count_of frame.txt '#7F2704')))
area() { ogrinfo -q -ro -dialect SQLite -sql "$1" cleared.geojson | sed -n 's/.* = //p'; }
over=$(area "SELECT ST_Area(ST_Intersection(a.geometry, b.geometry), 1) FROM cleared a, cleared b
    WHERE a.name = 'A' AND b.name = 'B'")
inside=$(area "SELECT ST_Area(ST_Intersection(ST_Union(geometry),
    ST_GeomFromText('POLYGON((103 18,104 18,104 19,103 19,103 18))', 4326)), 1) FROM cleared")
if awk -v g="$green" -v o="$orange" -v a="$over" -v c="$inside" 'BEGIN {
    want = a / c; got = o / (g + o)
    printf "overlap share: %.4f of cleared pixels in the frame, %.4f of the area\n", got, want
    exit !(g > 0 && o > 0 && got > 0.9 * want && got < 1.1 * want) }'; then
    ok "overlaps drawn in proportion ($orange orange, $green green px)"
else
    fail "overlap pixels out of proportion ($orange orange, $green green px, frame $frame)"
fi

if ((failures)); then
    echo "test_map_render: $failures failure(s)"
    exit 1
fi
echo "test_map_render: all passed"
