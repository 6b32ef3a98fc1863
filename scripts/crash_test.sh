#!/usr/bin/env bash
# Crash test for the wallet: start a transfer load through group commit, SIGKILL it mid-flight,
# reopen the database and prove with `quanzi ledger verify` that the ledger is consistent and
# that every transfer acknowledged before the kill is present. Several rounds on the same
# database, each killed at a different moment, each adding to what the next one must keep.
# Then `quanzi backup` during a load, and `quanzi restore` of that backup, verified the same way.
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

# Backup while the load runs: `quanzi backup` must hold every transfer acknowledged before it
# began; then `quanzi restore` puts it in place of the stopped database (refused while the load
# still has it open), and the restored database verifies the same way.
acks="$work/acks-backup.txt"
"$QUANZI" ledger load --db "$db" --transfers "$TRANSFERS_PER_ROUND" --seed 999 --print-acks >"$acks" 2>"$work/load-backup.err" &
load_pid=$!
while [ "$(wc -l <"$acks")" -lt "$ACKS_BEFORE_KILL" ]; do
    kill -0 "$load_pid" 2>/dev/null || { cat "$work/load-backup.err" >&2; fail "backup: the load exited on its own"; }
    sleep 0.05
done
{ cat "$work"/acks-*.txt | grep -x '[0-9][0-9]*'; } >"$work/before-backup.txt" || true
"$QUANZI" backup --db "$db" --to "$work/backup.sqlite" || fail "backup while the load runs"
if "$QUANZI" restore --from "$work/backup.sqlite" --db "$db" 2>"$work/restore-refused.err"; then
    fail "restore replaced a database the load still had open"
fi
grep -q "open in another process" "$work/restore-refused.err" || fail "restore refused for another reason: $(cat "$work/restore-refused.err")"
kill -KILL "$load_pid"
wait "$load_pid" 2>/dev/null || true
load_pid=""
"$QUANZI" ledger verify --db "$work/backup.sqlite" --acknowledged "$work/before-backup.txt" || fail "ledger verify of the backup"
"$QUANZI" restore --from "$work/backup.sqlite" --db "$db" --discard-previous || fail "restore of a stopped database"
"$QUANZI" ledger verify --db "$db" --acknowledged "$work/before-backup.txt" || fail "ledger verify after the restore"
echo "backup test passed: a backup during a load holds all $(wc -l <"$work/before-backup.txt") transfers acknowledged before it; restored and verified"
