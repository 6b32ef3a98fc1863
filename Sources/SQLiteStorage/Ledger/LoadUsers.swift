import Core
@_spi(LedgerStore) import StorageModel
import GRDB

/// Minimal user rows for load runs and tests, which need account holders but not the social
/// profile (that is the identity store's job).
enum LoadUsers {
    /// The display name marks a load user, so a load never funds a real person by accident.
    static func displayName(_ user: UserID) -> String { "load-\(user.rawValue)" }

    /// Inserts the missing users; throws if one of the ids belongs to a user that is not a load user.
    static func insert(_ users: [UserID], at now: Int64, in db: Database) throws {
        let existing = try db.cachedStatement(sql: "SELECT display_name FROM users WHERE id = ?")
        let insert = try db.cachedStatement(
            sql: """
                INSERT INTO users (id, display_name, verified, gender, occupation, created_at)
                VALUES (?, ?, 0, 'unspecified', 'other', ?)
                """)
        for user in users {
            if let name = try String.fetchOne(existing, arguments: [user.rawValue]) {
                guard name == displayName(user) else {
                    throw DatabaseError(
                        resultCode: .SQLITE_CONSTRAINT,
                        message: "user \(user) exists and is not a load user: run the load on a scratch database")
                }
                continue
            }
            try insert.execute(arguments: [user.rawValue, displayName(user), now])
        }
    }
}

@_spi(LedgerStore)
extension SQLiteLedgerStore {
    /// Creates the missing load users (see `LoadUsers`), for load runs on a scratch database.
    public func insertLoadUsers(_ users: [UserID], at now: Int64) async throws {
        try await database.write { db in try LoadUsers.insert(users, at: now, in: db) }
    }
}
