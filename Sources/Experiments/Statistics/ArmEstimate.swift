/// One arm as a two-arm test sees it: the mean, the per-user variance and the number of users.
///
/// For a plain metric the variance is the sample variance; for a ratio metric it is n·var(R), so
/// that variance / count is always the variance of the arm's estimate.
public struct ArmEstimate: Sendable, Hashable {
    /// The arm's estimate (a mean, a proportion, a ratio, or a CUPED-adjusted mean).
    public var mean: Double
    /// Per-user variance: variance / count is the variance of `mean`.
    public var variance: Double
    /// Number of users.
    public var count: Int

    /// Creates an arm estimate.
    public init(mean: Double, variance: Double, count: Int) {
        self.mean = mean
        self.variance = variance
        self.count = count
    }

    /// Variance of the arm's estimate, variance / count.
    public var varianceOfMean: Double {
        variance / Double(count)
    }
}
