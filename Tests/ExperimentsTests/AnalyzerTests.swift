import Foundation
import Testing

@testable import Experiments

/// Builds per-variant observations from explicit per-user values.
func observations(_ name: String, values: [Double], companions: [Double]? = nil, metric: String) -> VariantObservations {
    var accumulator = MetricAccumulator()
    for (index, value) in values.enumerated() { accumulator.add(value: value, companion: companions?[index] ?? 0) }
    return VariantObservations(name: name, users: values.count, metrics: [metric: accumulator])
}

func spec(primary: String, guardrails: [Guardrail] = [], sequential: Bool = false, preperiodDays: Int = 0, weights: [Double] = [0.5, 0.5]) -> ExperimentSpec {
    ExperimentSpec(
        id: "exp", traffic: 1, variants: [.init(name: "control", weight: weights[0]), .init(name: "treatment", weight: weights[1])],
        primaryMetric: primary, guardrails: guardrails, sequential: sequential, preperiodDays: preperiodDays)
}

@Suite("experiment analysis")
struct AnalyzerTests {
    let comments = MetricDefinition(id: "comments", kind: .mean(.init(event: "comment.created")))
    let reportRate = MetricDefinition(id: "report_rate", kind: .ratio(numerator: .init(event: "report.created"), denominator: .init(event: "post.viewed")), higherIsBetter: false)

    @Test("every comparison carries GrowthBook's Bayesian view; a declared proper prior pulls it toward the prior and the report names it")
    func bayesianView() throws {
        let control = observations("control", values: (0..<400).map { Double($0 % 5) }, metric: "comments")
        let treatment = observations("treatment", values: (0..<400).map { Double($0 % 5 + ($0 % 4 == 0 ? 1 : 0)) }, metric: "comments")
        var flatSpec = spec(primary: "comments")
        let flat = ExperimentAnalyzer.analyze(.init(spec: flatSpec, metrics: [comments], variants: [control, treatment], status: .running,
                                                    analyzedAtEpochSeconds: 0))
        let view = try #require(flat.metrics[0].comparisons[0].bayesian)
        let direct = try BayesianTest.relative(
            control: .init(mean: control.metrics["comments"]!.valueSummary), treatment: .init(mean: treatment.metrics["comments"]!.valueSummary))
        #expect(view.chanceToWin == direct.chanceToWin && view.riskControl == direct.riskControl && view.riskVariant == direct.riskTreatment)
        #expect(view.credibleLower == direct.credibleInterval.lower && view.credibleUpper == direct.credibleInterval.upper)
        #expect(view.chanceToWin > 0.9 && flat.prior == nil)
        flatSpec.prior = GaussianPrior(mean: 0, variance: 0.0001, proper: true)
        let shrunk = ExperimentAnalyzer.analyze(.init(spec: flatSpec, metrics: [comments], variants: [control, treatment], status: .running,
                                                      analyzedAtEpochSeconds: 0))
        let pulled = try #require(shrunk.metrics[0].comparisons[0].bayesian)
        #expect(pulled.chanceToWin < view.chanceToWin && pulled.credibleUpper - pulled.credibleLower < view.credibleUpper - view.credibleLower)
        #expect(shrunk.prior == flatSpec.prior && ReportHTML.render(shrunk).contains("normal prior on the lift, mean 0, sd 0.01"))
    }

    @Test("report.json has the API's snake_case keys and its format version, and reads back whole")
    func snakeCaseJSON() throws {
        let control = observations("control", values: (0..<300).map { Double($0 % 7) }, metric: "comments")
        let treatment = observations("treatment", values: (0..<300).map { Double($0 % 6) }, metric: "comments")
        var report = ExperimentAnalyzer.analyze(.init(
            spec: spec(primary: "comments"), metrics: [comments], variants: [control, treatment], status: .running, analyzedAtEpochSeconds: 7,
            caps: ["comments": ExperimentReport.AppliedCap(rule: "p99", value: 6, usersCapped: 0)]))
        report.segments = ExperimentAnalyzer.segments(
            [SegmentGroup(segment: "city", value: "Hangzhou", variants: [control, treatment])],
            input: .init(spec: spec(primary: "comments"), metrics: [comments], variants: [control, treatment], status: .running, analyzedAtEpochSeconds: 7))
        let data = try report.jsonData()
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["experiment_id"] as? String == "exp" && object["format_version"] as? Int == 2 && object["analyzed_at_epoch_seconds"] as? Int == 7)
        func keys(_ value: Any) -> [String] {
            if let object = value as? [String: Any] { return object.keys + object.values.flatMap(keys) }
            if let array = value as? [Any] { return array.flatMap(keys) }
            return []
        }
        let all = keys(object)
        #expect(all.contains("relative_lift") && all.contains("chance_to_win") && all.contains("users_per_variant") && all.contains("users_capped"))
        #expect(all.allSatisfy { $0 == $0.lowercased() }, "every key is snake_case: \(all.filter { $0 != $0.lowercased() })")
        #expect(try ExperimentReport.decode(json: data) == report)
    }

    @Test("a clear lift in the primary metric says ship, with the interval")
    func clearLift() {
        let control = observations("control", values: (0..<2000).map { Double($0 % 5) }, metric: "comments")
        let treatment = observations("treatment", values: (0..<2000).map { Double($0 % 5) + 1 }, metric: "comments")
        let report = ExperimentAnalyzer.analyze(.init(spec: spec(primary: "comments"), metrics: [comments], variants: [control, treatment],
                                                      status: .running, analyzedAtEpochSeconds: 0))
        let comparison = report.metrics[0].comparisons[0]
        #expect(abs(comparison.relativeLift - 0.5) < 1e-12, "means 2.0 → 3.0")
        #expect(comparison.significant && comparison.ciLower > 0.4 && comparison.ciUpper < 0.6)
        #expect(report.decision == .ship)
        #expect(report.summary.hasPrefix("treatment raises comments by 50.0% (95% CI"))
    }

    @Test("the relative lift, its interval and p come from the pooled test")
    func matchesPooledTest() throws {
        let control = observations("control", values: [1, 2, 3, 4, 5, 6, 7, 8], metric: "comments")
        let treatment = observations("treatment", values: [2, 3, 4, 5, 6, 7, 8, 12], metric: "comments")
        let report = ExperimentAnalyzer.analyze(.init(spec: spec(primary: "comments"), metrics: [comments], variants: [control, treatment],
                                                      status: .running, analyzedAtEpochSeconds: 0))
        let expected = try PooledTest.relative(control: PairedMetricSummary(perUser: MetricSummary(values: [1, 2, 3, 4, 5, 6, 7, 8])),
                                               treatment: PairedMetricSummary(perUser: MetricSummary(values: [2, 3, 4, 5, 6, 7, 8, 12])))
        let comparison = report.metrics[0].comparisons[0]
        #expect(comparison.relativeLift == expected.estimate)
        #expect(comparison.ciLower == expected.confidenceInterval.lower && comparison.ciUpper == expected.confidenceInterval.upper)
        #expect(comparison.pValue == expected.pValue && comparison.test == "pooled z")
    }

    @Test("a guardrail fires only when the whole interval is beyond the allowed change")
    func guardrail() {
        let views = [Double](repeating: 20, count: 3000)
        let control = observations("control", values: (0..<3000).map { Double($0 % 2) }, companions: views, metric: "report_rate")
        let worse = observations("treatment", values: (0..<3000).map { Double($0 % 2) * 3 }, companions: views, metric: "report_rate")
        let guardrails = [Guardrail(metric: "report_rate", maxRelativeChange: 0.10)]
        let input = ExperimentAnalyzer.Input(spec: spec(primary: "report_rate", guardrails: guardrails), metrics: [reportRate],
                                             variants: [control, worse], status: .running, analyzedAtEpochSeconds: 0)
        let report = ExperimentAnalyzer.analyze(input)
        #expect(report.guardrails[0].verdict == .violated)
        #expect(report.decision == .stoppedByGuardrail)
        #expect(report.guardrails[0].explanation.hasPrefix("report_rate rose by 200.0% in treatment"))
        let slightly = observations("treatment", values: (0..<3000).map { Double($0 % 2) }, companions: views, metric: "report_rate")
        let calm = ExperimentAnalyzer.analyze(.init(spec: spec(primary: "report_rate", guardrails: guardrails), metrics: [reportRate],
                                                    variants: [control, slightly], status: .running, analyzedAtEpochSeconds: 0))
        #expect(calm.guardrails[0].verdict == .ok)
    }

    @Test("a sample-ratio mismatch withholds the verdict")
    func sampleRatioMismatch() {
        let control = observations("control", values: [Double](repeating: 1, count: 1000) + [0, 2], metric: "comments")
        let treatment = observations("treatment", values: [Double](repeating: 3, count: 1300) + [2, 4], metric: "comments")
        let report = ExperimentAnalyzer.analyze(.init(spec: spec(primary: "comments"), metrics: [comments], variants: [control, treatment],
                                                      status: .running, analyzedAtEpochSeconds: 0))
        #expect(report.sampleRatio?.mismatch == true)
        #expect(report.decision == .withheldSampleRatioMismatch)
        #expect(report.summary.hasPrefix("No verdict: the exposed users do not match the configured split"))
    }

    @Test("CUPED uses the pre-period covariate and reports the variance removed")
    func cuped() {
        let pre = (0..<1000).map { Double($0 % 10) }
        let controlValues = pre.map { $0 + 1 }
        let treatmentValues = pre.map { $0 + 1.2 }
        let control = observations("control", values: controlValues, companions: pre, metric: "comments")
        let treatment = observations("treatment", values: treatmentValues, companions: pre, metric: "comments")
        let report = ExperimentAnalyzer.analyze(.init(spec: spec(primary: "comments", preperiodDays: 14), metrics: [comments],
                                                      variants: [control, treatment], status: .running, analyzedAtEpochSeconds: 0))
        let comparison = report.metrics[0].comparisons[0]
        #expect((comparison.cupedVarianceReduction ?? 0) > 0.99, "the outcome is the covariate plus a constant")
        #expect(comparison.significant)
    }

    @Test("sequential experiments use always-valid intervals and p-values, below α exactly when the interval excludes zero")
    func sequential() throws {
        let control = observations("control", values: (0..<500).map { Double($0 % 4) }, metric: "comments")
        let treatment = observations("treatment", values: (0..<500).map { Double($0 % 4) }, metric: "comments")
        let report = ExperimentAnalyzer.analyze(.init(spec: spec(primary: "comments", sequential: true), metrics: [comments],
                                                      variants: [control, treatment], status: .running, analyzedAtEpochSeconds: 0))
        let comparison = report.metrics[0].comparisons[0]
        let pValue = try #require(comparison.pValue)
        #expect(pValue == 1, "identical arms: the e-value is below 1")
        #expect((pValue < 0.05) == comparison.significant)
        let fixed = try WelchTest.relative(control: control.metrics["comments"]!.valueSummary.estimate,
                                           treatment: treatment.metrics["comments"]!.valueSummary.estimate)
        #expect(comparison.ciUpper - comparison.ciLower > fixed.confidenceInterval.upper - fixed.confidenceInterval.lower,
                "always-valid intervals are wider than fixed-horizon ones")
    }

    @Test("the HTML report is self-contained and escapes what it shows")
    func html() {
        let control = observations("control", values: [1, 2, 3, 4], metric: "comments")
        let treatment = observations("<b>x</b>", values: [2, 3, 4, 5], metric: "comments")
        var experiment = spec(primary: "comments")
        experiment.title = "A & B"
        let report = ExperimentAnalyzer.analyze(.init(spec: experiment, metrics: [comments], variants: [control, treatment],
                                                      timeline: [.init(dayEpochSeconds: 0, cumulativeUsers: [4, 4])], status: .running,
                                                      analyzedAtEpochSeconds: 0))
        let page = ReportHTML.render(report)
        #expect(page.contains("<title>A &amp; B"))
        #expect(page.contains("&lt;b&gt;x&lt;/b&gt;") && !page.contains("<b>x</b>"))
        #expect(!page.contains("<script") && !page.contains("http://") && !page.contains("https://"))
        #expect(page.contains("<svg"))
    }
}
