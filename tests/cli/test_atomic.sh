#!/usr/bin/env bash
# Atomic writes and no clobbering, for every output clearcov writes: `report --out DIR` (GeoJSON
# and GeoPackage), `report --output FILE` and `map -o FILE.svg`.
#   1. An existing output is refused without --overwrite: exit 3, a message naming the file and
#      --overwrite, the file byte-identical, nothing else written (refused before any work, so
#      no report on stdout either). With --overwrite it is replaced by a complete output.
#   2. A folder that cannot be written (chmod 0555, the command run as `nobody` with setpriv when
#      the test runs as root, who ignores permissions; else a path under /proc): exit 3, a message
#      naming the path, nothing left in the folder.
#   3. A device that is full: `--output FULL --overwrite` and `map -o FULL --overwrite`, FULL
#      being /dev/full or, as root, a copy of it made with mknod in the test folder (clearcov must
#      never be pointed at the real /dev/full as root: replacing the target by rename() would
#      replace the device node). Exit 3, the device still a character device, no file left.
#   4. A write that fails midway: a file-size limit (`ulimit -f`, SIGXFSZ ignored so that write()
#      fails with EFBIG) smaller than the output. Exit 3, no partial or temporary file left, and
#      with --overwrite the previous complete outputs byte-identical.
# After every run the folder holds exactly the files expected: no `.clearcov-*` temporaries.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh" "$@"
need cmp xmllint stat

check() { checked "$@"; }

csv_layer "$DATA/layers_regions.csv" regions.gpkg EPSG:32648 -nln regions -nlt POLYGON
csv_layer "$DATA/layers_cleared.csv" cleared.gpkg EPSG:32648 -nln cleared -nlt MULTIPOLYGON
IN=(--regions "$WORK/regions.gpkg" --cleared "$WORK/cleared.gpkg" -q)

# listing DIR: the names in DIR, hidden ones included, one line.
listing() { (cd "$1" && find . -mindepth 1 -maxdepth 1 -printf '%f\n' | LC_ALL=C sort | tr '\n' ' '); }

# expect_listing DIR WANT WHAT: exactly these files (temporaries would show up here).
expect_listing() {
    local got
    got=$(listing "$1")
    [[ $got == "$2" ]] || { show_last; fail "$3: $1 holds '$got', expected '$2'"; }
}

# expect_refused PATH WHAT: exit 3, a message naming PATH and --overwrite, no report on stdout.
expect_refused() {
    expect_rc 3 "$2"
    expect_err_has "$1" "$2: the message names the file"
    expect_err_has "--overwrite" "$2: the message names --overwrite"
    [[ ! -s $WORK/out ]] || { show_last; fail "$2: printed a report although refused before any work"; }
}

# placeholder FILE: a small file whose bytes must survive; a copy is kept as FILE.orig elsewhere.
placeholder() {
    printf 'placeholder for %s, not clearcov output\n' "${1##*/}" >"$1"
    cp "$1" "$WORK/orig.${1//\//_}"
}
unchanged() {
    cmp -s "$1" "$WORK/orig.${1//\//_}" || fail "$2: $1 was modified"
}

# ---- 1. no clobbering; --overwrite replaces ----

# report --out DIR (GeoJSON): one existing layer file blocks the whole run.
mkdir gj && placeholder gj/tasks.geojson
cc report "${IN[@]}" --out gj
check expect_refused gj/tasks.geojson "report --out gj with gj/tasks.geojson present"
check unchanged gj/tasks.geojson "report --out gj (refused)"
check expect_listing gj "tasks.geojson " "report --out gj (refused)"
cc report "${IN[@]}" --out gj --overwrite
check expect_ok "report --out gj --overwrite"
check expect_listing gj "clearcov.qgs coverage.geojson coverage.qml outside.geojson outside.qml \
overlaps.geojson overlaps.qml regions.geojson regions.qml tasks.geojson tasks.qml " \
    "report --out gj --overwrite"
check assert_eq "$(jq -r '"\(.type) \(.name) \(.features | length)"' gj/tasks.geojson)" \
    "FeatureCollection tasks 11" "gj/tasks.geojson replaced by the tasks layer"

# The QGIS project and a layer's .qml style block the run the same way.
for side in clearcov.qgs regions.qml; do
    mkdir "q_$side" && placeholder "q_$side/$side"
    cc report "${IN[@]}" --out "q_$side"
    check expect_refused "q_$side/$side" "report --out q_$side with q_$side/$side present"
    check unchanged "q_$side/$side" "report --out q_$side (refused)"
    check expect_listing "q_$side" "$side " "report --out q_$side (refused)"
done

# report --out DIR --out-format gpkg.
mkdir gp && placeholder gp/clearcov.gpkg
cc report "${IN[@]}" --out gp --out-format gpkg
check expect_refused gp/clearcov.gpkg "report --out gp --out-format gpkg with gp/clearcov.gpkg present"
check unchanged gp/clearcov.gpkg "report --out gp --out-format gpkg (refused)"
check expect_listing gp "clearcov.gpkg " "report --out gp --out-format gpkg (refused)"
cc report "${IN[@]}" --out gp --out-format gpkg --overwrite
check expect_ok "report --out gp --out-format gpkg --overwrite"
check expect_listing gp "clearcov.gpkg clearcov.qgs " "report --out gp --out-format gpkg --overwrite"
check assert_eq "$(ogrinfo -q gp/clearcov.gpkg 2>/dev/null | sed -n 's/^[0-9]*: \([a-z_]*\).*/\1/p' |
    sort | tr '\n' ' ')" "coverage layer_styles outside overlaps regions tasks " \
    "gp/clearcov.gpkg replaced by the layers"

# report --output FILE.
mkdir txt && placeholder txt/report.json
cc report "${IN[@]}" --format json --output txt/report.json
check expect_refused txt/report.json "report --output txt/report.json present"
check unchanged txt/report.json "report --output (refused)"
check expect_listing txt "report.json " "report --output (refused)"
cc report "${IN[@]}" --format json --output txt/report.json --overwrite
check expect_ok "report --output txt/report.json --overwrite"
check assert_eq "$(jq -r '.regions | length' txt/report.json 2>/dev/null)" 2 \
    "txt/report.json replaced by the JSON report"
check expect_listing txt "report.json " "report --output --overwrite"

# map -o FILE.svg.
mkdir svg && placeholder svg/map.svg
cc map "${IN[@]}" -o svg/map.svg
check expect_refused svg/map.svg "map -o svg/map.svg present"
check unchanged svg/map.svg "map -o (refused)"
check expect_listing svg "map.svg " "map -o (refused)"
cc map "${IN[@]}" -o svg/map.svg --overwrite
check expect_ok "map -o svg/map.svg --overwrite"
check assert_eq "$(xmllint --xpath 'name(/*)' svg/map.svg 2>/dev/null)" svg "svg/map.svg replaced by the map"
check expect_listing svg "map.svg " "map -o --overwrite"
# --out naming a file that is not a folder.
placeholder notdir
cc report "${IN[@]}" --out notdir --overwrite
check expect_rc 3 "report --out notdir (a file)"
check expect_err_has notdir "report --out notdir (a file): the message names it"
check unchanged notdir "report --out notdir (a file)"
note "1. existing outputs refused without --overwrite and replaced with it"

# ---- 2. a folder that cannot be written ----

# as_user CMD...: how to run clearcov so that permissions bind (empty when they already do).
AS=()
RO_MODE="chmod"
if [[ $(id -u) -eq 0 ]]; then
    if command -v setpriv >/dev/null && getent passwd nobody >/dev/null &&
        getent group nogroup >/dev/null; then
        AS=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
        chmod 0711 "$WORK" # nobody must reach the inputs; the outputs go to ro/
        chmod 0644 regions.gpkg cleared.gpkg
    else
        RO_MODE=proc
    fi
fi

# cc_as ARGS...: cc, run as AS.
cc_as() {
    LAST_CMD="${AS[*]} clearcov $*"
    set +e
    "${AS[@]}" "$CLEARCOV" "$@" >"$WORK/out" 2>"$WORK/err"
    RC=$?
    set -e
}

# expect_unwritable PATH WHAT: exit 3 and a message naming PATH.
expect_unwritable() {
    expect_rc 3 "$2"
    expect_err_has "$1" "$2: the message names the path"
}

if [[ $RO_MODE == chmod ]]; then
    mkdir ro && chmod 0555 ro
    note "2. read-only folder: chmod 0555${AS:+, commands run as nobody (setpriv)}"
    cc_as report "${IN[@]}" --out ro
    check expect_unwritable ro/ "report --out ro (read-only)"
    check expect_listing ro "" "report --out ro (read-only)"
    cc_as report "${IN[@]}" --out ro --out-format gpkg
    check expect_unwritable ro/clearcov.gpkg "report --out ro --out-format gpkg (read-only)"
    check expect_listing ro "" "report --out ro --out-format gpkg (read-only)"
    cc_as report "${IN[@]}" --out ro/layers
    check expect_unwritable ro/layers "report --out ro/layers (folder to create in a read-only one)"
    check expect_listing ro "" "report --out ro/layers"
    cc_as report "${IN[@]}" --output ro/report.txt
    check expect_unwritable ro/report.txt "report --output ro/report.txt (read-only)"
    check expect_listing ro "" "report --output ro/report.txt"
    cc_as map "${IN[@]}" -o ro/map.svg
    check expect_unwritable ro/map.svg "map -o ro/map.svg (read-only)"
    check expect_listing ro "" "map -o ro/map.svg"
    chmod 0755 ro
else
    # Root without setpriv: /proc takes no new files, even from root.
    note "2. no setpriv to drop root: using paths under /proc instead of a read-only folder"
    cc report "${IN[@]}" --out /proc/clearcov-test
    check expect_unwritable /proc/clearcov-test "report --out /proc/clearcov-test"
    cc report "${IN[@]}" --out /proc/clearcov-test --out-format gpkg
    check expect_unwritable /proc/clearcov-test "report --out /proc/clearcov-test --out-format gpkg"
    cc report "${IN[@]}" --output /proc/clearcov-report.txt
    check expect_unwritable /proc/clearcov-report.txt "report --output /proc/clearcov-report.txt"
    cc map "${IN[@]}" -o /proc/clearcov-map.svg
    check expect_unwritable /proc/clearcov-map.svg "map -o /proc/clearcov-map.svg"
fi

# ---- 3. a full device ----

FULL=""
SKIPPED=""
if [[ $(id -u) -eq 0 ]]; then
    mkdir dev
    if mknod dev/full c 1 7 2>/dev/null; then
        FULL=dev/full
    else
        SKIPPED="the full-device case: cannot mknod a copy of /dev/full, and root must not point clearcov at the real one"
        note "3. SKIP $SKIPPED"
    fi
else
    FULL=/dev/full
fi
if [[ -n $FULL ]]; then
    note "3. full device: $FULL ($(stat -c '%F %t,%T' "$FULL"))"
    full_ok() { # WHAT: still the device, nothing else in its folder
        [[ $(stat -c %F "$FULL") == "character special file" ]] ||
            fail "$1: $FULL is now a $(stat -c %F "$FULL"): the device was replaced"
        [[ $FULL != dev/full ]] || expect_listing dev "full " "$1"
    }
    cc report "${IN[@]}" --output "$FULL" --overwrite
    check expect_unwritable "$FULL" "report --output $FULL --overwrite"
    check full_ok "report --output $FULL --overwrite"
    [[ $FULL != dev/full ]] || { rm -f dev/full && mknod dev/full c 1 7; }
    cc map "${IN[@]}" -o "$FULL" --overwrite
    check expect_unwritable "$FULL" "map -o $FULL --overwrite"
    check full_ok "map -o $FULL --overwrite"
fi

# ---- 4. a write that fails midway (file-size limit) ----

# expect_failed WHAT: exit 3 (input or output).
expect_failed() { expect_rc 3 "$1"; }

# The bundled data: outputs of 100 KB to 1.5 MB.
mkdir lim_gj lim_gp lim_txt lim_svg
cc_limited 100 report -q --out lim_gj
check expect_failed "report --out lim_gj under a 100 KB file-size limit"
check expect_listing lim_gj "" "report --out lim_gj (failed midway)"
cc_limited 500 report -q --out lim_gp --out-format gpkg
check expect_failed "report --out lim_gp --out-format gpkg under a 500 KB file-size limit"
check expect_listing lim_gp "" "report --out lim_gp --out-format gpkg (failed midway)"
cc_limited 4 report -q --format json --output lim_txt/report.json
check expect_failed "report --format json --output (about 10 KB) under a 4 KB limit"
check expect_listing lim_txt "" "report --output (failed midway)"
cc_limited 4 map -q -o lim_svg/map.svg
check expect_failed "map -o under a 4 KB limit"
check expect_listing lim_svg "" "map -o (failed midway)"

# With --overwrite, a failed run leaves the previous complete outputs as they were. (Start afresh:
# a faulty run above may have left files.)
rm -rf lim_gj lim_gp lim_txt lim_svg && mkdir lim_gj lim_gp lim_txt lim_svg
cc report -q --out lim_gj
expect_ok "report --out lim_gj (complete)"
cc report -q --out lim_gp --out-format gpkg
expect_ok "report --out lim_gp --out-format gpkg (complete)"
cc report -q --format json --output lim_txt/report.json
expect_ok "report --output lim_txt/report.json (complete)"
cc map -q -o lim_svg/map.svg
expect_ok "map -o lim_svg/map.svg (complete)"
for d in lim_gj lim_gp lim_txt lim_svg; do # one folder each: both report folders hold clearcov.qgs
    mkdir -p "before/$d" && cp -p "$d"/* "before/$d/"
done
same_as_before() { # DIR WHAT
    local f
    for f in "$1"/*; do
        cmp -s "$f" "before/$1/${f##*/}" ||
            fail "$2: $f changed ($(stat -c %s "$f") bytes, was $(stat -c %s "before/$1/${f##*/}"))"
    done
}
cc_limited 100 report -q --out lim_gj --overwrite
check expect_failed "report --out lim_gj --overwrite under a 100 KB limit"
check expect_listing lim_gj "clearcov.qgs coverage.geojson coverage.qml outside.geojson outside.qml \
overlaps.geojson overlaps.qml regions.geojson regions.qml tasks.geojson tasks.qml " \
    "report --out lim_gj --overwrite (failed midway)"
check same_as_before lim_gj "report --out lim_gj --overwrite (failed midway)"
cc_limited 500 report -q --out lim_gp --out-format gpkg --overwrite
check expect_failed "report --out lim_gp --out-format gpkg --overwrite under a 500 KB limit"
check expect_listing lim_gp "clearcov.gpkg clearcov.qgs " \
    "report --out lim_gp --out-format gpkg --overwrite (failed midway)"
check same_as_before lim_gp "report --out lim_gp --out-format gpkg --overwrite (failed midway)"
cc_limited 4 report -q --format json --output lim_txt/report.json --overwrite
check expect_failed "report --output lim_txt/report.json --overwrite under a 4 KB limit"
check expect_listing lim_txt "report.json " "report --output --overwrite (failed midway)"
check same_as_before lim_txt "report --output --overwrite (failed midway)"
cc_limited 4 map -q -o lim_svg/map.svg --overwrite
check expect_failed "map -o lim_svg/map.svg --overwrite under a 4 KB limit"
check expect_listing lim_svg "map.svg " "map -o --overwrite (failed midway)"
check same_as_before lim_svg "map -o --overwrite (failed midway)"
note "4. writes failing midway (ulimit -f)"

end_checks
[[ -z $SKIPPED ]] || skip "$SKIPPED"
note "ok"
