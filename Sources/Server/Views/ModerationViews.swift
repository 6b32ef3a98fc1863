import Social
import StorageModel

/// One item of the review queue as the API shows it (the moderator's routes and the author's).
struct ModerationItemView: Encodable, Sendable {
    let id: Int64
    let postID: Int64
    let commentID: Int64?
    let circleID: String
    let authorID: Int64
    let reason: String
    let detail: String
    let createdAt: Int64
    let outcome: String
    let decidedAt: Int64?
    let decidedBy: Int64?
    let decisionText: String?
    let appealedAt: Int64?
    let appealText: String?
    let firstDecisionText: String?
    let mayBeAppealed: Bool

    init(_ item: ModerationItemState, showModerators: Bool) {
        id = item.id
        postID = item.postID
        commentID = item.commentID
        circleID = item.circleID.rawValue
        authorID = item.authorID.rawValue
        reason = item.reason.rawValue
        detail = item.detail
        createdAt = item.createdAtEpochSeconds
        outcome = item.outcome.rawValue
        decidedAt = item.decidedAtEpochSeconds
        // Authors see what was decided and why, not which moderator decided it.
        decidedBy = showModerators ? item.decidedBy?.rawValue : nil
        decisionText = item.decisionText
        appealedAt = item.appealedAtEpochSeconds
        appealText = item.appealText
        firstDecisionText = item.firstDecisionText
        mayBeAppealed = item.mayBeAppealed
    }

    enum CodingKeys: String, CodingKey {
        case id, postID = "post_id", commentID = "comment_id", circleID = "circle_id", authorID = "author_id", reason, detail, createdAt = "created_at", outcome
        case decidedAt = "decided_at", decidedBy = "decided_by", decisionText = "decision_text", appealedAt = "appealed_at"
        case appealText = "appeal_text", firstDecisionText = "first_decision_text", mayBeAppealed = "may_be_appealed"
    }
}

/// A page of the review queue, oldest first, each item with its post and reports.
struct ModerationQueueView: Encodable, Sendable {
    struct Report: Encodable, Sendable {
        let reporterID: Int64
        let reason: String
        let createdAt: Int64
        enum CodingKeys: String, CodingKey { case reporterID = "reporter_id", reason, createdAt = "created_at" }
    }

    struct Entry: Encodable, Sendable {
        let item: ModerationItemView
        let postKind: String
        let postBody: String
        let postCreatedAt: Int64
        let commentBody: String?
        let reports: [Report]
        let reportCount: Int
        enum CodingKeys: String, CodingKey {
            case item, postKind = "post_kind", postBody = "post_body", postCreatedAt = "post_created_at", commentBody = "comment_body", reports
            case reportCount = "report_count"
        }
    }

    let items: [Entry]
    let nextCursor: String?

    init(_ entries: some Collection<ModerationQueueEntry>, nextCursor: String?) {
        items = entries.map { entry in
            Entry(
                item: ModerationItemView(entry.item, showModerators: true), postKind: entry.postKind.rawValue, postBody: entry.postBody,
                postCreatedAt: entry.postCreatedAtEpochSeconds, commentBody: entry.commentBody,
                reports: entry.reports.map { Report(reporterID: $0.reporterID.rawValue, reason: $0.reason, createdAt: $0.createdAtEpochSeconds) },
                reportCount: entry.reportCount)
        }
        self.nextCursor = nextCursor
    }

    enum CodingKeys: String, CodingKey { case items, nextCursor = "next_cursor" }
}

/// The caller's own posts' moderation: what was decided, and whether they may still appeal.
struct MyModerationView: Encodable, Sendable {
    let items: [ModerationItemView]
}

/// One recorded look at an identity (the admins' audit).
struct IdentityLookView: Encodable, Sendable {
    let id: Int64
    let moderatorID: Int64
    let itemID: Int64
    let authorID: Int64
    let at: Int64

    init(_ look: IdentityLook) {
        id = look.id
        moderatorID = look.moderatorID.rawValue
        itemID = look.itemID
        authorID = look.authorID.rawValue
        at = look.atEpochSeconds
    }

    enum CodingKeys: String, CodingKey { case id, moderatorID = "moderator_id", itemID = "item_id", authorID = "author_id", at }
}

struct IdentityLooksView: Encodable, Sendable {
    let looks: [IdentityLookView]
    let nextCursor: String?
    enum CodingKeys: String, CodingKey { case looks, nextCursor = "next_cursor" }
}

/// The verified identity behind a queue item, as a moderator sees it, with the look that was recorded.
struct IdentityView: Encodable, Sendable {
    let look: IdentityLookView
    let author: VerifiedProfileView

    init(look: IdentityLook, author user: UserProfile) {
        self.look = IdentityLookView(look)
        author = VerifiedProfileView(user)
    }
}
