import Core
import Foundation
import GRDB
import SQLiteStorage
import HummingbirdTesting
import Testing

@testable import Server

@Suite("bearer tokens, roles and rate limits")
struct AuthTests {
    @Test("a /v1 route without a token is 401 in the error shape")
    func missingToken() async throws {
        let fixture = try APIFixture()
        try await fixture.app().test(.router) { client in
            let response = try await client.call(.get, "/v1/me")
            #expect(response.status == .unauthorized)
            #expect(try response.errorCode() == "unauthorized")
            #expect(response.headers[.wwwAuthenticate] == "Bearer")
        }
    }

    @Test("an unknown token and a malformed header are 401; the scheme name is case-insensitive")
    func badTokens() async throws {
        let fixture = try APIFixture()
        let token = try await fixture.token(2)
        try await fixture.app().test(.router) { client in
            #expect(try await client.call(.get, "/v1/me", token: "qz_not-a-token").status == .unauthorized)
            let basic = try await client.call(.get, "/v1/me", headers: [.authorization: "Basic dXNlcjpwYXNz"])
            #expect(basic.status == .unauthorized)
            #expect(try basic.errorCode() == "unauthorized")
            #expect(try await client.call(.get, "/v1/me", headers: [.authorization: "bearer \(token)"]).status == .ok)
        }
    }

    @Test("only the token's SHA-256 digest is stored")
    func storedHashed() async throws {
        let fixture = try APIFixture()
        let token = try await fixture.token(2)
        #expect(token.hasPrefix("qz_") && token.count == 46)
        let stored = try await fixture.service.database!.pool.read { db in try Data.fetchAll(db, sql: "SELECT token_sha256 FROM api_tokens")
        }
        #expect(stored == [Data(TokenIssuer.digest(of: token))])
        let everything = try await fixture.service.database!.pool.read { db in
            try String.fetchAll(db, sql: "SELECT quote(token_sha256) || user_id || is_admin FROM api_tokens")
        }
        #expect(!everything.joined().contains(String(token.dropFirst(3))))
    }

    @Test("a token for an unknown user is refused")
    func unknownUser() async throws {
        let fixture = try APIFixture()
        let issuer = TokenIssuer(store: fixture.service.storage.tokens, wallet: fixture.service.wallet, clock: fixture.clock)
        await #expect(throws: QuanziError(.userNotFound, "no user 99")) { try await issuer.issue(for: UserID(99), admin: false) }
    }

    @Test("admin routes refuse a user token with 403 and accept an admin token")
    func adminRole() async throws {
        let fixture = try APIFixture()
        let user = try await fixture.token(2)
        let admin = try await fixture.token(1, admin: true)
        try await fixture.app().test(.router) { client in
            let refused = try await client.call(.get, "/v1/experiments", token: user)
            #expect(refused.status == .forbidden)
            #expect(try refused.errorCode() == "admin_required")
            #expect(try await client.call(.get, "/v1/experiments", token: admin).status == .ok)
            let me = try await client.call(.get, "/v1/me", token: admin).object()
            #expect(try field(me, "is_admin", as: Bool.self))
        }
    }

    @Test("a user past their budget gets 429 with Retry-After; another user is unaffected")
    func rateLimit() async throws {
        let tight = RateLimitPolicy(name: "api", burst: 3, refillPerSecond: 0.001)
        let fixture = try APIFixture(limits: ServerLimits(apiRate: tight, moneyRate: .unlimited))
        let first = try await fixture.token(2)
        let second = try await fixture.token(3)
        try await fixture.app().test(.router) { client in
            for _ in 0..<3 { #expect(try await client.call(.get, "/v1/me", token: first).status == .ok) }
            let limited = try await client.call(.get, "/v1/me", token: first)
            #expect(limited.status == .tooManyRequests)
            #expect(try limited.errorCode() == "rate_limited")
            #expect(Int(limited.headers[.retryAfter] ?? "") ?? 0 >= 1)
            #expect(try await client.call(.get, "/v1/me", token: second).status == .ok)
        }
    }

    @Test("a user's tokens share one rate budget: minting another token buys no extra requests")
    func rateLimitPerUser() async throws {
        let tight = RateLimitPolicy(name: "api", burst: 3, refillPerSecond: 0.001)
        let fixture = try APIFixture(limits: ServerLimits(apiRate: tight, moneyRate: .unlimited))
        let phone = try await fixture.token(2)
        let laptop = try await fixture.token(2)
        try await fixture.app().test(.router) { client in
            for _ in 0..<2 { #expect(try await client.call(.get, "/v1/me", token: phone).status == .ok) }
            #expect(try await client.call(.get, "/v1/me", token: laptop).status == .ok)
            let limited = try await client.call(.get, "/v1/me", token: laptop)
            #expect(limited.status == .tooManyRequests)
            #expect(try limited.errorCode() == "rate_limited")
        }
    }

    @Test("money routes spend a separate, tighter budget")
    func moneyRateLimit() async throws {
        let money = RateLimitPolicy(name: "money", burst: 1, refillPerSecond: 0.001)
        let fixture = try APIFixture(limits: ServerLimits(apiRate: .unlimited, moneyRate: money))
        let token = try await fixture.token(2)
        _ = try await fixture.token(3)
        try await fixture.fund(2, fen: 1_000)
        try await fixture.app().test(.router) { client in
            let body = #"{"to_user_id": 3, "amount_fen": 1}"#
            #expect(try await client.call(.post, "/v1/wallet/transfers", token: token, json: body, key: "a").status == .created)
            let limited = try await client.call(.post, "/v1/wallet/transfers", token: token, json: body, key: "b")
            #expect(limited.status == .tooManyRequests)
            #expect(try await client.call(.get, "/v1/wallet", token: token).status == .ok)
        }
    }

    @Test("a token bucket refills with time")
    func refill() {
        let limiter = RateLimiter(policy: RateLimitPolicy(name: "test", burst: 2, refillPerSecond: 1))
        let start = ContinuousClock.now
        #expect(limiter.acquire(1, now: start) == nil)
        #expect(limiter.acquire(1, now: start) == nil)
        #expect(limiter.acquire(1, now: start) == 1)
        #expect(limiter.acquire(1, now: start + .milliseconds(1_000)) == nil)
    }
}

@Suite("token cache")
struct TokenCacheTests {
    /// A cached token is served for its lifetime and not after: a token revoked in the database
    /// stops working within that time.
    @Test func entriesExpire() {
        let cache = TokenCache()
        let digest = [UInt8](repeating: 7, count: 32)
        let token = APIToken(id: 1, userID: UserID(2), isAdmin: false, createdAtEpochSeconds: 0)
        let start = ContinuousClock.now
        #expect(cache.token(digest: digest, now: start) == nil)
        cache.remember(token, digest: digest, now: start)
        #expect(cache.token(digest: digest, now: start + TokenCache.lifetime - .seconds(1)) == token)
        #expect(cache.token(digest: digest, now: start + TokenCache.lifetime) == nil)
        #expect(cache.token(digest: [UInt8](repeating: 8, count: 32), now: start) == nil)
    }

    @Test("a token forgotten on revocation is not put back by a request that read it just before")
    func forgottenStaysOut() {
        let cache = TokenCache()
        let digest = [UInt8](repeating: 7, count: 32)
        let token = APIToken(id: 1, userID: UserID(2), isAdmin: false, createdAtEpochSeconds: 0)
        let start = ContinuousClock.now
        cache.remember(token, digest: digest, now: start)
        cache.forget([token.id], now: start)
        #expect(cache.token(digest: digest, now: start) == nil)
        cache.remember(token, digest: digest, now: start + .seconds(1))
        #expect(cache.token(digest: digest, now: start + .seconds(1)) == nil)
    }
}
