import Core
import GRDB
import Social

/// Users: identity attributes rules read, and who is an admin.
public struct UserStore: Sendable {
    let database: QuanziDatabase
    private let cache = ProfileCache()

    public init(database: QuanziDatabase) { self.database = database }

    /// Adds a user (and records `user.created`); the id is the caller's (seeding is deterministic).
    public func insert(_ user: UserProfile, isAdmin: Bool = false) throws {
        try database.write { db in try Self.insert(user, isAdmin: isAdmin, in: db) }
    }

    static func insert(_ user: UserProfile, isAdmin: Bool, in db: Database) throws {
        try UserRow(user, isAdmin: isAdmin).insert(db)
        try EventLog.append(Event(kind: .userCreated, at: user.createdAtEpochSeconds, userID: user.id), in: db)
    }

    public func user(_ id: UserID) throws -> UserProfile? {
        if let cached = cache.profile(id) { return cached }
        let found = try database.unsafeRead { db in
            try UserRow.fetchOne(db.cachedStatement(sql: "SELECT * FROM users WHERE id = ?"), arguments: [id.rawValue])?.profile
        }
        if let found { cache.remember(found) }
        return found
    }

    /// The profiles of `ids` that exist, mostly from memory (one lock), the rest read in chunks.
    public func users(_ ids: [UserID]) throws -> [UserProfile] {
        var (found, missing) = cache.profiles(ids)
        for chunk in stride(from: 0, to: missing.count, by: Self.lookupChunk).map({ missing[$0..<min($0 + Self.lookupChunk, missing.count)] }) {
            let placeholders = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            let rows = try database.unsafeRead { db in
                try UserRow.fetchAll(db, sql: "SELECT * FROM users WHERE id IN (\(placeholders))", arguments: StatementArguments(chunk.map(\.rawValue)))
            }
            for row in rows {
                cache.remember(row.profile)
                found.append(row.profile)
            }
        }
        return found
    }

    /// SQLite's default limit on host parameters is far above this; chunks keep statements small.
    static let lookupChunk = 500

    /// The user, or `user_not_found`.
    public func require(_ id: UserID) throws -> UserProfile {
        guard let user = try user(id) else { throw QuanziError(.userNotFound, "no user \(id)") }
        return user
    }

    public func isAdmin(_ id: UserID) throws -> Bool {
        try database.read { db in try Bool.fetchOne(db, sql: "SELECT is_admin FROM users WHERE id = ?", arguments: [id.rawValue]) ?? false }
    }

    public func count() throws -> Int {
        try database.read { db in try UserRow.fetchCount(db) }
    }

    /// Users by id, in id order, `limit` at a time after `afterID`.
    public func page(afterID: UserID?, limit: Int) throws -> [UserProfile] {
        try database.read { db in
            try UserRow.filter(Column("id") > (afterID?.rawValue ?? 0)).order(Column("id")).limit(limit).fetchAll(db).map(\.profile)
        }
    }
}
