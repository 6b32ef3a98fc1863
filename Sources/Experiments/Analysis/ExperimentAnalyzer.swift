import Foundation

/// Turns per-variant observations into a report: lifts with intervals (Welch with the delta
/// method, CUPED when a pre-period covariate exists, always-valid intervals when the experiment
/// is sequential), the sample-ratio check, the correction across metrics, guardrail verdicts,
/// power and a plain-language summary. Pure: the same input gives the same report.
public enum ExperimentAnalyzer {
    public struct Input: Sendable {
        public var spec: ExperimentSpec
        public var metrics: [MetricDefinition]
        /// In the spec's variant order; the first is the control.
        public var variants: [VariantObservations]
        public var timeline: [ExperimentReport.TimelinePoint]
        public var forcedUsersExcluded: Int
        public var status: ExperimentStatus
        public var analyzedAtEpochSeconds: Int64
        public var stoppedAtEpochSeconds: Int64?
        public var stopReason: String?
        /// The analysed users per combination of versions they were first exposed under.
        public var versions: [ExperimentReport.VersionRow]
        /// The caps applied to the metrics that declare one, by metric id.
        public var caps: [String: ExperimentReport.AppliedCap] = [:]

        public init(
            spec: ExperimentSpec, metrics: [MetricDefinition], variants: [VariantObservations], timeline: [ExperimentReport.TimelinePoint] = [],
            forcedUsersExcluded: Int = 0, status: ExperimentStatus, analyzedAtEpochSeconds: Int64, stoppedAtEpochSeconds: Int64? = nil,
            stopReason: String? = nil, versions: [ExperimentReport.VersionRow] = [], caps: [String: ExperimentReport.AppliedCap] = [:]
        ) {
            self.versions = versions
            self.caps = caps
            self.spec = spec
            self.metrics = metrics
            self.variants = variants
            self.timeline = timeline
            self.forcedUsersExcluded = forcedUsersExcluded
            self.status = status
            self.analyzedAtEpochSeconds = analyzedAtEpochSeconds
            self.stoppedAtEpochSeconds = stoppedAtEpochSeconds
            self.stopReason = stopReason
        }
    }

    /// Power the MDE is quoted at.
    static let powerTarget = 0.8

    public static func analyze(_ input: Input) -> ExperimentReport {
        let spec = input.spec
        let sampleRatio = sampleRatioCheck(input)
        var results: [ExperimentReport.MetricResult] = []
        for metricID in spec.allMetrics {
            guard let definition = input.metrics.first(where: { $0.id == metricID }) else { continue }
            results.append(result(for: definition, role: role(of: metricID, in: spec), input: input))
        }
        correct(&results, method: spec.correction == .holm ? .holm : .benjaminiHochberg)
        let guardrails = spec.guardrails.map { guardrail in verdict(guardrail, results: results, alpha: spec.alpha) }
        let power = powerEstimate(input, results: results)
        let decision = decide(input, sampleRatio: sampleRatio, results: results, guardrails: guardrails)
        var report = ExperimentReport(
            experimentID: spec.id, title: spec.title, status: input.status.rawValue, analyzedAtEpochSeconds: input.analyzedAtEpochSeconds,
            alpha: spec.alpha, correction: spec.correction.rawValue, sequential: spec.sequential,
            variants: zip(spec.variants, input.variants).map { .init(name: $0.name, weight: $0.weight, users: $1.users) },
            forcedUsersExcluded: input.forcedUsersExcluded, sampleRatio: sampleRatio, metrics: results, guardrails: guardrails, power: power,
            timeline: input.timeline, decision: decision, summary: "", stoppedAtEpochSeconds: input.stoppedAtEpochSeconds,
            stopReason: input.stopReason)
        report.phase = spec.phase
        report.prior = spec.prior.proper ? spec.prior : nil
        report.versions = input.versions
        report.summary = ReportSummary.sentence(for: report)
        return report
    }

    static func role(of metric: String, in spec: ExperimentSpec) -> ExperimentReport.Role {
        if metric == spec.primaryMetric { return .primary }
        if spec.secondaryMetrics.contains(metric) { return .secondary }
        return .guardrail
    }

    static func sampleRatioCheck(_ input: Input) -> ExperimentReport.SampleRatio? {
        let counts = input.variants.map(\.users)
        guard counts.reduce(0, +) > 0, let check = try? SampleRatioCheck(observedCounts: counts, weights: input.spec.variants.map(\.weight)) else {
            return nil
        }
        return ExperimentReport.SampleRatio(chiSquare: check.chiSquare, pValue: check.pValue, mismatch: check.isMismatch)
    }

    static func result(for definition: MetricDefinition, role: ExperimentReport.Role, input: Input) -> ExperimentReport.MetricResult {
        let empty = MetricAccumulator()
        let accumulators = input.variants.map { $0.metrics[definition.id] ?? empty }
        if case .quantile = definition.kind {
            return quantileResult(for: definition, role: role, input: input)
        }
        let arms = zip(input.variants, accumulators).map { variant, accumulator in
            ExperimentReport.ArmValue(variant: variant.name, users: accumulator.users, value: value(of: accumulator, kind: definition.kind))
        }
        var comparisons: [ExperimentReport.Comparison] = []
        for index in accumulators.indices.dropFirst() {
            comparisons.append(compare(control: accumulators[0], treatment: accumulators[index], variant: input.variants[index].name,
                                       kind: definition.kind, higherIsBetter: definition.higherIsBetter, spec: input.spec))
        }
        return ExperimentReport.MetricResult(
            id: definition.id, description: definition.description, kind: kindName(definition.kind), role: role,
            higherIsBetter: definition.higherIsBetter, arms: arms, comparisons: comparisons, cap: input.caps[definition.id])
    }

    static func value(of accumulator: MetricAccumulator, kind: MetricDefinition.Kind) -> Double {
        switch kind {
        case .mean: accumulator.mean
        case .proportion: accumulator.users > 0 ? Double(accumulator.usersWithEvents) / Double(accumulator.users) : 0
        case .ratio: accumulator.sumCompanion != 0 ? accumulator.sumValue / accumulator.sumCompanion : 0
        case .quantile: .nan
        }
    }

    static func kindName(_ kind: MetricDefinition.Kind) -> String {
        switch kind {
        case .mean: "mean"
        case .proportion: "proportion"
        case .ratio: "ratio"
        case .quantile: "quantile"
        }
    }

    /// Every metric is judged by `PooledTest` (see there for why): fixed horizon, or always-valid
    /// when the experiment is sequential. Means and proportions are ratios over Y ≡ 1.
    static func compare(control: MetricAccumulator, treatment: MetricAccumulator, variant: String, kind: MetricDefinition.Kind,
                        higherIsBetter: Bool, spec: ExperimentSpec) -> ExperimentReport.Comparison {
        var cupedReduction: Double?
        do throws(StatisticsError) {
            var arms: (PairedMetricSummary, PairedMetricSummary)
            var bayesianArms: (BayesianTest.Arm, BayesianTest.Arm)
            switch kind {
            case .mean:
                arms = (PairedMetricSummary(perUser: control.valueSummary), PairedMetricSummary(perUser: treatment.valueSummary))
                bayesianArms = (BayesianTest.Arm(mean: control.valueSummary), BayesianTest.Arm(mean: treatment.valueSummary))
                if spec.preperiodDays > 0, control.sumCompanionSquares > 0 || treatment.sumCompanionSquares > 0 {
                    let cuped = try Cuped(control: control.cupedSummary, treatment: treatment.cupedSummary)
                    arms = (PairedMetricSummary(perUser: cuped.control), PairedMetricSummary(perUser: cuped.treatment))
                    cupedReduction = cuped.varianceReduction
                    bayesianArms = (
                        BayesianTest.Arm(mean: cuped.control.mean, unadjustedMean: control.mean, variance: cuped.control.variance, count: control.users),
                        BayesianTest.Arm(mean: cuped.treatment.mean, unadjustedMean: treatment.mean, variance: cuped.treatment.variance,
                                         count: treatment.users))
                }
            case .proportion:
                arms = (PairedMetricSummary(perUser: control.usersWithEventsSummary), PairedMetricSummary(perUser: treatment.usersWithEventsSummary))
                bayesianArms = (BayesianTest.Arm(proportion: Double(control.usersWithEvents), count: control.users),
                                BayesianTest.Arm(proportion: Double(treatment.usersWithEvents), count: treatment.users))
            case .ratio:
                arms = (control.ratioSummary, treatment.ratioSummary)
                bayesianArms = (BayesianTest.Arm(ratio: control.ratioSummary), BayesianTest.Arm(ratio: treatment.ratioSummary))
            case .quantile:
                throw .invalidCounts
            }
            let result = spec.sequential
                ? try PooledTest.sequential(control: arms.0, treatment: arms.1, alpha: spec.alpha)
                : try PooledTest.relative(control: arms.0, treatment: arms.1, alpha: spec.alpha)
            return ExperimentReport.Comparison(
                variant: variant, relativeLift: result.estimate, ciLower: result.confidenceInterval.lower,
                ciUpper: result.confidenceInterval.upper, pValue: result.pValue, adjustedPValue: result.pValue, significant: result.isSignificant,
                cupedVarianceReduction: cupedReduction, unavailable: nil,
                test: testName(sequential: spec.sequential, cuped: cupedReduction != nil),
                bayesian: bayesianView(control: bayesianArms.0, treatment: bayesianArms.1, alpha: spec.alpha, higherIsBetter: higherIsBetter,
                                       prior: spec.prior))
        } catch {
            return ExperimentReport.Comparison(
                variant: variant, relativeLift: 0, ciLower: 0, ciUpper: 0, pValue: nil, adjustedPValue: nil, significant: false,
                cupedVarianceReduction: nil, unavailable: unavailableReason(error), test: testName(sequential: spec.sequential, cuped: false))
        }
    }

    /// A quantile metric: each arm's q̂, compared by `QuantileComparison`.
    static func quantileResult(for definition: MetricDefinition, role: ExperimentReport.Role, input: Input) -> ExperimentReport.MetricResult {
        let estimates = input.variants.map { $0.quantiles[definition.id] }
        let arms = input.variants.enumerated().map { index, variant in
            ExperimentReport.ArmValue(variant: variant.name, users: variant.users, value: estimates[index]?.quantile ?? 0)
        }
        let sequential = input.spec.sequential
        let test = sequential ? "sequential quantile t" : "quantile t"
        var comparisons: [ExperimentReport.Comparison] = []
        for index in input.variants.indices.dropFirst() {
            let variant = input.variants[index].name
            guard let control = estimates[0], let treatment = estimates[index] else {
                comparisons.append(ExperimentReport.Comparison(
                    variant: variant, relativeLift: 0, ciLower: 0, ciUpper: 0, pValue: nil, adjustedPValue: nil, significant: false,
                    cupedVarianceReduction: nil, unavailable: "no values yet", test: test))
                continue
            }
            do throws(StatisticsError) {
                let result = try QuantileComparison.relative(control: control, treatment: treatment, alpha: input.spec.alpha, sequential: sequential)
                comparisons.append(ExperimentReport.Comparison(
                    variant: variant, relativeLift: result.estimate, ciLower: result.confidenceInterval.lower,
                    ciUpper: result.confidenceInterval.upper, pValue: result.pValue, adjustedPValue: result.pValue,
                    significant: sequential ? result.confidenceInterval.excludesZero : result.pValue < input.spec.alpha,
                    cupedVarianceReduction: nil, unavailable: nil, test: test,
                    bayesian: bayesianView(
                        control: BayesianTest.Arm(mean: control.quantile, variance: control.variance, count: control.count),
                        treatment: BayesianTest.Arm(mean: treatment.quantile, variance: treatment.variance, count: treatment.count),
                        alpha: input.spec.alpha, higherIsBetter: definition.higherIsBetter, prior: input.spec.prior)))
            } catch {
                let why = error == .zeroVariance ? "too few values around the quantile yet" : unavailableReason(error)
                comparisons.append(ExperimentReport.Comparison(
                    variant: variant, relativeLift: 0, ciLower: 0, ciUpper: 0, pValue: nil, adjustedPValue: nil, significant: false,
                    cupedVarianceReduction: nil, unavailable: why, test: test))
            }
        }
        return ExperimentReport.MetricResult(
            id: definition.id, description: definition.description, kind: kindName(definition.kind), role: role,
            higherIsBetter: definition.higherIsBetter, arms: arms, comparisons: comparisons, cap: nil)
    }

    static func bayesianView(control: BayesianTest.Arm, treatment: BayesianTest.Arm, alpha: Double, higherIsBetter: Bool, prior: GaussianPrior)
        -> ExperimentReport.BayesianView?
    {
        guard let result = try? BayesianTest.relative(control: control, treatment: treatment, alpha: alpha, higherIsBetter: higherIsBetter,
                                                      prior: prior)
        else { return nil }
        return ExperimentReport.BayesianView(
            chanceToWin: result.chanceToWin, riskControl: result.riskControl, riskVariant: result.riskTreatment,
            credibleLower: result.credibleInterval.lower, credibleUpper: result.credibleInterval.upper)
    }

    /// What `Comparison.test` says: "pooled z" (fixed horizon) or "sequential pooled z", "+ CUPED".
    static func testName(sequential: Bool, cuped: Bool) -> String {
        (sequential ? "sequential pooled z" : "pooled z") + (cuped ? " + CUPED" : "")
    }

    static func unavailableReason(_ error: StatisticsError) -> String {
        switch error {
        case .tooFewUsers: "too few users"
        case .zeroMean: "the control's value is zero"
        case .zeroVariance: "no variation yet"
        default: "not computable"
        }
    }

    /// Adjusts p-values of primary and secondary comparisons together and re-judges them.
    /// Guardrails are not corrected: a guardrail is a safety check, not a discovery.
    static func correct(_ results: inout [ExperimentReport.MetricResult], method: MultipleComparisons.Method) {
        var positions: [(Int, Int)] = []
        var pValues: [Double] = []
        for (metricIndex, result) in results.enumerated() where result.role != .guardrail {
            for (comparisonIndex, comparison) in result.comparisons.enumerated() {
                guard let pValue = comparison.pValue else { continue }
                positions.append((metricIndex, comparisonIndex))
                pValues.append(pValue)
            }
        }
        guard pValues.count > 1 else { return }
        let adjusted = MultipleComparisons.adjust(pValues, method: method)
        for ((metricIndex, comparisonIndex), value) in zip(positions, adjusted) {
            results[metricIndex].comparisons[comparisonIndex].adjustedPValue = value
        }
    }
}
