#!/usr/bin/env bash
# The installed tool and the Debian package (issue 15):
#   test_package.sh CLEARCOV SOURCE_DIR BUILD_DIR install
#       `cmake --install` into a temporary prefix, then the package built with CPack (DEB) and
#       unpacked with dpkg-deb -x into a temporary root: each installed binary, run from a folder
#       of its own, finds its data in ../share/clearcov and prints the build tree's report (table,
#       CSV, JSON) with the data folder's path as the only difference; the package holds the
#       binary, the manual page and the data, and depends on the GDAL, PROJ, GEOS, json-c and
#       libunistring libraries; its manual page renders with man -l without a warning and names
#       every option of --help.
#   test_package.sh CLEARCOV SOURCE_DIR BUILD_DIR dpkg
#       as root: dpkg -i of the package into the system, `clearcov report` from another folder
#       through PATH, `man clearcov`, then dpkg -r, which leaves no file behind.
# Exit 77 (skipped, with the reason) without dpkg-deb, or for the dpkg part when not root or when
# a clearcov package is installed already (the test never replaces someone's installation).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh" "$@"
[[ $# -eq 4 ]] || fail "usage: $0 CLEARCOV SOURCE_DIR BUILD_DIR install|dpkg"
BUILD_DIR=$(cd "$OLDPWD" && realpath "$3") # lib.sh has moved to $WORK
MODE=$4
CMAKE=${CMAKE:-cmake}
CPACK=${CPACK:-cpack}
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

# build_deb: the package built by CPack from BUILD_DIR into $WORK/pkg; prints its path.
build_deb() {
    "$CPACK" -G DEB --config "$BUILD_DIR/CPackConfig.cmake" -B "$WORK/pkg" >"$WORK/cpack.log" 2>&1 ||
        fail "cpack -G DEB failed: $(tail -n 20 "$WORK/cpack.log")"
    local debs=("$WORK"/pkg/clearcov_*.deb)
    [[ ${#debs[@]} -eq 1 && -f ${debs[0]} ]] || fail "cpack wrote no clearcov_*.deb in $WORK/pkg"
    echo "${debs[0]}"
}

# deb_contents DEB: its dependencies are the libraries clearcov links, and it holds the binary,
# the manual page and the data.
deb_contents() {
    local deb=$1 dep path
    local depends
    depends=$(dpkg-deb -f "$deb" Depends)
    for dep in libgdal32 libproj25 libgeos-c1v5 libjson-c5 libunistring2 libc6; do
        grep -q "\\b$dep\\b" <<<"$depends" || fail "package: Depends lacks $dep: $depends"
    done
    dpkg-deb -c "$deb" | awk '{ print $NF }' >"$WORK/files"
    for path in usr/bin/clearcov usr/share/man/man1/clearcov.1.gz usr/share/clearcov/README.md \
        usr/share/clearcov/provinces.shp usr/share/clearcov/cleared_sample.gpkg \
        usr/share/clearcov/claims.csv usr/share/doc/clearcov/LICENSE; do
        grep -q -x "\\./$path" "$WORK/files" || fail "package: no $path in $(basename "$deb")"
    done
    note "package $(basename "$deb"): Depends: $depends"
}

mode_install() {
    "$CMAKE" --install "$BUILD_DIR" --prefix "$WORK/prefix" >"$WORK/install.log" 2>&1 ||
        fail "cmake --install failed: $(tail -n 20 "$WORK/install.log")"
    same_reports "$WORK/prefix/bin/clearcov" "$WORK/prefix/share/clearcov" "cmake --install"
    man_renders "$WORK/prefix/share/man/man1/clearcov.1.gz" "cmake --install"
    command -v dpkg-deb >/dev/null || skip "no dpkg-deb: the Debian package is not built here" \
        "(cmake --install passed)"
    local deb
    deb=$(build_deb)
    deb_contents "$deb"
    dpkg-deb -x "$deb" "$WORK/root"
    same_reports "$WORK/root/usr/bin/clearcov" "$WORK/root/usr/share/clearcov" "dpkg-deb -x"
    man_renders "$WORK/root/usr/share/man/man1/clearcov.1.gz" "dpkg-deb -x"
}

# dpkg_locked CMD...: CMD, tried again for up to 2 minutes while another apt or dpkg holds the lock.
dpkg_locked() {
    local _
    for _ in $(seq 60); do
        "$@" >"$WORK/dpkg.log" 2>&1 && return 0
        grep -q 'lock' "$WORK/dpkg.log" || break
        sleep 2
    done
    fail "$* failed: $(tail -n 20 "$WORK/dpkg.log")"
}

mode_dpkg() {
    command -v dpkg >/dev/null || skip "no dpkg: the package cannot be installed here"
    [[ $(id -u) -eq 0 ]] || skip "not root: dpkg -i of the package needs root (as does dpkg -r)"
    if dpkg-query -W -f='${Status}' clearcov 2>/dev/null | grep -q 'installed'; then
        skip "a clearcov package is installed already; this test does not replace it"
    fi
    local deb
    deb=$(build_deb)
    trap 'dpkg -r clearcov >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
    dpkg_locked dpkg -i "$deb"
    [[ $(cd "$WORK/elsewhere" && command -v clearcov) == /usr/bin/clearcov ]] ||
        fail "dpkg -i: clearcov on PATH is not /usr/bin/clearcov"
    same_reports /usr/bin/clearcov /usr/share/clearcov "dpkg -i"
    # Minimal images tell dpkg not to install manual pages (path-exclude in /etc/dpkg/dpkg.cfg.d).
    if grep -qs '^path-exclude=/usr/share/man' /etc/dpkg/dpkg.cfg.d/*; then
        note "dpkg -i: manual pages are excluded by /etc/dpkg/dpkg.cfg.d here: man not checked"
    else
        [[ $(man -w clearcov) == /usr/share/man/man1/clearcov.1.gz ]] ||
            fail "dpkg -i: man -w clearcov: $(man -w clearcov 2>&1)"
        man_renders /usr/share/man/man1/clearcov.1.gz "dpkg -i"
    fi
    dpkg_locked dpkg -r clearcov
    [[ ! -e /usr/bin/clearcov && ! -e /usr/share/clearcov ]] ||
        fail "dpkg -r left /usr/bin/clearcov or /usr/share/clearcov behind"
    note "dpkg -r: /usr/bin/clearcov and /usr/share/clearcov removed"
}

case $MODE in
install) mode_install ;;
dpkg) mode_dpkg ;;
*) fail "unknown mode $MODE (install or dpkg)" ;;
esac
