import Core
import Social

/// A report on a held post, as a moderator sees it in the queue.
public struct ModerationReportEntry: Sendable, Hashable, Codable {
    public var reporterID: UserID
    public var reason: String
    public var createdAtEpochSeconds: Int64

    public init(reporterID: UserID, reason: String, createdAtEpochSeconds: Int64) {
        self.reporterID = reporterID
        self.reason = reason
        self.createdAtEpochSeconds = createdAtEpochSeconds
    }
}

/// One item of the review queue with what a moderator needs to judge it: the post and its reports.
public struct ModerationQueueEntry: Sendable, Hashable {
    public var item: ModerationItemState
    public var postKind: PostKind
    public var postBody: String
    public var postCreatedAtEpochSeconds: Int64
    /// The post's reports, oldest first (at most `ModerationQueuePage.reportsPerItemMax`).
    public var reports: [ModerationReportEntry]
    /// All its reports, also those beyond the list.
    public var reportCount: Int
    /// The held comment's text, for a comment's item.
    public var commentBody: String?

    public init(
        item: ModerationItemState, postKind: PostKind, postBody: String, postCreatedAtEpochSeconds: Int64,
        reports: [ModerationReportEntry], reportCount: Int, commentBody: String? = nil
    ) {
        self.commentBody = commentBody
        self.item = item
        self.postKind = postKind
        self.postBody = postBody
        self.postCreatedAtEpochSeconds = postCreatedAtEpochSeconds
        self.reports = reports
        self.reportCount = reportCount
    }
}

public enum ModerationQueuePage {
    /// Reports listed with one item at most (the count says how many there are in all).
    public static let reportsPerItemMax = 20
}

/// The queue's size and the age of what waits longest (for `/metrics`).
public struct ModerationQueueSummary: Sendable, Hashable {
    public var pending: Int
    /// When the longest-waiting item entered the queue (or re-entered it, appealed); nil when empty.
    public var oldestQueuedAtEpochSeconds: Int64?

    public init(pending: Int, oldestQueuedAtEpochSeconds: Int64?) {
        self.pending = pending
        self.oldestQueuedAtEpochSeconds = oldestQueuedAtEpochSeconds
    }
}

/// One look at the verified identity behind a queue item: who looked, when, at whose.
public struct IdentityLook: Sendable, Hashable {
    public var id: Int64
    public var moderatorID: UserID
    public var itemID: Int64
    public var authorID: UserID
    public var atEpochSeconds: Int64

    public init(id: Int64, moderatorID: UserID, itemID: Int64, authorID: UserID, atEpochSeconds: Int64) {
        self.id = id
        self.moderatorID = moderatorID
        self.itemID = itemID
        self.authorID = authorID
        self.atEpochSeconds = atEpochSeconds
    }
}

/// The review queue (posts held by keywords or reports). Decisions and appeals are decided by
/// `ModerationReview` (Social); a backend loads the item, asks it, and writes the result, the
/// post's status and the event in one transaction.
public protocol ModerationRepository: Sendable {
    /// Pending items in queue order (when each entered the queue, appeals when appealed; then
    /// id), after the item `afterID` when given; at most `ModerationReview.pageSizeMax` + 1
    /// (one more than a page, to tell whether another follows).
    func pending(afterID: Int64?, limit: Int) throws -> [ModerationQueueEntry]
    func item(_ id: Int64) throws -> ModerationItemState?
    /// The newest item of a post, if it was ever held.
    func latestItem(ofPost postID: Int64) throws -> ModerationItemState?
    /// An author's items, newest first: what moderation decided about their posts.
    func items(ofAuthor author: UserID, limit: Int) throws -> [ModerationItemState]
    /// Decides a pending item: the post is shown again or stays hidden for good, and a
    /// `moderation.approved` or `moderation.removed` event is written.
    func decide(_ id: Int64, _ decision: ModerationDecision, by moderator: UserID, at now: Int64) throws(QuanziError)
        -> ModerationItemState
    /// The author's one appeal of a removal: the item waits again, for another moderator, and a
    /// `moderation.appealed` event is written.
    func appeal(_ id: Int64, by user: UserID, text: String?, at now: Int64) throws(QuanziError) -> ModerationItemState
    func summary() throws -> ModerationQueueSummary
    /// Records that `moderator` looks at the verified identity behind item `id` (and a
    /// `moderation.identity_viewed` event), committed before the caller reads the identity.
    func recordIdentityLook(item id: Int64, by moderator: UserID, at now: Int64) throws(QuanziError) -> IdentityLook
    /// Every recorded look, newest first, before the look `beforeID` when given.
    func identityLooks(beforeID: Int64?, limit: Int) throws -> [IdentityLook]
}
