#!/usr/bin/env bash
# The result layers as QGIS sees them (Debian package `qgis`; skipped when it is not installed):
#   1. QGIS's field calculator (native:fieldcalculator, run by qgis_process) computes `$area` on
#      the ellipsoid, and is compared with clearcov's hectares: on the bundled coverage.geojson
#      against net_ha (1e-6 relative), on every layer of clearcov.gpkg against its hectare field
#      (1e-9 relative), and, as a control, without an ellipsoid `$area` is planar (square degrees)
#      and far from it.
#   2. QGIS's Python API (python3-qgis, Debian's /usr/bin/python3) opens each layer of
#      clearcov.gpkg and gets its default style from layer_styles: graduated renderers for the
#      regions (by percent_cleared) and overlaps (by times), single symbols for the others, labels
#      on the regions by name and net hectares.
# Tolerances. QGIS 3.22 measures ellipsoidal areas with GeographicLib (Karney's geodesic polygon
# area, edges are geodesics), the algorithm PROJ's geod_polygonarea implements in clearcov: on the
# same vertices (the GeoPackage keeps full precision) the two agree to about 1e-13, so 1e-9
# relative leaves room only for floating-point summation. The GeoJSON has coordinates rounded to
# 7 decimals (~1 cm), which moves a polygon's area by up to ~0.6 cm x its perimeter; over the
# bundled coverage's ~1,000 polygons per region these errors are independent and mostly cancel
# (about 5e-7 relative seen), hence 1e-6 there.
# qgis_process is run as qgis_process.bin: the Debian wrapper adds $QGIS_OPTS, which this build
# rejects; HOME and the XDG folders point into the test folder so that QGIS writes nothing else.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh" "$@"

QGIS_PROCESS=/usr/bin/qgis_process.bin
[[ -x $QGIS_PROCESS ]] || skip "QGIS is not installed ($QGIS_PROCESS missing; Debian package qgis)"

mkdir -p home/run && chmod 700 home/run
export HOME=$WORK/home XDG_RUNTIME_DIR=$WORK/home/run XDG_CONFIG_HOME=$WORK/home/config \
    XDG_DATA_HOME=$WORK/home/data XDG_CACHE_HOME=$WORK/home/cache QT_QPA_PLATFORM=offscreen

LAYERS=(coverage tasks overlaps outside regions)

cc report --format json --out gj
expect_ok "report --out gj"
save report.json
cc report --format json --out gp --out-format gpkg
expect_ok "report --out gp --out-format gpkg"
cmp -s report.json "$WORK/out" || fail "the JSON report differs between the GeoJSON and GeoPackage runs"

# qgis_area INPUT OUT [--ELLIPSOID=...]: native:fieldcalculator adds qgis_ha = $area / 10000.
qgis_area() {
    local input=$1 out=$2
    shift 2
    rm -f "$out"
    # shellcheck disable=SC2016 # $area is QGIS's
    if ! "$QGIS_PROCESS" run native:fieldcalculator "$@" -- "INPUT=$input" FIELD_NAME=qgis_ha \
        FIELD_TYPE=0 FIELD_LENGTH=24 FIELD_PRECISION=12 'FORMULA=$area / 10000' "OUTPUT=$out" \
        >"$WORK/qgis.out" 2>"$WORK/qgis.err"; then
        sed 's/^/  | /' "$WORK/qgis.out" "$WORK/qgis.err" | tail -n 20 >&2
        fail "qgis_process native:fieldcalculator failed on $input"
    fi
    [[ -s $out ]] || fail "qgis_process wrote no $out"
}

# compare OUT FIELD TOL LABEL: qgis_ha against FIELD for every feature; prints the largest
# relative difference.
compare() {
    local out=$1 field=$2 tol=$3 label=$4 res
    res=$(jq -r --arg f "$field" --argjson tol "$tol" '
        [.features[].properties | select(.[$f] != null) |
         {id: (.region // .task_id // ""), want: .[$f], got: .qgis_ha,
          d: ((.qgis_ha - .[$f]) | fabs)}] |
        (map(select(.d > $tol * .want + 1e-7)) | map("\(.id): QGIS \(.got) ha, clearcov \(.want) ha")
            | join("; ")) as $bad |
        "\(length) \(map(if .want > 0 then .d / .want else .d end) | max // 0) \($bad)"' "$out") ||
        fail "$out: not readable"
    local n max bad
    read -r n max bad <<<"$res"
    [[ -z $bad ]] || fail "$label: QGIS \$area vs $field beyond $tol relative: $bad"
    note "$label: $n features, largest relative difference QGIS vs clearcov $max"
}

# ---- 1. QGIS's ellipsoidal $area ----
qgis_area gj/coverage.geojson q_coverage.geojson --ELLIPSOID=EPSG:7030
assert_eq "$(jq '.features | length' q_coverage.geojson)" "$(jq '.regions | length' report.json)" \
    "QGIS output: one feature per region"
compare q_coverage.geojson net_ha 1e-6 "coverage.geojson (7 decimals)"
# The same against the JSON report's net_ha (6 decimals).
for ((i = 0; i < $(jq '.regions | length' report.json); i++)); do
    name=$(jq -r ".regions[$i].name" report.json)
    assert_close "$(jq -r --arg n "$name" '.features[].properties | select(.region == $n) | .qgis_ha' \
        q_coverage.geojson)" "$(jq -r ".regions[$i].net_ha" report.json)" 1e-6 \
        "QGIS \$area of $name's coverage vs the report's net_ha"
done
for l in "${LAYERS[@]}"; do
    case $l in
    coverage) field=net_ha ;;
    regions) field=region_ha ;;
    *) field=area_ha ;;
    esac
    qgis_area "gp/clearcov.gpkg|layername=$l" "q_$l.geojson" --ELLIPSOID=EPSG:7030
    assert_eq "$(jq '.features | length' "q_$l.geojson")" \
        "$(ogrinfo -so gp/clearcov.gpkg "$l" | sed -n 's/^Feature Count: //p')" "QGIS output $l: features"
    compare "q_$l.geojson" "$field" 1e-9 "clearcov.gpkg $l (full precision)"
done
# Control: with no ellipsoid $area is in the layer's units (square degrees), nowhere near.
qgis_area gj/coverage.geojson q_planar.geojson
planar=$(jq -r '.features[0].properties.qgis_ha' q_planar.geojson)
assert_differs "$planar" "$(jq -r '.regions[0].net_ha' report.json)" 1 \
    "control: QGIS \$area without --ELLIPSOID (planar, square degrees / 1e4)"
note "control: without --ELLIPSOID QGIS gives $planar for region 1 (planar, degrees)"

# ---- 2. default styles from layer_styles, through QGIS's Python API ----
PYQGIS=/usr/bin/python3
if ! "$PYQGIS" -c 'import qgis.core' 2>/dev/null; then
    # The field calculator part passed; the test still reports "skipped" (77), not a pass.
    skip "the style part: $PYQGIS cannot import qgis.core (Debian package python3-qgis)"
fi
cat >styles.py <<'EOF'
# Open each layer of a clearcov GeoPackage with QGIS and print how its default style came out.
import sys

from qgis.core import QgsApplication, QgsVectorLayer


def describe(gpkg, name):
    layer = QgsVectorLayer(f"{gpkg}|layername={name}", name, "ogr")
    message, ok = layer.loadDefaultStyle()
    renderer = layer.renderer()
    if renderer.type() == "graduatedSymbol":
        ranges = renderer.ranges()  # copies: keep them alive while their symbols are read
        colours = [r.symbol().color().getRgb() for r in ranges]
        attr = renderer.classAttribute()
    else:
        colours = [renderer.symbol().color().getRgb()]
        attr = "-"
    labels = layer.labeling()
    expression = labels.settings().fieldName if labels is not None and layer.labelsEnabled() else ""
    field = "+".join(f for f in ("region", "net_ha") if f in expression)
    return [name, int(layer.isValid()), int(ok), renderer.type(), attr or "-",
            int(layer.labelsEnabled()), field or "-", layer.crs().authid(), layer.featureCount(),
            message.replace(" ", "_"), "/".join("%d,%d,%d,%d" % c for c in colours)]


app = QgsApplication([], False)
app.initQgis()
for layer_name in sys.argv[2:]:
    print(*describe(sys.argv[1], layer_name), flush=True)
app.exitQgis()
EOF
"$PYQGIS" styles.py gp/clearcov.gpkg "${LAYERS[@]}" >styles.out 2>styles.err ||
    fail "QGIS Python could not open gp/clearcov.gpkg: $(tail -n 5 styles.err)"
# colour_family COLOURS: green / warm / grey / clear when every "r,g,b,a" fits, else "mixed".
colour_family() {
    tr '/' '\n' <<<"$1" | awk -F, '{
        if ($4 == 0) f = "clear"
        else if ($1 == $2 && $2 == $3) f = "grey"
        else if ($2 > $1 && $2 > $3) f = "green"
        else if ($3 > $1 && $3 > $2) f = "blue"
        else if ($1 > $2 && $1 > $3) f = "warm"
        else f = "other"
        if (NR == 1) fam = f; else if (f != fam) fam = "mixed"
    } END { print fam }'
}
while read -r name valid ok renderer attr labels field crs n message colours; do
    note "QGIS: $name: renderer $renderer ($attr), labels $labels ($field), $crs, $n features," \
        "colours $colours, style: $message"
    assert_eq "$valid $ok $message" "1 1 Loaded_from_Provider" \
        "QGIS opens $name and loads its default style from the GeoPackage"
    assert_eq "$crs" EPSG:4326 "QGIS: $name CRS"
    assert_eq "$n" "$(ogrinfo -so gp/clearcov.gpkg "$name" | sed -n 's/^Feature Count: //p')" \
        "QGIS: $name feature count"
    case $name in
    coverage) want="singleSymbol - 0 -" ;;
    overlaps) want="graduatedSymbol times 0 -" ;;
    regions) want="graduatedSymbol percent_cleared 1 region+net_ha" ;;
    *) want="singleSymbol - 0 -" ;;
    esac
    assert_eq "$renderer $attr $labels $field" "$want" "QGIS: $name default style (renderer, attribute, labels)"
    # README: coverage in green, overlaps in warning oranges and reds, tasks light green,
    # outside grey, regions the choropleth of percent cleared in blues.
    case $name in
    coverage | tasks) want=green ;;
    overlaps) want=warm ;;
    outside) want=grey ;;
    regions) want=blue ;;
    esac
    assert_eq "$(colour_family "$colours")" "$want" "QGIS: $name fill colours ($colours)"
done <styles.out
assert_eq "$(awk '{ print $1 }' styles.out | tr '\n' ' ')" "${LAYERS[*]} " "QGIS: layers reported"

note "ok"
