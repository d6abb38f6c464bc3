#!/usr/bin/env bash
# The SVG map drawn the same by two independent renderers: librsvg (`rsvg-convert`, Debian
# librsvg2-bin) and ImageMagick's own SVG renderer (`convert MSVG:`, Debian imagemagick with
# libmagickcore-6.q16-6-extra; the MSVG: prefix keeps ImageMagick from handing the file to
# rsvg-convert). The map is styled with presentation attributes only, so both must paint the same
# colours over the same areas. Then the overlaps are drawn in proportion (issue 15): on a map
# whose polygons are many pixels wide, the share of overlap-orange pixels among cleared pixels
# is the overlap's share of the cleared area, computed with GDAL's SQLite dialect.
# Usage: tests/test_map_render.sh path/to/clearcov source-dir [sanitizer]
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
# The list is read whole first: with pipefail, `grep -q` leaving early would fail the pipe
# (convert killed by SIGPIPE) and skip the test at random.
formats=$("$im" -list format 2>/dev/null)
if ! grep -q '^ *MSVG' <<<"$formats"; then
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

# ---- --png: FILE.png beside FILE.svg, rendered in-process by librsvg ----
if ! "$clearcov" map -o p.svg --png 2>err; then
    if grep -q 'built without librsvg' err; then
        echo "note: this build has no librsvg; --png refused: $(cat err)"
    else
        fail "map --png failed: $(cat err)"
    fi
else
    size=$(python3 -c 'import struct, sys
d = open(sys.argv[1], "rb").read(24)
assert d[:8] == b"\x89PNG\r\n\x1a\n" and d[12:16] == b"IHDR"
print("%dx%d" % struct.unpack(">II", d[16:24]))' p.png 2>/dev/null)
    want=$(xmllint --xpath 'concat(/*/@width, "x", /*/@height)' p.svg 2>/dev/null)
    [[ -n $size && $size == "$want" ]] && ok "p.png is a PNG of the SVG's size ($size)" ||
        fail "p.png: size '$size', SVG $want"
    rsvg-convert p.svg -o p-rsvg.png
    # Differing pixels against rsvg-convert's render of the same SVG: at most 0.1 % (anti-aliasing
    # may round differently; the same library draws both).
    diff=$("${im/convert/compare}" -metric AE -fuzz 2% p.png p-rsvg.png null: 2>&1)
    total=${size%x*}*${size#*x}
    [[ $diff =~ ^[0-9]+$ ]] && ((diff * 1000 <= total)) &&
        ok "p.png matches rsvg-convert ($diff pixels differ)" ||
        fail "p.png differs from rsvg-convert: '$diff' pixels"
    "$clearcov" map -o p.svg --png 2>err
    rc=$?
    [[ $rc == 3 && $(wc -l <err) == 1 ]] && grep -q 'p.svg: exists' err &&
        ok "no overwrite without --overwrite" || fail "existing p.svg: exit $rc, $(cat err)"
    rm p.svg
    sum=$(sha256sum <p.png)
    "$clearcov" map -o p.svg --png 2>err
    rc=$?
    [[ $rc == 3 && $(wc -l <err) == 1 && ! -e p.svg && $(sha256sum <p.png) == "$sum" ]] &&
        grep -q 'p.png: exists; pass --overwrite' err &&
        ok "an existing PNG is refused and kept, no SVG written" ||
        fail "existing p.png: exit $rc, $(cat err)"
    "$clearcov" map -o p.svg --png --overwrite 2>err && [[ -s p.svg && -s p.png ]] &&
        ok "--overwrite replaces the PNG" || fail "--overwrite: $(cat err)"
    # A PNG that cannot be written (file size limit above the SVG's, below the PNG's): exit 3, one
    # line, and neither file left, nor a temporary one.
    mkdir lim
    (
        trap '' XFSZ
        ulimit -f 40
        exec "$clearcov" map -o lim/m.svg --png
    ) 2>err
    rc=$?
    [[ $rc == 3 && $(wc -l <err) == 1 && -z $(ls -A lim) ]] &&
        ok "a failed PNG write exits 3 and leaves nothing ($(cat err))" ||
        fail "failed PNG write: exit $rc, left '$(ls -A lim)': $(cat err)"
    "$clearcov" map -o /dev/stdout --png --overwrite >/dev/null 2>err
    rc=$?
    [[ $rc == 3 ]] && grep -q 'needs -o to name a file' err && ok "--png with /dev/stdout refused" ||
        fail "--png to /dev/stdout: exit $rc, $(cat err)"
fi

# ---- overlaps in proportion where tasks are smaller than a pixel ----
# The bundled sample (1,875 tasks of a few hectares on pixels of 25 ha) and a dense synthetic set
# (50,000 tasks, 18 % of the land covered, overlaps of 2 to 5+ tasks). Independent figure: the
# overlap's share of the cleared land inside the regions, from SpatiaLite's geodesic ST_Area of
# the overlaps and coverage layers that `report --out` writes (the overlaps are the land covered
# two or more times; the report's overlap_ha counts a place covered n times n - 1 times, so it is
# larger where three or more tasks meet). Drawn figure: overlap-orange pixels over green and
# orange pixels in the map frame, rendered by librsvg, with the labels, region outlines, scale
# bar and north arrow taken out first: they cover a part of the map that depends on the data
# (on the dense set 16 % of the overlap pixels and 9 % of the green ones). Tolerance: 3 %
# relative plus one pixel (the drawn classes match their sampled areas to a pixel or two; the
# sampling of 36 points per pixel and the projection add well under 1 %). Before the pixel grid,
# the dense map showed 2.5 % of its cleared pixels as overlap for 13 % of the land.
strip_annotations() { # in.svg out.svg
    python3 - "$1" "$2" <<'PY'
import sys, xml.etree.ElementTree as ET
ET.register_namespace("", "http://www.w3.org/2000/svg")
tree = ET.parse(sys.argv[1])
root = tree.getroot()
for g in list(root):
    if g.get("id") in ("labels", "region-outlines", "scale-bar", "north-arrow"):
        root.remove(g)
tree.write(sys.argv[2], encoding="UTF-8", xml_declaration=True)
PY
}
share_check() { # name map.svg layers-dir
    local name=$1 svg=$2 dir=$3 frame counts green orange over cov
    strip_annotations "$svg" "$name-data.svg" || { fail "$name: cannot strip the annotations"; return; }
    rsvg-convert "$name-data.svg" -o "$name-data.png" || { fail "$name: rsvg-convert failed"; return; }
    frame=$(xmllint --xpath "(//*[local-name()='rect'][@stroke='#cccccc'])[1]" "$svg" 2>/dev/null |
        sed 's/.* x="\([^"]*\)" y="\([^"]*\)" width="\([^"]*\)" height="\([^"]*\)".*/\3x\4+\1+\2/')
    "$im" "$name-data.png" -crop "$frame" +repage "$name-frame.png"
    counts "$name-frame.png" >"$name.txt"
    green=$(count_of "$name.txt" '#2F9E44')
    orange=$(($(count_of "$name.txt" '#FD8D3C') + $(count_of "$name.txt" '#E6550D') +
        $(count_of "$name.txt" '#A63603') + $(count_of "$name.txt" '#7F2704')))
    over=$(ogrinfo -ro -q -dialect SQLite -sql "SELECT SUM(ST_Area(geometry, 1)) FROM overlaps" \
        "$dir/overlaps.geojson" | sed -n 's/.* = //p')
    cov=$(ogrinfo -ro -q -dialect SQLite -sql "SELECT SUM(ST_Area(geometry, 1)) FROM coverage" \
        "$dir/coverage.geojson" | sed -n 's/.* = //p')
    if awk -v g="$green" -v o="$orange" -v a="$over" -v c="$cov" 'BEGIN {
        want = a / c; got = o / (g + o); d = got - want; if (d < 0) d = -d
        printf "%.4f of cleared pixels are overlap, %.4f of the land\n", got, want
        exit !(g > 0 && o > 0 && d <= 0.03 * want + 1 / (g + o)) }'; then
        ok "$name: overlaps in proportion ($orange orange, $green green px)"
    else
        fail "$name: overlap pixels out of proportion ($orange orange, $green green px)"
    fi
}
"$clearcov" map -o sample.svg 2>err && "$clearcov" report --out sample-layers >/dev/null 2>>err &&
    share_check sample sample.svg sample-layers || fail "bundled sample: $(cat err)"
# The dense set's layers take minutes under the sanitizers: that tree (third argument "sanitizer")
# checks the sample only; the normal tree checks both.
if [[ ${3:-} == sanitizer ]]; then
    echo "note: dense set left out in the sanitizer tree (checked in the normal tree)"
else
    "$clearcov" synth --count 50000 --seed 1 -o dense.gpkg 2>err &&
        "$clearcov" map --cleared dense.gpkg -o dense.svg 2>>err &&
        "$clearcov" report --cleared dense.gpkg --out dense-layers >/dev/null 2>>err &&
        share_check dense dense.svg dense-layers || fail "dense set: $(cat err)"
fi

if ((failures)); then
    echo "test_map_render: $failures failure(s)"
    exit 1
fi
echo "test_map_render: all passed"
