import Core
import Social
import Testing

@testable import Service

@Suite("posting through the rules")
struct PostingTests {
    @Test("a denied post carries the rule's reason and writes nothing")
    func deniedPost() throws {
        let fixture = try ServiceFixture()
        try fixture.user(1, gender: .male)
        #expect(throws: QuanziError(.ruleDenied, "only verified female students may post here")) {
            try fixture.service.createPost(by: UserID(1), in: CircleID("campus-diary"), body: "hello")
        }
        #expect(try fixture.eventCount(.postCreated) == 0)
        #expect(try fixture.eventCount(.ruleDenied) == 0, "createPost denials are the caller's to log")
    }

    @Test("an allowed post is stored with its event")
    func allowedPost() throws {
        let fixture = try ServiceFixture()
        try fixture.user(1)
        let post = try fixture.service.createPost(by: UserID(1), in: CircleID("campus-diary"), kind: .photo, body: "图书馆的银杏")
        #expect(post.status == .visible)
        #expect(try fixture.service.posts.post(post.id) == post)
        #expect(try fixture.eventCount(.postCreated) == 1)
    }

    @Test("a post with a moderated keyword is held for review")
    func moderatedPost() throws {
        let fixture = try ServiceFixture()
        try fixture.user(1)
        let post = try fixture.service.createPost(by: UserID(1), in: CircleID("campus-diary"), body: "周末有空吗 加微信 聊聊")
        #expect(post.status == .hidden)
        #expect(post.hiddenReason == "held for review: 加微信")
        #expect(try fixture.service.posts.moderationOutcomes(of: UserID(1)).held == 1)
        try fixture.user(2, gender: .male)
        #expect(throws: QuanziError(.postNotVisible, "post \(post.id) is hidden pending review")) {
            try fixture.service.like(post.id, by: UserID(2))
        }
    }

    @Test("reports hide a post at the circle's threshold")
    func reportsHide() throws {
        let fixture = try ServiceFixture()
        try fixture.user(1)
        let post = try fixture.service.createPost(by: UserID(1), in: CircleID("campus-diary"), body: "照片")
        for reporter in 2...4 { try fixture.user(Int64(reporter), gender: .male) }
        #expect(try fixture.service.report(post.id, by: UserID(2), reason: "spam") == false)
        #expect(throws: QuanziError(.alreadyReported, "user 2 already reported post \(post.id)")) {
            try fixture.service.report(post.id, by: UserID(2), reason: "spam again")
        }
        #expect(try fixture.service.report(post.id, by: UserID(3), reason: "spam") == false)
        #expect(try fixture.service.report(post.id, by: UserID(4), reason: "spam") == true)
        #expect(try fixture.service.posts.post(post.id)?.status == .hidden)
        #expect(try fixture.eventCount(.postHidden) == 1)
    }

    @Test("likes are once per person and counted")
    func likes() throws {
        let fixture = try ServiceFixture()
        try fixture.user(1)
        try fixture.user(2, gender: .male)
        let post = try fixture.service.createPost(by: UserID(1), in: CircleID("campus-diary"), body: "hi")
        try fixture.service.like(post.id, by: UserID(2))
        #expect(throws: QuanziError(.alreadyLiked, "user 2 already likes post \(post.id)")) { try fixture.service.like(post.id, by: UserID(2)) }
        #expect(try fixture.service.posts.post(post.id)?.likeCount == 1)
        #expect(try fixture.service.affinities.affinity(from: UserID(2), to: UserID(1), at: ServiceFixture.start) > 0)
    }

    /// Likes, comments, reports and "show less" take the post from the feed's memory when its
    /// window holds it visible; a window that has not heard of a hide (another node's, a poll
    /// late) must not let one through: the store checks again inside its write.
    @Test("a post hidden behind the window's back refuses likes, comments, reports and show-less, and nothing changes")
    func staleWindowIsCheckedByTheStore() throws {
        let fixture = try ServiceFixture()
        for id: Int64 in 1...3 { try fixture.user(id) }
        // The friends circle lets friends do all four, so only the post's state can refuse.
        for friend: Int64 in 2...3 { try fixture.service.friends.befriend(UserID(1), UserID(friend), at: ServiceFixture.start) }
        let post = try fixture.service.createPost(by: UserID(1), in: CircleID("friends"), body: "hi")
        try fixture.service.like(post.id, by: UserID(2))
        try fixture.service.database!.write { db in
            try db.execute(sql: "UPDATE posts SET status = 'hidden', hidden_reason = 'elsewhere' WHERE id = ?", arguments: [post.id])
        }
        #expect(fixture.service.feeds.visiblePostInMemory(post.id) != nil, "the window still holds it visible")
        let hidden = QuanziError(.postNotVisible, "post \(post.id) is hidden pending review")
        #expect(throws: hidden) { try fixture.service.like(post.id, by: UserID(3)) }
        #expect(throws: hidden) { try fixture.service.comment(on: post.id, by: UserID(3), body: "c") }
        #expect(throws: hidden) { try fixture.service.report(post.id, by: UserID(3), reason: "r") }
        #expect(throws: hidden) { try fixture.service.showLess(post.id, by: UserID(3)) }
        let stored = try #require(try fixture.service.posts.post(post.id))
        #expect(stored.likeCount == 1 && stored.commentCount == 0 && stored.reportCount == 0)
        #expect(try fixture.eventCount(.likeCreated) == 1 && fixture.eventCount(.commentCreated) == 0 && fixture.eventCount(.reportCreated) == 0)
    }

    @Test("only friends see and comment in the friends circle")
    func friendsCircle() throws {
        let fixture = try ServiceFixture()
        try fixture.user(1, gender: .male)
        try fixture.user(2, gender: .male)
        try fixture.user(3, gender: .male)
        try fixture.service.friends.befriend(UserID(1), UserID(2), at: ServiceFixture.start)
        let post = try fixture.service.createPost(by: UserID(1), in: CircleID("friends"), kind: .shopLink, body: "好店推荐")
        #expect(try fixture.service.viewablePost(post.id, by: UserID(2)) == post)
        #expect(throws: QuanziError(.ruleDenied, "only the author's friends see this post")) {
            try fixture.service.viewablePost(post.id, by: UserID(3))
        }
        #expect(throws: QuanziError(.ruleDenied, "only the author's friends see this post")) {
            try fixture.service.comment(on: post.id, by: UserID(3), body: "nice")
        }
        #expect(try fixture.eventCount(.ruleDenied) == 2)
    }

    @Test("bad input gets a specific error", arguments: [
        ("", QuanziError.Code.emptyContent), ("   ", .emptyContent), (String(repeating: "字", count: 4000), .contentTooLong),
    ])
    func badContent(body: String, code: QuanziError.Code) throws {
        let fixture = try ServiceFixture()
        try fixture.user(1)
        do {
            _ = try fixture.service.createPost(by: UserID(1), in: CircleID("campus-diary"), body: body)
            Issue.record("expected \(code)")
        } catch {
            #expect(error.code == code)
        }
    }

    @Test("unknown users, circles and posts")
    func unknowns() throws {
        let fixture = try ServiceFixture()
        try fixture.user(1)
        #expect(throws: QuanziError(.userNotFound, "no user 99")) { try fixture.service.createPost(by: UserID(99), in: CircleID("campus-diary"), body: "x") }
        #expect(throws: QuanziError(.circleNotFound, "no circle 'nope'")) { try fixture.service.createPost(by: UserID(1), in: CircleID("nope"), body: "x") }
        #expect(throws: QuanziError(.postNotFound, "no post 12345")) { try fixture.service.like(12345, by: UserID(1)) }
    }

    @Test("the author deletes their own post, nobody else")
    func deletion() throws {
        let fixture = try ServiceFixture()
        try fixture.user(1)
        try fixture.user(2)
        let post = try fixture.service.createPost(by: UserID(1), in: CircleID("campus-diary"), body: "oops")
        #expect(throws: QuanziError(.forbidden, "only the author may delete post \(post.id)")) { try fixture.service.deletePost(post.id, by: UserID(2)) }
        try fixture.service.deletePost(post.id, by: UserID(1))
        #expect(throws: QuanziError(.postNotFound, "no post \(post.id)")) { try fixture.service.viewablePost(post.id, by: UserID(2)) }
    }
}
