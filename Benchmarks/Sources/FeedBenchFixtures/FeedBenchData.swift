// What the feed benchmarks rank, shared by the ordo-one suite (Benchmarks/FeedRanking) and the
// side-by-side tool (feed-compare): a circle's posts, a viewer and the campus-diary weights.
//
// The data comes from a seeded generator that uses only 64-bit integer operations (SplitMix64,
// shifts, modulo), so `lua/feed_rank.lua` regenerates exactly the same posts inside Lua instead of
// having a million rows copied in. Keep the two in step: same draws, same order.
import Core
import Feed
import Foundation

public enum FeedBench {
    /// The request time every benchmark ranks at.
    public static let nowEpochSeconds: Int64 = 1_750_000_000
    public static let pageSize = 50
    public static let seed: UInt64 = 20_260_501
    /// The candidate counts of the scaling table.
    public static let sizes = [1_000, 10_000, 100_000, 1_000_000]

    /// How the posts' creation times are spread.
    public enum Shape: String, CaseIterable, Sendable {
        /// Over the window's week: the usual case; the scan stops early once older posts cannot
        /// reach the page.
        case week
        /// Within the last hour: every post is about as fresh, so every one is scanned (the worst
        /// case for the early stop).
        case hour

        public var spanSeconds: Int64 { self == .week ? 7 * 86_400 - 60 : 3_600 }
    }

    /// campus-diary's `ranking` table (plugins/campus-diary.lua), friendship bonus and seen penalty
    /// at their defaults.
    public static let parameters = RankingParameters(
        halfLifeHours: 12, engagementWeight: 1.0, tipsWeight: 0.5, creditWeight: 0.2, affinityWeight: 1.5,
        friendshipWeight: 0.5, reportPenalty: 2.0, seenPenalty: 1.0, maxPerAuthor: 2)

    /// A window large enough for the biggest size.
    public static let limits = CandidateWindowLimits(ageMaxSeconds: 7 * 86_400, countMax: 2_000_000)

    /// Authors of a circle with `count` posts: ten posts each on average, at least 100.
    public static func authorCount(posts count: Int) -> Int { max(100, count / 10) }

    /// The posts: heavy-tailed likes (2^k with k uniform in 0…12, most posts have few), one
    /// comment per ten likes, a fifth of posts tipped, one in twenty reported, 3% hidden and 1%
    /// deleted; then one credit score per author.
    public static func rows(count: Int, shape: Shape) -> [CandidateRow] {
        var random = SeededGenerator(seed: seed)
        let authors = authorCount(posts: count)
        var rows: [CandidateRow] = []
        rows.reserveCapacity(count)
        for index in 0..<count {
            let created = nowEpochSeconds - shape.spanSeconds + Int64(index) * shape.spanSeconds / Int64(count)
            let author = 1 + random.draw(authors)
            let likes = random.draw(1 << random.draw(13))
            let comments = likes / 10 + random.draw(3)
            let tips = random.draw(5) == 0 ? random.draw(1 << random.draw(17)) : 0
            let reports = random.draw(20) == 0 ? 1 + random.draw(5) : 0
            let roll = random.draw(100)
            rows.append(
                CandidateRow(
                    postID: Int64(index + 1), authorID: UserID(Int64(author)), createdAtEpochSeconds: created,
                    likeCount: likes, commentCount: comments, tipsFen: Int64(tips), reportCount: reports,
                    authorCreditScore: 0, status: roll < 3 ? .hidden : roll == 3 ? .deleted : .visible))
        }
        let credits = (0..<authors).map { _ in 350 + random.draw(601) }
        for index in rows.indices { rows[index].authorCreditScore = credits[Int(rows[index].authorID.rawValue) - 1] }
        return rows
    }

    /// The viewer: affinity to 200 authors, 100 friends, 300 of the newest 5,000 posts seen.
    public static func viewer(posts count: Int) -> ViewerSignals {
        var random = SeededGenerator(seed: seed ^ 0x5EED)
        let authors = authorCount(posts: count)
        var affinities: [UserID: Double] = [:]
        for _ in 0..<200 {
            let author = UserID(Int64(1 + random.draw(authors)))  // drawn before the affinity, as in Lua
            affinities[author] = Double(random.draw(1_000)) / 1_000
        }
        var friends: Set<UserID> = []
        for _ in 0..<100 { friends.insert(UserID(Int64(1 + random.draw(authors)))) }
        var seen: Set<Int64> = []
        for _ in 0..<300 { seen.insert(Int64(count - random.draw(min(count, 5_000)))) }
        return ViewerSignals(viewerID: UserID(0), affinityByAuthor: affinities, friendIDs: friends, seenPostIDs: seen)
    }

    public static func window(count: Int, shape: Shape) -> CandidateWindow {
        CandidateWindow(limits: limits, rows: rows(count: count, shape: shape), nowEpochSeconds: nowEpochSeconds)
    }

    public static func request(posts count: Int) -> FeedRequest {
        do {
            return try FeedRequest(
                viewer: viewer(posts: count), parameters: parameters, pageSize: pageSize,
                clockEpochSeconds: nowEpochSeconds)
        } catch {
            fatalError("the bench request is invalid: \(error)")
        }
    }
}

/// A modulo draw on Core's SplitMix64: `SeededGenerator.next(below:)` needs a 128-bit multiply,
/// which Lua does not have; `(x >> 1) % bound` is the same in both languages.
extension SeededGenerator {
    /// In 0..<bound (slightly biased; fine for benchmark data).
    public mutating func draw(_ bound: Int) -> Int { Int((next() >> 1) % UInt64(bound)) }
}

extension FeedBench {
    /// `/work/main/Benchmarks`, found from this file's path so the tools run from any directory.
    public static let benchmarksDirectory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // FeedBenchFixtures
        .deletingLastPathComponent()  // Sources
        .deletingLastPathComponent()  // Benchmarks
}
