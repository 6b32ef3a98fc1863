import Core
import HummingbirdTesting
import Testing

@testable import Server

@Suite("POST /v1/posts/:id/tips")
struct TipsTests {
    @Test("a tip within the circle's cap pays the author; over the cap is 403 with the rule's reason")
    func tipRule() async throws {
        let fixture = try APIFixture()
        let author = try await fixture.token(2)
        let reader = try await fixture.token(3)
        try await fixture.fund(3, fen: 50_000)
        let post = try fixture.service.createPost(by: UserID(2), in: CircleID("campus-diary"), body: "diary").id
        try await fixture.app().test(.router) { client in
            let over = try await client.call(.post, "/v1/posts/\(post)/tips", token: reader, json: #"{"amount_fen": 20001}"#, key: "tip-1")
            #expect(over.status == .forbidden)
            #expect(try (over.object()["error"] as? [String: Any])?["message"] as? String == "tips are capped at 200 yuan")
            let tip = try await client.call(.post, "/v1/posts/\(post)/tips", token: reader, json: #"{"amount_fen": 888}"#, key: "tip-1")
            #expect(tip.status == .created)
            let receipt = try tip.object()
            #expect(try field(receipt, "kind", as: String.self) == "tip")
            #expect(try field(receipt, "post_id", as: Int.self) == Int(post))
            let replay = try await client.call(.post, "/v1/posts/\(post)/tips", token: reader, json: #"{"amount_fen": 888}"#, key: "tip-1")
            #expect(replay.text == tip.text)
            #expect(try field(try await client.call(.get, "/v1/wallet", token: author).object(), "balance_fen", as: Int.self) == 888)
        }
    }

    @Test("tips need a key and a positive amount, checked before the rule")
    func tipRefusals() async throws {
        let fixture = try APIFixture()
        _ = try await fixture.token(2)
        let reader = try await fixture.token(3)
        let post = try fixture.service.createPost(by: UserID(2), in: CircleID("campus-diary"), body: "diary").id
        try await fixture.app().test(.router) { client in
            #expect(
                try await client.call(.post, "/v1/posts/\(post)/tips", token: reader, json: #"{"amount_fen": 1}"#).status == .badRequest)
            let negative = try await client.call(.post, "/v1/posts/\(post)/tips", token: reader, json: #"{"amount_fen": -5}"#, key: "k")
            #expect(try negative.errorCode() == "amount_must_be_positive")
            let poor = try await client.call(.post, "/v1/posts/\(post)/tips", token: reader, json: #"{"amount_fen": 5}"#, key: "k")
            #expect(try poor.errorCode() == "insufficient_funds")
            let missing = try await client.call(.post, "/v1/posts/424242/tips", token: reader, json: #"{"amount_fen": 5}"#, key: "k")
            #expect(missing.status == .notFound)
        }
    }
}
