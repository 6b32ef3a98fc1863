import Core
import Foundation
import GRDB
import Social
import StorageModel
import Testing

@testable import SQLiteStorage

/// `QuanziDatabase.Access.singleThread`, the simulation's database: reads run on the writer and
/// writes are grouped in savepoints of one transaction. Each write must still behave as its own
/// transaction to everything that reads through the handle.
@Suite("single-thread access: grouped writes")
struct SingleThreadAccessTests {
    struct Refused: Error {}

    /// A fresh database with the simulation's access.
    static func groupedDatabase() throws -> QuanziDatabase {
        try QuanziDatabase.temporary(name: "grouped", access: .singleThread(cacheMiB: 8))
    }

    /// Rows another connection sees: what has been committed.
    static func committedUsers(at path: String) throws -> Int {
        let outside = try DatabaseQueue(path: path)
        return try outside.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM users") ?? -1 }
    }

    @Test("a write is read back at once, a failed write undoes only itself, and nothing is committed before the group")
    func groupedWritesBehaveAsTransactions() throws {
        let database = try Self.groupedDatabase()
        defer { try? database.removeFiles() }
        let users = UserStore(database: database)
        try users.insert(UserProfile(id: UserID(1)))
        #expect(try users.count() == 1)
        #expect(throws: Refused.self) {
            try database.write { db in
                try UserStore.insert(UserProfile(id: UserID(2)), isAdmin: false, in: db)
                throw Refused()
            }
        }
        #expect(try users.count() == 1)
        #expect(try users.user(UserID(2)) == nil)
        // A write nested in another's body joins it; the outer one still decides.
        #expect(throws: Refused.self) {
            try database.write { _ in
                try users.insert(UserProfile(id: UserID(3)))
                throw Refused()
            }
        }
        #expect(try users.user(UserID(3)) == nil)
        #expect(try Self.committedUsers(at: database.path) == 0)

        try database.commitPending()
        #expect(try Self.committedUsers(at: database.path) == 1)
    }

    @Test("a group commits by itself once it holds groupedWritesMax writes")
    func groupsCommitWhenFull() throws {
        let database = try Self.groupedDatabase()
        defer { try? database.removeFiles() }
        let users = UserStore(database: database)
        let count = QuanziDatabase.groupedWritesMax + 5
        for id in 1...count { try users.insert(UserProfile(id: UserID(Int64(id)))) }
        #expect(try Self.committedUsers(at: database.path) == QuanziDatabase.groupedWritesMax)
        #expect(try users.count() == count)
        try database.commitPending()
        #expect(try Self.committedUsers(at: database.path) == count)
    }

    @Test("group commits reach the database file through the checkpointer's connection, not the writer's own checkpoints")
    func checkpointsRunOffTheWriter() throws {
        let database = try Self.groupedDatabase()
        defer { try? database.removeFiles() }
        let autocheckpoint = try database.pool.unsafeReentrantWrite { db in try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") }
        #expect(autocheckpoint == 0)
        let users = UserStore(database: database)
        for id in 1...30 { try users.insert(UserProfile(id: UserID(Int64(id)))) }
        try database.commitPending()
        let status = database.checkpointStatus
        #expect(status.checkpoints >= 1)
        #expect(status.failure == nil)
        // The database file alone, without its WAL, holds what was committed.
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("checkpointed-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: copy + suffix) } }
        try FileManager.default.copyItem(atPath: database.path, toPath: copy)
        #expect(try Self.committedUsers(at: copy) == 30)
    }

    @Test("a new friendship reaches the social cache before the group commits")
    func socialCacheForgetsAtTheChange() throws {
        let database = try Self.groupedDatabase()
        defer { try? database.removeFiles() }
        let users = UserStore(database: database)
        for id in 1...3 { try users.insert(UserProfile(id: UserID(Int64(id)))) }
        let queries = FeedQueries(database: database)
        #expect(try queries.socialSignals(of: UserID(1)).friendIDs.isEmpty)
        try FriendStore(database: database).befriend(UserID(1), UserID(2), at: 100)
        #expect(try queries.socialSignals(of: UserID(1)).friendIDs == [UserID(2)])
        #expect(try Self.committedUsers(at: database.path) == 0)
    }

    /// A written affinity goes into the held entry instead of forgetting the viewer; what a fresh
    /// load returns is what the entry holds, and a write that is undone leaves no trace in it.
    @Test("affinities written in place equal a fresh load; an undone write is forgotten")
    func affinitiesWrittenInPlace() throws {
        let database = try Self.groupedDatabase()
        defer { try? database.removeFiles() }
        let users = UserStore(database: database)
        for id in 1...4 { try users.insert(UserProfile(id: UserID(Int64(id)))) }
        let queries = FeedQueries(database: database)
        func freshLoad() throws -> [SocialSignals.StoredAffinity] {
            try database.unsafeRead { db in
                try Row.fetchAll(db, sql: "SELECT author_id, score, updated_at FROM affinities WHERE viewer_id = 1 ORDER BY author_id").map {
                    SocialSignals.StoredAffinity(authorID: UserID($0[0] as Int64), score: $0[1], updatedAtEpochSeconds: $0[2])
                }
            }
        }
        func held() throws -> [SocialSignals.StoredAffinity] {
            try queries.socialSignals(of: UserID(1)).affinities.sorted { $0.authorID.rawValue < $1.authorID.rawValue }
        }
        #expect(try held().isEmpty)
        try database.write { db in try AffinityStore.bump(viewer: UserID(1), author: UserID(2), .like, at: 1_000, db) }
        try database.write { db in try AffinityStore.bump(viewer: UserID(1), author: UserID(3), .tip, at: 2_000, db) }
        try database.write { db in try AffinityStore.bump(viewer: UserID(1), author: UserID(2), .comment, at: 90_000, db) }
        let load = try freshLoad()
        #expect(load.count == 2)
        #expect(try held() == load, "the held entry was written in place, not reloaded")
        // Held, not reloaded: a change behind the triggers' back (none exists in the stores) is not seen.
        try database.unsafeRead { db in try db.execute(sql: "DROP TRIGGER IF EXISTS temp.quanzi_affinities_update_in_place") }
        try database.write { db in try AffinityStore.bump(viewer: UserID(1), author: UserID(3), .like, at: 95_000, db) }
        #expect(try held() != freshLoad(), "the entry is the one held in memory")

        // A write that bumps an affinity and then fails leaves the entry as the database has it.
        let before = try freshLoad()
        #expect(throws: Refused.self) {
            try database.write { db in
                try AffinityStore.bump(viewer: UserID(1), author: UserID(4), .like, at: 99_000, db)
                throw Refused()
            }
        }
        #expect(try freshLoad() == before)
        #expect(try held() == before)
    }

    @Test("the WAL starts over once it passes its bound, though checkpoints run beside the writer")
    func walStaysBounded() throws {
        let restartFrames = 64
        let database = try QuanziDatabase.temporary(name: "bounded", access: .singleThread(cacheMiB: 8), walRestartFrames: restartFrames)
        defer { try? database.removeFiles() }
        let users = UserStore(database: database)
        func walFrames() throws -> Int {
            let bytes = try FileManager.default.attributesOfItem(atPath: database.path + "-wal")[.size] as? Int ?? 0
            return max(0, bytes - 32) / (4_096 + 24)  // header, then a 24-byte header per 4 KiB page
        }
        var largest = 0
        for round in 0..<150 {
            for id in 1...40 { try users.insert(UserProfile(id: UserID(Int64(round * 40 + id)))) }
            try database.commitPending()
            largest = max(largest, try walFrames())
        }
        // (Read only now: reading the status waits for the checkpointer, which would let every commit restart the WAL.)
        let status = database.checkpointStatus
        #expect(status.checkpoints >= 1)
        #expect(status.failure == nil)
        // 150 commits wrote far more frames than the bound; the file holds the bound and about a commit's worth.
        #expect(largest < 3 * restartFrames, "the WAL grew to \(largest) frames")
        #expect(try users.count() == 6_000)
    }

    @Test("show-less marks counted in place equal a fresh load; an undone mark is forgotten")
    func showLessCountedInPlace() throws {
        let database = try Self.groupedDatabase()
        defer { try? database.removeFiles() }
        let users = UserStore(database: database)
        for id in 1...3 { try users.insert(UserProfile(id: UserID(Int64(id)))) }
        try database.write { db in try db.execute(sql: "INSERT INTO circles (id, title) VALUES ('c', 'C')") }
        let posts = try [(2, PostKind.text), (2, .video), (3, .text), (3, .photo)].map { author, kind in
            try database.write { db in
                try PostStore.create(circle: CircleID("c"), author: UserID(Int64(author)), kind: kind, body: "b", verdict: .visible, at: 100, db)
            }
        }
        let queries = FeedQueries(database: database)
        func held() throws -> ([UserID: Int], [PostKind: Int]) {
            let signals = try queries.socialSignals(of: UserID(1))
            return (signals.showLessByAuthor, signals.showLessByKind)
        }
        func freshLoad() throws -> ([UserID: Int], [PostKind: Int]) {
            database.socialSignalCache.invalidate([UserID(1)])
            return try held()
        }
        #expect(try held() == ([:], [:]))
        let store = PostStore(database: database)
        for post in posts.prefix(3) { #expect(try store.showLess(post.id, by: UserID(1), at: 200)) }
        #expect(try !store.showLess(posts[0].id, by: UserID(1), at: 201), "marked already: counted once")
        let counted = try held()
        #expect(counted == ([UserID(2): 2, UserID(3): 1], [.text: 2, .video: 1]))
        #expect(try freshLoad() == counted)
        // A write that marks and then fails leaves the entry as the database has it.
        #expect(throws: Refused.self) {
            try database.write { db in
                try db.execute(
                    sql: "INSERT INTO show_less_marks (user_id, post_id, author_id, created_at) VALUES (1, ?, 3, 250)", arguments: [posts[3].id])
                throw Refused()
            }
        }
        #expect(try held() == counted)
        // Counted, not reloaded: a mark behind the trigger's back is not seen until a load.
        try database.unsafeRead { db in try db.execute(sql: "DROP TRIGGER temp.quanzi_show_less_marks_insert_in_place") }
        #expect(try store.showLess(posts[3].id, by: UserID(1), at: 300))
        #expect(try held() == counted, "the entry is the one held in memory")
        #expect(try freshLoad() == ([UserID(2): 2, UserID(3): 2], [.text: 2, .video: 1, .photo: 1]))
        try database.unsafeRead { db in try db.execute(sql: "DELETE FROM show_less_marks WHERE post_id = ?", arguments: [posts[3].id]) }
        #expect(try held() == counted, "a deleted mark forgets the viewer")
    }

    /// A simulated population's every user comes back each day: its database holds all of their
    /// feed memory, where a server's is bounded for a node (and keeps that bound).
    @Test("feed memory is sized for the simulated population; a server keeps its bounds")
    func feedMemorySizedForPopulation() throws {
        #expect(QuanziDatabase.socialSignalEntries(viewers: 0) == SocialSignalCache.entriesMax)
        #expect(QuanziDatabase.seenSets(viewers: 0) == SeenPostsIndex.entriesMax && QuanziDatabase.seenPosts(viewers: 0) == SeenPostsIndex.postsMax)
        #expect(QuanziDatabase.socialSignalEntries(viewers: 150_000) == 300_002)
        #expect(QuanziDatabase.seenSets(viewers: 150_000) == 1_500_000 && QuanziDatabase.seenPosts(viewers: 150_000) == 60_000_000)
        // The bound is the cache's own: two generations of half each.
        let cache = SocialSignalCache(entriesMax: 4)
        func load(_ id: Int64) { _ = cache.signals(of: UserID(id)) { SocialSignals(friendIDs: [], affinities: []) } }
        for id: Int64 in 1...3 { load(id) }
        #expect(cache.held(UserID(1)) != nil, "moved to the previous generation, still held")
        for id: Int64 in 4...5 { load(id) }
        #expect(cache.held(UserID(1)) == nil && cache.held(UserID(5)) != nil && cache.entryCount == 3)
    }

    /// The first-day preload reads every table once for everyone; each viewer must get exactly
    /// what their own first read would have returned (friends, affinities, blocks both ways,
    /// mutes, "show less" by author and by kind).
    @Test("preloaded social signals equal each viewer's own read")
    func preloadEqualsOwnReads() throws {
        let database = try Self.groupedDatabase()
        defer { try? database.removeFiles() }
        let users = UserStore(database: database)
        for id: Int64 in 1...6 { try users.insert(UserProfile(id: UserID(id))) }
        let friends = FriendStore(database: database)
        try friends.befriend(UserID(1), UserID(2), at: 10)
        try friends.befriend(UserID(1), UserID(3), at: 11)
        try friends.befriend(UserID(4), UserID(5), at: 12)
        for (viewer, author, interaction) in [(1, 2, Affinity.Interaction.like), (1, 4, .tip), (2, 1, .comment), (5, 4, .like)] {
            try database.write { db in try AffinityStore.bump(viewer: UserID(Int64(viewer)), author: UserID(Int64(author)), interaction, at: 100, db) }
        }
        let blocks = BlockStore(database: database)
        _ = try blocks.block(UserID(3), UserID(6), at: 20)
        _ = try blocks.mute(UserID(1), UserID(5), at: 21)
        try database.write { db in try db.execute(sql: "INSERT INTO circles (id, title) VALUES ('c', 'C')") }
        let posts = PostStore(database: database)
        let photo = try posts.create(circle: CircleID("c"), author: UserID(4), kind: .photo, body: "p", verdict: .visible, at: 30)
        let text = try posts.create(circle: CircleID("c"), author: UserID(4), kind: .text, body: "t", verdict: .visible, at: 31)
        let other = try posts.create(circle: CircleID("c"), author: UserID(2), kind: .photo, body: "q", verdict: .visible, at: 32)
        for (user, post) in [(1, photo), (1, text), (1, other), (6, other)] { _ = try posts.showLess(post.id, by: UserID(Int64(user)), at: 40) }

        let queries = FeedQueries(database: database)
        let viewers = (1...6).map { UserID(Int64($0)) }
        var own: [UserID: SocialSignals] = [:]
        for viewer in viewers { own[viewer] = try queries.socialSignals(of: viewer) }
        database.socialSignalCache.invalidateAll()
        try queries.preloadSocialSignals(of: viewers)
        for viewer in viewers {
            var held = try #require(database.socialSignalCache.held(viewer), "viewer \(viewer) preloaded")
            held.affinities.sort { $0.authorID.rawValue < $1.authorID.rawValue }
            var expected = try #require(own[viewer])
            expected.affinities.sort { $0.authorID.rawValue < $1.authorID.rawValue }
            #expect(held == expected, "viewer \(viewer)")
        }
        #expect(own[UserID(1)]?.showLessByKind == [.photo: 2, .text: 1] && own[UserID(6)]?.blockedIDs == [] && own[UserID(3)]?.blockedIDs == [UserID(6)])
        #expect(own[UserID(6)]?.blockerIDs == [UserID(3)] && own[UserID(1)]?.mutedIDs == [UserID(5)], "the world has every kind of row")
    }

    @Test("a write that checks first runs bare: a refusal before any change keeps the group, a throw after one loses it loudly")
    func writesCheckingFirst() throws {
        let database = try Self.groupedDatabase()
        defer { try? database.removeFiles() }
        let users = UserStore(database: database)
        try users.insert(UserProfile(id: UserID(1)))
        // Refused before changing anything: nothing to undo, the group goes on.
        #expect(throws: Refused.self) {
            try database.writeCheckingFirst { db in
                _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM users")
                throw Refused()
            }
        }
        try database.writeCheckingFirst { db in try UserStore.insert(UserProfile(id: UserID(2)), isAdmin: false, in: db) }
        #expect(try users.count() == 2)
        // Nested in a write with a savepoint, it is undone with that write.
        #expect(throws: Refused.self) {
            try database.write { db in
                try database.writeCheckingFirst { db in try UserStore.insert(UserProfile(id: UserID(3)), isAdmin: false, in: db) }
                throw Refused()
            }
        }
        #expect(try users.user(UserID(3)) == nil)
        try database.commitPending()
        #expect(try Self.committedUsers(at: database.path) == 2)

        // A throw after a change cannot be undone alone: the open group is rolled back whole.
        try users.insert(UserProfile(id: UserID(4)))
        #expect(throws: QuanziDatabase.GroupedWritesLost.self) {
            try database.writeCheckingFirst { db in
                try UserStore.insert(UserProfile(id: UserID(5)), isAdmin: false, in: db)
                throw Refused()
            }
        }
        #expect(throws: QuanziDatabase.GroupedWritesLost.self) { try users.insert(UserProfile(id: UserID(6))) }
        #expect(throws: QuanziDatabase.GroupedWritesLost.self) { try database.commitPending() }
        #expect(try users.user(UserID(4)) == nil && users.user(UserID(5)) == nil, "the group's earlier write went with it")
        #expect(try Self.committedUsers(at: database.path) == 2)
    }

    @Test("a like, a comment and a report refused inside a group change nothing and keep the group")
    func refusalsKeepTheGroup() throws {
        let database = try Self.groupedDatabase()
        defer { try? database.removeFiles() }
        let users = UserStore(database: database)
        for id in 1...3 { try users.insert(UserProfile(id: UserID(Int64(id)))) }
        try database.write { db in try db.execute(sql: "INSERT INTO circles (id, title) VALUES ('c', 'C')") }
        let posts = PostStore(database: database)
        let post = try posts.create(circle: CircleID("c"), author: UserID(1), kind: .text, body: "p", verdict: .visible, at: 10)
        try posts.like(post.id, by: UserID(2), at: 11)
        #expect(throws: QuanziError.self) { try posts.like(post.id, by: UserID(2), at: 12) }
        #expect(throws: QuanziError.self) { try posts.like(post.id + 99, by: UserID(2), at: 12) }
        _ = try posts.report(post.id, by: UserID(3), reason: "r", hideAtReports: 1, at: 13)
        for attempt in [
            { try posts.like(post.id, by: UserID(3), at: 14) },
            { _ = try posts.comment(on: post.id, by: UserID(3), body: "c", verdict: .visible, at: 14) },
            { _ = try posts.report(post.id, by: UserID(2), reason: "r", hideAtReports: 1, at: 14) },
            { _ = try posts.showLess(post.id, by: UserID(2), at: 14) },
        ] as [() throws -> Void] {
            do {
                try attempt()
                Issue.record("a hidden post took the write")
            } catch let error as QuanziError {
                #expect(error.code == .postNotVisible)
            }
        }
        let stored = try #require(try posts.post(post.id))
        #expect(stored.likeCount == 1 && stored.commentCount == 0 && stored.reportCount == 1 && stored.status == .hidden)
        try database.commitPending()
        let likes = try database.unsafeRead { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM likes") }
        #expect(likes == 1)
    }

    @Test("a group SQLite rolls back whole fails every write after it, and the commit")
    func lostGroupIsLoud() throws {
        let database = try Self.groupedDatabase()
        defer { try? database.removeFiles() }
        let users = UserStore(database: database)
        try users.insert(UserProfile(id: UserID(1)))
        // What an I/O error or a full disk may do: the whole transaction goes, not just the statement.
        #expect(throws: QuanziDatabase.GroupedWritesLost.self) {
            try database.write { db in
                try db.execute(sql: "ROLLBACK")
                throw Refused()
            }
        }
        #expect(throws: QuanziDatabase.GroupedWritesLost.self) { try users.insert(UserProfile(id: UserID(2))) }
        #expect(throws: QuanziDatabase.GroupedWritesLost.self) { try database.commitPending() }
    }
}
