import Core
import Feed
import PropertyBased
import Testing

@Suite("candidate window")
struct CandidateWindowTests {
    static let now = FeedScenario.nowEpochSeconds

    static func post(_ id: Int64, ageSeconds: Int64, author: Int64 = 1) -> CandidateRow {
        CandidateRow(postID: id, authorID: UserID(author), createdAtEpochSeconds: now - ageSeconds, authorCreditScore: 700)
    }

    @Test("incremental updates rank the same as a rebuild from the final rows")
    func incrementalEqualsRebuild() async throws {
        let limitChoices = [
            CandidateWindowLimits(ageMaxSeconds: 2 * 86_400, countMax: 60),
            CandidateWindowLimits(ageMaxSeconds: 3 * 3_600, countMax: 10_000),
            CandidateWindowLimits(ageMaxSeconds: 2 * 86_400, countMax: 10_000),
        ]
        await propertyCheck(count: 120, input: Gen.uint64(), Gen.int(in: 0...120), Gen.int(in: 0...300)) {
            seed, postCount, eventCount in
            var scenario = FeedScenario(seed: seed, postCount: postCount, limits: limitChoices[Int(seed % 3)])
            var window = scenario.window
            var model = WindowModel(scenario.rows)
            var random = SeededGenerator(seed: seed ^ 0xE7E7)
            var clock = FeedScenario.nowEpochSeconds
            var nextPostID = (scenario.rows.map(\.postID).max() ?? 0) + 1
            for _ in 0..<eventCount {
                model.applyRandomEvent(to: &window, random: &random, clock: &clock, nextPostID: &nextPostID)
            }
            var rebuilt = CandidateWindow(limits: scenario.limits, rows: model.finalRows, nowEpochSeconds: clock)

            let rankable = { (row: CandidateRow) in clock - row.createdAtEpochSeconds < scenario.limits.ageMaxSeconds }
            #expect(window.rows.filter(rankable) == rebuilt.rows.filter(rankable), "\(scenario), \(eventCount) events")
            #expect(window.count <= scenario.limits.countMax)

            scenario.pageSize = 7
            let request = try scenario.request(clockEpochSeconds: clock)
            let incrementalFeed = ReferenceRanker.feed(window, request, isVisible: scenario.isVisible)
            #expect(FeedRanker.rank(window, request, isVisible: scenario.isVisible).posts == Array(incrementalFeed.prefix(7)))
            #expect(FeedRanker.rank(rebuilt, request, isVisible: scenario.isVisible).posts == Array(incrementalFeed.prefix(7)))
            #expect(ReferenceRanker.feed(rebuilt, request, isVisible: scenario.isVisible) == incrementalFeed)
            rebuilt.evictExpired(nowEpochSeconds: clock)
        }
    }

    @Test("a long stream of posts through a small window stays bounded and equal to a rebuild")
    func compaction() throws {
        let limits = CandidateWindowLimits(ageMaxSeconds: 86_400, countMax: 300)
        var window = CandidateWindow(limits: limits)
        var rows: [CandidateRow] = []
        for id in 1...5_000 {
            let row = CandidateRow(
                postID: Int64(id), authorID: UserID(Int64(id % 37)), createdAtEpochSeconds: Self.now + Int64(id) * 10,
                likeCount: id % 13, authorCreditScore: 600)
            rows.append(row)
            window.insert(row)
            window.recordLike(postID: Int64(id / 2))
            // The database counts every like; a post already evicted is outside the rebuild too.
            if id / 2 > 0 { rows[id / 2 - 1].likeCount += 1 }
        }
        let clock = Self.now + 50_000
        let rebuilt = CandidateWindow(limits: limits, rows: rows, nowEpochSeconds: clock)
        #expect(window.count == 300 && window.rows == rebuilt.rows)
        #expect(window.authorCount == 37)
        #expect(window.memoryFootprintBytes < 4 * (1_024 + 300) * CandidateWindow.memoryBytesPerCandidate())
    }

    @Test("posts past the age limit are not ranked, and leave after the retention")
    func ageLimit() throws {
        let limits = CandidateWindowLimits(ageMaxSeconds: 3_600, countMax: 100)
        var window = CandidateWindow(
            limits: limits, rows: [Self.post(1, ageSeconds: 3_600), Self.post(2, ageSeconds: 3_599)], nowEpochSeconds: Self.now)
        let request = try FeedRequest(
            viewer: ViewerSignals(viewerID: UserID(5)), parameters: RankingParameters(), pageSize: 10, clockEpochSeconds: Self.now)
        #expect(FeedRanker.rank(window, request).posts.map(\.postID) == [2])
        #expect(window.count == 2, "kept for open cursors")
        window.evictExpired(nowEpochSeconds: Self.now + FeedLimits.cursorLifetimeSeconds + 1)
        #expect(window.rows.map(\.postID) == [2])
        let tooOld = window.insert(Self.post(3, ageSeconds: limits.retentionSeconds + 10))
        #expect(!tooOld, "too old to enter")
    }

    @Test("a full window lets its oldest post go first and refuses older ones")
    func countLimit() {
        var window = CandidateWindow(limits: CandidateWindowLimits(countMax: 3))
        for id in Int64(1)...4 { window.insert(Self.post(id, ageSeconds: 100 - id)) }
        #expect(window.rows.map(\.postID) == [2, 3, 4])
        let older = window.insert(Self.post(9, ageSeconds: 500))
        let again = window.insert(Self.post(4, ageSeconds: 0))
        #expect(!older)
        #expect(!again, "already present")
    }

    @Test("a late post is placed in time order")
    func outOfOrder() {
        var window = CandidateWindow()
        for (id, age) in [(Int64(1), Int64(50)), (2, 10), (3, 30), (4, 5), (5, 30)] { window.insert(Self.post(id, ageSeconds: age)) }
        #expect(window.rows.map(\.postID) == [1, 3, 5, 2, 4])
        let liked = window.recordLike(postID: 5)
        #expect(liked && window.row(postID: 5)?.likeCount == 1, "the index follows the shift")
    }

    @Test("hidden posts come back when restored; deleted posts never do")
    func statuses() throws {
        var window = CandidateWindow(
            rows: [Self.post(1, ageSeconds: 10), Self.post(2, ageSeconds: 20, author: 2)], nowEpochSeconds: Self.now)
        let request = try FeedRequest(
            viewer: ViewerSignals(viewerID: UserID(5)), parameters: RankingParameters(), pageSize: 10, clockEpochSeconds: Self.now)
        let removed = window.hide(postID: 1) && window.delete(postID: 2)
        #expect(removed)
        #expect(FeedRanker.rank(window, request).posts.isEmpty)
        let restored = window.restore(postID: 1) && window.restore(postID: 2) && window.hide(postID: 2)
        #expect(restored)
        #expect(FeedRanker.rank(window, request).posts.map(\.postID) == [1])
        #expect(window.row(postID: 2)?.status == .deleted)
    }

    @Test("events for posts outside the window change nothing and say so")
    func unknownPosts() {
        var window = CandidateWindow(rows: [Self.post(1, ageSeconds: 10)], nowEpochSeconds: Self.now)
        let before = window.rows
        let answers = [
            window.recordLike(postID: 99), window.recordComment(postID: 99), window.recordReport(postID: 99),
            window.recordTip(postID: 99, amountFen: 100), window.hide(postID: 99), window.restore(postID: 99),
            window.delete(postID: 99), window.updateAuthorCredit(UserID(42), score: 900),
        ]
        #expect(answers.allSatisfy { !$0 })
        #expect(window.rows == before)
    }

    @Test("memory per candidate is estimated from the columns and the index")
    func memoryEstimate() {
        let estimate = CandidateWindow.memoryBytesPerCandidate()
        #expect((50...120).contains(estimate))
    }
}
