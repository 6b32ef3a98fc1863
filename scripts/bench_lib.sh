# Shared by the benchmark scripts (sourced, not run).

# wrk_summary FILE...: wrk --latency outputs summed into one line,
# "requests/s p50_ms p99_ms non2xx requests": requests/s, non-2xx and requests summed over the
# files (several wrk at once, one per node), latencies the slowest file's.
wrk_summary() {
    awk '
        function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
        /Requests\/sec/ { rps += $2 }
        / requests in / { total += $1 }
        $1 == "50%" { v = ms($2); if (v > p50) p50 = v }
        $1 == "99%" { v = ms($2); if (v > p99) p99 = v }
        /Non-2xx/ { bad += $5 }
        END { printf "%.0f %.1f %.1f %d %d\n", rps, p50, p99, bad, total }' "$@"
}

# The median of the numbers on stdin, one per line.
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
