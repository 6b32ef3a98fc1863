// The ranking in pure Lua inside the embedded host: lua/feed_rank.lua run through ScriptConsole
// (the plugin sandbox, its instruction hook included) with limits high enough for a million posts.
import Core
import Feed
import FeedBenchFixtures
import Foundation
import LuaHost

/// What one run of lua/feed_rank.lua measured for one size and shape.
struct LuaMeasurement {
    var same: Timing?
    var plain: Timing?
    var sameIDs: [Int64] = []
    var plainIDs: [Int64] = []
    /// Bytes per post of the raw arrays (created, author, counters, status), as Lua holds them.
    var rawBytesPerCandidate: Double
}

enum LuaBaseline {
    static var scriptPath: String {
        FeedBench.benchmarksDirectory.appendingPathComponent("lua/feed_rank.lua").path
    }

    /// Builds the posts inside Lua (untimed), then times `sameRuns` and `plainRuns` calls of each
    /// variant with os.clock; zero runs skips a variant.
    static func measure(count: Int, shape: FeedBench.Shape, sameRuns: Int, plainRuns: Int) throws -> LuaMeasurement {
        let script = try String(contentsOfFile: scriptPath, encoding: .utf8)
        let weights = FeedBench.parameters
        let prelude = """
            local P = { seed = \(FeedBench.seed), count = \(count), now = \(FeedBench.nowEpochSeconds),
              span = \(shape.spanSeconds), age_max = \(FeedBench.limits.ageMaxSeconds), page = \(FeedBench.pageSize),
              half_life_hours = \(weights.halfLifeHours), we = \(weights.engagementWeight), wt = \(weights.tipsWeight),
              wc = \(weights.creditWeight), wa = \(weights.affinityWeight), wf = \(weights.friendshipWeight),
              rp = \(weights.reportPenalty), sp = \(weights.seenPenalty), max_per_author = \(weights.maxPerAuthor),
              same_runs = \(sameRuns), plain_runs = \(plainRuns) }

            """
        let console = try ScriptConsole(
            limits: ScriptLimits(instructionLimit: .max / 4, memoryLimitBytes: 1 << 30, timeoutMs: 600_000))
        let result = try console.run(prelude + script, chunkName: "=feed_rank.lua")
        guard let table = result.values.first?.tableValue else {
            throw QuanziError(.scriptError, "feed_rank.lua returned no table: \(result.values)")
        }
        func timing(_ variant: String) -> Timing? {
            guard let median = table["\(variant)_median_us"]?.numberValue,
                let fastest = table["\(variant)_fastest_us"]?.numberValue
            else { return nil }
            return Timing(medianMicroseconds: median, fastestMicroseconds: fastest)
        }
        func ids(_ variant: String) -> [Int64] {
            (table["\(variant)_ids"]?.stringValue ?? "").split(separator: ",").compactMap { Int64($0) }
        }
        return LuaMeasurement(
            same: timing("same"), plain: timing("plain"), sameIDs: ids("same"), plainIDs: ids("plain"),
            rawBytesPerCandidate: table["raw_bytes_per_candidate"]?.numberValue ?? .nan)
    }
}
