import Foundation
import Synchronization

/// Where "now" comes from. Injected everywhere time matters so tests and simulations are
/// reproducible.
public protocol Clock: Sendable {
    /// Seconds since the Unix epoch.
    var nowEpochSeconds: Int64 { get }
}

/// The machine's wall clock.
public struct SystemClock: Clock {
    public init() {}
    // time() is a vDSO call: several times cheaper than building a Date on a hot path.
    public var nowEpochSeconds: Int64 { Int64(time(nil)) }
}

/// A clock that only moves when told to: for tests and simulated days.
public final class ManualClock: Clock {
    private let seconds: Atomic<Int64>
    public init(epochSeconds: Int64) { seconds = Atomic(epochSeconds) }
    public var nowEpochSeconds: Int64 { seconds.load(ordering: .relaxed) }
    public func advance(bySeconds delta: Int64) { seconds.add(delta, ordering: .relaxed) }
    public func set(epochSeconds: Int64) { seconds.store(epochSeconds, ordering: .relaxed) }
}
