import Foundation

extension ExperimentAnalyzer {
    /// A guardrail is violated when, for some variant, the interval of its relative change lies
    /// entirely beyond the allowed change in the harmful direction: worse than the threshold
    /// with significance, not merely worse.
    static func verdict(_ guardrail: Guardrail, results: [ExperimentReport.MetricResult], alpha: Double) -> ExperimentReport.GuardrailResult {
        let direction = guardrail.harmfulDirection.rawValue
        let limit = guardrail.maxRelativeChange
        guard let result = results.first(where: { $0.id == guardrail.metric }) else {
            return .init(metric: guardrail.metric, maxRelativeChange: limit, harmfulDirection: direction, verdict: .insufficientData,
                         explanation: "no data for \(guardrail.metric)")
        }
        let usable = result.comparisons.filter { $0.unavailable == nil }
        guard !usable.isEmpty else {
            let why = result.comparisons.first?.unavailable ?? "no comparison"
            return .init(metric: guardrail.metric, maxRelativeChange: limit, harmfulDirection: direction, verdict: .insufficientData,
                         explanation: "\(guardrail.metric): \(why)")
        }
        for comparison in usable {
            let violated = guardrail.harmfulDirection == .increase ? comparison.ciLower > limit : comparison.ciUpper < -limit
            if violated {
                let verb = guardrail.harmfulDirection == .increase ? "rose" : "fell"
                return .init(
                    metric: guardrail.metric, maxRelativeChange: limit, harmfulDirection: direction, verdict: .violated,
                    explanation: "\(guardrail.metric) \(verb) by \(ReportSummary.percent(abs(comparison.relativeLift))) in \(comparison.variant) "
                        + "(\(ReportSummary.interval(comparison, alpha: alpha))), beyond the \(ReportSummary.percent(limit)) allowed")
            }
        }
        let worst = usable.max { lhs, rhs in
            guardrail.harmfulDirection == .increase ? lhs.relativeLift < rhs.relativeLift : lhs.relativeLift > rhs.relativeLift
        }!
        return .init(
            metric: guardrail.metric, maxRelativeChange: limit, harmfulDirection: direction, verdict: .ok,
            explanation: "\(guardrail.metric) \(ReportSummary.signedPercent(worst.relativeLift)) in \(worst.variant) (\(ReportSummary.interval(worst, alpha: alpha))), "
                + "within the \(ReportSummary.percent(limit)) allowed")
    }

    static func powerEstimate(_ input: Input, results: [ExperimentReport.MetricResult]) -> ExperimentReport.PowerEstimate? {
        guard let primary = input.metrics.first(where: { $0.id == input.spec.primaryMetric }),
            let control = input.variants.first?.metrics[primary.id], control.users >= 2
        else { return nil }
        let variance: Double
        switch primary.kind {
        case .mean, .proportion: variance = control.valueSummary.variance
        case .ratio:
            guard let estimate = try? control.ratioSummary.ratioEstimate() else { return nil }
            variance = estimate.variance
        case .quantile: return nil
        }
        let usersPerArm = input.variants.map(\.users).min() ?? 0
        guard variance > 0, usersPerArm > 0,
            let mde = try? Power.minimumDetectableEffect(usersPerArm: usersPerArm, variance: variance, alpha: input.spec.alpha, power: powerTarget)
        else { return nil }
        let controlValue = value(of: control, kind: primary.kind)
        // The relative figures are on the scale the report tests (relative lift, delta method),
        // so "n more users" agrees with the p-value the same lift would get.
        var needed: Int?
        if let comparison = results.first(where: { $0.id == primary.id })?.comparisons.first, !comparison.significant,
            comparison.unavailable == nil, controlValue != 0, comparison.relativeLift != 0,
            let total = try? RelativePower.usersPerArm(
                relativeLift: comparison.relativeLift, controlMean: controlValue, variance: variance, alpha: input.spec.alpha, power: powerTarget)
        {
            needed = max(0, total - usersPerArm)
        }
        let relativeMDE = controlValue != 0
            ? (try? RelativePower.minimumDetectableLift(
                usersPerArm: usersPerArm, controlMean: controlValue, variance: variance, alpha: input.spec.alpha, power: powerTarget)) ?? nil
            : nil
        return ExperimentReport.PowerEstimate(
            metric: primary.id, minimumDetectableEffect: mde, minimumDetectableRelativeEffect: relativeMDE,
            additionalUsersPerArmNeeded: needed)
    }

    static func decide(_ input: Input, sampleRatio: ExperimentReport.SampleRatio?, results: [ExperimentReport.MetricResult],
                       guardrails: [ExperimentReport.GuardrailResult]) -> ExperimentReport.Decision {
        if input.status == .shipped { return .shipped }
        if guardrails.contains(where: { $0.verdict == .violated }) || input.stopReason != nil { return .stoppedByGuardrail }
        if sampleRatio?.mismatch == true { return .withheldSampleRatioMismatch }
        guard let primary = results.first(where: { $0.role == .primary }) else { return .keepRunning }
        let winners = primary.comparisons.filter { comparison in
            let significant = comparison.adjustedPValue.map { $0 < input.spec.alpha } ?? comparison.significant
            return significant && (comparison.relativeLift > 0) == primary.higherIsBetter
        }
        let losers = primary.comparisons.filter { comparison in
            let significant = comparison.adjustedPValue.map { $0 < input.spec.alpha } ?? comparison.significant
            return significant && (comparison.relativeLift > 0) != primary.higherIsBetter
        }
        if !winners.isEmpty { return .ship }
        if !losers.isEmpty { return .doNotShip }
        return .keepRunning
    }
}
