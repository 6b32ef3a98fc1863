import Testing
@testable import Experiments

@Suite("Ratio metrics by the delta method")
struct RatioMetricTests {
    @Test("ratio and its delta-method variance match numpy on raw per-user data")
    func numpyCases() throws {
        let reference = try ScipyReference.load()
        for testCase in reference.ratio {
            let summary = testCase.sums.summary
            #expect(isClose(summary.ratio, testCase.ratio, relative: 1e-9))
            #expect(isClose(summary.varianceOfRatio, testCase.varianceOfRatio))
            let estimate = try summary.ratioEstimate()
            #expect(isClose(estimate.varianceOfMean, testCase.varianceOfRatio))
        }
    }

    @Test("a constant per-user ratio has zero variance")
    func constantRatio() {
        let pairs = (1...20).map { (x: 0.25 * Double($0), y: Double($0)) }
        let summary = PairedMetricSummary(pairs: pairs)
        #expect(isClose(summary.ratio, 0.25, relative: 1e-12))
        #expect(abs(summary.varianceOfRatio) < 1e-15)
    }

    @Test("relative lift between arms goes through the Welch machinery")
    func relativeLift() throws {
        let reference = try ScipyReference.load()
        let control = try reference.ratio[0].sums.summary.ratioEstimate()
        let treatment = try reference.ratio[1].sums.summary.ratioEstimate()
        let result = try WelchTest.relative(control: control, treatment: treatment)
        let expected = (reference.ratio[1].ratio - reference.ratio[0].ratio) / reference.ratio[0].ratio
        #expect(isClose(result.estimate, expected, relative: 1e-9))
        let rA = reference.ratio[0].ratio
        let rB = reference.ratio[1].ratio
        let variance = reference.ratio[1].varianceOfRatio / (rA * rA)
            + rB * rB * reference.ratio[0].varianceOfRatio / (rA * rA * rA * rA)
        #expect(isClose(result.standardError, variance.squareRoot()))
    }

    @Test("a ratio needs a non-zero denominator and two users")
    func refusals() {
        let zeroDenominator = PairedMetricSummary(count: 5, sumX: 3, sumY: 0, sumXSquares: 3, sumYSquares: 0, sumXY: 0)
        #expect(throws: StatisticsError.zeroMean) { try zeroDenominator.ratioEstimate() }
        let single = PairedMetricSummary(pairs: [(x: 1, y: 2)])
        #expect(throws: StatisticsError.tooFewUsers) { try single.ratioEstimate() }
    }
}
