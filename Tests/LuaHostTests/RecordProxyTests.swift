import Core
import Social
import Testing

@testable import LuaHost

/// Knows one other user, for `quanzi.user`.
struct OneFriendSource: ScriptDataSource {
    static let friend = UserProfile(id: UserID(77), verified: true, gender: .female, city: "杭州")
    func user(_ id: UserID) -> UserProfile? { id == Self.friend.id ? Self.friend : nil }
}

/// Cached users and posts reach rules as record proxies once reused (`qz_make_record`), whose
/// reads are lookups inside the VM; these tests hold them to everything a traced proxy promises.
@Suite("record proxies")
struct RecordProxyTests {
    static let code = """
        return quanzi.circle {
          id = "probe", title = "Probe",
          rules = {
            view = function(user, circle, post)
              local ok = user.__index == nil and post.__index == nil and user.__metatable == nil
                and getmetatable(user) == "read-only" and getmetatable(post) == "read-only"
                and tostring(user):sub(1, 15) == "read-only table" and type(user) == "userdata"
                and not pcall(setmetatable, user, {}) and not pcall(rawget, user, "id")
                and not pcall(rawset, post, "text", "changed") and not pcall(next, user)
                and #user == 0 and post.text == "hello" and user.id == 5
              return ok, "a record proxy gave something away"
            end,
            comment = function(user, circle, post)
              local ok, message = pcall(function() post.text = "changed" end)
              return not ok and post.text == "hello", message
            end,
            post = function(user)
              local friend = quanzi.user(77)
              return user.verified and friend.city == "杭州", "unverified"
            end,
          },
        }
        """

    static let user = UserProfile(id: UserID(5), verified: true, gender: .male, city: "上海")
    static let post = RuleContext(post: PostContext(id: 12, authorID: UserID(5), kind: .text, text: "hello"))

    @Test("a cached user or post is as read-only and as opaque as any proxy, call after call")
    func readOnly() throws {
        let engine = RuleEngine(plugins: try PluginSet.load([source(Self.code)]), dataSource: OneFriendSource())
        for _ in 0..<3 {
            let viewed = try engine.evaluate(circle: CircleID("probe"), action: .view, user: Self.user, context: Self.post)
            #expect(viewed.allowed, "\(viewed)")
            let commented = try engine.evaluate(circle: CircleID("probe"), action: .comment, user: Self.user, context: Self.post)
            #expect(commented.allowed, "\(commented)")
        }
        let page = try engine.withSession { session in
            session.evaluate(circle: CircleID("probe"), action: .view, user: Self.user, contexts: Array(repeating: Self.post, count: 5), dataSource: nil)
        }
        #expect(page.failure == nil && page.decisions.count == 5 && page.decisions.allSatisfy { $0.allowed })
    }

    @Test("explain still sees every read of a user, a post and quanzi.user's answer that the state had cached")
    func explainTracesCachedProxies() throws {
        let engine = RuleEngine(plugins: try PluginSet.load([source(Self.code)]), dataSource: OneFriendSource())
        // Cache the user, the post and the friend, and reuse them (one pooled state, used serially).
        #expect(try engine.evaluate(circle: CircleID("probe"), action: .post, user: Self.user).allowed)
        #expect(try engine.evaluate(circle: CircleID("probe"), action: .post, user: Self.user).allowed)
        #expect(try engine.evaluate(circle: CircleID("probe"), action: .comment, user: Self.user, context: Self.post).allowed)
        #expect(try engine.evaluate(circle: CircleID("probe"), action: .comment, user: Self.user, context: Self.post).allowed)
        let (decision, trace) = try engine.explain(circle: CircleID("probe"), action: .post, user: Self.user)
        #expect(decision.allowed)
        #expect(trace.contains(.field(object: "#5", key: "verified", value: .boolean(true))), "\(trace)")
        #expect(trace.contains(.field(object: "#77", key: "city", value: .string("杭州"))), "\(trace)")
        let (_, postTrace) = try engine.explain(circle: CircleID("probe"), action: .comment, user: Self.user, context: Self.post)
        #expect(postTrace.contains(.field(object: "#12", key: "text", value: .string("hello"))), "\(postTrace)")
        // The cache still serves after explaining.
        #expect(try engine.evaluate(circle: CircleID("probe"), action: .post, user: Self.user).allowed)
    }
}
