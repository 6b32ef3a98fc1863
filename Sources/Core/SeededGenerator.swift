/// The one deterministic random number generator: SplitMix64 (Steele, Lea and Flood 2014; the
/// constants are Vigna's reference `splitmix64.c`), for seeding, simulations, tests and red-packet
/// shares. The same seed gives the same sequence on every platform, Swift version and future
/// deployment: red-packet shares are drawn from a seed recorded with the packet and must be
/// recomputable (and verifiable) from it years later, and reproducible reports need the same.
///
/// Hand-written because the standard library's generator cannot be seeded, and its helpers such
/// as `Int.random(in:using:)` do not promise a stable mapping from generator output to values
/// across releases, so neither the generator nor the bounded draws may come from it. SplitMix64
/// is 64 bits of state, passes BigCrush, and is a few lines anyone can check against the reference.
///
/// Two bounded draws, each frozen by what was drawn with it: `next(below:)` (Lemire's, for
/// seeding, simulations and tests) and `nextByRemainder(below:)` with `next(in:)` (for red-packet
/// shares and the wallet's load). They give different values for the same state; never swap one
/// for the other in existing code, or recorded seeds stop reproducing.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Hashable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in 0..<bound without modulo bias (Lemire's multiply-and-reject).
    public mutating func next(below bound: UInt64) -> UInt64 {
        precondition(bound > 0, "bound must be positive")
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold { product = next().multipliedFullWidth(by: bound) }
        }
        return product.high
    }

    /// Uniform in `0..<bound` without modulo bias: values below `2^64 mod bound` are rejected so
    /// the rest divide evenly (the OpenBSD `arc4random_uniform` method). Red-packet shares are
    /// recorded with this draw (see the type's notes).
    public mutating func nextByRemainder(below bound: UInt64) -> UInt64 {
        precondition(bound > 0, "bound must be positive")
        let threshold = (0 &- bound) % bound
        while true {
            let value = next()
            if value >= threshold { return value % bound }
        }
    }

    /// Uniform in `range` (inclusive) by `nextByRemainder(below:)`, for positive ranges such as
    /// fen amounts.
    public mutating func next(in range: ClosedRange<Int64>) -> Int64 {
        let width = UInt64(range.upperBound - range.lowerBound) + 1
        return range.lowerBound + Int64(nextByRemainder(below: width))
    }

    /// Uniform in `range` (inclusive).
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next(below: UInt64(range.upperBound - range.lowerBound) + 1))
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// True with probability `probability`.
    public mutating func chance(_ probability: Double) -> Bool { unit() < probability }

    /// An element of a non-empty array.
    public mutating func pick<T>(_ items: [T]) -> T { items[Int(next(below: UInt64(items.count)))] }

    /// A derived generator for an independent stream (e.g. one per user), stable under reordering.
    public func split(_ stream: UInt64) -> SeededGenerator {
        var mixer = SeededGenerator(seed: state ^ (stream &* 0xD1B5_4A32_D192_ED03))
        return SeededGenerator(seed: mixer.next())
    }
}
