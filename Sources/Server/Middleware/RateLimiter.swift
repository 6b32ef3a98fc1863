import Synchronization

/// Token buckets per (policy, user), in memory: limits protect this process, so they need
/// not survive a restart or be shared between nodes.
final class RateLimiter: Sendable {
    /// Buckets kept at most. Past it, full buckets (idle callers) are dropped first: a dropped
    /// bucket comes back full, which is what an idle caller has anyway.
    static let trackedBucketsMax = 100_000

    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    let policy: RateLimitPolicy
    private let buckets = Mutex<[Int64: Bucket]>([:])

    init(policy: RateLimitPolicy) { self.policy = policy }

    /// Takes one token for `key`; returns nil when allowed, or the whole seconds to wait.
    func acquire(_ key: Int64, now: ContinuousClock.Instant = .now) -> Int? {
        let policy = policy
        return buckets.withLock { buckets in
            var bucket = buckets[key] ?? Bucket(tokens: Double(policy.burst), updated: now)
            let elapsed = now - bucket.updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            bucket.tokens = min(Double(policy.burst), bucket.tokens + seconds * policy.refillPerSecond)
            bucket.updated = now
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                buckets[key] = bucket
                if buckets.count > Self.trackedBucketsMax { Self.evictFull(&buckets, policy: policy, now: now) }
                return nil
            }
            buckets[key] = bucket
            guard policy.refillPerSecond > 0 else { return Self.retryAfterSecondsMax }
            return min(Self.retryAfterSecondsMax, Int(((1 - bucket.tokens) / policy.refillPerSecond).rounded(.up)))
        }
    }

    /// The wait a 429 names when a bucket never refills.
    static let retryAfterSecondsMax = 3_600

    private static func evictFull(_ buckets: inout [Int64: Bucket], policy: RateLimitPolicy, now: ContinuousClock.Instant) {
        if policy.refillPerSecond > 0 {
            let fullAfter = Duration.seconds(Double(policy.burst) / policy.refillPerSecond)
            buckets = buckets.filter { now - $0.value.updated < fullAfter }
        }
        if buckets.count > trackedBucketsMax { buckets.removeAll(keepingCapacity: true) }
    }
}
