import Core
import LuaHost
import Social
import SQLiteStorage
import Testing

@testable import Service

/// Circles that declare an audience: the feed narrows candidates in Swift before the Lua `view`
/// rule, and what a viewer sees must be exactly what the rule alone would allow.
@Suite("feeds of circles with an audience")
struct FeedAudienceTests {
    @Test("nearby shows only posts from the viewer's city; a viewer without a city sees none")
    func sameCity() throws {
        let fixture = try ServiceFixture()
        let cities: [Int64: String?] = [1: "Hangzhou", 2: "Hangzhou", 3: "Beijing", 4: "Beijing", 5: "Hangzhou", 6: nil]
        for (id, city) in cities.sorted(by: { $0.key < $1.key }) { try fixture.user(id, city: city) }
        for (index, author) in [1, 2, 3, 4, 1, 3, 2, 4].enumerated() as EnumeratedSequence<[Int64]> {
            fixture.clock.set(epochSeconds: ServiceFixture.start + Int64(index) * 60)
            _ = try fixture.service.createPost(by: UserID(author), in: CircleID("nearby"), body: "post \(index)")
        }
        let hangzhou = try fixture.service.feed(for: UserID(5), in: CircleID("nearby"), limit: 20, recordViews: false)
        #expect(Set(hangzhou.items.map(\.post.authorID)) == [UserID(1), UserID(2)])
        #expect(hangzhou.items.count == 4)
        let beijing = try fixture.service.feed(for: UserID(3), in: CircleID("nearby"), limit: 20, recordViews: false)
        #expect(Set(beijing.items.map(\.post.authorID)) == [UserID(3), UserID(4)])
        let nowhere = try fixture.service.feed(for: UserID(6), in: CircleID("nearby"), limit: 20, recordViews: false)
        #expect(nowhere.items.isEmpty)
        // The same decisions as the circle's view rule, post by post.
        for item in hangzhou.items + beijing.items {
            let viewer = item.post.authorID.rawValue <= 2 ? try fixture.service.users.require(UserID(5)) : try fixture.service.users.require(UserID(3))
            let decision = try fixture.service.rules.evaluate(
                circle: CircleID("nearby"), action: .view, user: viewer, context: RuleContext(post: PostContext(id: item.post.id, authorID: item.post.authorID)))
            #expect(decision.allowed)
        }
    }

    @Test("nearby: authors who first post after the city's feed was read still reach it, and only it")
    func sameCityLearnsNewAuthors() throws {
        let fixture = try ServiceFixture()
        try fixture.user(1, city: "Hangzhou")
        try fixture.user(2, city: "Hangzhou")
        try fixture.user(3, city: "Beijing")
        _ = try fixture.service.createPost(by: UserID(1), in: CircleID("nearby"), body: "first")
        #expect(try fixture.service.feed(for: UserID(2), in: CircleID("nearby"), limit: 20, recordViews: false).items.count == 1)
        fixture.clock.set(epochSeconds: ServiceFixture.start + 60)
        let newcomer = try fixture.service.createPost(by: UserID(2), in: CircleID("nearby"), body: "second")
        let elsewhere = try fixture.service.createPost(by: UserID(3), in: CircleID("nearby"), body: "third")
        let hangzhou = try fixture.service.feed(for: UserID(1), in: CircleID("nearby"), limit: 20, recordViews: false)
        #expect(Set(hangzhou.items.map(\.post.id)).contains(newcomer.id))
        #expect(!hangzhou.items.map(\.post.id).contains(elsewhere.id))
        let beijing = try fixture.service.feed(for: UserID(3), in: CircleID("nearby"), limit: 20, recordViews: false)
        #expect(beijing.items.map(\.post.id) == [elsewhere.id])
    }

    @Test("friends shows the viewer's own and their friends' posts only")
    func friendsOnly() throws {
        let fixture = try ServiceFixture()
        for id: Int64 in 1...4 { try fixture.user(id) }
        try fixture.service.database!.bulkWrite { writer in try writer.befriend(UserID(1), UserID(2), at: ServiceFixture.start) }
        for (index, author) in [1, 2, 3, 4, 2, 3].enumerated() as EnumeratedSequence<[Int64]> {
            fixture.clock.set(epochSeconds: ServiceFixture.start + Int64(index) * 60)
            _ = try fixture.service.createPost(by: UserID(author), in: CircleID("friends"), body: "post \(index)")
        }
        let page = try fixture.service.feed(for: UserID(1), in: CircleID("friends"), limit: 20, recordViews: false)
        #expect(Set(page.items.map(\.post.authorID)) == [UserID(1), UserID(2)])
        #expect(page.items.count == 3)
        let stranger = try fixture.service.feed(for: UserID(4), in: CircleID("friends"), limit: 20, recordViews: false)
        #expect(stranger.items.map(\.post.authorID) == [UserID(4)])
    }

    /// The feed asks the view rule about each post with its kind and text, as the single-post
    /// routes do: a rule that hides videos or spoilers hides them from feeds too.
    @Test("the view rule sees each post's kind and text in feeds")
    func viewRuleSeesContent() throws {
        let code = """
            return quanzi.circle {
              id = "clips", title = "Clips",
              rules = {
                view = function(user, circle, post)
                  return post == nil or (post.kind ~= "video" and not string.find(post.text or "", "spoiler", 1, true)), "no videos or spoilers"
                end,
                post = function(user) return true end,
              },
            }
            """
        let plugins = try PluginSet.load([PluginSource(path: "plugins/clips.lua", code: code)])
        let fixture = try ServiceFixture(plugins: plugins)
        try fixture.user(1)
        try fixture.user(2)
        var shown: [Int64] = []
        for (index, (kind, body)) in [(PostKind.text, "hello"), (.video, "a clip"), (.text, "big spoiler ahead"), (.text, "bye")].enumerated() {
            fixture.clock.set(epochSeconds: ServiceFixture.start + Int64(index) * 60)
            let post = try fixture.service.createPost(by: UserID(1), in: CircleID("clips"), kind: kind, body: body)
            if kind != .video && !body.contains("spoiler") { shown.append(post.id) }
        }
        let feed = try fixture.service.feed(for: UserID(2), in: CircleID("clips"), limit: 20, recordViews: false)
        #expect(Set(feed.items.map(\.post.id)) == Set(shown))
        #expect(feed.items.count == 2)
    }
}
