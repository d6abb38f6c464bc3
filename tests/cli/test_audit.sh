#!/usr/bin/env bash
# clearcov audit: every check on a small constructed input with the features it must flag worked
# out by hand, the summary, the flagged-features layer (GeoJSON and GeoPackage), exit codes and
# errors, nothing modified; and `clearcov synth` output contains cases each check catches.
#
# Regions: tests/data/regions_utm.csv (Alpha 450000..452000 x 2050000..2052000 and Beta east of
# x = 452000, EPSG:32648). Records: tests/data/audit_cases_utm.csv, one row per case, the `note`
# column saying what each one is. Mostly 200 x 200 m squares (4 ha) in their own 250 m cell of
# Alpha, province 'Alpha', year 2015, completed 2015-06-01, reported area = their area, so that
# each case trips only its own check(s):
#   invalid             A02 bow-tie, edges crossing at (450375 2050125); A03 ring of 2 distinct
#                       points (also too_few_vertices)
#   too_few_vertices    A03
#   duplicate_geometry  A11a and A11b (the same square from another vertex, clockwise)
#   duplicate_id        'D-1' and 'd-1 ' (case and a trailing space)
#   repeated_vertex     A04 (450975 2050025) twice in a row (valid for GEOS)
#   long_edge           none at 5000 m; with --max-edge 350: A05, a 400 x 200 m rectangle
#   area_mismatch       A06 reports 50000 m2 = 5 ha for 4 ha (+25 % > 10 %); A06c "furlong".
#                       A06b reports 9.884215258 acres = 4.000 ha: not flagged.
#   region_attr_mismatch  A07 says 'Beta', lies in Alpha; A07d empty. ' alpha ' (A07b), 'XX-A'
#                       (A07c), 'Alpha' on the 50/50 A09 and 'Gamma' on the outside A08: fine.
#   outside             A08, 3 km east of Beta
#   crossing            A09 (half Alpha, half Beta), A10 (half outside Alpha's west edge)
#   near_duplicate      A13a/A13b share 190 x 200 m = 95 % (> 90 %); A13c/A13d share 50 %: no
#   sliver              A14 300 x 2 m: thinness 4 pi 600 / 604^2 = 0.0207 < 0.05;
#                       A14b 10 x 0.5 m: thinness 4 pi 5 / 21^2 = 0.142, minimum width 0.5 < 1 m
#   date_range          A15a year 1950, A15b year 2099, A15c year 'abc', A15d completed
#                       1899-12-31 (a Date field), with --min-year 1964 --max-year 2030
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh" "$@"

csv_layer "$DATA/regions_utm.csv" regions.gpkg EPSG:32648 -nln regions -nlt POLYGON
csv_layer "$DATA/audit_cases_utm.csv" cases.gpkg EPSG:32648 -nln cleared -nlt POLYGON \
    -oo AUTODETECT_TYPE=YES
before=$(sha256sum cases.gpkg)
RUN=(audit --cleared cases.gpkg --regions regions.gpkg --region-attr province
    --min-year 1964 --max-year 2030)

# flagged CHECK: how many features CHECK flagged in the last JSON run; ids CHECK: their task ids.
flagged() { j ".checks[] | select(.id == \"$1\") | .flagged"; }
ids() { j "[.flagged[] | select(.checks | index(\"$1\")) | .id] | join(\",\")"; }
details() { j ".flagged[] | select(.id == \"$1\") | .details"; }

cc "${RUN[@]}" --format json
expect_rc 1 "audit of the cases: checks fail"
jq -e . "$WORK/out" >/dev/null || { show_last; fail "audit JSON does not parse"; }
assert_eq "$(j .source.features)" 29 "29 records read"
assert_eq "$(j '.fields | [.id, .reported_area, .reported_unit, .region_attr, .dates] | join(" ")')" \
    "task_id reported_area reported_unit province year,completed" "fields read"
want() { # check count ids
    assert_eq "$(flagged "$1")" "$2" "$1: features flagged"
    assert_eq "$(ids "$1")" "$3" "$1: which"
}
want invalid 2 "A02,A03"
want too_few_vertices 1 "A03"
want duplicate_geometry 2 "A11a,A11b"
want duplicate_id 2 "D-1,d-1 "
want repeated_vertex 1 "A04"
want long_edge 0 ""
want area_mismatch 2 "A06,A06c"
want region_attr_mismatch 2 "A07,A07d"
want outside 1 "A08"
want crossing 2 "A09,A10"
want near_duplicate 2 "A13a,A13b"
want sliver 2 "A14,A14b"
want date_range 4 "A15a,A15b,A15c,A15d"
assert_eq "$(j .flagged_features)" 22 "22 features flagged"
assert_eq "$(j '[.checks[].ran] | all')" true "every check ran"

# The details carry the hand values.
[[ $(details A02) == "invalid: self-intersection at (450375 2050125)" ]] ||
    fail "A02 details: $(details A02)"
[[ $(details A03) == *"too_few_vertices: exterior ring 1 has 2 distinct vertices"* ]] ||
    fail "A03 details: $(details A03)"
[[ $(details A04) == "repeated_vertex: (450975 2050025)" ]] || fail "A04: $(details A04)"
# 5 ha reported; the square's geodesic area is 4 ha / k^2, with the UTM scale factor 48375 m
# from the central meridian k = 0.9996 (1 + 48375^2 / (2 x 6.36e6^2)) = 0.999629: 4.00297 ha.
[[ $(details A06) == "area_mismatch: reported 5 ha, polygon 4.0029"*" ha (+24.9 %)" ]] ||
    fail "A06 details: $(details A06)"
[[ $(details A07) == *"province 'Beta'"*"100.0 % lies in Alpha"* ]] || fail "A07: $(details A07)"
[[ $(details A09) == "crossing: 50.0 % in Alpha, 50.0 % in Beta" ]] || fail "A09: $(details A09)"
[[ $(details A10) == "crossing: 50.0 % in Alpha, 50.0 % outside every region" ]] ||
    fail "A10: $(details A10)"
[[ $(details A13a) == "near_duplicate: fid 18 (95.0 %)" ]] || fail "A13a: $(details A13a)"
[[ $(details A14) == "sliver: thinness 0.0207, minimum width 2.00 m" ]] ||
    fail "A14: $(details A14)"
[[ $(details A14b) == "sliver: thinness 0.1425, minimum width 0.50 m" ]] ||
    fail "A14b: $(details A14b)"
[[ $(details A15d) == "date_range: completed 1899/12/31 outside 1964..2030" ]] ||
    fail "A15d: $(details A15d)"
[[ $(details "d-1 ") == "duplicate_id: same as fid 15 ('D-1')" ]] || fail "d-1: $(details "d-1 ")"

# ---- thresholds are options ----
# long_edge at 350 m: A05's 400 m edges (400.15 m on the ground: UTM shrinks by k = 0.99963).
cc "${RUN[@]}" --format json --max-edge 350
expect_rc 1 "audit --max-edge 350: other records are still flagged"
want long_edge 1 "A05"
# (Its two 400 m edges differ by millimetres on the ground; either may be the one reported.)
[[ $(details A05) == "long_edge: 400 m from ("*" 2050"?"25) to ("*" 2050"?"25)" ]] ||
    fail "A05 details: $(details A05)"
# area_mismatch at 30 %: A06's +25 % passes; the unknown unit is still flagged.
cc "${RUN[@]}" --format json --area-tolerance 30
expect_rc 1 "audit --area-tolerance 30: other records are still flagged"
want area_mismatch 1 "A06c"
# near_duplicate at 96 %: the 95 % pair passes; at 40 %, the 50 % pair A13c/A13d is caught too.
cc "${RUN[@]}" --format json --near-duplicate 96
expect_rc 1 "audit --near-duplicate 96: other records are still flagged"
want near_duplicate 0 ""
cc "${RUN[@]}" --format json --near-duplicate 40
expect_rc 1 "audit --near-duplicate 40: other records are still flagged"
want near_duplicate 4 "A13a,A13b,A13c,A13d"
# sliver: no width limit and thinness 0.02 leaves A14 (0.0207) and A14b (0.142) alone.
cc "${RUN[@]}" --format json --sliver-thinness 0.02 --sliver-width 0
expect_rc 1 "audit --sliver-thinness 0.02 --sliver-width 0: other records are still flagged"
want sliver 0 ""
# date_range with --min-year 1900: 1899 still out, 1950 now in.
cc "${RUN[@]}" --format json --min-year 1900
expect_rc 1 "audit --min-year 1900: other records are still flagged"
want date_range 3 "A15b,A15c,A15d"
# Checks without their field do not run, and say why.
cc audit --cleared cases.gpkg --regions regions.gpkg --format json --date-field year
expect_rc 1 "audit --date-field year: records are still flagged"
assert_eq "$(j '.checks[] | select(.id == "region_attr_mismatch") | .ran')" false \
    "no --region-attr: region_attr_mismatch not run"
assert_eq "$(j '.fields.dates')" year "--date-field year: only year read"

# ---- the summary table and CSV ----
cc "${RUN[@]}"
expect_rc 1 "table"
expect_out_has "Features flagged by at least one check: 22 of 29" "table total"
for c in invalid too_few_vertices duplicate_geometry duplicate_id repeated_vertex long_edge \
    area_mismatch region_attr_mismatch outside crossing near_duplicate sliver date_range; do
    grep -q "^$c " "$WORK/out" || { show_last; fail "table has no row for $c"; }
done
cc "${RUN[@]}" --format csv
expect_rc 1 "CSV"
expect_out_has "check,flagged,ran,description" "CSV header"
expect_out_has "near_duplicate,2,true," "CSV row"

# ---- -v lists every flagged feature on stderr: source, feature id, details ----
cc "${RUN[@]}" -v
expect_rc 1 "-v"
expect_err_has "cases.gpkg: feature 2: invalid: self-intersection at (450375 2050125)" "-v"

# ---- --out DIR: the flagged features for QGIS ----
cc "${RUN[@]}" --out layers
expect_rc 1 "--out"
[[ -f layers/flagged.geojson ]] || fail "--out: no layers/flagged.geojson"
assert_eq "$(jq '.features | length' layers/flagged.geojson)" 22 "GeoJSON: 22 features"
assert_eq "$(jq -r '.features[] | select(.properties.id == "A03") | .properties.checks |
    join(",")' layers/flagged.geojson)" "invalid,too_few_vertices" "GeoJSON: checks is a list"
assert_eq "$(jq -r '.features[] | select(.properties.id == "A09") | .properties.details' \
    layers/flagged.geojson)" "crossing: 50.0 % in Alpha, 50.0 % in Beta" "GeoJSON: details"
assert_eq "$(jq -r '.features[] | select(.properties.id == "A09") | .properties.source_fid' \
    layers/flagged.geojson)" 28 "GeoJSON: source_fid"
# RFC 7946: WGS84 lon/lat (about 104.5 E 18.5 N), no crs member.
assert_eq "$(jq '[.features[].geometry | select(. != null) | .coordinates[0][0] |
    (.[0] > 104 and .[0] < 105 and .[1] > 18 and .[1] < 19)] | all' layers/flagged.geojson)" \
    true "GeoJSON in lon/lat"
assert_eq "$(jq 'has("crs")' layers/flagged.geojson)" false "GeoJSON: no crs member"
cc "${RUN[@]}" --out layers
expect_rc 3 "--out onto an existing file"
expect_err_has "--overwrite" "--out: existing file refused"
cc "${RUN[@]}" --out layers --out-format gpkg
expect_rc 1 "--out gpkg"
assert_eq "$(sql layers/audit.gpkg "SELECT COUNT(*) AS n FROM flagged")" 22 "GeoPackage: 22"
# (quotes dropped: the CSV that sql prints quotes and doubles them)
assert_eq "$(sql layers/audit.gpkg "SELECT checks AS c FROM flagged WHERE id = 'A03'" |
    tr -d '"')" '[invalid,too_few_vertices]' "GeoPackage: checks as a JSON list"
assert_eq "$(ogrinfo -so layers/audit.gpkg flagged | grep -c 'checks: String(JSON)')" 1 \
    "GeoPackage: checks declared as JSON"
[[ -z $(find layers -name '.clearcov-*') ]] || fail "--out: temporary files left behind"

# ---- nothing flagged (issue 15): the empty collection still has a bbox, the audited source's
# extent in lon/lat: it holds every feature (taken to EPSG:4326 by ogr2ogr) and is at most
# 0.01 degree larger; ogrinfo reads the file ----
cc "${RUN[@]}" --where "1 = 0" --out none
expect_ok "--where '1 = 0' --out"
assert_eq "$(jq '.features | length' none/flagged.geojson)" 0 "nothing flagged: no feature"
assert_eq "$(ogrinfo -so none/flagged.geojson flagged | sed -n 's/^Feature Count: //p')" 0 \
    "nothing flagged: ogrinfo reads the file"
ogr2ogr -f GeoJSON -t_srs EPSG:4326 -lco RFC7946=YES -lco WRITE_BBOX=YES cases_ll.geojson cases.gpkg
assert_eq "$(jq -c --slurpfile s cases_ll.geojson '.bbox as $b | $s[0].bbox as $e |
    ($b | length) == 4 and $b[0] <= $e[0] and $b[1] <= $e[1] and $b[2] >= $e[2] and $b[3] >= $e[3]
    and ([range(4) as $i | ($b[$i] - $e[$i] | fabs) < 0.01] | all)' none/flagged.geojson)" true \
    "nothing flagged: bbox $(jq -c .bbox none/flagged.geojson) holds the source's extent"

# ---- a write failing midway (a 4 KB file-size limit, SIGXFSZ ignored so that write() fails):
# exit 3, the message names the file, nothing is left in the folder ----
cc_limited 4 "${RUN[@]}" --out limited
expect_rc 3 "--out under a 4 KB file-size limit"
expect_err_has "limited/flagged.geojson: write error" "failed write named"
[[ -z $(ls -A limited) ]] || fail "failed write: limited/ holds $(ls -A limited)"

# ---- nothing is modified ----
assert_eq "$(sha256sum cases.gpkg)" "$before" "the audited file is unchanged"

# ---- a clean file exits 0 ----
cc "${RUN[@]}" --where "task_id IN ('A01', 'A07b', 'A07c', 'A06b')" --format json
expect_ok "clean records"
assert_eq "$(j .source.features)" 4 "--where picks 4 records"
assert_eq "$(j '[.checks[].flagged] | add')" 0 "nothing flagged"

# ---- errors ----
cc "${RUN[@]}" --region-attr no_such_field
expect_rc 2 "--region-attr naming no field"
expect_err_has "no_such_field" "--region-attr: the field named"
cc "${RUN[@]}" --max-edge -3
expect_rc 2 "negative --max-edge"
cc "${RUN[@]}" --min-year 2020 --max-year 2010
expect_rc 2 "--min-year after --max-year"
cc "${RUN[@]}" --where "task_id =="
expect_rc 2 "bad --where"
cc audit --cleared "$WORK/none.gpkg"
expect_rc 3 "missing source"
expect_err_has "none.gpkg" "missing source named"

# ---- clearcov synth output: what each check catches ----
# synth draws bow-ties and holes outside their shell (invalid), collapsed rings (too few
# vertices), exact duplicates (half of them under the same task id) and re-keyed ids (lower case
# or a trailing space), repeated vertices, reported areas sometimes 10 times off, road strips
# 5.5 to 8 km long (long edges), 1 to 3 m wide strips (slivers), years a century off, polygons
# outside and across the province borders, nested and overlapping polygons, and a `province`
# field that names another region in 2 % of the records. With default thresholds, every check
# must fire on 5000 records.
cc synth --count 5000 --seed 7 -o synth.gpkg
expect_ok "synth"
cc audit --cleared synth.gpkg --region-attr province --format json
expect_rc 1 "audit of synth output"
save synth.json
for c in invalid too_few_vertices duplicate_geometry duplicate_id repeated_vertex long_edge \
    area_mismatch region_attr_mismatch outside crossing near_duplicate sliver date_range; do
    [[ $(flagged "$c") -gt 0 ]] || fail "synth output: $c flags nothing"
done
# The duplicates synth writes under the same task id are caught by both duplicate checks.
assert_eq "$(jq '[.flagged[] | select((.checks | index("duplicate_id")) and
    (.checks | index("duplicate_geometry")))] | length > 0' synth.json)" true \
    "synth: same id and same geometry"

note "ok"
