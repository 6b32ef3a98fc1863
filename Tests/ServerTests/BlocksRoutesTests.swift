import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import LuaHost
import Testing

@testable import Server

@Suite("blocks, mutes and show less over HTTP")
struct BlocksRoutesTests {
    static let circle = CircleID("campus-diary")

    static func feed(_ client: some TestClientProtocol, token: String) async throws -> [Int64] {
        let page = try await client.call(.get, "/v1/circles/campus-diary/feed", token: token).object()
        return try field(page, "items", as: [[String: Any]].self).map { try field(field($0, "post", as: [String: Any].self), "id", as: Int64.self) }
    }

    static func eventCount(_ fixture: APIFixture, kind: String? = nil) throws -> Int {
        try fixture.service.database!.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM events WHERE ?1 IS NULL OR kind = ?1", arguments: [kind]) ?? 0
        }
    }

    @Test("a block refuses both users every action on the other's posts with `blocked`, writes nothing, and hides each from the other's feed")
    func blockRefusesBothWays() async throws {
        let fixture = try APIFixture()
        let alice = try await fixture.token(2)
        let bob = try await fixture.token(3)
        try fixture.service.friends.befriend(UserID(2), UserID(3), at: APIFixture.start)
        try await fixture.fund(2, fen: 10_000)
        try await fixture.fund(3, fen: 10_000)
        let alicePost = try fixture.service.createPost(by: UserID(2), in: Self.circle, body: "alice's post").id
        let bobPost = try fixture.service.createPost(by: UserID(3), in: Self.circle, body: "bob's post").id
        try await fixture.app().test(.router) { client in
            #expect(Set(try await Self.feed(client, token: alice)) == [bobPost, alicePost])
            let blocked = try await client.call(.put, "/v1/users/3/block", token: alice)
            #expect(blocked.status == .ok)
            #expect(try field(blocked.object(), "blocked", as: [Int64].self) == [3])
            // The friendship ended with the block.
            #expect(try fixture.service.friends.areFriends(UserID(2), UserID(3)) == false)
            let events = try Self.eventCount(fixture)
            for (token, post) in [(bob, alicePost), (alice, bobPost)] {
                let attempts: [(HTTPRequest.Method, String, String?, String?)] = [
                    (.get, "/v1/posts/\(post)", nil, nil),
                    (.post, "/v1/posts/\(post)/likes", nil, nil),
                    (.post, "/v1/posts/\(post)/comments", #"{"body": "hi"}"#, nil),
                    (.post, "/v1/posts/\(post)/reports", #"{"reason": "spam"}"#, nil),
                    (.post, "/v1/posts/\(post)/tips", #"{"amount_fen": 100}"#, "tip-\(post)"),
                    (.get, "/v1/posts/\(post)/comments", nil, nil),
                ]
                for (method, path, json, key) in attempts {
                    let refused = try await client.call(method, path, token: token, json: json, key: key)
                    #expect(refused.status == .forbidden, "\(method) \(path)")
                    #expect(try refused.errorCode() == "blocked", "\(method) \(path)")
                }
            }
            for (token, other) in [(bob, 2), (alice, 3)] {
                let request = try await client.call(.post, "/v1/friends/requests", token: token, json: "{\"to_user_id\": \(other)}")
                let code = try request.errorCode()
                #expect(request.status == .forbidden && code == "blocked")
            }
            #expect(try Self.eventCount(fixture) == events, "a refused action writes nothing")
            #expect(try await Self.feed(client, token: alice) == [alicePost])
            #expect(try await Self.feed(client, token: bob) == [bobPost])

            // Blocking again changes nothing; unblocking restores what the rules allow.
            #expect(try await client.call(.put, "/v1/users/3/block", token: alice).status == .ok)
            #expect(try Self.eventCount(fixture) == events)
            let lifted = try await client.call(.delete, "/v1/users/3/block", token: alice)
            #expect(try field(lifted.object(), "blocked", as: [Int64].self).isEmpty)
            #expect(try await client.call(.post, "/v1/posts/\(alicePost)/likes", token: bob).status == .noContent)
            #expect(Set(try await Self.feed(client, token: bob)) == [bobPost, alicePost])
        }
    }

    @Test("a mute hides the muted user's posts from the muter's feed only, and refuses nothing")
    func muteHidesQuietly() async throws {
        let fixture = try APIFixture()
        let alice = try await fixture.token(2)
        let bob = try await fixture.token(3)
        let carol = try await fixture.token(4)
        let bobPost = try fixture.service.createPost(by: UserID(3), in: Self.circle, body: "bob's post").id
        try await fixture.app().test(.router) { client in
            let muted = try await client.call(.put, "/v1/users/3/mute", token: alice)
            #expect(try field(muted.object(), "muted", as: [Int64].self) == [3])
            #expect(try await Self.feed(client, token: alice).contains(bobPost) == false)
            #expect(try await Self.feed(client, token: carol).contains(bobPost))
            // Nothing is refused: alice may still open and like the post; bob sees nothing.
            #expect(try await client.call(.post, "/v1/posts/\(bobPost)/likes", token: alice).status == .noContent)
            let bobsLists = try await client.call(.get, "/v1/me/blocks", token: bob).object()
            #expect(try field(bobsLists, "muted", as: [Int64].self).isEmpty)
            #expect(try await client.call(.delete, "/v1/users/3/mute", token: alice).status == .ok)
            #expect(try await Self.feed(client, token: alice).contains(bobPost))
        }
    }

    @Test("blocking or muting oneself is 422 same_user; an unknown user is 404")
    func refusals() async throws {
        let fixture = try APIFixture()
        let alice = try await fixture.token(2)
        try await fixture.app().test(.router) { client in
            for path in ["/v1/users/2/block", "/v1/users/2/mute"] {
                let own = try await client.call(.put, path, token: alice)
                let code = try own.errorCode()
                #expect(own.status == .unprocessableContent && code == "same_user")
            }
            #expect(try await client.call(.put, "/v1/users/999/block", token: alice).status == .notFound)
        }
    }

    @Test("the rule check names the block before any rule runs, and Lua reads quanzi.social.blocked")
    func decideAndLua() async throws {
        let fixture = try APIFixture()
        _ = try await fixture.token(2)
        _ = try await fixture.token(3)
        let post = try fixture.service.createPost(by: UserID(3), in: Self.circle, body: "bob's post")
        try fixture.service.block(UserID(2), by: UserID(3))
        let decision = try fixture.service.decide(UserID(2), .comment, in: Self.circle, post: post)
        #expect(!decision.allowed && decision.reason == "user 3 does not accept this from user 2" && decision.location == nil)
        let own = try fixture.service.decide(UserID(3), .view, in: Self.circle, post: post)
        #expect(own.allowed)
        let console = try ScriptConsole(dataSource: fixture.service.scriptDataSource)
        #expect(try console.run("return quanzi.social.blocked(2, 3), quanzi.social.blocked(3, 2), quanzi.social.blocked(2, 4)").values == [
            .boolean(true), .boolean(true), .boolean(false),
        ])
    }

    @Test("show less lowers the author for that viewer only, explain shows the penalty, and a second mark changes nothing")
    func showLess() async throws {
        let fixture = try APIFixture()
        let viewer = try await fixture.token(2)
        let other = try await fixture.token(5)
        let bobToken = try await fixture.token(3)
        _ = try await fixture.token(4)
        // Bob's post is newer, so it ranks first for everyone until the viewer asks for less of bob.
        let carolPost = try fixture.service.createPost(by: UserID(4), in: Self.circle, body: "carol's post").id
        fixture.clock.advance(bySeconds: 60)
        let bobPost = try fixture.service.createPost(by: UserID(3), in: Self.circle, body: "bob's post").id
        try await fixture.app().test(.router) { client in
            #expect(try await Self.feed(client, token: viewer) == [bobPost, carolPost])
            #expect(try await client.call(.post, "/v1/posts/\(bobPost)/show-less", token: viewer).status == .noContent)
            #expect(try await Self.feed(client, token: viewer) == [carolPost, bobPost])
            #expect(try await Self.feed(client, token: other) == [bobPost, carolPost], "only the viewer's feed changes")
            let events = try Self.eventCount(fixture)
            #expect(try await client.call(.post, "/v1/posts/\(bobPost)/show-less", token: viewer).status == .noContent)
            #expect(try Self.eventCount(fixture) == events, "a second mark on the same post writes nothing")

            let page = try await client.call(.get, "/v1/circles/campus-diary/feed?explain=1", token: viewer).object()
            let items = try field(page, "items", as: [[String: Any]].self)
            let bob = try #require(items.first { (try? field(field($0, "post", as: [String: Any].self), "id", as: Int64.self)) == bobPost })
            let contributions = try field(field(bob, "explanation", as: [String: Any].self), "contributions", as: [[String: Any]].self)
            let penalty = try #require(contributions.first { $0["feature"] as? String == "show_less" }?["value"] as? Double)
            #expect(penalty < 0)
            let weights = try field(page, "parameters", as: [String: Any].self)
            #expect(try field(weights, "show_less_penalty", as: Double.self) == 1)

            let own = try await client.call(.post, "/v1/posts/\(bobPost)/show-less", token: bobToken)
            let code = try own.errorCode()
            #expect(own.status == .unprocessableContent && code == "same_user")
        }
        #expect(try Self.eventCount(fixture, kind: "post.show_less") == 1)
    }
}
