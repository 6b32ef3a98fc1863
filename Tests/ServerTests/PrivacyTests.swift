import Core
import Foundation
import HummingbirdTesting
import Social
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

/// Real-name traceability is for moderators only, through the audited identity route: no other
/// route shows another user's verified attributes, to anyone.
@Suite("real-name fields")
struct RealNamePrivacyTests {
    static let subject = UserID(2)

    /// The world every answer is asked in: user 2 (whose attributes differ between the two
    /// worlds) posts in nearby, once held by its keywords; user 3 is a friend in the same city.
    static func world(_ identity: Int) async throws -> (APIFixture, tokens: [String: String]) {
        let fixture = try APIFixture()
        let start = APIFixture.start
        let profile: UserProfile
        if identity == 0 {
            profile = UserProfile(
                id: subject, displayName: "user 2", verified: true, verifiedAtEpochSeconds: start - 86_400, gender: .female, birthYear: 2004,
                occupation: .student, school: "ZJU", city: "Hangzhou", createdAtEpochSeconds: start - 100 * 86_400)
        } else {
            profile = UserProfile(
                id: subject, displayName: "user 2", verified: true, verifiedAtEpochSeconds: start - 86_400, gender: .male, birthYear: 1981,
                occupation: .officeWorker, school: "Tsinghua", employer: "Ant Group", city: "Hangzhou", createdAtEpochSeconds: start - 100 * 86_400)
        }
        try fixture.service.users.insert(profile)
        let tokens = [
            "user": try await fixture.token(3), "moderator": try await fixture.token(6, moderator: true),
            "admin": try await fixture.token(7, admin: true), "subject": try await fixture.token(2),
        ]
        try fixture.service.friends.befriend(subject, UserID(3), at: start)
        _ = try fixture.service.createPost(by: subject, in: CircleID("nearby"), body: "the noodle place downstairs")
        _ = try fixture.service.createPost(by: subject, in: CircleID("nearby"), body: "刷单 兼职")
        return (fixture, tokens)
    }

    /// Every GET route of `/openapi.json`, its parameters filled with the world's ids.
    static func paths() throws -> [String] {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        return paths.filter { $0.value["get"] != nil }.keys.sorted().map { template in
            var path = template
            let value: String
            if template.hasPrefix("/v1/circles/") {
                value = "nearby"
            } else if template.hasPrefix("/v1/experiments/") {
                value = "campus-open-posting"
            } else if template.hasPrefix("/v1/users/") {
                value = String(subject.rawValue)
            } else {
                value = "1"  // the first post, the first queue item, a packet or request that may not exist
            }
            while let open = path.firstIndex(of: "{"), let close = path[open...].firstIndex(of: "}") {
                path.replaceSubrange(open...close, with: value)
            }
            return path
        }
    }

    @Test("every GET route answers the user, a moderator and an admin alike whatever user 2's verified attributes, but the audited identity route")
    func noRouteShowsAnotherUsersIdentity() async throws {
        let (first, firstTokens) = try await Self.world(0)
        let (second, secondTokens) = try await Self.world(1)
        let paths = try Self.paths()
        #expect(paths.contains("/v1/users/2") && paths.contains("/v1/moderation/items/1/identity") && paths.count > 20, "\(paths)")
        var compared = 0
        for role in ["user", "moderator", "admin"] {
            for path in paths where path != "/v1/me" && path != "/metrics" {
                let answers = try await [(first, firstTokens), (second, secondTokens)].asyncMap { fixture, tokens in
                    try await fixture.app().test(.router) { client in
                        let response = try await client.call(.get, path, token: tokens[role])
                        return "\(response.status.code) \(response.text)"
                    }
                }
                if path == "/v1/moderation/items/1/identity", role != "user" {
                    // The one route that shows them, to moderators and admins: the worlds differ here.
                    #expect(answers[0] != answers[1] && answers[0].hasPrefix("200"), "\(role) \(path)")
                } else {
                    #expect(answers[0] == answers[1], "\(role) \(path) shows user 2's verified attributes")
                    compared += 1
                }
            }
        }
        #expect(compared > 60)
        // The subject sees their own attributes, and the worlds really differ.
        let own = try await [(first, firstTokens), (second, secondTokens)].asyncMap { fixture, tokens in
            try await fixture.app().test(.router) { client in try await client.call(.get, "/v1/me", token: tokens["subject"]).text }
        }
        #expect(own[0] != own[1] && own[0].contains("ZJU") && own[1].contains("Ant Group"))
    }
}

extension Array {
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
