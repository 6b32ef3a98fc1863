#!/usr/bin/env bash
# What the experiment watcher costs serving: feed pages/s and p99 with the watcher off and with it
# looking back to back (the worst case: `serve --watch-interval-seconds 0`, a benchmark-only flag;
# in production it looks every --watch-interval-minutes, 10 by default), on an experiment with
# 10,000+ exposed users. Every run starts from a copy of the same database (seeded, everyone
# exposed) on a fresh server, after a warm-up; runs alternate off/on (ABBA, against drift in the
# machine's load), and the ratio is of the medians. Each run's page views stay in its copy: the
# looks of an "on" run analyse them as they grow, as they would in service. Also prints how long one look takes at that size,
# idle and under the load (`quanzi_experiment_watch_duration_seconds` on /metrics).
#
# The experiment: campus-comment-credit (experiments/) on every user (traffic 1, no targeting),
# read by campus-diary's comment rule, which GET /v1/circles/campus-diary evaluates for its caller
# (the circle's "what may I do here"): one pass of that route over every user's token exposes
# them all through the real service, as the app opening the circle would. The feed load then
# writes the exposed users' page views, which every look analyses along with the seeded world's
# events.
#
# Usage: scripts/watch_bench.sh [path/to/quanzi]      (default: .build/release/quanzi)
set -euo pipefail

QUANZI=${1:-.build/release/quanzi}
USERS=${USERS:-10000}      # seeded users, all exposed and all rotated over by the load
ROUNDS=${ROUNDS:-3}        # off/on pairs
CONNECTIONS=64
THREADS=2
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-3s}
PORT=${PORT:-18490}
EXPERIMENT=campus-comment-credit
here=$(cd "$(dirname "$0")" && pwd)
. "$here/bench_lib.sh"
root=$(cd "$here/.." && pwd)

work=$(mktemp -d)
server=""
cleanup() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

# The repository's experiments, campus-comment-credit on everyone (its test of an unverified user
# being left out no longer holds, so it goes too).
cp -r "$root/experiments" "$work/experiments"
sed -i -e 's/^  traffic = 0\.10,$/  traffic = 1.0,/' -e 's/^    return user\.verified$/    return true/' \
    -e '/verified = false }, targeted = false/d' "$work/experiments/$EXPERIMENT.lua"
grep -q 'traffic = 1.0' "$work/experiments/$EXPERIMENT.lua" && grep -q 'return true' "$work/experiments/$EXPERIMENT.lua" \
    || { echo "watch_bench: could not put $EXPERIMENT on every user" >&2; exit 1; }
base="$work/base.sqlite"   # seeded and exposed, then copied for each run
db="$base"
flags() { echo --db "$db" --experiments "$work/experiments" --plugins "$root/plugins"; }

began=$(date +%s)
"$QUANZI" seed $(flags) --users "$USERS" >/dev/null
"$QUANZI" token $(seq 1 "$USERS") $(flags) >"$work/tokens"
echo "seeded $USERS users and their tokens in $(( $(date +%s) - began )) s"

url="http://127.0.0.1:$PORT"
# serve [extra flags...]: a fresh server on the bench database, waited for.
serve() {
    "$QUANZI" serve $(flags) --port "$PORT" --api-rate 1000000 --money-rate 1000000 --log-level warning "$@" \
        >>"$work/serve.log" 2>&1 &
    server=$!
    for _ in $(seq 1 200); do curl -sf "$url/healthz" >/dev/null && return; sleep 0.1; done
    echo "watch_bench: the server did not start" >&2; cat "$work/serve.log" >&2; exit 1
}
stop_server() {
    kill -TERM "$server"; wait "$server" || true; server=""
}
exposed() { sqlite3 "$db" "SELECT count(*) FROM exposures WHERE experiment_id = '$EXPERIMENT'"; }
status() { sqlite3 "$db" "SELECT coalesce((SELECT status FROM experiment_changes WHERE experiment_id = '$EXPERIMENT' ORDER BY revision DESC LIMIT 1), 'running (as declared)')"; }
# The watcher's passes so far on the running server: "count sum_seconds".
looks() {
    curl -sf "$url/metrics" | awk '
        $1 ~ /^quanzi_experiment_watch_duration_seconds_count/ { count = $2 }
        $1 ~ /^quanzi_experiment_watch_duration_seconds_sum/ { sum = $2 }
        END { printf "%d %.6f\n", count, sum }'
}

export TOKENS_FILE="$work/tokens" FIRST_USER=1 RUN_ID=$$
# Every user opens campus-diary (its comment rule reads the experiment's parameter): exposed once each.
serve --watch-interval-minutes 0
began=$(date +%s)
for _ in $(seq 1 20); do
    FEED_PATH="/v1/circles/campus-diary" wrk -t"$THREADS" -c"$CONNECTIONS" -d5s -s "$here/wrk/feed.lua" "$url" >/dev/null 2>&1
    [ "$(exposed)" -ge "$USERS" ] && break
done
stop_server   # closing checkpoints the WAL: the file alone is the state every run starts from
echo "exposed $(exposed) users to $EXPERIMENT in $(( $(date +%s) - began )) s"
[ "$(exposed)" -ge "${MIN_EXPOSED:-10000}" ] || { echo "watch_bench: fewer than ${MIN_EXPOSED:-10000} exposed users" >&2; exit 1; }

# Prints "requests/s p50_ms p99_ms non2xx" from a wrk --latency output file.
summarize() { wrk_summary "$1" | cut -d" " -f1-4; }  # requests/s p50_ms p99_ms non2xx
feed() {
    FEED_PATH="/v1/circles/campus-diary/feed?limit=20" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$1" --latency -s "$here/wrk/feed.lua" "$url" \
        >"$work/wrk.out" 2>&1
}

printf '\n%-34s %9s %8s %8s %7s %14s %14s\n' "GET feed campus-diary ($CONNECTIONS conn., $DURATION)" "pages/s" "p50 ms" "p99 ms" \
    "non-2xx" "looks (idle)" "looks (load)"
: >"$work/off" ; : >"$work/on"
for round in $(seq 1 "$ROUNDS"); do
    order="off on"; [ $((round % 2)) = 0 ] && order="on off"
    for mode in $order; do
        db="$work/run.sqlite"
        rm -f "$db" "$db-wal" "$db-shm"
        cp "$base" "$db"
        if [ "$mode" = on ]; then serve --watch-interval-seconds 0; else serve --watch-interval-minutes 0; fi
        idle="-"; loaded="-"
        if [ "$mode" = on ]; then
            sleep 3  # idle: the first look (which records the start once) and those after it
            read -r idle_count idle_sum < <(looks)
            idle="$idle_count × $(awk "BEGIN { printf \"%.0f\", $idle_sum / ($idle_count > 0 ? $idle_count : 1) * 1000 }") ms"
        fi
        feed "$WARMUP"
        [ "$mode" = on ] && read -r warm_count warm_sum < <(looks)
        feed "$DURATION"
        read -r rps p50 p99 bad < <(summarize "$work/wrk.out")
        if [ "$mode" = on ]; then
            read -r count sum < <(looks)
            n=$((count - warm_count))
            loaded="$n × $(awk "BEGIN { printf \"%.0f\", ($sum - $warm_sum) / ($n > 0 ? $n : 1) * 1000 }") ms"
            echo "$idle_count $idle_sum $n $(awk "BEGIN { print $sum - $warm_sum }")" >>"$work/looks"
        fi
        echo "$rps $p99" >>"$work/$mode"
        printf '%-34s %9s %8s %8s %7s %14s %14s\n' "  round $round, watcher $mode" "$rps" "$p50" "$p99" "$bad" "$idle" "$loaded"
        stop_server
        if [ "$mode" = on ]; then
            on_status=$(status)
            [ "$on_status" = running ] || echo "  (the watcher changed $EXPERIMENT to $on_status during this run: its later looks are not comparable)"
        fi
    done
done
db="$base"

off_rps=$(cut -d' ' -f1 "$work/off" | median); on_rps=$(cut -d' ' -f1 "$work/on" | median)
off_p99=$(cut -d' ' -f2 "$work/off" | median); on_p99=$(cut -d' ' -f2 "$work/on" | median)
read -r idle_ms loaded_ms < <(awk '{ ic += $1; is += $2; lc += $3; ls += $4 }
    END { printf "%.0f %.0f\n", is / (ic > 0 ? ic : 1) * 1000, ls / (lc > 0 ? lc : 1) * 1000 }' "$work/looks")
echo
echo "medians of $ROUNDS runs each, $(exposed) users exposed to $EXPERIMENT (after the watcher's runs: $on_status):"
printf '  watcher off:                    %6s pages/s, p99 %s ms\n' "$off_rps" "$off_p99"
printf '  watcher looking back to back:   %6s pages/s, p99 %s ms\n' "$on_rps" "$on_p99"
printf '  on / off:                       %6s pages/s, %s × p99\n' \
    "$(awk "BEGIN { printf \"%.2f\", $on_rps / $off_rps }")" "$(awk "BEGIN { printf \"%.2f\", $on_p99 / $off_p99 }")"
printf '  one look (every running experiment; %s exposed): %s ms idle, %s ms under the load\n' "$(exposed)" "$idle_ms" "$loaded_ms"
printf '  at the default interval (10 minutes) that is %s %% of one thread\n' "$(awk "BEGIN { printf \"%.3f\", $loaded_ms / 600000 * 100 }")"
