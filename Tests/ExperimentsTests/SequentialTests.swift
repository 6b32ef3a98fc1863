import Foundation
import Testing
@testable import Experiments

@Suite("Sequential always-valid intervals")
struct SequentialTests {
    @Test("reproduces gbstats: N* = 1000, control n = 3000 gives 0.50336, CI (−0.55844, 1.56516)")
    func gbstatsReference() throws {
        let control = MetricSummary(sum: gbstatsControl.sum, sumSquares: gbstatsControl.sumSquares, count: 3000)
        let result = try SequentialTest.relative(
            control: control.estimate, treatment: gbstatsTreatment.estimate, tuningSampleSize: 1000)
        #expect(agreesToFourDecimals(result.estimate, 0.50336))
        #expect(agreesToFourDecimals(result.confidenceInterval.lower, -0.55844))
        #expect(agreesToFourDecimals(result.confidenceInterval.upper, 1.56516))
        #expect(!result.isSignificant)
    }

    @Test("matches the gbstats formula on random cases")
    func formulaCases() throws {
        let reference = try ScipyReference.load()
        for testCase in reference.sequential {
            let result = try SequentialTest.relative(
                control: testCase.control.estimate, treatment: testCase.treatment.estimate,
                alpha: reference.alpha, tuningSampleSize: testCase.tuningSampleSize)
            #expect(isClose(result.estimate, testCase.estimate))
            #expect(isClose(result.confidenceInterval.lower, testCase.lower))
            #expect(isClose(result.confidenceInterval.upper, testCase.upper))
        }
    }

    @Test("the always-valid interval is wider than the fixed-horizon one")
    func widerThanFixed() throws {
        for count in [100, 1000, 5000, 50_000] {
            let control = ArmEstimate(mean: 10, variance: 9, count: count)
            let treatment = ArmEstimate(mean: 10.2, variance: 9, count: count)
            let fixed = try WelchTest.absolute(control: control, treatment: treatment)
            let sequential = try SequentialTest.absolute(control: control, treatment: treatment)
            let fixedWidth = fixed.confidenceInterval.upper - fixed.confidenceInterval.lower
            #expect(2 * sequential.halfWidth > fixedWidth, "n \(count)")
            #expect(sequential.estimate == fixed.estimate && sequential.standardError == fixed.standardError)
        }
    }

    @Test("ρ follows the stated formula")
    func rho() {
        let minusTwoLogAlpha = -2 * log(0.05)
        let expected = ((minusTwoLogAlpha + log(minusTwoLogAlpha + 1)) / 5000).squareRoot()
        #expect(SequentialTest.rho(alpha: 0.05, tuningSampleSize: SequentialTest.tuningSampleSizeDefault) == expected)
    }
}
