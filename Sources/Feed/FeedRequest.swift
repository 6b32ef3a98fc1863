import Core

/// One feed request, validated: who is looking, with which weights, how many posts, from where.
public struct FeedRequest: Sendable {
    public let viewer: ViewerSignals
    public let parameters: RankingParameters
    public let pageSize: Int
    /// Nil for the first page.
    public let cursor: FeedCursor?
    /// The time scores are computed at: the clock for a first page, the cursor's frozen time after.
    public let nowEpochSeconds: Int64
    /// When set, only these authors' posts can be shown (a friends-only circle's audience): the
    /// scan skips everyone else's before scoring, so they never crowd the heap and force rescans.
    public let onlyAuthors: Set<UserID>?
    /// When set, only the posts of authors in this group (`CandidateRow.authorGroup`: a
    /// `same_city` circle's audience), skipped the same way.
    public let onlyAuthorGroup: UInt32?

    /// `invalid_argument` for bad parameters or a page size outside 1…`FeedLimits.pageSizeMax`;
    /// `invalid_cursor` for a cursor that is not fresh (see `FeedCursor.checkFresh`).
    public init(
        viewer: ViewerSignals, parameters: RankingParameters, pageSize: Int, cursor: FeedCursor? = nil,
        clockEpochSeconds: Int64, onlyAuthors: Set<UserID>? = nil, onlyAuthorGroup: UInt32? = nil
    ) throws(QuanziError) {
        guard (1...FeedLimits.pageSizeMax).contains(pageSize) else {
            throw QuanziError(.invalidArgument, "page size must be in 1...\(FeedLimits.pageSizeMax), got \(pageSize)")
        }
        try cursor?.checkFresh(atClockEpochSeconds: clockEpochSeconds)
        self.viewer = viewer
        self.parameters = try parameters.validated()
        self.pageSize = pageSize
        self.cursor = cursor
        self.onlyAuthors = onlyAuthors
        self.onlyAuthorGroup = onlyAuthorGroup
        nowEpochSeconds = cursor?.nowEpochSeconds ?? clockEpochSeconds
    }
}

/// What the visibility check sees of a candidate.
public struct FeedCandidate: Sendable, Hashable {
    public var postID: Int64
    public var authorID: UserID
    public var createdAtEpochSeconds: Int64

    public init(postID: Int64, authorID: UserID, createdAtEpochSeconds: Int64) {
        self.postID = postID
        self.authorID = authorID
        self.createdAtEpochSeconds = createdAtEpochSeconds
    }
}

/// A post on a page, with the score it was ranked by.
public struct RankedPost: Sendable, Hashable {
    public var postID: Int64
    public var authorID: UserID
    public var score: Double

    public init(postID: Int64, authorID: UserID, score: Double) {
        self.postID = postID
        self.authorID = authorID
        self.score = score
    }

    public var key: RankKey { RankKey(score: score, postID: postID) }
}

/// How much work a request took, for tests, logs and the bench.
public struct FeedRankingStats: Sendable, Hashable {
    /// Scans of the window: 1 unless diversity or visibility rejected more than the heap's slack.
    public var passes = 0
    /// Posts the scans looked at (they stop early once no older post can make the page).
    public var postsScanned = 0
    /// Calls of the visibility check: about the page size, not the window size.
    public var visibilityChecks = 0
}

/// One page of a feed.
public struct FeedPage: Sendable {
    public var posts: [RankedPost]
    /// Nil when the feed is exhausted (or `FeedLimits.depthMax` is reached).
    public var nextCursor: FeedCursor?
    public var stats: FeedRankingStats
}
