import Core
import GRDB
import Social
import StorageModel

/// Blocks and mutes on SQLite. A block ends a friendship between the two and declines pending
/// friend requests between them, in its transaction; `SocialChangeTracking` then makes both
/// users' feeds forget what they held of each other.
public struct BlockStore: BlockRepository {
    let database: QuanziDatabase

    public init(database: QuanziDatabase) { self.database = database }

    public func block(_ blocker: UserID, _ blocked: UserID, at now: Int64) throws(QuanziError) -> Bool {
        try Blocking.checkPair(blocker, blocked, what: "block")
        return try QuanziError.wrapping {
            try database.write { db in
                try FriendStore.requireUser(blocked, db)
                try db.execute(
                    sql: "INSERT OR IGNORE INTO blocks (blocker_id, blocked_id, created_at) VALUES (?, ?, ?)",
                    arguments: [blocker.rawValue, blocked.rawValue, now])
                guard db.changesCount == 1 else { return false }
                try EventLog.append(Event(kind: .userBlocked, at: now, userID: blocker, targetUserID: blocked), in: db)
                try db.execute(
                    sql: "DELETE FROM friendships WHERE (user_id = ?1 AND friend_id = ?2) OR (user_id = ?2 AND friend_id = ?1)",
                    arguments: [blocker.rawValue, blocked.rawValue])
                if db.changesCount > 0 {
                    try EventLog.append(Event(kind: .friendRemoved, at: now, userID: blocker, targetUserID: blocked, context: "blocked"), in: db)
                }
                try db.execute(
                    sql: """
                        UPDATE friend_requests SET status = 'cancelled', decided_at = ?3
                        WHERE status = 'pending' AND ((from_user_id = ?1 AND to_user_id = ?2) OR (from_user_id = ?2 AND to_user_id = ?1))
                        """, arguments: [blocker.rawValue, blocked.rawValue, now])
                return true
            }
        }
    }

    public func unblock(_ blocker: UserID, _ blocked: UserID, at now: Int64) throws(QuanziError) -> Bool {
        try remove("blocks", "blocker_id", "blocked_id", blocker, blocked, kind: .userUnblocked, at: now)
    }

    public func mute(_ muter: UserID, _ muted: UserID, at now: Int64) throws(QuanziError) -> Bool {
        try Blocking.checkPair(muter, muted, what: "mute")
        return try QuanziError.wrapping {
            try database.write { db in
                try FriendStore.requireUser(muted, db)
                try db.execute(
                    sql: "INSERT OR IGNORE INTO mutes (muter_id, muted_id, created_at) VALUES (?, ?, ?)",
                    arguments: [muter.rawValue, muted.rawValue, now])
                guard db.changesCount == 1 else { return false }
                try EventLog.append(Event(kind: .userMuted, at: now, userID: muter, targetUserID: muted), in: db)
                return true
            }
        }
    }

    public func unmute(_ muter: UserID, _ muted: UserID, at now: Int64) throws(QuanziError) -> Bool {
        try remove("mutes", "muter_id", "muted_id", muter, muted, kind: .userUnmuted, at: now)
    }

    public func state(_ first: UserID, _ second: UserID) throws -> BlockState {
        try database.unsafeRead { db in
            let rows = try Int64.fetchAll(
                db.cachedStatement(sql: "SELECT blocker_id FROM blocks WHERE (blocker_id = ?1 AND blocked_id = ?2) OR (blocker_id = ?2 AND blocked_id = ?1)"),
                arguments: [first.rawValue, second.rawValue])
            return BlockState(firstBlockedSecond: rows.contains(first.rawValue), secondBlockedFirst: rows.contains(second.rawValue))
        }
    }

    public func list(of user: UserID) throws -> BlockList {
        try database.read { db in
            BlockList(
                blocked: try Int64.fetchAll(db, sql: "SELECT blocked_id FROM blocks WHERE blocker_id = ? ORDER BY blocked_id", arguments: [user.rawValue])
                    .map { UserID($0) },
                muted: try Int64.fetchAll(db, sql: "SELECT muted_id FROM mutes WHERE muter_id = ? ORDER BY muted_id", arguments: [user.rawValue])
                    .map { UserID($0) })
        }
    }

    private func remove(
        _ table: String, _ actorColumn: String, _ otherColumn: String, _ actor: UserID, _ other: UserID, kind: EventKind, at now: Int64
    ) throws(QuanziError) -> Bool {
        try QuanziError.wrapping {
            try database.write { db in
                try db.execute(sql: "DELETE FROM \(table) WHERE \(actorColumn) = ? AND \(otherColumn) = ?", arguments: [actor.rawValue, other.rawValue])
                guard db.changesCount == 1 else { return false }
                try EventLog.append(Event(kind: kind, at: now, userID: actor, targetUserID: other), in: db)
                return true
            }
        }
    }
}
