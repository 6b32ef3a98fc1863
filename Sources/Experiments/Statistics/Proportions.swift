/// One arm of a proportion metric (did the user do X at all?): users who did it, out of all users.
public struct ProportionSummary: Sendable, Hashable {
    /// Users with at least one qualifying event.
    public var successes: Int
    /// All exposed users.
    public var count: Int

    /// Creates a summary.
    public init(successes: Int, count: Int) {
        self.successes = successes
        self.count = count
    }

    /// The observed proportion successes / count.
    public var proportion: Double {
        Double(successes) / Double(count)
    }

    /// The arm as a Bernoulli mean (variance p(1 − p)), e.g. for `WelchTest.relative`.
    public var estimate: ArmEstimate {
        ArmEstimate(mean: proportion, variance: proportion * (1 - proportion), count: count)
    }
}

/// Two-proportion z-test: pooled SE for the statistic, unpooled SE for the confidence interval.
public enum ProportionsTest {
    /// Tests pB − pA; `standardError` in the result is the unpooled one that the interval uses.
    public static func zTest(
        control: ProportionSummary,
        treatment: ProportionSummary,
        alpha: Double = 0.05
    ) throws(StatisticsError) -> TestResult {
        try validateProbability(alpha)
        guard control.count > 0 && treatment.count > 0 else { throw .tooFewUsers }
        for arm in [control, treatment] where arm.successes < 0 || arm.successes > arm.count {
            throw .invalidCounts
        }
        let countA = Double(control.count)
        let countB = Double(treatment.count)
        let pA = control.proportion
        let pB = treatment.proportion
        let estimate = pB - pA
        let pooled = Double(control.successes + treatment.successes) / (countA + countB)
        let pooledStandardError = (pooled * (1 - pooled) * (1 / countA + 1 / countB)).squareRoot()
        guard pooledStandardError > 0 else { throw .zeroVariance }
        let statistic = estimate / pooledStandardError
        let unpooledStandardError = (pA * (1 - pA) / countA + pB * (1 - pB) / countB).squareRoot()
        let critical = Normal.quantile(1 - alpha / 2)
        return TestResult(
            estimate: estimate,
            standardError: unpooledStandardError,
            statistic: statistic,
            degreesOfFreedom: .infinity,
            pValue: Normal.twoSidedPValue(statistic),
            confidenceInterval: ConfidenceInterval(estimate: estimate, halfWidth: critical * unpooledStandardError)
        )
    }
}
