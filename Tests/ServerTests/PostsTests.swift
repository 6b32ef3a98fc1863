import Core
import HummingbirdTesting
import Testing

@testable import Server

@Suite("/v1/posts: read, delete own, comments, likes, reports")
struct PostsTests {
    /// A post by user 2 in `circle`; returns its id.
    func post(_ fixture: APIFixture, in circle: String, body: String = "hello") throws -> Int64 {
        try fixture.service.createPost(by: UserID(2), in: CircleID(circle), body: body).id
    }

    @Test("a friends-only post is 403 with the rule's reason for a stranger and visible to a friend")
    func visibility() async throws {
        let fixture = try APIFixture()
        _ = try await fixture.token(2)
        let stranger = try await fixture.token(3)
        let friend = try await fixture.token(4)
        try fixture.service.friends.befriend(UserID(2), UserID(4), at: APIFixture.start)
        let id = try post(fixture, in: "friends")
        try await fixture.app().test(.router) { client in
            let denied = try await client.call(.get, "/v1/posts/\(id)", token: stranger)
            #expect(denied.status == .forbidden)
            #expect(try (denied.object()["error"] as? [String: Any])?["message"] as? String == "only the author's friends see this post")
            let seen = try await client.call(.get, "/v1/posts/\(id)", token: friend)
            #expect(seen.status == .ok)
            #expect(try field(seen.object(), "body", as: String.self) == "hello")
            #expect(try await client.call(.get, "/v1/posts/999", token: friend).status == .notFound)
        }
    }

    @Test("only the author deletes a post; afterwards it is 404")
    func deleteOwn() async throws {
        let fixture = try APIFixture()
        let author = try await fixture.token(2)
        let other = try await fixture.token(3)
        let id = try post(fixture, in: "campus-diary")
        try await fixture.app().test(.router) { client in
            let refused = try await client.call(.delete, "/v1/posts/\(id)", token: other)
            #expect(refused.status == .forbidden)
            #expect(try refused.errorCode() == "forbidden")
            #expect(try await client.call(.delete, "/v1/posts/\(id)", token: author).status == .noContent)
            #expect(try await client.call(.get, "/v1/posts/\(id)", token: author).status == .notFound)
            #expect(try await client.call(.delete, "/v1/posts/\(id)", token: author).status == .notFound)
        }
    }

    @Test("comments are created and paged with a cursor; a bad limit is 400")
    func comments() async throws {
        let fixture = try APIFixture()
        let token = try await fixture.token(3)
        _ = try await fixture.token(2)
        let id = try post(fixture, in: "nearby")
        try await fixture.app().test(.router) { client in
            for text in ["first", "second", "third"] {
                let created = try await client.call(.post, "/v1/posts/\(id)/comments", token: token, json: "{\"body\": \"\(text)\"}")
                #expect(created.status == .created)
            }
            let first = try await client.call(.get, "/v1/posts/\(id)/comments?limit=2", token: token).object()
            #expect(try field(first, "comments", as: [[String: Any]].self).map { $0["body"] as? String } == ["first", "second"])
            let cursor = try field(first, "next_cursor", as: String.self)
            let second = try await client.call(.get, "/v1/posts/\(id)/comments?limit=2&cursor=\(cursor)", token: token).object()
            #expect(try field(second, "comments", as: [[String: Any]].self).map { $0["body"] as? String } == ["third"])
            #expect(second["next_cursor"] == nil)
            #expect(try await client.call(.get, "/v1/posts/\(id)/comments?limit=0", token: token).status == .badRequest)
            #expect(try await client.call(.get, "/v1/posts/\(id)/comments?cursor=x", token: token).status == .badRequest)
        }
    }

    @Test("a comment the circle's rule denies is 403 with its reason; too long is 422")
    func commentRules() async throws {
        let fixture = try APIFixture()
        try fixture.user(3, city: "Beijing")
        let elsewhere = try await fixture.token(3)
        let neighbour = try await fixture.token(4)
        _ = try await fixture.token(2)
        let id = try post(fixture, in: "nearby")
        try await fixture.app().test(.router) { client in
            let denied = try await client.call(.post, "/v1/posts/\(id)/comments", token: elsewhere, json: #"{"body": "hi"}"#)
            #expect(denied.status == .forbidden)
            #expect(try denied.errorCode() == "rule_denied")
            let long = "{\"body\": \"\(String(repeating: "x", count: 2_001))\"}"
            let tooLong = try await client.call(.post, "/v1/posts/\(id)/comments", token: neighbour, json: long)
            #expect(tooLong.status == .unprocessableContent)
            #expect(try tooLong.errorCode() == "content_too_long")
        }
    }

    @Test("a like is 204 once and 409 twice")
    func likes() async throws {
        let fixture = try APIFixture()
        let token = try await fixture.token(3)
        _ = try await fixture.token(2)
        let id = try post(fixture, in: "campus-diary")
        try await fixture.app().test(.router) { client in
            #expect(try await client.call(.post, "/v1/posts/\(id)/likes", token: token).status == .noContent)
            let again = try await client.call(.post, "/v1/posts/\(id)/likes", token: token)
            #expect(again.status == .conflict)
            #expect(try again.errorCode() == "already_liked")
            #expect(try field(try await client.call(.get, "/v1/posts/\(id)", token: token).object(), "like_count", as: Int.self) == 1)
        }
    }

    @Test("reports count once per person and hide the post at the circle's threshold")
    func reports() async throws {
        let fixture = try APIFixture()
        _ = try await fixture.token(2)
        let tokens = [try await fixture.token(3), try await fixture.token(4), try await fixture.token(5)]
        let id = try post(fixture, in: "campus-diary")  // threshold 3
        try await fixture.app().test(.router) { client in
            let first = try await client.call(.post, "/v1/posts/\(id)/reports", token: tokens[0], json: #"{"reason": "spam"}"#)
            #expect(first.status == .created)
            #expect(try field(first.object(), "hidden", as: Bool.self) == false)
            let twice = try await client.call(.post, "/v1/posts/\(id)/reports", token: tokens[0], json: #"{"reason": "spam"}"#)
            #expect(twice.status == .conflict)
            _ = try await client.call(.post, "/v1/posts/\(id)/reports", token: tokens[1], json: #"{"reason": "spam"}"#)
            let third = try await client.call(.post, "/v1/posts/\(id)/reports", token: tokens[2], json: #"{"reason": "spam"}"#)
            #expect(try field(third.object(), "hidden", as: Bool.self) == true)
            let hidden = try await client.call(.get, "/v1/posts/\(id)", token: tokens[0])
            #expect(hidden.status == .notFound)
            #expect(try hidden.errorCode() == "post_not_visible")
        }
    }
}
