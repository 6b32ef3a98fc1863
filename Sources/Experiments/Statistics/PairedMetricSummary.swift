/// One arm of a pair of per-user metrics X and Y, from sums: ΣX, ΣY, ΣX², ΣY², ΣXY and n.
///
/// Used for ratio metrics (R = mean X / mean Y, see `ratioEstimate()`) and for CUPED (Y the
/// outcome, X the pre-period covariate, see `Cuped`).
public struct PairedMetricSummary: Sendable, Hashable {
    /// Number of users.
    public var count: Int
    /// ΣX.
    public var sumX: Double
    /// ΣY.
    public var sumY: Double
    /// ΣX².
    public var sumXSquares: Double
    /// ΣY².
    public var sumYSquares: Double
    /// ΣXY.
    public var sumXY: Double

    /// Creates a summary from sums.
    public init(count: Int, sumX: Double, sumY: Double, sumXSquares: Double, sumYSquares: Double, sumXY: Double) {
        self.count = count
        self.sumX = sumX
        self.sumY = sumY
        self.sumXSquares = sumXSquares
        self.sumYSquares = sumYSquares
        self.sumXY = sumXY
    }

    /// Creates a summary from per-user (x, y) pairs.
    public init(pairs: [(x: Double, y: Double)]) {
        self.init(
            count: pairs.count,
            sumX: pairs.reduce(0) { $0 + $1.x },
            sumY: pairs.reduce(0) { $0 + $1.y },
            sumXSquares: pairs.reduce(0) { $0 + $1.x * $1.x },
            sumYSquares: pairs.reduce(0) { $0 + $1.y * $1.y },
            sumXY: pairs.reduce(0) { $0 + $1.x * $1.y }
        )
    }

    /// The X metric alone.
    public var x: MetricSummary {
        MetricSummary(sum: sumX, sumSquares: sumXSquares, count: count)
    }

    /// The Y metric alone.
    public var y: MetricSummary {
        MetricSummary(sum: sumY, sumSquares: sumYSquares, count: count)
    }

    /// Sample covariance (ΣXY − ΣX·ΣY/n) / (n − 1).
    public var covarianceXY: Double {
        let n = Double(count)
        return (sumXY - sumX * sumY / n) / (n - 1)
    }

    /// Adds another arm's sums, for statistics pooled over arms.
    public static func + (lhs: Self, rhs: Self) -> Self {
        Self(
            count: lhs.count + rhs.count,
            sumX: lhs.sumX + rhs.sumX,
            sumY: lhs.sumY + rhs.sumY,
            sumXSquares: lhs.sumXSquares + rhs.sumXSquares,
            sumYSquares: lhs.sumYSquares + rhs.sumYSquares,
            sumXY: lhs.sumXY + rhs.sumXY
        )
    }
}
