# shellcheck shell=bash
# Helpers for the CLI tests. A test script is run by CTest as
#     bash tests/cli/test_X.sh <path of the built clearcov> <source directory>
# and starts with `source "$(dirname "$0")/lib.sh" "$@"`.
#
# Conventions: every failure prints what was run, what was expected and what came out, then
# exits 1; a test that cannot run here exits 77 (CTest SKIP_RETURN_CODE) with the reason.
# Expected numbers never come from clearcov: they come from GDAL's SQLite dialect (SpatiaLite),
# GeographicLib's Planimeter or hand algebra written next to them.

set -euo pipefail
# A failing command inside $(...) stops that substitution too (bash >= 4.4), so a helper that
# fails in `x=$(helper)` fails the assignment and the script.
shopt -s inherit_errexit

TEST_NAME=$(basename "$0" .sh)

if [[ $# -lt 2 ]]; then
    echo "usage: $0 CLEARCOV SOURCE_DIR" >&2
    exit 2
fi
CLEARCOV=$(realpath "$1")
SOURCE_DIR=$(realpath "$2")
DATA="$SOURCE_DIR/tests/data"
[[ -x $CLEARCOV ]] || { echo "$TEST_NAME: FAIL: $CLEARCOV is not an executable" >&2; exit 1; }
[[ -d $DATA ]] || { echo "$TEST_NAME: FAIL: no $DATA" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/clearcov-$TEST_NAME.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

# Messages from GDAL tools stay on their stderr; keep PROJ off the network like clearcov.
export PROJ_NETWORK=OFF

fail() {
    printf '%s: FAIL: %s\n' "$TEST_NAME" "$*" >&2
    exit 1
}

skip() {
    printf '%s: SKIP: %s\n' "$TEST_NAME" "$*"
    exit 77
}

# checked CMD...: run CMD (an assertion or a function of them) in a subshell with `set -e`
# honoured inside it (a subshell tested by `if` or `||` would run with errexit off, so a failing
# query or substitution would go unnoticed); a failure is counted in FAILURES and the script goes
# on, so that one failure does not hide the next. End the script with `end_checks`.
FAILURES=0
checked() {
    local rc
    set +e
    (
        set -e
        "$@"
    )
    rc=$?
    set -e
    if [[ $rc -ne 0 ]]; then
        FAILURES=$((FAILURES + 1))
        # Named here too: a command that failed under set -e may have printed nothing.
        local what="$*"
        printf '%s: FAIL: check exited %d: %s\n' "$TEST_NAME" "$rc" "${what:0:300}" >&2
    fi
    return 0
}

end_checks() {
    [[ $FAILURES -eq 0 ]] || fail "$FAILURES check(s) failed (see above)"
}

note() { printf '%s: %s\n' "$TEST_NAME" "$*"; }

# need TOOL...: the tools a test uses (scripts/test installs them all).
need() {
    local t
    for t in "$@"; do
        command -v "$t" >/dev/null 2>&1 ||
            fail "needs '$t' on PATH (scripts/test installs it with the other test tools)"
    done
}
need jq ogr2ogr ogrinfo awk

# ---- running clearcov ----

# cc ARGS...: run clearcov; sets RC and leaves stdout in $WORK/out and stderr in $WORK/err.
# Never aborts the script by itself.
LAST_CMD=""
RC=0
cc() {
    LAST_CMD="clearcov $*"
    set +e
    "$CLEARCOV" "$@" >"$WORK/out" 2>"$WORK/err"
    RC=$?
    set -e
}

# cc_limited KB ARGS...: cc under `ulimit -f KB` (1024-byte blocks). SIGXFSZ is ignored (an
# ignored signal stays ignored across exec) so that write() fails with EFBIG instead of killing
# clearcov. clearcov's stdout and stderr go through pipes, which the limit does not cover.
cc_limited() {
    local kb=$1
    shift
    LAST_CMD="(ulimit -f $kb; clearcov $*)"
    rm -f "$WORK/err.fifo"
    mkfifo "$WORK/err.fifo"
    cat "$WORK/err.fifo" >"$WORK/err" &
    local reader=$!
    set +e
    (
        trap '' XFSZ
        ulimit -f "$kb"
        exec "$CLEARCOV" "$@" 2>"$WORK/err.fifo"
    ) | cat >"$WORK/out"
    RC=${PIPESTATUS[0]}
    set -e
    wait "$reader"
    rm -f "$WORK/err.fifo"
}

show_last() {
    {
        echo "  command: $LAST_CMD"
        echo "  exit code: $RC"
        echo "  --- stdout (first 60 lines)"
        head -n 60 "$WORK/out" | sed 's/^/  | /'
        echo "  --- stderr"
        sed 's/^/  | /' "$WORK/err"
    } >&2
}

# expect_rc N WHAT: the last clearcov run exited with N.
expect_rc() {
    if [[ $RC -ne $1 ]]; then
        show_last
        fail "$2: exit code $RC, expected $1"
    fi
}

expect_ok() { expect_rc 0 "$1"; }

# expect_err_has TEXT WHAT / expect_out_has TEXT WHAT: fixed text in stderr / stdout.
expect_err_has() {
    if ! grep -qF -- "$1" "$WORK/err"; then
        show_last
        fail "$2: stderr does not contain '$1'"
    fi
}

expect_out_has() {
    if ! grep -qF -- "$1" "$WORK/out"; then
        show_last
        fail "$2: stdout does not contain '$1'"
    fi
}

# j FILTER: jq -r on the last run's stdout (which must be JSON).
j() {
    if ! jq -r "$1" "$WORK/out"; then
        show_last
        fail "stdout is not JSON or jq filter '$1' failed"
    fi
}

# save NAME: keep the last run's stdout as $WORK/NAME.json (or any name).
save() { cp "$WORK/out" "$WORK/$1"; }

# ---- assertions ----

assert_eq() {
    [[ "$1" == "$2" ]] || fail "$3: got '$1', expected '$2'"
}

# assert_close GOT WANT RELTOL WHAT: |got - want| <= reltol * |want| (and both are numbers).
# A want of 0 needs got within 1e-9 (JSON prints 6 decimals: 0.000000).
assert_close() {
    local got=$1 want=$2 tol=$3 what=$4
    awk -v g="$got" -v w="$want" -v t="$tol" 'BEGIN {
        if (g !~ /^-?[0-9.]+([eE][-+]?[0-9]+)?$/ || w !~ /^-?[0-9.]+([eE][-+]?[0-9]+)?$/) exit 2
        d = g - w; if (d < 0) d = -d
        a = w; if (a < 0) a = -a
        exit !(a == 0 ? d <= 1e-9 : d <= t * a)
    }' || fail "$what: got $got, expected $want (relative tolerance $tol, relative error $(
        awk -v g="$got" -v w="$want" 'BEGIN { d = g - w; if (d < 0) d = -d; if (w < 0) w = -w;
            if (w == 0) print "inf"; else printf "%.3g", d / w }' 2>/dev/null))"
}

# assert_differs GOT OTHER MINDIFF WHAT: |got - other| >= mindiff (a control that must differ).
assert_differs() {
    awk -v g="$1" -v o="$2" -v m="$3" 'BEGIN { d = g - o; if (d < 0) d = -d; exit !(d >= m) }' ||
        fail "$4: $1 and $2 differ by less than $3"
}

# ---- test data ----

# csv_layer CSV OUT SRS [ogr2ogr options...]: turn a committed CSV (geometry in a WKT column) into
# a vector file at test time; SRS "" leaves the layer without a CRS. The format follows OUT's
# extension unless -f is given.
csv_layer() {
    local csv=$1 out=$2 srs=$3
    shift 3
    local args=(-oo GEOM_POSSIBLE_NAMES=WKT -oo KEEP_GEOM_COLUMNS=NO)
    [[ -n $srs ]] && args+=(-a_srs "$srs")
    ogr2ogr "${args[@]}" "$@" "$out" "$csv" || fail "ogr2ogr could not make $out from $csv"
}

# sql SRC QUERY: run a SpatiaLite query through GDAL's SQLite dialect; prints one line per row,
# fields separated by tabs (numbers with 15 significant digits), for small result sets. Name every
# column with AS (the header line, dropped here, holds the names). Fails when ogr2ogr does (a
# query that does not prepare: missing table, column or function).
sql() {
    local out
    out=$(ogr2ogr -f CSV /vsistdout/ "$1" -dialect SQLite -sql "$2" -lco SEPARATOR=TAB \
        -lco STRING_QUOTING=IF_NEEDED) || fail "SpatiaLite query failed: $2"
    [[ -n $out ]] || fail "SpatiaLite query gave no header line: $2"
    tail -n +2 <<<"$out" | tr -d '\r'
}

# sql_one SRC QUERY: a query that must give exactly one row with one non-empty value (a count, a
# sum, a list): prints it; fails when the query errors, gives no row, several rows or NULL. Use
# it wherever an empty answer would otherwise read as "nothing wrong".
sql_one() {
    local rows
    rows=$(sql "$1" "$2")
    rows=${rows%$'\t'} # GDAL's CSV writer adds an empty last column to a result with no geometry
    [[ -n $rows && $rows != *$'\n'* ]] || fail "SpatiaLite query gave $(grep -c . <<<"$rows") rows, not one: $2"
    rows=${rows//\"/}
    [[ -n $rows ]] || fail "SpatiaLite query gave NULL or an empty value: $2"
    printf '%s\n' "$rows"
}

# sql_none SRC WHAT QUERY: QUERY lists offending rows (one text column named `bad`); fails with
# the first of them unless there are none. The count comes from a wrapper that always gives one
# row, so a query that errors or is empty for another reason cannot pass.
sql_none() {
    local src=$1 what=$2 query=$3 n
    n=$(sql_one "$src" "SELECT count(*) AS n FROM ($query)")
    [[ $n =~ ^[0-9]+$ ]] || fail "$what: the count query gave '$n'"
    if [[ $n -ne 0 ]]; then
        fail "$what: $n: $(sql "$src" "SELECT group_concat(bad, '; ') AS bad FROM (SELECT bad
            FROM ($query) LIMIT 10)" | cut -c1-400)"
    fi
}

# ---- geodesic reference areas with GeographicLib ----

# ring_areas GEOJSON KEYS PREFIX DIGITS: every ring of every feature of GEOJSON measured by
# Planimeter (geodesics on WGS84, -w: lon lat order, DIGITS decimals). KEYS is a jq expression on
# a feature giving its leading column(s), e.g. '.id'. Writes PREFIX.rings ("keys<TAB>sign": 1 for
# an exterior ring, -1 for a hole) and PREFIX.areas (Planimeter's "points perimeter area"), line
# for line; features without geometry have no ring.
ring_areas() {
    need Planimeter
    local geojson=$1 keys=$2 prefix=$3 digits=$4
    local polys='.geometry | select(. != null) |
        if .type == "Polygon" then [.coordinates] elif .type == "MultiPolygon" then .coordinates
        else error("unexpected geometry " + .type) end | .[]'
    jq -r ".features[] | ($keys) as \$k | $polys |
        to_entries[] | \"\(\$k)\t\(if .key == 0 then 1 else -1 end)\"" "$geojson" >"$prefix.rings"
    jq -r ".features[] | $polys | .[] | (.[:-1][] | \"\(.[0]) \(.[1])\"), \"\"" \
        "$geojson" >"$prefix.coords"
    Planimeter -w -p "$digits" <"$prefix.coords" >"$prefix.areas" || fail "Planimeter failed"
    [[ $(wc -l <"$prefix.rings") -eq $(wc -l <"$prefix.areas") ]] ||
        fail "Planimeter: $(wc -l <"$prefix.areas") areas for $(wc -l <"$prefix.rings") rings"
}

# geodesic_ha SRC QUERY: QUERY (SQLite dialect on SRC) returns a text column `key` and a
# polygonal geometry column in WGS84 lon/lat (ST_Transform(..., 4326)); prints "key<TAB>hectares"
# for each key, summing rows with the same key: exterior rings added and holes subtracted (see
# ring_areas); rows whose geometry is NULL count 0.
geodesic_ha() {
    local src=$1 query=$2
    # COORDINATE_PRECISION=15: the GeoJSON 2008 writer keeps all the digits (RFC 7946 would not).
    rm -f "$WORK/ref.geojson"
    # The rows without geometry are dropped first: GDAL takes the geometry column from the first
    # row, and a NULL there would leave every feature without geometry (an empty, passing sum).
    ogr2ogr -f GeoJSON "$WORK/ref.geojson" "$src" -dialect SQLite \
        -sql "SELECT * FROM ($query) WHERE geom IS NOT NULL" \
        -lco RFC7946=NO -lco COORDINATE_PRECISION=15 ||
        fail "SpatiaLite query failed: $query"
    ring_areas "$WORK/ref.geojson" .properties.key "$WORK/ref" 10
    [[ -s $WORK/ref.rings ]] || fail "SpatiaLite query gave no polygon: $query"
    paste "$WORK/ref.rings" "$WORK/ref.areas" | awk -F'\t' '{
        split($3, f, " "); a = f[3]; if (a < 0) a = -a
        sum[$1] += $2 * a
    } END { for (k in sum) printf "%s\t%.9f\n", k, sum[k] / 1e4 }' | sort
}

# lookup FILE KEY: the value for KEY in a "key<TAB>value" file, 0 when absent.
lookup() {
    awk -F'\t' -v k="$2" '$1 == k { v = $2; found = 1 } END { print found ? v : 0 }' "$1"
}
