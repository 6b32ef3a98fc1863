/// Collects a dimension's contributions and turns them into its score.
///
/// The dimension's points are the sum of the unrounded contributions, rounded once and clamped
/// to the dimension's range; rounding once keeps the total monotone in every input.
struct DimensionTally {
    let dimension: CreditDimension
    private var reasons: [CreditReason] = []
    private var rawPoints = 0.0

    init(_ dimension: CreditDimension) {
        self.dimension = dimension
    }

    /// Records a contribution of `points` (negative to take away) with its reason.
    mutating func add(_ code: CreditReasonCode, points: Double, _ message: String) {
        assert(code.dimension == dimension, "reason \(code.rawValue) filed under \(dimension.rawValue)")
        rawPoints += points
        reasons.append(CreditReason(code: code, message: message, points: Int(points.rounded())))
    }

    func finished() -> CreditDimensionScore {
        let points = min(dimension.maximumPoints, max(0, Int(rawPoints.rounded())))
        return CreditDimensionScore(dimension: dimension, points: points, reasons: reasons)
    }
}
