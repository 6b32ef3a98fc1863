import Core
import Foundation
import LuaHost
@_spi(LedgerStore) import PostgresStorage
@_spi(LedgerStore) import Service
import Social
import StorageModel
import Testing

/// A node's feed from memory on PostgreSQL (issue 24): while its follower runs, a warm viewer's
/// page sends no read to the database, and what other nodes change (friendships, affinities,
/// views) reaches that memory once the follower has read it. Followers here poll only when the
/// test says so (an hour's interval after the first poll), so every count is exact.
@Suite("feeds from memory on PostgreSQL", PostgresTestDatabase.available)
struct FeedMemoryTests {
    static let circle = CircleID("campus-diary")
    static let start = PostgresServiceTests.start
    static let manualPolls = FeedFollower.Configuration(pollInterval: .seconds(3_600))

    static func service(on backend: PostgresBackend, clock: ManualClock, views: ViewDurability) async throws -> QuanziService {
        let plugins = try PluginSet.load(directory: PostgresServiceTests.repository.appendingPathComponent("plugins").path)
        let experiments = try ExperimentSet.load(directory: PostgresServiceTests.repository.appendingPathComponent("experiments").path)
        return try await Backend.offPool {
            try QuanziService(storage: backend, plugins: plugins, experiments: experiments, clock: clock, viewDurability: views)
        }
    }

    /// Starts following and waits for the first poll, the one that lets the backend answer from memory.
    static func follow(_ service: QuanziService) async throws -> FeedFollower {
        let follower = try #require(service.startFollowing(manualPolls))
        try await FollowTests.eventually("the first poll") { follower.currentStatistics.viewReads >= 1 }
        return follower
    }

    /// Reads and writes `body` sent through the backend's connections (writes after `flush`).
    static func statements(_ backend: PostgresBackend, flushing service: QuanziService, _ body: () throws -> Void) throws -> (reads: Int, writes: Int) {
        let before = backend.database.statementCounts
        try body()
        try service.views.flush()
        let after = backend.database.statementCounts
        return (after.reads - before.reads, after.writes - before.writes)
    }

    @Test("a warm viewer's page reads nothing while the follower runs, and reads again once it stops")
    func warmPageReadsNothing() async throws {
        try await PostgresTestDatabase.withBackend { backend in
            let clock = ManualClock(epochSeconds: Self.start)
            let service = try await Self.service(on: backend, clock: clock, views: .writeBehind)
            let posts = try await Backend.offPool {
                for id in Int64(1)...3 { try service.users.insert(PostgresServiceTests.profile(id), isAdmin: false) }
                try service.friends.befriend(UserID(1), UserID(2), at: Self.start)
                return try (2...3).map { try service.createPost(by: UserID(Int64($0)), in: Self.circle, body: "post by \($0)") }
            }
            clock.advance(bySeconds: 60)
            // Not following: every page reads friends, affinities and seen posts.
            let unfollowed = try await Backend.offPool {
                _ = try service.feed(for: UserID(1), in: Self.circle)
                return try Self.statements(backend, flushing: service) { _ = try service.feed(for: UserID(1), in: Self.circle) }
            }
            #expect(unfollowed.reads > 0)

            let follower = try await Self.follow(service)
            let (page, warm) = try await Backend.offPool {
                _ = try service.feed(for: UserID(1), in: Self.circle)  // loads the viewer's signals and seen posts
                try service.views.flush()
                var page: FeedResult?
                let counts = try Self.statements(backend, flushing: service) { page = try service.feed(for: UserID(1), in: Self.circle) }
                return (try #require(page), counts)
            }
            #expect(warm.reads == 0, "a warm page reads nothing")
            #expect(warm.writes > 0, "its views are still written (behind the page)")
            #expect(Set(page.items.map(\.post.id)) == Set(posts.map(\.id)))
            #expect(service.feedMemory.socialSignalViewers == 1 && service.feedMemory.seenSets == 1)
            #expect(service.feedMemory.seenPosts == posts.count)

            // A friendship this node makes is served at once: the store forgot the viewer.
            let friends = try await Backend.offPool {
                try service.friends.befriend(UserID(1), UserID(3), at: Self.start + 60)
                return try service.storage.feeds.socialSignals(of: UserID(1)).friendIDs
            }
            #expect(friends == [UserID(2), UserID(3)])

            try await Backend.offPool { follower.stop() }
            let stopped = try await Backend.offPool {
                try Self.statements(backend, flushing: service) { _ = try service.feed(for: UserID(1), in: Self.circle) }
            }
            #expect(stopped.reads > 0, "with nothing following, memory is not trusted")
        }
    }

    @Test("a friendship ended, money's affinity and a page viewed on B reach A's memory once A's follower has read them")
    func otherNodesChangesReachMemory() async throws {
        try await PostgresTestDatabase.withBackends(2) { backends in
            let clock = ManualClock(epochSeconds: Self.start)
            let a = try await Self.service(on: backends[0], clock: clock, views: .beforeReturn)
            let b = try await Self.service(on: backends[1], clock: clock, views: .beforeReturn)
            let post = try await Backend.offPool {
                for id in Int64(1)...3 { try a.users.insert(PostgresServiceTests.profile(id), isAdmin: false) }
                try a.friends.befriend(UserID(1), UserID(2), at: Self.start)
                return try a.createPost(by: UserID(2), in: Self.circle, body: "from A")
            }
            let followers = [try await Self.follow(a), try await Self.follow(b)]
            clock.advance(bySeconds: 60)
            // A holds viewer 1: friends, affinities and seen posts (none yet).
            let warm = try await Backend.offPool {
                #expect(try a.storage.feeds.socialSignals(of: UserID(1)).friendIDs == [UserID(2)])
                #expect(try a.views.seenPostIDs(UserID(1), circle: Self.circle, since: 0, before: Self.start + 3_600).isEmpty)
                return try Self.statements(backends[0], flushing: a) {
                    _ = try a.storage.feeds.socialSignals(of: UserID(1))
                    _ = try a.views.seenPostIDs(UserID(1), circle: Self.circle, since: 0, before: Self.start + 3_600)
                }
            }
            #expect(warm.reads == 0)

            // On B: the friendship ends, 1 pays 3 (affinity written behind the money), 1 reads a page.
            try await Backend.offPool { try b.friends.remove(UserID(1), friend: UserID(2), at: Self.start + 60) }
            #expect(try await b.wallet.openAccounts(for: [UserID(1), UserID(3)]) == 2)
            #expect(try await b.wallet.topUp(UserID(1), amountFen: 1_000, idempotencyKey: "top").code == "ok")
            #expect(try await b.transfer(from: UserID(1), to: UserID(3), amountFen: 100, idempotencyKey: "pay").code == "ok")
            await b.wallet.flushAffinity()
            let (friendsOnB, pageOnB) = try await Backend.offPool {
                (try b.storage.feeds.socialSignals(of: UserID(1)).friendIDs, try b.feed(for: UserID(1), in: Self.circle).items.map(\.post.id))
            }
            #expect(friendsOnB.isEmpty, "B forgot at its own commit")
            #expect(pageOnB == [post.id])

            let (signals, seen) = try await Backend.offPool {
                try followers[0].poll()
                return (
                    try a.storage.feeds.socialSignals(of: UserID(1)),
                    try a.views.seenPostIDs(UserID(1), circle: Self.circle, since: 0, before: Self.start + 3_600))
            }
            #expect(signals.friendIDs.isEmpty, "the friendship B ended is not served by A")
            #expect(signals.affinities.map(\.authorID) == [UserID(3)], "the affinity B's money added")
            #expect(seen == [post.id], "the page B showed counts as seen on A")
            #expect(followers[0].currentStatistics.pagesViewedElsewhere == 1)
            try await Backend.offPool { for follower in followers { follower.stop() } }
        }
    }
}
