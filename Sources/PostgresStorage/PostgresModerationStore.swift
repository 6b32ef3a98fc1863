import Core
import PostgresNIO
import Social
import StorageModel

/// The review queue on PostgreSQL (SQLiteStorage's `ModerationStore`). A decision or an appeal
/// locks the item's row (`FOR UPDATE`) so two moderators on two nodes cannot both decide it:
/// the second sees the first's outcome and is refused by `ModerationReview`.
public struct PostgresModerationStore: ModerationRepository {
    let database: QuanziPostgresDatabase

    public init(database: QuanziPostgresDatabase) { self.database = database }

    public func pending(afterID: Int64?, limit: Int) throws -> [ModerationQueueEntry] {
        let limit = max(0, min(limit, ModerationReview.pageSizeMax + 1))
        return try database.read { session in
            var after: (Int64, Int64) = (Int64.min, Int64.min)
            if let afterID {
                guard let found = try session.row("SELECT queued_at, id FROM moderation_queue WHERE id = \(afterID)", as: (Int64, Int64).self) else {
                    throw QuanziError(.moderationItemNotFound, "no moderation item \(afterID) to list after")
                }
                after = found
            }
            let rows = try session.rows(
                """
                SELECT \(unescaped: Self.columns), p.kind, p.body, p.created_at, p.report_count, c.body
                FROM \(unescaped: Self.from)
                WHERE q.outcome = 'pending' AND (q.queued_at, q.id) > (\(after.0), \(after.1))
                ORDER BY q.queued_at, q.id LIMIT \(limit)
                """, as: (Int64, Int64, String, Int64, String, String, Int64, String, Int64?, Int64?, String?, Int64?, String?, Int64?, String?,
                          Int64?, String, String, Int64, Int, String?).self)
            return try rows.map { row in
                let item = Self.item(
                    from: (row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8, row.9, row.10, row.11, row.12, row.13, row.14, row.15))
                let reports = try session.rows(
                    """
                    SELECT reporter_id, reason, created_at FROM reports WHERE post_id = \(item.postID)
                    ORDER BY id LIMIT \(ModerationQueuePage.reportsPerItemMax)
                    """, as: (Int64, String, Int64).self
                ).map { ModerationReportEntry(reporterID: UserID($0.0), reason: $0.1, createdAtEpochSeconds: $0.2) }
                return ModerationQueueEntry(
                    item: item, postKind: PostKind(rawValue: row.16) ?? .text, postBody: row.17, postCreatedAtEpochSeconds: row.18,
                    reports: item.commentID == nil ? reports : [], reportCount: row.19, commentBody: row.20)
            }
        }
    }

    public func item(_ id: Int64) throws -> ModerationItemState? {
        try database.read { session in try Self.item(id, session, lock: false) }
    }

    public func latestItem(ofPost postID: Int64) throws -> ModerationItemState? {
        try database.read { session in
            try session.row("\(unescaped: Self.select) WHERE q.post_id = \(postID) AND q.comment_id IS NULL ORDER BY q.id DESC LIMIT 1", as: Self.Row.self).map(Self.item(from:))
        }
    }

    public func items(ofAuthor author: UserID, limit: Int) throws -> [ModerationItemState] {
        let limit = max(0, min(limit, ModerationReview.pageSizeMax + 1))
        return try database.read { session in
            try session.rows("\(unescaped: Self.select) WHERE coalesce(c.author_id, p.author_id) = \(author.rawValue) ORDER BY q.id DESC LIMIT \(limit)", as: Self.Row.self)
                .map(Self.item(from:))
        }
    }

    public func decide(_ id: Int64, _ decision: ModerationDecision, by moderator: UserID, at now: Int64) throws(QuanziError)
        -> ModerationItemState
    {
        try QuanziError.wrapping {
            try database.write { session in
                guard let item = try Self.item(id, session, lock: true) else { throw QuanziError(.moderationItemNotFound, "no moderation item \(id)") }
                let decided = try ModerationReview.decide(item, decision, by: moderator, at: now)
                try Self.store(decided, session)
                if decided.outcome == .restored, decided.commentID != nil {
                    // A held comment approved: counted on its post and announced from now on.
                    try session.execute(PostgresPostWrites.addCounts([decided.postID: .init(comments: 1)]))
                    let postAuthor = try session.value("SELECT author_id FROM posts WHERE id = \(decided.postID)", as: Int64.self)
                    try PostgresEventLog.append(
                        Event(
                            kind: .commentCreated, at: now, userID: decided.authorID, circleID: decided.circleID, postID: decided.postID,
                            targetUserID: postAuthor.map { UserID($0) }), in: session)
                }
                try PostgresEventLog.append(
                    Event(
                        kind: decision.outcome == .restored ? .moderationApproved : .moderationRemoved, at: now, userID: moderator,
                        circleID: item.circleID, postID: item.postID, targetUserID: item.authorID, context: "{\"item\":\(id)}"),
                    in: session)
                return decided
            }
        }
    }

    public func appeal(_ id: Int64, by user: UserID, text: String?, at now: Int64) throws(QuanziError) -> ModerationItemState {
        try QuanziError.wrapping {
            try database.write { session in
                guard let item = try Self.item(id, session, lock: true) else { throw QuanziError(.moderationItemNotFound, "no moderation item \(id)") }
                let appealed = try ModerationReview.appeal(item, by: user, text: text, at: now)
                try Self.store(appealed, session)
                try PostgresEventLog.append(
                    Event(
                        kind: .moderationAppealed, at: now, userID: user, circleID: item.circleID, postID: item.postID,
                        targetUserID: item.firstDecidedBy ?? item.decidedBy, context: "{\"item\":\(id)}"),
                    in: session)
                return appealed
            }
        }
    }

    public func summary() throws -> ModerationQueueSummary {
        try database.unsafeRead { session in
            let row = try session.row("SELECT count(*)::bigint, min(queued_at) FROM moderation_queue WHERE outcome = 'pending'", as: (Int64, Int64?).self)
            return ModerationQueueSummary(pending: Int(row?.0 ?? 0), oldestQueuedAtEpochSeconds: row?.1)
        }
    }

    public func recordIdentityLook(item id: Int64, by moderator: UserID, at now: Int64) throws(QuanziError) -> IdentityLook {
        try QuanziError.wrapping {
            try database.write { session in
                guard let item = try Self.item(id, session, lock: false) else { throw QuanziError(.moderationItemNotFound, "no moderation item \(id)") }
                guard let lookID = try session.value(
                    """
                    INSERT INTO identity_looks (moderator_id, item_id, author_id, at)
                    VALUES (\(moderator.rawValue), \(id), \(item.authorID.rawValue), \(now)) RETURNING id
                    """, as: Int64.self)
                else { throw PostgresStorageCorrupt(reason: "INSERT returned no identity look id") }
                try PostgresEventLog.append(
                    Event(
                        kind: .moderationIdentityViewed, at: now, userID: moderator, circleID: item.circleID, postID: item.postID,
                        targetUserID: item.authorID, context: "{\"item\":\(id)}"), in: session)
                return IdentityLook(id: lookID, moderatorID: moderator, itemID: id, authorID: item.authorID, atEpochSeconds: now)
            }
        }
    }

    public func identityLooks(beforeID: Int64?, limit: Int) throws -> [IdentityLook] {
        let limit = max(0, min(limit, ModerationReview.pageSizeMax + 1))
        return try database.read { session in
            try session.rows(
                """
                SELECT id, moderator_id, item_id, author_id, at FROM identity_looks WHERE id < \(beforeID ?? Int64.max)
                ORDER BY id DESC LIMIT \(limit)
                """, as: (Int64, Int64, Int64, Int64, Int64).self
            ).map { IdentityLook(id: $0.0, moderatorID: UserID($0.1), itemID: $0.2, authorID: UserID($0.3), atEpochSeconds: $0.4) }
        }
    }

    // MARK: - Rows

    /// Writes an item's decision or appeal, and the post's status and hidden reason that follow
    /// (a post its author deleted meanwhile stays deleted).
    static func store(_ item: ModerationItemState, _ session: PostgresSession) throws {
        let queuedAt: Int64? = item.outcome == .pending ? item.appealedAtEpochSeconds : nil
        try session.execute(
            """
            UPDATE moderation_queue SET outcome = \(item.outcome.rawValue), decided_at = \(item.decidedAtEpochSeconds),
              decided_by = \(item.decidedBy?.rawValue), decision_text = \(item.decisionText),
              queued_at = coalesce(\(queuedAt)::bigint, queued_at), appealed_at = \(item.appealedAtEpochSeconds), appeal_text = \(item.appealText),
              first_decided_by = \(item.firstDecidedBy?.rawValue), first_decision_text = \(item.firstDecisionText)
            WHERE id = \(item.id)
            """)
        if let commentID = item.commentID {
            // A comment's item decides the comment alone; its post is untouched.
            try session.execute("UPDATE comments SET status = \(item.outcome == .restored ? "visible" : "hidden") WHERE id = \(commentID)")
            return
        }
        try session.execute(
            """
            UPDATE posts SET status = \(ModerationReview.postStatus(after: item.outcome).rawValue),
              hidden_reason = \(ModerationReview.hiddenReason(after: item))
            WHERE id = \(item.postID) AND status <> 'deleted'
            """)
    }

    static func item(_ id: Int64, _ session: PostgresSession, lock: Bool) throws -> ModerationItemState? {
        try session.row("\(unescaped: select) WHERE q.id = \(id)\(unescaped: lock ? " FOR UPDATE OF q" : "")", as: Row.self).map(item(from:))
    }

    /// The item's author is the comment's for a comment's item, the post's otherwise.
    static let columns = """
        q.id, q.post_id, p.circle_id, coalesce(c.author_id, p.author_id), q.reason, q.detail, q.created_at, q.outcome, q.decided_at,
        q.decided_by, q.decision_text, q.appealed_at, q.appeal_text, q.first_decided_by, q.first_decision_text, q.comment_id
        """
    static let from = "moderation_queue q JOIN posts p ON p.id = q.post_id LEFT JOIN comments c ON c.id = q.comment_id"
    static let select = "SELECT \(columns) FROM \(from)"
    typealias Row = (
        Int64, Int64, String, Int64, String, String, Int64, String, Int64?, Int64?, String?, Int64?, String?, Int64?, String?, Int64?
    )

    static func item(from row: Row) -> ModerationItemState {
        ModerationItemState(
            id: row.0, postID: row.1, circleID: CircleID(row.2), authorID: UserID(row.3), reason: ModerationHoldReason(rawValue: row.4) ?? .reports,
            detail: row.5, createdAtEpochSeconds: row.6, outcome: ModerationOutcome(rawValue: row.7) ?? .pending, decidedAtEpochSeconds: row.8,
            decidedBy: row.9.map { UserID($0) }, decisionText: row.10, appealedAtEpochSeconds: row.11, appealText: row.12,
            firstDecidedBy: row.13.map { UserID($0) }, firstDecisionText: row.14, commentID: row.15)
    }
}
