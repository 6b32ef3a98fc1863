/// What happened, as recorded in the append-only events table. Metrics and experiment analysis
/// are computed from these; the strings are stable (metric definitions in Lua name them).
public enum EventKind: String, Sendable, Hashable, Codable, CaseIterable {
    case userCreated = "user.created"
    case userVerified = "user.verified"
    case friendRequested = "friend.requested"
    case friendAdded = "friend.added"
    case friendDeclined = "friend.declined"
    case friendRemoved = "friend.removed"
    /// `userID` blocked `targetUserID` (a friendship between them ended in the same transaction).
    case userBlocked = "user.blocked"
    case userUnblocked = "user.unblocked"
    /// `userID` muted `targetUserID`: their posts leave `userID`'s feeds.
    case userMuted = "user.muted"
    case userUnmuted = "user.unmuted"
    case postCreated = "post.created"
    /// Stored a page to a row in `page_views` (StorageModel's `ViewedPage`), not in events; older
    /// databases' view events were moved there by migration `v4-page-views`.
    case postViewed = "post.viewed"
    case postHidden = "post.hidden"
    /// `userID` asked to see less like `postID` (by `targetUserID`): that author ranks lower for them.
    case postShowLess = "post.show_less"
    /// A moderator approved a held post: it is shown again (`userID` the moderator,
    /// `targetUserID` the author, `context` the queue item).
    case moderationApproved = "moderation.approved"
    /// A moderator removed a held post for good, with a reason the author sees.
    case moderationRemoved = "moderation.removed"
    /// The author appealed a removal once; the item waits for another moderator.
    case moderationAppealed = "moderation.appealed"
    /// A moderator looked at the verified identity behind a queue item (`userID` the
    /// moderator, `targetUserID` the author); the look is also in `identity_looks`.
    case moderationIdentityViewed = "moderation.identity_viewed"
    case postDeleted = "post.deleted"
    /// A comment shown on its post: at once, or when a moderator approves a held one.
    case commentCreated = "comment.created"
    /// A comment held by its circle's keywords, waiting for a moderator (not counted, not shown).
    case commentHidden = "comment.hidden"
    case likeCreated = "like.created"
    case tipSent = "tip.sent"
    case reportCreated = "report.created"
    case topUpCommitted = "topup.committed"
    case transferCommitted = "transfer.committed"
    case redPacketCreated = "redpacket.created"
    case redPacketClaimed = "redpacket.claimed"
    case redPacketRefunded = "redpacket.refunded"
    case ruleDenied = "rule.denied"
    case exposure = "exposure"
    case experimentStopped = "experiment.stopped"
    /// The service began serving an experiment's first step (who and why in `context`).
    case experimentStarted = "experiment.started"
    /// An experiment's ramp moved to its next step.
    case experimentAdvanced = "experiment.advanced"
    /// A person held an experiment's ramp at its step.
    case experimentHeld = "experiment.held"
    /// A person released a held ramp.
    case experimentReleased = "experiment.released"
    /// A variant was shipped to every targeted user.
    case experimentShipped = "experiment.shipped"
    /// Affinities of the viewers listed in `context` (`{"viewers":[…]}`) changed outside a social
    /// write (the money's affinity, written behind it on PostgreSQL): other nodes forget the
    /// viewers' signals they hold. Likes, comments and friendships name their viewers already.
    case affinityChanged = "affinity.changed"
    /// Credit scores were recomputed (other nodes refresh the authors' scores in their feeds).
    case creditRecomputed = "credit.recomputed"
}
