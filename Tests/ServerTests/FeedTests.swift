import Core
import Foundation
import HummingbirdTesting
import Testing

@testable import Server

@Suite("GET /v1/circles/:id/feed")
struct FeedTests {
    /// Six posts by users 2, 4 and 5 in `circle`, an hour apart: several authors, because a page
    /// shows at most `max_per_author` posts of one.
    func posts(_ fixture: APIFixture, in circle: String) throws {
        for author: Int64 in [4, 5] { try fixture.user(author) }
        for n in 0..<6 {
            _ = try fixture.service.createPost(by: UserID([2, 4, 5][n % 3]), in: CircleID(circle), body: "post \(n)")
            fixture.clock.advance(bySeconds: 3_600)
        }
    }

    @Test("pages of the ranked feed follow the cursor without repeats")
    func paging() async throws {
        let fixture = try APIFixture()
        _ = try await fixture.token(2)
        let reader = try await fixture.token(3)
        try posts(fixture, in: "nearby")
        try await fixture.app().test(.router) { client in
            let first = try await client.call(.get, "/v1/circles/nearby/feed?limit=3", token: reader)
            #expect(first.status == .ok)
            let page = try first.object()
            let items = try field(page, "items", as: [[String: Any]].self)
            #expect(items.count == 3)
            // Other authors' posts: no score (it would give away their credit, see PrivacyTests).
            #expect(items.allSatisfy { $0["score"] == nil && $0["explanation"] == nil })
            let cursor = try field(page, "next_cursor", as: String.self)
            let escaped = cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? cursor
            let rest = try field(
                try await client.call(.get, "/v1/circles/nearby/feed?limit=3&cursor=\(escaped)", token: reader).object(), "items",
                as: [[String: Any]].self)
            let ids = (items + rest).compactMap { ($0["post"] as? [String: Any])?["id"] as? Int }
            #expect(Set(ids).count == 6 && ids.count == 6)
        }
    }

    @Test("explain=1 gives the author each own post's score terms, which sum to its score, and the weights used")
    func explain() async throws {
        let fixture = try APIFixture()
        let author = try await fixture.token(2)
        try posts(fixture, in: "nearby")
        try await fixture.app().test(.router) { client in
            let page = try await client.call(.get, "/v1/circles/nearby/feed?explain=1", token: author).object()
            #expect(try field(page, "parameters", as: [String: Any].self)["half_life_hours"] as? Double == 6)
            var own = 0
            for item in try field(page, "items", as: [[String: Any]].self) {
                let explanation = try field(item, "explanation", as: [String: Any].self)
                let terms = try field(explanation, "contributions", as: [[String: Any]].self)
                let isOwn = (item["post"] as? [String: Any])?["author_id"] as? Int == 2
                #expect(try field(explanation, "private_terms_hidden", as: Bool.self) == !isOwn)
                guard isOwn else {
                    #expect(item["score"] == nil)
                    #expect(terms.allSatisfy { !["credit", "tips", "reports"].contains($0["feature"] as? String ?? "") })
                    continue
                }
                own += 1
                let sum = terms.compactMap { $0["value"] as? Double }.reduce(0, +)
                #expect(abs(sum - (try field(item, "score", as: Double.self))) < 1e-9)
            }
            #expect(own > 0)
        }
    }

    @Test("a stranger's feed of a friends circle leaves out what the view rule hides")
    func visibility() async throws {
        let fixture = try APIFixture()
        _ = try await fixture.token(2)
        let stranger = try await fixture.token(3)
        try posts(fixture, in: "friends")
        try await fixture.app().test(.router) { client in
            let items = try field(
                try await client.call(.get, "/v1/circles/friends/feed", token: stranger).object(), "items", as: [Any].self)
            #expect(items.isEmpty)
        }
    }

    @Test("a bad limit is 400, a bad cursor 400, an unknown circle 404")
    func refusals() async throws {
        let fixture = try APIFixture()
        let reader = try await fixture.token(3)
        try await fixture.app().test(.router) { client in
            #expect(try await client.call(.get, "/v1/circles/nearby/feed?limit=101", token: reader).status == .badRequest)
            let cursor = try await client.call(.get, "/v1/circles/nearby/feed?cursor=garbage", token: reader)
            #expect(cursor.status == .badRequest)
            #expect(try cursor.errorCode() == "invalid_cursor")
            let unknown = try await client.call(.get, "/v1/circles/nowhere/feed", token: reader)
            #expect(unknown.status == .notFound)
            #expect(try unknown.errorCode() == "circle_not_found")
        }
    }
}
