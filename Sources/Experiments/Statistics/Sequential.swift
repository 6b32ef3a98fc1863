import Foundation

/// Always-valid confidence intervals for peeking at a running experiment (Waudby-Smith et al.,
/// arXiv 2103.06476 eq. 161, as in GrowthBook's gbstats sequential test).
///
/// The point estimate and its standard error are the fixed-horizon ones; only the interval is
/// widened so that it holds at every look. Significance is the interval excluding zero.
public enum SequentialTest {
    /// gbstats' default tuning sample size N*: the total users at which the interval is tightest.
    public static let tuningSampleSizeDefault = 5000.0

    /// The result of one look.
    public struct Result: Sendable, Hashable {
        /// Point estimate (absolute difference or relative lift).
        public var estimate: Double
        /// Fixed-horizon standard error of the estimate.
        public var standardError: Double
        /// Half-width of the always-valid interval.
        public var halfWidth: Double
        /// The always-valid (1 − α) interval.
        public var confidenceInterval: ConfidenceInterval

        /// Whether the interval excludes zero.
        public var isSignificant: Bool {
            confidenceInterval.excludesZero
        }
    }

    /// ρ = sqrt((−2 ln α + ln(−2 ln α + 1)) / N*).
    public static func rho(alpha: Double, tuningSampleSize: Double) -> Double {
        let minusTwoLogAlpha = -2 * log(alpha)
        return ((minusTwoLogAlpha + log(minusTwoLogAlpha + 1)) / tuningSampleSize).squareRoot()
    }

    /// Half-width σ̂·sqrt(2(nρ² + 1)/(n²ρ²) · ln(sqrt(nρ² + 1)/α)), with σ̂² the per-user variance and n the total users.
    public static func halfWidth(
        perUserVariance: Double,
        totalCount: Int,
        alpha: Double,
        tuningSampleSize: Double
    ) -> Double {
        let n = Double(totalCount)
        let rho = rho(alpha: alpha, tuningSampleSize: tuningSampleSize)
        let nRhoSquared = n * rho * rho
        let factor = 2 * (nRhoSquared + 1) / (n * nRhoSquared) * log((nRhoSquared + 1).squareRoot() / alpha)
        return perUserVariance.squareRoot() * factor.squareRoot()
    }

    /// The half-width as a multiple of the estimate's standard error: with σ̂² = SE²·n,
    /// half-width = SE·sqrt(n)·sqrt(2(nρ² + 1)/(n²ρ²) · ln(sqrt(nρ² + 1)/α)). Where a fixed-horizon
    /// interval uses Φ⁻¹(1 − α/2), an always-valid one uses this (`PooledTest.sequential`).
    public static func criticalValue(totalCount: Int, alpha: Double, tuningSampleSize: Double = tuningSampleSizeDefault) -> Double {
        halfWidth(perUserVariance: Double(totalCount), totalCount: totalCount, alpha: alpha, tuningSampleSize: tuningSampleSize)
    }

    /// The always-valid p-value of a statistic z over `totalCount` users (Waudby-Smith et al.
    /// eq. 155, as gbstats' `SequentialTwoSidedTTest.p_value`): 1/e, capped at 1, with the
    /// mixture e-value e = exp(ρ²·z²·n / (2(nρ² + 1))) / sqrt(nρ² + 1) and ρ tuned at `alpha` as
    /// the interval's is. Since c² = 2(nρ² + 1)/(nρ²)·ln(sqrt(nρ² + 1)/α) for the interval's
    /// multiplier c (`criticalValue`), p < α exactly when |z| > c: when the always-valid
    /// interval excludes no change. Computed in logs, so a large |z| gives a tiny p, not 0/0.
    public static func alwaysValidPValue(statistic: Double, totalCount: Int, alpha: Double,
                                         tuningSampleSize: Double = tuningSampleSizeDefault) -> Double {
        let n = Double(totalCount)
        let rho = rho(alpha: alpha, tuningSampleSize: tuningSampleSize)
        let nRhoSquaredPlusOne = n * rho * rho + 1
        let logEValue = rho * rho * statistic * statistic * n / (2 * nRhoSquaredPlusOne) - 0.5 * log(nRhoSquaredPlusOne)
        return exp(-max(0, logEValue))
    }

    /// Always-valid interval for the difference of means treatment − control.
    public static func absolute(
        control: ArmEstimate,
        treatment: ArmEstimate,
        alpha: Double = 0.05,
        tuningSampleSize: Double = tuningSampleSizeDefault
    ) throws(StatisticsError) -> Result {
        try WelchTest.validate(control: control, treatment: treatment, alpha: alpha)
        let variance = control.varianceOfMean + treatment.varianceOfMean
        return try result(
            estimate: treatment.mean - control.mean, variance: variance,
            control: control, treatment: treatment, alpha: alpha, tuningSampleSize: tuningSampleSize
        )
    }

    /// Always-valid interval for the relative lift (B − A)/|A| (delta-method variance, as `WelchTest.relative`).
    public static func relative(
        control: ArmEstimate,
        treatment: ArmEstimate,
        alpha: Double = 0.05,
        tuningSampleSize: Double = tuningSampleSizeDefault
    ) throws(StatisticsError) -> Result {
        try WelchTest.validate(control: control, treatment: treatment, alpha: alpha)
        let (estimate, variance) = try WelchTest.relativeLift(control: control, treatment: treatment)
        return try result(
            estimate: estimate, variance: variance,
            control: control, treatment: treatment, alpha: alpha, tuningSampleSize: tuningSampleSize
        )
    }

    /// Scales the estimate's variance to a per-user σ̂² = SE²·(nA + nB) and applies the half-width formula.
    private static func result(
        estimate: Double,
        variance: Double,
        control: ArmEstimate,
        treatment: ArmEstimate,
        alpha: Double,
        tuningSampleSize: Double
    ) throws(StatisticsError) -> Result {
        guard variance > 0 else { throw .zeroVariance }
        guard tuningSampleSize > 0 else { throw .invalidCounts }
        let totalCount = control.count + treatment.count
        let width = halfWidth(
            perUserVariance: variance * Double(totalCount),
            totalCount: totalCount,
            alpha: alpha,
            tuningSampleSize: tuningSampleSize
        )
        return Result(
            estimate: estimate,
            standardError: variance.squareRoot(),
            halfWidth: width,
            confidenceInterval: ConfidenceInterval(estimate: estimate, halfWidth: width)
        )
    }
}
