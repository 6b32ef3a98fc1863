import Core
import Social
import StorageModel

/// The review queue (issue 25). Who may call what is the caller's to check (the API's
/// moderator routes, the CLI run by an operator); the rules about items (one decision, one
/// appeal, another moderator for it, never one's own post) are `ModerationReview`'s, applied
/// by the backend inside its transaction.
extension QuanziService {
    /// Pending items in queue order, with their posts and reports, and the item to list after
    /// for the next page (nil on the last).
    public func moderationQueue(afterID: Int64? = nil, limit: Int = 50) throws(QuanziError)
        -> (entries: [ModerationQueueEntry], nextAfterID: Int64?)
    {
        guard (1...ModerationReview.pageSizeMax).contains(limit) else {
            throw QuanziError(.invalidArgument, "limit must be between 1 and \(ModerationReview.pageSizeMax), got \(limit)")
        }
        // One extra item says whether another page exists.
        let entries = try QuanziError.wrapping { try storage.moderation.pending(afterID: afterID, limit: limit + 1) }
        let shown = Array(entries.prefix(limit))
        return (shown, entries.count > limit ? shown.last?.item.id : nil)
    }

    /// One item, whatever its state.
    public func moderationItem(_ id: Int64) throws(QuanziError) -> ModerationItemState {
        guard let item = try QuanziError.wrapping({ try storage.moderation.item(id) }) else {
            throw QuanziError(.moderationItemNotFound, "no moderation item \(id)")
        }
        return item
    }

    /// A moderator's decision. An approved post is ranked again at once on this node, and on
    /// the others when their followers read the `moderation.approved` event.
    @discardableResult
    public func decideModeration(_ id: Int64, _ decision: ModerationDecision, by moderator: UserID) throws(QuanziError)
        -> ModerationItemState
    {
        let decided = try storage.moderation.decide(id, decision, by: moderator, at: now)
        if decided.outcome == .restored {
            // An approved comment now counts on its post; an approved post is ranked again.
            feeds.updateOwn(decided.circleID, decided.commentID == nil ? .restored(postID: decided.postID) : .commented(postID: decided.postID))
        }
        return decided
    }

    /// The author's one appeal of a removal, for the newest item of their post.
    @discardableResult
    public func appealModeration(post postID: Int64, by user: UserID, text: String?) throws(QuanziError) -> ModerationItemState {
        guard let item = try QuanziError.wrapping({ try storage.moderation.latestItem(ofPost: postID) }) else {
            throw QuanziError(.moderationItemNotFound, "post \(postID) was never held by moderation")
        }
        return try storage.moderation.appeal(item.id, by: user, text: text, at: now)
    }

    /// The author's one appeal of a removal, by queue item (a post's or a comment's, as listed
    /// by `moderationItems(ofAuthor:)`).
    @discardableResult
    public func appealModeration(item id: Int64, by user: UserID, text: String?) throws(QuanziError) -> ModerationItemState {
        try storage.moderation.appeal(id, by: user, text: text, at: now)
    }

    /// What moderation decided about an author's posts and comments, newest first.
    public func moderationItems(ofAuthor author: UserID, limit: Int = 50) throws(QuanziError) -> [ModerationItemState] {
        guard (1...ModerationReview.pageSizeMax).contains(limit) else {
            throw QuanziError(.invalidArgument, "limit must be between 1 and \(ModerationReview.pageSizeMax), got \(limit)")
        }
        return try QuanziError.wrapping { try storage.moderation.items(ofAuthor: author, limit: limit) }
    }

    /// The verified identity behind a queue item, for a moderator (real-name traceability). The
    /// look is recorded, and committed, before the identity is read: there is no unrecorded look.
    public func identityBehindItem(_ id: Int64, by moderator: UserID) throws(QuanziError) -> (look: IdentityLook, author: UserProfile) {
        let look = try storage.moderation.recordIdentityLook(item: id, by: moderator, at: now)
        let author = try QuanziError.wrapping { try users.require(look.authorID) }
        return (look, author)
    }

    /// Every look at an identity behind a queue item, newest first (the admins' audit), with the
    /// look to list before for the next page (nil on the last).
    public func identityLooks(beforeID: Int64? = nil, limit: Int = 50) throws(QuanziError) -> (looks: [IdentityLook], nextBeforeID: Int64?) {
        guard (1...ModerationReview.pageSizeMax).contains(limit) else {
            throw QuanziError(.invalidArgument, "limit must be between 1 and \(ModerationReview.pageSizeMax), got \(limit)")
        }
        let looks = try QuanziError.wrapping { try storage.moderation.identityLooks(beforeID: beforeID, limit: limit + 1) }
        let shown = Array(looks.prefix(limit))
        return (shown, looks.count > limit ? shown.last?.id : nil)
    }

    /// The queue's size and its oldest item's entry time.
    public func moderationSummary() throws(QuanziError) -> ModerationQueueSummary {
        try QuanziError.wrapping { try storage.moderation.summary() }
    }
}
