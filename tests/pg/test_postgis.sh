#!/usr/bin/env bash
# PostGIS in and out, against a real PostgreSQL 15 + PostGIS 3 server that this test starts on a
# free loopback port in a temporary folder and removes at the end (tests/pg/server.sh). Skipped
# (exit 77, with the reason) where the Debian packages postgresql-15 and postgresql-15-postgis-3
# are not installed.
#
# The bundled sample and provinces (and the shared geoBoundaries provinces and districts, when
# ../shared/data is there) are loaded into the server with ogr2ogr and copied back into a
# GeoPackage; report, validate and audit on the server must give the figures of the same
# commands on the GeoPackage (1e-12); an SQL check on the server (ST_Area(geography) of
# ST_Union / ST_Intersection, edges segmentized as clearcov densifies them) must agree within
# 1e-6; report --out PG: writes the tables the GeoPackage has (1e-12) with QGIS styles in
# layer_styles, in one transaction (a refused, failed or killed run leaves the old tables);
# --where and a query's filter must reach the server (its log, log_statement = all); a wrong
# password, a missing table, a dropped connection and a stopped server give one line, exit 3, and
# no password anywhere.
PG_TESTS=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../cli/lib.sh
source "$PG_TESTS/../cli/lib.sh" "$@"
# shellcheck source=server.sh
source "$PG_TESTS/server.sh"

pg_require
trap 'pg_stop; rm -rf "$WORK"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
START=$SECONDS
pg_start
SKIPPED_PARTS=0
skip_part() {
    SKIPPED_PARTS=$((SKIPPED_PARTS + 1))
    note "skipped part: $*"
}

# ---- helpers ----

# leaves FILE: every leaf of a JSON document as "path<TAB>value", sources' paths left out (they
# name the server or the file).
leaves() {
    jq -r 'paths(scalars) as $p | select(($p | map(tostring) | index("path") or index("source")
        or index("claims_file")) | not) | "\($p | map(tostring) | join("."))\t\(getpath($p))"' "$1"
}

# same_figures A B TOL WHAT: the same leaves; numbers equal within TOL (relative), the rest equal.
same_figures() {
    leaves "$1" >"$WORK/a.leaves"
    leaves "$2" >"$WORK/b.leaves"
    [[ $(wc -l <"$WORK/a.leaves") -gt 3 ]] || fail "$4: nothing to compare in $1"
    paste "$WORK/a.leaves" "$WORK/b.leaves" | awk -F'\t' -v tol="$3" '
        function num(x) { return x ~ /^-?[0-9.]+([eE][-+]?[0-9]+)?$/ }
        $1 != $3 { print "key " $1 " vs " $3; bad++; next }
        num($2) && num($4) { d = $2 - $4; if (d < 0) d = -d; a = $4 < 0 ? -$4 : $4;
            if (d > tol * a && d > 1e-12) { print $1 ": " $2 " vs " $4; bad++ }; next }
        $2 != $4 { print $1 ": " $2 " vs " $4; bad++ }
        END { exit bad > 0 }' >"$WORK/diff.txt" ||
        fail "$4: differs (tolerance $3): $(head -5 "$WORK/diff.txt" | paste -sd ';' -)"
    [[ $(wc -l <"$WORK/a.leaves") -eq $(wc -l <"$WORK/b.leaves") ]] ||
        fail "$4: $(wc -l <"$WORK/a.leaves") vs $(wc -l <"$WORK/b.leaves") values"
}

# no_password WHAT: neither the server's password nor the wrong one tried appears in the last
# run's output, error or any file under $WORK/outputs.
no_password() {
    local pw
    for pw in "$PG_PASSWORD" "wrong-$PG_PASSWORD"; do
        ! grep -rqF -- "$pw" "$WORK/out" "$WORK/err" "$WORK/outputs" 2>/dev/null ||
            fail "$1: the password appears: $(grep -rlF -- "$pw" "$WORK/out" "$WORK/err" \
                "$WORK/outputs" | paste -sd ' ' -)"
    done
}

# one_line_exit3 WHAT TEXT: the last run failed with exit 3 and one line on stderr naming TEXT.
one_line_exit3() {
    expect_rc 3 "$1"
    [[ $(wc -l <"$WORK/err") -eq 1 ]] || { show_last; fail "$1: not one line"; }
    expect_err_has "$2" "$1"
    expect_err_has "password=***" "$1: the source is named, its password masked"
    no_password "$1"
}

server_log_has() { grep -qF -- "$1" "$PG_DIR/server.log"; }

mkdir -p outputs

# ---- data: the same features on the server and in a GeoPackage ----
pg_load() { ogr2ogr -f PostgreSQL "$PG_CONN" "$@" -lco SPATIAL_INDEX=GIST; }
pg_load "$SOURCE_DIR/data/cleared_sample.gpkg" cleared -nln cleared -preserve_fid
pg_load "$SOURCE_DIR/data/provinces.shp" -nln provinces -nlt PROMOTE_TO_MULTI
ogr2ogr -f GPKG copy.gpkg "$PG_CONN" cleared provinces -preserve_fid
assert_eq "$(pg_psql "SELECT Find_SRID('public', 'cleared', 'geom')")" 32648 "cleared kept its SRID"
PG=("$PG_CONN")
REG_PG=(--regions "$PG_CONN" --regions-layer provinces)
REG_GPKG=(--regions copy.gpkg --regions-layer provinces)

# ---- report, validate, audit: the server's figures are the GeoPackage's ----
cc report "${REG_GPKG[@]}" --cleared copy.gpkg --cleared-layer cleared --format json
expect_ok "report on the GeoPackage copy"
save gpkg.json
assert_eq "$(j .inputs.cleared.used)" 1993 "GeoPackage: features used"
cc report "${REG_PG[@]}" --cleared "${PG[@]}" --cleared-layer cleared --format json
expect_ok "report on the server"
save pg.json
same_figures pg.json gpkg.json 1e-12 "report: server vs GeoPackage"
assert_eq "$(j .inputs.cleared.path)" "${PG_CONN%password=*}password=***" "JSON inputs.path masked"
no_password "report --format json"
cc report "${REG_PG[@]}" --cleared "${PG[@]}" --cleared-layer cleared
expect_ok "report table on the server"
expect_out_has "Cleared: ${PG_CONN%password=*}password=*** (layer cleared" "report's Cleared line"
no_password "report table"

cc validate --claims "$SOURCE_DIR/data/claims.csv" "${REG_GPKG[@]}" --cleared copy.gpkg \
    --cleared-layer cleared --format json
[[ $RC -le 1 ]] || { show_last; fail "validate on the GeoPackage: exit $RC"; }
save vgpkg.json
RC_GPKG=$RC
cc validate --claims "$SOURCE_DIR/data/claims.csv" "${REG_PG[@]}" --cleared "${PG[@]}" \
    --cleared-layer cleared --format json
expect_rc "$RC_GPKG" "validate on the server: the exit code of the GeoPackage run"
save vpg.json
same_figures vpg.json vgpkg.json 1e-12 "validate: server vs GeoPackage"
no_password "validate"
# The claims' filters went to the server (operator = 'RU-MoD' from data/claims.csv).
checked server_log_has "FROM \"cleared\" WHERE operator = 'RU-MoD'"

cc audit --region-attr province "${REG_GPKG[@]}" --cleared copy.gpkg --cleared-layer cleared \
    --format json
[[ $RC -le 1 ]] || { show_last; fail "audit on the GeoPackage: exit $RC"; }
save agpkg.json
RC_GPKG=$RC
cc audit --region-attr province "${REG_PG[@]}" --cleared "${PG[@]}" --cleared-layer cleared \
    --format json
expect_rc "$RC_GPKG" "audit on the server: the exit code of the GeoPackage run"
save apg.json
same_figures apg.json agpkg.json 1e-12 "audit: server vs GeoPackage"
no_password "audit"

# The map's footer and the layers name the source with its password masked.
cc map "${REG_PG[@]}" --cleared "${PG[@]}" --cleared-layer cleared -o outputs/map.svg
expect_ok "map from the server"
grep -qF "password=***" outputs/map.svg || fail "map footer: no masked source"
cc report "${REG_PG[@]}" --cleared "${PG[@]}" --cleared-layer cleared --out outputs/layers \
    --out-format gpkg -q
expect_ok "layers from the server"
no_password "map and layers"

# ---- report --out PG: the layers as tables, one transaction, QGIS styles in layer_styles ----
# The reference: the same run written as a GeoPackage.
cc report "${REG_GPKG[@]}" --cleared copy.gpkg --cleared-layer cleared --out outputs/gp \
    --out-format gpkg -q
expect_ok "layers as a GeoPackage"
pg_psql "CREATE SCHEMA results" >/dev/null
# A style a QGIS user saved earlier as the default of results.coverage: kept, no longer default.
pg_psql "CREATE TABLE public.layer_styles(id SERIAL PRIMARY KEY, f_table_catalog varchar,
        f_table_schema varchar, f_table_name varchar, f_geometry_column varchar, styleName text,
        styleQML xml, styleSLD xml, useAsDefault boolean, description text,
        owner varchar(63) DEFAULT CURRENT_USER, ui xml,
        update_time timestamp DEFAULT CURRENT_TIMESTAMP);
    INSERT INTO layer_styles(f_table_catalog, f_table_schema, f_table_name, f_geometry_column,
        styleName, styleQML, useAsDefault) VALUES (current_database(), 'results', 'coverage',
        'geom', 'mine', '<qgis version=\"3.28\"/>', true)" >/dev/null
cc report "${REG_PG[@]}" --cleared "${PG[@]}" --cleared-layer cleared --out "$PG_CONN" \
    --out-schema results --format json
expect_ok "report --out PG:"
save pgout.json
no_password "report --out PG:"
[[ -z $(find . -maxdepth 1 -name 'PG:*') ]] || fail "--out PG: created a folder"

# table_figures TABLE REALS...: count, the sums of the real columns, the planar area and vertex
# count of the geometries, '|'-separated; pg_figures reads results.TABLE, gpkg_figures the
# GeoPackage's layer (SpatiaLite through GDAL's SQLite dialect).
figures_sql() {
    local table=$1 sql="SELECT count(*)" c
    shift
    for c in "$@"; do sql+=", sum($c)"; done
    echo "$sql, sum(ST_Area(geom)), sum(ST_NPoints(geom)) FROM $table"
}
pg_figures() { pg_psql "$(figures_sql "results.$@")" | tr -d '\n'; }
gpkg_figures() {
    ogr2ogr -f CSV /vsistdout/ outputs/gp/clearcov.gpkg -dialect SQLite \
        -sql "$(figures_sql "$@")" | tail -n 1 | tr -d '"' | tr , '|'
}
# same_numbers A B TOL WHAT: '|'-separated numbers equal within TOL (relative).
same_numbers() {
    awk -v a="$1" -v b="$2" -v tol="$3" 'BEGIN { n = split(a, x, "|"); m = split(b, y, "|");
        if (n != m || n < 3) exit 1
        for (i = 1; i <= n; i++) { d = x[i] - y[i]; if (d < 0) d = -d; s = y[i] < 0 ? -y[i] : y[i]
            if (d > tol * s && d > 1e-300) exit 1 } }' || fail "$4: $1 vs $2 (tolerance $3)"
}
declare -A REALS=([coverage]="net_ha gross_ha overlap_ha region_ha percent_cleared"
    [tasks]="area_ha reported_area" [overlaps]="area_ha" [outside]="area_ha" [regions]="region_ha")
for t in coverage tasks overlaps outside regions; do
    # shellcheck disable=SC2086
    same_numbers "$(pg_figures "$t" ${REALS[$t]})" "$(gpkg_figures "$t" ${REALS[$t]})" 1e-12 \
        "table $t: server vs GeoPackage"
done
assert_eq "$(pg_psql "SELECT Find_SRID('results', 'coverage', 'geom') || ' ' ||
    (SELECT type FROM geometry_columns WHERE f_table_schema = 'results'
        AND f_table_name = 'coverage')")" "4326 MULTIPOLYGON" "coverage: MultiPolygon, EPSG:4326"
# The hectares read back are the report's (JSON: 6 decimals), and the geodesic area of the
# written geometries (PostGIS, ST_Area of geography) is the hectares within 1e-6.
assert_close "$(pg_psql "SELECT sum(net_ha) FROM results.coverage")" "$(j .totals.net_ha)" 1e-9 \
    "coverage.net_ha read back"
assert_close "$(pg_psql "SELECT sum(ST_Area(geom::geography)) / 1e4 FROM results.coverage")" \
    "$(j .totals.net_ha)" 1e-6 "coverage: ST_Area(geography) vs net"
# The outside pieces are per task (they may overlap): their union is the outside figure.
assert_close "$(pg_psql "SELECT ST_Area(ST_Union(geom)::geography) / 1e4 FROM results.outside")" \
    "$(j .totals.outside_ha)" 1e-6 "outside: ST_Area(geography of the union) vs outside_ha"
assert_close "$(pg_psql "SELECT sum(ST_Area(geom::geography)) / 1e4 FROM results.regions")" \
    "$(j '[.regions[].region_ha] | add')" 1e-6 "regions: ST_Area(geography) vs region_ha"
# The styles, found by the query QGIS runs when it opens a layer (loadStyle).
for t in coverage tasks overlaps outside regions; do
    pg_psql "SELECT styleQML FROM layer_styles WHERE f_table_catalog = current_database()
        AND f_table_schema = 'results' AND f_table_name = '$t' AND f_geometry_column = 'geom'
        ORDER BY CASE WHEN useAsDefault THEN 1 ELSE 2 END, update_time DESC LIMIT 1" >style.qml
    grep -q '^<qgis version=.*renderer-v2' style.qml || fail "style of $t: not clearcov's QML"
done
grep -q 'attr="region"\|fieldName="[^"]*region' style.qml || fail "regions style: no region labels"
assert_eq "$(pg_psql "SELECT string_agg(f_table_name || ':' || stylename || ':' || useasdefault,
    ' ' ORDER BY f_table_name, stylename) FROM layer_styles")" \
    "coverage:clearcov coverage:true coverage:mine:false outside:clearcov outside:true overlaps:clearcov overlaps:true regions:clearcov regions:true tasks:clearcov tasks:true" \
    "layer_styles: one default style per table, the user's kept"

# tables_sum: a checksum of every results table and of the results' styles.
tables_sum() {
    pg_psql "SELECT md5(string_agg(x, '|')) FROM (
        SELECT (SELECT md5(string_agg(t::text, ',' ORDER BY fid)) FROM results.coverage t) AS x
        UNION ALL SELECT (SELECT md5(string_agg(t::text, ',' ORDER BY fid)) FROM results.tasks t)
        UNION ALL SELECT (SELECT md5(string_agg(t::text, ',' ORDER BY fid)) FROM results.overlaps t)
        UNION ALL SELECT (SELECT md5(string_agg(t::text, ',' ORDER BY fid)) FROM results.outside t)
        UNION ALL SELECT (SELECT md5(string_agg(t::text, ',' ORDER BY fid)) FROM results.regions t)
        UNION ALL SELECT (SELECT md5(string_agg(t::text, ',' ORDER BY id)) FROM layer_styles t)) s"
}
BEFORE=$(tables_sum)
cc report "${REG_PG[@]}" --cleared "${PG[@]}" --cleared-layer cleared --out "$PG_CONN" \
    --out-schema results
one_line_exit3 "--out PG: again without --overwrite" "table results.coverage exists; pass --overwrite"
assert_eq "$(tables_sum)" "$BEFORE" "a refused run leaves the tables"
# An input table among the tables to write: refused before any work, even with --overwrite.
cc report --regions "$PG_CONN" --regions-layer results.regions --region-field region \
    --cleared copy.gpkg --cleared-layer cleared --out "$PG_CONN" --out-schema results --overwrite
one_line_exit3 "an input table as output" "table results.regions is the input --regions-layer"
assert_eq "$(tables_sum)" "$BEFORE" "the input table is left"
# A view built on one of the tables: --overwrite cannot drop it (RESTRICT), nothing changes.
pg_psql "CREATE VIEW results.region_view AS SELECT * FROM results.regions" >/dev/null
cc report "${REG_PG[@]}" --cleared "${PG[@]}" --cleared-layer cleared --out "$PG_CONN" \
    --out-schema results --overwrite -q
one_line_exit3 "--overwrite with a view on a table" "cannot drop table results.regions because other objects depend on it"
assert_eq "$(tables_sum)" "$BEFORE" "a failed run leaves the tables"
pg_psql "DROP VIEW results.region_view" >/dev/null
# A failure after tables were written: the third table's style refused by a constraint.
pg_psql "ALTER TABLE layer_styles ADD CONSTRAINT no_overlaps
    CHECK (f_table_name <> 'overlaps') NOT VALID" >/dev/null
cc report "${REG_PG[@]}" --cleared "${PG[@]}" --cleared-layer cleared --out "$PG_CONN" \
    --out-schema results --overwrite --where "year >= 2020" -q
one_line_exit3 "a style refused after two tables were written" 'violates check constraint "no_overlaps"'
assert_eq "$(tables_sum)" "$BEFORE" "a run failing half-way leaves the tables"
pg_psql "ALTER TABLE layer_styles DROP CONSTRAINT no_overlaps" >/dev/null
cc report "${REG_PG[@]}" --cleared "${PG[@]}" --cleared-layer cleared --out "$PG_CONN" \
    --out-schema nosuch
one_line_exit3 "--out-schema missing" "no schema 'nosuch'"
cc validate --claims "$SOURCE_DIR/data/claims.csv" --out "$PG_CONN"
expect_rc 2 "validate --out PG:"
no_password "validate --out PG:"

# --overwrite replaces every table (a filtered run: other figures) in one go.
cc report "${REG_PG[@]}" --cleared "${PG[@]}" --cleared-layer cleared --out "$PG_CONN" \
    --out-schema results --overwrite --where "year >= 2020" --format json
expect_ok "--out PG: --overwrite"
save pgwhere.json
assert_close "$(pg_psql "SELECT sum(net_ha) FROM results.coverage")" "$(j .totals.net_ha)" 1e-9 \
    "replaced: coverage.net_ha"
assert_eq "$(pg_psql "SELECT count(*) FROM results.tasks")" "$(j '[.regions[].tasks] | add')" \
    "replaced: tasks"
assert_differs "$(j .totals.net_ha)" "$(jq .totals.net_ha pgout.json)" 1 "the filter changed the figures"
assert_eq "$(pg_psql "SELECT count(*) FROM layer_styles WHERE f_table_schema = 'results'
    AND stylename LIKE 'clearcov %'")" 5 "--overwrite: one clearcov style per table"

# A run killed while it writes: every new table gets a row trigger that sleeps (an event trigger
# adds it as the table is created), the run is SIGKILLed once the server shows it copying rows
# with the old tables dropped in its transaction; the old tables and styles are all there after.
BEFORE=$(tables_sum)
pg_psql "CREATE FUNCTION slow_row() RETURNS trigger LANGUAGE plpgsql AS
        \$\$ BEGIN PERFORM pg_sleep(0.01); RETURN NEW; END \$\$;
    CREATE FUNCTION slow_tables() RETURNS event_trigger LANGUAGE plpgsql AS \$\$
    DECLARE r record;
    BEGIN
        FOR r IN SELECT * FROM pg_event_trigger_ddl_commands()
            WHERE command_tag = 'CREATE TABLE' AND schema_name = 'results' LOOP
            EXECUTE format('CREATE TRIGGER slow BEFORE INSERT ON %s FOR EACH ROW
                EXECUTE FUNCTION slow_row()', r.object_identity);
        END LOOP;
    END \$\$;
    CREATE EVENT TRIGGER slow_tables ON ddl_command_end WHEN TAG IN ('CREATE TABLE')
        EXECUTE FUNCTION slow_tables()" >/dev/null
"$CLEARCOV" report "${REG_PG[@]}" --cleared "${PG[@]}" --cleared-layer cleared -q \
    --out "$PG_CONN application_name=ccov_killed" --out-schema results --overwrite \
    >"$WORK/out" 2>"$WORK/err" &
VICTIM=$!
writing=0
for _ in $(seq 1 600); do
    writing=$(pg_psql "SELECT count(*) FROM pg_stat_activity a JOIN pg_locks l USING (pid)
        WHERE a.application_name = 'ccov_killed' AND a.query LIKE 'COPY%'
        AND l.relation = 'results.coverage'::regclass AND l.mode = 'AccessExclusiveLock'")
    [[ $writing -eq 0 ]] || break
    sleep 0.1
done
kill -KILL "$VICTIM" 2>/dev/null || true
wait "$VICTIM" 2>/dev/null || true
[[ $writing -gt 0 ]] || fail "killed run: never seen writing (copying rows, old tables dropped)"
for _ in $(seq 1 300); do
    [[ $(pg_psql "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'ccov_killed'") \
        -eq 0 ]] && break
    sleep 0.1
done
assert_eq "$(tables_sum)" "$BEFORE" "a run killed while writing leaves the tables"
pg_psql "DROP EVENT TRIGGER slow_tables; DROP FUNCTION slow_tables(); DROP FUNCTION slow_row()" \
    >/dev/null
no_password "killed run"

# audit --out PG: the flagged records, their checks an array.
cc audit --region-attr province "${REG_PG[@]}" --cleared "${PG[@]}" --cleared-layer cleared \
    --format json --out "$PG_CONN" --out-schema results
expect_rc "$RC_GPKG" "audit --out PG:"
assert_eq "$(pg_psql "SELECT count(*) FROM results.flagged")" "$(j .flagged_features)" \
    "audit: flagged rows"
for check in $(j '.checks[] | select(.flagged > 0) | .id'); do
    assert_eq "$(pg_psql "SELECT count(*) FROM results.flagged WHERE '$check' = ANY(checks)")" \
        "$(j ".checks[] | select(.id == \"$check\") | .flagged")" "audit: rows flagged $check"
done
assert_eq "$(pg_psql "SELECT sum(source_fid) FROM results.flagged")" "$(j '[.flagged[].fid] | add')" \
    "audit: the flagged records' ids"
cc audit --region-attr province "${REG_PG[@]}" --cleared "${PG[@]}" --cleared-layer cleared \
    --out "$PG_CONN" --out-schema results
one_line_exit3 "audit --out PG: again" "table results.flagged exists; pass --overwrite"
# No password in any table written.
assert_eq "$(pg_psql "SELECT count(*) FROM (SELECT t::text AS x FROM results.coverage t
    UNION ALL SELECT t::text FROM results.tasks t UNION ALL SELECT t::text FROM results.overlaps t
    UNION ALL SELECT t::text FROM results.outside t UNION ALL SELECT t::text FROM results.regions t
    UNION ALL SELECT t::text FROM results.flagged t UNION ALL SELECT t::text FROM layer_styles t) s
    WHERE strpos(x, '$PG_PASSWORD') > 0")" 0 "no password in the tables"

# ---- --where and a query's filter run on the server ----
cc report "${REG_GPKG[@]}" --cleared copy.gpkg --cleared-layer cleared --format json \
    --where "year >= 2020 AND status = 'cleared'"
expect_ok "where on the GeoPackage"
save wgpkg.json
cc report "${REG_PG[@]}" --cleared "${PG[@]}" --cleared-layer cleared --format json \
    --where "year >= 2020 AND status = 'cleared'"
expect_ok "where on the server"
same_figures out wgpkg.json 1e-12 "--where: server vs GeoPackage"
checked server_log_has 'FROM "cleared" WHERE year >= 2020 AND status = '"'cleared'"
# A query's features keep their ids through a column named ogc_fid (GDAL's rule for results).
SQL="SELECT fid AS ogc_fid, * FROM cleared WHERE status = 'cleared'"
cc report "${REG_PG[@]}" --cleared "${PG[@]}" --format json --cleared-sql "$SQL" \
    --where "year >= 2020"
expect_ok "--cleared-sql with --where"
jq '.inputs.cleared.layer = "cleared"' out >sql.json
same_figures sql.json wgpkg.json 1e-12 "--cleared-sql + --where: server vs GeoPackage"
assert_eq "$(j .inputs.cleared.layer)" "$SQL" "a query's layer is the query"
checked server_log_has "CURSOR for SELECT * FROM ($SQL) AS ccov_query WHERE (year >= 2020)"
# Regions from a query; audit of a query.
cc report --regions "$PG_CONN" --regions-sql "SELECT ogc_fid, name, iso, wkb_geometry FROM provinces" \
    --regions-geom-column wkb_geometry --cleared copy.gpkg --cleared-layer cleared --format json
expect_ok "--regions-sql"
jq '.inputs.regions.layer = "provinces"' out >rsql.json
same_figures rsql.json gpkg.json 1e-12 "--regions-sql: server vs GeoPackage"
cc audit --region-attr province "${REG_PG[@]}" --cleared "${PG[@]}" --format json \
    --cleared-sql "SELECT fid AS ogc_fid, * FROM cleared"
expect_rc "$RC_GPKG" "audit of a query: the exit code of the GeoPackage run"
jq '.source.layer = "cleared"' out >asql.json
same_figures asql.json agpkg.json 1e-12 "audit of a query: server vs GeoPackage"
# audit reads its regions with the same loader as report, query and geometry column included.
cc audit --region-attr province --regions "$PG_CONN" \
    --regions-sql "SELECT ogc_fid, name, iso, wkb_geometry FROM provinces" \
    --regions-geom-column wkb_geometry --cleared "${PG[@]}" --cleared-layer cleared --format json
expect_rc "$RC_GPKG" "audit with --regions-sql: the exit code of the GeoPackage run"
save arsql.json
same_figures arsql.json agpkg.json 1e-12 "audit with --regions-sql: server vs GeoPackage"
cc report "${REG_PG[@]}" --cleared "${PG[@]}" --cleared-layer cleared --where "yeer >= 2020"
expect_rc 2 "a filter the server rejects"
expect_err_has 'column "yeer" does not exist' "the server's reason"
cc report "${REG_PG[@]}" --cleared "${PG[@]}" \
    --cleared-sql "WITH gone AS (DELETE FROM cleared RETURNING *) SELECT * FROM gone"
expect_rc 3 "a query that writes"
expect_err_has "read-only transaction" "inputs are never modified"
assert_eq "$(pg_psql 'SELECT count(*) FROM cleared')" 2000 "nothing deleted"

# ---- views, several geometry columns, geography, any SRID, URI connection strings ----
# A view keeps the features' ids through a column named ogc_fid, as a query does.
pg_psql "CREATE VIEW cleared_view AS SELECT fid AS ogc_fid, * FROM cleared;
    CREATE TABLE cleared_two AS SELECT fid, year, status, ST_Transform(geom, 4326) AS g4326,
        ST_Transform(geom, 3857) AS g3857 FROM cleared;
    CREATE TABLE cleared_geog AS SELECT fid, year, status,
        ST_Transform(geom, 4326)::geography AS gg FROM cleared;" >/dev/null
cc report "${REG_PG[@]}" --cleared "${PG[@]}" --cleared-layer cleared_view --format json
expect_ok "a view"
jq '.inputs.cleared.layer = "cleared"' out >view.json
same_figures view.json gpkg.json 1e-12 "view vs GeoPackage"
cc report "${REG_PG[@]}" --cleared "${PG[@]}" --cleared-layer cleared_two
one_line_exit3 "two geometry columns, none chosen" "choose one with --cleared-geom-column"
expect_err_has "(g4326, g3857)" "the columns listed"
for g in g4326 g3857 gg; do
    layer=cleared_two
    [[ $g == gg ]] && layer=cleared_geog
    cc report "${REG_PG[@]}" --cleared "${PG[@]}" --cleared-layer "$layer" \
        --cleared-geom-column "$g" --format json
    expect_ok "geometry column $g"
    # The same vertices in another CRS: edges straight in another plane, 1e-6 (run.h).
    assert_close "$(j .totals.net_ha)" "$(jq .totals.net_ha gpkg.json)" 1e-6 "$g: net"
    assert_close "$(j .totals.gross_ha)" "$(jq .totals.gross_ha gpkg.json)" 1e-6 "$g: gross"
    assert_eq "$(j .totals.tasks)" "$(jq .totals.tasks gpkg.json)" "$g: tasks"
done
assert_eq "$(j .inputs.cleared.crs)" "EPSG:4326" "an undeclared geography is WGS84 lon/lat"
cc report "${REG_PG[@]}" --cleared "${PG[@]}" --cleared-layer cleared_two \
    --cleared-geom-column nope
one_line_exit3 "no such geometry column" "no geometry column 'nope'"
URI="postgresql://$PGUSER:$PG_PASSWORD@$PGHOST:$PGPORT/$PGDATABASE"
cc report "${REG_GPKG[@]}" --cleared "PG:$URI" --cleared-layer cleared --format json
expect_ok "a URI connection string"
same_figures out gpkg.json 1e-12 "URI vs GeoPackage"
assert_eq "$(j .inputs.cleared.path)" "PG:postgresql://$PGUSER:***@$PGHOST:$PGPORT/$PGDATABASE" \
    "URI: password masked"
no_password "URI"

# ---- an independent check in SQL: ST_Area(geography) of unions and intersections ----
# clearcov splits region edges longer than 100 m (0.001 degree in lon/lat) and cleared edges
# longer than 500 m (in UTM metres) before reprojecting (CCOV_REGION_STEP_M,
# CCOV_CLEARED_STEP_M); PostGIS does the same with ST_Segmentize. Valid polygons only, so that
# no repair method enters the comparison.
pg_psql "CREATE VIEW cleared_valid AS SELECT * FROM cleared
        WHERE ST_IsValid(geom) AND GeometryType(geom) IN ('POLYGON', 'MULTIPOLYGON');
    CREATE TABLE ref_c AS SELECT fid, ST_Transform(ST_Segmentize(geom, 500), 4326) AS g
        FROM cleared_valid;
    CREATE TABLE ref_r AS SELECT name, ST_Segmentize(wkb_geometry, 0.001) AS g FROM provinces;" \
    >/dev/null
cc report "${REG_PG[@]}" --cleared "${PG[@]}" --cleared-layer cleared_valid --format json
expect_ok "report on the valid polygons"
assert_eq "$(j '.excluded | length')" 0 "nothing excluded"
assert_eq "$(j '.repaired | length')" 0 "nothing repaired"
pg_psql "WITH u AS (SELECT ST_Union(g) AS g FROM ref_c), ru AS (SELECT ST_Union(g) AS g FROM ref_r)
    SELECT 'net', ST_Area(ST_Intersection(u.g, ru.g)::geography) / 1e4 FROM u, ru
    UNION ALL SELECT 'outside', ST_Area(ST_Difference(u.g, ru.g)::geography) / 1e4 FROM u, ru
    UNION ALL SELECT 'gross', sum(ST_Area(ST_Intersection(c.g, r.g)::geography)) / 1e4
        FROM ref_c c JOIN ref_r r ON ST_Intersects(c.g, r.g)
    UNION ALL SELECT 'net:' || r.name, ST_Area(ST_Intersection(u.g, r.g)::geography) / 1e4
        FROM u, ref_r r
    UNION ALL SELECT 'region:' || r.name, ST_Area(r.g::geography) / 1e4 FROM ref_r r" |
    tr '|' '\t' >ref.sql
note "SQL reference: $(tr '\t\n' '= ' <ref.sql)"
assert_close "$(j .totals.net_ha)" "$(lookup ref.sql net)" 1e-6 "net vs ST_Area(ST_Intersection(ST_Union))"
assert_close "$(j .totals.gross_ha)" "$(lookup ref.sql gross)" 1e-6 "gross vs sum of ST_Intersection"
assert_close "$(j .totals.outside_ha)" "$(lookup ref.sql outside)" 1e-6 "outside vs ST_Difference"
for i in 0 1; do
    name=$(j ".regions[$i].name")
    assert_close "$(j ".regions[$i].net_ha")" "$(lookup ref.sql "net:$name")" 1e-6 "$name net"
    assert_close "$(j ".regions[$i].region_ha")" "$(lookup ref.sql "region:$name")" 1e-6 \
        "$name region_ha"
done

# ---- the shared geoBoundaries provinces and districts as regions on the server ----
SHARED=$SOURCE_DIR/../shared/data
if [[ -f $SHARED/lao_adm1_geoboundaries.geojson && -f $SHARED/lao_adm2_geoboundaries.geojson ]]; then
    for level in adm1 adm2; do
        pg_load "$SHARED/lao_${level}_geoboundaries.geojson" -nln "$level" -nlt PROMOTE_TO_MULTI
        ogr2ogr -f GPKG -update copy.gpkg "$PG_CONN" "$level" -preserve_fid
        cc report --regions copy.gpkg --regions-layer "$level" --region-field shapeName \
            --cleared copy.gpkg --cleared-layer cleared --format json
        expect_ok "geoBoundaries $level from the GeoPackage"
        save "g$level.json"
        cc report --regions "$PG_CONN" --regions-layer "$level" --region-field shapeName \
            --cleared "$PG_CONN" --cleared-layer cleared --format json
        expect_ok "geoBoundaries $level from the server"
        same_figures out "g$level.json" 1e-12 "geoBoundaries $level: server vs GeoPackage"
        note "geoBoundaries $level: $(j '.regions | length') regions, net $(j .totals.net_ha) ha"
    done
else
    skip_part "the shared geoBoundaries provinces and districts ($SHARED) are absent"
fi

# ---- errors: one line, exit 3, no password ----
WRONG="PG:host=$PGHOST port=$PGPORT dbname=$PGDATABASE user=$PGUSER password=wrong-$PG_PASSWORD"
cc report "${REG_GPKG[@]}" --cleared "$WRONG" --cleared-layer cleared
one_line_exit3 "wrong password" "password authentication failed"
cc audit --cleared "$WRONG" --cleared-layer cleared
one_line_exit3 "wrong password (audit)" "password authentication failed"
cc report "${REG_GPKG[@]}" --cleared "${PG[@]}" --cleared-layer nosuch
one_line_exit3 "missing table" "no layer 'nosuch'"
cc report "${REG_GPKG[@]}" --cleared "${PG[@]}" --cleared-sql "SELECT * FROM nosuch"
one_line_exit3 "missing table in a query" 'relation "nosuch" does not exist'

# A connection dropped while the features are read: a view that takes a few milliseconds a row,
# and the server ending the session (pg_terminate_backend) a second after the run started.
pg_psql "CREATE VIEW cleared_slow AS SELECT * FROM cleared WHERE pg_sleep(0.003)::text = ''" \
    >/dev/null
# The session is ended once it fetches rows (on a loaded machine the run may take longer than a
# second to get there; ended earlier, it fails while opening, which is not this case).
(
    for _ in $(seq 1 600); do
        pg_psql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE application_name = 'ccov_dropped' AND query LIKE 'FETCH%'" >/dev/null 2>&1 ||
            true
        sleep 0.2
    done
) &
KILLER=$!
cc report "${REG_GPKG[@]}" --cleared "$PG_CONN application_name=ccov_dropped" \
    --cleared-layer cleared_slow
kill "$KILLER" 2>/dev/null || true
wait "$KILLER" 2>/dev/null || true
one_line_exit3 "connection dropped while reading" "read error:"

# A stopped server.
pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null
cc report "${REG_GPKG[@]}" --cleared "${PG[@]}" --cleared-layer cleared
one_line_exit3 "server stopped" "Connection refused"

note "$((SECONDS - START)) s, $SKIPPED_PARTS part(s) skipped"
end_checks
