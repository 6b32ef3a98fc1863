import Core
import Feed

/// A random but reproducible feed situation: a circle's posts, a viewer, weights, a page size and
/// a visibility rule. Small value ranges on purpose, so equal scores (ties broken by post id),
/// exhausted authors and rejected posts all happen often.
struct FeedScenario: CustomStringConvertible {
    static let nowEpochSeconds: Int64 = 1_750_000_000

    var seed: UInt64
    var limits: CandidateWindowLimits
    var rows: [CandidateRow]
    var viewer: ViewerSignals
    var parameters: RankingParameters
    var pageSize: Int
    /// Posts the circle's `view` rule hides from this viewer.
    var invisiblePostIDs: Set<Int64>

    var description: String { "FeedScenario(seed: \(seed), posts: \(rows.count), pageSize: \(pageSize))" }

    init(seed: UInt64, postCount: Int, limits: CandidateWindowLimits = CandidateWindowLimits(ageMaxSeconds: 2 * 86_400)) {
        var random = SeededGenerator(seed: seed)
        self.seed = seed
        self.limits = limits
        let authorCount = random.int(in: 1...max(1, postCount / 3 + 1))
        let authors = (0..<authorCount).map { UserID(Int64(1_000 + $0)) }
        // One credit per author, as the window keeps it; 1,000 is out of range and gets clamped.
        let credits = [350, 600, 650, 950, 1_000]
        var creditByAuthor: [UserID: Int] = [:]
        for author in authors { creditByAuthor[author] = random.pick(credits) }
        rows = (0..<postCount).map { position in
            // Ages run a little past the age limit (still in the window's retention, never ranked),
            // often on the same second so that equal scores occur.
            let age = random.chance(0.2) ? 3_600 : Int64(random.int(in: 0...Int(limits.ageMaxSeconds + 3_000)))
            let roll = random.unit()
            let author = random.pick(authors)
            return CandidateRow(
                postID: Int64(10_000 + position * 3 + random.int(in: 0...2)),
                authorID: author,
                createdAtEpochSeconds: Self.nowEpochSeconds - age,
                likeCount: random.chance(0.3) ? 0 : random.int(in: 0...(random.chance(0.1) ? 5_000 : 20)),
                commentCount: random.chance(0.5) ? 0 : random.int(in: 0...8),
                tipsFen: random.chance(0.7) ? 0 : Int64(random.int(in: 1...50_000)),
                reportCount: random.chance(0.8) ? 0 : random.int(in: 1...4),
                authorCreditScore: creditByAuthor[author]!,
                status: roll < 0.08 ? .hidden : roll < 0.12 ? .deleted : .visible)
        }

        var affinities: [UserID: Double] = [:]
        var friends: Set<UserID> = []
        for author in authors {
            if random.chance(0.3) { affinities[author] = random.chance(0.5) ? 0.5 : random.unit() }
            if random.chance(0.2) { friends.insert(author) }
        }
        let seen = Set(rows.filter { _ in random.chance(0.15) }.map(\.postID))
        viewer = ViewerSignals(viewerID: UserID(1), affinityByAuthor: affinities, friendIDs: friends, seenPostIDs: seen)
        func weight() -> Double { random.chance(0.2) ? 0 : Double(random.int(in: 0...8)) / 4 }
        parameters = RankingParameters(
            halfLifeHours: Double(random.int(in: 1...48)), engagementWeight: weight(), tipsWeight: weight(),
            creditWeight: weight(), affinityWeight: weight(), friendshipWeight: weight(), reportPenalty: weight(),
            seenPenalty: weight(), maxPerAuthor: random.int(in: 1...3))
        pageSize = random.int(in: 1...12)
        invisiblePostIDs = Set(rows.filter { _ in random.chance(0.15) }.map(\.postID))
        // Drawn last, so the draws above (and the scenarios they make) are those of before.
        for author in authors where random.chance(0.15) { viewer.showLessByAuthor[author] = random.int(in: 1...4) }
        parameters.showLessPenalty = weight()
        // Kinds and "show less" of kinds, drawn after everything above for the same reason.
        rows = rows.map { row in
            var row = row
            row.kindIndex = UInt8(random.int(in: 0...3))
            return row
        }
        for kind in UInt8(0)...3 where random.chance(0.3) { viewer.showLessByKindIndex[kind] = random.int(in: 1...3) }
        parameters.showLessKindPenalty = weight()
    }

    var window: CandidateWindow {
        CandidateWindow(limits: limits, rows: rows, nowEpochSeconds: Self.nowEpochSeconds)
    }

    func request(cursor: FeedCursor? = nil, clockEpochSeconds: Int64 = FeedScenario.nowEpochSeconds) throws -> FeedRequest {
        try FeedRequest(
            viewer: viewer, parameters: parameters, pageSize: pageSize, cursor: cursor, clockEpochSeconds: clockEpochSeconds)
    }

    func isVisible(_ candidate: FeedCandidate) -> Bool { !invisiblePostIDs.contains(candidate.postID) }
}

/// The plain reference: score every post, sort them all, apply diversity in order. Scores come
/// from `FeedRanker.explain` (bit-identical to the ranker's; the explanation tests check them
/// against the formula), so any difference is in selection.
enum ReferenceRanker {
    static func feed(_ window: CandidateWindow, _ request: FeedRequest, isVisible: (FeedCandidate) -> Bool) -> [RankedPost] {
        let now = request.nowEpochSeconds
        let watermark = request.cursor?.postIDWatermark ?? window.postIDMax
        let all = FeedRanker.explain(window.rows.map(\.postID), in: window, for: request)
            .filter {
                $0.row.status == .visible && now - $0.row.createdAtEpochSeconds < window.limits.ageMaxSeconds
                    && $0.postID <= watermark
            }
            .map { RankedPost(postID: $0.postID, authorID: $0.authorID, score: $0.score) }
            .sorted { $0.key.ranksAbove($1.key) }
        var shown: [UserID: Int] = [:]
        var feed: [RankedPost] = []
        for post in all where shown[post.authorID, default: 0] < request.parameters.maxPerAuthor {
            let candidate = FeedCandidate(
                postID: post.postID, authorID: post.authorID,
                createdAtEpochSeconds: window.row(postID: post.postID)!.createdAtEpochSeconds)
            guard isVisible(candidate) else { continue }
            shown[post.authorID, default: 0] += 1
            feed.append(post)
        }
        return Array(feed.prefix(FeedLimits.depthMax))
    }
}

/// Every page of a session, following cursors; `between` runs before each later page (to insert
/// posts, move the clock…). Stops at the first page without a cursor.
func allPages(
    _ scenario: FeedScenario, window: inout CandidateWindow, clockStepSeconds: Int64 = 0,
    between: (inout CandidateWindow, Int) -> Void = { _, _ in }
) throws -> [FeedPage] {
    var pages: [FeedPage] = []
    var cursor: FeedCursor?
    var clock = FeedScenario.nowEpochSeconds
    repeat {
        if !pages.isEmpty { between(&window, pages.count) }
        // Through the opaque form, as a client would hand it back.
        let decoded = try cursor.map { try FeedCursor(encoded: $0.encoded) }
        let page = FeedRanker.rank(window, try scenario.request(cursor: decoded, clockEpochSeconds: clock), isVisible: scenario.isVisible)
        pages.append(page)
        cursor = page.nextCursor
        clock += clockStepSeconds
    } while cursor != nil && pages.count <= FeedLimits.depthMax
    return pages
}
