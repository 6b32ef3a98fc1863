#!/usr/bin/env bash
# A local PostgreSQL for development and the PostgreSQL test suite: Debian's server binaries, a
# data directory under var/pg, TCP on 127.0.0.1 only (no Unix socket, so the path length of the
# checkout never matters), trust authentication for loopback, a superuser and database `quanzi`.
#
# Usage: scripts/pg.sh up|down|url          (PG_PORT, default 54329; PG_DATA, default var/pg/data)
#   up    initdb on first use, start if not running (a no-op when running); prints the URL.
#         As root in a checkout the postgres user cannot reach, the data lives under postgres'
#         home instead (printed on stderr)
#   down  stop it (fast shutdown: open sessions are rolled back); a no-op when stopped
#   url   print the URL
#
# PostgreSQL refuses to run as root. As root, the data directory is owned by, and the server
# runs as, the `postgres` system user (created by the Debian package); otherwise as the caller.
set -euo pipefail

PORT=${PG_PORT:-54329}
DATA=${PG_DATA:-var/pg/data}
USER_NAME=quanzi
DATABASE=quanzi
# First start of a fresh cluster (crash recovery included) on a slow CI disk.
START_TIMEOUT_SECONDS=60
URL="postgres://$USER_NAME@127.0.0.1:$PORT/$DATABASE"

fail() {
    echo "pg: $*" >&2
    exit 1
}

# The newest installed server (Debian installs each major version under /usr/lib/postgresql/N).
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
[ -n "$bindir" ] && [ -x "$bindir/initdb" ] || fail "no PostgreSQL server found under /usr/lib/postgresql (run make pg-deps)"

mkdir -p "$(dirname "$DATA")"
DATA=$(cd "$(dirname "$DATA")" && pwd)/$(basename "$DATA")
# As root the server runs as `postgres`, which cannot reach a checkout inside a folder only root
# may enter (a clone under /root, mode 700). Then the default data directory moves to postgres'
# own home, one per checkout (named by a hash of its path), and this says where.
if [ "$(id -u)" = 0 ] && [ -z "${PG_DATA:-}" ] && getent passwd postgres >/dev/null \
    && ! runuser -u postgres -- test -x "$(dirname "$DATA")" 2>/dev/null; then
    checkout=$(dirname "$(dirname "$(dirname "$DATA")")")
    home=$(getent passwd postgres | cut -d: -f6)
    DATA="$home/quanzi-$(printf '%s' "$checkout" | sha256sum | cut -c1-12)/data"
    install -d -o postgres -g postgres -m 700 "$(dirname "$DATA")"
    echo "pg: user postgres cannot reach $checkout; its data is in $DATA" >&2
fi
LOG="$(dirname "$DATA")/postgres.log"

# Runs a server binary as the user the cluster belongs to.
as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

is_running() { [ -f "$DATA/PG_VERSION" ] && as_owner "$bindir/pg_ctl" status -D "$DATA" >/dev/null 2>&1; }

init_cluster() {
    if [ "$(id -u)" = 0 ]; then
        getent passwd postgres >/dev/null || fail "running as root needs the 'postgres' system user (apt-get install postgresql creates it)"
        install -d -o postgres -g postgres -m 700 "$DATA"
        touch "$LOG" && chown postgres:postgres "$LOG"
        # The server must reach its data directory through every parent.
        runuser -u postgres -- test -x "$DATA" || fail "user postgres cannot reach $DATA; set PG_DATA to a directory it can"
    else
        install -d -m 700 "$DATA"
    fi
    as_owner "$bindir/initdb" -D "$DATA" --username="$USER_NAME" --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    # Loopback TCP only; no Unix socket (its path would live under the data directory's parent).
    cat >>"$DATA/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = ''
max_connections = 200
EOF
}

up() {
    if is_running; then
        echo "$URL"
        return
    fi
    [ -f "$DATA/PG_VERSION" ] || init_cluster
    # Per-statement counts for scripts/pg_bench.sh's capacity model (queries and rows per request);
    # added at start to clusters made before it was.
    grep -q "^shared_preload_libraries = 'pg_stat_statements'" "$DATA/postgresql.conf" 2>/dev/null \
        || as_owner sh -c "echo \"shared_preload_libraries = 'pg_stat_statements'\" >>'$DATA/postgresql.conf'"
    as_owner "$bindir/pg_ctl" start -D "$DATA" -l "$LOG" -w -t "$START_TIMEOUT_SECONDS" -o "-p $PORT" >/dev/null \
        || fail "the server did not start; see $LOG"
    # createdb fails when the database exists: that is the idempotent case, so only a missing
    # database after it is an error.
    "$bindir/createdb" -h 127.0.0.1 -p "$PORT" -U "$USER_NAME" "$DATABASE" 2>/dev/null || true
    "$bindir/psql" -h 127.0.0.1 -p "$PORT" -U "$USER_NAME" -d "$DATABASE" -Atc "SELECT 1" >/dev/null \
        || fail "database $DATABASE is not reachable at $URL; see $LOG"
    echo "$URL"
}

down() {
    is_running || return 0
    as_owner "$bindir/pg_ctl" stop -D "$DATA" -m fast -w >/dev/null
    echo "stopped PostgreSQL on port $PORT"
}

case "${1:-}" in
up) up ;;
down) down ;;
url) echo "$URL" ;;
*) fail "usage: scripts/pg.sh up|down|url" ;;
esac
