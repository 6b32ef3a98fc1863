import Core
import Feed
import GRDB
import Social

/// What the feeds read from the database: a circle's candidates at start-up, and a viewer's
/// signals once per request.
public struct FeedQueries: Sendable {
    let database: QuanziDatabase

    public init(database: QuanziDatabase) { self.database = database }

    /// The circle's recent posts (every status), newest first, with tips from the ledger.
    public func candidateRows(circle: CircleID, now: Int64, limits: CandidateWindowLimits) throws -> [CandidateRow] {
        try database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT p.id, p.author_id, p.created_at, p.like_count, p.comment_count,
                       coalesce((SELECT sum(amount_fen) FROM ledger_transfers t WHERE t.kind = 'tip' AND t.post_id = p.id), 0),
                       p.report_count, coalesce(c.score, ?), p.status, p.kind, u.city
                FROM posts p LEFT JOIN credit_scores c ON c.user_id = p.author_id LEFT JOIN users u ON u.id = p.author_id
                WHERE p.circle_id = ? AND p.created_at >= ?
                ORDER BY p.created_at DESC, p.id DESC LIMIT ?
                """, arguments: [CandidateRows.unscoredCredit, circle.rawValue, now - limits.ageMaxSeconds, limits.countMax]).map { row in
                CandidateRow(
                    postID: row[0], authorID: UserID(row[1] as Int64), createdAtEpochSeconds: row[2], likeCount: row[3],
                    commentCount: row[4], tipsFen: row[5], reportCount: row[6], authorCreditScore: row[7],
                    status: CandidateRows.status(PostStatus(rawValue: row[8]) ?? .hidden),
                    kindIndex: CandidateRows.kindIndex(PostKind(rawValue: row[9]) ?? .text), authorGroup: AuthorGroups.code(for: row[10]))
            }
        }
    }

    /// Only a follower calls it (PostgreSQL): on SQLite the triggers invalidate (`SocialChangeTracking`).
    public func forgetSocialSignals(of viewers: [UserID]) { database.socialSignalCache.invalidate(viewers) }
    public func forgetAllSocialSignals() { database.socialSignalCache.invalidateAll() }

    public var memory: FeedMemory {
        let seen = database.seenPostsIndex.size
        return FeedMemory(socialSignalViewers: database.socialSignalCache.entryCount, seenSets: seen.entries, seenPosts: seen.posts)
    }

    /// Whom the viewer blocked (0), who blocked the viewer (1), whom the viewer muted (2).
    static let relationsSQL = """
        SELECT 0, blocked_id FROM blocks WHERE blocker_id = ?1 UNION ALL SELECT 1, blocker_id FROM blocks WHERE blocked_id = ?1
        UNION ALL SELECT 2, muted_id FROM mutes WHERE muter_id = ?1
        """

    /// One writer, and every commit forgets (or writes in place) what it changed before the write
    /// returns: what is held is what a read would return.
    public func heldSocialSignals(of viewer: UserID) -> SocialSignals? { database.socialSignalCache.held(viewer) }

    /// Loads every listed viewer's signals into memory in one pass over each table instead of five
    /// queries per viewer at their first page: for a simulated population, whose users all come
    /// on the first day (100,000 × 1: a sixth of the feed's time went to those first loads).
    /// Each viewer gets what `socialSignals(of:)` would read; one already held is left as it is.
    ///
    /// Only on a `.singleThread` database (nothing else does if called on a server's): there no
    /// write can come between the reads and the entries they make.
    public func preloadSocialSignals(of viewers: [UserID]) throws {
        guard case .singleThread = database.access else { return }
        var loaded: [UserID: SocialSignals] = [:]
        loaded.reserveCapacity(viewers.count)
        for viewer in viewers { loaded[viewer] = SocialSignals(friendIDs: [], affinities: []) }
        try database.read { db in
            let affinities = try Row.fetchCursor(db, sql: "SELECT viewer_id, author_id, score, updated_at FROM affinities ORDER BY viewer_id, author_id")
            while let row = try affinities.next() {
                let viewer = UserID(row[0] as Int64)
                guard loaded[viewer] != nil else { continue }
                loaded[viewer]!.affinities.append(SocialSignals.StoredAffinity(authorID: UserID(row[1] as Int64), score: row[2], updatedAtEpochSeconds: row[3]))
            }
            let friendships = try Row.fetchCursor(db, sql: "SELECT user_id, friend_id FROM friendships")
            while let row = try friendships.next() {
                let viewer = UserID(row[0] as Int64)
                guard loaded[viewer] != nil else { continue }
                loaded[viewer]!.friendIDs.insert(UserID(row[1] as Int64))
            }
            // The rows of `relationsSQL`, for every viewer at once.
            let relations = try Row.fetchCursor(db, sql: """
                SELECT blocker_id, 0, blocked_id FROM blocks UNION ALL SELECT blocked_id, 1, blocker_id FROM blocks
                UNION ALL SELECT muter_id, 2, muted_id FROM mutes
                """)
            while let row = try relations.next() {
                let viewer = UserID(row[0] as Int64)
                guard loaded[viewer] != nil else { continue }
                loaded[viewer]!.addRelation(kind: row[1], user: UserID(row[2] as Int64))
            }
            let byAuthor = try Row.fetchCursor(db, sql: "SELECT user_id, author_id, count(*) FROM show_less_marks GROUP BY user_id, author_id")
            while let row = try byAuthor.next() {
                let viewer = UserID(row[0] as Int64)
                guard loaded[viewer] != nil else { continue }
                loaded[viewer]!.showLessByAuthor[UserID(row[1] as Int64)] = row[2]
            }
            let byKind = try Row.fetchCursor(
                db, sql: "SELECT m.user_id, p.kind, count(*) FROM show_less_marks m JOIN posts p ON p.id = m.post_id GROUP BY m.user_id, p.kind")
            while let row = try byKind.next() {
                let viewer = UserID(row[0] as Int64)
                guard loaded[viewer] != nil, let kind = PostKind(rawValue: row[1]) else { continue }
                loaded[viewer]!.showLessByKind[kind] = row[2]
            }
        }
        for (viewer, signals) in loaded { _ = database.socialSignalCache.signals(of: viewer) { signals } }
    }

    /// The viewer's friends, stored affinities and hidden authors, from memory after the first read.
    public func socialSignals(of viewer: UserID) throws -> SocialSignals {
        try database.socialSignalCache.signals(of: viewer) {
            try database.unsafeRead { db in
                let affinities = try Row.fetchAll(
                    db.cachedStatement(sql: "SELECT author_id, score, updated_at FROM affinities WHERE viewer_id = ?"), arguments: [viewer.rawValue]
                ).map { SocialSignals.StoredAffinity(authorID: UserID($0[0] as Int64), score: $0[1], updatedAtEpochSeconds: $0[2]) }
                let friends = try Int64.fetchAll(db.cachedStatement(sql: "SELECT friend_id FROM friendships WHERE user_id = ?"), arguments: [viewer.rawValue])
                var signals = SocialSignals(friendIDs: Set(friends.map { UserID($0) }), affinities: affinities)
                for row in try Row.fetchAll(db.cachedStatement(sql: Self.relationsSQL), arguments: [viewer.rawValue]) {
                    signals.addRelation(kind: row[0], user: UserID(row[1] as Int64))
                }
                for row in try Row.fetchAll(
                    db.cachedStatement(sql: "SELECT author_id, count(*) FROM show_less_marks WHERE user_id = ? GROUP BY author_id"),
                    arguments: [viewer.rawValue])
                {
                    signals.showLessByAuthor[UserID(row[0] as Int64)] = row[1]
                }
                for row in try Row.fetchAll(
                    db.cachedStatement(
                        sql: "SELECT p.kind, count(*) FROM show_less_marks m JOIN posts p ON p.id = m.post_id WHERE m.user_id = ? GROUP BY p.kind"),
                    arguments: [viewer.rawValue])
                {
                    if let kind = PostKind(rawValue: row[0]) { signals.showLessByKind[kind] = row[1] }
                }
                return signals
            }
        }
    }
}
