/// SplitMix64 (Steele, Lea and Flood 2014; the constants are Vigna's reference `splitmix64.c`).
///
/// Hand-written on purpose: red-packet shares are drawn from a seed recorded with the packet, and
/// must come out the same on every platform, Swift version and future deployment, so that a
/// packet's shares can be recomputed (and verified) from its seed years later.
/// `SystemRandomNumberGenerator` cannot be seeded, and the standard library's
/// `random(in:using:)` does not promise a stable algorithm, so neither the generator nor the
/// bounded draw may come from it. SplitMix64 is 64 bits of state, passes BigCrush, and is a few
/// lines anyone can check against the reference.
public struct SplitMix64: Sendable, Hashable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform draw in `0..<bound` without modulo bias: values below `2^64 mod bound` are
    /// rejected so the rest divide evenly (the OpenBSD `arc4random_uniform` method). Written out
    /// here for the same stability reason as the generator.
    public mutating func next(below bound: UInt64) -> UInt64 {
        precondition(bound > 0, "bound must be positive")
        let threshold = (0 &- bound) % bound
        while true {
            let value = next()
            if value >= threshold { return value % bound }
        }
    }

    /// A uniform draw in `range` (inclusive), for positive ranges such as fen amounts.
    public mutating func next(in range: ClosedRange<Int64>) -> Int64 {
        let width = UInt64(range.upperBound - range.lowerBound) + 1
        return range.lowerBound + Int64(next(below: width))
    }
}
