import Core
import Foundation
import HummingbirdTesting
import Testing

@testable import Server

/// What one user must not learn about another through any route: their credit score, the money
/// on their posts, the reports against them. The strongest form of "cannot be derived": two
/// worlds that differ only in those values answer another viewer byte for byte alike.
@Suite("private fields")
struct PrivacyTests {
    /// User 2 posts in nearby; in the `private` world the post is tipped 50 yuan, reported once,
    /// and user 2's credit recomputed after a top-up, so every private input differs.
    static func world(privateValuesDiffer: Bool) async throws -> APIFixture {
        let fixture = try APIFixture()
        // Tokens open the users' wallet accounts.
        for user: Int64 in [2, 3, 6, 7] { _ = try await fixture.token(user) }
        let post = try fixture.service.createPost(by: UserID(2), in: CircleID("nearby"), body: "a post")
        fixture.clock.advance(bySeconds: 600)
        if privateValuesDiffer {
            try await fixture.fund(6, fen: 10_000)
            try await fixture.fund(2, fen: 900_000)
            _ = try await fixture.service.tip(post.id, by: UserID(6), amountFen: 5_000, idempotencyKey: "privacy-tip")
            _ = try fixture.service.report(post.id, by: UserID(7), reason: "looks like spam")
        }
        try fixture.service.recomputeCredit()
        return fixture
    }

    static func feed(_ fixture: APIFixture, as user: Int64, admin: Bool = false) async throws -> String {
        let token = try await fixture.token(user, admin: admin)
        return try await fixture.app().test(.router) { client in
            let response = try await client.call(.get, "/v1/circles/nearby/feed?explain=1", token: token)
            #expect(response.status == .ok)
            return response.text
        }
    }

    @Test("another user's feed with explain=1 is the same whatever the author's credit, tips and reports")
    func feedRevealsNoPrivateValues() async throws {
        let plain = try await Self.world(privateValuesDiffer: false)
        let loaded = try await Self.world(privateValuesDiffer: true)
        let readerSeesPlain = try await Self.feed(plain, as: 3)
        let readerSeesLoaded = try await Self.feed(loaded, as: 3)
        #expect(readerSeesPlain == readerSeesLoaded)
        #expect(!readerSeesPlain.contains("\"score\""))
        for feature in ["credit", "tips", "reports"] { #expect(!readerSeesPlain.contains("\"\(feature)\"")) }
        #expect(readerSeesPlain.contains("\"private_terms_hidden\":true"))
        // The worlds really differ: the author sees their own post's score and terms change.
        let authorSeesPlain = try await Self.feed(plain, as: 2)
        let authorSeesLoaded = try await Self.feed(loaded, as: 2)
        #expect(authorSeesPlain != authorSeesLoaded)
        #expect(authorSeesLoaded.contains("\"tips\"") && authorSeesLoaded.contains("\"score\""))
    }

    @Test("the author and an admin see the whole explanation, whose terms sum to the score")
    func authorAndAdminSeeAll() async throws {
        let fixture = try await Self.world(privateValuesDiffer: true)
        for (user, admin) in [(Int64(2), false), (Int64(1), true)] {
            let page = try JSONSerialization.jsonObject(with: Data(try await Self.feed(fixture, as: user, admin: admin).utf8)) as? [String: Any]
            let item = try #require((page?["items"] as? [[String: Any]])?.first)
            let explanation = try field(item, "explanation", as: [String: Any].self)
            #expect(try field(explanation, "private_terms_hidden", as: Bool.self) == false)
            let terms = try field(explanation, "contributions", as: [[String: Any]].self)
            #expect(Set(terms.compactMap { $0["feature"] as? String }).isSuperset(of: ["credit", "tips", "reports"]))
            let sum = terms.compactMap { $0["value"] as? Double }.reduce(0, +)
            #expect(abs(sum - (try field(item, "score", as: Double.self))) < 1e-9)
        }
    }

    @Test("every other GET answers another viewer alike whatever the author's private values")
    func otherRoutesRevealNoPrivateValues() async throws {
        let plain = try await Self.world(privateValuesDiffer: false)
        let loaded = try await Self.world(privateValuesDiffer: true)
        // Every GET a user can make; the wallet and me routes only ever read the caller's own.
        let paths = [
            "/v1/posts/1", "/v1/users/2", "/v1/circles", "/v1/circles/nearby", "/v1/posts/1/comments", "/v1/friends", "/v1/friends/requests",
            "/v1/friends/suggestions", "/v1/me", "/v1/me/credit", "/v1/wallet", "/v1/wallet/history",
        ]
        for path in paths {
            var answers: [String] = []
            for fixture in [plain, loaded] {
                let token = try await fixture.token(3)
                answers.append(try await fixture.app().test(.router) { client in try await client.call(.get, path, token: token).text })
            }
            #expect(answers[0] == answers[1], "\(path)")
        }
    }
}
