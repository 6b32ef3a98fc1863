import Core
import Feed
import PostgresNIO
import Social

/// What the feeds read on PostgreSQL (Storage's `FeedQueries`): a circle's candidates at
/// start-up, and a viewer's signals once per request.
public struct PostgresFeedQueries: Sendable {
    /// The credit a post's author counts with before any score is computed: the bottom of the
    /// scale, so an unknown author never outranks a known one on credit.
    public static let unscoredCredit = 350

    let database: QuanziPostgresDatabase

    public init(database: QuanziPostgresDatabase) { self.database = database }

    /// The circle's recent posts (every status), newest first, with tips from the ledger.
    public func candidateRows(circle: CircleID, now: Int64, limits: CandidateWindowLimits) throws -> [CandidateRow] {
        try database.unsafeRead { session in
            try session.rows(
                """
                SELECT p.id, p.author_id, p.created_at, p.like_count, p.comment_count,
                       coalesce((SELECT sum(amount_fen) FROM ledger_transfers t WHERE t.kind = 'tip' AND t.post_id = p.id), 0)::bigint,
                       p.report_count, coalesce(c.score, \(Self.unscoredCredit)), p.status
                FROM posts p LEFT JOIN credit_scores c ON c.user_id = p.author_id
                WHERE p.circle_id = \(circle.rawValue) AND p.created_at >= \(now - limits.ageMaxSeconds)
                ORDER BY p.created_at DESC, p.id DESC LIMIT \(limits.countMax)
                """, as: (Int64, Int64, Int64, Int, Int, Int64, Int, Int, String).self
            ).map { id, author, createdAt, likes, comments, tipsFen, reports, credit, status in
                CandidateRow(
                    postID: id, authorID: UserID(author), createdAtEpochSeconds: createdAt, likeCount: likes,
                    commentCount: comments, tipsFen: tipsFen, reportCount: reports, authorCreditScore: credit,
                    status: Self.status(PostStatus(rawValue: status) ?? .hidden))
            }
        }
    }

    public static func status(_ status: PostStatus) -> CandidateStatus {
        switch status {
        case .visible: .visible
        case .hidden: .hidden
        case .deleted: .deleted
        }
    }

    /// Affinity per author, friends, and posts of `circle` seen in [`seenSince`, `seenBefore`).
    public func viewerSignals(_ viewer: UserID, circle: CircleID, now: Int64, seenSince: Int64, seenBefore: Int64) throws -> ViewerSignals {
        try database.unsafeRead { session in
            var affinity: [UserID: Double] = [:]
            for (author, score, updatedAt) in try session.rows(
                "SELECT author_id, score, updated_at FROM affinities WHERE viewer_id = \(viewer.rawValue)", as: (Int64, Double, Int64).self)
            {
                affinity[UserID(author)] = Affinity.normalized(
                    Affinity.decayed(score, updatedAtEpochSeconds: updatedAt, nowEpochSeconds: now))
            }
            let friends = try session.values("SELECT friend_id FROM friendships WHERE user_id = \(viewer.rawValue)", as: Int64.self)
            // Answered from the events_viewer_seen index; the Set removes repeats.
            let seen = try session.values(
                """
                SELECT post_id FROM events WHERE user_id = \(viewer.rawValue) AND kind = 'post.viewed'
                  AND circle_id = \(circle.rawValue) AND at >= \(seenSince) AND at < \(seenBefore)
                """, as: Int64.self)
            return ViewerSignals(
                viewerID: viewer, affinityByAuthor: affinity, friendIDs: Set(friends.map { UserID($0) }), seenPostIDs: Set(seen))
        }
    }
}
