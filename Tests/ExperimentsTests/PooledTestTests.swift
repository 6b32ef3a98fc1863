import Core
import Foundation
import Testing
@testable import Experiments

@Suite("Pooled z-test and its relative interval")
struct PooledTestTests {
    /// The fixture computes z(θ) from per-user arrays and finds the interval's ends by root
    /// finding (scipy's brentq), an independent path to the quadratic the Swift code solves.
    @Test("matches scipy on skewed means, a ratio, a proportion and a control too sparse to bound the lift")
    func scipyCases() throws {
        let reference = try ScipyReference.load()
        #expect(reference.pooled.cases.contains { $0.upper == nil }, "a case without an upper bound is covered")
        for testCase in reference.pooled.cases {
            let control = testCase.control.summary, treatment = testCase.treatment.summary
            let fixed = try PooledTest.relative(control: control, treatment: treatment, alpha: reference.alpha)
            #expect(isClose(fixed.estimate, testCase.estimate, relative: 1e-9), "\(testCase.kind)")
            #expect(isClose(fixed.statistic, testCase.statistic, relative: 1e-9), "\(testCase.kind)")
            #expect(isClose(fixed.pValue, testCase.pValue, relative: 1e-8), "\(testCase.kind)")
            #expect(isClose(try PooledTest.statistic(control: control, treatment: treatment, theta: 1.1), testCase.statisticAtLimit, relative: 1e-9))
            #expect(isClose(fixed.confidenceInterval.lower, testCase.lower, relative: 1e-7, absolute: 1e-9), "\(testCase.kind)")
            #expect(fixed.confidenceInterval.upper == (testCase.upper ?? .infinity)
                || isClose(fixed.confidenceInterval.upper, testCase.upper ?? .nan, relative: 1e-7), "\(testCase.kind)")
            #expect(fixed.isSignificant == (fixed.pValue < reference.alpha))

            let sequential = try PooledTest.sequential(control: control, treatment: treatment, alpha: reference.alpha, tuningSampleSize: 5000)
            #expect(isClose(sequential.critical, testCase.sequentialCritical, relative: 1e-9))
            #expect(isClose(sequential.confidenceInterval.lower, testCase.sequentialLower, relative: 1e-7, absolute: 1e-9), "\(testCase.kind)")
            #expect(sequential.confidenceInterval.upper == (testCase.sequentialUpper ?? .infinity)
                || isClose(sequential.confidenceInterval.upper, testCase.sequentialUpper ?? .nan, relative: 1e-7), "\(testCase.kind)")
        }
    }

    @Test("the pooled variance is the permutation test's: normal p-value near scipy's permutation_test")
    func nearPermutation() throws {
        let permutation = try ScipyReference.load().pooled.permutation
        let result = try PooledTest.relative(control: permutation.control.summary, treatment: permutation.treatment.summary)
        #expect(isClose(result.pValue, permutation.pValue, relative: 1e-8))
        #expect(result.pValue > 0.01 && result.pValue < 0.1, "a case near α")
        #expect(abs(result.pValue - permutation.permutationPValue) < 0.2 * permutation.permutationPValue,
                "\(result.pValue) vs permutation \(permutation.permutationPValue)")
    }

    /// For a mean with the same data in both arms' units, z(1) is the difference of means over
    /// s·sqrt(1/nA + 1/nB) with s² the variance of all users together.
    @Test("for a mean, z(1) is the difference over the variance of all users pooled")
    func meanStatistic() throws {
        let a: [Double] = [0, 0, 0, 3, 0, 1, 0, 0, 7, 0]
        let b: [Double] = [0, 1, 0, 0, 2, 0, 0, 0, 0, 0, 4]
        let all = a + b
        let mean = all.reduce(0, +) / Double(all.count)
        let s2 = all.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(all.count - 1)
        let expected = (b.reduce(0, +) / Double(b.count) - a.reduce(0, +) / Double(a.count)) / (s2 * (1 / Double(a.count) + 1 / Double(b.count))).squareRoot()
        let result = try PooledTest.relative(
            control: PairedMetricSummary(perUser: MetricSummary(values: a)), treatment: PairedMetricSummary(perUser: MetricSummary(values: b)))
        #expect(isClose(result.statistic, expected, relative: 1e-12))
        // Swapping the arms negates the statistic: its variance does not follow the heavy users.
        let swapped = try PooledTest.relative(
            control: PairedMetricSummary(perUser: MetricSummary(values: b)), treatment: PairedMetricSummary(perUser: MetricSummary(values: a)))
        #expect(isClose(swapped.statistic, -result.statistic, relative: 1e-12))
    }

    @Test("the interval excludes no change exactly when the test rejects")
    func intervalAgreesWithTest() throws {
        var generator = SeededGenerator(seed: 22)
        for trial in 0..<300 {
            let n = 20 + trial % 200
            func arm(_ rate: Double) -> MetricSummary {
                MetricSummary(values: (0..<n).map { _ in
                    Double.random(in: 0..<1, using: &generator) < rate ? Double(Int.random(in: 1...6, using: &generator)) : 0
                })
            }
            let control = arm(0.1), treatment = arm(0.1 + Double(trial % 7) * 0.02)
            guard control.sum > 0 else { continue }
            for sequential in [false, true] {
                let a = PairedMetricSummary(perUser: control), b = PairedMetricSummary(perUser: treatment)
                guard let result = try? (sequential ? PooledTest.sequential(control: a, treatment: b) : PooledTest.relative(control: a, treatment: b))
                else { continue }
                let interval = result.confidenceInterval
                #expect(interval.lower <= result.estimate && result.estimate <= interval.upper)
                #expect(interval.lower >= -1)
                if interval.upper.isFinite { #expect(interval.excludesZero == result.isSignificant, "trial \(trial)") }
            }
        }
    }

    @Test("no users with events in the control: no relative lift")
    func zeroControl() {
        let zero = PairedMetricSummary(perUser: MetricSummary(values: [0, 0, 0]))
        let some = PairedMetricSummary(perUser: MetricSummary(values: [0, 1, 2]))
        #expect(throws: StatisticsError.zeroMean) { try PooledTest.relative(control: zero, treatment: some) }
        #expect(throws: StatisticsError.tooFewUsers) {
            try PooledTest.relative(control: PairedMetricSummary(perUser: MetricSummary(values: [1])), treatment: some)
        }
    }
}

@Suite("reports with an unbounded interval")
struct UnboundedIntervalReportTests {
    let reports = MetricDefinition(id: "reports", kind: .mean(.init(event: "report.created")), higherIsBetter: false)

    /// A control with one report in twelve users cannot bound a rise: the interval is open
    /// above, JSON writes null there, the guardrail is not violated on it, and the text says so.
    @Test("an open upper bound survives JSON, reads plainly and never violates a guardrail by itself")
    func unbounded() throws {
        let control = observations("control", values: [1] + Array(repeating: 0, count: 11), metric: "reports")
        let treatment = observations("treatment", values: [4, 3, 0, 2] + Array(repeating: 0, count: 8), metric: "reports")
        let guardrail = Guardrail(metric: "reports", maxRelativeChange: 0.1, harmfulDirection: .increase)
        let report = ExperimentAnalyzer.analyze(.init(
            spec: spec(primary: "reports", guardrails: [guardrail], sequential: true), metrics: [reports], variants: [control, treatment],
            status: .running, analyzedAtEpochSeconds: 0))
        let comparison = try #require(report.metrics.first?.comparisons.first)
        #expect(comparison.ciUpper == .infinity && comparison.ciLower >= -1 && comparison.test == "sequential pooled z")
        #expect(report.guardrails.first?.verdict == .ok)
        #expect(report.guardrails.first?.explanation.contains("no upper bound yet") == true)
        let data = try report.jsonData()
        #expect(String(decoding: data, as: UTF8.self).contains("\"ci_upper\" : null"))
        #expect(try ExperimentReport.decode(json: data) == report)
        #expect(ReportHTML.render(report).contains("∞]"))
    }
}
