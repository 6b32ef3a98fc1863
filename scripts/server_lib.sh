# Shared by the scripts that start `quanzi serve` (sourced, not run).

# server_scratch NAME: makes the scratch folder $work, removed at exit after stopping the server
# whose pid is in $server (set it when you start one); `fail` then names NAME.
server_scratch() {
    script_name=$1
    work=$(mktemp -d)
    server=""
    trap server_cleanup EXIT
}

server_cleanup() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    rm -rf "$work"
}

# fail MESSAGE: says NAME: FAIL: MESSAGE with the last lines of $work/serve.log, and exits 1.
fail() {
    echo "$script_name: FAIL: $*" >&2
    if [ -f "$work/serve.log" ]; then echo "--- server log (last 30 lines)" >&2; tail -30 "$work/serve.log" >&2; fi
    exit 1
}

# wait_healthy URL: waits up to 30 s for URL/healthz to answer; false if it never does.
wait_healthy() {
    for _ in $(seq 1 300); do curl -sf "$1/healthz" >/dev/null && return 0; sleep 0.1; done
    return 1
}
