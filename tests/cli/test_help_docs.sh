#!/usr/bin/env bash
# --help, the README's option lists and the manual page say the same thing, and what --help says
# of the default working frame is what the program does (issue 15):
#   - the README block between the "clearcov --help" markers is `clearcov --help`, byte for byte
#     (scripts/readme-help writes it);
#   - every option in the README's synopses (`clearcov report [--regions SRC] ...`) is in --help;
#   - every option line of --help is a line of the manual page (clearcov.1 beside the binary,
#     written at build time by scripts/man-page), rendered by man -l;
#   - --help names the gnomonic frame centred on the regions, and EPSG:4326 for regions spanning
#     more than 30 degrees, and the runs say so: the bundled data gets "Gnomonic centred on ...",
#     two regions 40 degrees apart get EPSG:4326.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh" "$@"
README=$SOURCE_DIR/README.md
MAN_PAGE=$(dirname "$CLEARCOV")/clearcov.1

cc --help
expect_ok "--help"
cp "$WORK/out" help.txt

# ---- the README's block ----
awk '/^<!-- END clearcov --help -->/ { inside = 0 }
     inside && !/^```$/ { print }
     /^<!-- BEGIN clearcov --help/ { inside = 1 }' "$README" >readme-help.txt
[[ $(wc -l <readme-help.txt) -ge 20 ]] || fail "README: no clearcov --help block between the markers"
diff -u readme-help.txt help.txt >diff.txt ||
    fail "README's option list differs from clearcov --help (run scripts/readme-help):
$(head -n 30 diff.txt)"
note "README: the option list is clearcov --help ($(wc -l <help.txt) lines)"

# ---- the README's synopses use options that exist ----
awk '/^```/ { fenced = !fenced; syn = 0; next }
     fenced && /^clearcov [a-z]+ / { syn = 1 }
     fenced && syn && !/^clearcov / && !/^ +\[/ && !/^ +--/ { syn = 0 }
     fenced && syn { print }' "$README" >synopses.txt
[[ $(grep -c '^clearcov ' synopses.txt) -ge 5 ]] ||
    fail "README: expected the synopses of report, map, validate, audit and synth, found:
$(cat synopses.txt)"
for opt in $(grep -o -- '--[a-z][a-z-]*' synopses.txt | sort -u); do
    grep -q -- "$opt\\b" help.txt || fail "README synopsis option $opt is not in clearcov --help"
done
note "README: the $(grep -c '^clearcov ' synopses.txt) synopses name only options of --help"

# ---- the manual page ----
[[ -s $MAN_PAGE ]] || fail "no manual page $MAN_PAGE (the build writes it: target man)"
MANWIDTH=200 man -E UTF-8 -l "$MAN_PAGE" 2>man.err | sed 's/^ *//; s/ *$//' >man.txt
[[ ! -s man.err ]] || fail "man -l $MAN_PAGE: $(cat man.err)"
grep '^  -' help.txt | sed 's/^ *//; s/ *$//' >options.txt
while IFS= read -r line; do
    grep -q -x -F -- "$line" man.txt || fail "manual page lacks the --help line: $line"
done <options.txt
note "manual page: all $(wc -l <options.txt) option lines of --help"

# ---- the default working frame, as --help states it ----
grep -q 'gnomonic projection centred on the regions' help.txt ||
    fail "--help does not name the default gnomonic frame"
grep -q 'EPSG:4326$' help.txt || fail "--help does not name EPSG:4326 as the wide-regions frame"
grep -q 'when they span more than 30 degrees' help.txt ||
    fail "--help does not say when the frame is EPSG:4326"
cc report --format json
expect_ok "default run, JSON"
frame=$(j .working_frame)
[[ $frame == "Gnomonic centred on "* ]] || fail "default run: working_frame $frame, not gnomonic"
# Two 1-degree squares 40 degrees of longitude apart, a cleared square in the first.
square() { echo "[[[$1,0],[$(($1 + 1)),0],[$(($1 + 1)),1],[$1,1],[$1,0]]]"; }
feature() { echo "{\"type\":\"Feature\",\"properties\":{\"name\":\"$1\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":$2}}"; }
echo "{\"type\":\"FeatureCollection\",\"features\":[$(feature West "$(square 0)"),$(feature East "$(square 40)")]}" >wide.geojson
echo "{\"type\":\"FeatureCollection\",\"features\":[$(feature c '[[[0.2,0.2],[0.3,0.2],[0.3,0.3],[0.2,0.3],[0.2,0.2]]]')]}" >cleared.geojson
cc report --regions wide.geojson --cleared cleared.geojson --format json
expect_ok "regions 40 degrees apart"
assert_eq "$(j .working_frame)" "EPSG:4326" "working frame of regions 40 degrees apart"
note "working frame: $frame for the bundled data, EPSG:4326 for regions 40 degrees apart"
