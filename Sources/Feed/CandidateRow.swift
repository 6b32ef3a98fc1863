import Core

/// Whether a candidate may be ranked. Mirrors `Social.PostStatus` (Feed depends on Core only).
public enum CandidateStatus: UInt8, Sendable, Hashable, CaseIterable {
    case visible = 0
    /// Hidden by moderation; may be restored.
    case hidden = 1
    /// Deleted by its author; never ranked again.
    case deleted = 2
}

/// One post as the window stores it: what the loader reads from the database at startup, what
/// an insert carries, and what `CandidateWindow.rows` gives back.
public struct CandidateRow: Sendable, Hashable {
    public var postID: Int64
    public var authorID: UserID
    public var createdAtEpochSeconds: Int64
    public var likeCount: Int
    public var commentCount: Int
    public var tipsFen: Int64
    public var reportCount: Int
    /// The author's credit score (350–950) now; the window keeps one per author, the latest wins.
    public var authorCreditScore: Int
    public var status: CandidateStatus
    /// The post's kind, as the integrator numbers kinds (`CandidateRows.kindIndex`): what a
    /// viewer's "show less" of a kind of post lowers.
    public var kindIndex: UInt8
    /// The author's audience group (their city, `AuthorGroups.code`), 0 for none: a `same_city`
    /// feed ranks only its group's authors. The window keeps one per author, the latest wins.
    public var authorGroup: UInt32

    public init(
        postID: Int64, authorID: UserID, createdAtEpochSeconds: Int64, likeCount: Int = 0, commentCount: Int = 0,
        tipsFen: Int64 = 0, reportCount: Int = 0, authorCreditScore: Int, status: CandidateStatus = .visible, kindIndex: UInt8 = 0,
        authorGroup: UInt32 = 0
    ) {
        self.kindIndex = kindIndex
        self.authorGroup = authorGroup
        self.postID = postID
        self.authorID = authorID
        self.createdAtEpochSeconds = createdAtEpochSeconds
        self.likeCount = likeCount
        self.commentCount = commentCount
        self.tipsFen = tipsFen
        self.reportCount = reportCount
        self.authorCreditScore = authorCreditScore
        self.status = status
    }
}
