import Core
import HummingbirdTesting
import Testing

@testable import Server

@Suite("/v1/wallet: balance, history, transfers, top-ups, idempotency")
struct WalletTests {
    @Test("an admin tops up, the user sees the balance; a user token may not top up")
    func topUp() async throws {
        let fixture = try APIFixture()
        let admin = try await fixture.token(1, admin: true)
        let user = try await fixture.token(2)
        try await fixture.app().test(.router) { client in
            let body = #"{"user_id": 2, "amount_fen": 5000}"#
            let created = try await client.call(.post, "/v1/wallet/top-ups", token: admin, json: body, key: "t1")
            #expect(created.status == .created)
            let receipt = try created.object()
            #expect(try field(receipt, "kind", as: String.self) == "topup")
            #expect(receipt["from_user_id"] == nil)
            #expect(try field(receipt, "to_user_id", as: Int.self) == 2)
            let refused = try await client.call(.post, "/v1/wallet/top-ups", token: user, json: body, key: "t2")
            #expect(refused.status == .forbidden)
            let balance = try await client.call(.get, "/v1/wallet", token: user).object()
            #expect(try field(balance, "balance_fen", as: Int.self) == 5000)
        }
    }

    @Test("a transfer moves money; a replay with the same key returns the first response and moves nothing")
    func idempotentReplay() async throws {
        let fixture = try APIFixture()
        let alice = try await fixture.token(2)
        let bob = try await fixture.token(3)
        try await fixture.fund(2, fen: 1_000)
        try await fixture.app().test(.router) { client in
            let body = #"{"to_user_id": 3, "amount_fen": 300}"#
            let first = try await client.call(.post, "/v1/wallet/transfers", token: alice, json: body, key: "pay-1")
            #expect(first.status == .created)
            #expect(first.headers[.idempotentReplayed] == nil)
            fixture.clock.advance(bySeconds: 60)
            let replay = try await client.call(.post, "/v1/wallet/transfers", token: alice, json: body, key: "pay-1")
            #expect(replay.status == .created)
            #expect(replay.text == first.text)
            #expect(replay.headers[.idempotentReplayed] == "true")
            #expect(try field(try await client.call(.get, "/v1/wallet", token: alice).object(), "balance_fen", as: Int.self) == 700)
            #expect(try field(try await client.call(.get, "/v1/wallet", token: bob).object(), "balance_fen", as: Int.self) == 300)

            let reused = try await client.call(
                .post, "/v1/wallet/transfers", token: alice, json: #"{"to_user_id": 3, "amount_fen": 1}"#, key: "pay-1")
            #expect(reused.status == .conflict)
            #expect(try reused.errorCode() == "idempotency_key_reused")
        }
    }

    @Test("money refusals: no key 400, bad amount 422, insufficient funds 422, unknown account 404")
    func refusals() async throws {
        let fixture = try APIFixture()
        let alice = try await fixture.token(2)
        _ = try await fixture.token(3)
        try fixture.user(4)
        try await fixture.fund(2, fen: 100)
        try await fixture.app().test(.router) { client in
            let noKey = try await client.call(.post, "/v1/wallet/transfers", token: alice, json: #"{"to_user_id": 3, "amount_fen": 1}"#)
            #expect(noKey.status == .badRequest)
            #expect(try noKey.errorCode() == "idempotency_key_required")
            let longKey = try await client.call(
                .post, "/v1/wallet/transfers", token: alice, json: #"{"to_user_id": 3, "amount_fen": 1}"#,
                key: String(repeating: "k", count: 129))
            #expect(try longKey.errorCode() == "invalid_idempotency_key")
            let zero = try await client.call(
                .post, "/v1/wallet/transfers", token: alice, json: #"{"to_user_id": 3, "amount_fen": 0}"#, key: "z")
            #expect(zero.status == .unprocessableContent)
            #expect(try zero.errorCode() == "amount_must_be_positive")
            let poor = try await client.call(
                .post, "/v1/wallet/transfers", token: alice, json: #"{"to_user_id": 3, "amount_fen": 101}"#, key: "p")
            #expect(poor.status == .unprocessableContent)
            #expect(try poor.errorCode() == "insufficient_funds")
            let noAccount = try await client.call(
                .post, "/v1/wallet/transfers", token: alice, json: #"{"to_user_id": 4, "amount_fen": 1}"#, key: "n")
            #expect(noAccount.status == .notFound)
            #expect(try noAccount.errorCode() == "account_not_found")
            let system = try await client.call(
                .post, "/v1/wallet/transfers", token: alice, json: #"{"to_user_id": -1, "amount_fen": 1}"#, key: "s")
            #expect(system.status == .badRequest)
            let toSelf = try await client.call(
                .post, "/v1/wallet/transfers", token: alice, json: #"{"to_user_id": 2, "amount_fen": 1}"#, key: "me")
            #expect(try toSelf.errorCode() == "same_account")
        }
    }

    @Test("history is the caller's own movements, newest first, signed, paged by cursor")
    func history() async throws {
        let fixture = try APIFixture()
        let alice = try await fixture.token(2)
        let bob = try await fixture.token(3)
        try await fixture.fund(2, fen: 1_000)
        for n in 1...3 {
            _ = try await fixture.service.wallet.transfer(from: UserID(2), to: UserID(3), amountFen: Int64(n), idempotencyKey: "h\(n)")
        }
        try await fixture.app().test(.router) { client in
            let first = try await client.call(.get, "/v1/wallet/history?limit=2", token: alice).object()
            let items = try field(first, "items", as: [[String: Any]].self)
            #expect(items.map { $0["amount_fen"] as? Int } == [-3, -2])
            #expect(items.allSatisfy { $0["counterparty_user_id"] as? Int == 3 && $0["kind"] as? String == "transfer" })
            let cursor = try field(first, "next_cursor", as: String.self)
            let second = try await client.call(.get, "/v1/wallet/history?limit=2&cursor=\(cursor)", token: alice).object()
            let rest = try field(second, "items", as: [[String: Any]].self)
            #expect(rest.map { $0["amount_fen"] as? Int } == [-1, 1_000])
            #expect(rest.last?["counterparty_user_id"] == nil)
            #expect(second["next_cursor"] == nil)
            let bobs = try field(try await client.call(.get, "/v1/wallet/history", token: bob).object(), "items", as: [[String: Any]].self)
            #expect(bobs.map { $0["amount_fen"] as? Int } == [3, 2, 1])
        }
    }

    @Test("no wallet route reads another user's account")
    func noCrossUserReads() async throws {
        let fixture = try APIFixture()
        let router = buildRouter(service: fixture.service, metrics: fixture.metrics)
        let walletReads = router.routes.filter { $0.method == .get && "\($0.path)".contains("wallet") }.map { "\($0.path)" }
        // Neither read takes a user id: each answers for the token's user only.
        #expect(Set(walletReads) == ["/v1/wallet", "/v1/wallet/history"])
    }
}
