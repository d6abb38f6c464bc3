#!/usr/bin/env bash
# --group-by on the coverage layer of --out and on the map (issue 13), on the bundled data.
# Coverage layer: one feature per region and group with tasks there; each feature's polygons are
# measured again by GeographicLib's Planimeter on the rings read back with GDAL (full precision
# GeoPackage: same vertices, same Karney algorithm, so 1e-9 relative + 1e-3 m2, as
# test_layers.sh's full mode) and must equal the feature's net_ha, which must be the report's
# group row (JSON, 6 decimals: 5e-7 ha). Per region, the groups' features add up to the region's
# net plus the area counted in more than one group (the report's group_overlap_ha): the groups'
# dissolved areas overlap exactly there. Map: the legend names the groups by net hectares and
# the SVG has one colour per group shown; with more groups than colours, "... and N more".
# Without --group-by every output is unchanged (scripts/same-outputs.sh, not here).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh" "$@"
need Planimeter
need jq
need xmllint

RUN=(--group-by operator --status-field status)
"$CLEARCOV" report "${RUN[@]}" --out gp --out-format gpkg --format json -o rep.json 2>err ||
    fail "report --group-by --out gpkg failed: $(cat err)"

# The coverage layer's features, at full precision, as GeoJSON for jq and Planimeter.
ogr2ogr -f GeoJSON cov.geojson gp/clearcov.gpkg coverage -preserve_fid -lco RFC7946=NO \
    -lco COORDINATE_PRECISION=15 || fail "ogr2ogr cannot read the coverage layer"
ring_areas cov.geojson '"\(.properties.region)|\(.properties.operator)\t\(.properties.net_ha)"' m 12
# key<TAB>net_ha<TAB>measured ha, one line per feature
paste m.rings m.areas | awk -F'\t' '{
    split($4, f, " "); a = f[3]; if (a < 0) a = -a
    net[$1] = $2; area[$1] += $3 * a
} END { for (k in area) printf "%s\t%s\t%.12f\n", k, net[k], area[k] / 1e4 }' | sort >measured

# The report's group rows: region|operator<TAB>net_ha, and the regions' net + group overlap.
jq -r '.breakdowns.groups[] | .values.operator as $o | .regions[] | select(.tasks > 0) |
    "\(.name)|\($o)\t\(.net_ha)"' rep.json | sort >want
jq -r '.regions[] | "\(.name)\t\(.net_ha + .group_overlap_ha)"' rep.json | sort >want.regions

check_features() {
    local n
    n=$(jq '.features | length' cov.geojson)
    assert_eq "$n" "$(wc -l <want)" "coverage layer: one feature per region and group with tasks"
    assert_eq "$(cut -f1 measured)" "$(cut -f1 want)" "coverage layer: the report's region x group rows"
    [[ $(wc -l <measured) -ge 10 ]] || fail "coverage layer: only $(wc -l <measured) groups"
    # Measured area = the feature's net_ha (1e-9 relative + 1e-3 m2), = the report's (5e-7 ha).
    join -t $'\t' measured want | awk -F'\t' '{
        d = $3 - $2; if (d < 0) d = -d
        if (d > 1e-9 * $2 + 1e-7) { printf "BAD %s: net_ha %s, measured %s\n", $1, $2, $3; bad++ }
        e = $2 - $4; if (e < 0) e = -e
        if (e > 5e-7 + 1e-9 * $4) { printf "BAD %s: net_ha %s, report %s\n", $1, $2, $4; bad++ }
    } END { exit bad > 0 }' || fail "coverage layer areas: $(join -t $'\t' measured want | head -3)"
}

check_regions() {
    # Per region: the groups' features' areas add up to net + group overlap (JSON 6 decimals).
    awk -F'\t' '{ split($1, k, "|"); s[k[1]] += $3 } END { for (r in s) printf "%s\t%.12f\n", r, s[r] }' \
        measured | sort | join -t $'\t' - want.regions | awk -F'\t' '{
        d = $2 - $3; if (d < 0) d = -d; n++
        if (d > 1e-9 * $3 + 1e-6) { printf "BAD %s: groups %s, net + overlap %s\n", $1, $2, $3; bad++ }
    } END { exit bad > 0 || n != 2 }' || fail "per region: groups' areas vs net + group overlap"
    # ... and the overlap is real: the groups' areas exceed the region's net.
    local over
    over=$(jq '[.regions[].group_overlap_ha] | min' rep.json)
    awk -v o="$over" 'BEGIN { exit !(o > 1) }' || fail "group overlap too small to test: $over"
}

check_columns() {
    local cols
    cols=$(ogrinfo -so gp/clearcov.gpkg coverage | sed -n 's/^\([a-z_]*\): .*/\1/p' | tr '\n' ' ')
    assert_eq "$cols" "region iso operator net_ha gross_ha overlap_ha tasks cleared_net_ha \
cleared_gross_ha cleared_tasks reduced_net_ha reduced_gross_ha reduced_tasks cancelled_net_ha \
cancelled_gross_ha cancelled_tasks " "coverage layer columns"
    # Category figures: the report's (JSON) for one row; cleared + reduced + cancelled = net.
    sql_none gp/clearcov.gpkg "categories do not add up to net" "SELECT region || ' ' || operator
        AS bad FROM coverage WHERE abs(cleared_net_ha + reduced_net_ha + cancelled_net_ha
        - net_ha) > 1e-9 * net_ha"
}

check_geojson() {
    # The default GeoJSON output: the same features (7 decimals: counts and values only).
    "$CLEARCOV" report "${RUN[@]}" --out gj -q >/dev/null || fail "report --group-by --out failed"
    assert_eq "$(jq '.features | length' gj/coverage.geojson)" "$(wc -l <want)" "GeoJSON coverage"
    assert_eq "$(jq -r '[.features[].properties.operator] | unique | length' gj/coverage.geojson)" \
        "$(jq '.breakdowns.groups | length' rep.json)" "GeoJSON coverage: every operator"
}

check_map() {
    "$CLEARCOV" map "${RUN[@]}" -o g.svg -q || fail "map --group-by failed"
    xmllint --noout g.svg || fail "map --group-by: not well-formed XML"
    local ngroups fills
    ngroups=$(jq '.breakdowns.groups | length' rep.json)
    fills=$(grep -o '<g id="coverage-group-[0-9]*" fill="#[0-9a-f]*"' g.svg | sed 's/.*fill=//' | sort -u | wc -l)
    assert_eq "$fills" "$ngroups" "map: one colour per group"
    assert_eq "$(grep -c '<g id="coverage-group-' g.svg)" "$ngroups" "map: one group of paths per group"
    # Legend: the groups by net hectares over every region, largest first.
    local want_order got_order
    want_order=$(jq -r '.breakdowns.groups | sort_by(-.totals.net_ha) | .[].values.operator' rep.json | tr '\n' '|')
    got_order=$(sed -n '/<g id="legend">/,/<\/g>/p' g.svg | grep -o '<text[^>]*>[^<]*</text>' |
        sed 's/<[^>]*>//g' | grep -Fx -f <(jq -r '.breakdowns.groups[].values.operator' rep.json) |
        awk '!seen[$0]++' | tr '\n' '|')
    assert_eq "$got_order" "$want_order" "map legend: the groups by net hectares"
    # Every coverage path sits in its group's colour: its title names the group of that <g>.
    awk '/<g id="coverage-group-/ { g = $0; next } /<\/g>/ { g = "" }
        g && /<path/ { match($0, /<title>[^<]*<\/title>/); t = substr($0, RSTART + 7, RLENGTH - 15)
            sub(/^[^:]*: /, "", t); if (!(g in first)) first[g] = t; else if (first[g] != t) bad++ }
        END { exit bad > 0 }' g.svg || fail "map: a colour holds paths of several groups"
}

check_map_many() {
    # operator x year: more groups than colours: 8 colours, the last for "... and N more".
    "$CLEARCOV" report --group-by operator,year --format json -o many.json -q ||
        fail "report --group-by operator,year failed"
    "$CLEARCOV" map --group-by operator,year -o many.svg -q || fail "map --group-by operator,year failed"
    local n
    n=$(jq '.breakdowns.groups | length' many.json)
    [[ $n -gt 8 ]] || fail "only $n operator-year groups"
    assert_eq "$(grep -o '<g id="coverage-group-[0-9]*" fill="#[0-9a-f]*"' many.svg | sort -u | wc -l)" 8 \
        "map: 8 colours for $n groups"
    grep -qF "… and $((n - 7)) more" many.svg || fail "map: no '… and $((n - 7)) more' in the legend"
}

check_districts() {
    # --group-by with --districts is no longer refused (it exited 2): the bundled provinces as
    # their own districts give each group one district row equal to its province row.
    "$CLEARCOV" report "${RUN[@]}" --districts "$SOURCE_DIR/data/provinces.shp" --format json \
        -o dist.json -q || fail "report --group-by --districts failed"
    jq -e '[.breakdowns.groups[] | (.regions | map(.net_ha)) == (.districts | map(.net_ha))]
        | all and length > 5' dist.json >/dev/null ||
        fail "--districts: the group district rows differ from their province rows"
}

checked check_features
checked check_districts
checked check_regions
checked check_columns
checked check_geojson
checked check_map
checked check_map_many
end_checks
note "coverage layer and map by group: ok ($(wc -l <measured) region x group features)"
