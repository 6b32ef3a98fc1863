#!/usr/bin/env bash
# `make pg-up` from a clone in a folder only its owner may enter (mode 700), as a clone under
# root's home is: the PostgreSQL server runs as `postgres`, which cannot reach such a checkout, so
# pg.sh must put the data where it can (and say where) instead of failing. Clones this repository
# into a fresh mode-700 folder, starts its PostgreSQL on a port of its own, asks it a query, then
# stops it and removes everything it made. CI runs it after `make test` (.ci/run).
#
# Usage: scripts/private_clone_check.sh        (PRIVATE_CLONE_PG_PORT, default 54339)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
port=${PRIVATE_CLONE_PG_PORT:-54339}
parent=$(mktemp -d)
chmod 700 "$parent"
clone="$parent/quanzi"
relocated=""

fail() {
    echo "private clone check FAILED: $*" >&2
    exit 1
}
cleanup() {
    # pg.sh finds the cluster from the checkout it runs in: run it there.
    [ -d "$clone" ] && (cd "$clone" && PG_PORT=$port scripts/pg.sh down >/dev/null 2>&1) || true
    [ -n "$relocated" ] && rm -rf "$(dirname "$relocated")"
    rm -rf "$parent"
}
trap cleanup EXIT

git clone -q "$repo" "$clone"
stat -c %a "$parent" | grep -qx 700 || fail "$parent is not mode 700"
url=$(cd "$clone" && make --no-print-directory pg-up PG_PORT="$port" 2>"$parent/pg-up.err") || fail "make pg-up: $(cat "$parent/pg-up.err")"
relocated=$(sed -n 's/^pg: user postgres cannot reach .*; its data is in //p' "$parent/pg-up.err")
if [ "$(id -u)" = 0 ]; then
    [ -n "$relocated" ] || fail "as root in a mode-700 folder, pg.sh should have moved the data and said where: $(cat "$parent/pg-up.err")"
    runuser -u postgres -- test -f "$relocated/PG_VERSION" || fail "no cluster at $relocated"
fi
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
[ "$("$bindir/psql" -At -d "$url" -c "SELECT 40 + 2")" = 42 ] || fail "the server at $url does not answer"
(cd "$clone" && PG_PORT=$port scripts/pg.sh down >/dev/null 2>&1) || fail "make pg-down in the clone"
"$bindir/psql" -At -d "$url" -c "SELECT 1" >/dev/null 2>&1 && fail "the server at $url still answers after pg-down"
echo "private clone check passed: make pg-up in a mode-700 clone serves $url${relocated:+ with its data in $relocated}"
