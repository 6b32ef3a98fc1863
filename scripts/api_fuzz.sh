#!/usr/bin/env bash
# Schema-driven fuzzing of the HTTP API. Seeds a small demo world in a temporary database,
# serves it on loopback only, and runs schemathesis (from PyPI, installed into a venv here)
# against /openapi.json with a bounded number of examples per operation and a fixed seed.
# Runs every check schemathesis has (conformance of statuses, content types, headers, bodies and
# Allow; negative data rejected, positive data accepted, auth enforced, deleted resources gone):
# scripts/schemathesis.toml lists the few refusals a schema cannot state. Ends with a SIGTERM and checks the server shut down cleanly.
#
#   scripts/api_fuzz.sh                 # uses .build/debug/quanzi
#   QUANZI=.build/release/quanzi FUZZ_EXAMPLES=50 scripts/api_fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."

QUANZI=${QUANZI:-.build/debug/quanzi}
# Test cases per operation and phase: 37 operations × ~4 phases × 20 ≈ a few thousand requests,
# about a minute on a 2-core machine.
EXAMPLES=${FUZZ_EXAMPLES:-20}
PORT=${FUZZ_PORT:-18080}
SEED=${FUZZ_SEED:-2016}
USERS=200
VENV=.build-fuzz/venv
SCHEMATHESIS='schemathesis>=4.1,<5'
CHECKS=all

[ -x "$QUANZI" ] || { echo "api_fuzz: $QUANZI not found; build it first (swift build --product quanzi)" >&2; exit 2; }
if [ ! -x "$VENV/bin/schemathesis" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet "$SCHEMATHESIS"
fi

work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then kill -KILL "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

db="$work/fuzz.sqlite"
q() { "$QUANZI" "$@" --db "$db"; }
q seed --users "$USERS" >/dev/null
# The fuzzer acts as the seeded admin (user 1), so admin routes are exercised too; a few more
# tokens open wallet accounts, so transfers to users 2–9 can succeed.
token=$(q token 1 --admin)
users_tokens=()
for user in 2 3 4 5 6 7 8 9; do users_tokens+=("$(q token "$user")"); done

# Rate limits are tested in the Swift suite; here they would only turn examples into 429s.
"$QUANZI" serve --db "$db" --host 127.0.0.1 --port "$PORT" --api-rate 1000000 --money-rate 1000000 \
  --log-level warning 2>"$work/server.log" &
server=$!

# Money for the fuzzer's own transfers, tips and red packets, through the API it is about to fuzz.
base="http://127.0.0.1:$PORT"
for _ in $(seq 1 100); do curl -fsS "$base/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fsS -X POST "$base/v1/wallet/top-ups" -H "Authorization: Bearer $token" -H "Idempotency-Key: fuzz-funds" \
  -H "Content-Type: application/json" -d '{"user_id": 1, "amount_fen": 5000000}' >/dev/null
# Friend requests waiting for the fuzzer, so that accepting and declining (reached through the
# document's links from the list of requests) have real requests to act on. A user who is
# already the admin's friend answers 409; the others leave a pending request.
for user_token in "${users_tokens[@]}"; do
  curl -sS -o /dev/null -X POST "$base/v1/friends/requests" -H "Authorization: Bearer $user_token" \
    -H "Content-Type: application/json" -d '{"to_user_id": 1}'
done

status=0
# Logging out would revoke the fuzzer's own token and turn every later example into a 401
# (logOut has its own tests in the Swift suite).
"$VENV/bin/schemathesis" --config-file scripts/schemathesis.toml run "$base/openapi.json" \
  --header "Authorization: Bearer $token" \
  --exclude-operation-id logOut \
  --checks "$CHECKS" \
  --max-examples "$EXAMPLES" \
  --seed "$SEED" \
  --workers 1 \
  --no-color || status=$?

kill -TERM "$server"
if ! wait "$server"; then
  echo "api_fuzz: the server did not shut down cleanly on SIGTERM" >&2
  status=1
fi
server=""
if grep -q " error " "$work/server.log"; then
  echo "api_fuzz: the server logged errors:" >&2
  grep " error " "$work/server.log" >&2
  status=1
fi
exit "$status"
