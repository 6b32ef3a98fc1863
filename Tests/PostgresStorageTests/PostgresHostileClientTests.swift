import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
@_spi(LedgerStore) import PostgresStorage
import Server
@_spi(LedgerStore) import Service
import Testing

/// Token ends and idempotency keys through `quanzi serve`'s application on PostgreSQL.
@Suite("hostile clients over HTTP on PostgreSQL", PostgresTestDatabase.available)
struct PostgresHostileClientTests {
    @Test("logout and an operator's revocation answer 401, an expired token 401 token_expired, an admin key reused for another user 409")
    func tokensAndKeys() async throws {
        try await PostgresTestDatabase.withBackend { backend in
            let clock = ManualClock(epochSeconds: PostgresServiceTests.start)
            let service = try await PostgresServiceTests.service(on: backend, clock: clock)
            try await Backend.offPool {
                for id in Int64(1)...4 { try service.users.insert(PostgresServiceTests.profile(id), isAdmin: id == 1) }
            }
            let issuer = TokenIssuer(store: service.storage.tokens, wallet: service.wallet, clock: clock)
            let admin = try await issuer.issue(for: UserID(1), admin: true).token
            let leaving = try await issuer.issue(for: UserID(2), admin: false).token
            let revoked = try await issuer.issue(for: UserID(3), admin: false).token
            let expiring = try await issuer.issue(for: UserID(4), admin: false, ttlDays: 1).token
            // The operator's command: its own process, its own authenticator, the same database.
            #expect(try await TokenAuthenticator(tokens: service.storage.tokens, clock: clock).revoke(.user(UserID(3))).count == 1)

            let app = quietApplication(service)
            try await app.test(.router) { client in
                var outcomes: [String] = []
                for (method, uri, token) in [(.get, "/v1/me", leaving), (.delete, "/v1/me/token", leaving), (.get, "/v1/me", leaving),
                                             (.get, "/v1/me", revoked), (.get, "/v1/me", expiring)] as [(HTTPRequest.Method, String, String)] {
                    outcomes.append(try await Self.call(client, method, uri, token: token))
                }
                clock.advance(bySeconds: 86_400)
                outcomes.append(try await Self.call(client, .get, "/v1/me", token: expiring))
                #expect(outcomes == ["200 -", "204 -", "401 unauthorized", "401 unauthorized", "200 -", "401 token_expired"])

                var topUps: [String] = []
                for userID in [2, 2, 3] {
                    let body = #"{"user_id": \#(userID), "amount_fen": 500}"#
                    topUps.append(try await Self.call(client, .post, "/v1/wallet/top-ups", token: admin, json: body, key: "card"))
                }
                #expect(topUps == ["201 -", "201 -", "409 idempotency_key_reused"])
            }
            #expect(try await service.wallet.balanceFen(of: UserID(3)) == 0)
            #expect(try await service.wallet.verify().isConsistent)
        }
    }

    /// "status error-code", "-" for no error: "401 token_expired", "204 -".
    static func call(
        _ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, token: String, json: String? = nil, key: String? = nil
    ) async throws -> String {
        var headers: HTTPFields = [.authorization: "Bearer \(token)"]
        if let key { headers[HTTPField.Name("Idempotency-Key")!] = key }
        if json != nil { headers[.contentType] = "application/json" }
        let response = try await client.executeRequest(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
        let object = try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
        return "\(response.status.code) \((object?["error"] as? [String: Any])?["code"] as? String ?? "-")"
    }
}
