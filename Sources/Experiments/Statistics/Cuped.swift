/// CUPED variance reduction with a pre-period covariate, θ pooled over arms as gbstats does.
///
/// Each arm is a `PairedMetricSummary` with Y the outcome and X the pre-period covariate. The
/// adjusted outcome is Y' = Y − θ(X − X̄), X̄ pooled, so adjusted means stay on Y's scale and the
/// treatment effect is unbiased whatever θ is; the adjusted arms go into `WelchTest` as usual.
public struct Cuped: Sendable, Hashable {
    /// θ = cov(Y, X) / var(X) over both arms pooled; zero when the covariate does not vary.
    public let theta: Double
    /// Adjusted control arm: mean Ȳ − θ(X̄_arm − X̄), variance var(Y) − 2θ·cov(Y, X) + θ²·var(X).
    public let control: ArmEstimate
    /// Adjusted treatment arm, as for control.
    public let treatment: ArmEstimate
    /// 1 − adjusted/unadjusted variance of the difference of means (≈ ρ² when the arms are alike).
    public let varianceReduction: Double

    /// Computes θ and the adjusted arms.
    public init(control: PairedMetricSummary, treatment: PairedMetricSummary) throws(StatisticsError) {
        guard control.count >= 2 && treatment.count >= 2 else { throw .tooFewUsers }
        let pooled = control + treatment
        let pooledCovariateVariance = pooled.x.variance
        let theta = pooledCovariateVariance > 0 ? pooled.covarianceXY / pooledCovariateVariance : 0
        let pooledCovariateMean = pooled.x.mean

        func adjusted(_ arm: PairedMetricSummary) -> ArmEstimate {
            let variance = arm.y.variance - 2 * theta * arm.covarianceXY + theta * theta * arm.x.variance
            return ArmEstimate(
                mean: arm.y.mean - theta * (arm.x.mean - pooledCovariateMean),
                variance: max(0, variance),
                count: arm.count
            )
        }

        let adjustedControl = adjusted(control)
        let adjustedTreatment = adjusted(treatment)
        let unadjustedVariance = control.y.estimate.varianceOfMean + treatment.y.estimate.varianceOfMean
        let adjustedVariance = adjustedControl.varianceOfMean + adjustedTreatment.varianceOfMean
        self.theta = theta
        self.control = adjustedControl
        self.treatment = adjustedTreatment
        self.varianceReduction = unadjustedVariance > 0 ? 1 - adjustedVariance / unadjustedVariance : 0
    }
}
