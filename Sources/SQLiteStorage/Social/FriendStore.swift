import Core
import GRDB
import Social

/// Friend requests and friendships. A friendship is stored in both directions.
public struct FriendStore: Sendable {
    let database: QuanziDatabase

    public init(database: QuanziDatabase) { self.database = database }

    /// Sends a request. Refuses oneself, strangers to the system, existing friends and a second
    /// pending request between the same two people (in either direction).
    public func sendRequest(from: UserID, to: UserID, at now: Int64) throws(QuanziError) -> FriendRequest {
        try QuanziError.wrapping {
            try database.write { db throws -> FriendRequest in
                guard from != to else { throw QuanziError(.sameUser, "you cannot befriend yourself") }
                try Self.requireUser(from, db)
                try Self.requireUser(to, db)
                if try Self.areFriends(from, to, db) { throw QuanziError(.alreadyFriends, "users \(from) and \(to) are already friends") }
                let pending = try Int64.fetchOne(db, sql: """
                    SELECT id FROM friend_requests WHERE status = 'pending'
                      AND min(from_user_id, to_user_id) = min(?1, ?2) AND max(from_user_id, to_user_id) = max(?1, ?2)
                    """, arguments: [from.rawValue, to.rawValue])
                if let pending { throw QuanziError(.friendRequestPending, "a friend request between \(from) and \(to) is already pending (request \(pending))") }
                try db.execute(sql: "INSERT INTO friend_requests (from_user_id, to_user_id, status, created_at) VALUES (?, ?, 'pending', ?)",
                               arguments: [from.rawValue, to.rawValue, now])
                let id = db.lastInsertedRowID
                try EventLog.append(Event(kind: .friendRequested, at: now, userID: from, targetUserID: to), in: db)
                return FriendRequest(id: id, fromUserID: from, toUserID: to, status: .pending, createdAtEpochSeconds: now)
            }
        }
    }

    /// The recipient accepts or declines a pending request.
    public func decide(requestID: Int64, by user: UserID, accept: Bool, at now: Int64) throws(QuanziError) -> FriendRequest {
        try QuanziError.wrapping {
            try database.write { db throws -> FriendRequest in
                let decided = try FriendRequest.decided(Self.request(requestID, db), id: requestID, by: user, accept: accept, at: now)
                try db.execute(sql: "UPDATE friend_requests SET status = ?, decided_at = ? WHERE id = ?",
                               arguments: [decided.status.rawValue, now, requestID])
                if accept {
                    try Self.befriend(decided.fromUserID, decided.toUserID, at: now, db)
                } else {
                    try EventLog.append(Event(kind: .friendDeclined, at: now, userID: user, targetUserID: decided.fromUserID), in: db)
                }
                return decided
            }
        }
    }

    /// Ends a friendship (both directions).
    public func remove(_ user: UserID, friend: UserID, at now: Int64) throws(QuanziError) {
        try QuanziError.wrapping {
            try database.write { db in
                try db.execute(sql: "DELETE FROM friendships WHERE (user_id = ?1 AND friend_id = ?2) OR (user_id = ?2 AND friend_id = ?1)",
                               arguments: [user.rawValue, friend.rawValue])
                guard db.changesCount > 0 else { throw QuanziError(.notFriends, "users \(user) and \(friend) are not friends") }
                try EventLog.append(Event(kind: .friendRemoved, at: now, userID: user, targetUserID: friend), in: db)
            }
        }
    }

    /// Makes two users friends directly (seeding, and accepting a request).
    public func befriend(_ first: UserID, _ second: UserID, at now: Int64) throws {
        try database.write { db in try Self.befriend(first, second, at: now, db) }
    }

    public func areFriends(_ first: UserID, _ second: UserID) throws -> Bool {
        try database.unsafeRead { db in try Self.areFriends(first, second, db) }
    }

    public func friends(of user: UserID) throws -> [UserID] {
        // One statement is its own snapshot: no BEGIN/COMMIT around it (see `QuanziDatabase`).
        try database.unsafeRead { db in
            try Int64.fetchAll(db.cachedStatement(sql: "SELECT friend_id FROM friendships WHERE user_id = ? ORDER BY friend_id"), arguments: [user.rawValue])
                .map { UserID($0) }
        }
    }

    /// Pending requests sent to `user`, oldest first.
    public func pendingRequests(to user: UserID) throws -> [FriendRequest] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM friend_requests WHERE to_user_id = ? AND status = 'pending' ORDER BY id", arguments: [user.rawValue])
                .map(Self.request(from:))
        }
    }

    static func befriend(_ first: UserID, _ second: UserID, at now: Int64, _ db: Database) throws {
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO friendships (user_id, friend_id, since) VALUES (?1, ?2, ?3), (?2, ?1, ?3)")
            .execute(arguments: [first.rawValue, second.rawValue, now])
        try EventLog.append(Event(kind: .friendAdded, at: now, userID: first, targetUserID: second), in: db)
    }

    static func areFriends(_ first: UserID, _ second: UserID, _ db: Database) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM friendships WHERE user_id = ? AND friend_id = ?"), arguments: [first.rawValue, second.rawValue]) ?? false
    }

    static func requireUser(_ id: UserID, _ db: Database) throws {
        guard try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE id = ?", arguments: [id.rawValue]) ?? false else {
            throw QuanziError(.userNotFound, "no user \(id)")
        }
    }

    static func request(_ id: Int64, _ db: Database) throws -> FriendRequest? {
        try Row.fetchOne(db, sql: "SELECT * FROM friend_requests WHERE id = ?", arguments: [id]).map(request(from:))
    }

    static func request(from row: Row) -> FriendRequest {
        FriendRequest(
            id: row["id"], fromUserID: UserID(row["from_user_id"] as Int64), toUserID: UserID(row["to_user_id"] as Int64),
            status: FriendRequestStatus(rawValue: row["status"]) ?? .pending, createdAtEpochSeconds: row["created_at"],
            decidedAtEpochSeconds: row["decided_at"])
    }
}
