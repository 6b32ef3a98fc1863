#!/usr/bin/env bash
# Simulation benchmark: `quanzi ab simulate` (release) at growing sizes, as milliseconds of wall
# time per simulated user-day (the run's whole time, seeding included, over users × days), with
# each run's own timing split. Issue #24's goal: the cost per user-day stays flat as the
# population grows, and 100,000 users × 14 days run in 10 minutes or less on 2 cores.
#
# Sizes: BENCH_SIZES ("users:days ...", default below), then one large run, BENCH_LARGE
# (default 100000:14; BENCH_LARGE=none skips it), then a long calibration (BENCH_CALIBRATION=0 skips it).
# BASELINE=path/to/old/quanzi runs every size with that binary too and prints both side by side:
# its time, new ÷ old, and whether the two reports are byte for byte the same (a run is
# deterministic by seed, so an unchanged outcome means the same report). The baseline's large
# run only with BASELINE_LARGE=1 (the old binary may take most of an hour). "cpu ms" is user +
# system CPU time per user-day.
#
# Usage: [BASELINE=old/quanzi] scripts/simulate_bench.sh [path/to/quanzi]   (default: .build/release/quanzi)
set -euo pipefail

QUANZI=${1:-.build/release/quanzi}
SIZES=${BENCH_SIZES:-"1000:1 4000:1 16000:1 64000:1 2000:3"}
LARGE=${BENCH_LARGE:-"100000:14"}
BASELINE=${BASELINE:-}
EXPERIMENT=campus-open-posting

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Runs one size with one binary into $work/$label; prints "seconds ms-per-user-day cpu-ms-per-user-day split".
# CPU time (user + system) is printed too: on a machine shared with other work it moves far less
# than wall time does.
run_size() {
    local binary=$1 label=$2 users=$3 days=$4
    mkdir -p "$work/$label"
    /usr/bin/time -f '%e %U %S' -o "$work/$label/time" \
        "$binary" ab simulate "$EXPERIMENT" --users "$users" --days "$days" --out "$work/$label" >"$work/$label/out.log" 2>"$work/$label/err.log"
    local split
    split=$(sed -n 's/^time [0-9.]*s: \(.*\);.*/\1/p' "$work/$label/out.log")
    awk -v u="$users" -v d="$days" -v timing_split="$split" \
        '{ printf "%.1f %.3f %.3f %s\n", $1, $1 * 1000 / (u * d), ($2 + $3) * 1000 / (u * d), timing_split }' "$work/$label/time"
}

if [[ -n $BASELINE ]]; then
    printf '%-14s %8s %11s %8s %8s %11s %8s %8s %5s  %s\n' "users x days" "seconds" "ms/user-day" "cpu ms" \
        "old s" "old ms/u-d" "old cpu" "new÷old" "same" "where the time went (new)"
else
    printf '%-14s %8s %11s %8s  %s\n' "users x days" "seconds" "ms/user-day" "cpu ms" "where the time went"
fi

bench() {
    local size=$1 with_baseline=$2
    local users=${size%%:*} days=${size##*:}
    read -r seconds per_user_day cpu split < <(run_size "$QUANZI" "new-$users-$days" "$users" "$days")
    if [[ -n $BASELINE && $with_baseline == yes ]]; then
        read -r old_seconds old_per_user_day old_cpu _ < <(run_size "$BASELINE" "old-$users-$days" "$users" "$days")
        local same=no
        cmp -s "$work/new-$users-$days/$EXPERIMENT/report.json" "$work/old-$users-$days/$EXPERIMENT/report.json" && same=yes
        local ratio
        ratio=$(awk -v n="$seconds" -v o="$old_seconds" 'BEGIN { printf "%.2f", n / o }')
        printf '%-14s %8s %11s %8s %8s %11s %8s %8s %5s  %s\n' "$users x $days" "$seconds" "$per_user_day" "$cpu" \
            "$old_seconds" "$old_per_user_day" "$old_cpu" "$ratio" "$same" "$split"
    elif [[ -n $BASELINE ]]; then
        printf '%-14s %8s %11s %8s %8s %11s %8s %8s %5s  %s\n' "$users x $days" "$seconds" "$per_user_day" "$cpu" "-" "-" "-" "-" "-" "$split"
    else
        printf '%-14s %8s %11s %8s  %s\n' "$users x $days" "$seconds" "$per_user_day" "$cpu" "$split"
    fi
}

for size in $SIZES; do bench "$size" yes; done
if [[ $LARGE != none ]]; then
    bench "$LARGE" "$([[ ${BASELINE_LARGE:-0} == 1 ]] && echo yes || echo no)"
fi

# The longer calibration `make test` cannot afford: more exposed users and more A/A splits, with
# a planted +10% on likes for the observed-versus-predicted power. BENCH_CALIBRATION=0 skips it.
[[ ${BENCH_CALIBRATION:-1} == 0 ]] && exit 0
echo
"$QUANZI" ab calibrate "$EXPERIMENT" --runs 1000 --users 3000 --days 1 --traffic 1 --seed 5 \
    --planted-effect likes_per_user=+10% 2>/dev/null | grep -v '^A/A split\|^planted split'
