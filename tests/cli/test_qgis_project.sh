#!/usr/bin/env bash
# report --out DIR writes DIR/clearcov.qgs, a QGIS 3 project; opened here with QGIS's Python API
# (Debian packages qgis and python3-qgis; skipped when they are not installed), headless:
#   - the project loads from a copy of the folder elsewhere (paths relative to the project), for
#     GeoJSON and GeoPackage output; every layer is valid with the feature count ogrinfo reads;
#   - the project CRS is the UTM zone of the data's centre, worked out here from ogrinfo's extents
#     (zone = floor((lon + 180) / 6) + 1, north: 326zz): for the bundled data 103.96 E -> 48N;
#   - layer order: overlaps, outside, tasks over coverage over regions;
#   - styles: regions are the choropleth by percent_cleared and each bundled province falls in a
#     class of its own (values from the JSON report, classes from QGIS), coverage one symbol;
#     region labels (name and hectares) are hidden when zoomed in past 1:250,000;
#   - GeoJSON layers carry .qml sidecars QGIS loads by itself (the same renderer as the project);
#   - audit --out: flagged features categorized by check (flagged.qml; layer_styles in the gpkg);
#   - the print layout has a map (in the UTM CRS, its extent holding the data's extent
#     reprojected by QGIS), a legend and a scale bar linked to it, a title, a hectare table naming
#     every region, and the sources; it exports to PDF and PNG, and the PNG is not blank.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh" "$@"

PYQGIS=/usr/bin/python3
[[ -x /usr/bin/qgis_process.bin ]] || skip "QGIS is not installed (/usr/bin/qgis_process.bin missing; Debian package qgis)"
"$PYQGIS" -c 'import qgis.core' 2>/dev/null ||
    skip "$PYQGIS cannot import qgis.core (Debian package python3-qgis)"

mkdir -p home/run && chmod 700 home/run
export HOME=$WORK/home XDG_RUNTIME_DIR=$WORK/home/run XDG_CONFIG_HOME=$WORK/home/config \
    XDG_DATA_HOME=$WORK/home/data XDG_CACHE_HOME=$WORK/home/cache QT_QPA_PLATFORM=offscreen

cc report --format json --out gj
expect_ok "report --out gj"
save report.json
cc report --format json --out gp --out-format gpkg
expect_ok "report --out gp --out-format gpkg"
for f in gj/clearcov.qgs gp/clearcov.qgs; do [[ -s $f ]] || fail "no $f"; done
for l in coverage tasks overlaps outside regions; do
    [[ -s gj/$l.qml ]] || fail "no gj/$l.qml beside gj/$l.geojson"
    [[ ! -e gp/$l.qml ]] || fail "gp/$l.qml: the GeoPackage keeps its styles inside"
done
# The layout's title and sources (read from the .qgs XML) say "synthetic sample" when the bundled
# sample is used, as the SVG map, the report and validate do, and credit the boundary data
# (issue 15); a copy of the sample (real records as far as clearcov knows) is not called one.
cat >labels.py <<'EOF'
import sys
import xml.etree.ElementTree as ET
for item in ET.parse(sys.argv[1]).getroot().iter("LayoutItem"):
    if item.get("id") in ("title", "sources"):
        print(item.get("id"), item.get("labelText").replace("\n", " | "))
EOF
for d in gj gp; do
    python3 labels.py $d/clearcov.qgs >$d.labels || fail "$d/clearcov.qgs: not XML"
    [[ $(sed -n 's/^title //p' $d.labels) == *"(synthetic sample)" ]] ||
        fail "$d layout title does not say synthetic sample: $(cat $d.labels)"
    [[ $(sed -n 's/^sources //p' $d.labels) == *"cleared_sample.gpkg: the bundled SYNTHETIC SAMPLE, not real clearance records."* ]] ||
        fail "$d layout sources do not say synthetic sample: $(cat $d.labels)"
    [[ $(sed -n 's/^sources //p' $d.labels) == *"provinces.shp: boundaries from Natural Earth (public domain);"* ]] ||
        fail "$d layout sources do not credit Natural Earth: $(cat $d.labels)"
done
cp "$SOURCE_DIR/data/cleared_sample.gpkg" own.gpkg
cc report --cleared own.gpkg --out own
expect_ok "report --cleared own.gpkg --out own"
python3 labels.py own/clearcov.qgs >own.labels || fail "own/clearcov.qgs: not XML"
[[ $(grep -ci synthetic own.labels) -eq 0 ]] || fail "a copy of the sample called synthetic: $(cat own.labels)"
grep -q '^sources Sources: regions provinces.shp: boundaries from Natural Earth (public domain); cleared land own.gpkg. ' own.labels ||
    fail "own data: sources text: $(cat own.labels)"

# The project must not depend on where it was written.
mkdir moved && cp -r gj gp moved/

# The UTM zone of the data's centre, from ogrinfo's extents of the regions and outside layers.
extent() { ogrinfo -so -al "$1" | sed -n 's/^Extent: (\(.*\), \(.*\)) - (\(.*\), \(.*\))$/\1 \2 \3 \4/p'; }
want_epsg=$( { extent gj/regions.geojson; extent gj/outside.geojson; } | awk '
    NR == 1 { x0 = $1; y0 = $2; x1 = $3; y1 = $4 }
    { if ($1 < x0) x0 = $1; if ($2 < y0) y0 = $2; if ($3 > x1) x1 = $3; if ($4 > y1) y1 = $4 }
    END { lon = (x0 + x1) / 2; lat = (y0 + y1) / 2; zone = int((lon + 180) / 6) + 1
          printf "EPSG:%d\n", (lat >= 0 ? 32600 : 32700) + zone }')
assert_eq "$want_epsg" EPSG:32648 "UTM zone of the bundled data (103.96 E, 19 N: zone 48 north)"

cat >project.py <<'EOF'
# Print what QGIS makes of a clearcov project: one "key value..." line per fact.
import sys

from qgis.core import (QgsApplication, QgsCoordinateTransform, QgsLayoutExporter, QgsLayoutItemLabel,
                       QgsLayoutItemLegend, QgsLayoutItemMap, QgsLayoutItemScaleBar, QgsProject,
                       QgsVectorLayer)
from qgis.PyQt.QtGui import QImage


def layers(project):
    for node in project.layerTreeRoot().findLayers():
        layer = node.layer()
        print("layer", node.name(), int(layer is not None and layer.isValid()),
              layer.featureCount() if layer else -1, layer.renderer().type() if layer else "-",
              int(node.isVisible()))
        if layer is not None and layer.renderer().type() == "graduatedSymbol":
            ranges = layer.renderer().ranges()
            print("classes", node.name(), layer.renderer().classAttribute(),
                  " ".join("%r:%r" % (r.lowerValue(), r.upperValue()) for r in ranges))
        if layer is not None and layer.labelsEnabled():
            s = layer.labeling().settings()
            fields = "+".join(f for f in ("region", "net_ha") if f in s.fieldName)
            print("labels", node.name(), fields, int(s.scaleVisibility), s.maximumScale, s.minimumScale)


def sidecars(folder):
    for name in ("coverage", "overlaps", "regions"):
        layer = QgsVectorLayer(f"{folder}/{name}.geojson", name, "ogr")
        print("sidecar", name, layer.renderer().type(), int(layer.labelsEnabled()))


def item_text(items, kind, name):
    return [i for i in items if isinstance(i, kind) and i.id() == name]


def layout(project, out):
    lay = project.layoutManager().layoutByName("clearcov")
    if lay is None:
        print("layout missing")
        return
    items = lay.items()
    m = item_text(items, QgsLayoutItemMap, "map")[0]
    print("map", m.crs().authid())
    regions = project.mapLayersByName("regions")[0]
    t = QgsCoordinateTransform(regions.crs(), m.crs(), project)
    data = t.transformBoundingBox(regions.extent())
    print("map_holds_data", int(m.extent().contains(data)), m.scale())
    for kind, name in ((QgsLayoutItemLegend, "legend"), (QgsLayoutItemScaleBar, "scalebar")):
        found = item_text(items, kind, name)
        print(name, len(found), int(bool(found) and found[0].linkedMap() is m))
    for name in ("title", "hectares", "sources"):
        found = item_text(items, QgsLayoutItemLabel, name)
        print("label", name, found[0].text().replace("\n", " | ") if found else "-")
    ex = QgsLayoutExporter(lay)
    print("pdf", ex.exportToPdf(out + ".pdf", QgsLayoutExporter.PdfExportSettings()))
    st = QgsLayoutExporter.ImageExportSettings()
    st.dpi = 100
    print("png", ex.exportToImage(out + ".png", st))
    img = QImage(out + ".png")
    colours, inked = set(), 0
    for y in range(0, img.height(), 4):
        for x in range(0, img.width(), 4):
            c = img.pixel(x, y) & 0xFFFFFF
            colours.add(c)
            inked += c != 0xFFFFFF
    print("image", img.width(), img.height(), len(colours), inked)


app = QgsApplication([], False)
app.initQgis()
project = QgsProject.instance()
print("read", int(project.read(sys.argv[1])))
print("crs", project.crs().authid())
layers(project)
if sys.argv[3] == "geojson":
    sidecars(sys.argv[1].rsplit("/", 1)[0])
layout(project, sys.argv[2])
app.exitQgis()
EOF

check_project() {
    local dir=$1 kind=$2 out=$3 f=$3.txt
    "$PYQGIS" project.py "$WORK/moved/$dir/clearcov.qgs" "$WORK/$out" "$kind" >"$f" 2>"$out.err" ||
        fail "QGIS could not open moved/$dir/clearcov.qgs: $(tail -n 5 "$out.err")"
    sed "s/^/  $kind | /" "$f"
    assert_eq "$(sed -n 's/^read //p' "$f")" 1 "$kind: QGIS reads the project"
    assert_eq "$(sed -n 's/^crs //p' "$f")" "$want_epsg" "$kind: project CRS"
    assert_eq "$(awk '$1 == "layer" { printf "%s ", $2 }' "$f")" \
        "overlaps outside tasks coverage regions " "$kind: layer order, top first"
    local l n
    for l in coverage tasks overlaps outside regions; do
        if [[ $dir == gp ]]; then
            n=$(ogrinfo -so "$dir/clearcov.gpkg" "$l" | sed -n 's/^Feature Count: //p')
        else
            n=$(jq '.features | length' "$dir/$l.geojson")
        fi
        assert_eq "$(awk -v l="$l" '$1 == "layer" && $2 == l { print $3, $4 }' "$f")" "1 $n" \
            "$kind: $l valid, with its $n features"
    done
    assert_eq "$(awk '$1 == "layer" && $2 == "coverage" { print $5 }' "$f")" singleSymbol \
        "$kind: coverage is plain cleared land"
    assert_eq "$(awk '$1 == "classes" { print $2, $3 }' "$f")" "overlaps times
regions percent_cleared" "$kind: graduated layers"
    # Each region's percent (JSON report) against QGIS's classes: one class each.
    local classes
    classes=$(awk '$1 == "classes" && $2 == "regions" { for (i = 4; i <= NF; i++) print $i }' "$f")
    local used
    used=$(jq -r '.regions[].percent_cleared' report.json | while read -r p; do
        awk -v p="$p" -F: '{ if ((NR == 1 ? p >= $1 : p > $1) && p <= $2) print NR }' <<<"$classes"
    done | sort -u | wc -l)
    assert_eq "$used" "$(jq '.regions | length' report.json)" \
        "$kind: each province in a class of its own ($classes)"
    assert_eq "$(awk '$1 == "labels" { print $2, $3, $4, $5 + 0 }' "$f")" \
        "regions region+net_ha 1 250000" "$kind: region labels (name, hectares), hidden past 1:250,000"
    assert_eq "$(sed -n 's/^map //p' "$f")" "$want_epsg" "$kind: layout map CRS"
    assert_eq "$(awk '$1 == "map_holds_data" { print $2 }' "$f")" 1 \
        "$kind: the layout map shows all the regions"
    assert_eq "$(sed -n 's/^legend //p;s/^scalebar //p' "$f" | tr '\n' ' ')" "1 1 1 1 " \
        "$kind: legend and scale bar, linked to the map"
    local table name
    table=$(sed -n 's/^label hectares //p' "$f")
    while read -r name; do
        [[ $table == *"$name"* ]] || fail "$kind: hectare table lacks $name: $table"
    done < <(jq -r '.regions[].name' report.json)
    [[ $(sed -n 's/^label sources //p' "$f") == *provinces.shp*cleared_sample.gpkg* ]] ||
        fail "$kind: sources text names the inputs"
    assert_eq "$(sed -n 's/^pdf //p;s/^png //p' "$f" | tr '\n' ' ')" "0 0 " "$kind: PDF and PNG export"
    [[ $(stat -c %s "$out.pdf") -gt 10000 ]] || fail "$kind: PDF too small"
    read -r w h ncol inked < <(sed -n 's/^image //p' "$f")
    [[ $w -gt 1000 && $ncol -gt 20 && $inked -gt $((w * h / 16 / 10)) ]] ||
        fail "$kind: the PNG looks blank ($w x $h, $ncol colours, $inked inked samples)"
}

check_project gj geojson layout-gj
check_project gp gpkg layout-gp
awk '$1 == "sidecar" { print $2, $3, $4 }' layout-gj.txt >sidecars.txt
assert_eq "$(cat sidecars.txt)" "coverage singleSymbol 0
overlaps graduatedSymbol 0
regions graduatedSymbol 1" "GeoJSON layers opened alone take their .qml styles"
# audit --out: the flagged features styled by check, from flagged.qml beside the GeoJSON and from
# layer_styles inside the GeoPackage; every flagged feature gets a colour (none falls outside
# the categories), one category per check the audit knows.
cc audit --format json --out au
[[ $RC -le 1 ]] || fail "audit --out au: exit $RC: $(cat "$WORK/err")"
save audit.json
cc audit --out aup --out-format gpkg
[[ $RC -le 1 ]] || fail "audit --out aup --out-format gpkg: exit $RC: $(cat "$WORK/err")"
[[ -s au/flagged.qml && ! -e aup/flagged.qml ]] || fail "flagged.qml beside the GeoJSON only"
cat >audit.py <<'PYEOF'
import sys

from qgis.core import (QgsApplication, QgsExpressionContextUtils, QgsRenderContext,
                       QgsVectorLayer)

app = QgsApplication([], False)
app.initQgis()
for src in sys.argv[1:]:
    layer = QgsVectorLayer(src, "flagged", "ogr")
    message, ok = layer.loadDefaultStyle()
    r = layer.renderer()
    drawn = 0
    if r.type() == "categorizedSymbol":
        ctx = QgsRenderContext()
        ctx.expressionContext().appendScope(QgsExpressionContextUtils.layerScope(layer))
        r.startRender(ctx, layer.fields())
        for f in layer.getFeatures():
            ctx.expressionContext().setFeature(f)
            drawn += r.symbolForFeature(f, ctx) is not None
        r.stopRender(ctx)
    print(int(layer.isValid()), r.type(), len(r.categories()) if drawn else 0, drawn,
          layer.featureCount(), flush=True)
# No exitQgis(): with the layers still referenced here it crashes on the way out.
PYEOF
"$PYQGIS" audit.py "$WORK/au/flagged.geojson" "$WORK/aup/audit.gpkg|layername=flagged" \
    >audit.out 2>audit.err || fail "QGIS could not open the audit layers: $(tail -n 3 audit.err)"
nflag=$(jq '.features | length' au/flagged.geojson)
nchecks=$(jq '.checks | length' audit.json)
[[ $nflag -gt 0 ]] || fail "the bundled audit flags nothing: no test of the style"
assert_eq "$(cat audit.out)" "1 categorizedSymbol $nchecks $nflag $nflag
1 categorizedSymbol $nchecks $nflag $nflag" \
    "audit layers: valid, categorized by check ($nchecks), every one of $nflag features coloured"

if [[ -n ${CCOV_KEEP_SHOTS:-} ]]; then
    cp layout-gj.png "$CCOV_KEEP_SHOTS"
    note "layout export copied to $CCOV_KEEP_SHOTS"
fi
note "ok"
