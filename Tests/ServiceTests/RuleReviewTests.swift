import Core
import LuaHost
import Social
import SQLiteStorage
import Testing

@testable import Service

/// The third held path: a circle's post rule may accept a post for a moderator's review.
@Suite("a post rule that asks for review")
struct RuleReviewTests {
    static let plugin = """
        return quanzi.circle {
          id = "careful",
          title = "Careful",
          rules = {
            view = function(user, circle, post) return true end,
            post = function(user, circle, post)
              if user.account_age_days < 30 then return "review", "new accounts' posts wait for a moderator" end
              return true
            end,
            comment = function(user, circle, post) return "review" end,
          },
          moderation = { keywords = { "加微信" } },
        }
        """

    static func fixture() throws -> ServiceFixture {
        try ServiceFixture(plugins: try PluginSet.load([PluginSource(path: "plugins/careful.lua", code: plugin)]), experiments: .empty)
    }

    @Test("a new account's post is held with the rule's reason and queued as 'rule'; an older account's is shown")
    func heldByRule() throws {
        let fixture = try Self.fixture()
        let service = fixture.service
        let old = try fixture.user(2)  // created 100 days before the fixture's start
        try service.users.insert(UserProfile(id: UserID(3), displayName: "new", verified: true, verifiedAtEpochSeconds: ServiceFixture.start,
                                             createdAtEpochSeconds: ServiceFixture.start - 86_400))
        let decision = try service.decide(UserID(3), .post, in: CircleID("careful"))
        #expect(decision.allowed && decision.heldForReview && decision.reason == "new accounts' posts wait for a moderator")
        #expect(decision.description.hasPrefix("allowed, held for review: new accounts' posts wait for a moderator"))
        let held = try service.createPost(by: UserID(3), in: CircleID("careful"), body: "hello")
        #expect(held.status == .hidden && held.hiddenReason == "held for review: new accounts' posts wait for a moderator")
        let shown = try service.createPost(by: old.id, in: CircleID("careful"), body: "hello")
        #expect(shown.status == .visible)
        // Keywords come first: they name what matched.
        let keyword = try service.createPost(by: UserID(3), in: CircleID("careful"), body: "加微信")
        let queue = try service.moderationQueue().entries.map(\.item)
        #expect(queue.map(\.postID) == [held.id, keyword.id])
        #expect(queue.map(\.reason) == [.rule, .keywords])
        #expect(queue[0].detail == "new accounts' posts wait for a moderator")
        #expect(try service.feed(for: old.id, in: CircleID("careful"), recordViews: false).items.map(\.post.id) == [shown.id])
        // Approved, it is shown.
        try service.decideModeration(queue[0].id, .approve(note: nil), by: old.id)
        #expect(Set(try service.feed(for: old.id, in: CircleID("careful"), recordViews: false).items.map(\.post.id)) == [shown.id, held.id])
    }

    @Test("review is an answer of post rules only: from another rule it is a script error")
    func onlyPostRules() throws {
        let fixture = try Self.fixture()
        let author = try fixture.user(2)
        let post = try fixture.service.createPost(by: author.id, in: CircleID("careful"), body: "hello")
        _ = try fixture.user(4)
        #expect(throws: QuanziError.self) { try fixture.service.comment(on: post.id, by: UserID(4), body: "hi") }
        do {
            _ = try fixture.service.comment(on: post.id, by: UserID(4), body: "hi")
        } catch {
            #expect(error.code == .scriptError)
            #expect(error.message.contains("rule 'comment' must return true or false (and optionally a reason), got string"))
        }
    }
}
