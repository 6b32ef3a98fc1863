import Core
import Feed
import Foundation
import Ledger
import PostgresNIO
@_spi(LedgerStore) import PostgresStorage
@_spi(LedgerStore) import Service
import Social
import Testing

/// Two `QuanziService`s on two `PostgresBackend`s over one database, as two `quanzi serve` nodes:
/// each follows the other's writes through the events table (`FeedFollower`). Every check polls
/// with a deadline (a generous multiple of the bound: 50 ms polls here), never sleeps a fixed time.
@Suite("nodes follow each other's writes", PostgresTestDatabase.available)
struct FollowTests {
    static let circle = CircleID("campus-diary")
    static let configuration = FeedFollower.Configuration(pollInterval: .milliseconds(50), experimentRefreshInterval: .milliseconds(200))
    /// How long a change may take to show on the other node before the test fails.
    static let deadlineSeconds = 10.0

    /// Waits until `check` (run on a thread that may block) holds, failing after the deadline.
    static func eventually(
        _ what: String, sourceLocation: Testing.SourceLocation = #_sourceLocation, _ check: @escaping @Sendable () throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + .seconds(deadlineSeconds)
        while true {
            if try await Backend.offPool(check) { return }
            guard ContinuousClock.now < deadline else {
                Issue.record("not within \(deadlineSeconds) s: \(what)", sourceLocation: sourceLocation)
                return
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Two nodes with users 1…4, each following the other; stopped before the backends close.
    static func withTwoNodes(_ body: @Sendable (QuanziService, QuanziService, ManualClock) async throws -> Void) async throws {
        try await PostgresTestDatabase.withBackends(2) { backends in
            let clock = ManualClock(epochSeconds: PostgresServiceTests.start)
            let a = try await PostgresServiceTests.service(on: backends[0], clock: clock)
            try await Backend.offPool { for id in Int64(1)...4 { try a.users.insert(PostgresServiceTests.profile(id), isAdmin: id == 1) } }
            let b = try await PostgresServiceTests.service(on: backends[1], clock: clock)
            #expect(a.startFollowing(configuration) != nil && b.startFollowing(configuration) != nil)
            do {
                try await body(a, b, clock)
            } catch {
                try await Backend.offPool {
                    a.stopFollowing(); b.stopFollowing()
                }
                throw error
            }
            try await Backend.offPool {
                a.stopFollowing(); b.stopFollowing()
            }
            let statistics = [try #require(a.following?.currentStatistics), try #require(b.following?.currentStatistics)]
            #expect(statistics.allSatisfy { $0.gapsExpired == 0 }, "\(statistics)")
        }
    }

    @Test("a post, likes, a tip, a credit recompute, reports that hide and a delete on A reach B's feed; A counts its own once")
    func feedsFollow() async throws {
        try await Self.withTwoNodes { a, b, _ in
            let post = try await Backend.offPool { try a.createPost(by: UserID(2), in: Self.circle, body: "from node A") }
            try await Self.eventually("A's post in B's feed") {
                try b.feed(for: UserID(1), in: Self.circle, recordViews: false).items.map(\.post.id) == [post.id]
            }
            try await Backend.offPool { try a.like(post.id, by: UserID(3)) }
            try await Self.eventually("A's like counted on B") { b.feeds.candidate(postID: post.id, in: Self.circle)?.likeCount == 1 }
            // B likes too: A applies B's like, and never applies its own twice.
            try await Backend.offPool { try b.like(post.id, by: UserID(4)) }
            try await Self.eventually("both likes on both nodes") {
                a.feeds.candidate(postID: post.id, in: Self.circle)?.likeCount == 2
                    && b.feeds.candidate(postID: post.id, in: Self.circle)?.likeCount == 2
            }
            #expect(try await a.wallet.openAccounts(for: [UserID(1), UserID(2)]) == 2)
            #expect(try await a.wallet.topUp(UserID(1), amountFen: 1_000, idempotencyKey: "top").code == "ok")
            #expect(try await a.tip(post.id, by: UserID(1), amountFen: 250, idempotencyKey: "tip").code == "ok")
            try await Self.eventually("A's tip on B") { b.feeds.candidate(postID: post.id, in: Self.circle)?.tipsFen == 250 }
            #expect(a.feeds.candidate(postID: post.id, in: Self.circle)?.tipsFen == 250)
            let score = try await Backend.offPool { () -> Int? in
                try a.recomputeCredit()
                return try a.credit.score(UserID(2))
            }
            let recomputed = try #require(score)
            #expect(recomputed != PostgresFeedQueries.unscoredCredit, "the recompute changes what B's window holds")
            try await Self.eventually("A's credit recompute on B") {
                b.feeds.candidate(postID: post.id, in: Self.circle)?.authorCreditScore == recomputed
            }

            // Reports from both nodes: the third hides the post on both.
            let second = try await Backend.offPool { try b.createPost(by: UserID(2), in: Self.circle, body: "from node B") }
            try await Self.eventually("B's post in A's window") { a.feeds.candidate(postID: second.id, in: Self.circle) != nil }
            try await Backend.offPool {
                try a.report(second.id, by: UserID(1), reason: "spam")
                try b.report(second.id, by: UserID(3), reason: "spam")
                #expect(try a.report(second.id, by: UserID(4), reason: "spam"))
            }
            try await Self.eventually("reports and the hide on B") {
                let row = b.feeds.candidate(postID: second.id, in: Self.circle)
                return row?.reportCount == 3 && row?.status == .hidden
            }
            // A applies B's report when its own follower next polls: wait for it as for B.
            try await Self.eventually("B's report on A") { a.feeds.candidate(postID: second.id, in: Self.circle)?.reportCount == 3 }

            try await Backend.offPool { try a.deletePost(post.id, by: UserID(2)) }
            try await Self.eventually("A's delete hides the post on B") {
                try b.feed(for: UserID(1), in: Self.circle, recordViews: false).items.isEmpty
            }
            let lag = try #require(b.following?.currentStatistics)
            #expect(lag.eventsApplied > 0 && lag.maxLagSeconds < Self.deadlineSeconds, "\(lag)")
        }
    }

    @Test("a like made on A before A's window has B's post is applied once the post arrives, not skipped as A's own")
    func ownWriteBeforeThePost() async throws {
        try await PostgresTestDatabase.withBackends(2) { backends in
            let clock = ManualClock(epochSeconds: PostgresServiceTests.start)
            let a = try await PostgresServiceTests.service(on: backends[0], clock: clock)
            try await Backend.offPool { for id in Int64(1)...4 { try a.users.insert(PostgresServiceTests.profile(id), isAdmin: false) } }
            let b = try await PostgresServiceTests.service(on: backends[1], clock: clock)
            // A follows nothing yet: B's post is in the database, not in A's window, when A likes it.
            let post = try await Backend.offPool { try b.createPost(by: UserID(2), in: Self.circle, body: "from node B") }
            try await Backend.offPool { try a.like(post.id, by: UserID(3)) }
            #expect(a.feeds.candidate(postID: post.id, in: Self.circle) == nil)
            let follower = try #require(a.startFollowing(Self.configuration))
            try await Self.eventually("B's post on A with A's own like") {
                a.feeds.candidate(postID: post.id, in: Self.circle)?.likeCount == 1
            }
            try await Backend.offPool { try a.like(post.id, by: UserID(4)) }
            try await Self.eventually("A's later like counted once") { follower.currentStatistics.ownEventsSkipped >= 2 }
            #expect(a.feeds.candidate(postID: post.id, in: Self.circle)?.likeCount == 2)
            try await Backend.offPool { follower.stop() }
        }
    }

    @Test("an experiment stopped and a variant forced on A reach B")
    func experimentsFollow() async throws {
        try await Self.withTwoNodes { a, b, _ in
            let experiment = "campus-comment-credit"
            #expect(b.experiments.runtimeStatus(experiment: experiment) == nil)
            try await Backend.offPool { try a.experiments.force(UserID(3), into: "treatment", experiment: experiment) }
            try await Self.eventually("the forced variant on B") {
                b.experiments.forcedVariant(experiment: experiment, user: UserID(3)) == "treatment"
            }
            try await Backend.offPool { try a.experiments.stop(experiment, reason: "guardrail report_rate") }
            try await Self.eventually("the stop on B") { b.experiments.runtimeStatus(experiment: experiment) == .stopped }
            let spec = try #require(b.experiments.experiments.experiment(experiment))
            #expect(b.experiments.status(of: spec) == .stopped)
        }
    }

    @Test("an event whose transaction commits after a larger id is applied; a rolled-back id is dropped, not expired")
    func outOfOrderIDs() async throws {
        try await PostgresTestDatabase.withBackends(2) { backends in
            let clock = ManualClock(epochSeconds: PostgresServiceTests.start)
            let a = try await PostgresServiceTests.service(on: backends[0], clock: clock)
            try await Backend.offPool { for id in Int64(1)...4 { try a.users.insert(PostgresServiceTests.profile(id), isAdmin: false) } }
            let b = try await PostgresServiceTests.service(on: backends[1], clock: clock)
            let follower = try #require(b.startFollowing(Self.configuration))
            defer { follower.stop() }
            let post = try await Backend.offPool { try a.createPost(by: UserID(2), in: Self.circle, body: "slow likes") }
            try await Self.eventually("the post on B") { b.feeds.candidate(postID: post.id, in: Self.circle) != nil }
            let logger = PostgresTestDatabase.logger
            // A third writer (no node id) takes an event id and holds its transaction open while
            // node A commits a larger one.
            let client = backends[0].client
            try await client.withTransaction(logger: logger) { connection in
                try await connection.query(
                    """
                    INSERT INTO events (kind, at, user_id, circle_id, post_id) VALUES ('like.created', 0, 4, \(Self.circle.rawValue), \(post.id))
                    """, logger: logger)
                try await Backend.offPool { try a.like(post.id, by: UserID(3)) }
                try await Self.eventually("the larger id applied, the smaller pending") {
                    b.feeds.candidate(postID: post.id, in: Self.circle)?.likeCount == 1 && follower.currentStatistics.pendingIDs == 1
                }
            }
            try await Self.eventually("the late commit applied") { b.feeds.candidate(postID: post.id, in: Self.circle)?.likeCount == 2 }
            // A rolled-back transaction leaves an id that never appears: dropped once its
            // transaction has ended (and the grace passed), not counted as lost.
            struct RolledBack: Error {}
            await #expect(throws: PostgresTransactionError.self) {
                try await client.withTransaction(logger: logger) { connection in
                    try await connection.query(
                        "INSERT INTO events (kind, at, circle_id, post_id) VALUES ('like.created', 0, \(Self.circle.rawValue), \(post.id))",
                        logger: logger)
                    throw RolledBack()
                }
            }
            try await Backend.offPool { try a.like(post.id, by: UserID(4)) }
            try await Self.eventually("the rolled-back id dropped") {
                b.feeds.candidate(postID: post.id, in: Self.circle)?.likeCount == 3 && follower.currentStatistics.pendingIDs == 0
            }
            #expect(follower.currentStatistics.gapsExpired == 0)
            try await Backend.offPool { follower.stop() }
        }
    }
}
