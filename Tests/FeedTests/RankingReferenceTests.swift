import Core
import Feed
import PropertyBased
import Testing

/// The ranker (bounded heap, early stop, lazy visibility, refills) against the plain reference
/// (score all, sort all, diversity in order) on random windows.
@Suite("ranking matches the reference")
struct RankingReferenceTests {
    @Test("the first page is the head of the fully sorted, diversified feed")
    func firstPage() async throws {
        await propertyCheck(count: 200, input: Gen.uint64(), Gen.int(in: 0...300)) { seed, postCount in
            let scenario = FeedScenario(seed: seed, postCount: postCount)
            let window = scenario.window
            let request = try scenario.request()
            let page = FeedRanker.rank(window, request, isVisible: scenario.isVisible)
            let reference = ReferenceRanker.feed(window, request, isVisible: scenario.isVisible)
            #expect(page.posts == Array(reference.prefix(scenario.pageSize)), "\(scenario)")
        }
    }

    @Test("paging to the end yields the reference feed, without duplicates")
    func allPagesConcatenate() async throws {
        await propertyCheck(count: 150, input: Gen.uint64(), Gen.int(in: 0...300)) { seed, postCount in
            let scenario = FeedScenario(seed: seed, postCount: postCount)
            var window = scenario.window
            let reference = ReferenceRanker.feed(window, try scenario.request(), isVisible: scenario.isVisible)
            let pages = try allPages(scenario, window: &window)
            let shown = pages.flatMap(\.posts)
            #expect(shown == reference, "\(scenario)")
            #expect(Set(shown.map(\.postID)).count == shown.count)
            #expect(pages.dropLast().allSatisfy { $0.posts.count == scenario.pageSize }, "only the last page is short")
        }
    }

    @Test("onlyAuthors gives the reference feed of those authors' posts")
    func onlyAuthorsMatchesReference() async throws {
        await propertyCheck(count: 150, input: Gen.uint64(), Gen.int(in: 0...300)) { seed, postCount in
            let scenario = FeedScenario(seed: seed, postCount: postCount)
            let window = scenario.window
            let base = try scenario.request()
            // Every third author id, as a friends list would pick a few authors.
            let authors = Set(window.rows.map(\.authorID).filter { $0.rawValue % 3 == 0 })
            let request = try FeedRequest(
                viewer: base.viewer, parameters: base.parameters, pageSize: base.pageSize, clockEpochSeconds: base.nowEpochSeconds,
                onlyAuthors: authors)
            let page = FeedRanker.rank(window, request, isVisible: scenario.isVisible)
            let reference = ReferenceRanker.feed(window, base) { scenario.isVisible($0) && authors.contains($0.authorID) }
            #expect(page.posts == Array(reference.prefix(scenario.pageSize)), "\(scenario)")
        }
    }

    @Test("a window with every post by one author still fills pages through refills")
    func refillsAfterDiversity() throws {
        // 450 popular posts by one author, 50 plain ones by 50 others.
        let rows = (0..<500).map { (position: Int) -> CandidateRow in
            let popular = position < 450
            return CandidateRow(
                postID: Int64(position + 1), authorID: UserID(popular ? 7 : Int64(8 + position)),
                createdAtEpochSeconds: FeedScenario.nowEpochSeconds - Int64(500 - position) * 60,
                likeCount: popular ? 1_000 : 0, authorCreditScore: 700)
        }
        let window = CandidateWindow(rows: rows, nowEpochSeconds: FeedScenario.nowEpochSeconds)
        let request = try FeedRequest(
            viewer: ViewerSignals(viewerID: UserID(1)), parameters: RankingParameters(maxPerAuthor: 2), pageSize: 20,
            clockEpochSeconds: FeedScenario.nowEpochSeconds)
        let page = FeedRanker.rank(window, request)
        #expect(page.posts.count == 20)
        #expect(page.posts.filter { $0.authorID == UserID(7) }.count == 2)
        #expect(page.stats.passes > 1, "the first heap is all one author's posts")
        #expect(page.posts == Array(ReferenceRanker.feed(window, request) { _ in true }.prefix(20)))
    }
}

@Suite("the ranking loop does little work")
struct RankingWorkTests {
    /// 20,000 posts over two days, half-life 12 hours.
    static func bigWindow() -> CandidateWindow {
        var random = SeededGenerator(seed: 42)
        let rows = (0..<20_000).map { position in
            CandidateRow(
                postID: Int64(position + 1), authorID: UserID(Int64(random.int(in: 1...2_000))),
                createdAtEpochSeconds: FeedScenario.nowEpochSeconds - 2 * 86_400 + Int64(position) * 8,
                likeCount: random.int(in: 0...50), commentCount: random.int(in: 0...5), authorCreditScore: random.int(in: 350...950))
        }
        return CandidateWindow(rows: rows, nowEpochSeconds: FeedScenario.nowEpochSeconds)
    }

    @Test("the visibility check runs only on posts that make the page")
    func lazyVisibility() throws {
        let window = Self.bigWindow()
        let request = try FeedRequest(
            viewer: ViewerSignals(viewerID: UserID(1)), parameters: RankingParameters(), pageSize: 30,
            clockEpochSeconds: FeedScenario.nowEpochSeconds)
        let everyone = FeedRanker.rank(window, request)
        #expect(everyone.posts.count == 30)
        #expect(everyone.stats.visibilityChecks == 30)
        var asked = 0
        let half = FeedRanker.rank(window, request) { candidate in
            asked += 1
            return candidate.postID % 2 == 0
        }
        #expect(half.posts.count == 30 && half.posts.allSatisfy { $0.postID % 2 == 0 })
        #expect(asked == half.stats.visibilityChecks && asked <= 70, "about two checks per post shown, not 20,000")
    }

    /// A friends-only feed: 5 of 2,000 authors. Their posts alone enter the heap, so the page
    /// takes one or two scans and no visibility check is spent on anyone else.
    @Test("onlyAuthors keeps other authors out of the heap")
    func onlyAuthorsScansOnce() throws {
        let window = Self.bigWindow()
        let friends = Set((1...5).map { UserID(Int64($0 * 300)) })
        let request = try FeedRequest(
            viewer: ViewerSignals(viewerID: UserID(1)), parameters: RankingParameters(), pageSize: 20,
            clockEpochSeconds: FeedScenario.nowEpochSeconds, onlyAuthors: friends)
        let page = FeedRanker.rank(window, request)
        #expect(!page.posts.isEmpty && page.posts.allSatisfy { friends.contains($0.authorID) })
        #expect(page.stats.passes <= 2)
        #expect(page.stats.visibilityChecks == page.posts.count)
        #expect(page.stats.postsScanned <= 2 * window.count)
    }

    @Test("the scan stops once no older post can reach the page")
    func earlyStop() throws {
        let window = Self.bigWindow()
        let request = try FeedRequest(
            viewer: ViewerSignals(viewerID: UserID(1)), parameters: RankingParameters(halfLifeHours: 2), pageSize: 20,
            clockEpochSeconds: FeedScenario.nowEpochSeconds)
        let page = FeedRanker.rank(window, request)
        #expect(page.stats.postsScanned < window.count / 2)
        #expect(page.posts == Array(ReferenceRanker.feed(window, request) { _ in true }.prefix(20)))
    }

    @Test("a visibility check that throws ends the request with its error")
    func throwingVisibility() throws {
        struct ScriptFailed: Error {}
        let window = Self.bigWindow()
        let request = try FeedRequest(
            viewer: ViewerSignals(viewerID: UserID(1)), parameters: RankingParameters(), pageSize: 5,
            clockEpochSeconds: FeedScenario.nowEpochSeconds)
        #expect(throws: ScriptFailed.self) {
            _ = try FeedRanker.rank(window, request) { (_: FeedCandidate) throws(ScriptFailed) -> Bool in throw ScriptFailed() }
        }
    }
}
