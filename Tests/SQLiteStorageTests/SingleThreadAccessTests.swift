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
