#!/usr/bin/env bash
# PostGIS in and out, against a real PostgreSQL 15 + PostGIS 3 server that this test starts on a
# free loopback port in a temporary folder and removes at the end (tests/pg/server.sh). Skipped
# (exit 77, with the reason) where the Debian packages postgresql-15 and postgresql-15-postgis-3
# are not installed.
PG_TESTS=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../cli/lib.sh
source "$PG_TESTS/../cli/lib.sh" "$@"
# shellcheck source=server.sh
source "$PG_TESTS/server.sh"

pg_require
trap 'pg_stop; rm -rf "$WORK"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
pg_start

assert_eq "$(pg_psql "SELECT ST_AsText(ST_Point(1, 2))")" "POINT(1 2)" "PostGIS answers"

end_checks
