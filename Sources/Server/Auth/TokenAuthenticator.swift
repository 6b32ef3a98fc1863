import BlockingWork
import Core
import StorageModel

/// The one door to stored tokens once issued: turns a bearer token into its caller's record,
/// and revokes tokens so that this process stops accepting them at once (its cache forgets
/// them). Other nodes stop within `TokenCache.lifetime`.
public final class TokenAuthenticator: Sendable {
    /// The longest a token revoked through another process (a node, `quanzi token revoke`) is
    /// still accepted here: the age a cached token reaches before it is read again.
    public static let revocationDelaySecondsMax = TokenCache.lifetime.components.seconds

    let tokens: any TokenRepository
    let clock: any Clock
    let cache = TokenCache()

    public init(tokens: any TokenRepository, clock: any Clock) {
        self.tokens = tokens
        self.clock = clock
    }

    /// The live record of `token`; `unauthorized` for an unknown or revoked token,
    /// `token_expired` for one past its expiry (a client should sign in again).
    func authenticate(_ token: String, now: ContinuousClock.Instant = .now) async throws -> APIToken {
        try await authenticate(digest: TokenIssuer.digest(of: token), now: now)
    }

    /// ``authenticate(_:now:)`` for a token known by its digest (a console session holds only that).
    func authenticate(digest: [UInt8], now: ContinuousClock.Instant = .now) async throws -> APIToken {
        let record: APIToken
        if let cached = cache.token(digest: digest, now: now) {
            record = cached
        } else {
            guard let stored = try await Blocking.run({ [tokens] in try tokens.token(digest: digest) }) else {
                throw APIError.unauthorized("unknown or revoked token")
            }
            cache.remember(stored, digest: digest, now: now)
            record = stored
        }
        // Checked on every request, cached or not: expiry needs no cache invalidation.
        if record.isExpired(atEpochSeconds: clock.nowEpochSeconds) { throw APIError.tokenExpired }
        return record
    }

    /// Revokes the selected live tokens and returns them (none when nothing was live).
    @discardableResult
    public func revoke(_ selection: TokenSelection) async throws -> [APIToken] {
        let (tokens, now) = (tokens, clock.nowEpochSeconds)
        let revoked = try await Blocking.commit { try tokens.revoke(selection, at: now) }
        cache.forget(revoked.map(\.id))
        return revoked
    }

    /// Revokes the token whose text is `token`, if it is live.
    public func revoke(tokenText token: String) async throws -> APIToken? {
        try await revoke(.digest(TokenIssuer.digest(of: token))).first
    }
}
