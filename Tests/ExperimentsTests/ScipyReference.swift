import Foundation
@testable import Experiments

/// Fixtures/scipy-reference.json, written by scripts/gen_stats_fixtures.py.
struct ScipyReference: Decodable {
    struct Arm: Decodable {
        let mean: Double
        let variance: Double
        let count: Int

        var estimate: ArmEstimate { ArmEstimate(mean: mean, variance: variance, count: count) }
    }

    struct Expected: Decodable {
        let estimate: Double
        let standardError: Double
        let statistic: Double
        let pValue: Double
        let lower: Double
        let upper: Double
    }

    struct WelchCase: Decodable {
        let control: Arm
        let treatment: Arm
        let degreesOfFreedom: Double
        let absolute: Expected
        let relative: Expected
    }

    struct Proportion: Decodable {
        let successes: Int
        let count: Int

        var summary: ProportionSummary { ProportionSummary(successes: successes, count: count) }
    }

    struct ProportionCase: Decodable {
        let control: Proportion
        let treatment: Proportion
        let statistic: Double
        let pValue: Double
        let standardError: Double
        let lower: Double
        let upper: Double
    }

    struct SampleRatioCase: Decodable {
        let counts: [Int]
        let weights: [Double]
        let chiSquare: Double
        let pValue: Double
    }

    struct MultipleComparisonCase: Decodable {
        let pValues: [Double]
        let holm: [Double]
        let benjaminiHochberg: [Double]
    }

    struct SequentialCase: Decodable {
        let control: Arm
        let treatment: Arm
        let tuningSampleSize: Double
        let estimate: Double
        let lower: Double
        let upper: Double
    }

    struct Sums: Decodable {
        let count: Int
        let sumX: Double
        let sumY: Double
        let sumXSquares: Double
        let sumYSquares: Double
        let sumXY: Double

        var summary: PairedMetricSummary {
            PairedMetricSummary(
                count: count, sumX: sumX, sumY: sumY, sumXSquares: sumXSquares, sumYSquares: sumYSquares, sumXY: sumXY)
        }
    }

    struct RatioCase: Decodable {
        let sums: Sums
        let ratio: Double
        let varianceOfRatio: Double
    }

    struct CupedCase: Decodable {
        let control: Sums
        let treatment: Sums
        let theta: Double
        let adjustedControl: Arm
        let adjustedTreatment: Arm
    }

    struct PowerCase: Decodable {
        let usersPerArm: Int
        let variance: Double
        let alpha: Double
        let power: Double
        let minimumDetectableEffect: Double
        let effect: Double
        let usersPerArmNeeded: Int
        let achievedPower: Double
    }

    struct PooledCase: Decodable {
        let kind: String
        let control: Sums
        let treatment: Sums
        let estimate: Double
        let statistic: Double
        let pValue: Double
        let statisticAtLimit: Double
        let lower: Double
        /// nil: no upper bound.
        let upper: Double?
        let sequentialCritical: Double
        let sequentialLower: Double
        let sequentialUpper: Double?
    }

    struct PooledPermutationCase: Decodable {
        let control: Sums
        let treatment: Sums
        let pValue: Double
        let permutationPValue: Double
    }

    struct Pooled: Decodable {
        let cases: [PooledCase]
        let permutation: PooledPermutationCase
    }

    let alpha: Double
    let normalCdf: [[Double]]
    let normalQuantile: [[Double]]
    let tCdf: [[Double]]
    let tQuantile: [[Double]]
    let chiSquareSurvival: [[Double]]
    let incompleteBeta: [[Double]]
    let incompleteGamma: [[Double]]
    let logGamma: [[Double]]
    let welch: [WelchCase]
    let proportions: [ProportionCase]
    let sampleRatio: [SampleRatioCase]
    let multipleComparisons: [MultipleComparisonCase]
    let sequential: [SequentialCase]
    let ratio: [RatioCase]
    let cuped: [CupedCase]
    let power: [PowerCase]
    let pooled: Pooled

    /// Decodes the fixture from the test bundle.
    static func load() throws -> ScipyReference {
        try JSONDecoder().decode(ScipyReference.self, from: fixtureData("scipy-reference"))
    }
}
