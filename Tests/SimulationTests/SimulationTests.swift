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

    /// The seed's mistake: bad actors get to post in campus-diary, the reports their posts
    /// receive rise, and the end-of-day analysis (`ab analyze`'s fixed-horizon judgement, the
    /// simulator without its watcher) stops the experiment by its guardrail (reports
    /// received per exposed user; per view the rise drowns in the views of ordinary posts). The
    /// experiment runs on all traffic here instead of its 10% so that a population small enough
    /// for a debug build exposes enough users (the README runs the 10% story in release).
    @Test("opening campus-diary posting to every adult trips the report guardrail and stops the experiment")
    func guardrailStopsOpenPosting() async throws {
        var story = options("campus-open-posting", users: StoryTest.users, days: StoryTest.days, seed: 1)
        story.traffic = 1
        story.watchIntervalMinutes = nil
        let result = try await SimulationRunner.run(story)
        let report = result.report
        #expect(report.status == "stopped")
        #expect(report.decision == .stoppedByGuardrail)
        let day = try #require(result.stoppedOnDay)
        #expect(report.stoppedAtEpochSeconds == Simulation.defaultStartEpochSeconds + Int64(day) * 86_400)
        #expect(result.changes.map(\.kind) == [.stopped] && result.changes.last?.actor == "ab analyze")
        #expect(report.stopReason?.contains("reports_received_per_user") == true)
        let guardrail = try #require(report.metrics.first { $0.id == "reports_received_per_user" })
        let comparison = try #require(guardrail.comparisons.first)
        #expect(comparison.ciLower > 0.10, "stopped only when the rise is significantly beyond the 10% allowed")
        #expect(result.counts.postsDenied > 0, "control users outside the student rule had no compose button")
        #expect(result.days.first { $0.day == day }?.status == "stopped")
    }

    /// A/A splits of one simulated population flag each test about α of the time, and a planted
    /// lift on likes is found about as often as the power formula predicts. The bands are 99.9%
    /// Wilson intervals of what was observed. The size matters: at 500 users (143 exposed, ~70
    /// per arm) posts_per_user flagged 11% and reports_received_rate 15% of A/A splits, and a
    /// planted +25% was found in 28% of runs against 41% predicted — a handful of heavy users
    /// (bad actors, prolific posters) decide those metrics and Welch's t is not yet normal. At
    /// 3,000 users (962 exposed) every test flags 4–7.5% and the power matches (35% observed,
    /// 32% predicted for +8%): the report's "users still needed" exists for this reason.
    @Test("A/A false-positive rate near 5% per test; planted effect found at about the predicted power")
    func calibration() async throws {
        var base = options("campus-open-posting", users: CalibrationTest.users, days: 1, seed: 11)
        base.traffic = 1
        let effect = PlantedEffect(metric: "likes_per_user", relative: CalibrationTest.likesLift)
        let result = try await Calibration.run(CalibrationOptions(base: base, runs: CalibrationTest.runs, plantedEffect: effect, firstSeed: 11))
        #expect(result.falsePositives.count == 5, "every metric of the experiment was tested")
        for rate in result.falsePositives {
            #expect(rate.flagged.trials >= CalibrationTest.runs * 9 / 10, "\(rate.test) was testable in most runs")
            let band = BinomialEstimate(successes: rate.flagged.successes, trials: rate.flagged.trials, z: CalibrationTest.z)
            #expect(band.lower <= result.alpha && result.alpha <= band.upper, "\(rate.test): \(rate.flagged)")
        }
        let power = try #require(result.power)
        let predicted = try #require(power.predicted)
        let detected = BinomialEstimate(successes: power.detected.successes, trials: power.detected.trials, z: CalibrationTest.z)
        #expect(detected.lower > result.alpha, "the planted effect is found more often than chance: \(power.detected)")
        #expect(detected.lower <= predicted && predicted <= detected.upper, "observed \(power.detected), predicted \(predicted)")
    }
}

/// Sizes that run in well under a minute each in a debug build.
private enum StoryTest {
    /// About 1,300 exposed users on all traffic by day 2: fewer leave the interval of a handful
    /// of bad actors' reports too wide to pass the 10% limit.
    static let users = 3_000
    static let days = 2
}

private enum CalibrationTest {
    static let users = 3_000
    /// Enough to tell 5% from the 11–15% seen at small sizes; `make bench` runs 1,000.
    static let runs = 250
    static let likesLift = 0.08
    /// 99.9% two-sided.
    static let z = 3.2905
}
