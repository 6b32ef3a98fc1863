#!/usr/bin/env bash
# Crash test for the wallet: start a transfer load through group commit, SIGKILL it mid-flight,
# reopen the database and prove with `quanzi ledger verify` that the ledger is consistent and
# that every transfer acknowledged before the kill is present. Several rounds on the same
# database, each killed at a different moment, each adding to what the next one must keep.
#
# Usage: scripts/crash_test.sh [path/to/quanzi]        (default: .build/debug/quanzi)
set -euo pipefail

QUANZI=${1:-.build/debug/quanzi}
ROUNDS=${CRASH_TEST_ROUNDS:-5}
# Acknowledged transfers to wait for before the kill, so it lands in a running load.
ACKS_BEFORE_KILL=${CRASH_TEST_ACKS_BEFORE_KILL:-2000}
# Far more transfers than a round can send: the load is always killed, never finishes.
TRANSFERS_PER_ROUND=100000000
STARTUP_TIMEOUT_SECONDS=60

work=$(mktemp -d)
load_pid=""
cleanup() {
    if [ -n "$load_pid" ] && kill -0 "$load_pid" 2>/dev/null; then kill -KILL "$load_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
db="$work/crash.sqlite"

fail() {
    echo "crash test FAILED: $*" >&2
    exit 1
}

total_acks=0
for round in $(seq 1 "$ROUNDS"); do
    acks="$work/acks-$round.txt"
    : >"$acks"
    "$QUANZI" ledger load --db "$db" --transfers "$TRANSFERS_PER_ROUND" --seed "$round" --print-acks \
        >"$acks" 2>"$work/load-$round.err" &
    load_pid=$!

    deadline=$((SECONDS + STARTUP_TIMEOUT_SECONDS))
    while [ "$(wc -l <"$acks")" -lt "$ACKS_BEFORE_KILL" ]; do
        kill -0 "$load_pid" 2>/dev/null || { cat "$work/load-$round.err" >&2; fail "round $round: the load exited on its own"; }
        [ "$SECONDS" -lt "$deadline" ] || fail "round $round: fewer than $ACKS_BEFORE_KILL acknowledgements in ${STARTUP_TIMEOUT_SECONDS}s"
        sleep 0.05
    done
    # A random extra 0–0.49 s so each round dies at a different point of a batch.
    sleep "$(printf '0.%02d' $((RANDOM % 50)))"
    kill -KILL "$load_pid"
    status=0
    wait "$load_pid" 2>/dev/null || status=$?
    load_pid=""
    [ "$status" -eq 137 ] || fail "round $round: the load ended with status $status, not by SIGKILL"

    # A line cut short by the kill was never a complete acknowledgement: drop it.
    if [ -s "$acks" ] && [ -n "$(tail -c 1 "$acks")" ]; then sed -i '$d' "$acks"; fi
    round_acks=$(wc -l <"$acks")
    total_acks=$((total_acks + round_acks))

    # Every round's acknowledgements so far: a later crash must not lose an earlier transfer.
    cat "$work"/acks-*.txt >"$work/all-acks.txt"
    echo "round $round: killed after $round_acks acknowledged transfers; verifying all $total_acks"
    "$QUANZI" ledger verify --db "$db" --acknowledged "$work/all-acks.txt" || fail "round $round: ledger verify"
done
echo "crash test passed: $ROUNDS SIGKILLs, $total_acks acknowledged transfers all present, ledger consistent"
