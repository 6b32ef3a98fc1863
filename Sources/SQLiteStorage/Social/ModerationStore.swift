import Core
import Foundation
import GRDB
import Social
import StorageModel

/// The review queue on SQLite. The rules are `ModerationReview`'s; this loads an item, asks
/// them, and writes the new state, the post's status and the event in one transaction.
public struct ModerationStore: ModerationRepository {
    let database: QuanziDatabase

    public init(database: QuanziDatabase) { self.database = database }

    public func pending(afterID: Int64?, limit: Int) throws -> [ModerationQueueEntry] {
        let limit = max(0, min(limit, ModerationReview.pageSizeMax + 1))
        return try database.read { db in
            var sql = "SELECT \(Self.columns), p.kind, p.body, p.created_at, p.report_count, c.body FROM \(Self.from) WHERE q.outcome = 'pending'"
            var arguments: StatementArguments = []
            if let afterID {
                guard let after = try Row.fetchOne(db, sql: "SELECT queued_at, id FROM moderation_queue WHERE id = ?", arguments: [afterID]) else {
                    throw QuanziError(.moderationItemNotFound, "no moderation item \(afterID) to list after")
                }
                sql += " AND (q.queued_at, q.id) > (?, ?)"
                arguments += [after[0] as Int64, after[1] as Int64]
            }
            sql += " ORDER BY q.queued_at, q.id LIMIT ?"
            arguments += [limit]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                let item = Self.item(from: row)
                let reports = try Row.fetchAll(
                    db.cachedStatement(sql: "SELECT reporter_id, reason, created_at FROM reports WHERE post_id = ? ORDER BY id LIMIT ?"),
                    arguments: [item.postID, ModerationQueuePage.reportsPerItemMax]
                ).map { ModerationReportEntry(reporterID: UserID($0[0] as Int64), reason: $0[1], createdAtEpochSeconds: $0[2]) }
                let offset = Self.columnCount
                return ModerationQueueEntry(
                    item: item, postKind: PostKind(rawValue: row[offset]) ?? .text, postBody: row[offset + 1],
                    postCreatedAtEpochSeconds: row[offset + 2], reports: item.commentID == nil ? reports : [], reportCount: row[offset + 3],
                    commentBody: row[offset + 4])
            }
        }
    }

    public func item(_ id: Int64) throws -> ModerationItemState? {
        try database.read { db in try Self.item(id, db) }
    }

    public func latestItem(ofPost postID: Int64) throws -> ModerationItemState? {
        try database.read { db in
            try Row.fetchOne(db, sql: "\(Self.select) WHERE q.post_id = ? AND q.comment_id IS NULL ORDER BY q.id DESC LIMIT 1", arguments: [postID])
                .map(Self.item(from:))
        }
    }

    public func items(ofAuthor author: UserID, limit: Int) throws -> [ModerationItemState] {
        try database.read { db in
            try Row.fetchAll(
                db, sql: "\(Self.select) WHERE coalesce(c.author_id, p.author_id) = ? ORDER BY q.id DESC LIMIT ?",
                arguments: [author.rawValue, max(0, min(limit, ModerationReview.pageSizeMax + 1))]
            ).map(Self.item(from:))
        }
    }

    public func decide(_ id: Int64, _ decision: ModerationDecision, by moderator: UserID, at now: Int64) throws(QuanziError)
        -> ModerationItemState
    {
        try QuanziError.wrapping {
            try database.write { db in
                guard let item = try Self.item(id, db) else { throw QuanziError(.moderationItemNotFound, "no moderation item \(id)") }
                let decided = try ModerationReview.decide(item, decision, by: moderator, at: now)
                try Self.store(decided, db)
                if decided.outcome == .restored, let commentID = decided.commentID { try Self.announceApprovedComment(commentID, of: decided, at: now, db) }
                try EventLog.append(
                    Event(
                        kind: decision.outcome == .restored ? .moderationApproved : .moderationRemoved, at: now, userID: moderator,
                        circleID: item.circleID, postID: item.postID, targetUserID: item.authorID, context: Self.context(item: id)),
                    in: db)
                return decided
            }
        }
    }

    public func appeal(_ id: Int64, by user: UserID, text: String?, at now: Int64) throws(QuanziError) -> ModerationItemState {
        try QuanziError.wrapping {
            try database.write { db in
                guard let item = try Self.item(id, db) else { throw QuanziError(.moderationItemNotFound, "no moderation item \(id)") }
                let appealed = try ModerationReview.appeal(item, by: user, text: text, at: now)
                try Self.store(appealed, db)
                try EventLog.append(
                    Event(
                        kind: .moderationAppealed, at: now, userID: user, circleID: item.circleID, postID: item.postID,
                        targetUserID: item.firstDecidedBy ?? item.decidedBy, context: Self.context(item: id)),
                    in: db)
                return appealed
            }
        }
    }

    public func summary() throws -> ModerationQueueSummary {
        try database.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT count(*), min(queued_at) FROM moderation_queue WHERE outcome = 'pending'")
            return ModerationQueueSummary(pending: row?[0] ?? 0, oldestQueuedAtEpochSeconds: row?[1])
        }
    }

    public func recordIdentityLook(item id: Int64, by moderator: UserID, at now: Int64) throws(QuanziError) -> IdentityLook {
        try QuanziError.wrapping {
            try database.write { db in
                guard let item = try Self.item(id, db) else { throw QuanziError(.moderationItemNotFound, "no moderation item \(id)") }
                try db.execute(
                    sql: "INSERT INTO identity_looks (moderator_id, item_id, author_id, at) VALUES (?, ?, ?, ?)",
                    arguments: [moderator.rawValue, id, item.authorID.rawValue, now])
                let look = IdentityLook(id: db.lastInsertedRowID, moderatorID: moderator, itemID: id, authorID: item.authorID, atEpochSeconds: now)
                try EventLog.append(
                    Event(
                        kind: .moderationIdentityViewed, at: now, userID: moderator, circleID: item.circleID, postID: item.postID,
                        targetUserID: item.authorID, context: Self.context(item: id)), in: db)
                return look
            }
        }
    }

    public func identityLooks(beforeID: Int64?, limit: Int) throws -> [IdentityLook] {
        try database.read { db in
            try Row.fetchAll(
                db, sql: "SELECT id, moderator_id, item_id, author_id, at FROM identity_looks WHERE id < ? ORDER BY id DESC LIMIT ?",
                arguments: [beforeID ?? Int64.max, max(0, min(limit, ModerationReview.pageSizeMax + 1))]
            ).map { row in
                IdentityLook(
                    id: row[0], moderatorID: UserID(row[1] as Int64), itemID: row[2], authorID: UserID(row[3] as Int64), atEpochSeconds: row[4])
            }
        }
    }

    // MARK: - Rows

    /// Writes an item's decision or appeal, and the post's status and hidden reason that follow
    /// from it. The update names the outcome it read, so a concurrent change fails rather than
    /// being overwritten (one writer on SQLite; the same statement on PostgreSQL relies on it).
    /// A held comment approved: now counted on its post and announced (`comment.created`), as
    /// if written now, so feeds and metrics see it from here on.
    static func announceApprovedComment(_ commentID: Int64, of item: ModerationItemState, at now: Int64, _ db: Database) throws {
        try db.execute(sql: "UPDATE posts SET comment_count = comment_count + 1 WHERE id = ?", arguments: [item.postID])
        let postAuthor = try Int64.fetchOne(db, sql: "SELECT author_id FROM posts WHERE id = ?", arguments: [item.postID])
        try EventLog.append(
            Event(
                kind: .commentCreated, at: now, userID: item.authorID, circleID: item.circleID, postID: item.postID,
                targetUserID: postAuthor.map { UserID($0) }), in: db)
    }

    static func store(_ item: ModerationItemState, _ db: Database) throws {
        try db.execute(
            sql: """
                UPDATE moderation_queue SET outcome = ?, decided_at = ?, decided_by = ?, decision_text = ?,
                  queued_at = coalesce(?, queued_at), appealed_at = ?, appeal_text = ?, first_decided_by = ?, first_decision_text = ?
                WHERE id = ?
                """,
            arguments: [
                item.outcome.rawValue, item.decidedAtEpochSeconds, item.decidedBy?.rawValue, item.decisionText,
                item.outcome == .pending ? item.appealedAtEpochSeconds : nil, item.appealedAtEpochSeconds, item.appealText,
                item.firstDecidedBy?.rawValue, item.firstDecisionText, item.id,
            ])
        if let commentID = item.commentID {
            // A comment's item decides the comment alone; its post is untouched.
            try db.execute(
                sql: "UPDATE comments SET status = ? WHERE id = ?", arguments: [item.outcome == .restored ? "visible" : "hidden", commentID])
            return
        }
        // A post its author deleted meanwhile stays deleted.
        try db.execute(
            sql: "UPDATE posts SET status = ?, hidden_reason = ? WHERE id = ? AND status <> 'deleted'",
            arguments: [
                ModerationReview.postStatus(after: item.outcome).rawValue, ModerationReview.hiddenReason(after: item), item.postID,
            ])
    }

    static func context(item id: Int64) -> String { "{\"item\":\(id)}" }

    static func item(_ id: Int64, _ db: Database) throws -> ModerationItemState? {
        try Row.fetchOne(db, sql: "\(select) WHERE q.id = ?", arguments: [id]).map(item(from:))
    }

    /// The item's author is the comment's for a comment's item, the post's otherwise.
    static let columns = """
        q.id, q.post_id, p.circle_id, coalesce(c.author_id, p.author_id), q.reason, q.detail, q.created_at, q.outcome, q.decided_at,
        q.decided_by, q.decision_text, q.appealed_at, q.appeal_text, q.first_decided_by, q.first_decision_text, q.comment_id
        """
    static let columnCount = 16
    static let from = "moderation_queue q JOIN posts p ON p.id = q.post_id LEFT JOIN comments c ON c.id = q.comment_id"
    static let select = "SELECT \(columns) FROM \(from)"

    static func item(from row: Row) -> ModerationItemState {
        let id: Int64 = row[0]
        let postID: Int64 = row[1]
        let circle: String = row[2]
        let author: Int64 = row[3]
        let reason: String = row[4]
        let detail: String = row[5]
        let createdAt: Int64 = row[6]
        let outcome: String = row[7]
        let decidedAt: Int64? = row[8]
        let decidedBy: Int64? = row[9]
        let decisionText: String? = row[10]
        let appealedAt: Int64? = row[11]
        let appealText: String? = row[12]
        let firstDecidedBy: Int64? = row[13]
        let firstDecisionText: String? = row[14]
        let commentID: Int64? = row[15]
        return ModerationItemState(
            id: id, postID: postID, circleID: CircleID(circle), authorID: UserID(author),
            reason: ModerationHoldReason(rawValue: reason) ?? .reports, detail: detail, createdAtEpochSeconds: createdAt,
            outcome: ModerationOutcome(rawValue: outcome) ?? .pending, decidedAtEpochSeconds: decidedAt,
            decidedBy: decidedBy.map { UserID($0) }, decisionText: decisionText, appealedAtEpochSeconds: appealedAt,
            appealText: appealText, firstDecidedBy: firstDecidedBy.map { UserID($0) }, firstDecisionText: firstDecisionText,
            commentID: commentID)
    }
}
