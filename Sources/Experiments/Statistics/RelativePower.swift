/// Power on the scale the report tests: the relative lift (μT − μC)/μC with the delta-method
/// standard error. For planning, both arms are taken to have the control's variance σ², so for a
/// relative lift r with n users per arm
///
///     SE(r)² = σ²·(1 + (1 + r)²) / (n·μC²).
///
/// `Power`'s absolute-scale formula (2σ²/n) ignores the noise of the control mean in the
/// denominator: with a small or noisy control it promised power the relative test never had
/// (calibration saw 28% observed against 50% predicted).
public enum RelativePower {
    /// The standard error of the relative lift for a true lift `relativeLift`.
    public static func standardError(relativeLift: Double, controlMean: Double, variance: Double, usersPerArm: Int) throws(StatisticsError)
        -> Double
    {
        guard usersPerArm > 0 else { throw .tooFewUsers }
        guard controlMean != 0 else { throw .zeroMean }
        let spread = 1 + (1 + relativeLift) * (1 + relativeLift)
        return (variance * spread / (Double(usersPerArm) * controlMean * controlMean)).squareRoot()
    }

    /// Φ(|r|/SE(r) − z₁₋α/₂): the chance a true lift `relativeLift` comes out significant.
    public static func achievedPower(
        relativeLift: Double, controlMean: Double, variance: Double, usersPerArm: Int, alpha: Double = 0.05
    ) throws(StatisticsError) -> Double {
        try validateProbability(alpha)
        let error = try standardError(relativeLift: relativeLift, controlMean: controlMean, variance: variance, usersPerArm: usersPerArm)
        guard error > 0 else { throw .zeroVariance }
        return Normal.cdf(abs(relativeLift) / error - Normal.quantile(1 - alpha / 2))
    }

    /// Users per arm for `relativeLift` at `power`: ⌈z²σ²(1 + (1 + r)²)/(r²μC²)⌉ with z = z₁₋α/₂ + z_power.
    public static func usersPerArm(
        relativeLift: Double, controlMean: Double, variance: Double, alpha: Double = 0.05, power: Double = 0.8
    ) throws(StatisticsError) -> Int {
        let z = try Power.criticalSum(alpha: alpha, power: power)
        guard relativeLift != 0 else { throw .zeroEffect }
        guard controlMean != 0 else { throw .zeroMean }
        let spread = 1 + (1 + relativeLift) * (1 + relativeLift)
        return Int((z * z * variance * spread / (relativeLift * relativeLift * controlMean * controlMean)).rounded(.up))
    }

    /// The smallest positive relative lift detectable at `power`: the root of
    /// (k − σ²)r² − 2σ²r − 2σ² = 0 with k = n·μC²/z²; nil when no lift is (k ≤ σ²).
    public static func minimumDetectableLift(
        usersPerArm: Int, controlMean: Double, variance: Double, alpha: Double = 0.05, power: Double = 0.8
    ) throws(StatisticsError) -> Double? {
        let z = try Power.criticalSum(alpha: alpha, power: power)
        guard usersPerArm > 0 else { throw .tooFewUsers }
        guard controlMean != 0 else { throw .zeroMean }
        let k = Double(usersPerArm) * controlMean * controlMean / (z * z)
        let a = k - variance
        guard a > 0 else { return nil }
        return (variance + (variance * variance + 2 * a * variance).squareRoot()) / a
    }
}
