import Core
import Foundation
@_spi(LedgerStore) import PostgresStorage
import Social
@_spi(LedgerStore) import StorageModel
import Testing

@testable import Server

/// What the token stores do on revocation and expiry, written once and run on each backend.
@Suite("token revocation and expiry on every backend")
struct TokenContractTests {
    static let now = Backend.startEpochSeconds

    static func digest(_ byte: UInt8) -> [UInt8] { [UInt8](repeating: byte, count: APIToken.digestByteCount) }

    static func users(_ stores: StoresBackend, _ count: Int64) throws {
        for id in 1...count {
            try stores.users.insert(UserProfile(id: UserID(id), displayName: "user \(id)", createdAtEpochSeconds: now), isAdmin: false)
        }
    }

    @Test("revoking by user ends every live token of that user only; by digest, just that one", arguments: Backend.available)
    func revoke(_ backend: Backend) async throws {
        try await backend.withStores { stores, _ in
            try await stores.sync { stores in
                try Self.users(stores, 2)
                let phone = try stores.tokens.insert(digest: Self.digest(1), for: UserID(1), isAdmin: false, at: Self.now)
                let laptop = try stores.tokens.insert(digest: Self.digest(2), for: UserID(1), isAdmin: false, at: Self.now)
                let other = try stores.tokens.insert(digest: Self.digest(3), for: UserID(2), isAdmin: false, at: Self.now)

                #expect(try stores.tokens.revoke(.digest(Self.digest(1)), at: Self.now + 5) == [phone])
                #expect(try stores.tokens.token(digest: Self.digest(1)) == nil)
                #expect(try stores.tokens.token(digest: Self.digest(2)) == laptop)
                #expect(try stores.tokens.revoke(.user(UserID(1)), at: Self.now + 6) == [laptop])
                #expect(try stores.tokens.token(digest: Self.digest(2)) == nil)
                #expect(try stores.tokens.revoke(.user(UserID(1)), at: Self.now + 7) == [])
                #expect(try stores.tokens.token(digest: Self.digest(3)) == other)
                #expect(try stores.strings("SELECT CAST(revoked_at AS TEXT) FROM api_tokens WHERE revoked_at IS NOT NULL ORDER BY id") == ["\(Self.now + 5)", "\(Self.now + 6)"])
            }
        }
    }

    @Test("a revocation stamped before the token's creation (a clock behind) still revokes", arguments: Backend.available)
    func revokeWithClockBehind(_ backend: Backend) async throws {
        try await backend.withStores { stores, _ in
            try await stores.sync { stores in
                try Self.users(stores, 1)
                let token = try stores.tokens.insert(digest: Self.digest(1), for: UserID(1), isAdmin: false, at: Self.now)
                #expect(try stores.tokens.revoke(.id(token.id), at: Self.now - 60) == [token])
                #expect(try stores.tokens.token(digest: Self.digest(1)) == nil)
            }
        }
    }

    @Test("an expiring token is stored with its expiry; an expiry not after issue is refused", arguments: Backend.available)
    func expiry(_ backend: Backend) async throws {
        try await backend.withStores { stores, _ in
            try await stores.sync { stores in
                try Self.users(stores, 1)
                let token = try stores.tokens.insert(
                    digest: Self.digest(1), for: UserID(1), isAdmin: false, at: Self.now, expiresAt: Self.now + 86_400)
                let stored = try #require(try stores.tokens.token(digest: Self.digest(1)))
                #expect(stored == token && stored.expiresAtEpochSeconds == Self.now + 86_400)
                #expect(!stored.isExpired(atEpochSeconds: Self.now + 86_399) && stored.isExpired(atEpochSeconds: Self.now + 86_400))
                #expect(throws: QuanziError.self) {
                    try stores.tokens.insert(digest: Self.digest(2), for: UserID(1), isAdmin: false, at: Self.now, expiresAt: Self.now)
                }
            }
        }
    }

    @Test(
        "a token revoked on one node is refused there at once and on another node once its cached copy is TokenCache.lifetime old",
        PostgresTestDatabase.available)
    func revokedAcrossNodes() async throws {
        try await PostgresTestDatabase.withNodeDatabases(2) { nodes in
            let token = "qz_two-node-test-token"
            try await Backend.offPool {
                try PostgresUserStore(database: nodes[0]).insert(UserProfile(id: UserID(1)), isAdmin: false)
                _ = try PostgresTokenStore(database: nodes[0]).insert(digest: TokenIssuer.digest(of: token), for: UserID(1), isAdmin: false, at: Self.now)
            }
            let clock = ManualClock(epochSeconds: Self.now)
            let (revoking, other) = (
                TokenAuthenticator(tokens: PostgresTokenStore(database: nodes[0]), clock: clock),
                TokenAuthenticator(tokens: PostgresTokenStore(database: nodes[1]), clock: clock)
            )
            let start = ContinuousClock.now
            #expect(try await revoking.authenticate(token, now: start).userID == UserID(1))
            #expect(try await other.authenticate(token, now: start).userID == UserID(1))

            #expect(try await revoking.revoke(tokenText: token)?.userID == UserID(1))
            #expect(await Self.refusal(revoking, token, now: start) == "unauthorized")
            // The bound: the other node serves its cached copy until it is `lifetime` old, then asks the database.
            #expect(try await other.authenticate(token, now: start + TokenCache.lifetime - .milliseconds(1)).userID == UserID(1))
            #expect(await Self.refusal(other, token, now: start + TokenCache.lifetime) == "unauthorized")
        }
    }

    /// The error code `authenticator` refuses `token` with, or nil when it accepts it.
    static func refusal(_ authenticator: TokenAuthenticator, _ token: String, now: ContinuousClock.Instant) async -> String? {
        do {
            _ = try await authenticator.authenticate(token, now: now)
            return nil
        } catch {
            return (error as? APIError)?.code ?? "\(error)"
        }
    }
}
