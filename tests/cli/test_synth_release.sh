#!/usr/bin/env bash
# clearcov synth --release (issue 13): land-release records. The shares of the three statuses,
# survey polygons that hold or overlap cleared ones, start and end dates as Date fields, several
# operators, the status spellings of --status-variants, and the same bytes for the same seed. Every
# figure is counted with GDAL's SQLite dialect (SpatiaLite) on the written file.
source "$(dirname "$0")/lib.sh" "$@"

N=3000
export OGR_CURRENT_DATE=2000-01-01T00:00:00Z
cc synth --release --count $N --seed 5 -o rel.gpkg
expect_ok "synth --release"

# Date fields after the classic ones, in that order.
fields=$(ogrinfo -so -nomd rel.gpkg cleared | sed -n 's/^\([a-z_]*\): \([A-Za-z0-9]*\) .*/\1:\2/p' |
    tr '\n' ' ')
checked assert_eq "$fields" "task_id:String operator:String year:Integer64 status:String \
reported_area:Real reported_unit:String method:String province:String start_date:Date \
end_date:Date " "fields of synth --release"

# Status shares: about 60 / 25 / 15 % (binomial standard deviation for 3000 records is under 1
# point, so 3 points is a wide margin that a wrong table would still miss).
share() {
    sql rel.gpkg "SELECT 100.0 * SUM(status = '$1') / COUNT(*) AS p FROM cleared"
}
checked assert_close "$(share cleared)" 60 0.05 "cleared share (%)"
checked assert_close "$(share reduced)" 25 0.12 "reduced share (%)"
checked assert_close "$(share cancelled)" 15 0.2 "cancelled share (%)"
others=$(sql rel.gpkg "SELECT COUNT(*) AS n FROM cleared WHERE status NOT IN
    ('cleared', 'reduced', 'cancelled')")
checked assert_eq "$others" 0 "statuses other than the three words without --status-variants"

# Method follows the status.
bad_method=$(sql rel.gpkg "SELECT COUNT(*) AS n FROM cleared WHERE
    (status = 'reduced' AND method <> 'technical survey') OR
    (status = 'cancelled' AND method <> 'non-technical survey') OR
    (status = 'cleared' AND method NOT LIKE '%clearance')")
checked assert_eq "$bad_method" 0 "records whose method does not match their status"

# Dates: start <= end, the end in the record's year, work lasting 1 to 240 days.
bad_dates=$(sql rel.gpkg "SELECT COUNT(*) AS n FROM cleared WHERE start_date IS NULL OR
    end_date IS NULL OR start_date > end_date OR
    CAST(substr(end_date, 1, 4) AS INTEGER) <> year OR
    julianday(end_date) - julianday(start_date) NOT BETWEEN 1 AND 240")
checked assert_eq "$bad_dates" 0 "records with inconsistent dates"
years=$(sql rel.gpkg "SELECT COUNT(DISTINCT year) AS n FROM cleared WHERE year BETWEEN 2008 AND 2024")
checked assert_eq "$years" 17 "distinct years 2008 to 2024"

operators=$(sql rel.gpkg "SELECT COUNT(DISTINCT operator) AS n FROM cleared")
checked assert_eq "$operators" 7 "distinct operators"

# Survey polygons hold or overlap cleared ones: a fair part of the cleared records lie wholly
# inside a survey polygon, and others cross one's edge.
pair_count() {
    sql rel.gpkg "SELECT COUNT(DISTINCT c.fid) AS n FROM cleared c, cleared s
        WHERE c.status = 'cleared' AND s.status <> 'cleared' AND ST_IsValid(c.geom)
        AND s.fid IN (SELECT id FROM rtree_cleared_geom WHERE minx <= ST_MaxX(c.geom)
            AND maxx >= ST_MinX(c.geom) AND miny <= ST_MaxY(c.geom) AND maxy >= ST_MinY(c.geom))
        AND $1(s.geom, c.geom)"
}
ncleared=$(sql rel.gpkg "SELECT COUNT(*) AS n FROM cleared WHERE status = 'cleared'")
inside=$(pair_count ST_Contains)
crossing=$(pair_count ST_Overlaps)
note "$ncleared cleared records: $inside inside a survey polygon, $crossing crossing one's edge"
checked awk -v i="$inside" -v n="$ncleared" 'BEGIN { exit !(i >= 0.2 * n) }'
checked awk -v o="$crossing" -v n="$ncleared" 'BEGIN { exit !(o >= 0.1 * n) }'

# The same seed gives the same bytes; another seed does not.
cc synth --release --count $N --seed 5 -o again.gpkg
expect_ok "synth --release again"
checked cmp rel.gpkg again.gpkg
cc synth --release --count $N --seed 6 -o other.gpkg
expect_ok "synth --release, other seed"
checked bash -c '! cmp -s rel.gpkg other.gpkg'

# --status-variants: several spellings, every one of them mapped by the documented --status-map
# (ignoring case and surrounding spaces), and the same shares.
cc synth --release --status-variants --count $N --seed 5 -o var.gpkg
expect_ok "synth --release --status-variants"
spellings=$(sql var.gpkg "SELECT COUNT(DISTINCT status) AS n FROM cleared")
checked awk -v n="$spellings" 'BEGIN { exit !(n >= 8) }'
for v in Completed "TS reduced" "NTS cancelled"; do
    n=$(sql var.gpkg "SELECT COUNT(*) AS n FROM cleared WHERE status = '$v'")
    checked awk -v n="$n" 'BEGIN { exit !(n > 0) }'
done
mapped() {
    sql var.gpkg "SELECT 100.0 * SUM(lower(trim(status)) IN ($2)) / COUNT(*) AS p FROM cleared"
}
checked assert_close "$(mapped cleared "'cleared', 'completed'")" 60 0.05 "cleared share, variants"
checked assert_close "$(mapped reduced "'reduced', 'ts reduced'")" 25 0.12 "reduced share, variants"
checked assert_close "$(mapped cancelled "'cancelled', 'nts cancelled'")" 15 0.2 \
    "cancelled share, variants"

cc synth --status-variants --count 10 -o x.gpkg
expect_rc 2 "--status-variants without --release"
expect_err_has "--status-variants needs --release" "--status-variants without --release"
[[ ! -e x.gpkg ]] || fail "x.gpkg written by a refused command"

end_checks
note "ok"
