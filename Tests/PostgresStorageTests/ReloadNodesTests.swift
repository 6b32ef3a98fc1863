import Core
import Foundation
import LuaHost
@_spi(LedgerStore) import PostgresStorage
@_spi(LedgerStore) import Service
import Social
import Testing

/// Each node reloads its own folders. A circle one node has taken in and another has not yet is
/// served by the first only; once the second reloads, its new window holds the posts the first
/// made meanwhile (read from the database), and posts made after reach both through the follower.
@Suite("reloading scripts on several nodes", PostgresTestDatabase.available)
struct ReloadNodesTests {
    static let bookClub = """
        return quanzi.circle {
          id = "book-club",
          title = "Book club",
          rules = {
            view = function(user, circle, post) return true end,
            post = function(user, circle, post) return true end,
            comment = function(user, circle, post) return true end,
            like = function(user, circle, post) return true end,
            report = function(user, circle, post) return true end,
          },
        }
        """

    @Test("a node that reloads later loads the new circle's posts from the database and follows the rest", .timeLimit(.minutes(2)))
    func newCircleOnTwoNodes() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("quanzi-nodes-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        for folder in ["plugins", "experiments"] {
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            try FileManager.default.copyItem(
                atPath: PostgresServiceTests.repository.appendingPathComponent(folder).path, toPath: root.appendingPathComponent(folder).path)
        }
        let folders = ScriptFolders(plugins: root.appendingPathComponent("plugins").path, experiments: root.appendingPathComponent("experiments").path)
        let loaded = try folders.load()
        try await PostgresTestDatabase.withBackends(2) { backends in
            let clock = ManualClock(epochSeconds: PostgresServiceTests.start)
            let a = try await Backend.offPool { try QuanziService(storage: backends[0], plugins: loaded.plugins, experiments: loaded.experiments, clock: clock) }
            try await Backend.offPool {
                try a.bulkWrite { writer in for id: Int64 in 1...3 { try writer.insertUser(PostgresServiceTests.profile(id)) } }
            }
            let b = try await Backend.offPool { try QuanziService(storage: backends[1], plugins: loaded.plugins, experiments: loaded.experiments, clock: clock) }
            #expect(a.startFollowing(FollowTests.configuration) != nil && b.startFollowing(FollowTests.configuration) != nil)
            defer {
                a.stopFollowing()
                b.stopFollowing()
            }
            try Self.bookClub.write(to: root.appendingPathComponent("plugins/book-club.lua"), atomically: true, encoding: .utf8)
            let reload = try await Backend.offPool { try a.reloadScripts(from: folders) }
            #expect(reload.changed)
            #expect(a.servingScripts.versions.setVersion != b.servingScripts.versions.setVersion)
            let circle = CircleID("book-club")
            let early = try await Backend.offPool { try a.createPost(by: UserID(1), in: circle, body: "before B knew the circle") }
            // B has not reloaded: the circle is unknown there.
            #expect(throws: QuanziError.self) { try b.feed(for: UserID(2), in: circle, recordViews: false) }
            try await Backend.offPool { _ = try b.reloadScripts(from: folders) }
            #expect(a.servingScripts.versions.setVersion == b.servingScripts.versions.setVersion)
            // B's new window was loaded from the database: it has A's earlier post.
            let first = try await Backend.offPool { try b.feed(for: UserID(2), in: circle, recordViews: false) }
            #expect(first.items.map(\.post.id) == [early.id])
            // A post made on A now reaches B through the follower.
            let later = try await Backend.offPool { try a.createPost(by: UserID(3), in: circle, body: "after") }
            try await FollowTests.eventually("A's new post in B's book-club window") {
                (try? b.feed(for: UserID(2), in: circle, recordViews: false).items.map(\.post.id).contains(later.id)) ?? false
            }
        }
    }
}
