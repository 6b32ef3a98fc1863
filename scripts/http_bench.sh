#!/usr/bin/env bash
# HTTP benchmark: the feed and the transfer endpoints against a trivial route (/healthz) of the
# same binary, side by side in one run, with wrk on loopback at 64 connections. The server
# serves a freshly seeded demo world; requests rotate over many users' tokens (one user's feed
# history would otherwise grow without bound). Afterwards `ledger verify` checks the wallet.
#
# Usage: scripts/http_bench.sh [path/to/quanzi]      (default: .build/release/quanzi)
set -euo pipefail

QUANZI=${1:-.build/release/quanzi}
CONNECTIONS=64
THREADS=2
DURATION=10s
USERS=300                  # tokens to rotate over (users 2…USERS+1)
PORT=${PORT:-18480}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/bench_lib.sh"

work=$(mktemp -d)
server=""
cleanup() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

"$QUANZI" seed --db "$work/bench.sqlite" >/dev/null
"$QUANZI" token $(seq 2 $((USERS + 1))) --db "$work/bench.sqlite" >"$work/tokens"
"$QUANZI" serve --db "$work/bench.sqlite" --port "$PORT" --api-rate 1000000 --money-rate 1000000 \
    --log-level warning >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done

export TOKENS_FILE="$work/tokens" FIRST_USER=2 RUN_ID=$$
# Prints "requests/s p50_ms p99_ms non2xx" from a wrk --latency output file.
summarize() { wrk_summary "$1" | cut -d" " -f1-4; }  # requests/s p50_ms p99_ms non2xx
# One wrk run (THREADS, CONNECTIONS, DURATION), summarized, after WARMUP of the same requests
# unmeasured: the first requests of a route fill its caches (Lua states and their proxies, seen
# posts, post contents, the city index), and a steady state is what the goal is about. The cold
# start is reported too: each feed route's first WARMUP is measured on its own.
WARMUP=${WARMUP:-3s}
measure() {
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" --latency "$@" >"$work/warmup.out" 2>&1
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@" >"$work/wrk.out" 2>&1
    summarize "$work/wrk.out"
}

url="http://127.0.0.1:$PORT"
read -r trivial_rps trivial_p50 trivial_p99 trivial_bad < <(measure "$url/healthz")
printf '\n%-36s %10s %9s %9s %7s %9s\n' "route ($CONNECTIONS connections, $DURATION)" "req/s" "p50 ms" "p99 ms" "non-2xx" "vs trivial"
printf '%-36s %10s %9s %9s %7s %9s\n' "GET /healthz (trivial)" "$trivial_rps" "$trivial_p50" "$trivial_p99" "$trivial_bad" "1.00"
for circle in campus-diary nearby friends; do
    read -r rps p50 p99 bad < <(FEED_PATH="/v1/circles/$circle/feed?limit=20" measure -s "$here/wrk/feed.lua" "$url")
    read -r cold_rps cold_p50 cold_p99 cold_bad < <(summarize "$work/warmup.out")
    printf '%-36s %10s %9s %9s %7s %9s\n' "GET feed $circle" "$rps" "$p50" "$p99" "$bad" \
        "$(awk "BEGIN { printf \"%.2f\", $rps / $trivial_rps }")"
    printf '%-36s %10s %9s %9s %7s\n' "  (cold: its first $WARMUP)" "$cold_rps" "$cold_p50" "$cold_p99" "$cold_bad"
done
read -r rps p50 p99 bad < <(measure -s "$here/wrk/transfer.lua" "$url")
printf '%-36s %10s %9s %9s %7s %9s\n' "POST transfer (durable)" "$rps" "$p50" "$p99" "$bad" \
    "$(awk "BEGIN { printf \"%.2f\", $rps / $trivial_rps }")"

# Mixed: feeds and transfers at once (32 connections each): views and transfers share SQLite's
# one writer, so this shows whether money waits behind a flood of views.
FEED_PATH="/v1/circles/campus-diary/feed?limit=20" wrk -t1 -c32 -d"$DURATION" --latency -s "$here/wrk/feed.lua" "$url" >"$work/mixed-feed.out" 2>&1 &
mixed_feed=$!
# A new RUN_ID: the keys of the first transfer run would be replays.
read -r rps p50 p99 bad < <(RUN_ID="$$-mixed" THREADS=1 CONNECTIONS=32 measure -s "$here/wrk/transfer.lua" "$url")
wait "$mixed_feed"
read -r feed_rps feed_p50 feed_p99 feed_bad < <(summarize "$work/mixed-feed.out")
printf '%-36s %10s %9s %9s %7s\n' "mixed: GET feed campus-diary (32)" "$feed_rps" "$feed_p50" "$feed_p99" "$feed_bad"
printf '%-36s %10s %9s %9s %7s\n' "mixed: POST transfer (32)" "$rps" "$p50" "$p99" "$bad"

kill -TERM "$server"
wait "$server" || true
server=""
echo
"$QUANZI" ledger verify --db "$work/bench.sqlite"
