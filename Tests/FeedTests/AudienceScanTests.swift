import Core
import PropertyBased
import Testing

@testable import Feed

/// A restricted audience (friends, a city) ranks only its authors' posts, picked out through the
/// window's per-author lists, instead of scanning every post and skipping the others. Both scans
/// must give the same pages, cursors and work counts.
@Suite("restricted audiences: picking out their posts")
struct AudienceScanTests {
    /// Every page of `scenario` for `authors` or `group`, scanning all posts (`pickOut` false) or
    /// picking out the listed authors' posts.
    static func pages(
        _ scenario: FeedScenario, window: CandidateWindow, authors: Set<UserID>?, group: UInt32? = nil, pickOut: Bool
    ) throws -> [FeedPage] {
        var pages: [FeedPage] = []
        var cursor: FeedCursor?
        repeat {
            let base = try scenario.request()
            let request = try FeedRequest(
                viewer: base.viewer, parameters: base.parameters, pageSize: base.pageSize, cursor: cursor,
                clockEpochSeconds: base.nowEpochSeconds, onlyAuthors: authors, onlyAuthorGroup: group)
            let page = FeedRanker.rank(
                window, request, chunkMax: 1, audienceScanShareMax: pickOut ? .infinity : -1
            ) { (candidates: [FeedCandidate], visible: inout [Bool]) -> Never? in
                for candidate in candidates { visible.append(scenario.isVisible(candidate)) }
                return nil
            }
            pages.append(page)
            cursor = page.nextCursor
        } while cursor != nil && pages.count <= FeedLimits.depthMax
        return pages
    }

    @Test("picking out an audience's posts gives the full scan's pages, cursors and counts")
    func sameAsFullScan() async throws {
        await propertyCheck(count: 200, input: Gen.uint64(), Gen.int(in: 0...300), Gen.int(in: 1...6)) { seed, postCount, every in
            let scenario = FeedScenario(seed: seed, postCount: postCount)
            let window = scenario.window
            // Every `every`-th author, and one who never posted.
            let authors = Set(window.rows.map(\.authorID).filter { $0.rawValue % Int64(every) == 0 } + [UserID(99)])
            let scanned = try Self.pages(scenario, window: window, authors: authors, pickOut: false)
            let pickedOut = try Self.pages(scenario, window: window, authors: authors, pickOut: true)
            #expect(pickedOut.map(\.posts) == scanned.map(\.posts), "\(scenario)")
            #expect(pickedOut.map(\.nextCursor) == scanned.map(\.nextCursor), "\(scenario)")
            #expect(pickedOut.map(\.stats) == scanned.map(\.stats), "\(scenario)")
        }
    }

    @Test("the per-author lists follow inserts out of order and evictions")
    func listsFollowTheWindow() async throws {
        await propertyCheck(count: 150, input: Gen.uint64(), Gen.int(in: 0...400)) { seed, postCount in
            let scenario = FeedScenario(seed: seed, postCount: postCount, limits: CandidateWindowLimits(ageMaxSeconds: 86_400, countMax: 120))
            var random = SeededGenerator(seed: seed ^ 0x5EED)
            var window = CandidateWindow(limits: scenario.limits)
            // Posts arrive in the scenario's (random) time order, and time moves on now and then.
            var clock = FeedScenario.nowEpochSeconds - 86_400
            for row in scenario.rows {
                window.insert(row)
                if random.chance(0.05) {
                    clock += Int64(random.int(in: 0...7_200))
                    window.evictExpired(nowEpochSeconds: clock)
                }
            }
            let range = window.rankableIndices(nowEpochSeconds: FeedScenario.nowEpochSeconds)
            let rows = window.rows
            for every in 1...4 {
                let authors = Set(rows.map(\.authorID).filter { $0.rawValue % Int64(every) == 0 })
                let expected = range.filter { authors.contains(window.authors.userIDs[Int(window.columns.authorIndices[$0])]) }
                #expect(window.audienceIndices(of: authors, in: range, shareMax: .infinity) == expected, "\(scenario)")
            }
            // Each author's list holds exactly their posts in the window.
            for (index, user) in window.authors.userIDs.enumerated() where window.authors.postCounts[index] > 0 {
                let theirs = rows.filter { $0.authorID == user }.map(\.postID)
                #expect(window.authors.postIDs[index].sorted() == theirs.sorted())
            }
        }
    }

    @Test("a group's author bits are its authors with posts, as authors come, go, reuse slots and change group")
    func groupBitsFollowTheAuthors() async {
        // Each step: an author (1…24), a group (0…3) and whether a post arrives or leaves.
        let step = zip(Gen.int(in: 1...24), Gen.int(in: 0...3), Gen.bool)
        await propertyCheck(count: 300, input: step.array(of: 0...200)) { steps in
            var table = AuthorTable()
            var postsByAuthor: [Int64: [Int64]] = [:]
            var nextPostID: Int64 = 1
            for (author, group, arrives) in steps {
                let user = UserID(Int64(author))
                if arrives || postsByAuthor[user.rawValue, default: []].isEmpty {
                    _ = table.retain(user, creditScore: 600, group: UInt32(group), postID: nextPostID)
                    postsByAuthor[user.rawValue, default: []].append(nextPostID)
                    nextPostID += 1
                } else {
                    let postID = postsByAuthor[user.rawValue]!.removeFirst()
                    table.release(Int32(table.indexByUserID[user.rawValue]!), postID: postID)
                }
            }
            for group in UInt32(0)...3 {
                let bits = table.indexSet(group: group)
                for index in 0..<table.capacity {
                    let member = group != 0 && table.groups[index] == group && table.postCounts[index] > 0
                    #expect(bits.contains(index) == member, "group \(group), index \(index)")
                }
                #expect(!bits.contains(table.capacity))
            }
        }
    }

    @Test("a group's feed is its authors' feed, through evictions and author slots reused by other groups")
    func groupIsItsAuthors() async throws {
        await propertyCheck(count: 150, input: Gen.uint64(), Gen.int(in: 0...400), Gen.int(in: 1...4)) { seed, postCount, groupCount in
            let scenario = FeedScenario(seed: seed, postCount: postCount, limits: CandidateWindowLimits(ageMaxSeconds: 86_400, countMax: 120))
            var random = SeededGenerator(seed: seed ^ 0x6A0C)
            var window = CandidateWindow(limits: scenario.limits)
            // Every third author has no group; the others are spread over `groupCount` groups.
            func group(of author: UserID) -> UInt32 { author.rawValue % 3 == 0 ? 0 : UInt32(author.rawValue % Int64(groupCount)) + 1 }
            var clock = FeedScenario.nowEpochSeconds - 86_400
            for var row in scenario.rows {
                row.authorGroup = group(of: row.authorID)
                window.insert(row)
                if random.chance(0.05) {
                    clock += Int64(random.int(in: 0...7_200))
                    window.evictExpired(nowEpochSeconds: clock)
                }
            }
            let none = window.authors.indexSet(group: 0)
            #expect(!(0..<window.authors.capacity).contains { none.contains($0) }, "no group matches nobody")
            for wanted in UInt32(1)...UInt32(groupCount) {
                let authors = Set(window.rows.map(\.authorID).filter { group(of: $0) == wanted })
                let byGroup = try Self.pages(scenario, window: window, authors: nil, group: wanted, pickOut: false)
                let listed = try Self.pages(scenario, window: window, authors: authors, pickOut: false)
                #expect(byGroup.map(\.posts) == listed.map(\.posts), "\(scenario), group \(wanted)")
                #expect(byGroup.map(\.nextCursor) == listed.map(\.nextCursor), "\(scenario), group \(wanted)")
                #expect(byGroup.flatMap(\.posts).allSatisfy { group(of: $0.authorID) == wanted })
            }
        }
    }

    @Test("a large audience is scanned, a small one picked out")
    func shareDecides() throws {
        let window = RankingWorkTests.bigWindow()
        let range = window.rankableIndices(nowEpochSeconds: FeedScenario.nowEpochSeconds)
        let few = Set((1...5).map { UserID(Int64($0 * 300)) })
        let many = Set((1...1_500).map { UserID(Int64($0)) })
        #expect(window.audienceIndices(of: few, in: range) != nil)
        #expect(window.audienceIndices(of: many, in: range) == nil)
    }
}
