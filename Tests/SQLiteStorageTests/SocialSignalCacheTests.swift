import Core
import GRDB
import Social
import Testing

@testable import SQLiteStorage

@Suite("social signals: cached, invalidated by commits")
struct SocialSignalCacheTests {
    static func world() throws -> QuanziDatabase {
        let database = try QuanziDatabase.temporary()
        let users = UserStore(database: database)
        for id in 1...4 { try users.insert(UserProfile(id: UserID(Int64(id)))) }
        return database
    }

    /// Every way friendships and affinities change reaches a viewer whose signals are cached:
    /// the stores, a bulk write, and a removal; the other viewer's entry is untouched.
    @Test func everyWritePathInvalidates() throws {
        let database = try Self.world()
        defer { try? database.removeFiles() }
        let queries = FeedQueries(database: database)
        let friends = FriendStore(database: database)
        #expect(try queries.socialSignals(of: UserID(1)) == SocialSignals(friendIDs: [], affinities: []))
        try friends.befriend(UserID(1), UserID(2), at: 100)
        #expect(try queries.socialSignals(of: UserID(1)).friendIDs == [UserID(2)])
        #expect(try queries.socialSignals(of: UserID(2)).friendIDs == [UserID(1)])
        try AffinityStore(database: database).bump(viewer: UserID(1), author: UserID(3), .transfer, at: 100)
        #expect(try queries.socialSignals(of: UserID(1)).affinities.map(\.authorID) == [UserID(3)])
        try database.bulkWrite { writer in
            try writer.befriend(UserID(1), UserID(4), at: 200)
            try writer.bumpAffinity(viewer: UserID(1), author: UserID(4), .like, at: 200)
        }
        let afterBulk = try queries.socialSignals(of: UserID(1))
        #expect(afterBulk.friendIDs == [UserID(2), UserID(4)])
        #expect(Set(afterBulk.affinities.map(\.authorID)) == [UserID(3), UserID(4)])
        try friends.remove(UserID(2), friend: UserID(1), at: 300)
        #expect(try queries.socialSignals(of: UserID(1)).friendIDs == [UserID(4)])
        #expect(try queries.socialSignals(of: UserID(2)).friendIDs == [])
    }

    /// A rolled-back transaction changes nothing, and the cache keeps serving the committed rows.
    @Test func aRollbackLeavesTheCommittedSignals() throws {
        let database = try Self.world()
        defer { try? database.removeFiles() }
        let queries = FeedQueries(database: database)
        try FriendStore(database: database).befriend(UserID(1), UserID(2), at: 100)
        _ = try queries.socialSignals(of: UserID(1))
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try database.bulkWrite { writer in
                try writer.befriend(UserID(1), UserID(3), at: 200)
                throw Abort()
            }
        }
        #expect(try queries.socialSignals(of: UserID(1)).friendIDs == [UserID(2)])
    }

    /// A read that began before an invalidation must not cache what it read: the next lookup
    /// reads again. One that began after may.
    @Test func aReadRacingAnInvalidationIsNotKept() {
        let cache = SocialSignalCache()
        let stale = SocialSignals(friendIDs: [UserID(9)], affinities: [])
        let fresh = SocialSignals(friendIDs: [UserID(8)], affinities: [])
        let first = cache.signals(of: UserID(1)) {
            cache.invalidate([UserID(1)])  // a commit lands while this read is in flight
            return stale
        }
        #expect(first == stale)
        var loads = 0
        let second = cache.signals(of: UserID(1)) {
            loads += 1
            return fresh
        }
        #expect(second == fresh && loads == 1)
        let third = cache.signals(of: UserID(1)) {
            loads += 1
            return stale
        }
        #expect(third == fresh && loads == 1, "kept: nothing was invalidated during the second read")
        // An invalidation of another viewer does not make this viewer's reads uncacheable.
        cache.invalidate([UserID(2)])
        cache.invalidate([UserID(1)])
        _ = cache.signals(of: UserID(1)) { fresh }
        let fourth = cache.signals(of: UserID(1)) {
            loads += 1
            return stale
        }
        #expect(fourth == fresh && loads == 1)
    }
}
