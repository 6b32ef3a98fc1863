import Core
import PostgresNIO
import Social
import StorageModel

/// Friend requests and friendships on PostgreSQL (SQLiteStorage's `FriendStore`). A friendship is
/// stored in both directions. Two nodes racing to open a request between the same two people
/// meet at the one-pending UNIQUE index; the loser's rerun sees the winner's request.
public struct PostgresFriendStore: Sendable {
    let database: QuanziPostgresDatabase

    public init(database: QuanziPostgresDatabase) { self.database = database }

    /// Sends a request. Refuses oneself, strangers to the system, existing friends and a second
    /// pending request between the same two people (in either direction).
    public func sendRequest(from: UserID, to: UserID, at now: Int64) throws(QuanziError) -> FriendRequest {
        try QuanziError.wrapping {
            try database.write { session throws -> FriendRequest in
                guard from != to else { throw QuanziError(.sameUser, "you cannot befriend yourself") }
                try PostgresUserStore.requireUser(from, session)
                try PostgresUserStore.requireUser(to, session)
                if try Self.areFriends(from, to, session) { throw QuanziError(.alreadyFriends, "users \(from) and \(to) are already friends") }
                let pending = try session.value(
                    """
                    SELECT id FROM friend_requests WHERE status = 'pending'
                      AND LEAST(from_user_id, to_user_id) = LEAST(\(from.rawValue), \(to.rawValue))
                      AND GREATEST(from_user_id, to_user_id) = GREATEST(\(from.rawValue), \(to.rawValue))
                    """, as: Int64.self)
                if let pending { throw QuanziError(.friendRequestPending, "a friend request between \(from) and \(to) is already pending (request \(pending))") }
                let id = try session.value(
                    """
                    INSERT INTO friend_requests (from_user_id, to_user_id, status, created_at)
                    VALUES (\(from.rawValue), \(to.rawValue), 'pending', \(now)) RETURNING id
                    """, as: Int64.self)
                guard let id else { throw PostgresStorageCorrupt(reason: "INSERT returned no friend request id") }
                try PostgresEventLog.append(Event(kind: .friendRequested, at: now, userID: from, targetUserID: to), in: session)
                return FriendRequest(id: id, fromUserID: from, toUserID: to, status: .pending, createdAtEpochSeconds: now)
            }
        }
    }

    /// The recipient accepts or declines a pending request. The request row is locked, so two
    /// nodes deciding it at once decide it once.
    public func decide(requestID: Int64, by user: UserID, accept: Bool, at now: Int64) throws(QuanziError) -> FriendRequest {
        // Forgotten even when the commit's outcome is unknown (a lost connection): a needless
        // reload costs a read, a stale friendship would be served.
        var befriended: [UserID] = []
        defer { database.socialSignalCache.invalidate(befriended) }
        return try QuanziError.wrapping {
            try database.write { session throws -> FriendRequest in
                let decided = try FriendRequest.decided(
                    Self.request(requestID, session, lock: true), id: requestID, by: user, accept: accept, at: now)
                if accept { befriended = [decided.fromUserID, decided.toUserID] }
                try session.execute("UPDATE friend_requests SET status = \(decided.status.rawValue), decided_at = \(now) WHERE id = \(requestID)")
                if accept {
                    try Self.befriend(decided.fromUserID, decided.toUserID, at: now, session)
                } else {
                    try PostgresEventLog.append(Event(kind: .friendDeclined, at: now, userID: user, targetUserID: decided.fromUserID), in: session)
                }
                return decided
            }
        }
    }

    /// Ends a friendship (both directions).
    public func remove(_ user: UserID, friend: UserID, at now: Int64) throws(QuanziError) {
        defer { database.socialSignalCache.invalidate([user, friend]) }
        try QuanziError.wrapping {
            try database.write { session in
                let removed = try session.changes(
                    """
                    DELETE FROM friendships WHERE (user_id = \(user.rawValue) AND friend_id = \(friend.rawValue))
                      OR (user_id = \(friend.rawValue) AND friend_id = \(user.rawValue))
                    """)
                guard removed > 0 else { throw QuanziError(.notFriends, "users \(user) and \(friend) are not friends") }
                try PostgresEventLog.append(Event(kind: .friendRemoved, at: now, userID: user, targetUserID: friend), in: session)
            }
        }
    }

    /// Makes two users friends directly (seeding, and accepting a request).
    public func befriend(_ first: UserID, _ second: UserID, at now: Int64) throws {
        defer { database.socialSignalCache.invalidate([first, second]) }
        try database.write { session in try Self.befriend(first, second, at: now, session) }
    }

    public func areFriends(_ first: UserID, _ second: UserID) throws -> Bool {
        try database.unsafeRead { session in try Self.areFriends(first, second, session) }
    }

    public func friends(of user: UserID) throws -> [UserID] {
        try database.unsafeRead { session in
            try session.values("SELECT friend_id FROM friendships WHERE user_id = \(user.rawValue) ORDER BY friend_id", as: Int64.self)
                .map { UserID($0) }
        }
    }

    /// Pending requests sent to `user`, oldest first.
    public func pendingRequests(to user: UserID) throws -> [FriendRequest] {
        try database.unsafeRead { session in
            try session.rows(
                "SELECT \(unescaped: Self.columns) FROM friend_requests WHERE to_user_id = \(user.rawValue) AND status = 'pending' ORDER BY id",
                as: Self.Row.self
            ).map(Self.request(from:))
        }
    }

    static func befriend(_ first: UserID, _ second: UserID, at now: Int64, _ session: PostgresSession) throws {
        let friendship = Friendship(first: first, second: second, since: now)
        try session.execute(befriend([friendship]))
        try PostgresEventLog.append(friendship.addedEvent, in: session)
    }

    /// Two users made friends directly, stored in both directions.
    struct Friendship {
        var first: UserID
        var second: UserID
        var since: Int64

        var addedEvent: Event { Event(kind: .friendAdded, at: since, userID: first, targetUserID: second) }
    }

    /// Both directions of every friendship; directions already stored are left as they are.
    static func befriend(_ friendships: [Friendship]) -> PostgresQuery {
        let users = friendships.flatMap { [$0.first.rawValue, $0.second.rawValue] }
        let friends = friendships.flatMap { [$0.second.rawValue, $0.first.rawValue] }
        let since = friendships.flatMap { [$0.since, $0.since] }
        return """
            INSERT INTO friendships (user_id, friend_id, since)
            SELECT * FROM unnest(\(users)::bigint[], \(friends)::bigint[], \(since)::bigint[])
            ON CONFLICT DO NOTHING
            """
    }

    static func areFriends(_ first: UserID, _ second: UserID, _ session: PostgresSession) throws -> Bool {
        try session.value(
            "SELECT 1 FROM friendships WHERE user_id = \(first.rawValue) AND friend_id = \(second.rawValue)", as: Int.self) != nil
    }

    static let columns = "id, from_user_id, to_user_id, status, created_at, decided_at"
    typealias Row = (Int64, Int64, Int64, String, Int64, Int64?)

    static func request(_ id: Int64, _ session: PostgresSession, lock: Bool) throws -> FriendRequest? {
        try session.row(
            "SELECT \(unescaped: columns) FROM friend_requests WHERE id = \(id)\(unescaped: lock ? " FOR UPDATE" : "")", as: Row.self
        ).map(request(from:))
    }

    static func request(from row: Row) -> FriendRequest {
        let (id, from, to, status, createdAt, decidedAt) = row
        return FriendRequest(
            id: id, fromUserID: UserID(from), toUserID: UserID(to), status: FriendRequestStatus(rawValue: status) ?? .pending,
            createdAtEpochSeconds: createdAt, decidedAtEpochSeconds: decidedAt)
    }
}
