import Foundation
import Testing

@testable import Experiments

/// Fixtures/gbstats-reference.json, written by scripts/gen_gbstats_fixtures.py with GrowthBook's
/// gbstats 0.8.0 (and numpy/scipy where gbstats takes inputs from SQL).
struct GbstatsReference: Decodable {
    struct Prior: Decodable {
        let mean: Double
        let variance: Double
        let proper: Bool
    }

    /// One arm's sums; which fields are present depends on the metric kind.
    struct Sums: Decodable {
        let n: Int
        let sum: Double?
        let sumSquares: Double?
        let numeratorSum: Double?
        let numeratorSumSquares: Double?
        let denominatorSum: Double?
        let denominatorSumSquares: Double?
        let sumProducts: Double?
        let postSum: Double?
        let postSumSquares: Double?
        let preSum: Double?
        let preSumSquares: Double?
    }

    struct BayesianExpected: Decodable {
        let chanceToWin: Double
        let riskControl: Double
        let riskTreatment: Double
        let ciLower: Double
        let ciUpper: Double
        let mean: Double
        let stddev: Double
        let errorMessage: String?
    }

    struct BayesianCase: Decodable {
        let kind: String
        let label: String?
        let alpha: Double
        let inverse: Bool
        let prior: Prior
        let control: Sums
        let treatment: Sums
        let expected: BayesianExpected
    }

    struct Bayesian: Decodable {
        let cases: [BayesianCase]
        let defaultOutput: [BayesianCase]
    }

    struct SequentialExpected: Decodable {
        let pointEstimate: Double
        let variance: Double
        let pValue: Double
        let ciLower: Double
        let ciUpper: Double
    }

    struct SequentialCase: Decodable {
        let alpha: Double
        let tuningSampleSize: Double
        let control: Sums
        let treatment: Sums
        let expected: SequentialExpected
    }

    struct PooledArm: Decodable {
        let n: Int
        let sumX: Double
        let sumXSquares: Double

        var summary: PairedMetricSummary { PairedMetricSummary(perUser: MetricSummary(sum: sumX, sumSquares: sumXSquares, count: n)) }
    }

    struct PooledCase: Decodable {
        let alpha: Double
        let tuningSampleSize: Double
        let control: PooledArm
        let treatment: PooledArm
        let z: Double
        let pValue: Double
        let critical: Double
        let significant: Bool
    }

    struct SequentialPValue: Decodable {
        let gbstats: [SequentialCase]
        let pooled: [PooledCase]
    }

    struct TTest: Decodable {
        let expected: Double
        let ciLower: Double
        let ciUpper: Double
        let pValue: Double
        let variance: Double
        let dof: Double?
    }

    struct Cap: Decodable {
        let percentile: Double?
        let ignoreZeros: Bool?
        let valueFen: Double?

        var cap: MetricDefinition.Cap {
            if let valueFen { return .value(valueFen) }
            return .percentile(level: percentile!, ignoreZeros: ignoreZeros ?? false)
        }
    }

    struct CappingArm: Decodable {
        let values: [Double]
        let uncapped: Sums
    }

    struct CappingExpected: Decodable {
        let capValue: Double
        let control: Sums
        let treatment: Sums
        let bayesian: BayesianExpected
        let tTest: TTest
        let uncappedTTest: TTest
    }

    struct CappingCase: Decodable {
        let cap: Cap
        let control: CappingArm
        let treatment: CappingArm
        let expected: CappingExpected
    }

    struct QuantileData: Decodable {
        let users: Int
        let events: [[Double]]
    }

    struct QuantileArmExpected: Decodable {
        let quantileN: Int
        let nStar: Int
        let lowerLevel: Double
        let upperLevel: Double
        let quantile: Double
        let quantileLower: Double
        let quantileUpper: Double
        let nClusters: Int?
        let mainSum: Double?
        let mainSumSquares: Double?
        let denominatorSum: Double?
        let denominatorSumSquares: Double?
        let mainDenominatorSumProduct: Double?
        let varianceInit: Double
        let variance: Double
    }

    struct QuantileSequential: Decodable {
        let tuningSampleSize: Double
        let ciLower: Double
        let ciUpper: Double
        let pValue: Double
    }

    struct QuantileExpected: Decodable {
        let control: QuantileArmExpected
        let treatment: QuantileArmExpected
        let tTest: TTest
        let sequential: QuantileSequential
    }

    struct QuantileCase: Decodable {
        let kind: String
        let nu: Double
        let ignoreZeros: Bool
        let alpha: Double
        let control: QuantileData
        let treatment: QuantileData
        let expected: QuantileExpected

        /// The arm's estimate, computed from the raw events as the readers would.
        func arm(_ data: QuantileData) -> QuantileArm? {
            let events = data.events.map { (user: Int($0[0]), value: $0[1]) }
            if kind == "event" {
                return QuantileArm.perEvent(events: events, users: data.users, level: nu, ignoreZeros: ignoreZeros)
            }
            var totals = [Double](repeating: 0, count: data.users)
            for event in events { totals[event.user] += event.value }
            return QuantileArm.perUser(values: totals, level: nu, ignoreZeros: ignoreZeros)
        }
    }

    let bayesian: Bayesian
    let sequentialPValue: SequentialPValue
    let capping: [CappingCase]
    let quantile: [QuantileCase]

    static func load() throws -> GbstatsReference {
        try JSONDecoder().decode(GbstatsReference.self, from: fixtureData("gbstats-reference"))
    }
}

extension GbstatsReference.BayesianCase {
    func arms() throws -> (BayesianTest.Arm, BayesianTest.Arm) {
        func arm(_ sums: GbstatsReference.Sums) throws -> BayesianTest.Arm {
            switch kind {
            case "mean": return BayesianTest.Arm(mean: MetricSummary(sum: sums.sum!, sumSquares: sums.sumSquares!, count: sums.n))
            case "proportion": return BayesianTest.Arm(proportion: sums.sum!, count: sums.n)
            case "ratio":
                return BayesianTest.Arm(ratio: PairedMetricSummary(
                    count: sums.n, sumX: sums.numeratorSum!, sumY: sums.denominatorSum!, sumXSquares: sums.numeratorSumSquares!,
                    sumYSquares: sums.denominatorSumSquares!, sumXY: sums.sumProducts!))
            default: throw FixtureError.unknownKind(kind)
            }
        }
        if kind == "cuped" {
            // Y the outcome (post), X the covariate (pre); θ pooled over both arms, as gbstats does.
            func paired(_ sums: GbstatsReference.Sums) -> PairedMetricSummary {
                PairedMetricSummary(count: sums.n, sumX: sums.preSum!, sumY: sums.postSum!, sumXSquares: sums.preSumSquares!,
                                    sumYSquares: sums.postSumSquares!, sumXY: sums.sumProducts!)
            }
            let (a, b) = (paired(control), paired(treatment))
            let cuped = try Cuped(control: a, treatment: b)
            return (BayesianTest.Arm(mean: cuped.control.mean, unadjustedMean: a.y.mean, variance: cuped.control.variance, count: a.count),
                    BayesianTest.Arm(mean: cuped.treatment.mean, unadjustedMean: b.y.mean, variance: cuped.treatment.variance, count: b.count))
        }
        return (try arm(control), try arm(treatment))
    }
}

enum FixtureError: Error {
    case unknownKind(String)
}

@Suite("gbstats 0.8.0 reference numbers")
struct GbstatsReferenceTests {
    let reference: GbstatsReference

    init() throws {
        reference = try GbstatsReference.load()
    }

    @Test("Bayesian chance to win, risk and credible interval match gbstats on means, proportions, ratios and CUPED")
    func bayesian() throws {
        #expect(reference.bayesian.cases.count >= 20)
        for (index, fixture) in reference.bayesian.cases.enumerated() {
            let (control, treatment) = try fixture.arms()
            let prior = GaussianPrior(mean: fixture.prior.mean, variance: fixture.prior.variance, proper: fixture.prior.proper)
            let result = try BayesianTest.relative(
                control: control, treatment: treatment, alpha: fixture.alpha, higherIsBetter: !fixture.inverse, prior: prior)
            let expected = fixture.expected
            let label = "case \(index) (\(fixture.kind), inverse \(fixture.inverse), proper \(fixture.prior.proper))"
            #expect(agreesToFourDecimals(result.chanceToWin, expected.chanceToWin), "\(label): chance \(result.chanceToWin) vs \(expected.chanceToWin)")
            #expect(agreesToFourDecimals(result.riskControl, expected.riskControl), "\(label): risk control \(result.riskControl) vs \(expected.riskControl)")
            #expect(agreesToFourDecimals(result.riskTreatment, expected.riskTreatment),
                    "\(label): risk treatment \(result.riskTreatment) vs \(expected.riskTreatment)")
            #expect(agreesToFourDecimals(result.credibleInterval.lower, expected.ciLower), "\(label): lower \(result.credibleInterval.lower)")
            #expect(agreesToFourDecimals(result.credibleInterval.upper, expected.ciUpper), "\(label): upper \(result.credibleInterval.upper)")
            #expect(agreesToFourDecimals(result.mean, expected.mean), "\(label): mean \(result.mean) vs \(expected.mean)")
            #expect(agreesToFourDecimals(result.standardDeviation, expected.stddev), "\(label): sd \(result.standardDeviation)")
        }
    }

    @Test("Where gbstats gives its uninformative default, the Bayesian view is unavailable for the same reason")
    func bayesianDefaults() throws {
        #expect(!reference.bayesian.defaultOutput.isEmpty)
        for fixture in reference.bayesian.defaultOutput {
            #expect(fixture.expected.chanceToWin == 0.5 && fixture.expected.stddev == 0, "the fixture's default output")
            let (control, treatment) = try fixture.arms()
            let expected: BayesianTest.Unavailable =
                switch fixture.expected.errorMessage {
                case "ZERO_NEGATIVE_BASELINE_VARIATION": .zeroControlMean
                case "NO_UNITS_IN_VARIATION": .emptyArm
                default: .zeroVariance
                }
            #expect(throws: expected, "\(fixture.label ?? "")") {
                try BayesianTest.relative(control: control, treatment: treatment, alpha: fixture.alpha, higherIsBetter: !fixture.inverse)
            }
        }
    }

    @Test("The always-valid p-value matches gbstats' sequential test, and its interval too")
    func sequentialPValueMatchesGbstats() throws {
        for (index, fixture) in reference.sequentialPValue.gbstats.enumerated() {
            let control = MetricSummary(sum: fixture.control.sum!, sumSquares: fixture.control.sumSquares!, count: fixture.control.n).estimate
            let treatment = MetricSummary(sum: fixture.treatment.sum!, sumSquares: fixture.treatment.sumSquares!, count: fixture.treatment.n).estimate
            let result = try SequentialTest.relative(control: control, treatment: treatment, alpha: fixture.alpha, tuningSampleSize: fixture.tuningSampleSize)
            let pValue = SequentialTest.alwaysValidPValue(
                statistic: result.estimate / result.standardError, totalCount: control.count + treatment.count, alpha: fixture.alpha,
                tuningSampleSize: fixture.tuningSampleSize)
            #expect(agreesToFourDecimals(result.estimate, fixture.expected.pointEstimate), "case \(index)")
            #expect(isClose(result.standardError * result.standardError, fixture.expected.variance, relative: 1e-9), "case \(index)")
            #expect(agreesToFourDecimals(result.confidenceInterval.lower, fixture.expected.ciLower), "case \(index)")
            #expect(agreesToFourDecimals(result.confidenceInterval.upper, fixture.expected.ciUpper), "case \(index)")
            #expect(agreesToFourDecimals(pValue, fixture.expected.pValue), "case \(index): p \(pValue) vs \(fixture.expected.pValue)")
            #expect((pValue < fixture.alpha) == result.isSignificant, "case \(index): p < α exactly when the interval excludes 0")
        }
    }

    @Test("The report's sequential test: its always-valid p-value is below α exactly when its interval excludes no change")
    func pooledSequentialPValue() throws {
        #expect(reference.sequentialPValue.pooled.contains { abs($0.z) / $0.critical > 0.99 && abs($0.z) / $0.critical < 1.01 },
                "the fixture has cases at the boundary")
        for (index, fixture) in reference.sequentialPValue.pooled.enumerated() {
            let result = try PooledTest.sequential(
                control: fixture.control.summary, treatment: fixture.treatment.summary, alpha: fixture.alpha, tuningSampleSize: fixture.tuningSampleSize)
            #expect(isClose(result.statistic, fixture.z, relative: 1e-9), "case \(index): z \(result.statistic) vs \(fixture.z)")
            #expect(isClose(result.critical, fixture.critical, relative: 1e-9), "case \(index)")
            #expect(isClose(result.pValue, fixture.pValue, relative: 1e-7), "case \(index): p \(result.pValue) vs \(fixture.pValue)")
            #expect(result.isSignificant == fixture.significant, "case \(index)")
            #expect((result.pValue < fixture.alpha) == result.isSignificant, "case \(index): p < α exactly when the interval excludes 0")
            #expect(result.confidenceInterval.excludesZero == result.isSignificant, "case \(index)")
        }
    }

    @Test("Caps: the pooled percentile (with and without zeros) or the fixed value, the winsorised sums, and gbstats' results on them")
    func capping() throws {
        #expect(reference.capping.count >= 6)
        for (index, fixture) in reference.capping.enumerated() {
            let cap = fixture.cap.cap
            let capValue = try #require(cap.capValue(of: fixture.control.values + fixture.treatment.values))
            #expect(isClose(capValue, fixture.expected.capValue, relative: 1e-12), "case \(index): cap \(capValue) vs \(fixture.expected.capValue)")
            var arms: [MetricSummary] = []
            for (arm, expected) in [(fixture.control, fixture.expected.control), (fixture.treatment, fixture.expected.treatment)] {
                let capped = MetricSummary(values: arm.values.map { min($0, capValue) })
                #expect(capped.count == expected.n)
                #expect(isClose(capped.sum, expected.sum!, relative: 1e-12), "case \(index)")
                #expect(isClose(capped.sumSquares, expected.sumSquares!, relative: 1e-12), "case \(index)")
                arms.append(capped)
            }
            let test = try WelchTest.relative(control: arms[0].estimate, treatment: arms[1].estimate)
            #expect(agreesToFourDecimals(test.estimate, fixture.expected.tTest.expected), "case \(index)")
            #expect(agreesToFourDecimals(test.confidenceInterval.lower, fixture.expected.tTest.ciLower), "case \(index)")
            #expect(agreesToFourDecimals(test.confidenceInterval.upper, fixture.expected.tTest.ciUpper), "case \(index)")
            #expect(agreesToFourDecimals(test.pValue, fixture.expected.tTest.pValue), "case \(index)")
            let bayesian = try BayesianTest.relative(control: BayesianTest.Arm(mean: arms[0]), treatment: BayesianTest.Arm(mean: arms[1]))
            #expect(agreesToFourDecimals(bayesian.chanceToWin, fixture.expected.bayesian.chanceToWin), "case \(index)")
            #expect(agreesToFourDecimals(bayesian.riskControl, fixture.expected.bayesian.riskControl), "case \(index)")
            #expect(agreesToFourDecimals(bayesian.riskTreatment, fixture.expected.bayesian.riskTreatment), "case \(index)")
            // The cap changed the data: some user's value was above it.
            #expect((fixture.control.values + fixture.treatment.values).contains { $0 > capValue }, "case \(index)")
        }
    }

    @Test("Quantile metrics: order-statistic bounds, the (clustered) variance and gbstats' t-test and sequential interval")
    func quantiles() throws {
        #expect(reference.quantile.contains { $0.kind == "event" } && reference.quantile.contains { $0.kind == "unit" })
        for (index, fixture) in reference.quantile.enumerated() {
            let label = "case \(index) (\(fixture.kind), ν \(fixture.nu), ignore zeros \(fixture.ignoreZeros))"
            let control = try #require(fixture.arm(fixture.control))
            let treatment = try #require(fixture.arm(fixture.treatment))
            for (arm, expected) in [(control, fixture.expected.control), (treatment, fixture.expected.treatment)] {
                #expect(arm.count == expected.quantileN, "\(label)")
                #expect(arm.nStar == expected.nStar, "\(label)")
                #expect(isClose(arm.lowerLevel, expected.lowerLevel, relative: 1e-12), "\(label)")
                #expect(isClose(arm.upperLevel, expected.upperLevel, relative: 1e-12), "\(label)")
                #expect(isClose(arm.quantile, expected.quantile, relative: 1e-12), "\(label)")
                #expect(isClose(arm.quantileLower, expected.quantileLower, relative: 1e-12), "\(label)")
                #expect(isClose(arm.quantileUpper, expected.quantileUpper, relative: 1e-12), "\(label)")
                if let clusters = arm.clusters {
                    #expect(clusters.users == expected.nClusters)
                    #expect(clusters.sumS == expected.mainSum && clusters.sumSSquares == expected.mainSumSquares, "\(label)")
                    #expect(clusters.sumN == expected.denominatorSum && clusters.sumNSquares == expected.denominatorSumSquares, "\(label)")
                    #expect(clusters.sumSN == expected.mainDenominatorSumProduct, "\(label)")
                }
                #expect(isClose(arm.varianceInit, expected.varianceInit, relative: 1e-9), "\(label): \(arm.varianceInit) vs \(expected.varianceInit)")
                #expect(isClose(arm.variance, expected.variance, relative: 1e-9), "\(label)")
            }
            let fixed = try QuantileComparison.relative(control: control, treatment: treatment, alpha: fixture.alpha, sequential: false)
            #expect(agreesToFourDecimals(fixed.estimate, fixture.expected.tTest.expected), "\(label)")
            #expect(agreesToFourDecimals(fixed.confidenceInterval.lower, fixture.expected.tTest.ciLower), "\(label)")
            #expect(agreesToFourDecimals(fixed.confidenceInterval.upper, fixture.expected.tTest.ciUpper), "\(label)")
            #expect(agreesToFourDecimals(fixed.pValue, fixture.expected.tTest.pValue), "\(label): p \(fixed.pValue)")
            let sequential = try QuantileComparison.relative(
                control: control, treatment: treatment, alpha: fixture.alpha, sequential: true,
                tuningSampleSize: fixture.expected.sequential.tuningSampleSize)
            #expect(agreesToFourDecimals(sequential.confidenceInterval.lower, fixture.expected.sequential.ciLower), "\(label)")
            #expect(agreesToFourDecimals(sequential.confidenceInterval.upper, fixture.expected.sequential.ciUpper), "\(label)")
            #expect(agreesToFourDecimals(sequential.pValue, fixture.expected.sequential.pValue), "\(label)")
        }
    }
}
