import Core

/// A recorded event as a circle's candidate window sees it: one post's counter or status
/// changes. The one mapping from event kinds to window updates, shared by this node's own writes
/// and by the follower applying other nodes' (`CandidateWindow.apply`). Posts enter a window by
/// `insert` and credit changes by `updateAuthorCredit`; no other kind touches a window.
public enum WindowEvent: Sendable, Hashable {
    case liked(postID: Int64)
    case commented(postID: Int64)
    case tipped(postID: Int64, amountFen: Int64)
    case reported(postID: Int64)
    case hidden(postID: Int64)
    /// A moderator approved a held post (`moderation.approved`): ranked again.
    case restored(postID: Int64)
    case deleted(postID: Int64)

    /// The window's view of an event row: nil for a kind that changes no post in a window, or an
    /// event without a post. A tip without an amount adds nothing.
    public init?(kind: EventKind?, postID: Int64?, amountFen: Int64?) {
        guard let kind, let postID else { return nil }
        switch kind {
        case .likeCreated: self = .liked(postID: postID)
        case .commentCreated: self = .commented(postID: postID)
        case .tipSent: self = .tipped(postID: postID, amountFen: amountFen ?? 0)
        case .reportCreated: self = .reported(postID: postID)
        case .postHidden: self = .hidden(postID: postID)
        case .moderationApproved: self = .restored(postID: postID)
        case .postDeleted: self = .deleted(postID: postID)
        default: return nil
        }
    }

    /// The post the event changes.
    public var postID: Int64 {
        switch self {
        case .liked(let postID), .commented(let postID), .tipped(let postID, _), .reported(let postID), .hidden(let postID),
            .restored(let postID), .deleted(let postID):
            postID
        }
    }

    /// The kind of event row it comes from.
    public var kind: EventKind {
        switch self {
        case .liked: .likeCreated
        case .commented: .commentCreated
        case .tipped: .tipSent
        case .reported: .reportCreated
        case .hidden: .postHidden
        case .restored: .moderationApproved
        case .deleted: .postDeleted
        }
    }
}

extension CandidateWindow {
    /// Applies one event to the post it names. False when the window does not hold the post
    /// (another circle's, or already evicted).
    @discardableResult
    public mutating func apply(_ event: WindowEvent) -> Bool {
        switch event {
        case .liked(let postID): recordLike(postID: postID)
        case .commented(let postID): recordComment(postID: postID)
        case .tipped(let postID, let amountFen): recordTip(postID: postID, amountFen: amountFen)
        case .reported(let postID): recordReport(postID: postID)
        case .hidden(let postID): hide(postID: postID)
        case .restored(let postID): restore(postID: postID)
        case .deleted(let postID): delete(postID: postID)
        }
    }
}
