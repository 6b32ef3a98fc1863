import Core

/// Named bounds of one circle's candidate window.
public struct CandidateWindowLimits: Sendable, Hashable {
    /// Posts older than this are not ranked. A week is 14 half-lives at the default 12 hours:
    /// by then a post's quality terms are scaled by less than 1/16,000.
    public var ageMaxSeconds: Int64
    /// Posts the window holds at most; the oldest go first. ~75 bytes each (see
    /// `CandidateWindow.memoryBytesPerCandidate`), so the default is ~15 MB per circle.
    public var countMax: Int

    public init(ageMaxSeconds: Int64 = 7 * 86_400, countMax: Int = 200_000) {
        precondition(ageMaxSeconds > 0 && countMax > 0, "window limits must be positive")
        self.ageMaxSeconds = ageMaxSeconds
        self.countMax = countMax
    }

    public static let `default` = CandidateWindowLimits()

    /// Posts are kept this long: the age limit plus a cursor's lifetime, so that a paging
    /// session never loses a post it may still have to show.
    public var retentionSeconds: Int64 { ageMaxSeconds + FeedLimits.cursorLifetimeSeconds }
}

/// The recent posts of one circle, in memory, as structure-of-arrays ordered by
/// (created time, post id): what a feed request ranks, with no database query per candidate.
///
/// Kept current incrementally: `insert` for a new post and one call per like, comment, tip,
/// report, hide, restore or delete (see CandidateWindow+Events), never rebuilt per request. Posts
/// leave by age (on insert, against the latest time seen, or by `evictExpired`) and by count,
/// oldest first. Hidden and deleted posts stay (they count towards `countMax`, as they do in the
/// loader's query) and are skipped by the ranker.
///
/// Evicted posts leave a dead prefix in the arrays, dropped in one step once it is as long as
/// the live part: each eviction costs O(1) amortized, and a post's absolute slot
/// (`slotBase + array index`) never changes when the prefix is dropped.
public struct CandidateWindow: Sendable {
    public let limits: CandidateWindowLimits
    var columns = CandidateColumns()
    var authors = AuthorTable()
    /// Array index of the oldest live post; those before it are evicted.
    var head = 0
    /// Absolute slot of array index 0.
    var slotBase = 0
    var slotByPostID = IdIndexTable<Int>()
    /// Upper bounds of the features over the window (never lowered until a compaction
    /// recomputes them): they let the ranker stop at the first post too old to make the page.
    var engagementFeatureMax: Float = 0
    var tipsFeatureMax: Float = 0
    /// The latest time the window has seen: the newest post's, or the last `evictExpired`'s.
    /// Retention is measured back from it.
    var latestEpochSeconds: Int64 = .min
    /// The largest post id ever inserted. Ids are assigned increasing by the database, so a
    /// cursor that records it can tell the posts that existed at its first page from later ones.
    public private(set) var postIDMax: Int64 = 0

    /// An empty window.
    public init(limits: CandidateWindowLimits = .default) {
        self.limits = limits
    }

    /// A window loaded from the database at startup. Give it every post of the circle created
    /// at or after `nowEpochSeconds − limits.retentionSeconds`, whatever its status, newest
    /// `countMax` at most (`ORDER BY created_at DESC, id DESC LIMIT countMax`); rows in any order.
    public init(limits: CandidateWindowLimits = .default, rows: some Sequence<CandidateRow>, nowEpochSeconds: Int64) {
        self.init(limits: limits)
        latestEpochSeconds = nowEpochSeconds
        let oldest = nowEpochSeconds - limits.retentionSeconds
        let sorted = rows.filter { $0.createdAtEpochSeconds >= oldest }.sorted(by: Self.isOrderedBefore)
        let kept = sorted.suffix(limits.countMax)
        columns.reserveCapacity(kept.count)
        slotByPostID = IdIndexTable(minimumCapacity: kept.count)
        for row in kept where slotByPostID[row.postID] == nil {
            append(row)
        }
    }

    /// Posts in the window (any status).
    public var count: Int { columns.count - head }

    /// Authors with a post in the window.
    public var authorCount: Int { authors.count }
    public var isEmpty: Bool { count == 0 }

    /// Whether the post is in the window.
    public func contains(postID: Int64) -> Bool { slotByPostID[postID] != nil }

    /// The post as a row, if it is in the window.
    public func row(postID: Int64) -> CandidateRow? {
        index(of: postID).map { columns.row(at: $0, authors: authors) }
    }

    /// Every post in the window, oldest first (for checks and debugging, not the hot path).
    public var rows: [CandidateRow] {
        (head..<columns.count).map { columns.row(at: $0, authors: authors) }
    }

    /// Adds a new post. Posts usually arrive in time order (an append); an older one is placed
    /// in order (a shift of the newer posts). Evicts by count, and by age against the latest
    /// time seen. Returns false (and changes nothing) if the post is already present, or too
    /// old for the window.
    @discardableResult
    public mutating func insert(_ row: CandidateRow) -> Bool {
        guard slotByPostID[row.postID] == nil else { return false }
        latestEpochSeconds = max(latestEpochSeconds, row.createdAtEpochSeconds)
        let oldest = latestEpochSeconds - limits.retentionSeconds
        guard row.createdAtEpochSeconds >= oldest else { return false }
        if count >= limits.countMax && !Self.isOrderedBefore(rowAt: head, in: columns, before: row) {
            return false  // older than everything in a full window: it would leave at once
        }
        if let last = columns.postIDs.indices.last, !Self.isOrderedBefore(rowAt: last, in: columns, before: row) {
            insertOutOfOrder(row)
        } else {
            append(row)
        }
        evict(olderThanEpochSeconds: oldest)
        while count > limits.countMax { evictOldest() }
        compactIfWorthIt()
        return true
    }

    /// Evicts posts that no request or open cursor can rank any more. Inserts do this too;
    /// call it from a timer for a circle that has gone quiet.
    public mutating func evictExpired(nowEpochSeconds: Int64) {
        latestEpochSeconds = max(latestEpochSeconds, nowEpochSeconds)
        evict(olderThanEpochSeconds: latestEpochSeconds - limits.retentionSeconds)
        compactIfWorthIt()
    }

    // MARK: - Internals

    /// When a restricted audience has at most this many authors in the window and they hold at
    /// most `audienceScanShareMax` of the rankable posts, the ranker visits only their posts
    /// (`audienceIndices`); otherwise it scans the range, skipping the others. Picking out costs a
    /// lookup and a sort per post of those authors, however few the page needs; the scan stops
    /// early once the page is settled, which comes soon when the audience's posts are common (a
    /// city's) and never when they are rare (a few friends').
    static let audienceAuthorsPickedOutMax = 64
    static let audienceScanShareMax = 0.25

    /// Array indices within `range` of the posts by `users`, ascending, or nil when they are
    /// more than `audienceAuthorsPickedOutMax` or their posts (of any age or status) more than
    /// `shareMax` of the range (`.infinity` always picks out, for tests).
    func audienceIndices(of users: Set<UserID>, in range: Range<Int>, shareMax: Double = audienceScanShareMax) -> [Int]? {
        if shareMax < .infinity, users.count > Self.audienceAuthorsPickedOutMax { return nil }
        var listed: [Int] = []
        var posts = 0
        for user in users {
            guard let index = authors.indexByUserID[user.rawValue] else { continue }
            listed.append(Int(index))
            posts += Int(authors.postCounts[Int(index)])
        }
        if shareMax < .infinity, Double(posts) > Double(range.count) * shareMax { return nil }
        var indices: [Int] = []
        indices.reserveCapacity(posts)
        for author in listed {
            for postID in authors.postIDs[author] {
                if let index = index(of: postID), range.contains(index) { indices.append(index) }
            }
        }
        indices.sort()
        return indices
    }

    /// Array index of the post, if present.
    func index(of postID: Int64) -> Int? {
        slotByPostID[postID].map { $0 - slotBase }
    }

    /// Window order: created time, then post id.
    static func isOrderedBefore(_ lhs: CandidateRow, _ rhs: CandidateRow) -> Bool {
        (lhs.createdAtEpochSeconds, lhs.postID) < (rhs.createdAtEpochSeconds, rhs.postID)
    }

    private static func isOrderedBefore(rowAt index: Int, in columns: CandidateColumns, before row: CandidateRow) -> Bool {
        (columns.createdAtEpochSeconds[index], columns.postIDs[index]) < (row.createdAtEpochSeconds, row.postID)
    }

    private mutating func append(_ row: CandidateRow) {
        let author = authors.retain(row.authorID, creditScore: row.authorCreditScore, group: row.authorGroup, postID: row.postID)
        slotByPostID[row.postID] = slotBase + columns.count
        columns.insert(row, authorIndex: author, at: columns.count)
        noteInserted(row, at: columns.count - 1)
    }

    /// Binary search for the place in (time, id) order, insert there, renumber the newer posts.
    private mutating func insertOutOfOrder(_ row: CandidateRow) {
        var low = head
        var high = columns.count
        while low < high {
            let middle = (low + high) / 2
            if Self.isOrderedBefore(rowAt: middle, in: columns, before: row) { low = middle + 1 } else { high = middle }
        }
        let author = authors.retain(row.authorID, creditScore: row.authorCreditScore, group: row.authorGroup, postID: row.postID)
        columns.insert(row, authorIndex: author, at: low)
        for index in low..<columns.count { slotByPostID[columns.postIDs[index]] = slotBase + index }
        noteInserted(row, at: low)
    }

    private mutating func noteInserted(_ row: CandidateRow, at index: Int) {
        postIDMax = max(postIDMax, row.postID)
        engagementFeatureMax = max(engagementFeatureMax, columns.engagementFeatures[index])
        tipsFeatureMax = max(tipsFeatureMax, columns.tipsFeatures[index])
    }

    private mutating func evict(olderThanEpochSeconds oldest: Int64) {
        while head < columns.count && columns.createdAtEpochSeconds[head] < oldest { evictOldest() }
    }

    private mutating func evictOldest() {
        slotByPostID[columns.postIDs[head]] = nil
        authors.release(columns.authorIndices[head], postID: columns.postIDs[head])
        head += 1
    }

    /// Drops the dead prefix once it is as long as the live part (and not tiny), then recomputes
    /// the feature bounds, which evictions may have left loose.
    private mutating func compactIfWorthIt() {
        guard head >= Self.compactionPrefixMin && head >= count else { return }
        columns.removeFirst(head)
        slotBase += head
        head = 0
        engagementFeatureMax = columns.engagementFeatures.max() ?? 0
        tipsFeatureMax = columns.tipsFeatures.max() ?? 0
    }

    /// Below this many dead entries a compaction is not worth its pass over the arrays.
    static let compactionPrefixMin = 1_024
}
