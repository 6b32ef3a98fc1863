/// GrowthBook-compatible assignment primitives (packages/sdk-js/src/util.ts, spec 0.8.0).
///
/// Kept bit-for-bit compatible so that the shared cases.json vectors pass and any GrowthBook SDK
/// would put a user in the same bucket: plain Double arithmetic in the upstream order, no rounding.
public enum GrowthBook {
    /// A namespace slice: users whose namespace hash falls in `range` belong to it.
    public struct Namespace: Sendable, Hashable {
        /// The namespace (layer) name; its hash seed is `"__" + id`.
        public var id: String
        /// The half-open slice of the namespace's hash space, within [0, 1].
        public var range: BucketRange

        /// Creates a namespace slice.
        public init(id: String, range: BucketRange) {
            self.id = id
            self.range = range
        }
    }

    /// Total weight accepted as "sums to one"; outside it the weights fall back to equal.
    static let weightTotalBounds: ClosedRange<Double> = 0.99...1.01

    /// GrowthBook's hash into [0, 1): version 1 (1000 buckets), version 2 (10000 buckets), else nil.
    public static func hash(seed: String, value: String, version: Int) -> Double? {
        switch version {
        case 1:
            let h = FNV1a.hash32(value + seed)
            return Double(h % 1000) / 1000
        case 2:
            let h1 = FNV1a.hash32(seed + value)
            let h2 = FNV1a.hash32(String(h1))
            return Double(h2 % 10000) / 10000
        default:
            return nil
        }
    }

    /// `count` equal weights of 1/count; empty when count is not positive.
    public static func getEqualWeights(_ count: Int) -> [Double] {
        guard count > 0 else { return [] }
        return Array(repeating: 1.0 / Double(count), count: count)
    }

    /// One half-open range per variation: each starts at the full cumulative weight and is `coverage` times its weight long.
    ///
    /// Coverage is clamped to [0, 1] (nil means 1). Weights fall back to equal when nil, of the wrong
    /// count, or not summing to within [0.99, 1.01].
    public static func getBucketRanges(
        numVariations: Int,
        coverage: Double? = nil,
        weights: [Double]? = nil
    ) -> [BucketRange] {
        let clampedCoverage = min(max(coverage ?? 1, 0), 1)
        let equal = getEqualWeights(numVariations)
        var chosen = weights ?? equal
        if chosen.count != numVariations {
            chosen = equal
        }
        let total = chosen.reduce(0, +)
        if !weightTotalBounds.contains(total) {
            chosen = equal
        }
        var cumulative = 0.0
        return chosen.map { weight in
            let start = cumulative
            cumulative += weight
            return BucketRange(start: start, end: start + clampedCoverage * weight)
        }
    }

    /// Index of the first range containing `n` (start included, end excluded), or nil when none does.
    public static func chooseVariation(_ n: Double, ranges: [BucketRange]) -> Int? {
        ranges.firstIndex { $0.contains(n) }
    }

    /// Whether `userId` falls in the namespace slice, by the version-1 hash seeded with `"__" + namespace id`.
    public static func inNamespace(userId: String, namespace: Namespace) -> Bool {
        guard let n = hash(seed: "__" + namespace.id, value: userId, version: 1) else { return false }
        return namespace.range.contains(n)
    }
}
