import Testing
@testable import Experiments

@Suite("Proportions z-test")
struct ProportionsTests {
    @Test("z statistic (pooled SE), p-value and CI (unpooled SE) match scipy")
    func scipyCases() throws {
        let reference = try ScipyReference.load()
        #expect(reference.proportions.count >= 10)
        for testCase in reference.proportions {
            let result = try ProportionsTest.zTest(
                control: testCase.control.summary, treatment: testCase.treatment.summary, alpha: reference.alpha)
            #expect(isClose(result.statistic, testCase.statistic))
            #expect(isClose(result.pValue, testCase.pValue))
            #expect(isClose(result.standardError, testCase.standardError))
            #expect(isClose(result.confidenceInterval.lower, testCase.lower))
            #expect(isClose(result.confidenceInterval.upper, testCase.upper))
            #expect(result.degreesOfFreedom == .infinity)
        }
    }

    @Test("a hand-worked case: 100/1000 vs 130/1000")
    func handWorked() throws {
        let result = try ProportionsTest.zTest(
            control: ProportionSummary(successes: 100, count: 1000),
            treatment: ProportionSummary(successes: 130, count: 1000))
        // pooled p = 0.115, SE = sqrt(0.115·0.885·0.002) = 0.0142671; z = 0.03 / SE.
        #expect(isClose(result.estimate, 0.03, relative: 1e-12))
        #expect(isClose(result.statistic, 0.03 / (0.115 * 0.885 * 0.002).squareRoot(), relative: 1e-12))
        #expect(isClose(result.standardError, (0.1 * 0.9 / 1000 + 0.13 * 0.87 / 1000).squareRoot(), relative: 1e-12))
    }

    @Test("impossible counts are refused")
    func refusals() {
        #expect(throws: StatisticsError.invalidCounts) {
            try ProportionsTest.zTest(
                control: ProportionSummary(successes: 11, count: 10), treatment: ProportionSummary(successes: 1, count: 10))
        }
        #expect(throws: StatisticsError.tooFewUsers) {
            try ProportionsTest.zTest(
                control: ProportionSummary(successes: 0, count: 0), treatment: ProportionSummary(successes: 1, count: 10))
        }
        #expect(throws: StatisticsError.zeroVariance) {
            try ProportionsTest.zTest(
                control: ProportionSummary(successes: 0, count: 10), treatment: ProportionSummary(successes: 0, count: 10))
        }
    }
}
