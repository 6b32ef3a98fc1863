import Core
import StorageModel

/// Tokens recently found, by digest, so most requests authenticate without a database read or
/// a hop to the blocking pool (together 5–10 % of a feed request). Unknown tokens are not
/// cached, so a token issued a moment ago works at once.
///
/// Revocation: `forget` drops a token revoked through this process at once, and remembers its id
/// for `lifetime` so that a request which read the token just before the revocation cannot put
/// it back. A token revoked elsewhere (another node, `quanzi token revoke`) is served from here
/// for at most `lifetime` after it was last read from the database.
final class TokenCache: Sendable {
    /// The longest a revocation made elsewhere goes unseen. Ten seconds costs one indexed read
    /// per active token every ten seconds, nothing next to its requests.
    static let lifetime: Duration = .seconds(10)
    /// Past this many entries the cache starts over (a guard against many distinct tokens).
    static let entriesMax = 100_000

    private struct Entry {
        let token: APIToken
        let expires: ContinuousClock.Instant
    }

    private struct State {
        var entries: [[UInt8]: Entry] = [:]
        /// Token ids revoked here, until when a stale read of them may still arrive.
        var forgotten: [Int64: ContinuousClock.Instant] = [:]
    }

    private let state = ReadWriteLocked(State())

    func token(digest: [UInt8], now: ContinuousClock.Instant = .now) -> APIToken? {
        // An expired entry is left for `remember` to replace: lookups only read.
        state.read { state in
            guard let entry = state.entries[digest], entry.expires > now else { return nil }
            return entry.token
        }
    }

    func remember(_ token: APIToken, digest: [UInt8], now: ContinuousClock.Instant = .now) {
        state.write { state in
            if let until = state.forgotten[token.id], until > now { return }
            if state.entries.count >= Self.entriesMax { state.entries.removeAll(keepingCapacity: true) }
            state.entries[digest] = Entry(token: token, expires: now + Self.lifetime)
        }
    }

    /// Stops serving these tokens at once (they were revoked through this process).
    func forget(_ tokenIDs: some Sequence<Int64>, now: ContinuousClock.Instant = .now) {
        let ids = Set(tokenIDs)
        guard !ids.isEmpty else { return }
        state.write { state in
            state.forgotten = state.forgotten.filter { $0.value > now }
            for id in ids { state.forgotten[id] = now + Self.lifetime }
            // Revocations are rare next to lookups: a scan beats a second index kept on every `remember`.
            state.entries = state.entries.filter { !ids.contains($0.value.token.id) }
        }
    }
}
