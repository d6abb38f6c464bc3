#!/usr/bin/env bash
# CLI test of `clearcov map`: the SVG map of the bundled data, its figures, escaping, and the
# atomic-write and no-clobber rules.
# Usage: tests/test_map.sh path/to/clearcov source-dir
# Needs xmllint (Debian libxml2-utils) and jq; the scale check also uses ogr2ogr/ogrinfo (gdal-bin).
# Exit 77 (skip, with a line "SKIP: reason") when a tool is missing or a part could not run (the
# read-only folder as root without setpriv): a part skipped is never a pass.
# ok() cannot fail, so `A && ok ... || fail ...` below is an if-then-else.
# shellcheck disable=SC2015
set -uo pipefail
clearcov=$(realpath "$1")
src=$(realpath "$2")
for tool in xmllint jq ogr2ogr ogrinfo; do
    if ! command -v "$tool" >/dev/null; then
        echo "SKIP: $tool not found (xmllint: libxml2-utils; ogr2ogr, ogrinfo: gdal-bin)"
        exit 77
    fi
done
work=$(mktemp -d)
trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}
ok() { echo "ok: $*"; }

# 1,234.56: two decimals and thousands separators, as the map prints hectares.
ha() { LC_ALL=C printf '%.2f' "$1" | sed -e ':a' -e 's/\B[0-9]\{3\}\>/,&/' -e 'ta'; }

# XPath on an SVG (the SVG namespace is matched by local-name()).
xpath() { xmllint --xpath "$2" "$1" 2>/dev/null; }
count_id() { xpath "$1" "count(//*[@id='$2'])"; }

# ---- the bundled data ----
svg=$work/map.svg
"$clearcov" map -o "$svg" 2>"$work/err"
rc=$?
[[ $rc -eq 0 ]] && ok "map exits 0" || fail "map exit $rc: $(cat "$work/err")"
[[ -s $svg ]] || { fail "no SVG written"; exit 1; }
xmllint --noout "$svg" 2>"$work/xml" && ok "SVG is well-formed XML" ||
    fail "SVG is not well-formed: $(head -3 "$work/xml")"
size=$(stat -c %s "$svg")
((size < 500 * 1024)) && ok "SVG is $size bytes (< 500 KB)" || fail "SVG is $size bytes"
[[ $(xpath "$svg" "name(/*)") == svg ]] || fail "root element is not <svg>"

"$clearcov" report --format json >"$work/report.json" || fail "report --format json failed"
nregions=$(jq '.regions | length' "$work/report.json")
[[ $nregions -eq 2 ]] || fail "report lists $nregions regions, expected the 2 provinces"
labels=$(xpath "$svg" "//*[@id='labels']//*[local-name()='text']/text()")
for i in $(seq 0 $((nregions - 1))); do
    name=$(jq -r ".regions[$i].name" "$work/report.json")
    net=$(ha "$(jq -r ".regions[$i].net_ha" "$work/report.json")")
    grep -qxF "$name" <<<"$labels" && ok "label $name" || fail "no label '$name'"
    grep -qxF "$net ha cleared" <<<"$labels" && ok "label $net ha cleared" ||
        fail "no label '$net ha cleared' for $name"
done
legend=$(xpath "$svg" "//*[@id='legend']//*[local-name()='text']/text()")
for key in net_ha gross_ha overlap_ha outside_ha; do
    value=$(ha "$(jq -r ".totals.$key" "$work/report.json")")
    grep -qxF "$value" <<<"$legend" && ok "legend $key $value" || fail "legend lacks $key $value"
done
grep -qxF "Area: geodesic, WGS84 ellipsoid" <<<"$legend" && ok "legend names the area method" ||
    fail "legend lacks the geodesic area method"
footer=$(xpath "$svg" "//*[@id='footer']//*[local-name()='text']/text()")
for part in "provinces.shp, layer provinces (EPSG:4326)" \
    "cleared_sample.gpkg, layer cleared (EPSG:32648)" "UTM zone 48N (EPSG:32648)"; do
    grep -qF "$part" <<<"$footer" && ok "footer: $part" || fail "footer lacks '$part'"
done
# Footer paths relative to the working folder or bare file names, boundary credit, and the
# synthetic sample named in the footer, the visible title, report (table, JSON) and validate.
grep -qF "$src" <<<"$footer" && fail "footer prints the absolute path $src" ||
    ok "footer prints no absolute path"
grep -qF "boundaries from Natural Earth" <<<"$footer" && ok "footer credits Natural Earth" ||
    fail "footer lacks the Natural Earth credit"
grep -qF "SYNTHETIC SAMPLE" <<<"$footer" && ok "footer says synthetic sample" ||
    fail "footer lacks SYNTHETIC SAMPLE"
[[ $(xpath "$svg" "string(//*[local-name()='text'][@font-size='22'])") == *"(synthetic sample)" ]] &&
    ok "title says synthetic sample" || fail "title lacks (synthetic sample)"
[[ $(jq '.inputs.cleared.synthetic' "$work/report.json") == true ]] &&
    ok "report JSON: inputs.cleared.synthetic true" || fail "report JSON lacks synthetic: true"
"$clearcov" report | grep -qx "Cleared areas: the bundled synthetic sample, not real clearance records" &&
    ok "report table says synthetic sample" || fail "report table lacks the synthetic-sample line"
"$clearcov" validate --claims "$src/data/claims.csv" >"$work/validate.txt" # exit 1: claims fail
grep -q "^Cleared areas: the bundled synthetic sample" "$work/validate.txt" &&
    ok "validate says synthetic sample" || fail "validate lacks the synthetic-sample line"
cp "$src/data/cleared_sample.gpkg" "$work/records.gpkg"
(cd "$work" && "$clearcov" map --cleared records.gpkg --out real.svg && "$clearcov" report \
    --cleared records.gpkg --format json >real.json) || fail "map of records.gpkg failed"
real_footer=$(xpath "$work/real.svg" "//*[@id='footer']//*[local-name()='text']/text()")
grep -q "SYNTHETIC" <<<"$real_footer" && fail "a file that is not the bundled sample called synthetic" ||
    ok "another file is not called synthetic"
grep -qF "Cleared areas: records.gpkg, layer" <<<"$real_footer" && ok "footer path relative: records.gpkg" ||
    fail "footer path not relative: $real_footer"
[[ $(jq '.inputs.cleared.synthetic' "$work/real.json") == null ]] || fail "real.json says synthetic"
# Many regions (the 148 districts of geoBoundaries' ADM2, shared data): the legend lists the 12
# with the most net hectares, largest first (order from report's JSON), says how many are left
# out, and the footer counts the regions left without a label (those absent from #labels).
gb2=$src/../shared/data/lao_adm2_geoboundaries.geojson
if [[ -f $gb2 ]]; then
    "$clearcov" map --regions "$gb2" --out "$work/gb2.svg" 2>/dev/null || fail "map of ADM2 failed"
    "$clearcov" report --regions "$gb2" --format json 2>/dev/null >"$work/gb2.json"
    total=$(jq '.regions | length' "$work/gb2.json")
    want=$(jq -r '[.regions | to_entries[] | {i: .key, n: .value.name, h: .value.net_ha}] |
        sort_by(-.h, .i) | .[:12][] | .n' "$work/gb2.json")
    got=$(xpath "$work/gb2.svg" "//*[@id='legend']/*[local-name()='text'][not(@text-anchor)]/text()" |
        sed -n '/^By region/,/^…/p' | sed '1d;$d')
    [[ $got == "$want" ]] && ok "legend: 12 regions by net ha, largest first" ||
        fail "legend order: got $(paste -sd, <<<"$got"), want $(paste -sd, <<<"$want")"
    xpath "$work/gb2.svg" "//*[@id='legend']//*[local-name()='text']/text()" |
        grep -qxF "… and $((total - 12)) more" && ok "legend: … and $((total - 12)) more" ||
        fail "legend does not say '… and $((total - 12)) more'"
    named=$(xpath "$work/gb2.svg" "//*[@id='labels']/*[local-name()='text'][@font-weight='bold'][not(@stroke)]/text()" | wc -l)
    xpath "$work/gb2.svg" "//*[@id='footer']//*[local-name()='text']/text()" |
        grep -qF "Labels: $((total - named)) of $total regions unlabelled" &&
        ok "footer: $((total - named)) of $total regions unlabelled" ||
        fail "footer does not count $((total - named)) unlabelled of $total"
fi
gb=$src/../shared/data/lao_adm1_geoboundaries.geojson
if [[ -f $gb ]]; then
    "$clearcov" map --regions "$gb" --out "$work/gb.svg" 2>"$work/err" &&
        xpath "$work/gb.svg" "//*[@id='footer']//*[local-name()='text']/text()" |
        grep -qF "boundaries from geoBoundaries" && ok "footer credits geoBoundaries" ||
        fail "geoBoundaries map lacks the credit: $(cat "$work/err")"
fi

for id in scale-bar north-arrow regions coverage overlaps outside legend; do
    [[ $(count_id "$svg" "$id") == 1 ]] && ok "element #$id" || fail "no element with id $id"
done
# Cleared land is drawn as pixels of one class each (one path of pixel runs per class).
[[ $(xpath "$svg" "count(//*[@id='coverage']/*[local-name()='path'])") -ge 1 &&
    $(xpath "$svg" "string-length(//*[@id='coverage']/*[local-name()='path']/@d)") -gt 1000 ]] ||
    fail "coverage layer drawn without paths"
[[ $(xpath "$svg" "count(//*[@id='overlaps']/*[local-name()='path'])") -ge 1 ]] ||
    fail "no overlap drawn (the sample has overlaps)"

# Same inputs, same bytes.
"$clearcov" map -o "$work/again.svg" && cmp -s "$svg" "$work/again.svg" &&
    ok "output is deterministic" || fail "two runs differ"

# ---- the scale bar, against GDAL's own projection of the provinces ----
# The map is in UTM 48N; the region outlines' extent in page pixels over their extent in metres
# (from ogr2ogr, independent of clearcov) gives pixels per metre, and the scale bar must be
# data-length-m metres long at that scale (1 %: outlines are simplified by half a pixel). The bar's
# black and white segments are its rects with a fill and no fill-opacity (the box behind has one).
page_extent() { # min/max x and y of every path in group $2, from the path data
    xpath "$1" "//*[@id='$2']/*[local-name()='path']/@d" | sed -e 's/^ *d="//' -e 's/"$//' |
        awk '{ gsub(/[Mlz]/, " & "); gsub(/-/, " -"); n = split($0, t, " ")
               for (i = 1; i <= n; i++) {
                   if (t[i] == "M") { x = t[i+1]; y = t[i+2]; i += 2; mode = "M" }
                   else if (t[i] == "l") { mode = "l"; continue }
                   else if (t[i] == "z") continue
                   else { x += t[i]; y += t[i+1]; i++ }
                   if (!seen || x < x0) x0 = x; if (!seen || x > x1) x1 = x
                   if (!seen || y < y0) y0 = y; if (!seen || y > y1) y1 = y; seen = 1 } }
             END { printf "%.3f %.3f %.3f %.3f\n", x0, y0, x1, y1 }'
}
if true; then
    ogr2ogr -t_srs EPSG:32648 "$work/utm.gpkg" "$src/data/provinces.shp" &&
        read -r ex0 ey0 ex1 ey1 < <(ogrinfo -ro -so -al "$work/utm.gpkg" |
            sed -n 's/^Extent: (\(.*\), \(.*\)) - (\(.*\), \(.*\))$/\1 \2 \3 \4/p')
    read -r px0 py0 px1 py1 < <(page_extent "$svg" region-outlines)
    length=$(xpath "$svg" "string(//*[@id='scale-bar']/@data-length-m)")
    bar=$(xpath "$svg" "//*[@id='scale-bar']/*[local-name()='rect'][@fill][not(@fill-opacity)]/@width" |
        sed 's/.*="\(.*\)"/\1/' | awk '{ s += $1 } END { print s }')
    label=$(xpath "$svg" "(//*[@id='scale-bar']/*[local-name()='text'])[last()]/text()")
    awk -v px="$px0 $py0 $px1 $py1" -v ex="$ex0 $ey0 $ex1 $ey1" -v len="$length" -v bar="$bar" '
        BEGIN { split(px, p, " "); split(ex, m, " ")
            s = (p[3] - p[1]) / (m[3] - m[1]); t = (p[4] - p[2]) / (m[4] - m[2])
            d = (s - t) / s; e = (bar - len * s) / (len * s)
            printf "scale %.6f px/m across, %.6f down; bar %.1f px for %d m (%+.2f %%)\n", s, t, bar, len, 100 * e
            exit (d < 0.01 && d > -0.01 && e < 0.01 && e > -0.01) ? 0 : 1 }' &&
        ok "scale bar length matches the projected data" || fail "scale bar or aspect is off"
    [[ $label == "$((length / 1000)) km" ]] && ok "scale bar says $label" ||
        fail "scale bar label '$label' for $length m"
fi

# ---- planar area method ----
"$clearcov" map --area planar --crs EPSG:32648 -o "$work/planar.svg" &&
    xpath "$work/planar.svg" "//*[@id='legend']//*[local-name()='text']/text()" |
    grep -qxF "Area: planar, in EPSG:32648" && ok "planar method named in the legend" ||
    fail "planar map lacks 'Area: planar, in EPSG:32648'"

# ---- names that need escaping ----
odd='A&B <"Öst"> '"'x'"' ]]> ວຽງຈັນ'
jq -n --arg name "$odd" '{type: "FeatureCollection", features: [{type: "Feature",
    properties: {name: $name}, geometry: {type: "Polygon",
    coordinates: [[[103, 18.5], [104, 18.5], [104, 19.5], [103, 19.5], [103, 18.5]]]}}]}' \
    >"$work/odd.geojson"
"$clearcov" map --regions "$work/odd.geojson" --title "Title & <more>" -o "$work/odd.svg" \
    2>"$work/err" || fail "map of odd names failed: $(cat "$work/err")"
if xmllint --noout "$work/odd.svg" 2>/dev/null; then
    ok "odd names give well-formed XML"
    [[ $(xpath "$work/odd.svg" "string(//*[@id='labels']/*[1])") == "$odd" ]] &&
        ok "odd name read back unchanged" || fail "odd name not read back unchanged"
    [[ $(xpath "$work/odd.svg" "string(/*/*[local-name()='title'])") == "Title & <more>" ]] ||
        fail "title not read back unchanged"
else
    fail "odd names give malformed XML"
fi

# ---- no clobbering, atomic writes ----
sum=$(sha256sum <"$svg")
"$clearcov" map -o "$svg" 2>"$work/err"
rc=$?
[[ $rc -eq 3 ]] && ok "existing output refused (exit 3)" || fail "existing output: exit $rc"
grep -q "exists; pass --overwrite" "$work/err" || fail "no 'exists' message: $(cat "$work/err")"
[[ $(sha256sum <"$svg") == "$sum" ]] || fail "refused output was modified"
"$clearcov" map -o "$svg" --overwrite --title "Replaced" && [[ $(sha256sum <"$svg") != "$sum" ]] &&
    ok "--overwrite replaces the file" || fail "--overwrite did not replace the file"

# A write that fails half-way (file size limit) leaves neither the file nor a temporary one.
mkdir "$work/out"
(
    trap '' XFSZ
    ulimit -f 8 # KB; the map of the bundled data is about 15 KB
    exec "$clearcov" map -o "$work/out/map.svg"
) 2>"$work/err"
rc=$?
[[ $rc -eq 3 ]] && ok "failed write exits 3" || fail "failed write: exit $rc"
grep -q "cannot write" "$work/err" || fail "failed write message: $(cat "$work/err")"
[[ -z $(ls -A "$work/out") ]] && ok "failed write leaves no file" ||
    fail "failed write left: $(ls -A "$work/out")"

"$clearcov" map -o "$work/missing/map.svg" 2>"$work/err"
rc=$?
[[ $rc -eq 3 && ! -e $work/missing ]] && ok "missing folder: exit 3" || fail "missing folder: exit $rc"

"$clearcov" map -o /dev/full --overwrite 2>"$work/err"
rc=$?
[[ $rc -eq 3 ]] && grep -q "/dev/full: cannot write" "$work/err" && ok "/dev/full: exit 3" ||
    fail "/dev/full: exit $rc: $(cat "$work/err")"

# Root writes anyway: as root the map is drawn as user nobody (setpriv), who must reach the tool.
as_user=()
skipped=""
if [[ $(id -u) -eq 0 ]]; then
    chmod 755 "$work"
    if command -v setpriv >/dev/null &&
        setpriv --reuid=nobody --regid=nogroup --clear-groups test -x "$clearcov"; then
        as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME=/nonexistent)
    else
        skipped="read-only folder check: running as root, and user nobody cannot run $clearcov"
    fi
fi
if [[ -z $skipped ]]; then
    mkdir "$work/ro" && chmod a-w "$work/ro"
    "${as_user[@]}" "$clearcov" map -o "$work/ro/map.svg" 2>"$work/err"
    rc=$?
    [[ $rc -eq 3 && -z $(ls -A "$work/ro") ]] && ok "read-only folder: exit 3, nothing left" ||
        fail "read-only folder: exit $rc: $(cat "$work/err")"
fi

"$clearcov" map 2>"$work/err"
rc=$?
[[ $rc -eq 2 ]] && ok "map without -o: exit 2" || fail "map without -o: exit $rc"

if ((failures)); then
    echo "test_map: $failures failure(s)"
    exit 1
fi
if [[ -n $skipped ]]; then
    echo "SKIP: $skipped"
    exit 77
fi
echo "test_map: all passed"
