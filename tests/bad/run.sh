#!/usr/bin/env bash
# Hostile inputs (issue 6): run every case of tests/bad/cases.tsv against the built clearcov.
#
#   bash tests/bad/run.sh CLEARCOV SOURCE_DIR [ID_REGEX]
#
# cases.tsv: one case per line, tab-separated, '#' lines are comments:
#   id  kind  exit  stderr  command  check
# - kind: files, crs, geometry, regions, attributes, claims, outputs;
# - exit: the exit code a demanding user expects;
# - stderr: an extended regex one stderr line must match (grep -E), '-' for no requirement,
#   'EMPTY' for no stderr at all;
# - command: bash, run with eval in a fresh folder $T (also the current folder), with
#   clearcov      the tool under test (a function);
#   as_nobody     prefix that runs the rest as user nobody (setpriv), for permission cases: tests
#                 may run as root, who reads anything (the case is skipped when that is impossible);
#   $IN           tests/bad/inputs (small committed text files);
#   $G            inputs made by this script at start (shapefiles, GeoPackages, truncated and
#                 unreadable copies, /dev/full twin (a link to it without root), 10^6-vertex
#                 polygon...): see make_inputs;
#   $DATA         the bundled data folder;
# - check: '-' or bash run after the command (same folder), which must succeed; helpers:
#   j FILTER      jq -e FILTER on the command's standard output (must be JSON and true);
#   jf FILE FILTER  the same on a file;
#   same A B      files A and B are byte-identical;
#   no_temp       no temporary output file (.clearcov-*) left in $T or $G.
#
# Checked for every case besides its own exit code, pattern and check:
# - every stderr line starts with "clearcov: " (or is "try 'clearcov --help'" after a usage
#   error): no raw GDAL ("ERROR 1:", "Warning 1:"), PROJ or GEOS text;
# - no sanitizer report; the exit code is 0-5 (never 124-127 or 137, no signal);
# - when stdout is JSON, no reason or detail in it carries raw library text (GEOS exception names,
#   "ERROR 1:").
#
# Prints one line per case (PASS/FAIL/SKIP), the counts by kind, then 'N passed, N failed'.
# Exit status: 1 when a case failed; else 77 (CTest's SKIP_RETURN_CODE: the test shows as skipped,
# with a line "SKIP: ..." giving the reasons) when a case was skipped; else 0. BAD_FAILURES=FILE also writes the failing
# cases there, one block each (id, command, expected, got); BAD_VERBOSE=1 shows the stderr of
# passing cases too.
set -uo pipefail

if [[ $# -lt 2 ]]; then
    echo "usage: $0 CLEARCOV SOURCE_DIR [ID_REGEX]" >&2
    exit 2
fi
CLEARCOV=$(realpath "$1")
SOURCE_DIR=$(realpath "$2")
FILTER=${3:-.}
IN=$SOURCE_DIR/tests/bad/inputs
DATA=$SOURCE_DIR/data
CASES=$SOURCE_DIR/tests/bad/cases.tsv
CASE_TIMEOUT=${CASE_TIMEOUT:-600}
export IN DATA

for tool in jq ogr2ogr ogrinfo awk sqlite3 iconv timeout sha256sum; do
    command -v "$tool" >/dev/null 2>&1 || {
        echo "bad_corpus: needs '$tool' (scripts/test installs the test tools)" >&2
        exit 1
    }
done
[[ -x $CLEARCOV ]] || { echo "bad_corpus: $CLEARCOV is not an executable" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/clearcov-bad.XXXXXX")
# chmod: the permission cases run as nobody, who must reach the files.
chmod 755 "$WORK"
cleanup() {
    mountpoint -q "$WORK/gen/smallfs" 2>/dev/null && umount "$WORK/gen/smallfs"
    chmod -R u+rwX "$WORK" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
G=$WORK/gen
mkdir -p "$G"
export G
export PROJ_NETWORK=OFF
# GDAL's own tools used below must not leave their messages in the way.
export CPL_LOG=/dev/null

# ---- helpers for commands and checks ----

clearcov() { "$CLEARCOV" "$@"; }

# nobody can run the tool only when every folder above it lets others in.
NOBODY_OK=1
NOBODY_WHY=""
if [[ $(id -u) -eq 0 ]]; then
    if ! command -v setpriv >/dev/null; then
        NOBODY_OK=0
        NOBODY_WHY="running as root without setpriv (util-linux)"
    elif ! setpriv --reuid=nobody --regid=nogroup --clear-groups test -x "$CLEARCOV" ||
        ! setpriv --reuid=nobody --regid=nogroup --clear-groups test -r "$DATA/provinces.shp" ||
        ! setpriv --reuid=nobody --regid=nogroup --clear-groups test -r "$IN/good.geojson"; then
        NOBODY_OK=0
        NOBODY_WHY="user nobody cannot reach $CLEARCOV, $DATA or $IN"
    fi
fi

# as_nobody clearcov ARGS...
as_nobody() {
    shift
    if [[ $(id -u) -eq 0 ]]; then
        setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME=/nonexistent \
            "$CLEARCOV" "$@"
    else
        "$CLEARCOV" "$@"
    fi
}

j() { jq -e "$1" "$T/out" >/dev/null 2>&1; }
jf() { jq -e "$2" "$1" >/dev/null 2>&1; }
same() { cmp -s "$1" "$2"; }
no_temp() { [[ -z $(find "$T" "$G" -name '.clearcov-*' 2>/dev/null) ]]; }
export -f j jf same no_temp

# ---- inputs made at run time (nothing generated is committed) ----

quiet() { "$@" >/dev/null 2>&1 || { echo "bad_corpus: setup failed: $*" >&2; exit 1; }; }

make_inputs() {
    local csv_opts=(-oo GEOM_POSSIBLE_NAMES=WKT -oo KEEP_GEOM_COLUMNS=NO)
    cd "$G" || exit 1
    # shapefiles: good (EPSG:4326), and copies with one part broken or missing
    quiet ogr2ogr good.shp "$IN/good.geojson"
    local part
    for name in trunc noshx nodbf noprj garbled; do
        for part in shp shx dbf prj cpg; do
            [[ -e good.$part ]] && cp "good.$part" "$name.$part"
        done
    done
    # the header (100 bytes) and part of the first record
    truncate -s 140 trunc.shp
    rm -f noshx.shx nodbf.dbf noprj.prj
    cp "$IN/garbled.prj" garbled.prj
    # regions as a shapefile without its .dbf (no names)
    quiet ogr2ogr regions_nodbf.shp "$IN/regions_ab.geojson"
    rm -f regions_nodbf.dbf
    # the same square in UTM 48N with a local (engineering) CRS as its .prj
    quiet ogr2ogr -a_srs EPSG:32648 localcs.shp "$IN/utm48.csv" "${csv_opts[@]}" -nlt POLYGON
    cp "$IN/local_cs.prj" localcs.prj
    # empty, unreadable, a folder, a device, an image
    : >empty0.geojson
    : >empty0.shp
    : >empty0.csv
    cp "$IN/good.geojson" unreadable.geojson
    cp "$IN/claims_ok.csv" claims_unreadable.csv
    chmod 000 unreadable.geojson claims_unreadable.csv
    mkdir -p adir
    printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89' \
        >image.geojson
    # GeoPackages: no layers; two layers; truncated
    quiet ogr2ogr nolayers.gpkg "$IN/good.geojson" -nln cleared
    quiet ogrinfo nolayers.gpkg -sql "DROP TABLE cleared"
    quiet ogr2ogr multi.gpkg "$IN/regions_ab.geojson" -nln regions
    quiet ogr2ogr -update multi.gpkg "$IN/good.geojson" -nln cleared
    quiet ogr2ogr -f GPKG full.gpkg "$IN/good.geojson" -nln cleared
    head -c "$(($(stat -c %s full.gpkg) / 2))" full.gpkg >truncated.gpkg
    # CRS cases
    quiet ogr2ogr nocrs.shp "$IN/lonlat_nocrs.csv" "${csv_opts[@]}" -nlt POLYGON
    quiet ogr2ogr -a_srs EPSG:32648 utm48.gpkg "$IN/utm48.csv" "${csv_opts[@]}" -nlt POLYGON
    quiet ogr2ogr -a_srs EPSG:4326 utm_as_4326.gpkg "$IN/utm48.csv" "${csv_opts[@]}" -nlt POLYGON
    quiet ogr2ogr -a_srs EPSG:4131 indian1960.gpkg "$IN/lonlat_nocrs.csv" "${csv_opts[@]}" \
        -nlt POLYGON
    quiet ogr2ogr -a_srs EPSG:32647 regions_utm47.gpkg "$IN/regions_ab.geojson" -t_srs EPSG:32647
    quiet ogr2ogr nocrs_regions.shp "$IN/regions_ab.geojson"
    rm -f nocrs_regions.prj
    # geometry cases that need a binary format
    quiet ogr2ogr -a_srs EPSG:4326 polygon_m.shp "$IN/polygon_m.csv" "${csv_opts[@]}" -dim XYM
    quiet ogr2ogr -a_srs EPSG:4326 polygon_zm.gpkg "$IN/polygon_zm.csv" "${csv_opts[@]}"
    quiet ogr2ogr -a_srs EPSG:4326 curve.gpkg "$IN/curve.csv" "${csv_opts[@]}" \
        -nlt CURVEPOLYGON
    quiet ogr2ogr -a_srs EPSG:4326 nested_multi.gpkg "$IN/nested_multi.csv" "${csv_opts[@]}"
    quiet ogr2ogr -a_srs EPSG:4326 attrs.gpkg "$IN/attrs.csv" "${csv_opts[@]}" -nlt POLYGON
    quiet ogr2ogr points.shp "$IN/point_in_polygons.geojson" -where "task_id = 'P1'"
    # a polygon of 10^6 vertices: a circle of radius 0.02 degree in Bolikhamxay
    awk 'BEGIN {
        n = 1000000; pi = atan2(0, -1)
        printf "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
        printf "\"properties\":{\"task_id\":\"BIG\"},\"geometry\":{\"type\":\"Polygon\","
        printf "\"coordinates\":[["
        for (i = 0; i < n; i++) {
            a = 2 * pi * i / n
            printf "[%.9f,%.9f],", 104.2 + 0.02 * cos(a), 18.6 + 0.02 * sin(a)
        }
        printf "[%.9f,%.9f]]]}}]}\n", 104.22, 18.6
    }' >circle_1e6.geojson
    # non-UTF-8 text: Latin-1 bytes in a GeoJSON name, a shapefile without .cpg, a claims file
    iconv -f UTF-8 -t ISO-8859-1 "$IN/regions_latin1_src.csv" >regions_latin1.csv
    quiet ogr2ogr -a_srs EPSG:4326 regions_latin1.shp "$IN/regions_latin1_src.csv" \
        "${csv_opts[@]}" -nlt POLYGON -lco ENCODING=ISO-8859-1
    cp regions_latin1.shp regions_latin1_nocpg.shp
    cp regions_latin1.shx regions_latin1_nocpg.shx
    cp regions_latin1.dbf regions_latin1_nocpg.dbf
    cp regions_latin1.prj regions_latin1_nocpg.prj
    quiet ogr2ogr -f GeoJSON regions_utf8.geojson "$IN/regions_latin1_src.csv" "${csv_opts[@]}" \
        -a_srs EPSG:4326 -nlt POLYGON
    iconv -f UTF-8 -t ISO-8859-1 regions_utf8.geojson >regions_latin1.geojson
    printf 'id,statement,source,regions,where,value,unit,relation,tolerance_pct,percent_of_region\n' \
        >claims_latin1.csv
    printf 'ok,more than 100 ha,test,Bolikhamxay,,100,ha,at_least,,\n' >>claims_latin1.csv
    printf 'lat1,Le d\xe9minage de S\xe9kong,t,Bolikhamxay,,5,ha,at_least,,\n' >>claims_latin1.csv
    # a twin of /dev/full, a read-only folder. Root gets a device node of its own (mknod), never
    # the real /dev/full: a wrong rename would replace it. Without root, mknod is refused, and a
    # symbolic link to /dev/full stands in: a user cannot replace /dev/full nor write in /dev,
    # and a wrong rename would replace the link with a regular file, which the checks
    # ([[ -c $G/full ]]) catch.
    if mknod full c 1 7 2>/dev/null && mknod full2 c 1 7 2>/dev/null; then
        chmod 666 full full2
    elif [[ $(id -u) -ne 0 && -c /dev/full && ! -w /dev ]]; then
        rm -f full full2
        ln -s /dev/full full && ln -s /dev/full full2
    else
        rm -f full full2
    fi
    mkdir -p rodir
    chmod 555 rodir
    # issue 10 (D cases): a small file system that fills up (a real ENOSPC, unlike `ulimit -f`),
    # where mounting is allowed (root); the cases that use it are skipped elsewhere.
    mkdir -p smallfs
    if ! mount -t tmpfs -o size=64k,mode=0777 tmpfs smallfs 2>/dev/null; then
        rmdir smallfs
    fi
    make_m_inputs
    cd "$WORK" || exit 1
}

# ---- M cases (issue 10, text and input oddities) ----
# no_controls FILE...: no terminal control reaches the files (C0 but newline, DEL, C1 in UTF-8).
no_controls() { ! LC_ALL=C grep -qaP '[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' "$@"; }
# csv_cell FILE SQL: a query on the CSV file read by sqlite3's RFC 4180 reader (table t).
csv_cell() { sqlite3 :memory: ".import --csv $1 t" "$2"; }
# hex_of TEXT: the bytes of TEXT (printf escapes) in upper-case hex, as SQLite's hex() gives them.
hex_of() { printf "$1" | od -An -tx1 | tr -d ' \n' | tr a-f A-F; }
make_m_inputs() {
    # a file name in Latin-1 (not UTF-8), and claims whose text carries terminal controls
    cp "$IN/good.geojson" "m_d"$'\xe9'"minage.geojson"
    cp "$IN/claims_ok.csv" "m_r"$'\xe9'"sum"$'\xe9'".csv"
    printf 'id,statement,source,regions,where,value,unit,relation,tolerance_pct,percent_of_region\n' \
        >m_claims_controls.csv
    printf 'c\033[2J1,"more\r\nclearcov: forged\a",t\033]0;x\007,Bolikhamxay,,100,ha,at_least,,\n' \
        >>m_claims_controls.csv
    # 22,500 square regions of 0.001 degree (a 150 x 150 grid from 104.0 18.0) and one more,
    # 'Extra', over the corners of four of them: the overlap check must stay fast and still find
    # those four
    awk -v n=150 'BEGIN {
        printf "{\"type\":\"FeatureCollection\",\"features\":["
        for (i = 0; i < n; i++)
            for (j = 0; j < n; j++) {
                x = 104 + 0.001 * i; y = 18 + 0.001 * j
                printf "{\"type\":\"Feature\",\"properties\":{\"name\":\"R%d_%d\"},", i, j
                printf "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[%.3f,%.3f],", x, y
                printf "[%.3f,%.3f],[%.3f,%.3f],[%.3f,%.3f],[%.3f,%.3f]]]}},", x + 0.001, y,
                    x + 0.001, y + 0.001, x, y + 0.001, x, y
            }
        printf "{\"type\":\"Feature\",\"properties\":{\"name\":\"Extra\"},\"geometry\":"
        printf "{\"type\":\"Polygon\",\"coordinates\":[[[104.0755,18.0755],[104.0765,18.0755],"
        printf "[104.0765,18.0765],[104.0755,18.0765],[104.0755,18.0755]]]}}]}\n"
    }' >m_grid.geojson
    # three squares as a shapefile whose .shx entry for feature 1 holds feature 0's offset
    quiet ogr2ogr m_shx_dup.shp "$IN/m_three.geojson"
    dd if=m_shx_dup.shx bs=1 skip=100 count=4 2>/dev/null |
        dd of=m_shx_dup.shx bs=1 seek=108 conv=notrunc 2>/dev/null
    # a GeoPackage with a hot journal: copied, with its -journal, in the middle of a transaction
    quiet ogr2ogr -f GPKG m_base.gpkg "$IN/good.geojson" -nln cleared
    sqlite3 m_base.gpkg "PRAGMA journal_mode=DELETE;" "PRAGMA cache_size=1;" "BEGIN;" \
        "CREATE TABLE pad(x);" \
        "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 50)
         INSERT INTO pad SELECT randomblob(4000) FROM c;" \
        "UPDATE gpkg_contents SET identifier = 'x';" \
        ".shell cp m_base.gpkg m_hot.gpkg; cp m_base.gpkg-journal m_hot.gpkg-journal" >/dev/null
    rm -f m_base.gpkg m_base.gpkg-journal
    # GeoJSON whose one property nests 10^5 arrays
    awk 'BEGIN {
        printf "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
        printf "\"properties\":{\"deep\":"
        for (i = 0; i < 100000; i++) printf "["
        for (i = 0; i < 100000; i++) printf "]"
        printf "},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[104.0,18.5],"
        printf "[104.01,18.5],[104.01,18.51],[104.0,18.51],[104.0,18.5]]]}}]}\n"
    }' >m_deep.geojson
}
# m_three_ha: the geodesic area of the three squares of m_three.geojson (GeographicLib), in ha.
m_three_ha() {
    local r
    for r in "18.501 104.001;18.501 104.011;18.511 104.011;18.511 104.001" \
        "18.52 104.02;18.52 104.025;18.525 104.025;18.525 104.02" \
        "18.53 104.03;18.53 104.032;18.532 104.032;18.532 104.03"; do
        tr ';' '\n' <<<"$r" | Planimeter -p 10
    done | awk '{ s += $3 } END { printf "%.6f", s / 1e4 }'
}

# ---- running the cases ----

declare -A TOTAL PASSED FAILED SKIPPED SKIP_WHY
KINDS=(files crs geometry regions attributes claims outputs)
for k in "${KINDS[@]}"; do TOTAL[$k]=0 PASSED[$k]=0 FAILED[$k]=0 SKIPPED[$k]=0; done
npass=0 nfail=0 nskip=0
FAILURES=${BAD_FAILURES:-}
[[ -n $FAILURES ]] && : >"$FAILURES"

first_lines() { head -c 600 "$1" | head -n 3 | tr '\n' '|' | sed 's/|$//'; }

# Problems with stderr that no case may show.
stderr_problems() {
    local err=$1 rc=$2
    if grep -qE 'runtime error:|AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer' "$err"; then
        echo "sanitizer report on stderr"
        return
    fi
    if grep -qE '^(ERROR [0-9]+|Warning [0-9]+|GEOS|PROJ|proj_|pj_)' "$err"; then
        echo "raw library message on stderr: $(grep -m1 -E '^(ERROR [0-9]+|Warning [0-9]+|GEOS|PROJ|proj_|pj_)' "$err")"
        return
    fi
    if grep -q $'\r' "$err"; then
        echo "carriage return on stderr (a message must be one line)"
        return
    fi
    local bad
    bad=$(grep -vE "^clearcov: |^try 'clearcov --help'$" "$err" | head -n 1)
    if [[ -n $bad || ( -s $err && $(tail -c 1 "$err" | od -An -c | tr -d ' ') != '\n' ) ]]; then
        echo "stderr line not of the form 'clearcov: ...': [${bad:-no final newline}]"
        return
    fi
    if grep -q "^try 'clearcov --help'$" "$err" && [[ $rc -ne 2 ]]; then
        echo "usage hint after a non-usage error"
    fi
}

# Reasons in a JSON result (repaired, excluded, problems, flagged details) are rephrased too: no
# GEOS exception names, no GDAL "ERROR n:" text.
RAW_IN_JSON='Exception|^ERROR [0-9]|^GEOS|^OGR|^PROJ'
json_problems() {
    local out=$1
    jq -e . "$out" >/dev/null 2>&1 || return 0
    local raw
    raw=$(jq -r --arg rx "$RAW_IN_JSON" '[.. | objects | (.reason?, .details?) | strings |
        select(test($rx))] | first // empty' "$out" 2>/dev/null)
    [[ -n $raw ]] && echo "raw library text in a JSON reason: [$raw]"
}

run_case() {
    local id=$1 kind=$2 want_rc=$3 pattern=$4 cmd=$5 check=$6
    T=$WORK/case-$id
    mkdir -p "$T"
    chmod 777 "$T"
    export T
    cd "$T" || return
    if [[ $cmd == *as_nobody* && $NOBODY_OK -eq 0 ]]; then
        printf 'SKIP  %-5s %-10s %s\n' "$id" "$kind" "$NOBODY_WHY"
        SKIP_WHY[$NOBODY_WHY]+="$id "
        SKIPPED[$kind]=$((SKIPPED[$kind] + 1))
        nskip=$((nskip + 1))
        return
    fi
    # shellcheck disable=SC2016 # the literal text $G/full in the command
    if [[ $cmd =~ \$G/full2?([^.[:alnum:]_]|$) && ! -e $G/full ]]; then
        printf 'SKIP  %-5s %-10s %s\n' "$id" "$kind" "no /dev/full twin here"
        SKIP_WHY["no /dev/full twin: root cannot mknod here, and must not use the real one"]+="$id "
        SKIPPED[$kind]=$((SKIPPED[$kind] + 1))
        nskip=$((nskip + 1))
        return
    fi
    # shellcheck disable=SC2016 # the literal text $G/smallfs in the command
    if [[ $cmd == *'$G/smallfs'* && ! -d $G/smallfs ]]; then
        printf 'SKIP  %-5s %-10s %s\n' "$id" "$kind" "cannot mount a small tmpfs here"
        SKIPPED[$kind]=$((SKIPPED[$kind] + 1))
        nskip=$((nskip + 1))
        return
    fi
    local start rc why=()
    start=$(date +%s.%N)
    # the command runs in a subshell with a time limit; stdin is closed off
    timeout -k 5 "$CASE_TIMEOUT" bash -c "
        $(declare -f clearcov as_nobody)
        CLEARCOV='$CLEARCOV'
        cd '$T' && $cmd" </dev/null >"$T/out" 2>"$T/err"
    rc=$?
    local secs
    secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
    if [[ $rc -eq 124 || $rc -eq 137 ]]; then
        why+=("timed out after ${CASE_TIMEOUT}s")
    elif [[ $rc -ne $want_rc ]]; then
        why+=("exit $rc, expected $want_rc")
    fi
    if [[ $rc -gt 5 && $rc -ne 124 && $rc -ne 137 ]]; then
        why+=("exit code $rc is not one of 0-5 (signal or crash?)")
    fi
    if [[ $pattern == EMPTY ]]; then
        [[ -s $T/err ]] && why+=("stderr not empty")
    elif [[ $pattern != - ]] && ! grep -qE -- "$pattern" "$T/err"; then
        why+=("no stderr line matches /$pattern/")
    fi
    local p
    p=$(stderr_problems "$T/err" "$rc")
    [[ -n $p ]] && why+=("$p")
    p=$(json_problems "$T/out")
    [[ -n $p ]] && why+=("$p")
    if [[ $check != - ]]; then
        if ! (cd "$T" && eval "$check") >/dev/null 2>&1; then
            why+=("check failed: $check")
        fi
    fi
    if [[ ${#why[@]} -eq 0 ]]; then
        printf 'PASS  %-5s %-10s %5ss  exit %s%s\n' "$id" "$kind" "$secs" "$rc" \
            "$([[ -n ${BAD_VERBOSE:-} && -s $T/err ]] && printf '  stderr: [%s]' "$(first_lines "$T/err")")"
        PASSED[$kind]=$((PASSED[$kind] + 1))
        npass=$((npass + 1))
    else
        local reasons
        reasons=$(printf '%s; ' "${why[@]}")
        printf 'FAIL  %-5s %-10s %5ss  %s stderr: [%s]\n' "$id" "$kind" "$secs" "$reasons" \
            "$(first_lines "$T/err")"
        FAILED[$kind]=$((FAILED[$kind] + 1))
        nfail=$((nfail + 1))
        if [[ -n $FAILURES ]]; then
            {
                printf -- '- %s (%s)\n' "$id" "$kind"
                printf '  command:  %s\n' "$cmd"
                printf '  expected: exit %s, stderr /%s/%s\n' "$want_rc" "$pattern" \
                    "$([[ $check != - ]] && printf ', check: %s' "$check")"
                printf '  got:      exit %s, stderr: %s\n' "$rc" "$(first_lines "$T/err")"
                printf '  failed:   %s\n' "$reasons"
            } >>"$FAILURES"
        fi
    fi
    cd "$WORK" || exit 1
}

make_inputs
[[ $NOBODY_OK -eq 1 ]] || echo "note: permission cases skipped: $NOBODY_WHY"

declare -A SEEN
while IFS=$'\t' read -r id kind want pattern cmd check extra; do
    [[ -z $id || $id == \#* ]] && continue
    if [[ -z ${cmd:-} || -n ${extra:-} || ! $want =~ ^[0-9]+$ || -z ${TOTAL[$kind]+x} ]]; then
        echo "bad_corpus: cases.tsv: malformed case '$id' (6 tab-separated fields, kind one of ${KINDS[*]})" >&2
        exit 1
    fi
    [[ -n ${SEEN[$id]:-} ]] && { echo "bad_corpus: cases.tsv: case id '$id' twice" >&2; exit 1; }
    SEEN[$id]=1
    [[ $id =~ $FILTER ]] || continue
    TOTAL[$kind]=$((TOTAL[$kind] + 1))
    run_case "$id" "$kind" "$want" "$pattern" "$cmd" "${check:--}"
done <"$CASES"

echo
printf '%-11s %5s %6s %6s %7s\n' kind cases passed failed skipped
for k in "${KINDS[@]}"; do
    printf '%-11s %5s %6s %6s %7s\n' "$k" "${TOTAL[$k]}" "${PASSED[$k]}" "${FAILED[$k]}" \
        "${SKIPPED[$k]}"
done
echo "$npass passed, $nfail failed$([[ $nskip -gt 0 ]] && echo ", $nskip skipped")"
[[ $nfail -eq 0 ]] || exit 1
if [[ $nskip -gt 0 ]]; then
    for why in "${!SKIP_WHY[@]}"; do
        echo "SKIP: $why: ${SKIP_WHY[$why]% }"
    done
    exit 77
fi
exit 0
