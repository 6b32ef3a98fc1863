/// The result of a two-arm test on the difference treatment − control (absolute or relative).
public struct TestResult: Sendable, Hashable {
    /// Point estimate of the difference (or of the relative lift).
    public var estimate: Double
    /// Standard error of the estimate (the one the confidence interval uses).
    public var standardError: Double
    /// Test statistic (t or z).
    public var statistic: Double
    /// Degrees of freedom of the reference t distribution; infinite for a z-test.
    public var degreesOfFreedom: Double
    /// Two-sided p-value.
    public var pValue: Double
    /// Two-sided (1 − α) confidence interval for the estimate.
    public var confidenceInterval: ConfidenceInterval

    /// Creates a result.
    public init(
        estimate: Double,
        standardError: Double,
        statistic: Double,
        degreesOfFreedom: Double,
        pValue: Double,
        confidenceInterval: ConfidenceInterval
    ) {
        self.estimate = estimate
        self.standardError = standardError
        self.statistic = statistic
        self.degreesOfFreedom = degreesOfFreedom
        self.pValue = pValue
        self.confidenceInterval = confidenceInterval
    }

    /// Whether p < α.
    public func isSignificant(alpha: Double) -> Bool {
        pValue < alpha
    }
}

/// Checks that α is a probability strictly between 0 and 1.
func validateProbability(_ value: Double) throws(StatisticsError) {
    guard value > 0 && value < 1 else { throw .invalidProbability(value) }
}
