#!/usr/bin/env bash
# The default run on the bundled data (data/provinces.shp and data/cleared_sample.gpkg, the
# synthetic sample stored in EPSG:32648): both provinces with non-zero net, gross and overlap;
# the table, JSON (parsed with jq, schema as in the README) and CSV agree with each other; the
# output is the same on every run and with any number of threads.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh" "$@"

SAMPLE="$SOURCE_DIR/data/cleared_sample.gpkg"
[[ -f $SAMPLE ]] || fail "no bundled sample $SAMPLE (made by clearcov synth)"

# ---- JSON ----
cc report --format json
expect_ok "default run, JSON"
jq -e . "$WORK/out" >/dev/null || { show_last; fail "default JSON does not parse"; }
save default.json
assert_eq "$(j '[.regions[].name] | join(",")')" "Bolikhamxay,Xieng Khouang" "both provinces"
assert_eq "$(j '[.regions[].iso] | join(",")')" "LA-BL,LA-XI" "ISO codes"
for i in 0 1; do
    for field in net_ha gross_ha overlap_ha region_ha tasks percent_cleared; do
        assert_eq "$(j ".regions[$i].$field > 0")" true "default run: regions[$i].$field > 0"
    done
done
# Schema (README): every documented key, with its type.
schema='
    (.clearcov_version | type == "string") and (.area_method == "geodesic") and
    ([.inputs.regions, .inputs.cleared][] |
        (.path | type == "string") and (.layer | type == "string") and
        (.crs | type == "string") and (.features | type == "number")) and
    ([.regions[] | (.name, .iso | type == "string") and
        (.region_ha, .net_ha, .gross_ha, .overlap_ha, .tasks, .percent_cleared
            | type == "number")] | all) and
    ([.totals | .net_ha, .gross_ha, .overlap_ha, .outside_ha, .tasks | type == "number"]
        | all) and
    ([.repaired[], .excluded[] | (.source | type == "string") and (.fid | type == "number") and
        (.reason | type == "string")] | all)'
assert_eq "$(j "[$schema] | all")" true "JSON has the documented keys and types"
# The sample is stored in UTM 48N: the default run really reprojects.
assert_eq "$(j .inputs.cleared.crs)" EPSG:32648 "sample CRS"
assert_eq "$(j .inputs.regions.crs)" EPSG:4326 "provinces CRS"
# Sanity of the figures among themselves (6 decimals printed: allow 2e-6 ha of rounding).
assert_eq "$(j '[.regions[] | (.gross_ha - .net_ha - .overlap_ha) | fabs < 2e-6] | all')" true \
    "overlap = gross - net"
assert_eq "$(j '[.regions[] | (100 * .net_ha / .region_ha - .percent_cleared) | fabs < 2e-6]
    | all')" true "percent = 100 net / region"
assert_eq "$(j '([.regions[].net_ha] | add) - .totals.net_ha | fabs < 4e-6')" true \
    "totals.net_ha = sum"
assert_eq "$(j '([.regions[].gross_ha] | add) - .totals.gross_ha | fabs < 4e-6')" true \
    "totals.gross_ha = sum"
assert_eq "$(j '.totals.tasks <= ([.regions[].tasks] | add)')" true \
    "totals.tasks counts each feature once"
assert_eq "$(j '.regions | all(.net_ha <= .gross_ha and .net_ha <= .region_ha)')" true \
    "net <= gross and net <= region"
# The sample contains invalid polygons on purpose: they are repaired and listed.
assert_eq "$(j '.repaired | length > 0')" true "the sample's invalid polygons are listed"
assert_eq "$(j '.inputs.cleared.used + (.excluded | length) == .inputs.cleared.features')" true \
    "every feature used or excluded"

# ---- CSV: the same numbers ----
cc report --format csv
expect_ok "default run, CSV"
assert_eq "$(head -n 1 "$WORK/out")" \
    "region,iso,region_ha,net_ha,gross_ha,overlap_ha,percent_cleared,tasks" "CSV header"
assert_eq "$(wc -l <"$WORK/out")" 5 "CSV: two provinces, total, outside"
want=$(jq -r '.regions[] | [.name, .iso, (.region_ha, .net_ha, .gross_ha, .overlap_ha,
    .percent_cleared | tostring), (.tasks | tostring)] | join(",")' default.json)
got=$(sed -n '2,3p' "$WORK/out" | awk -F, -v OFS=, '{
    for (i = 3; i <= 7; i++) $i = sprintf("%.6f", $i) } 1')
want=$(echo "$want" | awk -F, -v OFS=, '{ for (i = 3; i <= 7; i++) $i = sprintf("%.6f", $i) } 1')
assert_eq "$got" "$want" "CSV rows = JSON"
expect_out_has "(total),," "CSV total row"
assert_eq "$(awk -F, '$1 == "(outside)" { print $4 + 0 }' "$WORK/out")" \
    "$(jq -r '.totals.outside_ha + 0' default.json | awk '{ print $1 + 0 }')" "CSV outside = JSON"

# ---- table: aligned, thousands separators, units named, same figures ----
cc report
expect_ok "default run, table"
expect_out_has "net (ha)" "table names the unit"
for i in 0 1; do
    name=$(jq -r ".regions[$i].name" default.json)
    row=$(grep "^$name " "$WORK/out") || { show_last; fail "table has no row for $name"; }
    net=$(jq -r ".regions[$i].net_ha" default.json)
    # Two decimals, thousands separated, e.g. 3,350.15.
    want=$(awk -v v="$net" 'BEGIN {
        s = sprintf("%.2f", v); d = index(s, "."); ip = substr(s, 1, d - 1); out = ""
        while (length(ip) > 3) {
            out = "," substr(ip, length(ip) - 2) out
            ip = substr(ip, 1, length(ip) - 3)
        }
        print ip out substr(s, d) }')
    [[ $row == *" $want "* ]] || fail "table row for $name lacks net $want: $row"
done
# Columns line up: every data row as long as the header.
widths=$(sed -n '3,6p' "$WORK/out" | awk '{ print length($0) }' | sort -u | wc -l)
assert_eq "$widths" 1 "table rows aligned"

# ---- the same, byte for byte, on a second run ----
cc report --format json
expect_ok "second run"
cmp -s "$WORK/out" default.json || fail "two default runs differ"
# ... and whatever the number of worker threads.
for threads in 1 3 8; do
    cc report --format json --threads "$threads"
    expect_ok "--threads $threads"
    cmp -s "$WORK/out" default.json || fail "--threads $threads changes the output"
done
cc report -q
expect_ok "-q"
[[ ! -s $WORK/err ]] || { show_last; fail "-q: nothing on stderr"; }

note "ok"
