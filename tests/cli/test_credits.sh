#!/usr/bin/env bash
# The boundary data is credited by what the file holds, not by its name (issue 15): geoBoundaries
# by its five fields (shapeName, shapeISO, shapeID, shapeGroup, shapeType), Natural Earth by
# featurecla with adm1_code (or adm0_a3, ne_id, scalerank); a file name saying geoBoundaries is
# the fallback. The same credit appears in the report (table and JSON), the SVG map's footer and
# the QGIS layout's sources. Fixtures: the bundled provinces copied by ogr2ogr under neutral names
# with each schema's fields; with ../shared present, the geoBoundaries ADM1 file renamed too.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh" "$@"
need ogr2ogr jq python3

NE="boundaries from Natural Earth (public domain)"
GB="boundaries from geoBoundaries (geoboundaries.org)"
PROV="$SOURCE_DIR/data/provinces.shp"
# A few cleared polygons, so that each run is quick (also under the sanitizers).
GOOD="$SOURCE_DIR/tests/bad/inputs/good.geojson"

ogr2ogr -f GeoJSON provinces_a.geojson "$PROV" -dialect SQLite -sql "SELECT name AS shapeName,
    iso AS shapeISO, 'ID' || iso AS shapeID, 'LAO' AS shapeGroup, 'ADM1' AS shapeType, geometry
    FROM provinces"
ogr2ogr -f GeoJSON provinces_b.geojson "$PROV" -dialect SQLite -sql "SELECT 'Admin-1 scale rank'
    AS featurecla, 'LAO-' || iso AS adm1_code, name, name AS name_en, iso AS iso_3166_2, geometry
    FROM provinces"
ogr2ogr -f GeoJSON provinces_c.geojson "$PROV" -dialect SQLite -sql "SELECT name, iso, geometry
    FROM provinces"
cp provinces_c.geojson lao_geoBoundaries_adm1.geojson
# featurecla alone is not enough: a user's own file may have such a field.
ogr2ogr -f GeoJSON provinces_d.geojson "$PROV" -dialect SQLite -sql "SELECT name, iso,
    'province' AS featurecla, geometry FROM provinces"

# credit_is FILE WANT: the report (table and JSON), the map footer and the QGIS layout's sources
# give WANT ("" for no credit).
credit_is() {
    local f=$1 want=$2 what
    what="$(basename "$f")"
    cc report --regions "$f" --cleared "$GOOD"
    expect_ok "report --regions $what"
    local line
    line=$(grep '^Regions: ' "$WORK/out")
    if [[ -n $want ]]; then
        [[ $line == *"features used; $want" ]] || fail "$what: report says: $line (want: $want)"
    else
        [[ $line == *"features used" ]] || fail "$what: report credits: $line"
    fi
    cc report --regions "$f" --cleared "$GOOD" --format json
    expect_ok "report --regions $what --format json"
    assert_eq "$(j '.inputs.regions.credit // ""')" "$want" "$what: JSON inputs.regions.credit"
    cc map --regions "$f" --cleared "$GOOD" -o "$what.svg"
    expect_ok "map --regions $what"
    local foot
    foot=$(python3 -c 'import sys, xml.etree.ElementTree as ET
g = [e for e in ET.parse(sys.argv[1]).getroot().iter() if e.get("id") == "footer"][0]
print(" ".join("".join(t.itertext()) for t in g))' "$what.svg")
    if [[ -n $want ]]; then
        [[ $foot == *"; $want"* ]] || fail "$what: map footer lacks the credit: $foot"
    else
        [[ $foot != *"boundaries from"* ]] || fail "$what: map footer credits: $foot"
    fi
    cc report --regions "$f" --cleared "$GOOD" --out "$what.out"
    expect_ok "report --regions $what --out"
    local sources
    sources=$(python3 -c 'import sys, xml.etree.ElementTree as ET
print([i.get("labelText") for i in ET.parse(sys.argv[1]).getroot().iter("LayoutItem")
       if i.get("id") == "sources"][0])' "$what.out/clearcov.qgs")
    if [[ -n $want ]]; then
        [[ $sources == "Sources: regions $what: $want; "* ]] || fail "$what: QGIS sources: $sources"
    else
        [[ $sources == "Sources: regions $what; "* ]] || fail "$what: QGIS sources credit: $sources"
    fi
    note "$what: ${want:-no credit}"
}

credit_is "$PROV" "$NE"                               # the bundled provinces
credit_is provinces_a.geojson "$GB"                   # geoBoundaries' fields
credit_is provinces_b.geojson "$NE"                   # Natural Earth's fields
credit_is provinces_c.geojson ""                      # neither
credit_is lao_geoBoundaries_adm1.geojson "$GB"        # the file name, as a fallback
credit_is provinces_d.geojson ""                      # featurecla alone

ADM1="$SOURCE_DIR/../shared/data/lao_adm1_geoboundaries.geojson"
if [[ -f $ADM1 ]]; then
    cp "$ADM1" lao_provinces.geojson
    credit_is lao_provinces.geojson "$GB"             # the real file, renamed
else
    note "SKIP the real geoBoundaries file: $ADM1 is absent"
fi
note "ok"
