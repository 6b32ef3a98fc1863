import Core
import Feed
import Social
import SQLiteStorage
import Testing

@testable import Service

@Suite("feeds in the service")
struct FeedServiceTests {
    /// Posts by several authors in campus-diary, at different ages, with some likes.
    func world() throws -> ServiceFixture {
        let fixture = try ServiceFixture()
        for id in 1...6 { try fixture.user(Int64(id)) }
        try fixture.user(100, gender: .male)
        for (index, author) in [1, 2, 3, 4, 5, 6, 1, 2, 3].enumerated() {
            fixture.clock.set(epochSeconds: ServiceFixture.start + Int64(index) * 600)
            _ = try fixture.service.createPost(by: UserID(Int64(author)), in: CircleID("campus-diary"), body: "post \(index)")
        }
        return fixture
    }

    @Test("on SQLite (one writer) nothing is followed: no follower starts")
    func noFollowerOnSQLite() throws {
        let fixture = try world()
        #expect(fixture.service.storage.eventFollowing == nil)
        #expect(fixture.service.startFollowing() == nil)
        #expect(fixture.service.following == nil)
        fixture.service.stopFollowing()
    }

    @Test("new posts, likes and reports reach the feed without a reload, and paging has no duplicates or gaps")
    func incrementalAndPaging() throws {
        let fixture = try world()
        let service = fixture.service
        let first = try service.feed(for: UserID(100), in: CircleID("campus-diary"), limit: 4)
        #expect(first.items.count == 4)
        let cursor = try #require(first.nextCursor)
        let second = try service.feed(for: UserID(100), in: CircleID("campus-diary"), limit: 4, cursor: cursor)
        let third = try service.feed(for: UserID(100), in: CircleID("campus-diary"), limit: 4, cursor: second.nextCursor)
        let all = (first.items + second.items + third.items).map(\.post.id)
        #expect(Set(all).count == all.count, "no duplicates")
        #expect(all.count == 9, "no gaps: every visible post once")
        // A burst of likes lifts an old post to the top of a fresh first page.
        let oldest = try #require(first.items.map(\.post).min { $0.createdAtEpochSeconds < $1.createdAtEpochSeconds })
        for liker in 200...210 {
            try fixture.user(Int64(liker), gender: .male)
            try service.like(oldest.id, by: UserID(Int64(liker)))
        }
        let top = try service.feed(for: UserID(100), in: CircleID("campus-diary"), limit: 1, recordViews: false)
        #expect(top.items.first?.post.id == oldest.id)
    }

    @Test("a page shows each post's current likes, not the counts when it was first shown")
    func countsStayCurrent() throws {
        let fixture = try world()
        let service = fixture.service
        let before = try service.feed(for: UserID(100), in: CircleID("campus-diary"), limit: 20, recordViews: false)
        let post = try #require(before.items.first?.post)
        for liker in 300...301 {
            try fixture.user(Int64(liker), gender: .male)
            try service.like(post.id, by: UserID(Int64(liker)))
        }
        let after = try service.feed(for: UserID(100), in: CircleID("campus-diary"), limit: 20, recordViews: false)
        let shown = try #require(after.items.first { $0.post.id == post.id }?.post)
        #expect(shown.likeCount == post.likeCount + 2)
        #expect(shown.body == post.body && shown.authorID == post.authorID && shown.kind == post.kind)
        #expect(shown == (try service.posts.post(post.id)).map { stored in var stored = stored; stored.tipsFen = shown.tipsFen; return stored })
    }

    @Test("explain: contributions sum to each score")
    func explain() throws {
        let fixture = try world()
        let result = try fixture.service.feed(for: UserID(100), in: CircleID("campus-diary"), limit: 5, explain: true)
        for item in result.items {
            let explanation = try #require(item.explanation)
            #expect(abs(explanation.contributionSum - item.score) < 1e-9)
        }
    }

    @Test("the circle's view rule filters the feed")
    func viewRule() throws {
        let fixture = try ServiceFixture()
        try fixture.user(1, gender: .male)
        try fixture.user(2, gender: .male)
        try fixture.user(3, gender: .male)
        try fixture.service.friends.befriend(UserID(1), UserID(2), at: ServiceFixture.start)
        _ = try fixture.service.createPost(by: UserID(1), in: CircleID("friends"), body: "for friends")
        #expect(try fixture.service.feed(for: UserID(2), in: CircleID("friends")).items.count == 1)
        #expect(try fixture.service.feed(for: UserID(3), in: CircleID("friends")).items.isEmpty)
    }

    @Test("a window loaded from the database ranks like the one kept up to date")
    func reloadEqualsIncremental() throws {
        let fixture = try world()
        let service = fixture.service
        let post = try service.createPost(by: UserID(4), in: CircleID("campus-diary"), body: "late")
        try service.like(post.id, by: UserID(100))
        _ = try service.report(post.id, by: UserID(5), reason: "x")
        let live = try service.feed(for: UserID(100), in: CircleID("campus-diary"), limit: 20, recordViews: false)
        let reloaded = try QuanziService(database: service.database!, plugins: service.plugins, experiments: service.experiments.experiments,
                                         clock: fixture.clock)
        let fresh = try reloaded.feed(for: UserID(100), in: CircleID("campus-diary"), limit: 20, recordViews: false)
        #expect(live.items.map(\.post.id) == fresh.items.map(\.post.id))
        #expect(live.items.map(\.score) == fresh.items.map(\.score))
    }

    @Test("bad cursors and page sizes are clear errors")
    func badInput() throws {
        let fixture = try world()
        #expect(throws: QuanziError.self) { try fixture.service.feed(for: UserID(100), in: CircleID("campus-diary"), cursor: "garbage!") }
        #expect(throws: QuanziError.self) { try fixture.service.feed(for: UserID(100), in: CircleID("campus-diary"), limit: 0) }
        #expect(throws: QuanziError(.circleNotFound, "no circle 'nope'")) { try fixture.service.feed(for: UserID(100), in: CircleID("nope")) }
    }
}
