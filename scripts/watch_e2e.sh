#!/usr/bin/env bash
# End to end: a real `quanzi serve` stops a running experiment by itself when its guardrail is
# violated. Nothing but the HTTP API and the clock act on the experiment:
#
#   1. campus-comment-credit (experiments/) on every user, its guardrail on the reports each exposed
#      user's posts receive (reports_received_per_user, at most +10 %), on a seeded world;
#   2. `serve --watch-interval-seconds 2` (a benchmark and test flag; production looks every
#      --watch-interval-minutes): its first look records the start;
#   3. every user opens campus-diary (GET /v1/circles/campus-diary evaluates the comment rule,
#      which reads the experiment's parameter): all are exposed;
#   4. as many posters of each arm post in campus-diary, and other users report each treatment
#      post three times and each control post once;
#   5. within a few looks the server records the stop (actor "watcher", the guardrail as the
#      reason), logs it, and serves control to everyone: GET /v1/experiments/:id says "stopped".
#
# Usage: scripts/watch_e2e.sh [path/to/quanzi]      (default: .build/release/quanzi)
set -euo pipefail

QUANZI=${1:-.build/release/quanzi}
USERS=${USERS:-3000}
POSTERS=${POSTERS:-80}     # per arm: each posts once; a treatment poster's post gets 3 reports, a control one's 1
PORT=${PORT:-18495}
EXPERIMENT=campus-comment-credit
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

# shellcheck source=scripts/server_lib.sh
. "$here/server_lib.sh"
server_scratch watch_e2e

cp -r "$root/experiments" "$work/experiments"
sed -i -e 's/^  traffic = 0\.10,$/  traffic = 1.0,/' -e 's/^    return user\.verified$/    return true/' \
    -e '/verified = false }, targeted = false/d' \
    -e 's/{ metric = "report_rate", max_relative_increase = 0\.10 }/{ metric = "reports_received_per_user", max_relative_increase = 0.10 }/' \
    "$work/experiments/$EXPERIMENT.lua"
grep -q 'reports_received_per_user' "$work/experiments/$EXPERIMENT.lua" || { echo "watch_e2e: could not edit $EXPERIMENT" >&2; exit 1; }
db="$work/e2e.sqlite"
flags=(--db "$db" --experiments "$work/experiments" --plugins "$root/plugins")

"$QUANZI" seed "${flags[@]}" --users "$USERS" >/dev/null
"$QUANZI" token $(seq 1 "$USERS") "${flags[@]}" >"$work/tokens"
admin=$("$QUANZI" token 1 --admin "${flags[@]}")
token() { sed -n "${1}p" "$work/tokens"; }
url="http://127.0.0.1:$PORT"

"$QUANZI" serve "${flags[@]}" --port "$PORT" --api-rate 1000000 --money-rate 1000000 --watch-interval-seconds 2 \
    >"$work/serve.log" 2>&1 &
server=$!
wait_healthy "$url" || fail "the server did not start"
experiment() { curl -sf -H "Authorization: Bearer $admin" "$url/v1/experiments/$EXPERIMENT"; }
echo "serving; GET /v1/experiments/$EXPERIMENT: $(experiment | jq -c '{status, declared_traffic, history: [.history[]? | .kind + " by " + .actor]}')"

# 3. Everyone opens the circle.
export TOKENS_FILE="$work/tokens" FIRST_USER=1
for _ in $(seq 1 10); do
    FEED_PATH="/v1/circles/campus-diary" wrk -t2 -c32 -d3s -s "$here/wrk/feed.lua" "$url" >/dev/null 2>&1
    exposed=$(sqlite3 "$db" "SELECT count(*) FROM exposures WHERE experiment_id = '$EXPERIMENT'")
    [ "$exposed" -ge $((USERS * 95 / 100)) ] && break
done
echo "exposed: $exposed users ($(sqlite3 "$db" "SELECT group_concat(variant || ' ' || n, ', ') FROM (SELECT variant, count(*) AS n FROM exposures WHERE experiment_id = '$EXPERIMENT' GROUP BY variant)"))"

# 4. Posts by exposed verified female students (campus-diary's posters) of each arm, then reports.
posters() {
    sqlite3 "$db" "SELECT e.user_id FROM exposures e JOIN users u ON u.id = e.user_id
        WHERE e.experiment_id = '$EXPERIMENT' AND e.variant = '$1' AND u.verified = 1 AND u.gender = 'female'
          AND u.occupation = 'student' ORDER BY e.user_id LIMIT $POSTERS"
}
reporter=$((USERS / 2))
report() {  # report POST_ID: one report by the next reporter
    reporter=$((reporter + 1))
    curl -sf -o /dev/null -X POST -H "Authorization: Bearer $(token "$reporter")" -H 'Content-Type: application/json' \
        -d '{"reason": "spam"}' "$url/v1/posts/$1/reports"
}
reports=0
first_report=$(date +%s)
for arm in treatment control; do
    index=0
    for user in $(posters "$arm"); do
        index=$((index + 1))
        id=$(curl -sf -X POST -H "Authorization: Bearer $(token "$user")" -H 'Content-Type: application/json' \
            -d "{\"body\": \"diary $arm $index\"}" "$url/v1/circles/campus-diary/posts" | jq -r .id)
        if [ "$arm" = treatment ]; then report "$id"; report "$id"; report "$id"; reports=$((reports + 3))
        else report "$id"; reports=$((reports + 1)); fi
    done
    echo "$arm: $index posts"
done
echo "$reports reports filed from $(date -d "@$first_report" +%T) to $(date +%T); waiting for the watcher"

# 5. The server stops it on its own.
for _ in $(seq 1 60); do
    [ "$(sqlite3 "$db" "SELECT count(*) FROM experiment_changes WHERE experiment_id = '$EXPERIMENT' AND kind = 'stopped'")" = 1 ] && break
    sleep 1
done
echo
sqlite3 -header -column "$db" "SELECT revision, kind, status, actor, datetime(at, 'unixepoch') AS at, reason FROM experiment_changes
    WHERE experiment_id = '$EXPERIMENT' ORDER BY revision"
echo
grep -F "experiment stopped" "$work/serve.log" || true
status=$(experiment | jq -r '.status')
echo
stopped_at=$(sqlite3 "$db" "SELECT at FROM experiment_changes WHERE experiment_id = '$EXPERIMENT' AND kind = 'stopped'")
echo "GET /v1/experiments/$EXPERIMENT: status $status (stopped ${stopped_at:+$((stopped_at - first_report)) s after the first report})"
before=$(sqlite3 "$db" "SELECT count(*) FROM exposures WHERE experiment_id = '$EXPERIMENT'")
FEED_PATH="/v1/circles/campus-diary" wrk -t2 -c32 -d2s -s "$here/wrk/feed.lua" "$url" >/dev/null 2>&1
after=$(sqlite3 "$db" "SELECT count(*) FROM exposures WHERE experiment_id = '$EXPERIMENT'")
[ "$status" = stopped ] || { echo "watch_e2e: FAILED: the server did not stop $EXPERIMENT" >&2; experiment >&2; tail -20 "$work/serve.log" >&2; exit 1; }
[ "$(sqlite3 "$db" "SELECT actor FROM experiment_changes WHERE experiment_id = '$EXPERIMENT' AND kind = 'stopped'")" = watcher ] \
    || { echo "watch_e2e: FAILED: the stop was not the watcher's" >&2; exit 1; }
[ "$after" = "$before" ] || { echo "watch_e2e: FAILED: $((after - before)) users exposed after the stop" >&2; exit 1; }
echo "watch_e2e: ok — the server stopped $EXPERIMENT by itself; every user opening the circle again exposed nobody ($after exposures)"
