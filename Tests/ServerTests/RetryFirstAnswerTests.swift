import Core
import HummingbirdTesting
import Testing

@testable import Server

/// A money request retried with its key gets the first answer, whatever changed in between,
/// and keys live in the signer's own space.
@Suite("idempotency keys: the signer's own space, the first answer on retry")
struct RetryFirstAnswerTests {
    @Test("an admin's top-up key reused for another user makes no second top-up")
    func adminKeyForAnotherUser() async throws {
        let fixture = try APIFixture()
        let admin = try await fixture.token(1, admin: true)
        let second = try await fixture.token(2)
        let third = try await fixture.token(3)
        try await fixture.app().test(.router) { client in
            let first = try await client.call(
                .post, "/v1/wallet/top-ups", token: admin, json: #"{"user_id": 2, "amount_fen": 5000}"#, key: "card-77")
            #expect(first.status == .created)
            let reused = try await client.call(
                .post, "/v1/wallet/top-ups", token: admin, json: #"{"user_id": 3, "amount_fen": 5000}"#, key: "card-77")
            #expect(reused.status == .conflict)
            #expect(try reused.errorCode() == "idempotency_key_reused")
            #expect(try field(try await client.call(.get, "/v1/wallet", token: second).object(), "balance_fen", as: Int.self) == 5000)
            #expect(try field(try await client.call(.get, "/v1/wallet", token: third).object(), "balance_fen", as: Int.self) == 0)
        }
    }

    @Test("an admin's top-up key never collides with a key of the credited user")
    func adminKeyEqualToUserKey() async throws {
        let fixture = try APIFixture()
        let admin = try await fixture.token(1, admin: true)
        let user = try await fixture.token(2)
        _ = try await fixture.token(3)
        try await fixture.fund(2, fen: 1_000)
        try await fixture.app().test(.router) { client in
            // Whatever text the user picks, even what the admin's key once became, is the user's own.
            for key in ["card-77", "admin-1:card-77"] {
                let paid = try await client.call(
                    .post, "/v1/wallet/transfers", token: user, json: #"{"to_user_id": 3, "amount_fen": 100}"#, key: key)
                #expect(paid.status == .created)
            }
            let topUp = try await client.call(
                .post, "/v1/wallet/top-ups", token: admin, json: #"{"user_id": 2, "amount_fen": 5000}"#, key: "card-77")
            #expect(topUp.status == .created)
            #expect(topUp.headers[.idempotentReplayed] == nil)
            #expect(try field(topUp.object(), "kind", as: String.self) == "topup")
            #expect(try field(try await client.call(.get, "/v1/wallet", token: user).object(), "balance_fen", as: Int.self) == 5_800)
        }
    }

    @Test("a tip retried after its post was hidden replays the first 201 body")
    func tipReplayAfterHidden() async throws {
        let fixture = try APIFixture()
        _ = try await fixture.token(2)
        let reader = try await fixture.token(3)
        let reporters = [try await fixture.token(4), try await fixture.token(5), try await fixture.token(6)]
        try await fixture.fund(3, fen: 5_000)
        let post = try fixture.service.createPost(by: UserID(2), in: CircleID("campus-diary"), body: "diary").id
        try await fixture.app().test(.router) { client in
            let tip = try await client.call(.post, "/v1/posts/\(post)/tips", token: reader, json: #"{"amount_fen": 888}"#, key: "tip-1")
            #expect(tip.status == .created)
            for reporter in reporters {  // campus-diary hides a post at three reports
                _ = try await client.call(.post, "/v1/posts/\(post)/reports", token: reporter, json: #"{"reason": "spam"}"#)
            }
            #expect(try await client.call(.get, "/v1/posts/\(post)", token: reader).status == .notFound)
            fixture.clock.advance(bySeconds: 60)
            let retry = try await client.call(.post, "/v1/posts/\(post)/tips", token: reader, json: #"{"amount_fen": 888}"#, key: "tip-1")
            #expect(retry.status == .created)
            #expect(retry.text == tip.text)
            #expect(retry.headers[.idempotentReplayed] == "true")
            let changed = try await client.call(.post, "/v1/posts/\(post)/tips", token: reader, json: #"{"amount_fen": 1}"#, key: "tip-1")
            #expect(changed.status == .conflict)
            #expect(try changed.errorCode() == "idempotency_key_reused")
            #expect(try field(try await client.call(.get, "/v1/wallet", token: reader).object(), "balance_fen", as: Int.self) == 4_112)
        }
    }
}
