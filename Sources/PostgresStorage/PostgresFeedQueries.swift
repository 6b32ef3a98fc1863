import Core
import Feed
import PostgresNIO
import Social
import StorageModel

/// What the feeds read on PostgreSQL (SQLiteStorage's `FeedQueries`): a circle's candidates at
/// start-up, and a viewer's friends and affinities once per request.
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
                       p.report_count, coalesce(c.score, \(Self.unscoredCredit)), p.status
                FROM posts p LEFT JOIN credit_scores c ON c.user_id = p.author_id
                WHERE p.circle_id = \(circle.rawValue) AND p.created_at >= \(now - limits.ageMaxSeconds)
                ORDER BY p.created_at DESC, p.id DESC LIMIT \(limits.countMax)
                """, as: (Int64, Int64, Int64, Int, Int, Int64, Int, Int, String).self
            ).map { id, author, createdAt, likes, comments, tipsFen, reports, credit, status in
                CandidateRow(
                    postID: id, authorID: UserID(author), createdAtEpochSeconds: createdAt, likeCount: likes,
                    commentCount: comments, tipsFen: tipsFen, reportCount: reports, authorCreditScore: credit,
                    status: CandidateRows.status(PostStatus(rawValue: status) ?? .hidden))
            }
    }

    /// The viewer's friends and stored affinities, read on every call. No cache here (SQLite's
    /// `FeedQueries` keeps one, invalidated by triggers on its single writer): on PostgreSQL other
    /// nodes write too, and their friendships and affinities would leave a node's cache stale
    /// until feeds follow the events table.
    public func socialSignals(of viewer: UserID) throws -> SocialSignals {
        try database.read { session in
            let affinities = try session.rows(
                "SELECT author_id, score, updated_at FROM affinities WHERE viewer_id = \(viewer.rawValue) ORDER BY author_id",
                as: (Int64, Double, Int64).self
            ).map { SocialSignals.StoredAffinity(authorID: UserID($0), score: $1, updatedAtEpochSeconds: $2) }
            let friends = try session.values("SELECT friend_id FROM friendships WHERE user_id = \(viewer.rawValue)", as: Int64.self)
            return SocialSignals(friendIDs: Set(friends.map { UserID($0) }), affinities: affinities)
        }
    }
}
