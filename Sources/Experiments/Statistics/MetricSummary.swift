/// One arm of a mean metric, from the sums a query returns: Σy, Σy² and n.
public struct MetricSummary: Sendable, Hashable {
    /// Σy over the arm's users (zero-filled users included through `count`).
    public var sum: Double
    /// Σy².
    public var sumSquares: Double
    /// Number of users.
    public var count: Int

    /// Creates a summary from sums.
    public init(sum: Double, sumSquares: Double, count: Int) {
        self.sum = sum
        self.sumSquares = sumSquares
        self.count = count
    }

    /// Creates a summary from per-user values.
    public init(values: [Double]) {
        self.init(
            sum: values.reduce(0, +),
            sumSquares: values.reduce(0) { $0 + $1 * $1 },
            count: values.count
        )
    }

    /// Mean Σy / n.
    public var mean: Double {
        sum / Double(count)
    }

    /// Sample variance (Σy² − (Σy)²/n) / (n − 1), clamped at zero against rounding; NaN for fewer than two users.
    public var variance: Double {
        guard count >= 2 else { return .nan }
        let n = Double(count)
        return max(0, (sumSquares - sum * sum / n) / (n - 1))
    }

    /// The arm as the tests see it.
    public var estimate: ArmEstimate {
        ArmEstimate(mean: mean, variance: variance, count: count)
    }
}
