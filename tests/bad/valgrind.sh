#!/usr/bin/env bash
# The issue 10 cases of the hostile-input corpus (ids D, W, P, M) run under valgrind: the corpus
# runs this script as its clearcov, which runs the real one under valgrind. An invalid read or
# write, a use of uninitialised memory, or a definitely or possibly lost block makes valgrind
# print '==PID==' lines on stderr and exit 99, which fail the case (stderr lines must all be
# 'clearcov: ...'; exit codes must be 0-5).
#
#   bash tests/bad/valgrind.sh CLEARCOV SOURCE_DIR
#
# Left out, for time only (10^4 to 10^6 items, minutes under valgrind; ASan runs them): M08 (22,501
# regions), W14 (20,000 claims), M19 (JSON nested 10^5 deep).
set -euo pipefail
if [[ -z ${CCOV_REAL:-} ]]; then
    [[ $# -eq 2 ]] || { echo "usage: $0 CLEARCOV SOURCE_DIR" >&2; exit 2; }
    command -v valgrind >/dev/null || { echo "SKIP: valgrind is not installed"; exit 77; }
    CCOV_REAL=$(realpath "$1")
    export CCOV_REAL
    exec bash "$(dirname "$0")/run.sh" "$0" "$2" '^(D[0-9]+|W(0[0-9]|1[0-35-9])|P[0-9]+|M(0[0-79]|1[0-8]))$'
fi
# shellcheck disable=SC2054 # the commas belong to valgrind's options
exec valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,possible \
    --show-leak-kinds=definite,possible --num-callers=30 --quiet "$CCOV_REAL" "$@"
