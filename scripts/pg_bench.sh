#!/usr/bin/env bash
# Several nodes (issue 10): durable HTTP transfers per second on SQLite (one node), PostgreSQL
# with one node and PostgreSQL with two nodes sharing one database, then feed requests per second
# (campus-diary) on one and two PostgreSQL nodes, side by side in one run with wrk on loopback
# (64 connections; two nodes get one wrk of 32 each, and their requests/s are summed). Every
# configuration serves a freshly seeded world (SEED_USERS users; PostgreSQL in a scratch database
# created here, migrated, and dropped afterwards); requests rotate over many users' tokens.
# Afterwards `ledger verify` checks each wallet. Everything shares this machine's cores: the
# server, PostgreSQL and wrk compete for them.
#
# For the capacity model in the README, each measurement is also priced per request: CPU time of
# the nodes and of the PostgreSQL backends serving the scratch database (from /proc), statements
# and rows (pg_stat_statements, which `make pg-up` preloads; "-" without it), and WAL flushes
# (pg_stat_wal: the whole server's, so nothing else should use it during the run).
#
# Usage: scripts/pg_bench.sh [path/to/quanzi]      (default: .build/release/quanzi)
#   PG_URL  a PostgreSQL server and a database to connect to for CREATE/DROP DATABASE
#           (default: the local server `make pg-up` starts, on port PG_PORT, default 54329)
#   BASELINE  another quanzi binary (an earlier commit's) to compare with ours on PostgreSQL, one
#           and two nodes: both serve one seeded database in turn, ROUNDS times (default 3) in
#           ABBA order, each measuring transfers then feeds, and the medians are printed side by
#           side. Measured one after the other instead (each on its own fresh database), whichever
#           ran first came out 15-30% slower on this 2-core machine, changed code or not.
set -euo pipefail

QUANZI=${1:-.build/release/quanzi}
BASELINE=${BASELINE:-}
ROUNDS=${ROUNDS:-3}
OURS=$QUANZI
PG_PORT=${PG_PORT:-54329}
PG_URL=${PG_URL:-postgres://quanzi@127.0.0.1:$PG_PORT/quanzi}
SEED_USERS=${SEED_USERS:-10000}
TOKENS=$((SEED_USERS > 300 ? 300 : SEED_USERS - 1))   # tokens to rotate over (users 2…TOKENS+1)
CONNECTIONS=64
DURATION=${DURATION:-10s}
PORT=${PORT:-18580}        # the first node; the second listens on PORT+1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/bench_lib.sh"

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
psql=${bindir:+$bindir/}psql
command -v "$psql" >/dev/null || { echo "pg_bench: psql not found (make pg-deps)" >&2; exit 1; }
"$psql" "$PG_URL" -Atqc "SELECT 1" >/dev/null || { echo "pg_bench: no PostgreSQL at $PG_URL (make pg-up)" >&2; exit 1; }

work=$(mktemp -d)
servers=()
databases=()
stop_servers() {
    for pid in "${servers[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${servers[@]}"; do wait "$pid" 2>/dev/null || true; done
    servers=()
}
cleanup() {
    stop_servers
    for name in "${databases[@]}"; do "$psql" "$PG_URL" -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1 || true; done
    rm -rf "$work"
}
trap cleanup EXIT

# A fresh PostgreSQL database on the server of PG_URL, migrated (dropped on exit); sets scratch_url.
scratch_database() {
    local name="quanzi_bench_$$_$1"
    "$psql" "$PG_URL" -qc "CREATE DATABASE $name" >/dev/null
    databases+=("$name")
    scratch_url="${PG_URL%/*}/$name"
    "$QUANZI" migrate --db "$scratch_url" >/dev/null
}

# Seeds DB, writes tokens for users 2…TOKENS+1 to $work/tokens.
seed() {
    "$QUANZI" seed --db "$1" --users "$SEED_USERS" >"$work/seed.log"
    sed 's/^/  /' "$work/seed.log" >&2
    "$QUANZI" token $(seq 2 $((TOKENS + 1))) --db "$1" >"$work/tokens"
}

# Starts one `quanzi serve` per port on DB and waits until each answers.
serve() {
    local db=$1
    shift
    for port in "$@"; do
        "$QUANZI" serve --db "$db" --port "$port" --api-rate 1000000 --money-rate 1000000 \
            --log-level warning >"$work/serve-$port.log" 2>&1 &
        servers+=($!)
    done
    for port in "$@"; do
        for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
        curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { echo "pg_bench: node on port $port did not start" >&2; cat "$work/serve-$port.log" >&2; exit 1; }
    done
}

# One wrk per port at CONNECTIONS / ports connections each, all at once; prints
# "requests/s p50_ms p99_ms non2xx" (requests/s and non-2xx summed, the slowest node's latencies).
measure() {
    local script=$1
    shift
    # Two wrk threads in all, like http_bench.sh: one per node with two nodes.
    local per_node=$((CONNECTIONS / $#)) threads=$(($# == 1 ? 2 : 1)) pids=() index=0
    rm -f "$work"/wrk-*.out
    for port in "$@"; do
        index=$((index + 1))
        RUN_ID="$$-$RANDOM-$index" wrk -t"$threads" -c"$per_node" -d"$DURATION" --latency \
            -s "$here/wrk/$script" "http://127.0.0.1:$port" >"$work/wrk-$index.out" 2>&1 &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid"; done
    wrk_summary "$work"/wrk-*.out
}

# ledger verify on DB; prints "ok" or "FAILED" (its report goes to the log).
verify() {
    if "$QUANZI" ledger verify --db "$1" >"$work/verify.log" 2>&1; then echo ok; else cat "$work/verify.log" >&2; echo FAILED; fi
}

# CPU seconds (user + system) of the given processes, summed; gone processes count nothing.
cpu_seconds() {
    local ticks=0 pid fields
    for pid in "$@"; do
        fields=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null) || continue
        ticks=$((ticks + $(awk '{ print $12 + $13 }' <<<"$fields")))
    done
    awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.3f", t / hz }'
}

# The PostgreSQL backends connected to database NAME (one line of pids).
backends() { "$psql" "$PG_URL" -Atqc "SELECT string_agg(pid::text, ' ') FROM pg_stat_activity WHERE datname = '$1'"; }

has_statements=$("$psql" "$PG_URL" -Atqc "SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements'" 2>/dev/null || echo 0)
if [ "$has_statements" = 0 ]; then
    "$psql" "$PG_URL" -qc "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null 2>&1 \
        && "$psql" "$PG_URL" -Atqc "SELECT count(*) FROM pg_stat_statements" >/dev/null 2>&1 && has_statements=1 || has_statements=0
fi

# Zeroes database NAME's statement counters (its entries only) before a measurement.
reset_statements() {
    [ -n "$1" ] && [ "$has_statements" != 0 ] || return 0
    "$psql" "$PG_URL" -Atqc "SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = '$1'), 0)" >/dev/null
}

# Counters of database NAME: "statements rows wal_syncs" ("- - -" for SQLite).
pg_counters() {
    [ -z "$1" ] && { echo "- - -"; return; }
    local statements=- rows=-
    if [ "$has_statements" != 0 ]; then
        read -r statements rows < <("$psql" "$PG_URL" -AtqF' ' -c "SELECT coalesce(sum(calls), 0), coalesce(sum(rows), 0)
            FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = '$1')")
    fi
    echo "$statements $rows $("$psql" "$PG_URL" -Atqc "SELECT wal_sync FROM pg_stat_wal")"
}

export TOKENS_FILE="$work/tokens" FIRST_USER=2 FEED_PATH="/v1/circles/campus-diary/feed?limit=20"
declare -A rps p50 p99 bad verified cost

# measure_priced KEY DATABASE_NAME SCRIPT PORT...: measure's figures into rps[KEY] etc., and
# cost[KEY] = "node_cpu_us pg_cpu_us statements rows wal_syncs" per request.
measure_priced() {
    local key=$1 database=$2 script=$3
    shift 3
    local pg_pids="" before after node_before pg_before total
    [ -n "$database" ] && pg_pids=$(backends "$database")
    reset_statements "$database"
    before=$(pg_counters "$database")
    node_before=$(cpu_seconds "${servers[@]}")
    pg_before=$(cpu_seconds $pg_pids)
    read -r rps[$key] p50[$key] p99[$key] bad[$key] total < <(measure "$script" "$@")
    local node_cpu pg_cpu
    node_cpu=$(awk -v a="$node_before" -v b="$(cpu_seconds "${servers[@]}")" 'BEGIN { print b - a }')
    # Backends opened during the run count from zero.
    [ -n "$database" ] && pg_pids=$(printf '%s %s' "$pg_pids" "$(backends "$database")" | tr ' ' '\n' | sort -u | tr '\n' ' ')
    pg_cpu=$(awk -v a="$pg_before" -v b="$(cpu_seconds $pg_pids)" 'BEGIN { print b - a }')
    after=$(pg_counters "$database")
    cost[$key]=$(awk -v n="$total" -v node="$node_cpu" -v pg="$pg_cpu" -v db="$database" -v before="$before" -v after="$after" '
        function per(x) { return n > 0 ? x / n : 0 }
        BEGIN {
            split(before, b, " "); split(after, a, " ")
            out = sprintf("%.0f", per(node) * 1e6)
            out = out " " (db == "" ? "-" : sprintf("%.0f", per(pg) * 1e6))
            for (i = 1; i <= 3; i++) out = out " " (a[i] == "-" ? "-" : sprintf("%.2f", per(a[i] - b[i])))
            print out
        }')
}

run() {  # run NAME CONFIGURATION DB PORT...
    local name=$1 what=$2 db=$3 database=""
    shift 3
    [[ $db == postgres://* ]] && database=${db##*/}
    echo "$what: seeding $SEED_USERS users" >&2
    seed "$db"
    serve "$db" "$@"
    measure_priced "$name-transfer" "$database" transfer.lua "$@"
    measure_priced "$name-feed" "$database" feed.lua "$@"
    stop_servers
    verified[$name]=$(verify "$db")
}

run sqlite "SQLite, one node" "$work/bench.sqlite" "$PORT"
scratch_database one
run pg1 "PostgreSQL, one node" "$scratch_url" "$PORT"
scratch_database two
run pg2 "PostgreSQL, two nodes" "$scratch_url" "$PORT" $((PORT + 1))

# alternate NAME DB PORT...: ours and the baseline serve DB (seeded by ours) in turn, ROUNDS times,
# ours first in odd rounds and the baseline first in even ones; each start measures transfers,
# then feeds. Appends "who kind requests/s p99" lines to $work/alternate-NAME.
alternate() {
    local name=$1 db=$2 round who
    shift 2
    echo "$name: ours and the baseline in turn, $ROUNDS rounds" >&2
    for round in $(seq 1 "$ROUNDS"); do
        for who in $( ((round % 2)) && echo "ours base" || echo "base ours"); do
            if [ "$who" = ours ]; then QUANZI=$OURS; else QUANZI=$BASELINE; fi
            serve "$db" "$@"
            for kind in transfer feed; do
                read -r r _ p _ _ < <(measure "$kind.lua" "$@")
                echo "$who $kind $r $p" >>"$work/alternate-$name"
            done
            stop_servers
        done
    done
    QUANZI=$OURS
    verified[$name]=$(verify "$db")
}
if [ -n "$BASELINE" ]; then
    scratch_database alt1
    echo "PostgreSQL, one node, ours against $BASELINE: seeding $SEED_USERS users" >&2
    seed "$scratch_url"
    alternate alt1 "$scratch_url" "$PORT"
    scratch_database alt2
    echo "PostgreSQL, two nodes, ours against $BASELINE: seeding $SEED_USERS users" >&2
    seed "$scratch_url"
    alternate alt2 "$scratch_url" "$PORT" $((PORT + 1))
fi

ratio() { awk "BEGIN { if ($2 > 0) printf \"%.2f\", $1 / $2; else print \"-\" }"; }
row() {  # row LABEL KEY
    local kind=${2#*-}
    printf '%-40s %9s %8s %8s %7s %9s %9s\n' "$1" "${rps[$2]}" "${p50[$2]}" "${p99[$2]}" "${bad[$2]}" \
        "$(ratio "${rps[$2]}" "${rps[sqlite-$kind]}")" "$(ratio "${rps[$2]}" "${rps[pg1-$kind]}")"
}
echo
echo "$CONNECTIONS connections in all, $DURATION each; $SEED_USERS users seeded per run; $(nproc) cores shared by wrk, the nodes and PostgreSQL"
printf '%-40s %9s %8s %8s %7s %9s %9s\n' "" "req/s" "p50 ms" "p99 ms" "non-2xx" "vs SQLite" "vs PG 1"
row "POST transfer, SQLite 1 node" sqlite-transfer
row "POST transfer, PostgreSQL 1 node" pg1-transfer
row "POST transfer, PostgreSQL 2 nodes" pg2-transfer
row "GET feed, SQLite 1 node" sqlite-feed
row "GET feed, PostgreSQL 1 node" pg1-feed
row "GET feed, PostgreSQL 2 nodes" pg2-feed
echo "(transfers are durable: acknowledged after the commit's fsync; feed: campus-diary, limit 20)"
echo
echo "Per request (the capacity model): CPU of the nodes and of PostgreSQL's backends, PostgreSQL's work"
printf '%-40s %12s %12s %11s %9s %10s\n' "" "node CPU µs" "PG CPU µs" "statements" "rows" "WAL syncs"
price() { read -r n p st r w <<<"${cost[$2]}"; printf '%-40s %12s %12s %11s %9s %10s\n' "$1" "$n" "$p" "$st" "$r" "$w"; }
price "POST transfer, SQLite 1 node" sqlite-transfer
price "POST transfer, PostgreSQL 1 node" pg1-transfer
price "POST transfer, PostgreSQL 2 nodes" pg2-transfer
price "GET feed, SQLite 1 node" sqlite-feed
price "GET feed, PostgreSQL 1 node" pg1-feed
price "GET feed, PostgreSQL 2 nodes" pg2-feed
echo
if [ -n "$BASELINE" ]; then
    echo
    echo "Ours against $BASELINE on one seeded database each, in turn ($ROUNDS rounds, ABBA); medians, p99 in ()"
    printf '%-34s %18s %18s %8s\n' "" "ours req/s" "baseline req/s" "ours÷base"
    for name in alt1 alt2; do
        for kind in transfer feed; do
            declare -A m=()
            for who in ours base; do
                m[$who]=$(awk -v w="$who" -v k="$kind" '$1 == w && $2 == k { print $3 }' "$work/alternate-$name" | median)
                m[$who-p99]=$(awk -v w="$who" -v k="$kind" '$1 == w && $2 == k { print $4 }' "$work/alternate-$name" | median)
            done
            label="$([ "$kind" = transfer ] && echo "POST transfer" || echo "GET feed"), PG $([ "$name" = alt1 ] && echo 1 node || echo 2 nodes)"
            printf '%-34s %18s %18s %8s\n' "$label" "${m[ours]} (${m[ours-p99]} ms)" "${m[base]} (${m[base-p99]} ms)" "$(ratio "${m[ours]}" "${m[base]}")"
        done
    done
fi
echo
echo "ledger verify: SQLite ${verified[sqlite]}, PostgreSQL 1 node ${verified[pg1]}, PostgreSQL 2 nodes ${verified[pg2]}${BASELINE:+, ours and baseline in turn ${verified[alt1]} ${verified[alt2]}}"
for name in sqlite pg1 pg2 ${BASELINE:+alt1 alt2}; do [ "${verified[$name]}" = ok ] || exit 1; done
