import Core
import Foundation
import HummingbirdTesting
import Testing

@testable import Server

/// Money over HTTP goes through the service like every other caller, so its side effects happen:
/// an HTTP tip once never reached the feed's tip counts or the tipper's affinity.
@Suite("HTTP money through the service")
struct OneDoorTests {
    @Test("a tip over HTTP reaches the post's tips term in the feed and the tipper's affinity")
    func tipReachesFeedAndAffinity() async throws {
        let fixture = try APIFixture()
        let author = try await fixture.token(2)
        let tipper = try await fixture.token(3)
        try await fixture.fund(3, fen: 10_000)
        let post = try fixture.service.createPost(by: UserID(2), in: CircleID("nearby"), body: "worth a tip")
        try await fixture.app().test(.router) { client in
            let tip = try await client.call(.post, "/v1/posts/\(post.id)/tips", token: tipper, json: #"{"amount_fen": 500}"#, key: "door-tip")
            #expect(tip.status == .created)
            let page = try await client.call(.get, "/v1/circles/nearby/feed?explain=1", token: author).object()
            let item = try #require(try field(page, "items", as: [[String: Any]].self).first)
            let terms = try field(try field(item, "explanation", as: [String: Any].self), "contributions", as: [[String: Any]].self)
            let tips = try #require(terms.first { $0["feature"] as? String == "tips" }?["value"] as? Double)
            #expect(tips > 0)
        }
        #expect(try fixture.service.affinities.affinity(from: UserID(3), to: UserID(2), at: fixture.clock.nowEpochSeconds) > 0)
    }

    @Test("a transfer over HTTP strengthens both users' affinity, in the transfer's own transaction")
    func transferReachesAffinity() async throws {
        let fixture = try APIFixture()
        let payer = try await fixture.token(3)
        _ = try await fixture.token(4)
        try await fixture.fund(3, fen: 10_000)
        try await fixture.app().test(.router) { client in
            let pay = try await client.call(.post, "/v1/wallet/transfers", token: payer, json: #"{"to_user_id": 4, "amount_fen": 700}"#, key: "door-pay")
            #expect(pay.status == .created)
        }
        let now = fixture.clock.nowEpochSeconds
        #expect(try fixture.service.affinities.affinity(from: UserID(3), to: UserID(4), at: now) > 0)
        #expect(try fixture.service.affinities.affinity(from: UserID(4), to: UserID(3), at: now) > 0)
    }

    @Test("a malformed tip amount is 422 whatever the circle's rule would say, before the rule runs")
    func malformedAmountFirst() async throws {
        let fixture = try APIFixture()
        _ = try await fixture.token(2)
        let tipper = try await fixture.token(3)
        let post = try fixture.service.createPost(by: UserID(2), in: CircleID("nearby"), body: "a post")
        try await fixture.app().test(.router) { client in
            for amount in [0, -5, 99_999_999] {
                let tip = try await client.call(.post, "/v1/posts/\(post.id)/tips", token: tipper, json: #"{"amount_fen": \#(amount)}"#, key: "bad-\(amount)")
                #expect(tip.status == .unprocessableContent, "\(amount)")
            }
        }
    }
}
