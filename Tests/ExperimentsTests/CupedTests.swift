import Core
import Testing
@testable import Experiments

@Suite("CUPED")
struct CupedTests {
    @Test("pooled θ and adjusted arms match numpy on raw per-user data")
    func numpyCases() throws {
        let reference = try ScipyReference.load()
        for testCase in reference.cuped {
            let cuped = try Cuped(control: testCase.control.summary, treatment: testCase.treatment.summary)
            #expect(isClose(cuped.theta, testCase.theta))
            for (actual, expected) in [(cuped.control, testCase.adjustedControl), (cuped.treatment, testCase.adjustedTreatment)] {
                #expect(isClose(actual.mean, expected.mean))
                #expect(isClose(actual.variance, expected.variance))
                #expect(actual.count == expected.count)
            }
        }
    }

    @Test("the variance reduction is close to ρ² of outcome and covariate")
    func reductionNearRhoSquared() throws {
        let reference = try ScipyReference.load()
        for testCase in reference.cuped {
            let pooled = testCase.control.summary + testCase.treatment.summary
            let rho = pooled.covarianceXY / (pooled.x.variance * pooled.y.variance).squareRoot()
            let cuped = try Cuped(control: testCase.control.summary, treatment: testCase.treatment.summary)
            #expect(cuped.varianceReduction > 0)
            #expect(abs(cuped.varianceReduction - rho * rho) < 0.03, "reduction \(cuped.varianceReduction), ρ² \(rho * rho)")
        }
    }

    @Test("adjusted variance is var(Y) − 2θ·cov(Y, X) + θ²·var(X), not var(Y)(1 − ρ²)")
    func adjustedVarianceFormula() throws {
        var generator = SeededGenerator(seed: 7)
        func arm(shift: Double) -> PairedMetricSummary {
            PairedMetricSummary(pairs: (0..<500).map { _ in
                let pre = 5 + 2 * generator.nextGaussian()
                return (x: pre, y: shift + 0.6 * pre + generator.nextGaussian())
            })
        }
        let control = arm(shift: 0)
        let treatment = arm(shift: 0.3)
        let cuped = try Cuped(control: control, treatment: treatment)
        let theta = cuped.theta
        let expected = control.y.variance - 2 * theta * control.covarianceXY + theta * theta * control.x.variance
        #expect(isClose(cuped.control.variance, expected, relative: 1e-12))
        let rho = control.covarianceXY / (control.x.variance * control.y.variance).squareRoot()
        #expect(cuped.control.variance != control.y.variance * (1 - rho * rho))
    }

    @Test("a constant covariate leaves the arms unadjusted")
    func constantCovariate() throws {
        let control = PairedMetricSummary(pairs: [(x: 1, y: 2), (x: 1, y: 4), (x: 1, y: 9)])
        let treatment = PairedMetricSummary(pairs: [(x: 1, y: 3), (x: 1, y: 5)])
        let cuped = try Cuped(control: control, treatment: treatment)
        #expect(cuped.theta == 0)
        #expect(cuped.control == control.y.estimate)
        #expect(cuped.varianceReduction == 0)
    }

    @Test("the adjusted difference of means is the raw difference minus θ times the covariate imbalance")
    func effectEstimate() throws {
        let reference = try ScipyReference.load()
        let testCase = reference.cuped[0]
        let control = testCase.control.summary
        let treatment = testCase.treatment.summary
        let cuped = try Cuped(control: control, treatment: treatment)
        let expected = (treatment.y.mean - control.y.mean) - cuped.theta * (treatment.x.mean - control.x.mean)
        #expect(isClose(cuped.treatment.mean - cuped.control.mean, expected, relative: 1e-9))
    }
}
