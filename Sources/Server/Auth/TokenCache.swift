import Storage
import Synchronization

/// Tokens recently found, by digest, so most requests authenticate without a database read or
/// a hop to the blocking pool (together 5–10 % of a feed request). An entry lives `lifetime`:
/// a token revoked in the database stops working within that time. Unknown tokens are not
/// cached, so a token issued a moment ago works at once.
final class TokenCache: Sendable {
    static let lifetime: Duration = .seconds(30)
    /// Past this many entries the cache starts over (a guard against many distinct tokens).
    static let entriesMax = 100_000

    private struct Entry {
        let token: APIToken
        let expires: ContinuousClock.Instant
    }

    private let entries = Mutex<[[UInt8]: Entry]>([:])

    func token(digest: [UInt8], now: ContinuousClock.Instant = .now) -> APIToken? {
        entries.withLock { entries in
            guard let entry = entries[digest] else { return nil }
            guard entry.expires > now else {
                entries[digest] = nil
                return nil
            }
            return entry.token
        }
    }

    func remember(_ token: APIToken, digest: [UInt8], now: ContinuousClock.Instant = .now) {
        entries.withLock { entries in
            if entries.count >= Self.entriesMax { entries.removeAll(keepingCapacity: true) }
            entries[digest] = Entry(token: token, expires: now + Self.lifetime)
        }
    }
}
