#!/usr/bin/env bash
# Wallet benchmark: durable transfers per second with group commit and with one transaction per
# transfer, side by side on the same machine, then `ledger verify` over a million entries.
# Every figure is end to end through `quanzi ledger load` (fsync included: synchronous=FULL).
#
# Usage: scripts/ledger_bench.sh [path/to/quanzi]      (default: .build/release/quanzi)
set -euo pipefail

QUANZI=${1:-.build/release/quanzi}
CONCURRENCY=512            # concurrent callers, as a busy service would have
USERS=100
GROUP_TRANSFERS=100000
SINGLE_TRANSFERS=10000     # one fsync each: fewer, or the run takes minutes
VERIFY_TRANSFERS=500000    # two entries each: a million entries

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Prints the durable transfers/s the load reports on stderr (its report is kept in the log).
rate() {
    "$QUANZI" ledger load --db "$work/$1.sqlite" --transfers "$2" --users "$USERS" \
        --concurrency "$CONCURRENCY" --commit "$1" 2>"$work/$1.log" >/dev/null
    sed -n 's/.*, \([0-9]*\) durable transfers\/s/\1/p' "$work/$1.log"
}

group=$(rate group "$GROUP_TRANSFERS")
single=$(rate single "$SINGLE_TRANSFERS")
echo
printf '%-34s %12s\n' "commit mode ($CONCURRENCY callers)" "transfers/s"
printf '%-34s %12s\n' "group commit" "$group"
printf '%-34s %12s\n' "one transaction per transfer" "$single"
echo "group commit / per-transfer: $(awk "BEGIN { printf \"%.1f\", $group / $single }")x"

echo
"$QUANZI" ledger load --db "$work/verify.sqlite" --transfers "$VERIFY_TRANSFERS" --users "$USERS" \
    --concurrency "$CONCURRENCY" 2>/dev/null
start=$(date +%s%N)
"$QUANZI" ledger verify --db "$work/verify.sqlite"
end=$(date +%s%N)
echo "ledger verify: $(( (end - start) / 1000000 )) ms"
