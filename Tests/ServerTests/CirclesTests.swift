import Core
import HummingbirdTesting
import Social
import Testing

@testable import Server

@Suite("/v1/circles: the list, one circle with the caller's permissions, posting")
struct CirclesTests {
    @Test("every plugin's circle is listed")
    func list() async throws {
        let fixture = try APIFixture()
        let token = try await fixture.token(2)
        try await fixture.app().test(.router) { client in
            let circles = try field(try await client.call(.get, "/v1/circles", token: token).object(), "circles", as: [[String: Any]].self)
            #expect(Set(circles.compactMap { $0["id"] as? String }) == ["campus-diary", "friends", "nearby", "white-collar-diary"])
        }
    }

    @Test("a circle shows what I may do there and, when not, the rule's reason and location")
    func permissions() async throws {
        let fixture = try APIFixture()
        try fixture.user(2, gender: .male)
        let token = try await fixture.token(2)
        _ = try fixture.service.credit.recomputeAll(at: fixture.clock.nowEpochSeconds)
        try await fixture.app().test(.router) { client in
            let circle = try await client.call(.get, "/v1/circles/campus-diary", token: token).object()
            let permissions = try field(circle, "my_permissions", as: [[String: Any]].self)
            #expect(permissions.compactMap { $0["action"] as? String } == CircleAction.allCases.map(\.rawValue))
            let post = try #require(permissions.first { $0["action"] as? String == "post" })
            #expect(post["allowed"] as? Bool == false)
            #expect(post["reason"] as? String == "only verified female students may post here")
            #expect((post["rule"] as? String)?.contains("campus-diary.lua:") == true)
            let view = try #require(permissions.first { $0["action"] as? String == "view" })
            #expect(view["allowed"] as? Bool == true)
            #expect(view["reason"] == nil)
        }
    }

    @Test("an unknown circle is 404")
    func unknown() async throws {
        let fixture = try APIFixture()
        let token = try await fixture.token(2)
        try await fixture.app().test(.router) { client in
            let response = try await client.call(.get, "/v1/circles/no-such-circle", token: token)
            #expect(response.status == .notFound)
            #expect(try response.errorCode() == "circle_not_found")
            let post = try await client.call(.post, "/v1/circles/no-such-circle/posts", token: token, json: #"{"body": "hi"}"#)
            #expect(post.status == .notFound)
        }
    }

    @Test("posting: allowed 201, denied 403 with the rule's reason, empty 422, unknown kind 400")
    func posting() async throws {
        let fixture = try APIFixture()
        let student = try await fixture.token(2)
        try fixture.user(3, gender: .male)
        let male = try await fixture.token(3)
        try await fixture.app().test(.router) { client in
            let created = try await client.call(.post, "/v1/circles/campus-diary/posts", token: student, json: #"{"body": "今天考完试了"}"#)
            #expect(created.status == .created)
            let post = try created.object()
            #expect(try field(post, "circle_id", as: String.self) == "campus-diary")
            #expect(try field(post, "author_id", as: Int.self) == 2)
            #expect(try field(post, "kind", as: String.self) == "text")

            let denied = try await client.call(.post, "/v1/circles/campus-diary/posts", token: male, json: #"{"body": "hello"}"#)
            #expect(denied.status == .forbidden)
            #expect(try denied.errorCode() == "rule_denied")
            #expect(
                try (denied.object()["error"] as? [String: Any])?["message"] as? String == "only verified female students may post here")

            let empty = try await client.call(.post, "/v1/circles/campus-diary/posts", token: student, json: #"{"body": "  "}"#)
            #expect(empty.status == .unprocessableContent)
            #expect(try empty.errorCode() == "empty_content")
            let badKind = try await client.call(
                .post, "/v1/circles/campus-diary/posts", token: student, json: #"{"kind": "hologram", "body": "x"}"#)
            #expect(badKind.status == .badRequest)
        }
    }
}
