import Core
import Feed
import Service
import Social
import Testing

/// The review queue across two nodes: a decision on one changes what the other's feed shows.
@Suite("moderation decisions and blocks reach every node", PostgresTestDatabase.available)
struct ModerationNodesTests {
    @Test("a post held on A is approved on B and shows in A's feed; removed after reports on A, it stays out of B's")
    func decisionsFollow() async throws {
        try await FollowTests.withTwoNodes { a, b, _ in
            let circle = FollowTests.circle
            let held = try await Backend.offPool { try a.createPost(by: UserID(2), in: circle, body: "周末 加微信 聊聊") }
            #expect(held.status == .hidden)
            try await FollowTests.eventually("A's held post in B's window, hidden") {
                b.feeds.candidate(postID: held.id, in: circle)?.status == .hidden
            }
            let item = try await Backend.offPool { try #require(try b.moderationQueue().entries.first?.item) }
            #expect(item.postID == held.id)
            try await Backend.offPool { try b.decideModeration(item.id, .approve(note: nil), by: UserID(3)) }
            #expect(try await Backend.offPool { try b.feed(for: UserID(1), in: circle, recordViews: false).items.map(\.post.id) } == [held.id])
            try await FollowTests.eventually("B's approval shows the post in A's feed") {
                try a.feed(for: UserID(1), in: circle, recordViews: false).items.map(\.post.id) == [held.id]
            }

            // Reports on A hide it again; a removal on A keeps it out of B's feed.
            try await Backend.offPool {
                for reporter in [Int64(1), 3, 4] { try a.report(held.id, by: UserID(reporter), reason: "spam") }
            }
            let second = try await Backend.offPool { try #require(try a.moderationQueue().entries.first?.item) }
            #expect(second.reason == .reports && second.postID == held.id)
            try await Backend.offPool { try a.decideModeration(second.id, .remove(reason: "spam"), by: UserID(4)) }
            try await FollowTests.eventually("the hide reaches B") { b.feeds.candidate(postID: held.id, in: circle)?.status == .hidden }
            #expect(try await Backend.offPool { try b.feed(for: UserID(1), in: circle, recordViews: false).items.isEmpty })
            #expect(try await Backend.offPool { try b.moderationSummary().pending } == 0)
        }
    }

    @Test("a block made on A hides each user's posts from the other's feed on B, and B refuses their actions")
    func blocksFollow() async throws {
        try await FollowTests.withTwoNodes { a, b, _ in
            let circle = FollowTests.circle
            let post = try await Backend.offPool { try a.createPost(by: UserID(2), in: circle, body: "from user 2") }
            try await FollowTests.eventually("the post in B's feed for user 3") {
                try b.feed(for: UserID(3), in: circle, recordViews: false).items.map(\.post.id) == [post.id]
            }
            _ = try await Backend.offPool { try a.block(UserID(2), by: UserID(3)) }
            try await FollowTests.eventually("A's block hides the post from user 3 on B") {
                try b.feed(for: UserID(3), in: circle, recordViews: false).items.isEmpty
            }
            let refusal = try await Backend.offPool { () -> QuanziError? in
                do {
                    try b.like(post.id, by: UserID(3))
                    return nil
                } catch let error as QuanziError {
                    return error
                }
            }
            #expect(refusal == QuanziError(.blocked, "user 3 blocked user 2; unblock them first"))
            _ = try await Backend.offPool { try a.unblock(UserID(2), by: UserID(3)) }
            try await FollowTests.eventually("the unblock on A shows the post again on B") {
                try b.feed(for: UserID(3), in: circle, recordViews: false).items.map(\.post.id) == [post.id]
            }
        }
    }
}
