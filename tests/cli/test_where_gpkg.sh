#!/usr/bin/env bash
# --where with a syntax error or an unknown field on a GeoPackage (the bundled sample's format) is a
# usage error: exit 2, the option named, nothing on stdout. The GeoPackage driver accepts any
# filter in OGR_L_SetAttributeFilter and hands it to SQLite, which only fails when the first
# feature is read; the same check on shapefile and GeoJSON is in test_errors.sh.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh" "$@"

csv_layer "$DATA/border_utm.csv" good.gpkg EPSG:32648 -nln cleared -nlt POLYGON
for where in "task_id ==" "no_such_field = 1" "year >= "; do
    cc report --cleared good.gpkg --where "$where"
    expect_rc 2 "--where '$where' on a GeoPackage"
    expect_err_has "--where" "--where '$where' on a GeoPackage: message names the option"
    [[ ! -s $WORK/out ]] || { show_last; fail "--where '$where': nothing may go to stdout"; }
done
# A valid filter still works on GeoPackage.
cc report --cleared good.gpkg --where "task_id IN ('R01', 'R02')" --format json
expect_ok "valid --where on a GeoPackage"
assert_eq "$(j .inputs.cleared.features)" 2 "valid --where keeps 2 features"

note "ok"
