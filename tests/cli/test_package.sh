#!/usr/bin/env bash
# The installed tool (issue 15):
#   test_package.sh CLEARCOV SOURCE_DIR BUILD_DIR install
#       `cmake --install` into a temporary prefix: the installed binary, run from a folder of its
#       own, finds its data in ../share/clearcov and prints the build tree's report (table, CSV,
#       JSON) with the data folder's path as the only difference; its manual page renders with
#       man -l without a warning and names every option of --help.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh" "$@"
[[ $# -eq 4 ]] || fail "usage: $0 CLEARCOV SOURCE_DIR BUILD_DIR install"
BUILD_DIR=$(cd "$OLDPWD" && realpath "$3") # lib.sh has moved to $WORK
MODE=$4
CMAKE=${CMAKE:-cmake}
mkdir "$WORK/elsewhere"

# report_in FORMAT BIN DATA OUT: BIN report --format FORMAT run in the folder `elsewhere`, the
# data folder DATA written as the source tree's; stdout and stderr into OUT and OUT.err.
report_in() {
    local fmt=$1 bin=$2 data=$3 out=$4 rc=0
    (cd "$WORK/elsewhere" && "$bin" report --format "$fmt" >"$out.raw" 2>"$out.err.raw") || rc=$?
    [[ $rc -eq 0 ]] || fail "$bin report --format $fmt: exit code $rc: $(cat "$out.err.raw")"
    sed "s|$data/|$SOURCE_DIR/data/|g" "$out.raw" >"$out"
    sed "s|$data/|$SOURCE_DIR/data/|g" "$out.err.raw" >"$out.err"
}

# same_reports BIN DATA WHAT: BIN's reports equal the build tree's, byte for byte once DATA is
# written as the source tree's data folder.
same_reports() {
    local bin=$1 data=$2 what=$3 fmt
    for fmt in table csv json; do
        [[ -s $WORK/want.$fmt ]] || report_in "$fmt" "$CLEARCOV" "$SOURCE_DIR/data" "$WORK/want.$fmt"
        report_in "$fmt" "$bin" "$data" "$WORK/got.$fmt"
        diff -u "$WORK/want.$fmt" "$WORK/got.$fmt" >"$WORK/diff" ||
            fail "$what: report --format $fmt differs from the build tree's: $(head -n 30 "$WORK/diff")"
        diff -u "$WORK/want.$fmt.err" "$WORK/got.$fmt.err" >"$WORK/diff" ||
            fail "$what: report --format $fmt: stderr differs: $(head -n 30 "$WORK/diff")"
        grep -q "$data/provinces.shp" "$WORK/got.$fmt.raw" "$WORK/got.$fmt.err.raw" ||
            [[ $fmt == csv ]] || fail "$what: report --format $fmt does not name $data/provinces.shp"
    done
    grep -q '^Xieng Khouang  *LA-XI ' "$WORK/got.table" || fail "$what: no Xieng Khouang row"
    note "$what: report (table, csv, json) as the build tree's, data in $data"
}

# man_renders PAGE WHAT: man -l renders PAGE with no groff warning, as clearcov(1), naming every
# long option of --help.
man_renders() {
    local page=$1 what=$2 opt
    MANWIDTH=100 man --warnings -E UTF-8 -l "$page" >"$WORK/man.txt" 2>"$WORK/man.err" ||
        fail "$what: man -l $page failed: $(cat "$WORK/man.err")"
    [[ ! -s $WORK/man.err ]] || fail "$what: man -l $page warns: $(head -n 5 "$WORK/man.err")"
    grep -q '^CLEARCOV(1) ' "$WORK/man.txt" || fail "$what: no CLEARCOV(1) header in man -l $page"
    for opt in $("$CLEARCOV" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
        grep -q -- "$opt" "$WORK/man.txt" || fail "$what: $opt of --help is not in the manual page"
    done
    note "$what: man -l renders clearcov(1) ($(wc -l <"$WORK/man.txt") lines, every option)"
}

mode_install() {
    "$CMAKE" --install "$BUILD_DIR" --prefix "$WORK/prefix" >"$WORK/install.log" 2>&1 ||
        fail "cmake --install failed: $(tail -n 20 "$WORK/install.log")"
    same_reports "$WORK/prefix/bin/clearcov" "$WORK/prefix/share/clearcov" "cmake --install"
    man_renders "$WORK/prefix/share/man/man1/clearcov.1.gz" "cmake --install"
}

case $MODE in
install) mode_install ;;
*) fail "unknown mode $MODE (install)" ;;
esac
