#!/usr/bin/env bash
# Breakdowns against an independent computation, within 1e-6 relative (as test_pipeline.sh):
# land-release categories with a status map, groups by operator and year, and cumulative years.
# Every reference is SpatiaLite (union, intersection in EPSG:32648, edges split every 100 m) and
# GeographicLib's Planimeter on the lon/lat rings; the category figures follow their definition
# (cleared = union of the cleared records, reduced = union of cleared and reduced minus that,
# cancelled = union of all minus both), measured on independently made unions.
# Data: the twelve cleared polygons and two regions of test_pipeline.sh (tests/data/README.md),
# given a status (by fid: Cleared, TS reduced, NTS cancelled, in the spellings a national
# database might use) and an operator (A or B) here, with their own year.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh" "$@"
need Planimeter
need jq

TOL=1e-6
csv_layer "$DATA/regions_utm.csv" set.gpkg EPSG:32648 -nln regions -nlt POLYGON -segmentize 100
csv_layer "$DATA/cleared_utm.csv" set.gpkg EPSG:32648 -update -nln raw -nlt MULTIPOLYGON
ogr2ogr -update set.gpkg set.gpkg -dialect SQLite -nln cleared -sql "SELECT geom, task_id,
    CAST(year AS INTEGER) AS year,
    CASE fid % 3 WHEN 0 THEN 'Cleared' WHEN 1 THEN ' ts reduced' ELSE 'NTS cancelled' END
    AS status, CASE fid % 2 WHEN 0 THEN 'A' ELSE 'B' END AS operator FROM raw" ||
    fail "could not make the cleared layer"
MAP="cleared=Cleared,Completed;reduced=TS reduced;cancelled=NTS cancelled"
RUN=(report --regions set.gpkg --regions-layer regions --cleared set.gpkg --cleared-layer cleared
    --status-field status --status-map "$MAP")

L="ST_Transform(ST_Segmentize(CollectionExtract"
R=", 3), 100), 4326)"
union_of() { # SQL: the union of the cleared records that match $1
    echo "(SELECT ST_Union(geom) FROM cleared WHERE $1)"
}
net_of() { # FILE CONDITION: net ha per region of the records matching CONDITION
    geodesic_ha set.gpkg "SELECT r.name AS key, $L(ST_Intersection(r.geom, $(union_of "$2"))$R
        AS geom FROM regions r" >"$1"
}
net_of ref.c "status = 'Cleared'"
net_of ref.cr "status IN ('Cleared', ' ts reduced')"
net_of ref.all "1"

# ---- categories ----
cc "${RUN[@]}" --format json
expect_ok "categories run"
checked_regions=0
for region in 0 1; do
    name=$(j ".regions[$region].name")
    c=$(lookup ref.c "$name") cr=$(lookup ref.cr "$name") all=$(lookup ref.all "$name")
    assert_close "$(j ".regions[$region].released_ha")" "$all" $TOL "$name released"
    assert_close "$(j ".regions[$region].categories.cleared.net_ha")" "$c" $TOL "$name cleared"
    # reduced and cancelled are differences: their tolerance is 1e-6 of the land released.
    for pair in "reduced $(awk -v a="$cr" -v b="$c" 'BEGIN { printf "%.9f", a - b }')" \
        "cancelled $(awk -v a="$all" -v b="$cr" 'BEGIN { printf "%.9f", a - b }')"; do
        set -- $pair
        got=$(j ".regions[$region].categories.$1.net_ha")
        awk -v g="$got" -v w="$2" -v s="$all" 'BEGIN { d = g - w; if (d < 0) d = -d;
            exit !(d <= 1e-6 * s) }' || fail "$name $1: got $got, expected $2"
    done
    # The partition: the three add up to the land released (JSON keeps 6 decimals).
    sum=$(j "[.regions[$region].categories[].net_ha] | add")
    assert_close "$sum" "$(j ".regions[$region].released_ha")" 1e-9 "$name: categories add up"
    checked_regions=$((checked_regions + 1))
done
assert_eq "$checked_regions" 2 "regions checked"
# No value is left out: the map covers the three spellings.
assert_eq "$(j '.breakdowns.left_out_by_status | length')" 0 "values left out"

# Without the map the values must be the category names (any case, surrounding spaces
# ignored): 'Cleared' is cleared, ' ts reduced' and 'NTS cancelled' are no category: left out
# and listed, and the land released is that of the cleared records alone.
cc report --regions set.gpkg --regions-layer regions --cleared set.gpkg --cleared-layer cleared \
    --status-field status --format json
expect_ok "run without a map"
assert_eq "$(j '[.breakdowns.left_out_by_status[].value] | sort | join(",")')" \
    " ts reduced,NTS cancelled" "values without a category"
assert_eq "$(j '[.breakdowns.left_out_by_status[].count] | add')" 8 "records left out"
for region in 0 1; do
    name=$(j ".regions[$region].name")
    assert_close "$(j ".regions[$region].net_ha")" "$(lookup ref.c "$name")" $TOL \
        "$name: released = cleared records only"
done

# ---- groups by operator and year, and cumulative years ----
geodesic_ha set.gpkg "SELECT r.name || '|' || g.operator || '|' || g.year AS key,
    $L(ST_Intersection(r.geom, g.u)$R AS geom FROM regions r,
    (SELECT operator, year, ST_Union(geom) AS u FROM cleared GROUP BY operator, year) g" >ref.groups
geodesic_ha set.gpkg "SELECT r.name || '|' || y.year AS key,
    $L(ST_Intersection(r.geom, (SELECT ST_Union(geom) FROM cleared c WHERE c.year <= y.year))$R
    AS geom FROM regions r, (SELECT DISTINCT year FROM cleared) y" >ref.cumulative
[[ $(wc -l <ref.groups) -ge 8 ]] || fail "too few reference groups: $(cat ref.groups)"

cc "${RUN[@]}" --group-by operator,year --format json
expect_ok "groups run"
j '.breakdowns.groups[] | .values.operator as $o | .values.year as $y
    | .regions[] | "\(.name)|\($o)|\($y)\t\(.net_ha)"' >got.groups
n=0
while IFS=$'\t' read -r key want; do
    got=$(lookup got.groups "$key")
    assert_close "$got" "$want" $TOL "group $key net"
    n=$((n + 1))
done <ref.groups
assert_eq "$(wc -l <got.groups)" "$n" "as many groups with area as the reference"
# Groups' nets add up to the region's net plus the overlap between groups.
for region in 0 1; do
    name=$(j ".regions[$region].name")
    sum=$(awk -F'\t' -v r="$name" 'index($1, r "|") == 1 { s += $2 } END { printf "%.6f", s }' \
        got.groups)
    want=$(j "(.regions[$region].net_ha + .regions[$region].group_overlap_ha)")
    # (JSON rounds each figure to 1e-6 ha; test_coverage_breakdown holds this to 1e-9.)
    assert_close "$sum" "$want" 1e-6 "$name: groups' nets = net + overlap between groups"
done

ncum=0
cc "${RUN[@]}" --group-by year --format json
expect_ok "years run"
j '.breakdowns.groups[] | .values.year as $y | .regions[] | "\(.name)|\($y)\t\(.cumulative_net_ha)"' \
    >got.cumulative
while IFS=$'\t' read -r key want; do
    got=$(lookup got.cumulative "$key")
    # A year with no record in a region has no row there; its cumulative figure is the last one.
    [[ $(awk -F'\t' -v k="$key" '$1 == k' got.cumulative | wc -l) -eq 1 ]] || continue
    assert_close "$got" "$want" $TOL "cumulative $key"
    ncum=$((ncum + 1))
done <ref.cumulative
[[ $ncum -ge 8 ]] || fail "only $ncum cumulative figures checked"
# Cumulative never decreases.
awk -F'\t' '{ split($1, k, "|"); if (k[1] in last && $2 + 1e-9 < last[k[1]]) bad = 1;
    last[k[1]] = $2 } END { exit bad }' got.cumulative || fail "cumulative decreases"
# A year written with fewer than four digits ("0999" in a text field) is the year it says, in
# the groups and in the cumulative figures alike: the earliest year's records are given 0999 here,
# so the figures must be those above, 2015 read as 999.
ogr2ogr -update set.gpkg set.gpkg -dialect SQLite -nln cleared_text_year -sql "SELECT geom,
    task_id, CASE year WHEN (SELECT MIN(year) FROM cleared) THEN '0999' ELSE CAST(year AS TEXT)
    END AS year, status, operator FROM cleared" || fail "could not make the text-year layer"
first=$(sql_one set.gpkg "SELECT MIN(year) FROM cleared")
cc report --regions set.gpkg --regions-layer regions --cleared set.gpkg \
    --cleared-layer cleared_text_year --group-by year --format json
expect_ok "years run, a three-digit year"
j '.breakdowns.groups[] | .values.year as $y | .regions[] | "\(.name)|\($y)\t\(.cumulative_net_ha)"' \
    | sed "s/|999\t/|$first\t/" >got.cumulative999
[[ $(grep -c "|$first" got.cumulative999) -ge 1 ]] || fail "no year 999 group"
while IFS=$'\t' read -r key want; do
    [[ $(awk -F'\t' -v k="$key" '$1 == k' got.cumulative999 | wc -l) -eq 1 ]] || continue
    assert_close "$(lookup got.cumulative999 "$key")" "$want" $TOL "cumulative $key (999 for $first)"
done <ref.cumulative

# A group value holding U+001F (which joins the values inside a group's key) is its own value:
# operator A written as "A<U+001F>2001" gives the figures of A, with the character shown as
# U+FFFD, and one warning naming the file and the first such feature.
ogr2ogr -update set.gpkg set.gpkg -dialect SQLite -nln cleared_sep -sql "SELECT geom, task_id,
    year, status, CASE operator WHEN 'A' THEN 'A' || char(31) || '2001' ELSE operator END
    AS operator FROM cleared" || fail "could not make the layer with U+001F"
for layer in cleared cleared_sep; do
    cc "${RUN[@]}" --cleared-layer "$layer" --group-by operator,year --format json
    expect_ok "groups run on $layer"
    jq -S '.breakdowns | walk(if type == "string" then sub("A\ufffd2001"; "A") else . end)' \
        "$WORK/out" >"$layer.breakdowns"
    cp "$WORK/err" "$layer.err"
done
cmp -s cleared.breakdowns cleared_sep.breakdowns ||
    fail "a value with U+001F changed the breakdown: $(diff cleared.breakdowns cleared_sep.breakdowns | head -5)"
[[ $(grep -c 'U+001F' cleared_sep.err) -eq 1 ]] || fail "one warning about U+001F: $(cat cleared_sep.err)"
grep -q 'set.gpkg: feature [0-9]*: a --group-by value holds the control character U+001F' \
    cleared_sep.err || fail "the warning names the file and feature: $(cat cleared_sep.err)"

# ---- claims: a category, a year range and a group pick their own figure ----
total() { awk -F'\t' '{ s += $2 } END { printf "%.6f", s }' "$1"; }
c_all=$(total ref.c) all=$(total ref.all)
net_of ref.a2019 "operator = 'A' AND year BETWEEN 2016 AND 2019"
a2019=$(total ref.a2019)
cat >claims.csv <<CSV
id,statement,source,regions,where,value,unit,relation,tolerance_pct,percent_of_region,category,years,group
cleared,cleared,test,,,$c_all,ha,about,0.001,,cleared,,
released,released,test,,,$all,ha,about,0.001,,released,,
a-2016-2019,A 2016-2019,test,,,$a2019,ha,about,0.001,,released,2016-2019,A
control,released said of cleared,test,,,$all,ha,about,0.001,,cleared,,
CSV
cc validate --claims claims.csv --regions set.gpkg --regions-layer regions --cleared set.gpkg \
    --cleared-layer cleared --status-field status --status-map "$MAP" --group-by operator \
    --format json
expect_rc 1 "validate (the control claim is not supported)"
for id in cleared released a-2016-2019; do
    assert_eq "$(j ".claims[] | select(.id == \"$id\") | .verdict")" supported "claim $id"
done
assert_eq "$(j '.claims[] | select(.id == "control") | .verdict')" not_supported \
    "control claim"

note "checked: categories of 2 regions, $n group figures, $ncum cumulative figures"
end_checks
