// Experiments: deterministic assignment and the statistics of A/B reports, as pure functions.
//
// - Assignment/: GrowthBook-compatible hashing and bucket ranges (FNV1a, GrowthBook, BucketRange),
//   experiment definitions with layers, coverage and weights, and the Assigner built on them.
// - Statistics/: hand-written special functions and distributions (Normal, StudentT, ChiSquare),
//   per-arm summaries from sums (MetricSummary, PairedMetricSummary, ProportionSummary), and the
//   tests a report uses: Welch t (absolute and relative lift), proportions z, ratio metrics by the
//   delta method, CUPED, sample-ratio mismatch, Holm and Benjamini–Hochberg, always-valid
//   sequential intervals, power and MDE.
// Each formula is documented where it is computed (Statistics/); GrowthBook's gbstats numbers and
// scipy values are reproduced in Tests/ExperimentsTests (Fixtures/). Self-contained: Foundation
// only, no state, no randomness.

/// A two-sided confidence interval [lower, upper].
public struct ConfidenceInterval: Sendable, Hashable {
    /// Lower bound.
    public var lower: Double
    /// Upper bound.
    public var upper: Double

    /// Creates the interval.
    public init(lower: Double, upper: Double) {
        self.lower = lower
        self.upper = upper
    }

    /// The interval estimate ± halfWidth.
    public init(estimate: Double, halfWidth: Double) {
        self.init(lower: estimate - halfWidth, upper: estimate + halfWidth)
    }

    /// Whether the interval lies entirely on one side of zero (a significant difference).
    public var excludesZero: Bool {
        lower > 0 || upper < 0
    }
}
