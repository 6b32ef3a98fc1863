#!/usr/bin/env bash
# Builds the libFuzzer targets in Fuzz/ (with AddressSanitizer) and runs each for a bounded time.
#
# Usage: scripts/fuzz.sh SECONDS_PER_TARGET [--grow]
#   make test runs it briefly: new inputs go to a scratch folder, the repo's corpus only seeds.
#   make fuzz runs it longer with --grow: new inputs that reach new code join Fuzz/Corpus, which
#   is then minimized (libFuzzer's -merge) before you commit it.
# A crash leaves its input as Fuzz/crash-* (libFuzzer's artifact) and fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:?usage: scripts/fuzz.sh SECONDS_PER_TARGET [--grow]}
grow=${2:-}
targets=(FuzzFeedCursor FuzzRequestBody)

# --sanitize instruments the fuzz package's own targets only; -Xswiftc reaches the main
# package's targets too (Feed, APIInput…), which is where the code under test is.
build=(swift build -c release --package-path Fuzz --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address)
"${build[@]}" >"${TMPDIR:-/tmp}/quanzi-fuzz-build.log" 2>&1 || { tail -n 40 "${TMPDIR:-/tmp}/quanzi-fuzz-build.log" >&2; exit 1; }
bin=$("${build[@]}" --show-bin-path)

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for target in "${targets[@]}"; do
    corpus=Fuzz/Corpus/$target
    if [ "$grow" = --grow ]; then
        dirs=("$corpus")
    else
        mkdir -p "$scratch/$target"
        dirs=("$scratch/$target" "$corpus")
    fi
    # -rss_limit_mb and -timeout: a single input that takes memory or time is a finding too.
    "$bin/$target" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix=Fuzz/crash-"$target"- "${dirs[@]}" 2>"$scratch/$target.log" || {
        tail -n 40 "$scratch/$target.log" >&2
        echo "fuzz: $target failed; the input is in Fuzz/crash-$target-*" >&2
        exit 1
    }
    if [ "$grow" = --grow ]; then
        # Keep only inputs that add coverage (libFuzzer's merge), so the committed corpus stays small.
        mkdir -p "$scratch/$target-min"
        "$bin/$target" -merge=1 "$scratch/$target-min" "$corpus" >/dev/null 2>&1
        rm -rf "$corpus" && cp -r "$scratch/$target-min" "$corpus"
    fi
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$scratch/$target.log" | grep -o '[0-9]*$' || echo "?")
    coverage=$(grep -o 'cov: [0-9]*' "$scratch/$target.log" | tail -n 1 || true)
    echo "fuzz: $target: $runs inputs in ${seconds}s, no crash ($coverage)"
done
