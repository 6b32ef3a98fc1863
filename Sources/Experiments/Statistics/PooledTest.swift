import Foundation

/// The test the report uses for every metric: a two-sample z-test whose variance is pooled over
/// both arms under the null hypothesis (the variance of the difference over re-randomisations of
/// the same users, as a permutation test has it), inverted for a relative interval under a
/// multiplicative effect.
///
/// Why not Welch with the delta method: for rare, skewed counts (reports received, tips) each
/// arm's variance rises and falls with the few heavy users it happens to hold, so the statistic
/// divides by a standard error that moves with its own numerator, and the relative lift divides
/// once more by the noisy control mean. In A/A re-randomisations of the simulator's 955 exposed
/// users that flagged reports_received_rate in 7–9% of splits and reports_received_per_user in
/// 7–8% (up to 10–25% at 150–300 users, where the watcher looks first). A variance pooled under
/// the null does not depend on which arm the heavy users landed in, and holds 5%.
///
/// Metrics are ratios of per-user sums X/Y (a mean or a proportion has Y ≡ 1, see
/// `PairedMetricSummary.init(perUser:)`), non-negative, so the effect is a ratio θ = R_B/R_A ≥ 0.
/// Under "treatment = control scaled by θ" the control's X scaled by θ and the treatment's are
/// exchangeable, so with R(θ) the pooled ratio (θΣX_A + ΣX_B)/ΣY and e = X′ − R(θ)·Y:
///
///   z(θ) = (R_B − θ·R_A) / sqrt( Σe²/(n − 1) · n_A·n_B/n · (1/ΣY_A + 1/ΣY_B)² )
///
/// the linearised difference over its variance across re-randomisations of the same users.
/// z(1) is the test of no change (for a mean, the difference of means over the permutation
/// standard error s·sqrt(1/n_A + 1/n_B) with s² the variance of all users together). For
/// reports_received_rate, 40,000 randomisations of the 955 users gave 4.9% with this variance
/// and 4.2% with the independent-arms one, s²·(n_A/ΣY_A² + n_B/ΣY_B²). The
/// interval for the lift θ − 1 is {θ ≥ 0 : |z(θ)| ≤ c}, a quadratic in θ, with c the normal
/// quantile (fixed horizon) or the always-valid multiplier (`SequentialTest.criticalValue`), so
/// the interval excludes 0 exactly when the test rejects. A guardrail judged by the interval's
/// bound is then the same test of "θ = 1 + limit", whose arms are exchangeable once the control is
/// scaled. When the control's value cannot be told from zero the interval has no upper bound
/// (`upper` is +∞), as Fieller's interval for a ratio does.
public enum PooledTest {
    /// One comparison: the relative lift, the statistic of no change and the interval.
    public struct Result: Sendable, Hashable {
        /// R_B/R_A − 1.
        public var estimate: Double
        /// z(1).
        public var statistic: Double
        /// Two-sided normal p-value of z(1) (fixed horizon), or its always-valid p-value
        /// (`SequentialTest.alwaysValidPValue`, sequential): below α exactly when the interval
        /// excludes no change.
        public var pValue: Double
        /// The critical value the interval was inverted at.
        public var critical: Double
        /// Interval for the relative lift; `upper` may be +∞, `lower` is at least −1.
        public var confidenceInterval: ConfidenceInterval

        /// |z(1)| > c: the interval excludes no change.
        public var isSignificant: Bool { abs(statistic) > critical }
    }

    /// Fixed horizon: c = Φ⁻¹(1 − α/2), p from z(1).
    public static func relative(
        control: PairedMetricSummary, treatment: PairedMetricSummary, alpha: Double = 0.05
    ) throws(StatisticsError) -> Result {
        try validateProbability(alpha)
        return try test(control: control, treatment: treatment, critical: Normal.quantile(1 - alpha / 2))
    }

    /// Always-valid: c = the sequential multiplier for n_A + n_B users (`SequentialTest.criticalValue`).
    public static func sequential(
        control: PairedMetricSummary, treatment: PairedMetricSummary, alpha: Double = 0.05,
        tuningSampleSize: Double = SequentialTest.tuningSampleSizeDefault
    ) throws(StatisticsError) -> Result {
        try validateProbability(alpha)
        guard tuningSampleSize > 0 else { throw .invalidCounts }
        let critical = SequentialTest.criticalValue(
            totalCount: control.count + treatment.count, alpha: alpha, tuningSampleSize: tuningSampleSize)
        var result = try test(control: control, treatment: treatment, critical: critical)
        result.pValue = SequentialTest.alwaysValidPValue(
            statistic: result.statistic, totalCount: control.count + treatment.count, alpha: alpha, tuningSampleSize: tuningSampleSize)
        return result
    }

    /// z(θ) at one θ (for tests and the fixture).
    public static func statistic(control: PairedMetricSummary, treatment: PairedMetricSummary, theta: Double) throws(StatisticsError) -> Double {
        let form = try Form(control: control, treatment: treatment)
        let variance = form.variance(theta)
        guard variance > 0 else { throw .zeroVariance }
        return (form.ratioB - theta * form.ratioA) / variance.squareRoot()
    }

    static func test(control: PairedMetricSummary, treatment: PairedMetricSummary, critical: Double) throws(StatisticsError) -> Result {
        let form = try Form(control: control, treatment: treatment)
        let variance = form.variance(1)
        guard variance > 0 else { throw .zeroVariance }
        let statistic = (form.ratioB - form.ratioA) / variance.squareRoot()
        let (lower, upper) = form.thetaInterval(critical: critical)
        return Result(
            estimate: form.ratioB / form.ratioA - 1, statistic: statistic, pValue: Normal.twoSidedPValue(statistic), critical: critical,
            confidenceInterval: ConfidenceInterval(lower: lower - 1, upper: upper - 1))
    }

    /// D(θ)² − c²·V(θ) as a quadratic in θ, from the two arms' sums.
    struct Form {
        let ratioA: Double
        let ratioB: Double
        /// V(θ) = v2·θ² + v1·θ + v0.
        let v2: Double, v1: Double, v0: Double

        init(control a: PairedMetricSummary, treatment b: PairedMetricSummary) throws(StatisticsError) {
            guard a.count >= 2, b.count >= 2 else { throw .tooFewUsers }
            guard a.sumY > 0, b.sumY > 0 else { throw .zeroMean }
            guard a.sumX >= 0, b.sumX >= 0 else { throw .invalidCounts }
            ratioA = a.sumX / a.sumY
            ratioB = b.sumX / b.sumY
            guard ratioA > 0 else { throw .zeroMean }
            let n = Double(a.count + b.count)
            let sumY = a.sumY + b.sumY
            let sumYSquares = a.sumYSquares + b.sumYSquares
            // R(θ) = pA·θ + pB; Σe² = θ²ΣX_A² + ΣX_B² − 2R(θ)(θΣX_AY_A + ΣX_BY_B) + R(θ)²ΣY².
            let pA = a.sumX / sumY, pB = b.sumX / sumY
            let e2 = a.sumXSquares - 2 * pA * a.sumXY + pA * pA * sumYSquares
            let e1 = -2 * (pA * b.sumXY + pB * a.sumXY) + 2 * pA * pB * sumYSquares
            let e0 = b.sumXSquares - 2 * pB * b.sumXY + pB * pB * sumYSquares
            // D(θ) ≈ Σ_B e/ΣY_B − Σ_A e/ΣY_A = Σ_B e·(1/ΣY_A + 1/ΣY_B), since Σe = 0; over
            // re-randomisations of n_B of the n users, var(Σ_B e) = n_A·n_B/n · Σe²/(n − 1).
            let inverseSums = 1 / a.sumY + 1 / b.sumY
            let k = Double(a.count) * Double(b.count) / n * inverseSums * inverseSums / (n - 1)
            (v2, v1, v0) = (k * e2, k * e1, k * e0)
        }

        func variance(_ theta: Double) -> Double { max(0, (v2 * theta + v1) * theta + v0) }

        /// The hull of {θ ≥ 0 : D(θ)² ≤ c²V(θ)}; it holds θ̂ = R_B/R_A, where D is zero.
        func thetaInterval(critical c: Double) -> (lower: Double, upper: Double) {
            let c2 = c * c
            let qa = ratioA * ratioA - c2 * v2
            let qb = -2 * ratioA * ratioB - c2 * v1
            let qc = ratioB * ratioB - c2 * v0
            let discriminant = max(0, qb * qb - 4 * qa * qc)
            let root = discriminant.squareRoot()
            // Roots without cancellation: q = −(b + sign(b)·√Δ)/2, roots q/a and c/q.
            let q = -0.5 * (qb + (qb >= 0 ? root : -root))
            if qa > 0 {
                // q = 0 only when b = 0 and Δ = 0 (qc = 0 then): a double root at 0.
                let roots = q != 0 ? [q / qa, qc / q].sorted() : [-root / (2 * qa), root / (2 * qa)]
                return (max(0, roots[0]), max(0, roots[1]))
            }
            // The control cannot be told from zero: the set is unbounded above.
            let estimate = ratioB / ratioA
            guard qa < 0, qb * qb - 4 * qa * qc > 0, q != 0 else {
                if qa == 0, qb < 0 { return (max(0, -qc / qb), .infinity) }
                return (0, .infinity)
            }
            let roots = [q / qa, qc / q].sorted()
            // Outside [r1, r2]: θ̂ lies on the upper ray unless θ ≤ r1 also reaches θ ≥ 0.
            if roots[0] >= 0 || estimate <= roots[0] { return (0, .infinity) }
            return (max(0, roots[1]), .infinity)
        }
    }
}

extension PairedMetricSummary {
    /// A per-user metric (a mean or a proportion) as a ratio with Y ≡ 1, for `PooledTest`.
    public init(perUser summary: MetricSummary) {
        self.init(count: summary.count, sumX: summary.sum, sumY: Double(summary.count), sumXSquares: summary.sumSquares,
                  sumYSquares: Double(summary.count), sumXY: summary.sum)
    }

    /// An arm known by its mean and per-user variance (a CUPED-adjusted mean), with Y ≡ 1.
    public init(perUser estimate: ArmEstimate) {
        let n = Double(estimate.count)
        self.init(perUser: MetricSummary(
            sum: estimate.mean * n, sumSquares: estimate.variance * (n - 1) + estimate.mean * estimate.mean * n, count: estimate.count))
    }
}
