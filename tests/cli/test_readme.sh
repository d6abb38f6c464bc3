#!/usr/bin/env bash
# The README's example outputs are what the program prints, so a README that drifts fails:
#   - "What the default run prints": the whole block against `clearcov report` (<checkout> is the
#     source directory);
#   - the validate paragraph of xinhua-xk-2023 against `clearcov validate --claims data/claims.csv`;
#   - the README's claim that auditing the bundled sample with --region-attr province flags all
#     thirteen checks with the default thresholds.
# The figures themselves are checked against independent references by the accuracy tests
# (cli_pipeline, cli_scale, ...); this test holds the documentation to the program.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh" "$@"
README=$SOURCE_DIR/README.md

# block_after HEADING_REGEX: the first fenced block after the first line matching the regex.
block_after() {
    awk -v rx="$1" '
        !seen && $0 ~ rx { seen = 1; next }
        seen && /^```/ { if (inside) exit; inside = 1; next }
        inside { print }' "$README"
}

# same_text WANT GOT WHAT: the two files are equal, else the diff.
same_text() {
    diff -u "$1" "$2" >"$WORK/diff" || fail "$3: the README differs from the output:
$(head -n 40 "$WORK/diff")"
}

# ---- the default run ----
block_after '^## What the default run prints' | sed "s|<checkout>|$SOURCE_DIR|g" >want.txt
[[ $(wc -l <want.txt) -ge 10 ]] || fail "README: no default-run block found"
cc report
expect_ok "default run"
same_text want.txt "$WORK/out" "default run"
[[ ! -s $WORK/err ]] || { show_last; fail "default run: nothing expected on stderr"; }
note "default run: $(wc -l <want.txt) lines as in the README"

# ---- validate: the paragraph of one claim ----
block_after 'a paragraph per claim: the statement' >want.txt
first=$(head -n 1 want.txt)
[[ $first == "xinhua-xk-2023 (line 3): "* ]] || fail "README: no xinhua-xk-2023 paragraph ($first)"
cc validate --claims "$SOURCE_DIR/data/claims.csv"
expect_rc 1 "validate the bundled claims (some are not supported)"
grep -F -x -A "$(($(wc -l <want.txt) - 1))" -- "$first" "$WORK/out" >got.txt ||
    fail "validate: no line '$first' in the output"
same_text want.txt got.txt "validate, xinhua-xk-2023 paragraph"
note "validate: the xinhua-xk-2023 paragraph as in the README"

# ---- audit of the bundled sample: all thirteen checks flag something ----
grep -q 'on the bundled sample flags\s*$\|all thirteen checks' "$README" ||
    fail "README no longer makes the thirteen-checks claim: update this test"
cc audit --region-attr province --format json
expect_rc 1 "audit of the bundled sample"
assert_eq "$(j '.checks | length')" 13 "audit: thirteen checks"
quiet=$(j '[.checks[] | select((.ran and .flagged > 0) | not) | .id] | join(",")')
assert_eq "$(j '[.checks[] | select(.ran and .flagged > 0)] | length')" 13 \
    "audit of the bundled sample: checks that ran and flagged something (not: ${quiet:-none})"
note "audit: all 13 checks flag records of the bundled sample"

note "ok"
