// Experiments benchmark: the cost of one assignment, and the analysis of a large events table
// (streaming, memory bounded by exposed users). Usage:
//   swift run -c release experiments-compare [events]      (default 10,000,000 events)
import Core
import Experiments
import Foundation
import GRDB
import SQLiteStorage

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func peakResidentMiB() -> Double {
    var usage = rusage()
    getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_maxrss) / 1024
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

let eventCount = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 10_000_000 : 10_000_000
let userCount = 100_000
let database = try QuanziDatabase.temporary(name: "experiments-bench")
defer { try? database.removeFiles() }
try database.pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = OFF") }  // a throwaway file
let start: Int64 = 1_767_225_600
var random = SeededGenerator(seed: 2016)
let loadTime = try clock.measure {
    try database.pool.write { db in
        let user = try db.makeStatement(sql: "INSERT INTO users (id, display_name, verified, gender, occupation, created_at) VALUES (?, '', 0, 'unspecified', 'other', 0)")
        let exposure = try db.makeStatement(sql: "INSERT INTO exposures (experiment_id, user_id, variant, first_exposed_at) VALUES ('bench', ?, ?, ?)")
        for id in 1...userCount {
            try user.execute(arguments: [id])
            try exposure.execute(arguments: [id, id % 2 == 0 ? "control" : "treatment", start + Int64(id % 86_400)])
        }
        let event = try db.makeStatement(sql: "INSERT INTO events (kind, at, user_id, target_user_id, amount_fen) VALUES (?, ?, ?, ?, ?)")
        let kinds = ["post.viewed", "post.viewed", "post.viewed", "like.created", "comment.created", "report.created", "tip.sent"]
        for _ in 0..<eventCount {
            let kind = kinds[Int(random.next(below: UInt64(kinds.count)))]
            let actor = Int64(random.next(below: UInt64(userCount))) + 1
            let target = Int64(random.next(below: UInt64(userCount))) + 1
            try event.execute(arguments: [kind, start + Int64(random.next(below: 14 * 86_400)), actor, target, kind == "tip.sent" ? 500 : nil])
        }
    }
}
print(String(format: "loaded %d events for %d exposed users in %.1f s", eventCount, userCount, seconds(loadTime)))

let metrics = [
    MetricDefinition(id: "comments_per_user", kind: .mean(.init(event: "comment.created"))),
    MetricDefinition(id: "likes_per_user", kind: .mean(.init(event: "like.created"))),
    MetricDefinition(id: "tips_fen_per_user", kind: .mean(.init(event: "tip.sent", valueField: "amount_fen"))),
    MetricDefinition(id: "report_rate", kind: .ratio(numerator: .init(event: "report.created"), denominator: .init(event: "post.viewed")), higherIsBetter: false),
    MetricDefinition(id: "reports_received_rate", kind: .ratio(numerator: .init(event: "report.created"), denominator: .init(event: "post.viewed")),
                     attribution: .target, higherIsBetter: false),
]
let spec = ExperimentSpec(id: "bench", traffic: 1, variants: [.init(name: "control", weight: 0.5), .init(name: "treatment", weight: 0.5)],
                          primaryMetric: "comments_per_user", secondaryMetrics: ["likes_per_user", "tips_fen_per_user"],
                          guardrails: [Guardrail(metric: "report_rate", maxRelativeChange: 0.1), Guardrail(metric: "reports_received_rate", maxRelativeChange: 0.1)])
var read: MetricReader.Result?
let readTime = try clock.measure { read = try MetricReader(database: database).observations(for: spec, metrics: metrics, excluding: []) }
var report: ExperimentReport?
let analyzeTime = clock.measure {
    report = ExperimentAnalyzer.analyze(.init(spec: spec, metrics: metrics, variants: read!.variants, timeline: read!.timeline,
                                              status: .running, analyzedAtEpochSeconds: start + 14 * 86_400))
}
print(String(format: "analysis: read %d events in %.2f s (%.1f M events/s) + statistics %.3f s; goal ≤ 10 s for 10M events",
             read!.eventsRead, seconds(readTime), Double(read!.eventsRead) / seconds(readTime) / 1e6, seconds(analyzeTime)))
print(String(format: "peak resident memory %.0f MiB (bounded by exposed users: 5 metrics × 2 slots × 8 B × %d users, plus SQLite's cache)",
             peakResidentMiB(), userCount))
print("summary: \(report!.summary)")
