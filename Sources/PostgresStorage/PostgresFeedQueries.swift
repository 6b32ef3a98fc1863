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

    /// What a cold viewer's feed needs about them, in one statement: one snapshot without a
    /// transaction, one round trip where BEGIN, five reads and COMMIT took seven. A cold page
    /// waits for it on a worker thread, and after a node starts, or after other writes made it
    /// forget its viewers, every viewer's first page is cold: seven round trips each held the
    /// first pages of a 64-connection feed run at a p99 of about 100 ms (warm: under 20 ms).
    /// Each row is tagged with what it is (`SignalRow`).
    static func readSocialSignals(of viewer: UserID, _ database: QuanziPostgresDatabase) throws -> SocialSignals {
        let id = viewer.rawValue
        let rows = try database.unsafeRead { session in
            try session.rows(
                """
                SELECT \(SignalRow.affinity.rawValue)::int4, author_id, score, updated_at, NULL::text
                  FROM affinities WHERE viewer_id = \(id)
                UNION ALL SELECT \(SignalRow.friend.rawValue), friend_id, NULL, NULL, NULL FROM friendships WHERE user_id = \(id)
                UNION ALL SELECT \(SignalRow.blocked.rawValue), blocked_id, NULL, NULL, NULL FROM blocks WHERE blocker_id = \(id)
                UNION ALL SELECT \(SignalRow.blockedBy.rawValue), blocker_id, NULL, NULL, NULL FROM blocks WHERE blocked_id = \(id)
                UNION ALL SELECT \(SignalRow.muted.rawValue), muted_id, NULL, NULL, NULL FROM mutes WHERE muter_id = \(id)
                UNION ALL SELECT \(SignalRow.showLessByAuthor.rawValue), author_id, NULL, count(*), NULL
                  FROM show_less_marks WHERE user_id = \(id) GROUP BY author_id
                UNION ALL SELECT \(SignalRow.showLessByKind.rawValue), NULL, NULL, count(*), p.kind
                  FROM show_less_marks m JOIN posts p ON p.id = m.post_id WHERE m.user_id = \(id) GROUP BY p.kind
                """, as: (Int32, Int64?, Double?, Int64?, String?).self)
        }
        var affinities: [SocialSignals.StoredAffinity] = []
        var friends: Set<UserID> = []
        var relations: [(kind: Int, user: UserID)] = []
        var byAuthor: [UserID: Int] = [:]
        var byKind: [PostKind: Int] = [:]
        for (tag, user, score, number, text) in rows {
            switch SignalRow(rawValue: tag) {
            case .affinity:
                guard let user, let score, let updatedAt = number else { throw PostgresStorageCorrupt(reason: "an affinity row with NULLs") }
                affinities.append(SocialSignals.StoredAffinity(authorID: UserID(user), score: score, updatedAtEpochSeconds: updatedAt))
            case .friend: if let user { friends.insert(UserID(user)) }
            case .blocked: if let user { relations.append((0, UserID(user))) }
            case .blockedBy: if let user { relations.append((1, UserID(user))) }
            case .muted: if let user { relations.append((2, UserID(user))) }
            case .showLessByAuthor: if let user, let number { byAuthor[UserID(user)] = Int(number) }
            case .showLessByKind: if let text, let number, let kind = PostKind(rawValue: text) { byKind[kind] = Int(number) }
            case nil: throw PostgresStorageCorrupt(reason: "a social signal row tagged \(tag)")
            }
        }
        // In author order, as the statement per table returned them.
        affinities.sort { $0.authorID.rawValue < $1.authorID.rawValue }
        var signals = SocialSignals(friendIDs: friends, affinities: affinities)
        // Whom the viewer blocked (0), who blocked the viewer (1), whom the viewer muted (2).
        for (kind, user) in relations { signals.addRelation(kind: kind, user: user) }
        signals.showLessByAuthor = byAuthor
        signals.showLessByKind = byKind
        return signals
    }

    /// What a row of ``readSocialSignals(of:_:)`` holds: (tag, user, score, number, text).
    enum SignalRow: Int32 {
        /// author, score, updated at
        case affinity
        /// friend
        case friend
        /// whom the viewer blocked
        case blocked
        /// who blocked the viewer
        case blockedBy
        /// whom the viewer muted
        case muted
        /// author, marks
        case showLessByAuthor
        /// marks, post kind
        case showLessByKind
    }
}
