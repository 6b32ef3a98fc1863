/// Power and minimum detectable effect for a two-arm test of means with equal arms (normal approximation).
public enum Power {
    /// The effect detectable with the given power: (z₁₋α/₂ + z_power)·sqrt(2σ²/n), n users per arm.
    public static func minimumDetectableEffect(
        usersPerArm: Int,
        variance: Double,
        alpha: Double = 0.05,
        power: Double = 0.8
    ) throws(StatisticsError) -> Double {
        let zSum = try criticalSum(alpha: alpha, power: power)
        guard usersPerArm > 0 else { throw .tooFewUsers }
        return zSum * (2 * variance / Double(usersPerArm)).squareRoot()
    }

    /// Users per arm needed to detect `effect` with the given power: ⌈2σ²(z₁₋α/₂ + z_power)²/effect²⌉.
    public static func usersPerArm(
        effect: Double,
        variance: Double,
        alpha: Double = 0.05,
        power: Double = 0.8
    ) throws(StatisticsError) -> Int {
        let zSum = try criticalSum(alpha: alpha, power: power)
        guard effect != 0 else { throw .zeroEffect }
        return Int((2 * variance * zSum * zSum / (effect * effect)).rounded(.up))
    }

    /// How many more users per arm a non-significant result would need to detect `effect` (zero if it has enough).
    public static func additionalUsersPerArm(
        effect: Double,
        variance: Double,
        currentUsersPerArm: Int,
        alpha: Double = 0.05,
        power: Double = 0.8
    ) throws(StatisticsError) -> Int {
        let needed = try usersPerArm(effect: effect, variance: variance, alpha: alpha, power: power)
        return max(0, needed - currentUsersPerArm)
    }

    /// The probability of a significant two-sided result for a true `effect`, Φ(|effect|/sqrt(2σ²/n) − z₁₋α/₂) (far tail ignored).
    public static func achievedPower(
        effect: Double,
        variance: Double,
        usersPerArm: Int,
        alpha: Double = 0.05
    ) throws(StatisticsError) -> Double {
        try validateProbability(alpha)
        guard usersPerArm > 0 else { throw .tooFewUsers }
        let standardError = (2 * variance / Double(usersPerArm)).squareRoot()
        guard standardError > 0 else { throw .zeroVariance }
        return Normal.cdf(abs(effect) / standardError - Normal.quantile(1 - alpha / 2))
    }

    /// z₁₋α/₂ + z_power.
    static func criticalSum(alpha: Double, power: Double) throws(StatisticsError) -> Double {
        try validateProbability(alpha)
        try validateProbability(power)
        return Normal.quantile(1 - alpha / 2) + Normal.quantile(power)
    }
}
