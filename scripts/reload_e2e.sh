#!/usr/bin/env bash
# End to end: a real `quanzi serve --watch` takes new scripts while it serves, refuses broken ones,
# and does not grow with reloads.
#
#   1. a new circle file copied into plugins/ answers requests within seconds (the folder watch);
#   2. a broken circle file is refused: the log names its file:line, GET /v1/admin/plugins still
#      shows the old set, and the old circles keep answering; removing it lets the next change in;
#   3. SIGHUP reloads an edited file;
#   4. RELOADS reloads (POST /v1/admin/reload, a file flipping between two versions) leave the
#      resident set flat: RSS after a warm-up of WARMUP reloads and after RELOADS more, side by
#      side; more than RSS_GROWTH_MAX_KIB growth fails.
#
# Usage: scripts/reload_e2e.sh [path/to/quanzi]      (default: .build/release/quanzi)
set -euo pipefail

QUANZI=${1:-.build/release/quanzi}
PORT=${PORT:-18497}
WARMUP=${WARMUP:-100}
RELOADS=${RELOADS:-1000}
RSS_GROWTH_MAX_KIB=${RSS_GROWTH_MAX_KIB:-16384}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

# shellcheck source=scripts/server_lib.sh
. "$here/server_lib.sh"
server_scratch reload_e2e

cp -r "$root/plugins" "$work/plugins"
cp -r "$root/experiments" "$work/experiments"
db="$work/reload.sqlite"
flags=(--db "$db" --plugins "$work/plugins" --experiments "$work/experiments")
"$QUANZI" seed "${flags[@]}" --users 50 >/dev/null
admin=$("$QUANZI" token 1 --admin "${flags[@]}")
user=$("$QUANZI" token 2 "${flags[@]}")
url="http://127.0.0.1:$PORT"

"$QUANZI" serve "${flags[@]}" --port "$PORT" --watch --api-rate 1000000 >"$work/serve.log" 2>&1 &
server=$!
wait_healthy "$url" || fail "the server did not start"
get() { curl -sf -H "Authorization: Bearer $admin" "$url$1"; }
set_version() { get /v1/admin/plugins | jq -r .set_version; }
first=$(set_version)
echo "serving set $first ($(get /v1/admin/plugins | jq -r '[.files[] | .file + "@" + .version] | join(", ")'))"

circle() {  # circle ID REASON: a circle file anyone verified may post in
    cat <<LUA
return quanzi.circle {
  id = "$1",
  title = "$1",
  rules = {
    view = function(user, circle, post) return true end,
    post = function(user, circle, post) return user.verified, "$2" end,
    comment = function(user, circle, post) return true end,
    like = function(user, circle, post) return true end,
    report = function(user, circle, post) return true end,
  },
  tests = { { name = "a verified user posts", action = "post", expect = true, user = { verified = true } } },
}
LUA
}

# 1. A new circle, copied in.
circle book-club "verified users only" >"$work/book-club.lua"
copied=$(date +%s.%N)
cp "$work/book-club.lua" "$work/plugins/book-club.lua"
answered=""
for _ in $(seq 1 100); do
    if curl -sf -o /dev/null -H "Authorization: Bearer $user" "$url/v1/circles/book-club"; then answered=$(date +%s.%N); break; fi
    sleep 0.1
done
[ -n "$answered" ] || fail "the new circle never answered"
status=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $user" -H 'Content-Type: application/json' \
    -d '{"body": "first post in the book club"}' "$url/v1/circles/book-club/posts")
[ "$status" = 201 ] || [ "$status" = 200 ] || fail "posting in the new circle answered $status"
second=$(set_version)
printf '1. new circle: copied into plugins/, answered %.1f s later (POST a post: %s); set %s -> %s\n' \
    "$(echo "$answered - $copied" | bc)" "$status" "$first" "$second"
grep -m1 'scripts reloaded' "$work/serve.log" | sed 's/^/   log: /'

# 2. A broken circle, copied in: refused, the old set keeps serving.
printf 'return quanzi.circle {\n  id = "broken",\n  title = "Broken",\n  rules = { view = 42 },\n}\n' >"$work/plugins/broken.lua"
for _ in $(seq 1 100); do grep -q 'reload refused' "$work/serve.log" && break; sleep 0.1; done
grep -q 'reload refused' "$work/serve.log" || fail "the broken file was not refused"
grep -q "plugins/broken.lua:4: " "$work/serve.log" || fail "the refusal does not name broken.lua:4"
[ "$(set_version)" = "$second" ] || fail "the set changed after a refused reload"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $user" "$url/v1/circles/book-club/feed")
[ "$code" = 200 ] || fail "the old set stopped answering ($code)"
refusal=$(curl -s -X POST -H "Authorization: Bearer $admin" "$url/v1/admin/reload")
echo "2. broken circle: refused, still serving $second (feed: $code)"
grep 'broken.lua:4' "$work/serve.log" | head -1 | sed 's/^/   log: /'
echo "   POST /v1/admin/reload: $(echo "$refusal" | jq -c '.error | {code, problems}')"
rm "$work/plugins/broken.lua"

# 3. SIGHUP after an edit (the watch would also see it; the signal is first).
sleep 1.5
before=$(set_version)
circle book-club "members only" >"$work/plugins/book-club.lua"
kill -HUP "$server"
for _ in $(seq 1 100); do [ "$(set_version)" != "$before" ] && break; sleep 0.05; done
after=$(set_version)
[ "$after" != "$before" ] || fail "SIGHUP did not reload"
grep -q 'trigger=sighup' "$work/serve.log" || grep -q 'trigger=watch' "$work/serve.log" || fail "no reload logged"
echo "3. SIGHUP: set $before -> $after ($(grep -c 'trigger=sighup' "$work/serve.log") reload(s) logged with trigger=sighup)"

# 4. RSS across reloads, through the API (the watch is left with nothing to do: the file is
#    rewritten and reloaded at once, each time to the other version).
rss() { awk '/^VmRSS/ {print $2}' "/proc/$server/status"; }
flip() {  # flip N: N reloads, alternating two versions of book-club.lua
    local n=$1
    for i in $(seq 1 "$n"); do
        circle book-club "version $((i % 2))" >"$work/plugins/book-club.lua"
        curl -sf -o /dev/null -X POST -H "Authorization: Bearer $admin" "$url/v1/admin/reload" || fail "reload $i failed"
    done
}
start=$(rss)
flip "$WARMUP"
warm=$(rss)
t0=$(date +%s.%N)
flip "$RELOADS"
t1=$(date +%s.%N)
end=$(rss)
generation=$(get /v1/admin/plugins | jq -r .generation)
growth=$((end - warm))
printf '4. RSS: %d KiB at start, %d KiB after %d warm-up reloads, %d KiB after %d more (%+d KiB, %.1f ms per reload); generation %s\n' \
    "$start" "$warm" "$WARMUP" "$end" "$RELOADS" "$growth" "$(echo "($t1 - $t0) * 1000 / $RELOADS" | bc -l)" "$generation"
[ "$growth" -le "$RSS_GROWTH_MAX_KIB" ] || fail "RSS grew by $growth KiB over $RELOADS reloads (more than $RSS_GROWTH_MAX_KIB)"
curl -sf "$url/metrics" | grep -E '^quanzi_(plugin_version_info\{folder="plugins",file="book-club|script_generation|script_reloads_total)' | sed 's/^/   metrics: /'
echo "reload_e2e: ok"
