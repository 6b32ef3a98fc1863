import Foundation

/// A normal prior on the relative lift, as GrowthBook's `GaussianPrior`: improper (flat) unless
/// `proper`, in which case its mean and variance weigh in with the data's precision.
public struct GaussianPrior: Sendable, Hashable, Codable {
    public var mean: Double
    public var variance: Double
    public var proper: Bool

    public init(mean: Double = 0, variance: Double = 1, proper: Bool = false) {
        self.mean = mean
        self.variance = variance
        self.proper = proper
    }

    /// GrowthBook's default: flat, so the posterior is the data's normal approximation.
    public static let flat = GaussianPrior()
}

/// GrowthBook's Bayesian view of one comparison (gbstats 0.8.0 `EffectBayesianABTest`, relative):
/// the relative lift (B − A)/|A| has a normal likelihood with the delta-method variance, combined
/// with a normal prior; from that posterior, the chance that the treatment beats the control, the
/// expected loss ("risk") of choosing each arm, and the credible interval.
///
/// Decision rules do not read it: the report's verdicts come from `PooledTest`. It is shown
/// beside them because product teams read "chance to win" more readily than a p-value.
public enum BayesianTest {
    /// One arm as gbstats sees it.
    public struct Arm: Sendable, Hashable {
        /// The arm's estimate (CUPED-adjusted where CUPED applies).
        public var mean: Double
        /// The unadjusted mean: the relative lift divides by the control's, the variance uses both.
        public var unadjustedMean: Double
        /// Per-user variance (variance / count is the variance of `mean`).
        public var variance: Double
        public var count: Int

        public init(mean: Double, unadjustedMean: Double? = nil, variance: Double, count: Int) {
            self.mean = mean
            self.unadjustedMean = unadjustedMean ?? mean
            self.variance = variance
            self.count = count
        }

        /// A mean metric: the sample variance (n − 1), as gbstats' `SampleMeanStatistic`.
        public init(mean summary: MetricSummary) {
            self.init(mean: summary.count > 0 ? summary.mean : 0, variance: summary.count > 1 ? summary.variance : 0, count: summary.count)
        }

        /// A proportion: p(1 − p), as gbstats' `ProportionStatistic` (not the n − 1 sample variance).
        public init(proportion successes: Double, count: Int) {
            let p = count > 0 ? successes / Double(count) : 0
            self.init(mean: p, variance: p * (1 - p), count: count)
        }

        /// A ratio of sums, with the delta-method per-user variance of gbstats' `RatioStatistic`.
        public init(ratio summary: PairedMetricSummary) {
            guard summary.count > 1, summary.sumY != 0 else {
                self.init(mean: summary.sumY != 0 ? summary.sumX / summary.sumY : 0, variance: 0, count: summary.count)
                return
            }
            let meanX = summary.x.mean, meanY = summary.y.mean
            let variance = summary.x.variance / (meanY * meanY) - 2 * summary.covarianceXY * meanX / (meanY * meanY * meanY)
                + meanX * meanX * summary.y.variance / (meanY * meanY * meanY * meanY)
            self.init(mean: summary.sumX / summary.sumY, variance: variance, count: summary.count)
        }
    }

    public struct Result: Sendable, Hashable {
        /// P(the treatment is better): P(lift > 0), or P(lift < 0) when lower is better.
        public var chanceToWin: Double
        /// Expected loss of choosing the control: E[max(gain forgone, 0)] on the relative scale.
        public var riskControl: Double
        /// Expected loss of choosing the treatment.
        public var riskTreatment: Double
        /// Posterior mean and standard deviation of the relative lift.
        public var mean: Double
        public var standardDeviation: Double
        /// Central (1 − α) credible interval of the relative lift.
        public var credibleInterval: ConfidenceInterval
    }

    /// Why gbstats gives its uninformative default (chance 0.5, zero risk) instead of a posterior.
    public enum Unavailable: Error, Sendable, Hashable {
        case zeroControlMean
        case emptyArm
        case zeroVariance
    }

    /// The posterior of the relative lift of `treatment` over `control`.
    /// - Parameter higherIsBetter: false turns "win" into a decrease and swaps the risks, as
    ///   gbstats' `inverse` does.
    public static func relative(
        control: Arm, treatment: Arm, alpha: Double = 0.05, higherIsBetter: Bool = true, prior: GaussianPrior = .flat
    ) throws(Unavailable) -> Result {
        // gbstats' checks, in its order.
        guard control.mean != 0, control.unadjustedMean != 0 else { throw .zeroControlMean }
        guard control.count > 0, treatment.count > 0 else { throw .emptyArm }
        guard control.variance > 0, treatment.variance > 0 else { throw .zeroVariance }
        let a = control.unadjustedMean, b = treatment.unadjustedMean
        let dataVariance = treatment.variance / (a * a * Double(treatment.count)) + control.variance * b * b / (a * a * a * a * Double(control.count))
        let dataMean = (treatment.mean - control.mean) / a
        let precision = 1 / dataVariance + (prior.proper ? 1 / prior.variance : 0)
        let mean = prior.proper ? (dataMean / dataVariance + prior.mean / prior.variance) / precision : dataMean
        let deviation = (1 / precision).squareRoot()
        let z = mean / deviation
        let gain = mean * Normal.cdf(z) + deviation * Normal.density(z)  // E[lift · 1{lift > 0}]
        let loss = deviation * Normal.density(z) - mean * Normal.survival(z)  // −E[lift · 1{lift < 0}]
        let probabilityIncrease = Normal.cdf(z)
        let halfQuantile = Normal.quantile(1 - alpha / 2)
        return Result(
            chanceToWin: higherIsBetter ? probabilityIncrease : 1 - probabilityIncrease,
            riskControl: higherIsBetter ? gain : loss, riskTreatment: higherIsBetter ? loss : gain,
            mean: mean, standardDeviation: deviation,
            credibleInterval: ConfidenceInterval(lower: mean - halfQuantile * deviation, upper: mean + halfQuantile * deviation))
    }
}
