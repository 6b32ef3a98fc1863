import Core
import Feed
import PostgresNIO
import Social
import StorageModel

/// What the feeds read on PostgreSQL (SQLiteStorage's `FeedQueries`): a circle's candidates at
/// start-up, and a viewer's friends and affinities, held in memory once read.
public struct PostgresFeedQueries: Sendable {
    /// The credit a post's author counts with before any score is computed (`CandidateRows`).
    public static let unscoredCredit = CandidateRows.unscoredCredit

    let database: QuanziPostgresDatabase

    public init(database: QuanziPostgresDatabase) { self.database = database }

    /// The circle's recent posts (every status), newest first, with tips from the ledger.
    public func candidateRows(circle: CircleID, now: Int64, limits: CandidateWindowLimits) throws -> [CandidateRow] {
        try database.unsafeRead { session in try Self.candidateRows(circle: circle, now: now, limits: limits, session) }
    }

    static func candidateRows(circle: CircleID, now: Int64, limits: CandidateWindowLimits, _ session: PostgresSession) throws -> [CandidateRow] {
            try session.rows(
                """
                SELECT p.id, p.author_id, p.created_at, p.like_count, p.comment_count,
                       coalesce((SELECT sum(amount_fen) FROM ledger_transfers t WHERE t.kind = 'tip' AND t.post_id = p.id), 0)::bigint,
                       p.report_count, coalesce(c.score, \(Self.unscoredCredit)), p.status, p.kind, coalesce(u.city, '')
                FROM posts p LEFT JOIN credit_scores c ON c.user_id = p.author_id LEFT JOIN users u ON u.id = p.author_id
                WHERE p.circle_id = \(circle.rawValue) AND p.created_at >= \(now - limits.ageMaxSeconds)
                ORDER BY p.created_at DESC, p.id DESC LIMIT \(limits.countMax)
                """, as: (Int64, Int64, Int64, Int, Int, Int64, Int, Int, String, String, String).self
            ).map { id, author, createdAt, likes, comments, tipsFen, reports, credit, status, kind, city in
                CandidateRow(
                    postID: id, authorID: UserID(author), createdAtEpochSeconds: createdAt, likeCount: likes,
                    commentCount: comments, tipsFen: tipsFen, reportCount: reports, authorCreditScore: credit,
                    status: CandidateRows.status(PostStatus(rawValue: status) ?? .hidden),
                    kindIndex: CandidateRows.kindIndex(PostKind(rawValue: kind) ?? .text), authorGroup: AuthorGroups.code(for: city))
            }
    }

    /// The viewer's friends and stored affinities, from memory after the first read. This node's
    /// stores forget a viewer after each commit that changes their rows; other nodes' commits
    /// reach ``forgetSocialSignals(of:)`` through the service's follower, which reads the events
    /// they wrote with the rows (`friend.added`, `friend.removed`, `like.created`,
    /// `comment.created`, `affinity.changed`, `user.blocked`/`unblocked`, `user.muted`/`unmuted`). A read that began before such a forgetting does
    /// not keep what it read (`SocialSignalCache`'s tickets).
    public func socialSignals(of viewer: UserID) throws -> SocialSignals {
        guard database.holdsFollowedRows else { return try Self.readSocialSignals(of: viewer, database) }
        return try database.socialSignalCache.signals(of: viewer) { try Self.readSocialSignals(of: viewer, database) }
    }

    /// Never: other nodes' commits reach this node's memory through its follower, after the
    /// database has them.
    public func heldSocialSignals(of viewer: UserID) -> SocialSignals? { nil }

    public func forgetSocialSignals(of viewers: [UserID]) { database.socialSignalCache.invalidate(viewers) }
    public func forgetAllSocialSignals() { database.socialSignalCache.invalidateAll() }

    public var memory: FeedMemory {
        let seen = database.seenPostsIndex.size
        return FeedMemory(socialSignalViewers: database.socialSignalCache.entryCount, seenSets: seen.entries, seenPosts: seen.posts)
    }

    static func readSocialSignals(of viewer: UserID, _ database: QuanziPostgresDatabase) throws -> SocialSignals {
        try database.read { session in
            let affinities = try session.rows(
                "SELECT author_id, score, updated_at FROM affinities WHERE viewer_id = \(viewer.rawValue) ORDER BY author_id",
                as: (Int64, Double, Int64).self
            ).map { SocialSignals.StoredAffinity(authorID: UserID($0), score: $1, updatedAtEpochSeconds: $2) }
            let friends = try session.values("SELECT friend_id FROM friendships WHERE user_id = \(viewer.rawValue)", as: Int64.self)
            // Whom the viewer blocked (0), who blocked the viewer (1), whom the viewer muted (2).
            var signals = SocialSignals(friendIDs: Set(friends.map { UserID($0) }), affinities: affinities)
            let relations = try session.rows(
                """
                SELECT 0, blocked_id FROM blocks WHERE blocker_id = \(viewer.rawValue)
                UNION ALL SELECT 1, blocker_id FROM blocks WHERE blocked_id = \(viewer.rawValue)
                UNION ALL SELECT 2, muted_id FROM mutes WHERE muter_id = \(viewer.rawValue)
                """, as: (Int32, Int64).self)
            for (kind, user) in relations { signals.addRelation(kind: Int(kind), user: UserID(user)) }
            let marks = try session.rows(
                "SELECT author_id, count(*) FROM show_less_marks WHERE user_id = \(viewer.rawValue) GROUP BY author_id", as: (Int64, Int64).self)
            for (author, count) in marks { signals.showLessByAuthor[UserID(author)] = Int(count) }
            let kinds = try session.rows(
                """
                SELECT p.kind, count(*) FROM show_less_marks m JOIN posts p ON p.id = m.post_id WHERE m.user_id = \(viewer.rawValue)
                GROUP BY p.kind
                """, as: (String, Int64).self)
            for (kind, count) in kinds { if let kind = PostKind(rawValue: kind) { signals.showLessByKind[kind] = Int(count) } }
            return signals
        }
    }
}
