/// Welch's unequal-variance t-test on two arms, absolute and relative (GrowthBook gbstats' frequentist test).
public enum WelchTest {
    /// Welch–Satterthwaite degrees of freedom of the absolute difference.
    public static func degreesOfFreedom(control: ArmEstimate, treatment: ArmEstimate) -> Double {
        let a = control.varianceOfMean
        let b = treatment.varianceOfMean
        let denominator = a * a / Double(control.count - 1) + b * b / Double(treatment.count - 1)
        return (a + b) * (a + b) / denominator
    }

    /// Difference of means treatment − control with SE sqrt(vA/nA + vB/nB), Welch dof, t p-value and CI.
    public static func absolute(
        control: ArmEstimate,
        treatment: ArmEstimate,
        alpha: Double = 0.05
    ) throws(StatisticsError) -> TestResult {
        try validate(control: control, treatment: treatment, alpha: alpha)
        let estimate = treatment.mean - control.mean
        let variance = control.varianceOfMean + treatment.varianceOfMean
        return try tTest(estimate: estimate, variance: variance, control: control, treatment: treatment, alpha: alpha)
    }

    /// Relative lift (B − A)/|A| with delta-method variance vB/(nB·mA²) + mB²·vA/(nA·mA⁴), judged on Student's t with the absolute Welch dof.
    public static func relative(
        control: ArmEstimate,
        treatment: ArmEstimate,
        alpha: Double = 0.05
    ) throws(StatisticsError) -> TestResult {
        try validate(control: control, treatment: treatment, alpha: alpha)
        let (estimate, variance) = try relativeLift(control: control, treatment: treatment)
        return try tTest(estimate: estimate, variance: variance, control: control, treatment: treatment, alpha: alpha)
    }

    /// The relative lift (B − A)/|A| and its delta-method variance.
    static func relativeLift(
        control: ArmEstimate,
        treatment: ArmEstimate
    ) throws(StatisticsError) -> (estimate: Double, variance: Double) {
        let meanA = control.mean
        guard meanA != 0 else { throw .zeroMean }
        let meanASquared = meanA * meanA
        let estimate = (treatment.mean - meanA) / abs(meanA)
        let variance = treatment.varianceOfMean / meanASquared
            + treatment.mean * treatment.mean * control.varianceOfMean / (meanASquared * meanASquared)
        return (estimate, variance)
    }

    /// Checks α and that each arm has at least two users.
    static func validate(control: ArmEstimate, treatment: ArmEstimate, alpha: Double) throws(StatisticsError) {
        try validateProbability(alpha)
        guard control.count >= 2 && treatment.count >= 2 else { throw .tooFewUsers }
    }

    private static func tTest(
        estimate: Double,
        variance: Double,
        control: ArmEstimate,
        treatment: ArmEstimate,
        alpha: Double
    ) throws(StatisticsError) -> TestResult {
        let standardError = variance.squareRoot()
        guard standardError > 0 else { throw .zeroVariance }
        let dof = degreesOfFreedom(control: control, treatment: treatment)
        let distribution = StudentT(degreesOfFreedom: dof)
        let statistic = estimate / standardError
        let critical = distribution.quantile(1 - alpha / 2)
        return TestResult(
            estimate: estimate,
            standardError: standardError,
            statistic: statistic,
            degreesOfFreedom: dof,
            pValue: distribution.twoSidedPValue(statistic),
            confidenceInterval: ConfidenceInterval(estimate: estimate, halfWidth: critical * standardError)
        )
    }
}
