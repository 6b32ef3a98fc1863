import Core

/// What moderation decided about a new post.
public enum ModerationVerdict: Sendable, Hashable {
    case visible
    /// Hidden and queued for review because it contains these keywords.
    case heldForReview(keywords: [String])
}

/// A circle's moderation: its keywords plus the global list, and its report threshold.
public struct Moderator: Sendable {
    private let matcher: KeywordMatcher
    public let reportThreshold: Int

    public init(policy: ModerationPolicy, globalKeywords: [String]) {
        matcher = KeywordMatcher(keywords: policy.keywords + globalKeywords)
        reportThreshold = policy.reportThreshold
    }

    public func screen(_ text: String) -> ModerationVerdict {
        let found = matcher.keywordsFound(in: text)
        return found.isEmpty ? .visible : .heldForReview(keywords: found)
    }

    /// Whether a post with this many reports is hidden automatically.
    public func hidesAfterReports(_ reportCount: Int) -> Bool { reportCount >= reportThreshold }
}
