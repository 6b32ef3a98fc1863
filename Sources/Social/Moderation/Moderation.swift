import Core

/// What moderation decided about a new post.
public enum ModerationVerdict: Sendable, Hashable {
    case visible
    /// Hidden and queued for review because it contains these keywords.
    case heldForReview(keywords: [String])
    /// Hidden and queued for review because the circle's post rule asked for it (returned
    /// `"review"`), with the rule's reason.
    case heldByRule(reason: String)

    /// Why and with what detail the post waits in the queue; nil for a visible post. Both
    /// backends store exactly this.
    public var hold: (reason: ModerationHoldReason, detail: String)? {
        switch self {
        case .visible: nil
        case .heldForReview(let keywords): (.keywords, keywords.joined(separator: ", "))
        case .heldByRule(let reason): (.rule, reason)
        }
    }

    /// The post's `hidden_reason` while it waits.
    public var hiddenReason: String? { hold.map { "held for review: " + $0.detail } }
}

/// A circle's moderation: its keywords plus the global list, and its report threshold.
public struct Moderator: Sendable {
    private let matcher: KeywordMatcher
    public let reportThreshold: Int

    public init(policy: ModerationPolicy, globalKeywords: [String]) {
        matcher = KeywordMatcher(keywords: policy.keywords + globalKeywords)
        reportThreshold = policy.reportThreshold
    }

    /// The verdict on a new post: held by its keywords first (they name what matched), else by
    /// the circle's post rule when it asked for a review (`ruleReview`, the rule's reason).
    public func screen(_ text: String, ruleReview: String? = nil) -> ModerationVerdict {
        let found = matcher.keywordsFound(in: text)
        if !found.isEmpty { return .heldForReview(keywords: found) }
        return ruleReview.map { .heldByRule(reason: $0) } ?? .visible
    }

    /// Whether a post with this many reports is hidden automatically.
    public func hidesAfterReports(_ reportCount: Int) -> Bool { reportCount >= reportThreshold }
}
