/// A half-open interval [start, end) of the hash space.
///
/// Not `Range<Double>`: GrowthBook accepts any weights that sum to about one, so a negative
/// weight yields end < start, which `Range` would trap on; such a range simply contains nothing.
public struct BucketRange: Sendable, Hashable {
    /// Inclusive lower bound.
    public var start: Double
    /// Exclusive upper bound.
    public var end: Double

    /// Creates the interval [start, end).
    public init(start: Double, end: Double) {
        self.start = start
        self.end = end
    }

    /// Whether start <= n < end.
    public func contains(_ n: Double) -> Bool {
        start <= n && n < end
    }
}
