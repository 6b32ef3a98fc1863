/// One scan of a window: scores the rankable posts, newest first, and keeps the best in a TopK.
///
/// The loop is the hot path (issue 5: 100,000 posts in under a millisecond). Per post it reads
/// contiguous columns and two small per-author arrays and usually ends at one comparison against
/// the heap's lowest score. No allocation, no hashing, no dynamic dispatch.
///
/// Newest first, because the window is in time order, which gives two shortcuts (both exact):
/// - Decay only falls with age, so the decay of a slightly newer post (recomputed every
///   half-life/64, ~1% apart) bounds a post's score from above. Only a post whose bound beats the
///   heap's lowest score pays for a pow; in a busy window that is a few hundred posts.
/// - Once even the best base in the window cannot beat the heap at the current decay, no older
///   post can, and the scan stops.
struct ScoringPass {
    let scorer: Scorer
    /// The authors' credit features, by author index.
    let creditFeatures: [Float]
    /// `Scorer.viewerTerms` for this viewer, by author index.
    let viewerTerms: [Double]
    /// An upper bound of `Scorer.base` over the window's posts.
    let baseMax: Double
    /// Array indices of the posts the viewer has seen.
    let seen: IndexSet64
    /// Posts with a larger id are newer than the paging session.
    let postIDWatermark: Int64
    /// Only keys strictly below this one: the cursor's, or the last post walked by an earlier pass.
    let bound: RankKey?
    /// The author indices whose posts may be shown at all; nil when all may.
    let allowedAuthors: IndexSet64?
    /// The only array indices of `range` to visit, ascending (a restricted audience's posts,
    /// `CandidateWindow.audienceIndices`); nil visits all. Skipping the others is what the scan
    /// over all of them does (their authors are not allowed), so the result is the same, and so
    /// is the count of posts scanned.
    let candidates: [Int]?
    /// `Scorer.kindPenalties` for this viewer, by kind index (256 entries); nil when none.
    let kindPenalties: [Double]?

    /// The best `capacity` posts of `range` (array indices of rankable ages) whose author has quota left.
    func run(_ columns: CandidateColumns, range: Range<Int>, quota: AuthorQuota, capacity: Int) -> (best: TopK, scanned: Int) {
        // No kind penalized (the usual case: no declared weight, or no marks): the loop reads no
        // kind at all, rather than adding a zero per post.
        guard let kindPenalties else { return run(columns, range: range, quota: quota, capacity: capacity, kinds: NoKindPenalty()) }
        return run(columns, range: range, quota: quota, capacity: capacity, kinds: KindPenalties(penalties: kindPenalties, kinds: columns.kindIndices))
    }

    @inline(__always)
    private func run<Kinds: KindPenalty>(
        _ columns: CandidateColumns, range: Range<Int>, quota: AuthorQuota, capacity: Int, kinds: Kinds
    ) -> (best: TopK, scanned: Int) {
        if let candidates {
            return scan(columns, range: range, quota: quota, capacity: capacity, order: ListedPosts(indices: candidates), kinds: kinds)
        }
        if let allowedAuthors {
            return scan(
                columns, range: range, quota: quota, capacity: capacity,
                order: AllowedAuthorsPosts(range: range, allowedAuthors: allowedAuthors), kinds: kinds)
        }
        return scan(columns, range: range, quota: quota, capacity: capacity, order: AllPosts(range: range), kinds: kinds)
    }

    /// The scan, written once and compiled once per way to walk (`ScanOrder`): each copy has only
    /// its own tests in the loop. A loop body shared through a nested function kept the captured
    /// state in memory; one loop testing the way per post cost a tenth more.
    @inline(__always)
    private func scan<Order: ScanOrder, Kinds: KindPenalty>(
        _ columns: CandidateColumns, range: Range<Int>, quota: AuthorQuota, capacity: Int, order: Order, kinds: Kinds
    ) -> (best: TopK, scanned: Int) {
        let statuses = columns.statuses
        let authorIndices = columns.authorIndices
        let createdAt = columns.createdAtEpochSeconds
        let engagement = columns.engagementFeatures
        let tips = columns.tipsFeatures
        let reports = columns.reportFeatures
        let postIDs = columns.postIDs
        let seen = seen
        let credits = creditFeatures
        let viewerTerms = viewerTerms
        let maxPerAuthor = quota.maxPerAuthor
        let shown = quota.shownByIndex
        var heap = TopK(capacity: capacity)
        var lowest = -Double.infinity  // the heap's lowest score once full
        let boundSpanSeconds = scorer.decayBoundSpanSeconds
        var boundCreatedAt = Int64.max  // the post whose decay is `boundDecay`
        var boundDecay = 1.0
        var position = order.count  // counts down: newest first
        while position > 0 {
            position -= 1
            let index = order.index(at: position)
            guard statuses[index] == 0 else { continue }
            let author = Int(authorIndices[index])
            guard shown[author] < maxPerAuthor, order.allows(author: author) else { continue }
            let created = createdAt[index]
            if created < boundCreatedAt &- boundSpanSeconds {
                boundCreatedAt = created
                boundDecay = scorer.decay(createdAtEpochSeconds: created)
                // Posts scanned: those above the one that stopped the scan.
                if heap.isFull && boundDecay * baseMax < lowest { return (heap, range.upperBound - index - 1) }
            }
            let isSeen = seen.contains(index)
            let kindPenalty = kinds.penalty(at: index)
            let base = scorer.base(
                engagement: engagement[index], tips: tips[index], credit: credits[author], viewerTerm: viewerTerms[author])
            guard scorer.score(decay: boundDecay, base: base, reports: reports[index], isSeen: isSeen, kindPenalty: kindPenalty) >= lowest else {
                continue
            }
            let decay = created == boundCreatedAt ? boundDecay : scorer.decay(createdAtEpochSeconds: created)
            let score = scorer.score(decay: decay, base: base, reports: reports[index], isSeen: isSeen, kindPenalty: kindPenalty)
            guard score >= lowest else { continue }
            let postID = postIDs[index]
            guard postID <= postIDWatermark else { continue }
            let key = RankKey(score: score, postID: postID)
            if let bound, !bound.ranksAbove(key) { continue }
            heap.offer(TopKEntry(key: key, index: index))
            if heap.isFull { lowest = heap.minimum.score }
        }
        return (heap, range.count)
    }
}

/// Which posts a scan visits, by position from oldest (0) to newest (`count - 1`).
private protocol ScanOrder {
    var count: Int { get }
    func index(at position: Int) -> Int
    func allows(author: Int) -> Bool
}

/// Every post of the range.
private struct AllPosts: ScanOrder {
    let range: Range<Int>
    var count: Int { range.count }
    @inline(__always) func index(at position: Int) -> Int { range.lowerBound + position }
    @inline(__always) func allows(author: Int) -> Bool { true }
}

/// Every post of the range whose author is in `allowedAuthors`.
private struct AllowedAuthorsPosts: ScanOrder {
    let range: Range<Int>
    let allowedAuthors: IndexSet64
    var count: Int { range.count }
    @inline(__always) func index(at position: Int) -> Int { range.lowerBound + position }
    @inline(__always) func allows(author: Int) -> Bool { allowedAuthors.contains(author) }
}

/// Only the listed posts (ascending array indices): their authors are all allowed.
private struct ListedPosts: ScanOrder {
    let indices: [Int]
    var count: Int { indices.count }
    @inline(__always) func index(at position: Int) -> Int { indices[position] }
    @inline(__always) func allows(author: Int) -> Bool { true }
}

/// The "show less" penalty of the post at an index: none at all, or by the post's kind.
private protocol KindPenalty {
    func penalty(at index: Int) -> Double
}

private struct NoKindPenalty: KindPenalty {
    @inline(__always) func penalty(at index: Int) -> Double { 0 }
}

private struct KindPenalties: KindPenalty {
    let penalties: [Double]
    let kinds: [UInt8]
    @inline(__always) func penalty(at index: Int) -> Double { penalties[Int(kinds[index])] }
}
