import Testing
@testable import Experiments

/// gbstats' reference arms (stats.md): control Σ 1396.87, Σ² 52377.9767, n 3407; treatment Σ 2422.7, Σ² 134698.29, n 3461.
let gbstatsControl = MetricSummary(sum: 1396.87, sumSquares: 52377.9767, count: 3407)
let gbstatsTreatment = MetricSummary(sum: 2422.7, sumSquares: 134698.29, count: 3461)

@Suite("Welch t-test")
struct WelchTests {
    @Test("per-arm mean and variance come from sum, sum of squares and n")
    func summaryFromSums() {
        #expect(isClose(gbstatsControl.mean, 0.41, relative: 1e-12))
        #expect(isClose(gbstatsControl.variance, 15.21, relative: 1e-9))
        #expect(isClose(gbstatsTreatment.mean, 0.70, relative: 1e-12))
        #expect(isClose(gbstatsTreatment.variance, 38.44, relative: 1e-9))
        let values: [Double] = [1, 2, 4, 7]
        let summary = MetricSummary(values: values)
        #expect(summary.mean == 3.5 && isClose(summary.variance, 7, relative: 1e-12))
    }

    @Test("relative lift reproduces gbstats: 0.70732, SE 0.37879, p 0.06191, CI (−0.03526, 1.44989)")
    func gbstatsRelative() throws {
        let result = try WelchTest.relative(control: gbstatsControl.estimate, treatment: gbstatsTreatment.estimate)
        #expect(agreesToFourDecimals(result.estimate, 0.70732))
        #expect(agreesToFourDecimals(result.standardError, 0.37879))
        #expect(agreesToFourDecimals(result.pValue, 0.06191))
        #expect(agreesToFourDecimals(result.confidenceInterval.lower, -0.03526))
        #expect(agreesToFourDecimals(result.confidenceInterval.upper, 1.44989))
        #expect(abs(result.degreesOfFreedom - 5841.7) < 0.05)
        // The normal approximation would give 0.06186: the t reference distribution is what matches.
        #expect(!agreesToFourDecimals(Normal.twoSidedPValue(result.statistic), result.pValue))
    }

    @Test("absolute and relative tests match scipy on random cases")
    func scipyCases() throws {
        let reference = try ScipyReference.load()
        #expect(reference.welch.count >= 10)
        for testCase in reference.welch {
            let control = testCase.control.estimate
            let treatment = testCase.treatment.estimate
            #expect(isClose(WelchTest.degreesOfFreedom(control: control, treatment: treatment), testCase.degreesOfFreedom))
            let absolute = try WelchTest.absolute(control: control, treatment: treatment, alpha: reference.alpha)
            let relative = try WelchTest.relative(control: control, treatment: treatment, alpha: reference.alpha)
            for (actual, expected) in [(absolute, testCase.absolute), (relative, testCase.relative)] {
                #expect(isClose(actual.estimate, expected.estimate))
                #expect(isClose(actual.standardError, expected.standardError))
                #expect(isClose(actual.statistic, expected.statistic))
                #expect(isClose(actual.pValue, expected.pValue))
                #expect(isClose(actual.confidenceInterval.lower, expected.lower))
                #expect(isClose(actual.confidenceInterval.upper, expected.upper))
            }
        }
    }

    @Test("the confidence interval excludes zero exactly when p < α")
    func intervalAgreesWithPValue() throws {
        for shift in stride(from: 0.0, through: 0.6, by: 0.05) {
            let treatment = ArmEstimate(mean: 1 + shift, variance: 4, count: 400)
            let result = try WelchTest.absolute(control: ArmEstimate(mean: 1, variance: 4, count: 400), treatment: treatment)
            #expect(result.confidenceInterval.excludesZero == result.isSignificant(alpha: 0.05), "shift \(shift)")
        }
    }

    @Test("degenerate inputs are refused with a reason")
    func refusals() {
        let arm = ArmEstimate(mean: 1, variance: 1, count: 10)
        #expect(throws: StatisticsError.tooFewUsers) {
            try WelchTest.absolute(control: ArmEstimate(mean: 1, variance: 1, count: 1), treatment: arm)
        }
        #expect(throws: StatisticsError.zeroVariance) {
            try WelchTest.absolute(control: ArmEstimate(mean: 1, variance: 0, count: 10), treatment: ArmEstimate(mean: 2, variance: 0, count: 10))
        }
        #expect(throws: StatisticsError.zeroMean) {
            try WelchTest.relative(control: ArmEstimate(mean: 0, variance: 1, count: 10), treatment: arm)
        }
        #expect(throws: StatisticsError.invalidProbability(1)) {
            try WelchTest.absolute(control: arm, treatment: arm, alpha: 1)
        }
    }
}
