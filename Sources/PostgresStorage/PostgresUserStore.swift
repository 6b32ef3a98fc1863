import Core
import PostgresNIO
import Social
import StorageModel

/// Users on PostgreSQL (SQLiteStorage's `UserStore`): identity attributes rules read, and who is an
/// admin. The profile cache stays valid with several nodes for the reason it is valid on one:
/// nothing updates a user row once inserted.
public struct PostgresUserStore: Sendable {
    let database: QuanziPostgresDatabase
    private let cache = ProfileCache()

    public init(database: QuanziPostgresDatabase) { self.database = database }

    /// Adds a user (and records `user.created`); the id is the caller's (seeding is deterministic).
    public func insert(_ user: UserProfile, isAdmin: Bool = false) throws {
        try database.write { session in try Self.insert(user, isAdmin: isAdmin, in: session) }
    }

    static func insert(_ user: UserProfile, isAdmin: Bool, in session: PostgresSession) throws {
        try session.execute(insert([(user, isAdmin)]))
        try PostgresEventLog.append(createdEvent(user), in: session)
    }

    /// Inserts the users, one array per column however many there are.
    static func insert(_ users: [(profile: UserProfile, isAdmin: Bool)]) -> PostgresQuery {
        let profiles = users.map(\.profile)
        return """
            INSERT INTO users (id, display_name, verified, verified_at, gender, birth_year, occupation, school, employer, city,
              created_at, is_admin)
            SELECT * FROM unnest(\(profiles.map(\.id.rawValue))::bigint[], \(profiles.map(\.displayName))::text[],
              \(profiles.map(\.verified))::boolean[], \(PostgresNullableArray(profiles.map(\.verifiedAtEpochSeconds)))::bigint[],
              \(profiles.map(\.gender.rawValue))::text[], \(PostgresNullableArray(profiles.map(\.birthYear)))::bigint[],
              \(profiles.map(\.occupation.rawValue))::text[], \(PostgresNullableArray(profiles.map(\.school)))::text[],
              \(PostgresNullableArray(profiles.map(\.employer)))::text[], \(PostgresNullableArray(profiles.map(\.city)))::text[],
              \(profiles.map(\.createdAtEpochSeconds))::bigint[], \(users.map(\.isAdmin))::boolean[])
            """
    }

    static func createdEvent(_ user: UserProfile) -> Event {
        Event(kind: .userCreated, at: user.createdAtEpochSeconds, userID: user.id)
    }

    public func user(_ id: UserID) throws -> UserProfile? {
        if let cached = cache.profile(id) { return cached }
        let found = try database.unsafeRead { session in
            try session.row("SELECT \(unescaped: Self.columns) FROM users WHERE id = \(id.rawValue)", as: Self.Row.self).map(Self.profile)
        }
        if let found { cache.remember(found) }
        return found
    }

    /// The profiles of `ids` that exist, mostly from memory (one lock), the rest in one query.
    public func users(_ ids: [UserID]) throws -> [UserProfile] {
        var (found, missing) = cache.profiles(ids)
        guard !missing.isEmpty else { return found }
        // One array parameter however many ids: no statement grows with the lookup.
        let rows = try database.unsafeRead { session in
            try session.rows("SELECT \(unescaped: Self.columns) FROM users WHERE id = ANY(\(missing.map(\.rawValue)))", as: Self.Row.self)
        }
        for row in rows {
            let profile = Self.profile(row)
            cache.remember(profile)
            found.append(profile)
        }
        return found
    }

    /// The user, or `user_not_found`.
    public func require(_ id: UserID) throws -> UserProfile {
        guard let user = try user(id) else { throw QuanziError(.userNotFound, "no user \(id)") }
        return user
    }

    public func isAdmin(_ id: UserID) throws -> Bool {
        try database.unsafeRead { session in
            try session.value("SELECT is_admin FROM users WHERE id = \(id.rawValue)", as: Bool.self) ?? false
        }
    }

    public func count() throws -> Int {
        try database.unsafeRead { session in try session.value("SELECT count(*) FROM users", as: Int.self) ?? 0 }
    }

    /// Users by id, in id order, `limit` at a time after `afterID`.
    public func page(afterID: UserID?, limit: Int) throws -> [UserProfile] {
        try database.unsafeRead { session in
            try session.rows(
                "SELECT \(unescaped: Self.columns) FROM users WHERE id > \(afterID?.rawValue ?? 0) ORDER BY id LIMIT \(limit)",
                as: Self.Row.self
            ).map(Self.profile)
        }
    }

    static let columns = "id, display_name, verified, verified_at, gender, birth_year, occupation, school, employer, city, created_at"
    typealias Row = (Int64, String, Bool, Int64?, String, Int?, String, String?, String?, String?, Int64)

    static func profile(_ row: Row) -> UserProfile {
        let (id, name, verified, verifiedAt, gender, birthYear, occupation, school, employer, city, createdAt) = row
        return UserProfile(
            id: UserID(id), displayName: name, verified: verified, verifiedAtEpochSeconds: verifiedAt,
            gender: Gender(rawValue: gender) ?? .unspecified, birthYear: birthYear,
            occupation: Occupation(rawValue: occupation) ?? .other, school: school, employer: employer, city: city,
            createdAtEpochSeconds: createdAt)
    }

    static func requireUser(_ id: UserID, _ session: PostgresSession) throws {
        guard try session.value("SELECT 1 FROM users WHERE id = \(id.rawValue)", as: Int.self) != nil else {
            throw QuanziError(.userNotFound, "no user \(id)")
        }
    }
}
