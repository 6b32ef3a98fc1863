import Core

/// Why a post waits in the review queue.
public enum ModerationHoldReason: String, Sendable, Hashable, Codable, CaseIterable {
    /// Its text matched the circle's or the global keywords (`detail` lists them).
    case keywords
    /// It reached its circle's report threshold (`detail` says how many).
    case reports
    /// The circle's post rule asked for a review (`detail` is the rule's reason).
    case rule
}

/// Where a queue item stands.
public enum ModerationOutcome: String, Sendable, Hashable, Codable, CaseIterable {
    /// Waiting for a moderator (a first review, or an appeal's).
    case pending
    /// A moderator approved it: the post is shown again.
    case restored
    /// A moderator removed it, with a reason the author sees.
    case removed
}

/// A moderator's decision about one queue item.
public enum ModerationDecision: Sendable, Hashable {
    /// Show the post again. A note is optional (it is kept with the decision).
    case approve(note: String?)
    /// Keep it hidden for good; the reason is shown to the author.
    case remove(reason: String)

    public var outcome: ModerationOutcome {
        switch self {
        case .approve: .restored
        case .remove: .removed
        }
    }

    /// The reason or note kept with the decision.
    public var text: String? {
        switch self {
        case .approve(let note): note
        case .remove(let reason): reason
        }
    }
}

/// One post held by moderation, as the review rules see it: who wrote it, where it stands, who
/// decided what, and whether it was appealed. Both backends store these fields and change them
/// only through `ModerationReview`.
public struct ModerationItemState: Sendable, Hashable, Codable {
    public var id: Int64
    /// The held post, or the post a held comment is on.
    public var postID: Int64
    /// The held comment, when the item is one (nil for a post).
    public var commentID: Int64?
    public var circleID: CircleID
    /// Who wrote what is held: the post's author, or the comment's.
    public var authorID: UserID
    public var reason: ModerationHoldReason
    /// The matched keywords, or the report count, when it was held.
    public var detail: String
    public var createdAtEpochSeconds: Int64
    public var outcome: ModerationOutcome
    public var decidedAtEpochSeconds: Int64?
    public var decidedBy: UserID?
    /// The removal's reason, or the approval's note.
    public var decisionText: String?
    /// Set once the author appealed (an item is appealed at most once).
    public var appealedAtEpochSeconds: Int64?
    public var appealText: String?
    /// The moderator whose removal was appealed: the appeal goes to someone else.
    public var firstDecidedBy: UserID?
    public var firstDecisionText: String?

    public init(
        id: Int64, postID: Int64, circleID: CircleID, authorID: UserID, reason: ModerationHoldReason, detail: String,
        createdAtEpochSeconds: Int64, outcome: ModerationOutcome = .pending, decidedAtEpochSeconds: Int64? = nil,
        decidedBy: UserID? = nil, decisionText: String? = nil, appealedAtEpochSeconds: Int64? = nil, appealText: String? = nil,
        firstDecidedBy: UserID? = nil, firstDecisionText: String? = nil, commentID: Int64? = nil
    ) {
        self.id = id
        self.postID = postID
        self.commentID = commentID
        self.circleID = circleID
        self.authorID = authorID
        self.reason = reason
        self.detail = detail
        self.createdAtEpochSeconds = createdAtEpochSeconds
        self.outcome = outcome
        self.decidedAtEpochSeconds = decidedAtEpochSeconds
        self.decidedBy = decidedBy
        self.decisionText = decisionText
        self.appealedAtEpochSeconds = appealedAtEpochSeconds
        self.appealText = appealText
        self.firstDecidedBy = firstDecidedBy
        self.firstDecisionText = firstDecisionText
    }

    /// Whether the item waits for a moderator again after its author's appeal.
    public var isAppeal: Bool { appealedAtEpochSeconds != nil }

    /// Whether its author may still appeal: removed, and not appealed before.
    public var mayBeAppealed: Bool { outcome == .removed && appealedAtEpochSeconds == nil }
}

/// The review queue's rules, decided once here and stored by each backend: who may decide an
/// item, what a decision changes, and the one appeal an author has.
public enum ModerationReview {
    /// Bytes of a decision's reason or an appeal's text at most.
    public static let textBytesMax = 500
    /// Items in one page of the queue at most.
    public static let pageSizeMax = 100

    /// The item after `moderator` decides it at `now`. Refused: an item already decided, a
    /// moderator deciding their own post, the moderator whose removal is appealed deciding the
    /// appeal, a removal without a reason, a text too long or not text.
    public static func decide(
        _ item: ModerationItemState, _ decision: ModerationDecision, by moderator: UserID, at now: Int64
    ) throws(QuanziError) -> ModerationItemState {
        guard item.outcome == .pending else {
            throw QuanziError(.moderationConflict, "item \(item.id) was already decided (\(item.outcome.rawValue))")
        }
        guard moderator != item.authorID else {
            throw QuanziError(.forbidden, "a moderator does not decide their own post (item \(item.id))")
        }
        if item.isAppeal, item.firstDecidedBy == moderator {
            throw QuanziError(.forbidden, "the appeal of item \(item.id) goes to another moderator than the one who removed it")
        }
        switch decision {
        case .approve(let note):
            if let note { try UserText.check(note, maxBytes: textBytesMax, what: "note") }
        case .remove(let reason):
            try UserText.check(reason, maxBytes: textBytesMax, what: "removal reason")
        }
        var decided = item
        decided.outcome = decision.outcome
        decided.decidedAtEpochSeconds = now
        decided.decidedBy = moderator
        decided.decisionText = decision.text
        return decided
    }

    /// The item after its author appeals at `now`: pending again, for another moderator. Refused:
    /// someone else's post, an item not removed, a second appeal.
    public static func appeal(_ item: ModerationItemState, by user: UserID, text: String?, at now: Int64) throws(QuanziError)
        -> ModerationItemState
    {
        guard user == item.authorID else {
            throw QuanziError(.forbidden, "only the author of post \(item.postID) may appeal its removal")
        }
        guard item.outcome == .removed else {
            throw QuanziError(.moderationConflict, "post \(item.postID) is \(item.outcome == .pending ? "still waiting for review" : "shown again"); only a removal can be appealed")
        }
        guard item.appealedAtEpochSeconds == nil else {
            throw QuanziError(.moderationConflict, "the removal of post \(item.postID) was appealed once already")
        }
        if let text { try UserText.check(text, maxBytes: textBytesMax, what: "appeal") }
        var appealed = item
        appealed.firstDecidedBy = item.decidedBy
        appealed.firstDecisionText = item.decisionText
        appealed.outcome = .pending
        appealed.decidedAtEpochSeconds = nil
        appealed.decidedBy = nil
        appealed.decisionText = nil
        appealed.appealedAtEpochSeconds = now
        appealed.appealText = text
        return appealed
    }

    /// What the post's status becomes after a decision: shown again, or kept hidden for good.
    public static func postStatus(after outcome: ModerationOutcome) -> PostStatus {
        outcome == .restored ? .visible : .hidden
    }

    /// The post's `hidden_reason` after a decision (nil once it is shown again); for a post's
    /// item only (a comment's decides the comment's status alone).
    public static func hiddenReason(after item: ModerationItemState) -> String? {
        switch item.outcome {
        case .restored: nil
        case .removed: "removed by a moderator: " + (item.decisionText ?? "")
        case .pending: item.isAppeal ? "appealed; waiting for another review" : nil
        }
    }
}
