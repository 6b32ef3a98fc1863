#!/usr/bin/env bash
# What reloading costs serving: feed pages/s and p99 on a steady server and on one reloading its
# scripts every RELOAD_INTERVAL seconds meanwhile (POST /v1/admin/reload, campus-diary.lua flipping
# between two versions, so every reload checks, tests and swaps in a new set while 64 connections
# read feeds whose view rule is that plugin's). Runs alternate steady/reloading (ABBA, against
# drift in the machine's load) on a fresh server over a copy of the same database, after a
# warm-up; the ratio is of the medians.
#
# Usage: scripts/reload_bench.sh [path/to/quanzi]      (default: .build/release/quanzi)
set -euo pipefail

QUANZI=${1:-.build/release/quanzi}
USERS=${USERS:-2000}
ROUNDS=${ROUNDS:-2}        # steady/reloading pairs
RELOAD_INTERVAL=${RELOAD_INTERVAL:-0.5}
CONNECTIONS=64
THREADS=2
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-3s}
PORT=${PORT:-18498}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/bench_lib.sh"
root=$(cd "$here/.." && pwd)

work=$(mktemp -d)
server=""
reloader=""
cleanup() {
    if [ -n "$reloader" ]; then kill "$reloader" 2>/dev/null || true; wait "$reloader" 2>/dev/null || true; fi
    if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

cp -r "$root/plugins" "$work/plugins"
cp -r "$root/experiments" "$work/experiments"
original=$(cat "$root/plugins/campus-diary.lua")
base="$work/base.sqlite"
db="$base"
flags() { echo --db "$db" --plugins "$work/plugins" --experiments "$work/experiments"; }
"$QUANZI" seed $(flags) --users "$USERS" >/dev/null
"$QUANZI" token $(seq 1 "$USERS") $(flags) >"$work/tokens"
admin=$("$QUANZI" token 1 --admin $(flags))
# Each run copies the file alone: fold the write-ahead log into it first.
sqlite3 "$base" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
url="http://127.0.0.1:$PORT"

serve() {
    "$QUANZI" serve $(flags) --port "$PORT" --api-rate 1000000 --money-rate 1000000 --log-level warning >>"$work/serve.log" 2>&1 &
    server=$!
    for _ in $(seq 1 200); do curl -sf "$url/healthz" >/dev/null && return; sleep 0.1; done
    echo "reload_bench: the server did not start" >&2; cat "$work/serve.log" >&2; exit 1
}
stop_server() { kill -TERM "$server"; wait "$server" || true; server=""; }
# Reloads every RELOAD_INTERVAL s until killed, each to the other version; counts them in $work/reloads.
reload_loop() {
    local i=0
    while true; do
        i=$((i + 1))
        printf '%s\n-- reload %d\n' "$original" "$((i % 2))" >"$work/plugins/campus-diary.lua"
        code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $admin" "$url/v1/admin/reload")
        echo "$code" >>"$work/reloads"
        sleep "$RELOAD_INTERVAL"
    done
}
summarize() { wrk_summary "$1" | cut -d" " -f1-4; }  # requests/s p50_ms p99_ms non2xx
export TOKENS_FILE="$work/tokens" FIRST_USER=1 RUN_ID=$$
feed() {
    FEED_PATH="/v1/circles/campus-diary/feed?limit=20" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$1" --latency -s "$here/wrk/feed.lua" "$url" \
        >"$work/wrk.out" 2>&1
}

printf '%-40s %9s %8s %8s %7s %9s\n' "GET feed campus-diary ($CONNECTIONS conn., $DURATION)" "pages/s" "p50 ms" "p99 ms" "non-2xx" "reloads"
: >"$work/steady"; : >"$work/reloading"
for round in $(seq 1 "$ROUNDS"); do
    order="steady reloading"; [ $((round % 2)) = 0 ] && order="reloading steady"
    for mode in $order; do
        db="$work/run.sqlite"
        rm -f "$db" "$db-wal" "$db-shm"
        cp "$base" "$db"
        printf '%s\n' "$original" >"$work/plugins/campus-diary.lua"
        serve
        feed "$WARMUP"
        : >"$work/reloads"
        if [ "$mode" = reloading ]; then reload_loop & reloader=$!; fi
        feed "$DURATION"
        if [ -n "$reloader" ]; then kill "$reloader"; wait "$reloader" 2>/dev/null || true; reloader=""; fi
        read -r rps p50 p99 bad < <(summarize "$work/wrk.out")
        reloads=$(grep -c '^200$' "$work/reloads" || true)
        failed=$(grep -vc '^200$' "$work/reloads" || true)
        [ "$failed" = 0 ] || { echo "reload_bench: $failed reloads failed: $(sort "$work/reloads" | uniq -c | tr "\n" " ")" >&2; tail -5 "$work/serve.log" >&2; exit 1; }
        echo "$rps $p99" >>"$work/$mode"
        printf '%-40s %9s %8s %8s %7s %9s\n' "  round $round, $mode" "$rps" "$p50" "$p99" "$bad" "$reloads"
        stop_server
    done
done
s_rps=$(cut -d' ' -f1 "$work/steady" | median); r_rps=$(cut -d' ' -f1 "$work/reloading" | median)
s_p99=$(cut -d' ' -f2 "$work/steady" | median); r_p99=$(cut -d' ' -f2 "$work/reloading" | median)
echo
echo "medians of $ROUNDS runs each:"
printf '  steady:                           %6s pages/s, p99 %s ms\n' "$s_rps" "$s_p99"
printf '  reloading every %s s:            %6s pages/s, p99 %s ms\n' "$RELOAD_INTERVAL" "$r_rps" "$r_p99"
printf '  reloading / steady:               %6s pages/s, %s × p99\n' \
    "$(awk "BEGIN { printf \"%.2f\", $r_rps / $s_rps }")" "$(awk "BEGIN { printf \"%.2f\", $r_p99 / $s_p99 }")"
