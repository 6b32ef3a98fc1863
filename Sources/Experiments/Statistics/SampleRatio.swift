/// Sample-ratio mismatch check: χ² goodness of fit of exposed users per arm against configured weights.
public struct SampleRatioCheck: Sendable, Hashable {
    /// p below which the split is called a mismatch and no winner may be declared.
    public static let mismatchPValueMax = 0.001

    /// The χ² statistic Σ (observed − expected)² / expected.
    public let chiSquare: Double
    /// Arms − 1.
    public let degreesOfFreedom: Int
    /// P(χ² > statistic).
    public let pValue: Double

    /// Whether p < 0.001: assignment or exposure logging is broken, so the results cannot be trusted.
    public var isMismatch: Bool {
        pValue < Self.mismatchPValueMax
    }

    /// Runs the test; weights need not sum to one (they are normalised), but each must be positive.
    public init(observedCounts: [Int], weights: [Double]) throws(StatisticsError) {
        guard observedCounts.count == weights.count, observedCounts.count >= 2 else { throw .invalidCounts }
        guard observedCounts.allSatisfy({ $0 >= 0 }), weights.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw .invalidCounts
        }
        let total = Double(observedCounts.reduce(0, +))
        guard total > 0 else { throw .tooFewUsers }
        let weightTotal = weights.reduce(0, +)
        var statistic = 0.0
        for (observed, weight) in zip(observedCounts, weights) {
            let expected = total * weight / weightTotal
            let deviation = Double(observed) - expected
            statistic += deviation * deviation / expected
        }
        self.chiSquare = statistic
        self.degreesOfFreedom = observedCounts.count - 1
        self.pValue = ChiSquare(degreesOfFreedom: Double(degreesOfFreedom)).survival(statistic)
    }
}
