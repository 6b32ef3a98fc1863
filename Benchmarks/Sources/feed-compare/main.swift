// feed-compare: the Swift feed ranker side by side with the same ranking in pure Lua inside the
// embedded host and as one SQLite query, for 1k/10k/100k/1M candidates, against issue 5's goals
// (10k ≤ 100 µs, 100k ≤ 1 ms, ≥ 100× Lua, ≥ 20× SQLite). Also memory per candidate.
//
// usage: feed-compare [candidate-count ...]        (default: 1000 10000 100000 1000000)
//
// Every figure is the median of several timed runs after one untimed warm-up; Swift and SQLite
// time wall-clock, Lua its CPU time (os.clock): on a loaded machine that only flatters Lua.
// Each row also checks that the implementation put the same 50 posts first as Swift did.
import Feed
import FeedBenchFixtures
import Foundation

struct Timing {
    var medianMicroseconds: Double
    var fastestMicroseconds: Double
}

/// Median (lower) and fastest of `runs` timed calls after one warm-up, in microseconds.
func measure<Result>(runs: Int, _ body: () throws -> Result) rethrows -> (Timing, Result) {
    var result = try body()
    var samples: [Double] = []
    for _ in 0..<runs {
        let start = ContinuousClock.now
        result = try body()
        let elapsed = ContinuousClock.now - start
        samples.append(Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12)
    }
    samples.sort()
    return (Timing(medianMicroseconds: samples[(runs - 1) / 2], fastestMicroseconds: samples[0]), result)
}

/// Runs for a size: enough for a stable median, few for a million posts.
func runs(_ count: Int, budget: Int, most: Int) -> Int { max(3, min(most, budget / count)) }

struct Row {
    var swift: Timing
    var scanned: Int
    var lua: LuaMeasurement
    var sqlite: Timing?
    var sqliteSame: String
    var luaSameSame: String
    var luaPlainSame: String
}

struct Memory {
    var estimate: Int
    var allocated: Double
    var lua: Double
    var sqlite: Double?
}

func sameTop(_ swift: [Int64], _ other: [Int64]) -> String {
    if other.isEmpty { return "–" }
    if swift == other { return "yes" }
    let first = zip(swift, other).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(swift.count, other.count)
    return "no (#\(first + 1))"
}

let arguments = CommandLine.arguments.dropFirst().map { Int($0) }
guard arguments.allSatisfy({ ($0 ?? 0) > 0 }) else {
    FileHandle.standardError.write(Data("usage: feed-compare [candidate-count ...]\n".utf8))
    exit(2)
}
let sizes = arguments.isEmpty ? FeedBench.sizes : arguments.compactMap { $0 }
let sqliteAvailable = SQLiteBaseline.mathFunctionsAvailable()

var rows: [FeedBench.Shape: [Int: Row]] = [:]
var memory: [Int: Memory] = [:]
do {
    for shape in FeedBench.Shape.allCases {
        for count in sizes {
            FileHandle.standardError.write(Data("\(shape.rawValue) \(count)…\n".utf8))
            let candidateRows = FeedBench.rows(count: count, shape: shape)
            let window = CandidateWindow(limits: FeedBench.limits, rows: candidateRows, nowEpochSeconds: FeedBench.nowEpochSeconds)
            let request = FeedBench.request(posts: count)
            let (swift, page) = measure(runs: runs(count, budget: 20_000_000, most: 2_001)) { FeedRanker.rank(window, request) }
            let swiftIDs = page.posts.map(\.postID)
            let lua = try LuaBaseline.measure(
                count: count, shape: shape, sameRuns: runs(count, budget: 2_000_000, most: 101),
                plainRuns: runs(count, budget: 500_000, most: 51))
            var sqlite: Timing?
            var sqliteIDs: [Int64] = []
            var sqliteBytes: Double?
            if sqliteAvailable {
                let baseline = try SQLiteBaseline(rows: candidateRows, viewer: request.viewer, parameters: request.parameters)
                (sqlite, sqliteIDs) = try measure(runs: runs(count, budget: 2_000_000, most: 51)) { try baseline.rank() }
                sqliteBytes = try baseline.bytesPerCandidate()
            }
            rows[shape, default: [:]][count] = Row(
                swift: swift, scanned: page.stats.postsScanned, lua: lua, sqlite: sqlite,
                sqliteSame: sameTop(swiftIDs, sqliteIDs), luaSameSame: sameTop(swiftIDs, lua.sameIDs),
                luaPlainSame: sameTop(swiftIDs, lua.plainIDs))
            if shape == .week {
                memory[count] = Memory(
                    estimate: CandidateWindow.memoryBytesPerCandidate(),
                    allocated: Double(window.memoryFootprintBytes) / Double(count), lua: lua.rawBytesPerCandidate,
                    sqlite: sqliteBytes)
            }
        }
    }
} catch {
    FileHandle.standardError.write(Data("feed-compare: \(error)\n".utf8))
    exit(1)
}

// MARK: - The table

let labelWidth = 46
let cellWidth = 12
func cell(_ text: String) -> String { String(repeating: " ", count: max(0, cellWidth - text.count)) + text }
func line(_ label: String, _ cells: [String]) {
    print(label.padding(toLength: labelWidth, withPad: " ", startingAt: 0) + cells.map(cell).joined())
}
func microseconds(_ value: Double?) -> String {
    guard let value else { return "–" }
    return value >= 100 ? String(format: "%.0f", value) : String(format: "%.1f", value)
}
func ratio(_ other: Timing?, _ swift: Timing) -> String {
    guard let other else { return "–" }
    return String(format: "%.0f×", other.medianMicroseconds / swift.medianMicroseconds)
}

print("Feed ranking: top \(FeedBench.pageSize) on one thread; median µs per request of several runs after a warm-up.")
print("Noisy shared machine (\(ProcessInfo.processInfo.activeProcessorCount) cores): figures are upper bounds.")
if !sqliteAvailable { print("This SQLite has no math functions (pow, ln): the SQLite rows are skipped.") }
for shape in FeedBench.Shape.allCases {
    guard let byCount = rows[shape] else { continue }
    let counts = sizes.filter { byCount[$0] != nil }
    print("")
    line(
        shape == .week ? "a week of posts (usual: the scan stops early)" : "an hour of posts (worst case: all scanned)",
        counts.map { $0.formatted() })
    func values(_ label: String, _ value: (Row) -> String) { line(label, counts.map { value(byCount[$0]!) }) }
    values("  Swift, µs") { microseconds($0.swift.medianMicroseconds) }
    values("    posts scanned") { $0.scanned.formatted() }
    values("  Lua in the host, same algorithm, µs") { microseconds($0.lua.same?.medianMicroseconds) }
    values("  Lua in the host, plain (score all, sort), µs") { microseconds($0.lua.plain?.medianMicroseconds) }
    values("  SQLite, one query, µs") { microseconds($0.sqlite?.medianMicroseconds) }
    values("  Lua same algorithm ÷ Swift") { ratio($0.lua.same, $0.swift) }
    values("  Lua plain ÷ Swift") { ratio($0.lua.plain, $0.swift) }
    values("  SQLite ÷ Swift") { ratio($0.sqlite, $0.swift) }
    values("  same top 50: Lua same algorithm") { $0.luaSameSame }
    values("  same top 50: Lua plain") { $0.luaPlainSame }
    values("  same top 50: SQLite") { $0.sqliteSame }
}

let memoryCounts = sizes.filter { memory[$0] != nil }
if !memoryCounts.isEmpty {
    print("")
    line("memory per candidate, bytes", memoryCounts.map { $0.formatted() })
    line("  Swift window, estimate", memoryCounts.map { String(memory[$0]!.estimate) })
    line("  Swift window, allocated (spare capacity too)", memoryCounts.map { String(format: "%.0f", memory[$0]!.allocated) })
    line("  Lua arrays (counters only)", memoryCounts.map { String(format: "%.0f", memory[$0]!.lua) })
    line("  SQLite table and index", memoryCounts.map { memory[$0]!.sqlite.map { String(format: "%.0f", $0) } ?? "–" })
}

print("")
print("goals (issue 5), at the worst case (an hour: every post scanned):")
func goal(_ text: String, _ value: String, _ met: Bool?) {
    print(
        "  " + text.padding(toLength: 44, withPad: " ", startingAt: 0) + value.padding(toLength: 12, withPad: " ", startingAt: 0)
            + (met.map { $0 ? "met" : "NOT met" } ?? "not measured"))
}
let worst = rows[.hour] ?? [:]
goal(
    "10,000 candidates ≤ 100 µs", microseconds(worst[10_000]?.swift.medianMicroseconds) + " µs",
    worst[10_000].map { $0.swift.medianMicroseconds <= 100 })
goal(
    "100,000 candidates ≤ 1 ms", microseconds(worst[100_000]?.swift.medianMicroseconds) + " µs",
    worst[100_000].map { $0.swift.medianMicroseconds <= 1_000 })
for count in [10_000, 100_000] {
    guard let row = worst[count] else { continue }
    let same = row.lua.same.map { $0.medianMicroseconds / row.swift.medianMicroseconds }
    let plain = row.lua.plain.map { $0.medianMicroseconds / row.swift.medianMicroseconds }
    let sql = row.sqlite.map { $0.medianMicroseconds / row.swift.medianMicroseconds }
    goal("≥ 100× Lua, same algorithm, \(count.formatted())", same.map { String(format: "%.0f×", $0) } ?? "–", same.map { $0 >= 100 })
    goal("≥ 100× Lua, plain, \(count.formatted())", plain.map { String(format: "%.0f×", $0) } ?? "–", plain.map { $0 >= 100 })
    goal("≥ 20× SQLite, \(count.formatted())", sql.map { String(format: "%.0f×", $0) } ?? "–", sql.map { $0 >= 20 })
}
