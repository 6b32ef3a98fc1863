import Core
import Experiments
import Feed
import Foundation
import LuaHost
import Social
import Storage
import Synchronization

/// A ranked page of a circle's feed, as the app shows it.
public struct FeedResult: Sendable {
    public struct Item: Sendable {
        public var post: Post
        public var score: Double
        /// Each feature's contribution; they sum to `score`. Only with `explain`.
        public var explanation: FeedExplanation?
    }

    public var items: [Item]
    /// Opaque; pass it back for the next page. Nil at the end.
    public var nextCursor: String?
    public var stats: FeedRankingStats
    /// The ranking weights used (the circle's, overridden by the viewer's experiment variants).
    public var parameters: RankingParameters
}

/// The feeds: one in-memory candidate window per circle, loaded once from the database and kept
/// current by the service's writes (no query per candidate, no rebuild per request). Ranking is
/// Swift; the circle's Lua `view` rule runs only on posts that would be shown.
public final class FeedService: Sendable {
    /// A window and its lock (a `Mutex` cannot live in a dictionary by value).
    final class Window: Sendable {
        let state: Mutex<CandidateWindow>
        init(_ window: CandidateWindow) { state = Mutex(window) }
    }

    private let windows: [CircleID: Window]
    /// What feed pages show of each post, beside the window's counts.
    let contents = PostContentCache()
    /// Authors by city, for `same_city` audiences.
    let cityAuthors = CityAuthorIndex()
    private let queries: any FeedReading
    private let clock: any Clock
    private let limits: CandidateWindowLimits

    init(queries: any FeedReading, circles: [CircleDefinition], clock: any Clock, limits: CandidateWindowLimits = .default) throws {
        self.queries = queries
        self.clock = clock
        self.limits = limits
        var windows: [CircleID: Window] = [:]
        let now = clock.nowEpochSeconds
        for circle in circles {
            let rows = try queries.candidateRows(circle: circle.id, now: now, limits: limits)
            windows[circle.id] = Window(CandidateWindow(limits: limits, rows: rows, nowEpochSeconds: now))
        }
        self.windows = windows
    }

    /// Applies a change to a circle's window.
    func update(_ circle: CircleID, _ change: (inout CandidateWindow) -> Void) {
        windows[circle]?.state.withLock { change(&$0) }
    }

    func record(_ post: Post, authorCredit: Int?, authorCity: String?) {
        contents.remember(post)
        cityAuthors.noteAuthor(post.authorID, city: authorCity, in: post.circleID)
        update(post.circleID) { window in
            _ = window.insert(CandidateRow(postID: post.id, authorID: post.authorID, createdAtEpochSeconds: post.createdAtEpochSeconds,
                                           authorCreditScore: authorCredit ?? FeedQueries.unscoredCredit, status: FeedQueries.status(post.status)))
        }
    }

    /// After a credit recompute: every author's new score.
    func updateCredit(_ scores: [UserID: Int]) {
        for window in windows.values {
            window.state.withLock { window in
                for (user, score) in scores { _ = window.updateAuthorCredit(user, score: score) }
            }
        }
    }

    /// Posts in every window (for `quanzi feed` and metrics).
    public var candidateCount: Int { windows.values.reduce(0) { $0 + $1.state.withLock { $0.count } } }

    /// Ranks one page of `circle` for `viewer`. `isVisible` is the circle's view rule.
    func page(
        circle: CircleID, viewer: ViewerSignals, parameters: RankingParameters, pageSize: Int, cursor: FeedCursor?, explain: Bool,
        onlyAuthors: Set<UserID>? = nil, isVisible: (FeedCandidate) throws(QuanziError) -> Bool
    ) throws(QuanziError) -> (page: FeedPage, explanations: [FeedExplanation], rows: [CandidateRow]) {
        guard let window = windows[circle] else { throw QuanziError(.circleNotFound, "no circle '\(circle)'") }
        let request = try FeedRequest(
            viewer: viewer, parameters: parameters, pageSize: pageSize, cursor: cursor, clockEpochSeconds: clock.nowEpochSeconds,
            onlyAuthors: onlyAuthors)
        return try window.state.withLock { window throws(QuanziError) in
            let page = try FeedRanker.rank(window, request, isVisible: isVisible)
            let explanations = explain ? FeedRanker.explain(page.posts.map(\.postID), in: window, for: request) : []
            return (page, explanations, page.posts.compactMap { window.row(postID: $0.postID) })
        }
    }

    /// The authors with posts in `circle`'s window right now.
    func authorIDs(in circle: CircleID) -> [UserID] { windows[circle]?.state.withLock { $0.authorIDs } ?? [] }

    /// Affinities, friends, and the posts of `circle` the viewer saw in the window's age before
    /// `seenBefore`: all from memory once the viewer has been read.
    func viewerSignals(_ viewer: UserID, circle: CircleID, seenBefore: Int64, views: any ViewRecording) throws -> ViewerSignals {
        let now = clock.nowEpochSeconds
        let social = try queries.socialSignals(of: viewer)
        let seen = try views.seenPostIDs(viewer, circle: circle, since: now - limits.ageMaxSeconds, before: seenBefore)
        return ViewerSignals(viewerID: viewer, affinityByAuthor: social.affinityByAuthor(at: now), friendIDs: social.friendIDs, seenPostIDs: seen)
    }
}
