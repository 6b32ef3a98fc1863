// Experiments benchmark: the cost of one assignment, and the analysis of a large events table
// on SQLite (events streamed into the tally) and, when PG_URL or QUANZI_PG_URL names a server, on
// PostgreSQL (per-user sums in SQL), side by side on the same seeded world. Usage:
//   swift run -c release experiments-compare [events]      (default 10,000,000 events)
// Each analysis runs in a child process of this executable (`--analyse sqlite PATH`,
// `--analyse postgres URL`), so its peak memory is its own and not the loader's.
import Core
import Experiments
import Foundation
import PostgresStorage
import SQLiteStorage

let arguments = CommandLine.arguments
if arguments.count == 4, arguments[1] == "--analyse" {
    let run = try await onThread {
        arguments[2] == "postgres" ? try PostgresBench.analyse(url: arguments[3]) : try SQLiteBench.analyse(path: arguments[3])
    }
    try run.printed()
    exit(0)
}

/// Synchronous stores block: run them on a thread of their own, never on the cooperative pool.
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

// MARK: Assignment

let experiment = ExperimentDefinition(id: "bench", layer: .init(name: "bench-layer", range: BucketRange(start: 0, end: 0.5)), coverage: 0.3,
                                      variants: [.init(key: "control", weight: 0.5), .init(key: "treatment", weight: 0.5)])
let ids = (0..<1_000_000).map { String($0) }
var assigned = 0
let clock = ContinuousClock()
for id in ids.prefix(10_000) { if Assigner.assign(userId: id, to: experiment).variantIndex != nil { assigned += 1 } }
assigned = 0
let assignmentTime = clock.measure {
    for id in ids { if Assigner.assign(userId: id, to: experiment).variantIndex != nil { assigned += 1 } }
}
print(String(format: "assignment: %.0f ns per call (1M users, layer slice 50%%, traffic 30%%: %d assigned)",
             seconds(assignmentTime) / Double(ids.count) * 1e9, assigned))

// MARK: Analysis of many events

let requested = arguments.count > 1 ? Int(arguments[1]) ?? 10_000_000 : 10_000_000
let world = BenchWorld(events: requested)
let pages = world.blockCount * BenchWorld.pagesPerBlock
print(String(format: "analysis of %d events (%d event rows, %d viewed pages of %d posts) for %d exposed users, 5 metrics (2 ratios, 1 by target):",
             world.eventCount, world.blockCount * BenchWorld.eventsPerBlock, pages, BenchWorld.postsPerPage, BenchWorld.userCount))

var sqliteDatabase: QuanziDatabase?
let sqliteLoadTime = try clock.measure { sqliteDatabase = try SQLiteBench.load(world) }
guard let sqliteDatabase else { fatalError("no SQLite database") }
defer { try? sqliteDatabase.removeFiles() }
print(String(format: "  SQLite: loaded in %.1f s (prepared INSERTs, one transaction)", seconds(sqliteLoadTime)))
var runs = [try AnalysisRun.inChildProcess(["--analyse", "sqlite", sqliteDatabase.path])]

let environment = ProcessInfo.processInfo.environment
if let url = [environment["PG_URL"], environment["QUANZI_PG_URL"]].compactMap({ $0 }).first(where: { !$0.isEmpty }) {
    try await PostgresBench.withScratchDatabase(url: url) { scratchURL, client in
        let loadTime = try await clock.measure { try await PostgresBench.load(world, into: client) }
        print(String(format: "  PostgreSQL: loaded in %.1f s (COPY, then VACUUM ANALYZE)", seconds(loadTime)))
        runs.append(try AnalysisRun.inChildProcess(["--analyse", "postgres", scratchURL]))
    }
} else {
    print("  PostgreSQL: skipped (set PG_URL or QUANZI_PG_URL, e.g. `make bench` after `make pg-up`)")
}

print("                read s   statistics s   peak MiB   events read")
for run in runs {
    print("  " + run.backend.padding(toLength: 12, withPad: " ", startingAt: 0)
        + String(format: " %7.2f   %12.3f   %8.0f   %11d", run.readSeconds, run.statisticsSeconds, run.peakResidentMiB, run.eventsRead))
}
print(String(format: "  SQLite: %.1f M events/s; goal ≤ 10 s for 10M events", Double(runs[0].eventsRead) / runs[0].readSeconds / 1e6))
if runs.count == 2 {
    let (sqlite, postgres) = (runs[0], runs[1])
    print(String(format: "  PostgreSQL / SQLite: %.2f× the time (goal ≤ 2×), %.2f× the peak memory of the analysing process", postgres.readSeconds / sqlite.readSeconds,
                 postgres.peakResidentMiB / sqlite.peakResidentMiB))
    print("  (the PostgreSQL figure is the client's: the server ran the GROUP BY, with work_mem \(PostgresMetricReader.workMemMiB) MB per hash table)")
    guard postgres.fingerprint == sqlite.fingerprint, postgres.eventsRead == sqlite.eventsRead else {
        print("  the backends' observations DIFFER:\n    SQLite     \(sqlite.fingerprint)\n    PostgreSQL \(postgres.fingerprint)")
        exit(1)
    }
    print("  same observations on both backends (every variant's sums, to the bit)")
}
print("summary: \(runs[0].summary)")
