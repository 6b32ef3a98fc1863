import Core

/// Ranks a window for one request and returns one page.
///
/// 1. Prepare, once per request: weights, the viewer's terms by author index, seen posts as array
///    indices, author quotas carried by the cursor.
/// 2. Scan (`ScoringPass`): score every rankable post, keep the best page-and-a-half in a heap.
/// 3. Walk the heap's posts best-first: skip an author whose quota is used up, then ask the
///    caller's visibility check (the circle's Lua `view` rule: dear, so only for posts that would
///    make the page), show the post. If the heap runs out before the page is full, scan again
///    below the last post walked, with a heap twice as large.
public enum FeedRanker {
    /// One page of `window` for `request`; `isVisible` is asked only about posts that would be
    /// shown, best first, and may throw (a script error ends the request).
    public static func rank<Failure: Error>(
        _ window: CandidateWindow, _ request: FeedRequest,
        isVisible: (FeedCandidate) throws(Failure) -> Bool
    ) throws(Failure) -> FeedPage {
        try rank(window, request, chunkMax: 1) { (candidates: [FeedCandidate], visible: inout [Bool]) -> Failure? in
            do throws(Failure) {
                for candidate in candidates { visible.append(try isVisible(candidate)) }
                return nil
            } catch {
                return error
            }
        }
    }

    /// The same page, asking `visibility` about up to `chunkMax` candidates at a time (one call
    /// into the circle's Lua `view` rule for several posts). A chunk holds only posts the
    /// one-at-a-time walk would ask about whatever the earlier ones in it answer, and never more
    /// than the page still needs, so exactly the same posts are asked about, in the same order,
    /// and the page is the same. `visibility` appends one answer per candidate to `visible`, in
    /// order, and returns the failure that stopped it (the request ends at the first candidate
    /// without an answer).
    public static func rank<Failure: Error>(
        _ window: CandidateWindow, _ request: FeedRequest, chunkMax: Int,
        visibility: (_ candidates: [FeedCandidate], _ visible: inout [Bool]) -> Failure?
    ) throws(Failure) -> FeedPage {
        try rank(window, request, chunkMax: chunkMax, audienceScanShareMax: CandidateWindow.audienceScanShareMax, visibility: visibility)
    }

    /// `audienceScanShareMax`: see `CandidateWindow.audienceIndices` (tests compare both scans).
    static func rank<Failure: Error>(
        _ window: CandidateWindow, _ request: FeedRequest, chunkMax: Int, audienceScanShareMax: Double,
        visibility: (_ candidates: [FeedCandidate], _ visible: inout [Bool]) -> Failure?
    ) throws(Failure) -> FeedPage {
        precondition(chunkMax >= 1, "a chunk holds at least one candidate")
        let cursor = request.cursor
        let shownBefore = cursor?.shownCount ?? 0
        let pageSize = min(request.pageSize, FeedLimits.depthMax - shownBefore)
        var stats = FeedRankingStats()
        guard pageSize > 0 else { return FeedPage(posts: [], nextCursor: nil, stats: stats) }

        let scorer = Scorer(request.parameters, nowEpochSeconds: request.nowEpochSeconds)
        let authorCapacity = window.authors.capacity
        var scratch = AuthorScratch.take(authorCapacity: authorCapacity)
        scorer.fillViewerTerms(&scratch, window.authors, viewer: request.viewer)
        let watermark = cursor?.postIDWatermark ?? window.postIDMax
        let range = window.rankableIndices(nowEpochSeconds: request.nowEpochSeconds)
        var seen = IndexSet64(range: range)
        for postID in request.viewer.seenPostIDs { if let index = window.index(of: postID) { seen.insert(index) } }
        // Credit features are at most 1 (clamped to the score range).
        let baseMax = scorer.base(
            engagement: window.engagementFeatureMax, tips: window.tipsFeatureMax, credit: 1,
            viewerTerm: scratch.termMax(count: authorCapacity))
        // A restricted audience: its authors' posts only when they are few, else a bit per author.
        let candidates = request.onlyAuthors.flatMap { window.audienceIndices(of: $0, in: range, shareMax: audienceScanShareMax) }
        let allowedAuthors = if let group = request.onlyAuthorGroup {
            window.authors.indexSet(group: group)
        } else {
            candidates == nil ? request.onlyAuthors.map { window.authors.indexSet(of: $0) } : nil
        }
        var quota = AuthorQuota(
            maxPerAuthor: request.parameters.maxPerAuthor, authors: window.authors, carried: cursor?.authorCounts ?? [],
            counts: scratch.lendCounts(), hidden: request.viewer.hiddenAuthorIDs)
        defer { AuthorScratch.giveBack(&scratch, zeroedCounts: quota.surrenderCounts()) }

        let kindPenalties = scorer.kindPenalties(request.viewer)
        var posts: [RankedPost] = []
        posts.reserveCapacity(pageSize)
        // One chunk's candidates, their authors and answers, reused from chunk to chunk.
        var chunk: [FeedCandidate] = []
        var pendingAuthors: [Int] = []
        var visible: [Bool] = []
        chunk.reserveCapacity(min(pageSize, chunkMax))
        pendingAuthors.reserveCapacity(min(pageSize, chunkMax))
        visible.reserveCapacity(min(pageSize, chunkMax))
        var bound = cursor?.lastKey
        var capacity = TopK.capacity(forPageSize: pageSize)
        var hasMore = false
        scans: while true {
            let pass = ScoringPass(
                scorer: scorer, creditFeatures: window.authors.creditFeatures, viewerTerms: scratch.terms,
                baseMax: baseMax, seen: seen, postIDWatermark: watermark, bound: bound, allowedAuthors: allowedAuthors,
                candidates: candidates, kindPenalties: kindPenalties)
            let (best, scanned) = pass.run(window.columns, range: range, quota: quota, capacity: capacity)
            stats.passes += 1
            stats.postsScanned += scanned
            let ordered = best.sortedBestFirst()
            var position = 0
            while position < ordered.count {
                // The chunk: from `position`, the posts whose authors have room whatever the
                // chunk's earlier posts answer, up to what the page still needs.
                chunk.removeAll(keepingCapacity: true)
                pendingAuthors.removeAll(keepingCapacity: true)
                let room = min(pageSize - posts.count, chunkMax)
                var end = position
                while end < ordered.count, chunk.count < room {
                    let entry = ordered[end]
                    let authorIndex = Int(window.columns.authorIndices[entry.index])
                    if !quota.isExhausted(authorIndex: authorIndex) {
                        let pending = Int32(pendingAuthors.count(where: { $0 == authorIndex }))
                        guard pending == 0 || quota.hasRoom(authorIndex: authorIndex, after: pending) else { break }
                        pendingAuthors.append(authorIndex)
                        chunk.append(
                            FeedCandidate(
                                postID: entry.key.postID, authorID: window.authors.userIDs[authorIndex],
                                createdAtEpochSeconds: window.columns.createdAtEpochSeconds[entry.index]))
                    }
                    end += 1
                }
                visible.removeAll(keepingCapacity: true)
                let failure = chunk.isEmpty ? nil : visibility(chunk, &visible)
                // The walk itself, one post at a time, reading the chunk's answers in order.
                var asked = 0
                for walked in position..<end {
                    let entry = ordered[walked]
                    bound = entry.key
                    let authorIndex = Int(window.columns.authorIndices[entry.index])
                    guard !quota.isExhausted(authorIndex: authorIndex) else { continue }
                    let candidate = chunk[asked]
                    stats.visibilityChecks += 1
                    guard asked < visible.count else {
                        guard let failure else { preconditionFailure("visibility answered \(visible.count) of \(chunk.count) candidates without a failure") }
                        throw failure
                    }
                    asked += 1
                    guard visible[asked - 1] else { continue }
                    quota.recordShown(authorIndex: authorIndex, authorID: candidate.authorID)
                    posts.append(RankedPost(postID: candidate.postID, authorID: candidate.authorID, score: entry.key.score))
                    if posts.count == pageSize {
                        // More may follow: posts left in this heap, or beyond it (a full heap).
                        hasMore = walked + 1 < ordered.count || best.isFull
                        break scans
                    }
                }
                assert(asked == chunk.count, "the walk asked about the chunk's posts exactly")
                position = end
            }
            // A heap with room saw every remaining post: the feed is exhausted.
            guard best.isFull else { break }
            capacity *= 2
        }

        let nextCursor =
            hasMore && shownBefore + posts.count < FeedLimits.depthMax
            ? posts.last.map {
                FeedCursor(
                    nowEpochSeconds: request.nowEpochSeconds, postIDWatermark: watermark, lastKey: $0.key,
                    shownCount: shownBefore + posts.count, authorCounts: quota.carried)
            }
            : nil
        return FeedPage(posts: posts, nextCursor: nextCursor, stats: stats)
    }

    /// One page of `window` for `request`, every post visible to the viewer.
    public static func rank(_ window: CandidateWindow, _ request: FeedRequest) -> FeedPage {
        rank(window, request, chunkMax: FeedLimits.pageSizeMax) { (candidates: [FeedCandidate], visible: inout [Bool]) -> Never? in
            visible.append(contentsOf: repeatElement(true, count: candidates.count))
            return nil
        }
    }
}

extension CandidateWindow {
    /// Array indices of the posts young enough to rank at `nowEpochSeconds` (age < ageMaxSeconds):
    /// a suffix of the live posts, found by binary search since they are in time order.
    func rankableIndices(nowEpochSeconds: Int64) -> Range<Int> {
        let oldest = nowEpochSeconds - limits.ageMaxSeconds  // exclusive
        var low = head
        var high = columns.count
        while low < high {
            let middle = (low + high) / 2
            if columns.createdAtEpochSeconds[middle] <= oldest { low = middle + 1 } else { high = middle }
        }
        return low..<columns.count
    }
}
