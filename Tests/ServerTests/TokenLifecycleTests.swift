import Core
import HummingbirdTesting
import SQLiteStorage
import Testing

@testable import Server

@Suite("tokens end: revocation, logout, expiry")
struct TokenLifecycleTests {
    @Test("a token revoked by the operator (`quanzi token revoke`) is refused with 401")
    func revokedByOperator() async throws {
        let fixture = try APIFixture()
        let token = try await fixture.token(2)
        // The command runs in its own process, with its own authenticator over the same database.
        let command = TokenAuthenticator(tokens: fixture.service.storage.tokens, clock: fixture.clock)
        #expect(try await command.revoke(.user(UserID(2))).count == 1)
        try await fixture.app().test(.router) { client in
            let refused = try await client.call(.get, "/v1/me", token: token)
            #expect(refused.status == .unauthorized)
            #expect(try refused.errorCode() == "unauthorized")
        }
    }

    @Test("DELETE /v1/me/token logs out: 204, that token is refused with 401 at once, the user's other token still works")
    func logOut() async throws {
        let fixture = try APIFixture()
        let phone = try await fixture.token(2)
        let laptop = try await fixture.token(2)
        try await fixture.app().test(.router) { client in
            #expect(try await client.call(.get, "/v1/me", token: phone).status == .ok)  // now in the cache
            let loggedOut = try await client.call(.delete, "/v1/me/token", token: phone)
            #expect(loggedOut.status == .noContent)
            #expect(loggedOut.body.readableBytes == 0)
            let refused = try await client.call(.get, "/v1/me", token: phone)
            #expect(refused.status == .unauthorized)
            #expect(try refused.errorCode() == "unauthorized")
            #expect(try await client.call(.delete, "/v1/me/token", token: phone).status == .unauthorized)
            #expect(try await client.call(.get, "/v1/me", token: laptop).status == .ok)
        }
    }

    @Test("an expired token is refused with 401 token_expired, even one the server has cached")
    func expired() async throws {
        let fixture = try APIFixture()
        let token = try await fixture.token(2, ttlDays: 1)
        try await fixture.app().test(.router) { client in
            #expect(try await client.call(.get, "/v1/me", token: token).status == .ok)
            fixture.clock.advance(bySeconds: 86_399)
            #expect(try await client.call(.get, "/v1/me", token: token).status == .ok)
            fixture.clock.advance(bySeconds: 1)
            let expired = try await client.call(.get, "/v1/me", token: token)
            #expect(expired.status == .unauthorized)
            #expect(try expired.errorCode() == "token_expired")
            #expect(expired.headers[.wwwAuthenticate]?.contains(#"error="invalid_token""#) == true)
        }
    }

    @Test("a token's lifetime is 1 to 3650 days")
    func ttlRange() async throws {
        let fixture = try APIFixture()
        try fixture.user(2)
        let issuer = TokenIssuer(store: fixture.service.storage.tokens, wallet: fixture.service.wallet, clock: fixture.clock)
        for ttlDays in [0, -1, 3_651, Int.max] {
            await #expect(throws: QuanziError.self) { try await issuer.issue(for: UserID(2), admin: false, ttlDays: ttlDays) }
        }
        let longest = try await issuer.issue(for: UserID(2), admin: false, ttlDays: 3_650).record
        #expect(longest.expiresAtEpochSeconds == APIFixture.start + 3_650 * 86_400)
    }

    @Test("a token revoked elsewhere is served from another authenticator's cache for at most TokenCache.lifetime")
    func revokedElsewhere() async throws {
        let fixture = try APIFixture()
        let token = try await fixture.token(2)
        let (node, elsewhere) = (
            TokenAuthenticator(tokens: fixture.service.storage.tokens, clock: fixture.clock),
            TokenAuthenticator(tokens: fixture.service.storage.tokens, clock: fixture.clock)
        )
        let start = ContinuousClock.now
        #expect(try await node.authenticate(token, now: start).userID == UserID(2))
        #expect(try await elsewhere.revoke(tokenText: token)?.userID == UserID(2))
        #expect(try await node.authenticate(token, now: start + TokenCache.lifetime - .milliseconds(1)).userID == UserID(2))
        await #expect(throws: APIError.self) { try await node.authenticate(token, now: start + TokenCache.lifetime) }
    }
}
