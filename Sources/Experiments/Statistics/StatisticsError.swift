/// Why a statistic cannot be computed, in the order the checks are made.
public enum StatisticsError: Error, Sendable, Hashable {
    /// α (or power) is not strictly between 0 and 1.
    case invalidProbability(Double)
    /// An arm has too few users for a variance (fewer than 2, or none for proportions).
    case tooFewUsers
    /// Counts or weights are inconsistent (negative, more successes than users, mismatched lengths).
    case invalidCounts
    /// The standard error is zero, so no test statistic exists.
    case zeroVariance
    /// A relative lift or ratio divides by a mean of zero.
    case zeroMean
    /// A sample size is asked for an effect of zero, which no number of users can detect.
    case zeroEffect
}
