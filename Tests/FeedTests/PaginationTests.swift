import Core
import Feed
import PropertyBased
import Testing

@Suite("pagination")
struct PaginationTests {
    @Test("new posts arriving between pages cause no duplicate and no gap")
    func stableUnderInserts() async throws {
        await propertyCheck(count: 120, input: Gen.uint64(), Gen.int(in: 0...250)) { seed, postCount in
            let scenario = FeedScenario(seed: seed, postCount: postCount)
            var window = scenario.window
            let reference = ReferenceRanker.feed(window, try scenario.request(), isVisible: scenario.isVisible)
            var random = SeededGenerator(seed: seed ^ 0xFEED)
            var nextPostID = (scenario.rows.map(\.postID).max() ?? 0) + 1
            // Authors keep their credit: a credit change would move existing posts, not add new ones.
            let creditByAuthor = Dictionary(scenario.rows.map { ($0.authorID, $0.authorCreditScore) }) { first, _ in first }
            // Between pages: fresh, popular posts (they would rank first) and a minute of clock.
            let pages = try allPages(scenario, window: &window, clockStepSeconds: 60) { window, _ in
                for _ in 0..<random.int(in: 1...5) {
                    let author = UserID(Int64(random.int(in: 1_000...1_020)))
                    window.insert(
                        CandidateRow(
                            postID: nextPostID, authorID: author,
                            createdAtEpochSeconds: FeedScenario.nowEpochSeconds + Int64(random.int(in: 0...300)),
                            likeCount: random.int(in: 0...10_000), authorCreditScore: creditByAuthor[author] ?? 900))
                    nextPostID += 1
                }
            }
            let shown = pages.flatMap(\.posts)
            #expect(shown == reference, "\(scenario)")
            #expect(Set(shown.map(\.postID)).count == shown.count)
        }
    }

    @Test("the next page starts right after the last post shown")
    func cursorFollowsLastPost() throws {
        let scenario = FeedScenario(seed: 7, postCount: 200)
        let window = scenario.window
        let first = FeedRanker.rank(window, try scenario.request(), isVisible: scenario.isVisible)
        let cursor = try #require(first.nextCursor)
        #expect(cursor.lastKey == first.posts.last?.key)
        #expect(cursor.shownCount == first.posts.count)
        #expect(cursor.nowEpochSeconds == FeedScenario.nowEpochSeconds)
        #expect(cursor.postIDWatermark == window.postIDMax)
        #expect(cursor.authorCounts.reduce(0) { $0 + $1.shownCount } == first.posts.count)
    }

    @Test("a session ends at the depth limit")
    func depthLimit() throws {
        let rows = (0..<(FeedLimits.depthMax + 300)).map { (position: Int) -> CandidateRow in
            let id = Int64(position + 1)
            return CandidateRow(
                postID: id, authorID: UserID(id), createdAtEpochSeconds: FeedScenario.nowEpochSeconds - id,
                authorCreditScore: 600)
        }
        var window = CandidateWindow(rows: rows, nowEpochSeconds: FeedScenario.nowEpochSeconds)
        var scenario = FeedScenario(seed: 1, postCount: 0)
        scenario.pageSize = FeedLimits.pageSizeMax
        scenario.viewer = ViewerSignals(viewerID: UserID(1))
        let pages = try allPages(scenario, window: &window)
        #expect(pages.flatMap(\.posts).count == FeedLimits.depthMax)
        #expect(pages.last?.nextCursor == nil)
    }
}

@Suite("feed cursor")
struct FeedCursorTests {
    @Test("a cursor survives its opaque form")
    func roundTrip() async throws {
        await propertyCheck(count: 50, input: Gen.uint64(), Gen.int(in: 20...200)) { seed, postCount in
            let scenario = FeedScenario(seed: seed, postCount: postCount)
            let page = FeedRanker.rank(scenario.window, try scenario.request(), isVisible: scenario.isVisible)
            guard let cursor = page.nextCursor else { return }
            let text = cursor.encoded
            #expect(text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }, "URL-safe")
            #expect(try FeedCursor(encoded: text) == cursor)
        }
    }

    @Test("text that is not a cursor is refused with invalid_cursor")
    func garbage() throws {
        let scenario = FeedScenario(seed: 3, postCount: 100)
        let cursor = try #require(FeedRanker.rank(scenario.window, try scenario.request()).nextCursor)
        let valid = cursor.encoded
        var tampered = Array(valid.utf8)
        tampered[tampered.count / 2] = tampered[tampered.count / 2] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        for text in ["", "!!!", "AAAA", String(valid.dropLast(3)), valid + "AA", String(decoding: tampered, as: UTF8.self)] {
            do {
                let decoded = try FeedCursor(encoded: text)
                // A changed byte can still decode (the cursor is not signed), but never to the original.
                #expect(decoded != cursor, "\(text)")
            } catch {
                #expect(error.code == .invalidCursor)
            }
        }
    }

    @Test("a cursor older than its lifetime is refused")
    func expired() throws {
        let scenario = FeedScenario(seed: 5, postCount: 100)
        let cursor = try #require(FeedRanker.rank(scenario.window, try scenario.request()).nextCursor)
        let late = FeedScenario.nowEpochSeconds + FeedLimits.cursorLifetimeSeconds + 1
        #expect(throws: QuanziError.self) { try scenario.request(cursor: cursor, clockEpochSeconds: late) }
        let inTime = try scenario.request(cursor: cursor, clockEpochSeconds: late - 1)
        #expect(inTime.nowEpochSeconds == FeedScenario.nowEpochSeconds, "later pages score at the frozen time")
    }
}
