#!/usr/bin/env bash
# Official region areas (issue 13): --official-areas FILE and --official-area-field F[:UNIT].
# percent_cleared is taken against the official area (net_ha * 100 / official_ha, hand algebra),
# region_ha stays the boundary's measured area (the same as without the option), and validate
# checks a claim's percent_of_region against it: Xieng Khouang's official 16,358 km2 makes
# Xinhua's "18,805 ha = 1.15 %" consistent (18805 / 1635800 = 1.1496 %), while the bundled Natural
# Earth outline (about 12,400 km2) does not. Unit factors: 1 km2 = 100 ha, 1 square mile =
# 1609.344^2 m2 = 258.9988110336 ha.
source "$(dirname "$0")/lib.sh" "$@"

# Without the option: no official column anywhere (outputs as before).
cc report --format json
expect_ok "report"
save plain.json
checked assert_eq "$(j '[.regions[] | has("official_ha")] | any')" false "official_ha without"
cc report --format csv
checked assert_eq "$(head -1 "$WORK/out")" \
    "region,iso,region_ha,net_ha,gross_ha,overlap_ha,percent_cleared,tasks" "CSV header without"

# A file by name and by ISO code, with thousands separators and two spellings of km2.
printf 'region,area\nXieng Khouang,"16,358 km2"\nLA-BL,14863 km²\n' >official.csv
cc report --official-areas official.csv --format json
expect_ok "report --official-areas"
save off.json
for i in 0 1; do
    want=$([[ $i == 0 ]] && echo 1486300 || echo 1635800)
    checked assert_close "$(j ".regions[$i].official_ha")" "$want" 1e-12 "official_ha of region $i"
    net=$(j ".regions[$i].net_ha")
    checked assert_close "$(j ".regions[$i].percent_cleared")" \
        "$(awk -v n="$net" -v o="$want" 'BEGIN { printf "%.9f", n * 100 / o }')" 1e-5 \
        "percent_cleared of region $i against the official area"
    checked assert_eq "$(j ".regions[$i].region_ha")" \
        "$(jq -r ".regions[$i].region_ha" plain.json)" "region_ha of region $i unchanged"
done
cc report --official-areas official.csv --format csv
expect_ok "report --official-areas --format csv"
checked assert_eq "$(head -1 "$WORK/out")" \
    "region,iso,region_ha,net_ha,gross_ha,overlap_ha,percent_cleared,tasks,official_ha" "CSV header"
checked assert_eq "$(grep '^(total)' "$WORK/out" | cut -d, -f9)" "3122100.000000" \
    "CSV total official area (1486300 + 1635800)"
cc report --official-areas official.csv
expect_ok "report --official-areas (table)"
expect_out_has "official (ha)" "table column"
expect_out_has "1,635,800.00" "table official area"

# Other units: square miles, hectares with space separators.
printf 'region,area\nXieng Khouang,6315.8 sq mi\nBolikhamxay,1 486 300 ha\n' >units.csv
cc report --official-areas units.csv --format json
expect_ok "report, square miles"
checked assert_close "$(j '.regions[1].official_ha')" \
    "$(awk 'BEGIN { printf "%.6f", 6315.8 * 258.9988110336 }')" 1e-12 "square miles"
checked assert_close "$(j '.regions[0].official_ha')" 1486300 1e-12 "spaced thousands"

# Errors name the file and line; no output is written.
printf 'region,area\nXieng Khouang,16358 km2\nAtlantis,5 km2\n' >unmatched.csv
cc report --official-areas unmatched.csv -o r.txt
expect_rc 2 "unmatched region"
expect_err_has "unmatched.csv: line 3: region 'Atlantis' matches no region of the run" "unmatched"
[[ ! -e r.txt ]] || fail "output written despite the error"
printf 'region,area\nXieng Khouang,16358 km2\nLA-XI,16000 km2\n' >twice.csv
cc report --official-areas twice.csv
expect_rc 2 "a region twice"
expect_err_has "twice.csv: line 3: region 'Xieng Khouang' already has an official area (line 2)" \
    "a region twice"
printf 'region,area\nXieng Khouang,16358\n' >nounit.csv
cc report --official-areas nounit.csv
expect_rc 2 "area without unit"
expect_err_has "nounit.csv: line 2: area '16358' is not a positive number with a unit" "no unit"
cc report --official-areas missing.csv
expect_rc 3 "missing file"
expect_err_has "missing.csv: cannot open" "missing file"
# With --only, a row for a region not chosen is passed over.
cc report --only "Xieng Khouang" --official-areas official.csv --format json
expect_ok "--only with a row for another region"
checked assert_close "$(j '.regions[0].official_ha')" 1635800 1e-12 "--only official area"

# --official-area-field: a text field with its unit, or numbers with FIELD:UNIT.
ogr2ogr regions.gpkg "$SOURCE_DIR/data/provinces.shp" -nln provinces -dialect SQLite -sql \
    "SELECT *, CASE iso WHEN 'LA-XI' THEN '16,358 km2' ELSE '14863 km2' END AS off_text,
            CASE iso WHEN 'LA-XI' THEN 16358 ELSE 14863 END AS off_km2 FROM provinces"
for spec in off_text off_km2:km2; do
    cc report --regions regions.gpkg --official-area-field "$spec" --format json
    expect_ok "--official-area-field $spec"
    checked assert_close "$(j '.regions[1].official_ha')" 1635800 1e-12 "field $spec"
    checked assert_close "$(j '.regions[0].official_ha')" 1486300 1e-12 "field $spec"
done
cc report --regions regions.gpkg --official-area-field off_km2
expect_rc 3 "numbers without a unit"
expect_err_has "field off_km2: '14863' is not a positive area with a unit" "numbers without unit"
cc report --regions regions.gpkg --official-area-field nosuch
expect_rc 2 "no such field"
expect_err_has "--official-area-field: no field 'nosuch'" "no such field"

# validate: the published percentage against the outline, then against the official area.
grep -e '^id,' -e '^xinhua-xk-2023,' "$SOURCE_DIR/data/claims.csv" >xk.csv
cc validate --claims xk.csv --format json
save v_plain.json
checked assert_eq "$(j '.claims[0].explanation' | grep -c 'contradicts itself')" 1 \
    "Xinhua's 1.15 % contradicts the Natural Earth outline"
cc validate --claims xk.csv --official-areas official.csv --format json
checked assert_eq "$(j '.claims[0].explanation' | grep -c 'contradicts itself' || true)" 0 \
    "Xinhua's 1.15 % is consistent with the official 16,358 km2"
checked assert_close "$(j '.claims[0].official_ha')" 1635800 1e-12 "validate official_ha"
# A share the official area does not support is still caught, naming the official area.
sed 's/,1\.15$/,1.5/' xk.csv >xk15.csv
cc validate --claims xk15.csv --official-areas official.csv
expect_out_has "the region's official area is 1,635,800.00 ha" "1.5 % against the official area"

end_checks
note "ok"
