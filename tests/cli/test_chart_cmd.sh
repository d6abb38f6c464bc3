#!/usr/bin/env bash
# clearcov chart --by year (issue 13; its data path is temporary, one coverage run per year): the
# SVG is well-formed, each bar segment carries the net hectares `report --where` gives for that
# region and year, the line the union of the years drawn up to each (not a sum of the years), and
# usage errors. How the values are drawn is held by test_chart.
source "$(dirname "$0")/lib.sh" "$@"
need xmllint

cc chart --by year --min-year 2019 --max-year 2020 -o c.svg
expect_ok "chart --by year"
checked xmllint --noout c.svg
# data-value of the rect for year Y, stack K.
bar() { grep -o "<rect [^>]*data-year=\"$1\" data-stack=\"$2\" data-value=\"[^\"]*\"" c.svg |
    sed 's/.*data-value="\([^"]*\)"/\1/'; }
point() { grep -o "<circle [^>]*data-year=\"$1\" data-value=\"[^\"]*\"" c.svg |
    sed 's/.*data-value="\([^"]*\)"/\1/'; }
for y in 2019 2020; do
    cc report --where "year = $y" --format json
    expect_ok "report year $y"
    for k in 0 1; do
        checked assert_close "$(bar $y $k)" "$(j ".regions[$k].net_ha")" 1e-6 "bar $y region $k"
    done
done
cc report --where "year BETWEEN 2019 AND 2020" --format json
checked assert_close "$(point 2020)" "$(j '.totals.net_ha')" 1e-6 "cumulative 2020 (union)"
sum=$(awk -v a="$(bar 2019 0)" -v b="$(bar 2019 1)" -v c="$(bar 2020 0)" -v d="$(bar 2020 1)" \
    'BEGIN { printf "%.6f", a + b + c + d }')
checked assert_differs "$(point 2020)" "$sum" 0.001 "the cumulative line is a union, not a sum"
grep -q '>Bolikhamxay</text>' c.svg || fail "legend: Bolikhamxay"
grep -q '>Xieng Khouang</text>' c.svg || fail "legend: Xieng Khouang"

cc chart --by year --min-year 2019 --max-year 2020 -o c.svg
expect_rc 3 "existing output without --overwrite"
cc chart --min-year 2019 --max-year 2020 -o d.svg
expect_rc 2 "no --by"
cc chart --by operator --min-year 2019 --max-year 2020 -o d.svg
expect_rc 2 "--by operator"
expect_err_has "--by: 'operator' is not supported" "--by operator"
cc chart --by year -o d.svg
expect_rc 2 "no years"
[[ ! -e d.svg ]] || fail "d.svg written by a refused command"

end_checks
note "ok"
