#!/usr/bin/env bash
# Two-node crash test on PostgreSQL: two `quanzi serve` nodes on one database, transfers driven
# through both over HTTP, one node SIGKILLed mid-load while the other keeps serving; then
# `quanzi ledger verify --acknowledged` proves the ledger consistent and every transfer either
# node acknowledged (HTTP 201 with a transfer id) present. While the survivor serves, pg_dump
# backs the database up; the dump is restored into a new database and verified the same way. Before the kill, a post made on one
# node must show in the other's feed (the nodes follow each other's writes).
#
# Each run works in a scratch database created on the server of QUANZI_PG_URL and dropped after.
#
# Usage: QUANZI_PG_URL=postgres://quanzi@127.0.0.1:54329/quanzi scripts/pg_crash_test.sh [path/to/quanzi]
set -euo pipefail

QUANZI=${1:-.build/debug/quanzi}
BASE_URL=${QUANZI_PG_URL:?set QUANZI_PG_URL (make pg-up prints it)}
USERS=${PG_CRASH_USERS:-20}
WORKERS_PER_NODE=${PG_CRASH_WORKERS:-3}
# Acknowledged transfers (both nodes together) to wait for before the kill.
ACKS_BEFORE_KILL=${PG_CRASH_ACKS_BEFORE_KILL:-150}
# How long the surviving node keeps taking transfers after the kill.
SURVIVOR_SECONDS=${PG_CRASH_SURVIVOR_SECONDS:-2}
STARTUP_TIMEOUT_SECONDS=60
FOLLOW_TIMEOUT_SECONDS=10

fail() {
    echo "pg crash test FAILED: $*" >&2
    exit 1
}

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
[ -n "$bindir" ] && [ -x "$bindir/psql" ] || fail "no psql under /usr/lib/postgresql (run make pg-deps)"
psql_on() { "$bindir/psql" -v ON_ERROR_STOP=1 -q -At -d "$1" -c "$2"; }

work=$(mktemp -d)
name="quanzi_crash_$$_$RANDOM"
db_url="${BASE_URL%/*}/$name"
restored_name="${name}_restored"
restored_url="${BASE_URL%/*}/$restored_name"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    psql_on "$BASE_URL" "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1 || true
    psql_on "$BASE_URL" "DROP DATABASE IF EXISTS $restored_name WITH (FORCE)" >/dev/null 2>&1 || true
    if [ -n "${PG_CRASH_KEEP:-}" ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

psql_on "$BASE_URL" "CREATE DATABASE $name"
"$QUANZI" migrate --db "$db_url" >/dev/null
# Users 1…USERS; user 2 is a verified female student, who may post in campus-diary.
psql_on "$db_url" "
    INSERT INTO users (id, display_name, verified, verified_at, gender, birth_year, occupation, city, created_at)
    SELECT id, 'crash-' || id, id = 2, CASE WHEN id = 2 THEN 0 END, CASE WHEN id = 2 THEN 'female' ELSE 'unspecified' END,
           2000, CASE WHEN id = 2 THEN 'student' ELSE 'other' END, 'Hangzhou', 0
    FROM generate_series(1, $USERS) AS id"
admin=$("$QUANZI" token 1 --admin --db "$db_url")
"$QUANZI" token $(seq 1 "$USERS") --db "$db_url" >"$work/tokens"
mapfile -t tokens <"$work/tokens"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
serve() { # name port (in the background; its pid is $!)
    "$QUANZI" serve --db "$db_url" --host 127.0.0.1 --port "$2" --api-rate 1000000 --money-rate 1000000 --follow-interval-ms 100 \
        --log-level error >"$work/$1.out" 2>"$work/$1.err" &
}
wait_healthy() { # port pid
    local deadline=$((SECONDS + STARTUP_TIMEOUT_SECONDS))
    until curl -sf "http://127.0.0.1:$1/healthz" >/dev/null; do
        kill -0 "$2" 2>/dev/null || fail "a node on port $1 exited at start"
        [ "$SECONDS" -lt "$deadline" ] || fail "a node on port $1 was not healthy in ${STARTUP_TIMEOUT_SECONDS}s"
        sleep 0.1
    done
}

port_a=$(free_port)
port_b=$(free_port)
serve a "$port_a"
pid_a=$!
pids+=("$pid_a")
serve b "$port_b"
pid_b=$!
pids+=("$pid_b")
wait_healthy "$port_a" "$pid_a"
wait_healthy "$port_b" "$pid_b"

# Money for everyone, through node B.
for user in $(seq 1 "$USERS"); do
    response=$(curl -s -X POST -H "Authorization: Bearer $admin" -H "Idempotency-Key: fund-$user" \
        -H "Content-Type: application/json" -d "{\"user_id\": $user, \"amount_fen\": 5000000}" "http://127.0.0.1:$port_b/v1/wallet/top-ups" || true)
    case "$response" in *'"transfer_id"'*) ;; *) fail "top-up of user $user: $response" ;; esac
done

# A post on A shows in B's feed (B follows A's writes).
post_id=$(curl -sf -X POST -H "Authorization: Bearer ${tokens[1]}" -H "Content-Type: application/json" -d '{"body": "posted on node A"}' \
    "http://127.0.0.1:$port_a/v1/circles/campus-diary/posts" | grep -o '"id" *: *[0-9]*' | head -n 1 | grep -o '[0-9]*$') \
    || fail "posting on node A"
deadline=$((SECONDS + FOLLOW_TIMEOUT_SECONDS))
until curl -sf -H "Authorization: Bearer ${tokens[0]}" "http://127.0.0.1:$port_b/v1/circles/campus-diary/feed" | grep -q "\"id\" *: *$post_id[,}]"; do
    [ "$SECONDS" -lt "$deadline" ] || fail "post $post_id made on node A not in node B's feed within ${FOLLOW_TIMEOUT_SECONDS}s"
    sleep 0.1
done
lag=$(curl -sf "http://127.0.0.1:$port_b/metrics" | grep -E '^quanzi_feed_follow_lag_seconds_count' || true)
[ -n "$lag" ] || fail "node B exports no quanzi_feed_follow_lag_seconds"
echo "post $post_id made on node A is in node B's feed (node B: $lag)"

# Workers: each sends transfers between random users to one node and records the transfer id of
# every acknowledged one (HTTP 201 with the transfer). A refused or cut request is not recorded.
worker() { # node port index
    local acks="$work/acks-$1-$3.txt" i=0 from to response
    : >"$acks"
    while :; do
        i=$((i + 1))
        from=$((RANDOM % USERS))
        to=$(((from + 1 + RANDOM % (USERS - 1)) % USERS))
        response=$(curl -s --max-time 10 -X POST -H "Authorization: Bearer ${tokens[$from]}" -H "Idempotency-Key: $1-$3-$i" \
            -H "Content-Type: application/json" -d "{\"to_user_id\": $((to + 1)), \"amount_fen\": $((1 + RANDOM % 100))}" "http://127.0.0.1:$2/v1/wallet/transfers" || true)
        case "$response" in
        *'"transfer_id"'*)
            echo "$response" | grep -o '"transfer_id" *: *[0-9]*' | grep -o '[0-9]*$' >>"$acks"
            ;;
        esac
    done
}
workers=()
for index in $(seq 1 "$WORKERS_PER_NODE"); do
    worker a "$port_a" "$index" &
    workers+=($!)
    pids+=($!)
    worker b "$port_b" "$index" &
    workers+=($!)
    pids+=($!)
done

count_acks() { cat "$work"/acks-*.txt 2>/dev/null | wc -l; }
deadline=$((SECONDS + STARTUP_TIMEOUT_SECONDS))
while [ "$(count_acks)" -lt "$ACKS_BEFORE_KILL" ]; do
    [ "$SECONDS" -lt "$deadline" ] || fail "fewer than $ACKS_BEFORE_KILL acknowledged transfers in ${STARTUP_TIMEOUT_SECONDS}s"
    sleep 0.05
done
kill -KILL "$pid_a"
status=0
wait "$pid_a" 2>/dev/null || status=$?
[ "$status" -eq 137 ] || fail "node A ended with status $status, not by SIGKILL"
acks_at_kill=$(count_acks)
# A backup while node B keeps taking transfers: pg_dump reads one snapshot, so the copy must hold
# every transfer acknowledged before it began (the README's "Operating Quanzi" commands).
cat "$work"/acks-*.txt | grep -x '[0-9][0-9]*' >"$work/acks-before-dump.txt" || true
"$bindir/pg_dump" --format=custom --file="$work/backup.dump" "$db_url" || fail "pg_dump while serving"
sleep "$SURVIVOR_SECONDS"
kill -0 "$pid_b" 2>/dev/null || fail "node B died with node A"
{
    for pid in "${workers[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    for pid in "${workers[@]}"; do wait "$pid" 2>/dev/null || true; done
} 2>/dev/null
# A line cut short by the kill was never a complete acknowledgement: keep whole lines only.
cat "$work"/acks-*.txt | grep -x '[0-9][0-9]*' >"$work/all-acks.txt" || true
total=$(wc -l <"$work/all-acks.txt")
after_kill=$(cat "$work"/acks-b-*.txt | wc -l)
[ "$total" -gt "$acks_at_kill" ] || fail "node B acknowledged nothing after node A was killed"
# Node B followed node A's events (transfers included) until the kill: its lag histogram.
curl -sf "http://127.0.0.1:$port_b/metrics" | awk '/^quanzi_feed_follow_lag_seconds_(sum|count)/ { v[$1] = $2 }
    END { c = v["quanzi_feed_follow_lag_seconds_count"]; if (c > 0) printf "node B follow lag: %d events, mean %.3f s\n", c, v["quanzi_feed_follow_lag_seconds_sum"] / c }' || true
echo "node A killed after $acks_at_kill acknowledged transfers; $total acknowledged in all (node B: $after_kill); verifying"
"$QUANZI" ledger verify --db "$db_url" --acknowledged "$work/all-acks.txt" || fail "ledger verify"
echo "pg crash test passed: two nodes, one SIGKILLed mid-load, $total acknowledged transfers all present, ledger consistent"

# The dump taken mid-load, restored into a new database: consistent, and holding every transfer
# acknowledged before pg_dump began.
psql_on "$BASE_URL" "CREATE DATABASE $restored_name"
"$bindir/pg_restore" --exit-on-error --no-owner --dbname="$restored_url" "$work/backup.dump" || fail "pg_restore"
"$QUANZI" ledger verify --db "$restored_url" --acknowledged "$work/acks-before-dump.txt" || fail "ledger verify of the restored dump"
echo "pg backup test passed: pg_dump while serving, pg_restore into a new database: $(wc -l <"$work/acks-before-dump.txt") transfers acknowledged before the dump all present"
