import Core
import PostgresNIO
import Social
import StorageModel

/// Blocks and mutes on PostgreSQL (SQLiteStorage's `BlockStore`). This node's feeds forget both
/// users after the commit; other nodes forget them when their followers read the event.
public struct PostgresBlockStore: BlockRepository {
    let database: QuanziPostgresDatabase

    public init(database: QuanziPostgresDatabase) { self.database = database }

    public func block(_ blocker: UserID, _ blocked: UserID, at now: Int64) throws(QuanziError) -> Bool {
        try Blocking.checkPair(blocker, blocked, what: "block")
        defer { database.socialSignalCache.invalidate([blocker, blocked]) }
        return try QuanziError.wrapping {
            try database.write { session in
                try PostgresUserStore.requireUser(blocked, session)
                let inserted = try session.changes(
                    """
                    INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES (\(blocker.rawValue), \(blocked.rawValue), \(now))
                    ON CONFLICT DO NOTHING
                    """)
                guard inserted == 1 else { return false }
                try PostgresEventLog.append(Event(kind: .userBlocked, at: now, userID: blocker, targetUserID: blocked), in: session)
                let unfriended = try session.changes(
                    """
                    DELETE FROM friendships WHERE (user_id = \(blocker.rawValue) AND friend_id = \(blocked.rawValue))
                      OR (user_id = \(blocked.rawValue) AND friend_id = \(blocker.rawValue))
                    """)
                if unfriended > 0 {
                    try PostgresEventLog.append(
                        Event(kind: .friendRemoved, at: now, userID: blocker, targetUserID: blocked, context: "blocked"), in: session)
                }
                try session.execute(
                    """
                    UPDATE friend_requests SET status = 'cancelled', decided_at = \(now)
                    WHERE status = 'pending' AND ((from_user_id = \(blocker.rawValue) AND to_user_id = \(blocked.rawValue))
                      OR (from_user_id = \(blocked.rawValue) AND to_user_id = \(blocker.rawValue)))
                    """)
                return true
            }
        }
    }

    public func unblock(_ blocker: UserID, _ blocked: UserID, at now: Int64) throws(QuanziError) -> Bool {
        defer { database.socialSignalCache.invalidate([blocker, blocked]) }
        return try QuanziError.wrapping {
            try database.write { session in
                let removed = try session.changes("DELETE FROM blocks WHERE blocker_id = \(blocker.rawValue) AND blocked_id = \(blocked.rawValue)")
                guard removed == 1 else { return false }
                try PostgresEventLog.append(Event(kind: .userUnblocked, at: now, userID: blocker, targetUserID: blocked), in: session)
                return true
            }
        }
    }

    public func mute(_ muter: UserID, _ muted: UserID, at now: Int64) throws(QuanziError) -> Bool {
        try Blocking.checkPair(muter, muted, what: "mute")
        defer { database.socialSignalCache.invalidate([muter]) }
        return try QuanziError.wrapping {
            try database.write { session in
                try PostgresUserStore.requireUser(muted, session)
                let inserted = try session.changes(
                    """
                    INSERT INTO mutes (muter_id, muted_id, created_at) VALUES (\(muter.rawValue), \(muted.rawValue), \(now))
                    ON CONFLICT DO NOTHING
                    """)
                guard inserted == 1 else { return false }
                try PostgresEventLog.append(Event(kind: .userMuted, at: now, userID: muter, targetUserID: muted), in: session)
                return true
            }
        }
    }

    public func unmute(_ muter: UserID, _ muted: UserID, at now: Int64) throws(QuanziError) -> Bool {
        defer { database.socialSignalCache.invalidate([muter]) }
        return try QuanziError.wrapping {
            try database.write { session in
                let removed = try session.changes("DELETE FROM mutes WHERE muter_id = \(muter.rawValue) AND muted_id = \(muted.rawValue)")
                guard removed == 1 else { return false }
                try PostgresEventLog.append(Event(kind: .userUnmuted, at: now, userID: muter, targetUserID: muted), in: session)
                return true
            }
        }
    }

    public func state(_ first: UserID, _ second: UserID) throws -> BlockState {
        try database.unsafeRead { session in
            let blockers = try session.values(
                """
                SELECT blocker_id FROM blocks WHERE (blocker_id = \(first.rawValue) AND blocked_id = \(second.rawValue))
                  OR (blocker_id = \(second.rawValue) AND blocked_id = \(first.rawValue))
                """, as: Int64.self)
            return BlockState(firstBlockedSecond: blockers.contains(first.rawValue), secondBlockedFirst: blockers.contains(second.rawValue))
        }
    }

    public func list(of user: UserID) throws -> BlockList {
        try database.read { session in
            BlockList(
                blocked: try session.values("SELECT blocked_id FROM blocks WHERE blocker_id = \(user.rawValue) ORDER BY blocked_id", as: Int64.self)
                    .map { UserID($0) },
                muted: try session.values("SELECT muted_id FROM mutes WHERE muter_id = \(user.rawValue) ORDER BY muted_id", as: Int64.self)
                    .map { UserID($0) })
        }
    }
}
