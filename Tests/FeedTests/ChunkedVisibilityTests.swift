import Core
import Feed
import PropertyBased
import Testing

/// The ranker asking its visibility check about chunks of candidates (one Lua entry per chunk in
/// the service) against the one-at-a-time walk: the same candidates asked, in the same order, and
/// the same pages.
@Suite("chunked visibility")
struct ChunkedVisibilityTests {
    struct Stop: Error, Equatable {
        var postID: Int64
    }

    /// One page, one candidate at a time; every candidate asked, in order.
    static func single(_ window: CandidateWindow, _ request: FeedRequest, isVisible: (FeedCandidate) -> Bool, failAt: Int64? = nil)
        -> (Result<FeedPage, Stop>, [Int64])
    {
        var asked: [Int64] = []
        do throws(Stop) {
            let page = try FeedRanker.rank(window, request) { (candidate: FeedCandidate) throws(Stop) -> Bool in
                asked.append(candidate.postID)
                if candidate.postID == failAt { throw Stop(postID: candidate.postID) }
                return isVisible(candidate)
            }
            return (.success(page), asked)
        } catch {
            return (.failure(error), asked)
        }
    }

    /// The same page in chunks of at most `chunkMax`; every candidate answered (or failed), in
    /// order, and the size of every chunk.
    static func chunked(
        _ window: CandidateWindow, _ request: FeedRequest, chunkMax: Int, isVisible: (FeedCandidate) -> Bool, failAt: Int64? = nil
    ) -> (Result<FeedPage, Stop>, [Int64], [Int]) {
        var asked: [Int64] = []
        var chunks: [Int] = []
        do throws(Stop) {
            let page = try FeedRanker.rank(window, request, chunkMax: chunkMax) { candidates, visible -> Stop? in
                chunks.append(candidates.count)
                for candidate in candidates {
                    asked.append(candidate.postID)
                    if candidate.postID == failAt { return Stop(postID: candidate.postID) }
                    visible.append(isVisible(candidate))
                }
                return nil
            }
            return (.success(page), asked, chunks)
        } catch {
            return (.failure(error), asked, chunks)
        }
    }

    static func same(_ one: Result<FeedPage, Stop>, _ other: Result<FeedPage, Stop>) -> Bool {
        switch (one, other) {
        case (.success(let a), .success(let b)): a.posts == b.posts && a.nextCursor == b.nextCursor && a.stats == b.stats
        case (.failure(let a), .failure(let b)): a == b
        default: false
        }
    }

    @Test("every page of a session asks the same candidates in the same order and is the same page")
    func samePagesAndQuestions() async throws {
        await propertyCheck(count: 200, input: Gen.uint64(), Gen.int(in: 0...300), Gen.int(in: 1...16)) { seed, postCount, chunkMax in
            let scenario = FeedScenario(seed: seed, postCount: postCount)
            let window = scenario.window
            var cursor: FeedCursor?
            var pages = 0
            repeat {
                let request = try scenario.request(cursor: cursor)
                let (one, oneAsked) = Self.single(window, request, isVisible: scenario.isVisible)
                let (many, manyAsked, chunks) = Self.chunked(window, request, chunkMax: chunkMax, isVisible: scenario.isVisible)
                #expect(Self.same(one, many), "\(scenario), chunks of \(chunkMax), page \(pages + 1)")
                #expect(oneAsked == manyAsked, "\(scenario), chunks of \(chunkMax), page \(pages + 1)")
                #expect(chunks.allSatisfy { $0 <= min(chunkMax, scenario.pageSize) })
                cursor = try one.get().nextCursor
                pages += 1
            } while cursor != nil && pages <= FeedLimits.depthMax
        }
    }

    @Test("a failing check ends the page at the same candidate, after the same questions")
    func failureAtTheSameCandidate() async throws {
        await propertyCheck(count: 200, input: Gen.uint64(), Gen.int(in: 1...300), Gen.int(in: 1...16), Gen.int(in: 0...40)) {
            seed, postCount, chunkMax, failIndex in
            let scenario = FeedScenario(seed: seed, postCount: postCount)
            let window = scenario.window
            let request = try scenario.request()
            // Fail at the failIndex-th candidate the one-at-a-time walk asks about (if it asks that many).
            let (_, everyAsked) = Self.single(window, request, isVisible: scenario.isVisible)
            let failAt = everyAsked.isEmpty ? nil : everyAsked[failIndex % everyAsked.count]
            let (one, oneAsked) = Self.single(window, request, isVisible: scenario.isVisible, failAt: failAt)
            let (many, manyAsked, _) = Self.chunked(window, request, chunkMax: chunkMax, isVisible: scenario.isVisible, failAt: failAt)
            #expect(Self.same(one, many), "\(scenario), chunks of \(chunkMax), failing at \(String(describing: failAt))")
            #expect(oneAsked == manyAsked, "\(scenario), chunks of \(chunkMax)")
            if failAt != nil { #expect(throws: Stop.self) { try many.get() } }
        }
    }

    @Test("a page of distinct authors is asked about in one chunk")
    func oneChunkPerPage() throws {
        let rows = (0..<40).map { position in
            CandidateRow(
                postID: Int64(position + 1), authorID: UserID(Int64(100 + position)),
                createdAtEpochSeconds: FeedScenario.nowEpochSeconds - Int64(40 - position) * 60, likeCount: position, authorCreditScore: 700)
        }
        let window = CandidateWindow(rows: rows, nowEpochSeconds: FeedScenario.nowEpochSeconds)
        let request = try FeedRequest(
            viewer: ViewerSignals(viewerID: UserID(1)), parameters: RankingParameters(maxPerAuthor: 1), pageSize: 20,
            clockEpochSeconds: FeedScenario.nowEpochSeconds)
        let (page, asked, chunks) = Self.chunked(window, request, chunkMax: 64) { _ in true }
        #expect(try page.get().posts.count == 20)
        #expect(asked.count == 20)
        #expect(chunks == [20], "every post visible: one chunk of the page's size")
        // Every other post hidden: the second chunk asks for what the first left unfilled.
        let (_, _, halfChunks) = Self.chunked(window, request, chunkMax: 64) { $0.postID % 2 == 0 }
        #expect(halfChunks.first == 20 && halfChunks.count > 1)
    }
}
