import Core
import Foundation
import Testing

@testable import Experiments

/// The quantile interval's coverage, by simulation: the treatment's values are the control's
/// distribution scaled by θ, so its quantile is exactly θ times the control's and the true
/// relative change is θ − 1 at every level. The 95 % interval must cover it about 95 % of the
/// time (inside a 99.9 % Wilson band of the observed rate).
@Suite("quantile intervals cover the true change")
struct QuantileCoverageTests {
    static let replications = 400
    static let theta = 1.15

    /// A log-normal draw: continuous, heavy-tailed, as amounts of money are.
    static func logNormal(_ random: inout SeededGenerator, sigma: Double = 0.8) -> Double {
        exp(sigma * random.nextGaussian()) * 500
    }

    /// Whether `covered` of `replications` is consistent with 95 % (99.9 % Wilson interval).
    static func consistentWith95(_ covered: Int) -> (Bool, String) {
        let n = Double(replications), p = Double(covered) / n, z = 3.290527
        let centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        let half = z * (p * (1 - p) / n + z * z / (4 * n * n)).squareRoot() / (1 + z * z / n)
        return (centre - half <= 0.95 && 0.95 <= centre + half, String(format: "%d/%d = %.3f", covered, replications, p))
    }

    @Test("per-user quantiles (p50, p90) of independent users", arguments: [0.5, 0.9])
    func perUser(level: Double) throws {
        var random = SeededGenerator(seed: 20_261_207 &+ UInt64(level * 100))
        var covered = 0
        for _ in 0..<Self.replications {
            let control = (0..<800).map { _ in Self.logNormal(&random) }
            let treatment = (0..<800).map { _ in Self.logNormal(&random) * Self.theta }
            let a = try #require(QuantileArm.perUser(values: control, level: level, ignoreZeros: false))
            let b = try #require(QuantileArm.perUser(values: treatment, level: level, ignoreZeros: false))
            let result = try QuantileComparison.relative(control: a, treatment: b, alpha: 0.05, sequential: false)
            if result.confidenceInterval.lower <= Self.theta - 1 && Self.theta - 1 <= result.confidenceInterval.upper { covered += 1 }
        }
        let (consistent, text) = Self.consistentWith95(covered)
        #expect(consistent, "coverage \(text)")
    }

    /// Each user has a few events whose values share the user's own level (a big tipper tips big
    /// every time): the events are not independent, and the clustered variance must account for it.
    @Test("per-event quantiles with correlated events within users (p50, p90)", arguments: [0.5, 0.9])
    func perEvent(level: Double) throws {
        var random = SeededGenerator(seed: 7_700 &+ UInt64(level * 100))
        var covered = 0
        var independentCovered = 0
        func arm(users: Int, scale: Double) -> [(user: Int, value: Double)] {
            var events: [(user: Int, value: Double)] = []
            for user in 0..<users {
                let userLevel = exp(0.7 * random.nextGaussian())
                for _ in 0..<random.poisson(3) { events.append((user, Self.logNormal(&random, sigma: 0.5) * userLevel * scale)) }
            }
            return events
        }
        for _ in 0..<Self.replications {
            let (control, treatment) = (arm(users: 600, scale: 1), arm(users: 600, scale: Self.theta))
            let a = try #require(QuantileArm.perEvent(events: control, users: 600, level: level, ignoreZeros: false))
            let b = try #require(QuantileArm.perEvent(events: treatment, users: 600, level: level, ignoreZeros: false))
            let result = try QuantileComparison.relative(control: a, treatment: b, alpha: 0.05, sequential: false)
            if result.confidenceInterval.lower <= Self.theta - 1 && Self.theta - 1 <= result.confidenceInterval.upper { covered += 1 }
            // The same events treated as independent: the interval is too narrow.
            let naiveA = try #require(QuantileArm.perUser(values: control.map(\.value), level: level, ignoreZeros: false))
            let naiveB = try #require(QuantileArm.perUser(values: treatment.map(\.value), level: level, ignoreZeros: false))
            let naive = try QuantileComparison.relative(control: naiveA, treatment: naiveB, alpha: 0.05, sequential: false)
            if naive.confidenceInterval.lower <= Self.theta - 1 && Self.theta - 1 <= naive.confidenceInterval.upper { independentCovered += 1 }
        }
        let (consistent, text) = Self.consistentWith95(covered)
        #expect(consistent, "coverage \(text)")
        #expect(independentCovered < covered, "ignoring the clusters covers less: \(independentCovered) vs \(covered)")
    }
}

extension SeededGenerator {
    /// A Poisson draw (Knuth's method; small means).
    mutating func poisson(_ mean: Double) -> Int {
        let limit = exp(-mean)
        var product = Double.random(in: 0..<1, using: &self)
        var count = 0
        while product > limit {
            count += 1
            product *= Double.random(in: 0..<1, using: &self)
        }
        return count
    }
}
