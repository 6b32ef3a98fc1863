import Core

/// Whether a post can be seen.
public enum PostStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case visible
    /// Hidden by moderation (keywords or reports) until reviewed.
    case hidden
    /// Deleted by its author.
    case deleted
}

/// A post as the core stores it.
public struct Post: Sendable, Hashable, Codable {
    public var id: Int64
    public var circleID: CircleID
    public var authorID: UserID
    public var kind: PostKind
    public var body: String
    public var createdAtEpochSeconds: Int64
    public var status: PostStatus
    public var hiddenReason: String?
    public var likeCount: Int
    public var commentCount: Int
    public var reportCount: Int
    public var tipsFen: Int64

    public init(
        id: Int64, circleID: CircleID, authorID: UserID, kind: PostKind, body: String, createdAtEpochSeconds: Int64,
        status: PostStatus = .visible, hiddenReason: String? = nil, likeCount: Int = 0, commentCount: Int = 0,
        reportCount: Int = 0, tipsFen: Int64 = 0
    ) {
        self.id = id
        self.circleID = circleID
        self.authorID = authorID
        self.kind = kind
        self.body = body
        self.createdAtEpochSeconds = createdAtEpochSeconds
        self.status = status
        self.hiddenReason = hiddenReason
        self.likeCount = likeCount
        self.commentCount = commentCount
        self.reportCount = reportCount
        self.tipsFen = tipsFen
    }
}

/// A comment on a post.
public struct Comment: Sendable, Hashable, Codable {
    public var id: Int64
    public var postID: Int64
    public var authorID: UserID
    public var body: String
    public var createdAtEpochSeconds: Int64
    /// Held by the circle's keywords: hidden until a moderator approves it.
    public var heldForReview: Bool

    public init(id: Int64, postID: Int64, authorID: UserID, body: String, createdAtEpochSeconds: Int64, heldForReview: Bool = false) {
        self.id = id
        self.postID = postID
        self.authorID = authorID
        self.body = body
        self.createdAtEpochSeconds = createdAtEpochSeconds
        self.heldForReview = heldForReview
    }
}

/// Limits on what people write (named, TigerBeetle style).
public enum ContentLimits {
    public static let postBodyBytesMax = 10_000
    public static let commentBodyBytesMax = 2_000
    public static let reportReasonBytesMax = 500
}
