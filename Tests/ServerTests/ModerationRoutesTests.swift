import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import StorageModel
import Testing

@testable import Server

@Suite("/v1/moderation: the review queue over HTTP")
struct ModerationRoutesTests {
    static let circle = CircleID("campus-diary")

    /// Feed post ids user 1 sees in campus-diary.
    static func feed(_ client: some TestClientProtocol, token: String) async throws -> [Int64] {
        let page = try await client.call(.get, "/v1/circles/campus-diary/feed", token: token).object()
        let items = try field(page, "items", as: [[String: Any]].self)
        return try items.map { try field(field($0, "post", as: [String: Any].self), "id", as: Int64.self) }
    }

    @Test("a user's token is refused every moderator route; moderator and admin tokens are let through")
    func authorization() async throws {
        let fixture = try APIFixture()
        let user = try await fixture.token(5)
        let moderator = try await fixture.token(6, moderator: true)
        let admin = try await fixture.token(7, admin: true)
        try await fixture.app().test(.router) { client in
            let routes: [(HTTPRequest.Method, String, String?)] = [
                (.get, "/v1/moderation/queue", nil), (.post, "/v1/moderation/items/1/approve", "{}"),
                (.post, "/v1/moderation/items/1/remove", "{\"reason\": \"spam\"}"),
            ]
            for (method, path, json) in routes {
                let refused = try await client.call(method, path, token: user, json: json)
                #expect(refused.status == .forbidden, "\(path)")
                #expect(try refused.errorCode() == "moderator_required", "\(path)")
                #expect(try await client.call(method, path, json: json).status == .unauthorized, "\(path)")
                for token in [moderator, admin] {
                    let let_through = try await client.call(method, path, token: token, json: json)
                    // Past the role check: the queue lists, an unknown item is 404.
                    #expect(let_through.status == (method == .get ? .ok : .notFound), "\(path)")
                }
            }
            // A moderator token is not an admin token.
            let experiments = try await client.call(.get, "/v1/experiments", token: moderator)
            let experimentsCode = try experiments.errorCode()
            #expect(experiments.status == .forbidden && experimentsCode == "admin_required")
        }
    }

    @Test("held by keywords, removed, seen by the author, appealed once, approved by another moderator, back in the feed")
    func workflow() async throws {
        let fixture = try APIFixture()
        let viewer = try await fixture.token(1)
        let author = try await fixture.token(2)
        let stranger = try await fixture.token(3)
        let first = try await fixture.token(6, moderator: true)
        let second = try await fixture.token(7, moderator: true)
        let held = try fixture.service.createPost(by: UserID(2), in: Self.circle, body: "周末 加微信 聊聊")
        #expect(held.status == .hidden)
        try await fixture.app().test(.router) { client in
            #expect(try await Self.feed(client, token: viewer).contains(held.id) == false)
            let queue = try await client.call(.get, "/v1/moderation/queue", token: first).object()
            let entries = try field(queue, "items", as: [[String: Any]].self)
            #expect(entries.count == 1)
            let item = try field(entries[0], "item", as: [String: Any].self)
            let itemID = try field(item, "id", as: Int64.self)
            #expect(try field(item, "reason", as: String.self) == "keywords")
            #expect(try field(item, "detail", as: String.self) == "加微信")
            #expect(try field(entries[0], "post_body", as: String.self) == "周末 加微信 聊聊")

            // Bad input is refused with a specific error, and the item still waits.
            let control = try await client.call(.post, "/v1/moderation/items/\(itemID)/remove", token: first, json: "{\"reason\": \"a\\u0000b\"}")
            let controlCode = try control.errorCode()
            #expect(control.status == .unprocessableContent && controlCode == "invalid_text")
            let noReason = try await client.call(.post, "/v1/moderation/items/\(itemID)/remove", token: first, json: "{}")
            #expect(noReason.status == .badRequest)
            let removed = try await client.call(.post, "/v1/moderation/items/\(itemID)/remove", token: first, json: "{\"reason\": \"contact farming\"}")
            #expect(removed.status == .ok)
            #expect(try field(removed.object(), "outcome", as: String.self) == "removed")
            let again = try await client.call(.post, "/v1/moderation/items/\(itemID)/approve", token: second, json: "{}")
            let againCode = try again.errorCode()
            #expect(again.status == .conflict && againCode == "moderation_conflict")

            // The author sees the decision and its reason, not who made it.
            let mine = try await client.call(.get, "/v1/me/moderation", token: author).object()
            let decided = try field(mine, "items", as: [[String: Any]].self)
            #expect(decided.count == 1)
            #expect(try field(decided[0], "decision_text", as: String.self) == "contact farming")
            #expect(decided[0]["decided_by"] == nil)
            #expect(decided[0]["may_be_appealed"] as? Bool == true)

            let foreign = try await client.call(.post, "/v1/posts/\(held.id)/appeal", token: stranger, json: "{}")
            #expect(foreign.status == .forbidden)
            let appealed = try await client.call(.post, "/v1/posts/\(held.id)/appeal", token: author, json: "{\"text\": \"a joke between friends\"}")
            #expect(appealed.status == .created)
            let twice = try await client.call(.post, "/v1/posts/\(held.id)/appeal", token: author, json: "{}")
            #expect(twice.status == .conflict)

            // The appeal goes to another moderator.
            let same = try await client.call(.post, "/v1/moderation/items/\(itemID)/approve", token: first, json: "{}")
            #expect(same.status == .forbidden)
            let approved = try await client.call(.post, "/v1/moderation/items/\(itemID)/approve", token: second, json: "{\"note\": \"context matters\"}")
            #expect(approved.status == .ok)
            #expect(try await Self.feed(client, token: viewer).contains(held.id))
            #expect(try await client.call(.get, "/v1/posts/\(held.id)", token: viewer).status == .ok)
            let empty = try await client.call(.get, "/v1/moderation/queue", token: second).object()
            #expect(try field(empty, "items", as: [[String: Any]].self).isEmpty)
        }
    }

    @Test("the queue pages with a cursor, up to the largest limit; an unknown cursor is 404")
    func paging() async throws {
        let fixture = try APIFixture()
        let moderator = try await fixture.token(6, moderator: true)
        _ = try await fixture.token(2)
        let posts = try (0..<3).map { _ in try fixture.service.createPost(by: UserID(2), in: Self.circle, body: "加微信").id }
        try await fixture.app().test(.router) { client in
            var seen: [Int64] = []
            var cursor: String?
            repeat {
                let page = try await client.call(.get, "/v1/moderation/queue?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""), token: moderator).object()
                let items = try field(page, "items", as: [[String: Any]].self)
                seen += try items.map { try field(field($0, "item", as: [String: Any].self), "post_id", as: Int64.self) }
                cursor = page["next_cursor"] as? String
            } while cursor != nil
            #expect(seen == posts)
            let largest = try await client.call(.get, "/v1/moderation/queue?limit=100", token: moderator)
            #expect(largest.status == .ok)
            #expect(try field(largest.object(), "items", as: [[String: Any]].self).count == 3)
            let unknown = try await client.call(.get, "/v1/moderation/queue?cursor=999", token: moderator)
            #expect(unknown.status == .notFound)
        }
    }

    @Test("/metrics shows the queue's size and its oldest item's age")
    func metrics() async throws {
        let fixture = try APIFixture()
        _ = try await fixture.token(2)
        _ = try fixture.service.createPost(by: UserID(2), in: Self.circle, body: "加微信")
        fixture.clock.advance(bySeconds: 90)
        try await fixture.app().test(.router) { client in
            let text = try await client.call(.get, "/metrics").text
            #expect(text.contains("quanzi_moderation_queue_items 1"))
            #expect(text.contains("quanzi_moderation_queue_oldest_age_seconds 90"))
        }
    }

    @Test("a moderator sees the identity behind an item, each look is recorded for admins; no one else gets it")
    func identity() async throws {
        let fixture = try APIFixture()
        let user = try await fixture.token(5)
        let moderator = try await fixture.token(6, moderator: true)
        let admin = try await fixture.token(7, admin: true)
        _ = try await fixture.token(2)
        _ = try fixture.service.createPost(by: UserID(2), in: Self.circle, body: "加微信")
        let item = try #require(try fixture.service.moderationQueue().entries.first?.item)
        try await fixture.app().test(.router) { client in
            let refused = try await client.call(.get, "/v1/moderation/items/\(item.id)/identity", token: user)
            let refusedCode = try refused.errorCode()
            #expect(refused.status == .forbidden && refusedCode == "moderator_required")
            let before = try await client.call(.get, "/v1/admin/identity-looks", token: admin).object()
            #expect(try field(before, "looks", as: [[String: Any]].self).isEmpty, "a refused look records nothing")

            let seen = try await client.call(.get, "/v1/moderation/items/\(item.id)/identity", token: moderator).object()
            let author = try field(seen, "author", as: [String: Any].self)
            #expect(try field(author, "id", as: Int64.self) == 2)
            #expect(try field(author, "school", as: String.self) == "ZJU" && field(author, "gender", as: String.self) == "female")
            let look = try field(seen, "look", as: [String: Any].self)
            #expect(try field(look, "moderator_id", as: Int64.self) == 6 && field(look, "item_id", as: Int64.self) == item.id)

            let audit = try await client.call(.get, "/v1/admin/identity-looks", token: admin).object()
            let looks = try field(audit, "looks", as: [[String: Any]].self)
            #expect(looks.count == 1)
            #expect(try field(looks[0], "moderator_id", as: Int64.self) == 6 && field(looks[0], "author_id", as: Int64.self) == 2)
            let moderatorAudit = try await client.call(.get, "/v1/admin/identity-looks", token: moderator)
            let auditCode = try moderatorAudit.errorCode()
            #expect(moderatorAudit.status == .forbidden && auditCode == "admin_required")
            #expect(try await client.call(.get, "/v1/moderation/items/999/identity", token: moderator).status == .notFound)
        }
    }

    /// Every documented operation whose path the role check guards, and the role it needs.
    static func guardedOperations() throws -> [(method: HTTPRequest.Method, path: String, needs: String)] {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var found: [(HTTPRequest.Method, String, String)] = []
        for (template, operations) in paths.sorted(by: { $0.key < $1.key }) {
            let needs: String
            if template.hasPrefix("/v1/moderation/") {
                needs = "moderator_required"
            } else if template.hasPrefix("/v1/admin/") || template.hasPrefix("/v1/experiments") || template == "/v1/wallet/top-ups" {
                needs = "admin_required"
            } else {
                continue
            }
            let path = template.replacingOccurrences(of: "{id}", with: "1")
            for method in operations.keys.sorted() {
                found.append((HTTPRequest.Method(rawValue: method.uppercased())!, path, needs))
            }
        }
        return found
    }

    @Test("route by route: a user is refused every moderator and admin route, a moderator every admin route, before anything runs")
    func authorizationPerRoute() async throws {
        let fixture = try APIFixture()
        let user = try await fixture.token(5)
        let moderator = try await fixture.token(6, moderator: true)
        let operations = try Self.guardedOperations()
        #expect(operations.count >= 12, "\(operations.map(\.path))")
        try await fixture.app().test(.router) { client in
            for operation in operations {
                let asUser = try await client.call(operation.method, operation.path, token: user, json: "{}", key: "k")
                let userCode = try asUser.errorCode()
                #expect(asUser.status == .forbidden && userCode == operation.needs, "user \(operation.method) \(operation.path)")
                let asModerator = try await client.call(operation.method, operation.path, token: moderator, json: "{}", key: "k")
                if operation.needs == "admin_required" {
                    let moderatorCode = try asModerator.errorCode()
                    #expect(asModerator.status == .forbidden && moderatorCode == "admin_required", "moderator \(operation.method) \(operation.path)")
                } else {
                    #expect(asModerator.status != .forbidden, "moderator \(operation.method) \(operation.path)")
                }
            }
        }
    }

    @Test("a comment the keywords hold: its author is told, readers see nothing, a moderator approves it into the count and the feed")
    func heldComment() async throws {
        let fixture = try APIFixture()
        let author = try await fixture.token(2)
        let commenter = try await fixture.token(3)
        let moderator = try await fixture.token(6, moderator: true)
        let post = try fixture.service.createPost(by: UserID(2), in: CircleID("nearby"), body: "noodles downstairs")
        try await fixture.app().test(.router) { client in
            let created = try await client.call(.post, "/v1/posts/\(post.id)/comments", token: commenter, json: #"{"body": "刷单 兼职 私聊"}"#)
            #expect(created.status == .created)
            #expect(try created.object()["held_for_review"] as? Bool == true)
            let listed = try await client.call(.get, "/v1/posts/\(post.id)/comments", token: author).object()
            #expect(try field(listed, "comments", as: [[String: Any]].self).isEmpty)
            let queue = try await client.call(.get, "/v1/moderation/queue", token: moderator).object()
            let entry = try #require(try field(queue, "items", as: [[String: Any]].self).first)
            #expect(entry["comment_body"] as? String == "刷单 兼职 私聊")
            let item = try field(entry, "item", as: [String: Any].self)
            let itemID = try field(item, "id", as: Int64.self)
            #expect(try field(item, "author_id", as: Int64.self) == 3 && item["comment_id"] != nil)
            // Removed, then appealed by item from the commenter's own list, and approved by someone else.
            #expect(try await client.call(.post, "/v1/moderation/items/\(itemID)/remove", token: moderator, json: #"{"reason": "spam"}"#).status == .ok)
            let mine = try await client.call(.get, "/v1/me/moderation", token: commenter).object()
            #expect(try field(mine, "items", as: [[String: Any]].self).first?["may_be_appealed"] as? Bool == true)
            let byOther = try await client.call(.post, "/v1/me/moderation/\(itemID)/appeal", token: author, json: "{}")
            #expect(byOther.status == .forbidden)
            #expect(try await client.call(.post, "/v1/me/moderation/\(itemID)/appeal", token: commenter, json: "{}").status == .created)
            let second = try await fixture.token(7, moderator: true)
            #expect(try await client.call(.post, "/v1/moderation/items/\(itemID)/approve", token: second, json: "{}").status == .ok)
            let after = try await client.call(.get, "/v1/posts/\(post.id)/comments", token: author).object()
            #expect(try field(after, "comments", as: [[String: Any]].self).count == 1)
            #expect(fixture.service.feeds.candidate(postID: post.id, in: CircleID("nearby"))?.commentCount == 1)
        }
    }

    @Test("hostile input to the new routes: malformed JSON, wrong types, oversized text, bad ids; each a specific error, nothing decided")
    func hostileInput() async throws {
        let fixture = try APIFixture()
        let moderator = try await fixture.token(6, moderator: true)
        let user = try await fixture.token(3)
        _ = try await fixture.token(2)
        _ = try fixture.service.createPost(by: UserID(2), in: Self.circle, body: "加微信")
        let item = try #require(try fixture.service.moderationQueue().entries.first?.item)
        let long = String(repeating: "x", count: 501)
        try await fixture.app().test(.router) { client in
            let cases: [(HTTPRequest.Method, String, String?, String, HTTPResponse.Status)] = [
                (.post, "/v1/moderation/items/\(item.id)/remove", "{\"reason\": ", moderator, .badRequest),
                (.post, "/v1/moderation/items/\(item.id)/remove", #"{"reason": 7}"#, moderator, .badRequest),
                (.post, "/v1/moderation/items/\(item.id)/remove", "{\"reason\": \"\(long)\"}", moderator, .unprocessableContent),
                (.post, "/v1/moderation/items/\(item.id)/approve", "{\"note\": \"\(long)\"}", moderator, .unprocessableContent),
                (.post, "/v1/moderation/items/abc/approve", "{}", moderator, .badRequest),
                (.post, "/v1/moderation/items/99999999999999999999/approve", "{}", moderator, .badRequest),
                (.get, "/v1/moderation/queue?limit=0", nil, moderator, .badRequest),
                (.get, "/v1/moderation/queue?cursor=-1", nil, moderator, .badRequest),
                (.put, "/v1/users/abc/block", nil, user, .badRequest),
                (.put, "/v1/users/0/mute", nil, user, .badRequest),
                (.post, "/v1/posts/abc/show-less", nil, user, .badRequest),
                (.post, "/v1/me/moderation/\(item.id)/appeal", "[]", user, .badRequest),
            ]
            for (method, path, json, token, status) in cases {
                let response = try await client.call(method, path, token: token, json: json)
                #expect(response.status == status, "\(method) \(path) \(json ?? "")")
                #expect(try response.errorCode() != nil, "\(method) \(path) answers in the error shape")
            }
        }
        #expect(try fixture.service.moderationItem(item.id).outcome == .pending, "nothing was decided")
        #expect(try fixture.service.blockList(of: UserID(3)) == BlockList(blocked: [], muted: []))
    }
}
