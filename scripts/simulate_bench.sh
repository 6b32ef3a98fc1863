#!/usr/bin/env bash
# Simulation benchmark: `quanzi ab simulate` (release) at growing sizes, each line the run's own
# timing split (seed, Lua behaviour, feed requests, other actions, analysis) and service calls
# per second. The issue's goal is 100,000 users × 14 days within 60 s; sizes here stop where a
# run still takes minutes, and BENCH_SIZES overrides them ("users:days ...").
#
# Usage: scripts/simulate_bench.sh [path/to/quanzi]      (default: .build/release/quanzi)
set -euo pipefail

QUANZI=${1:-.build/release/quanzi}
SIZES=${BENCH_SIZES:-"500:1 1000:1 2000:1 4000:1 2000:3"}
EXPERIMENT=campus-open-posting

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

printf '%-14s %9s %9s %s\n' "users x days" "seconds" "calls/s" "where the time went"
for size in $SIZES; do
    users=${size%%:*}
    days=${size##*:}
    "$QUANZI" ab simulate "$EXPERIMENT" --users "$users" --days "$days" --out "$work" >"$work/out.log" 2>"$work/err.log"
    line=$(grep '^time ' "$work/out.log")
    total=$(sed -n 's/^time \([0-9.]*\)s:.*/\1/p' <<<"$line")
    rate=$(sed -n 's/.*; \([0-9]*\) service calls\/s/\1/p' <<<"$line")
    split=$(sed -n 's/^time [0-9.]*s: \(.*\);.*/\1/p' <<<"$line")
    printf '%-14s %9s %9s %s\n' "$users x $days" "$total" "$rate" "$split"
done

# The longer calibration `make test` cannot afford: more exposed users and more A/A splits, with
# a planted +10% on likes for the observed-versus-predicted power.
echo
"$QUANZI" ab calibrate "$EXPERIMENT" --runs 1000 --users 3000 --days 1 --traffic 1 --seed 5 \
    --planted-effect likes_per_user=+10% 2>/dev/null | grep -v '^A/A split\|^planted split'
