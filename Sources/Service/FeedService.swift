import Core
import Experiments
import Feed
import Foundation
import LuaHost
import Social
import StorageModel
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
    /// A window and its lock: many feeds read it at once, writes take turns.
    typealias Window = ReadWriteLocked<CandidateWindow>

    /// The windows by circle. A reload that adds a circle adds its window (``addCircles(_:)``);
    /// every other access reads the table under a read lock and keeps the window it got.
    private let windowTable: ReadWriteLocked<[CircleID: Window]>
    private var windows: [CircleID: Window] { windowTable.read { $0 } }
    /// What feed pages show of each post, beside the window's counts.
    let contents = PostContentCache()
    private let queries: any FeedReading
    private let clock: any Clock
    private let limits: CandidateWindowLimits
    /// With a backend other nodes write to: the position in the events table the windows were
    /// loaded at, where a ``FeedFollower`` starts.
    let followStart: EventFollowStart?

    /// This node's own writes whose window update found no post, by post and event kind (only
    /// when other nodes write too): the post was created on another node and the follower had
    /// not inserted it yet. The follower skips this node's own events, except these.
    private struct MissedKey: Hashable {
        var postID: Int64
        var kind: String
    }
    private let missedOwn = Mutex<[MissedKey: (count: Int, since: ContinuousClock.Instant)]>([:])

    /// With `following`, the windows and the events position are read in one snapshot, so a
    /// follower started later applies every other node's event exactly once.
    init(
        queries: any FeedReading, circles: [CircleDefinition], clock: any Clock, limits: CandidateWindowLimits = .default,
        following: (any EventFollowing)? = nil
    ) throws {
        self.queries = queries
        self.clock = clock
        self.limits = limits
        var windows: [CircleID: Window] = [:]
        let now = clock.nowEpochSeconds
        var loaded: [CircleID: [CandidateRow]] = [:]
        if let following {
            let (rows, start) = try following.candidateRowsAndStart(
                circles: circles.map(\.id), now: now, limits: limits, lookback: FeedFollower.startLookback)
            loaded = rows
            followStart = start
        } else {
            for circle in circles { loaded[circle.id] = try queries.candidateRows(circle: circle.id, now: now, limits: limits) }
            followStart = nil
        }
        for circle in circles {
            windows[circle.id] = Window(CandidateWindow(limits: limits, rows: loaded[circle.id] ?? [], nowEpochSeconds: now))
        }
        windowTable = ReadWriteLocked(windows)
    }

    /// Adds a window for each circle a reload brought that has none yet, loaded from the
    /// database as at start. The empty window is registered before the rows are read, so a post
    /// this node (or, with several nodes, the follower) adds meanwhile is kept; rows already
    /// there are not inserted twice.
    func addCircles(_ circles: [CircleDefinition]) throws(QuanziError) {
        let now = clock.nowEpochSeconds
        for circle in circles {
            let window = windowTable.write { table -> Window? in
                guard table[circle.id] == nil else { return nil }
                let window = Window(CandidateWindow(limits: limits))
                table[circle.id] = window
                return window
            }
            guard let window else { continue }
            let rows = try QuanziError.wrapping { try queries.candidateRows(circle: circle.id, now: now, limits: limits) }
            window.write { candidates in
                for row in rows where !candidates.contains(postID: row.postID) { _ = candidates.insert(row) }
                candidates.evictExpired(nowEpochSeconds: now)
            }
        }
    }

    /// Applies a change to a circle's window.
    func update(_ circle: CircleID, _ change: (inout CandidateWindow) -> Void) {
        windowTable.read({ $0[circle] })?.write { change(&$0) }
    }

    /// Applies a change this node just made (its `kind` event is committed) to a circle's window.
    /// `change` returns false when the window does not hold the post: with a follower, that
    /// event is then remembered for it to apply once the post arrives (see ``FeedFollower``).
    func updateOwn(_ circle: CircleID, postID: Int64, kind: EventKind, _ change: (inout CandidateWindow) -> Bool) {
        windowTable.read({ $0[circle] })?.write { window in
            guard !change(&window), followStart != nil else { return }
            let key = MissedKey(postID: postID, kind: kind.rawValue)
            missedOwn.withLock { $0[key] = (($0[key]?.count ?? 0) + 1, ContinuousClock.now) }
        }
    }

    /// `updateOwn(_:postID:kind:_:)` for one event this node just made.
    func updateOwn(_ circle: CircleID, _ event: WindowEvent) {
        updateOwn(circle, postID: event.postID, kind: event.kind) { $0.apply(event) }
    }

    /// The follower, for one of this node's own events: applies `change` under the window's lock
    /// if the event missed the window when it was made (consuming that mark).
    func applyMissedOwn(_ circle: CircleID, postID: Int64, kind: String, _ change: (inout CandidateWindow) -> Void) {
        guard missedOwn.withLock({ !$0.isEmpty }) else { return }
        windowTable.read({ $0[circle] })?.write { window in
            let key = MissedKey(postID: postID, kind: kind)
            let missed = missedOwn.withLock { missed -> Bool in
                guard let entry = missed[key] else { return false }
                missed[key] = entry.count > 1 ? (entry.count - 1, entry.since) : nil
                return true
            }
            if missed { change(&window) }
        }
    }

    /// Forgets marks older than `seconds` (a write whose event the follower read before the mark
    /// was made, when the post was not in any window anyway: an old post).
    func forgetMissedOwn(olderThanSeconds seconds: Int64) {
        let cutoff = ContinuousClock.now - .seconds(seconds)
        missedOwn.withLock { missed in
            guard !missed.isEmpty else { return }
            missed = missed.filter { $0.value.since >= cutoff }
        }
    }

    func record(_ post: Post, authorCredit: Int?, authorCity: String?) {
        contents.remember(post)
        update(post.circleID) { window in
            _ = window.insert(CandidateRow(postID: post.id, authorID: post.authorID, createdAtEpochSeconds: post.createdAtEpochSeconds,
                                           authorCreditScore: authorCredit ?? CandidateRows.unscoredCredit, status: CandidateRows.status(post.status),
                                           kindIndex: CandidateRows.kindIndex(post.kind), authorGroup: AuthorGroups.code(for: authorCity)))
        }
    }

    /// Applies a change to the window holding `postID`, whichever circle it is in (an event that
    /// names no circle). False when no window holds it.
    @discardableResult
    func updateWindow(holding postID: Int64, _ change: (inout CandidateWindow) -> Void) -> Bool {
        for window in windows.values where window.read({ $0.contains(postID: postID) }) {
            window.write { change(&$0) }
            return true
        }
        return false
    }

    /// The post as `circle`'s window holds it (counts, status), nil when it is not there.
    public func candidate(postID: Int64, in circle: CircleID) -> CandidateRow? { windowTable.read({ $0[circle] })?.read { $0.row(postID: postID) } }

    /// A post the feeds hold as visible, with the window's counts; nil when its content is not
    /// held, its circle's window does not hold it, or holds it hidden or deleted. A window learns
    /// other nodes' writes a poll late, so this serves only checks that a store repeats inside its
    /// write (`QuanziService.postToActOn`).
    func visiblePostInMemory(_ postID: Int64) -> Post? {
        guard let post = contents.held(postID), let row = candidate(postID: postID, in: post.circleID), row.status == .visible else { return nil }
        return PostContentCache.current(post, row: row)
    }

    /// Whether a circle's window holds the post.
    func contains(postID: Int64, in circle: CircleID) -> Bool { windowTable.read({ $0[circle] })?.read { $0.contains(postID: postID) } ?? false }

    /// After a credit recompute: every author's new score.
    func updateCredit(_ scores: [UserID: Int]) {
        for window in windows.values {
            window.write { window in
                for (user, score) in scores { _ = window.updateAuthorCredit(user, score: score) }
            }
        }
    }

    /// Posts in every window (for `quanzi feed` and metrics).
    public var candidateCount: Int { windows.values.reduce(0) { $0 + $1.read { $0.count } } }

    /// Ranks one page of `circle` for `viewer`. `visibility` is the circle's view rule, asked about
    /// up to `chunkMax` candidates at a time (see `FeedRanker.rank(_:_:chunkMax:visibility:)`).
    func page(
        circle: CircleID, viewer: ViewerSignals, parameters: RankingParameters, pageSize: Int, cursor: FeedCursor?, explain: Bool,
        onlyAuthors: Set<UserID>? = nil, onlyAuthorGroup: UInt32? = nil, chunkMax: Int,
        visibility: (_ candidates: [FeedCandidate], _ visible: inout [Bool]) -> QuanziError?
    ) throws(QuanziError) -> (page: FeedPage, explanations: [FeedExplanation], rows: [CandidateRow]) {
        guard let window = windowTable.read({ $0[circle] }) else { throw QuanziError(.circleNotFound, "no circle '\(circle)'") }
        let request = try FeedRequest(
            viewer: viewer, parameters: parameters, pageSize: pageSize, cursor: cursor, clockEpochSeconds: clock.nowEpochSeconds,
            onlyAuthors: onlyAuthors, onlyAuthorGroup: onlyAuthorGroup)
        return try window.read { window throws(QuanziError) in
            let page = try FeedRanker.rank(window, request, chunkMax: chunkMax, visibility: visibility)
            let explanations = explain ? FeedRanker.explain(page.posts.map(\.postID), in: window, for: request) : []
            return (page, explanations, page.posts.compactMap { window.row(postID: $0.postID) })
        }
    }


    /// Affinities, friends, and the posts of `circle` the viewer saw in the window's age before
    /// `seenBefore`: all from memory once the viewer has been read.
    func viewerSignals(_ viewer: UserID, circle: CircleID, seenBefore: Int64, views: any ViewRecording) throws -> ViewerSignals {
        let now = clock.nowEpochSeconds
        let social = try queries.socialSignals(of: viewer)
        let seen = try views.seenPostIDs(viewer, circle: circle, since: now - limits.ageMaxSeconds, before: seenBefore)
        var signals = ViewerSignals(
            viewerID: viewer, affinityByAuthor: social.affinityByAuthor(at: now), friendIDs: social.friendIDs, seenPostIDs: seen,
            hiddenAuthorIDs: social.hiddenAuthorIDs, showLessByAuthor: social.showLessByAuthor)
        for (kind, count) in social.showLessByKind { signals.showLessByKindIndex[CandidateRows.kindIndex(kind), default: 0] += count }
        return signals
    }
}
