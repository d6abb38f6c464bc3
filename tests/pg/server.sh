# shellcheck shell=bash
# A throw-away PostgreSQL 15 + PostGIS 3 server for the PostGIS tests, sourced by tests/pg/*.sh:
#
#   pg_start     initdb a data directory under a fresh temporary folder, start the server on a
#                free loopback port (TCP only, password authentication), create the database
#                `clearcov` with the postgis extension; exports PGHOST PGPORT PGUSER PGDATABASE
#                and sets PG_PASSWORD (a random password, never exported: libpq would use
#                $PGPASSWORD for a connection string without one) and PG_CONN, a GDAL
#                connection string with it.
#   pg_stop      stop the server (immediate shutdown) and remove the folder; safe to call twice.
#   pg_psql SQL  run SQL on the test database (ON_ERROR_STOP), unaligned output without headers.
#   pg_as_client CMD...  CMD with PGPASSWORD set (psql, ogr2ogr without a PG: string).
#
# Run as root, the server runs as an unprivileged user (`nobody`, or $PG_TEST_USER), which owns
# the data directory: PostgreSQL refuses to run as root. The caller must install a trap that calls
# pg_stop on EXIT INT TERM (tests/pg/test_postgis.sh does), so that a failure or an interruption
# leaves no server and no folder behind. A test killed outright (SIGKILL, as CTest does on a
# timeout) runs no trap: a watchdog detached from it (pg_watchdog) then stops the server and
# removes the folder within seconds. Where the Debian packages postgresql-15 and
# postgresql-15-postgis-3 (or GDAL's PostgreSQL driver) are missing, pg_require exits 77 with the
# reason: CTest counts the test as skipped.

PG_BIN=/usr/lib/postgresql/15/bin
PG_EXT=/usr/share/postgresql/15/extension/postgis.control
PG_DIR=
PG_RUN_AS=

pg_require() {
    [[ -x $PG_BIN/initdb && -x $PG_BIN/pg_ctl ]] ||
        skip "PostgreSQL 15 is not installed ($PG_BIN/initdb missing): apt-get install postgresql-15"
    [[ -f $PG_EXT ]] ||
        skip "PostGIS 3 is not installed ($PG_EXT missing): apt-get install postgresql-15-postgis-3"
    command -v psql >/dev/null || skip "psql is not installed (postgresql-client-15)"
    ogrinfo --formats 2>/dev/null | grep -q '^ *PostgreSQL' ||
        skip "GDAL has no PostgreSQL driver here"
}

# pg_as CMD...: CMD as the server's user (as is when not root), from the server's folder.
pg_as() {
    if [[ -n $PG_RUN_AS ]]; then
        (cd "$PG_DIR" && runuser -u "$PG_RUN_AS" -- "$@")
    else
        (cd "$PG_DIR" && "$@")
    fi
}

# A TCP port nothing listens on at 127.0.0.1 (the server's own bind settles any race: pg_start
# tries again with another port when it cannot bind).
pg_free_port() {
    local port
    for _ in $(seq 1 200); do
        port=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    return 1
}

pg_start() {
    pg_require
    PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/clearcov-pg.XXXXXX")
    chmod 755 "$PG_DIR"
    if [[ $(id -u) -eq 0 ]]; then
        PG_RUN_AS=${PG_TEST_USER:-nobody}
        chown "$PG_RUN_AS" "$PG_DIR"
    fi
    export PGUSER=clearcov PGDATABASE=clearcov PGHOST=127.0.0.1 PGPASSFILE=/dev/null
    unset PGPASSWORD PGSERVICE
    PG_PASSWORD="pw-$RANDOM$RANDOM-secret"
    printf '%s\n' "$PG_PASSWORD" >"$PG_DIR/pwfile"
    [[ -z $PG_RUN_AS ]] || chown "$PG_RUN_AS" "$PG_DIR/pwfile"
    pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U "$PGUSER" --pwfile="$PG_DIR/pwfile" \
        --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 ||
        fail "initdb failed: $(tail -3 "$PG_DIR/initdb.log")"
    pg_watchdog
    rm -f "$PG_DIR/pwfile"
    local tries
    for tries in 1 2 3 4 5; do
        PGPORT=$(pg_free_port) || fail "no free TCP port on 127.0.0.1"
        export PGPORT
        if pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
            -o "-c listen_addresses=127.0.0.1 -c port=$PGPORT -c unix_socket_directories='' \
                -c fsync=off -c log_statement=all" start >/dev/null 2>&1; then
            break
        fi
        grep -q 'could not bind' "$PG_DIR/server.log" 2>/dev/null && [[ $tries -lt 5 ]] ||
            fail "the PostgreSQL server did not start: $(tail -3 "$PG_DIR/server.log")"
    done
    PGDATABASE=postgres pg_as_client psql -qX -v ON_ERROR_STOP=1 -c 'CREATE DATABASE clearcov' >/dev/null ||
        fail "cannot create the test database"
    pg_psql 'CREATE EXTENSION postgis' >/dev/null || fail "cannot create the postgis extension"
    PG_CONN="PG:host=$PGHOST port=$PGPORT dbname=$PGDATABASE user=$PGUSER password=$PG_PASSWORD"
    note "PostgreSQL $(pg_psql 'SHOW server_version'), PostGIS $(pg_psql \
        'SELECT postgis_lib_version()') on 127.0.0.1:$PGPORT${PG_RUN_AS:+ as $PG_RUN_AS}"
}

# pg_watchdog: a process outside the test's process tree (CTest kills that tree) that waits for
# the test's shell to end, then stops the server and removes its folder if they are still there.
pg_watchdog() {
    local as=()
    [[ -z $PG_RUN_AS ]] || as=(runuser -u "$PG_RUN_AS" --)
    (
        setsid bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 1; done
            shift
            dir=$1
            shift
            if [[ -f $dir/data/postmaster.pid ]]; then
                cd "$dir" && "$@" "'"$PG_BIN"'/pg_ctl" -D "$dir/data" -m immediate -w stop
            fi
            cd / && rm -rf "$dir"' watchdog "$$" "$PG_DIR" "${as[@]}" \
            </dev/null >/dev/null 2>&1 &
    )
}

pg_stop() {
    [[ -n $PG_DIR ]] || return 0
    if [[ -f $PG_DIR/data/postmaster.pid ]]; then
        pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$PG_DIR"
    PG_DIR=
}

pg_as_client() {
    PGPASSWORD=$PG_PASSWORD "$@"
}

pg_psql() {
    PGOPTIONS='-c client_min_messages=warning' pg_as_client psql -qXAt -v ON_ERROR_STOP=1 -c "$1"
}
