import Core
import Dispatch
import Feed
import Foundation
import Social
import StorageModel
import Synchronization

/// Keeps this node's in-memory state current with writes other nodes make to the same database:
/// it tails the events table (``EventFollowing``) from a dedicated thread and applies each other
/// node's post, like, comment, tip, report, hide, delete and credit recompute to the feed windows,
/// re-reads experiment stops and forced variants, and makes the backend forget the viewers'
/// friends and affinities it holds when another node's commit changed them (`friend.added`,
/// `friend.removed`, `like.created`, `comment.created`, `affinity.changed`); it also tails
/// `page_views` the same way (its own position, the same gap rules) and notes the pages other
/// nodes showed as seen here. While it runs, and only then, the backend answers viewers'
/// friends, affinities and seen posts from memory (``EventFollowing/followerRunning(_:)``), so a
/// warm feed page reads nothing from the database.
/// Only backends shared by several nodes (PostgreSQL) have anything to follow; on SQLite the
/// service never starts one.
///
/// **Own writes are applied once.** This node's writes update its windows directly as they
/// commit (read-your-writes, no wait for a poll), and every event row carries the node that
/// inserted it (`origin`, a column default from the connection's `quanzi.node` setting), so the
/// follower skips rows whose origin is this node. Origin filtering was chosen over making window
/// updates idempotent per event id because the write paths never learn their events' ids (the
/// stores insert them inside their transactions) and counters (likes, tips) cannot be made
/// idempotent without remembering every applied id. The one own write the window can miss is an
/// interaction with a post created on another node in the instant before the follower inserted
/// it: the write path then marks (post, kind) under the window's lock
/// (``FeedService/updateOwn(_:postID:kind:_:)``) and the follower applies that own event once,
/// in id order after the post's insert, instead of skipping it.
///
/// **Ids are not commit order.** Ids come from a sequence when a row is inserted; its
/// transaction commits later, so a smaller id can become visible after a larger one. The follower
/// reads `id > high` plus every id it skipped (pending), and keeps an id pending until it appears
/// or is known dead: each read returns its snapshot's `xmin` (every transaction below it has
/// ended) and a pending id remembers the `xmax` of the first snapshot that skipped it (its
/// transaction, if any, had started by then). Once a later snapshot's `xmin` passes that `xmax`
/// and the id is still absent, its transaction rolled back (or the value was never used), and
/// it is dropped after `gapGraceSeconds` (which covers the microseconds between a statement
/// taking the id and its transaction getting a transaction id). A pending id is given up after
/// `gapTimeoutSeconds` in any case (counted in ``Statistics/gapsExpired``): only a transaction
/// that holds an event id uncommitted that long, or a long-running transaction holding back
/// `xmin` for that long, can lose an event.
///
/// **The lag bound.** An event committed by another node is applied by the end of the first poll
/// that starts after its commit, whatever its id: at most `pollInterval` plus one poll's
/// duration (a read and the window updates, milliseconds), plus the time to drain a backlog of
/// more than `batchLimit` events. ``Statistics/lastLagSeconds`` and the `onLag` callback report
/// each applied event's lag: from its insert, by the database's clock, to the end of its poll's
/// window updates (so clock skew between hosts does not enter).
public final class FeedFollower: Sendable {
    public struct Configuration: Sendable {
        /// How often the events table is read.
        public var pollInterval: Duration
        /// Events read at most per statement (a longer backlog is drained by reading again at once).
        public var batchLimit: Int
        /// A pending id whose transaction has ended is dropped only after this long.
        public var gapGraceSeconds: Double
        /// A pending id is given up after this long, even if its transaction may still be open.
        public var gapTimeoutSeconds: Double
        /// Pending ids kept at most (the oldest are given up first).
        public var pendingMax: Int
        /// Forced variants write no event: they are re-read this often.
        public var experimentRefreshInterval: Duration

        public init(
            pollInterval: Duration = .milliseconds(100), batchLimit: Int = 1_000, gapGraceSeconds: Double = 1,
            gapTimeoutSeconds: Double = 300, pendingMax: Int = 100_000, experimentRefreshInterval: Duration = .seconds(1)
        ) {
            self.pollInterval = pollInterval
            self.batchLimit = batchLimit
            self.gapGraceSeconds = gapGraceSeconds
            self.gapTimeoutSeconds = gapTimeoutSeconds
            self.pendingMax = pendingMax
            self.experimentRefreshInterval = experimentRefreshInterval
        }

        public static let `default` = Configuration()
    }

    public struct Statistics: Sendable, Hashable {
        /// Reads of the events table.
        public var polls = 0
        /// Other nodes' events applied (or seen and found irrelevant to the windows).
        public var eventsApplied = 0
        /// This node's own events, skipped.
        public var ownEventsSkipped = 0
        /// Ids currently pending (skipped, not yet known dead).
        public var pendingIDs = 0
        /// Pending ids given up at the timeout or the cap: events possibly lost.
        public var gapsExpired = 0
        /// Reads or applications that failed (retried at the next poll).
        public var errors = 0
        /// The newest event id read.
        public var highID: Int64 = 0
        /// The last applied event's lag, and the largest so far, in seconds.
        public var lastLagSeconds: Double = 0
        public var maxLagSeconds: Double = 0
        /// Reads of `page_views` (the first reads where to start; from then on the backend
        /// answers viewers' friends, affinities and seen posts from memory).
        public var viewReads = 0
        /// Pages other nodes recorded, noted as seen here.
        public var pagesViewedElsewhere = 0
    }

    /// At start-up, ids this far below the newest are checked for pending transactions.
    static let startLookback = 10_000

    private struct Position {
        var events: FollowPosition
        /// Nil until the first poll reads where views start (and again after a stop).
        var views: FollowPosition?
        var lastExperimentRefresh: ContinuousClock.Instant
    }

    public let configuration: Configuration
    private let following: any EventFollowing
    private let feeds: FeedService
    private let experiments: ExperimentService
    private let posts: any PostRepository
    private let users: any UserRepository
    private let credit: any CreditRepository
    private let socialReads: any FeedReading
    private let viewRecording: any ViewRecording
    private let onLag: (@Sendable (Double) -> Void)?
    private let position: Mutex<Position>
    private let statistics = Mutex(Statistics())
    private let running = Mutex<(stop: Bool, thread: Bool)>((false, false))
    private let wake = DispatchSemaphore(value: 0)
    private let exited = DispatchSemaphore(value: 0)

    init(
        following: any EventFollowing, start: EventFollowStart, feeds: FeedService, experiments: ExperimentService,
        posts: any PostRepository, users: any UserRepository, credit: any CreditRepository, socialReads: any FeedReading,
        viewRecording: any ViewRecording, configuration: Configuration, onLag: (@Sendable (Double) -> Void)?
    ) {
        self.socialReads = socialReads
        self.viewRecording = viewRecording
        self.following = following
        self.feeds = feeds
        self.experiments = experiments
        self.posts = posts
        self.users = users
        self.credit = credit
        self.configuration = configuration
        self.onLag = onLag
        let now = ContinuousClock.now
        let events = FollowPosition(high: start.highID, pendingIDs: start.pendingIDs, snapshotXmax: start.snapshotXmax, now: now)
        position = Mutex(Position(events: events, views: nil, lastExperimentRefresh: now))
        statistics.withLock {
            $0.highID = start.highID
            $0.pendingIDs = events.pending.count
        }
    }

    public var currentStatistics: Statistics { statistics.withLock { $0 } }

    /// Starts polling on a thread of its own (the stores block their caller).
    func start() {
        let started = running.withLock { state -> Bool in
            guard !state.thread else { return false }
            state = (false, true)
            return true
        }
        guard started else { return }
        let thread = Thread { [self] in
            while !running.withLock({ $0.stop }) {
                do {
                    try poll()
                } catch {
                    statistics.withLock { $0.errors += 1 }
                }
                _ = wake.wait(timeout: .now() + .nanoseconds(Int(configuration.pollInterval.nanoseconds)))
            }
            exited.signal()
        }
        thread.name = "quanzi.feed-follower"
        thread.start()
    }

    /// Stops polling and waits for the thread to finish its current poll.
    public func stop() {
        let wasRunning = running.withLock { state -> Bool in
            guard state.thread, !state.stop else { return false }
            state.stop = true
            return true
        }
        guard wasRunning else { return }
        wake.signal()
        exited.wait()
        position.withLock { position in
            // Until a new start reads its position again, nothing tells the memory what changed.
            following.followerRunning(false)
            position.views = nil
        }
        running.withLock { $0 = (false, false) }
    }

    /// Reads and applies everything new once (draining a backlog), refreshes experiments when
    /// due, then notes other nodes' page views. The thread calls it on its timer; tests may call it directly (from a thread
    /// that may block). Returns how many other nodes' events were applied.
    @discardableResult
    public func poll() throws -> Int {
        try position.withLock { position in
            var applied = 0
            var refreshExperiments = false
            while true {
                let started = ContinuousClock.now
                let batch = try following.events(
                    after: position.events.high, pendingIDs: Array(position.events.pending.keys), limit: configuration.batchLimit)
                let (count, newRows, stopped) = try apply(batch, to: &position, started: started)
                applied += count
                refreshExperiments = refreshExperiments || stopped
                if newRows < configuration.batchLimit { break }
            }
            feeds.forgetMissedOwn(olderThanSeconds: 60)
            let now = ContinuousClock.now
            if refreshExperiments || now - position.lastExperimentRefresh >= configuration.experimentRefreshInterval {
                position.lastExperimentRefresh = now
                try experiments.refreshControl()
            }
            // Last: a failed read of views never holds back the events or the experiments.
            try followViews(&position)
            return applied
        }
    }

    /// Applies one read: returns the other nodes' events applied, the rows above the old high
    /// (to know whether the read was cut at the limit), and whether an experiment was stopped.
    /// The position moves only once the events are applied: a read that fails is read again.
    private func apply(_ batch: EventBatch, to current: inout Position, started: ContinuousClock.Instant) throws
        -> (applied: Int, newRows: Int, experimentStopped: Bool)
    {
        var position = current
        let now = ContinuousClock.now
        let (newRows, expired) = position.events.advance(
            read: batch.events.map(\.id), snapshotXmin: batch.snapshotXmin, snapshotXmax: batch.snapshotXmax, now: now,
            configuration: configuration)
        let foreign = batch.events.filter { $0.origin != following.nodeID }
        let own = batch.events.count - foreign.count
        let stopped = try applyInOrder(batch.events)
        current = position
        let done = ContinuousClock.now
        let local = FollowPosition.seconds(done - started)
        var lastLag: Double?
        var maxLag = 0.0
        for followed in foreign {
            guard let recorded = followed.recordedAtSeconds else { continue }
            let lag = max(0, batch.databaseNowSeconds - recorded) + local
            onLag?(lag)
            lastLag = lag
            maxLag = max(maxLag, lag)
        }
        let high = position.events.high
        let pendingCount = position.events.pending.count
        statistics.withLock { statistics in
            statistics.polls += 1
            statistics.eventsApplied += foreign.count
            statistics.ownEventsSkipped += own
            statistics.gapsExpired += expired
            statistics.highID = high
            statistics.pendingIDs = pendingCount
            if let lastLag { statistics.lastLagSeconds = lastLag }
            statistics.maxLagSeconds = max(statistics.maxLagSeconds, maxLag)
        }
        return (foreign.count, newRows, stopped)
    }

    /// Reads other nodes' page views (draining a backlog) and notes them as seen on this node.
    /// The first call reads where to start, and only then lets the backend answer from memory:
    /// a seen set loaded afterwards holds every view committed before the start, the follower
    /// every one after it.
    private func followViews(_ position: inout Position) throws {
        guard var views = position.views else {
            let start = try following.pageViewStart(lookback: Self.startLookback)
            position.views = FollowPosition(
                high: start.highID, pendingIDs: start.pendingIDs, snapshotXmax: start.snapshotXmax, now: ContinuousClock.now)
            following.followerRunning(true)
            statistics.withLock { $0.viewReads += 1 }
            return
        }
        var noted = 0
        var expired = 0
        while true {
            let batch = try following.pageViews(
                after: views.high, pendingIDs: Array(views.pending.keys), limit: configuration.batchLimit)
            let advanced = views.advance(
                read: batch.views.map(\.id), snapshotXmin: batch.snapshotXmin, snapshotXmax: batch.snapshotXmax,
                now: ContinuousClock.now, configuration: configuration)
            let pages = batch.views.filter { $0.origin != following.nodeID }.map(\.page)
            if !pages.isEmpty { viewRecording.noteOthersViews(pages) }
            noted += pages.count
            expired += advanced.expired
            position.views = views
            if advanced.newRows < configuration.batchLimit { break }
        }
        statistics.withLock { statistics in
            statistics.viewReads += 1
            statistics.pagesViewedElsewhere += noted
            statistics.gapsExpired += expired
        }
    }

    /// The read's events, in id order: other nodes' are applied, this node's own only when they
    /// missed the window. A new post is read from the database (with its author's credit and
    /// city) and enters the window with zero counts: the likes, comments, tips and reports it has
    /// are events of their own, applied after it.
    private func applyInOrder(_ events: [FollowedEvent]) throws -> Bool {
        guard !events.isEmpty else { return false }
        let node = following.nodeID
        let createdIDs = events.compactMap {
            $0.origin != node && $0.event.kind == EventKind.postCreated.rawValue ? $0.event.postID : nil
        }
        let created = createdIDs.isEmpty ? [:] : try posts.posts(createdIDs)
        let authors = Set(created.values.map(\.authorID))
        let profiles =
            authors.isEmpty ? [:] : Dictionary(try users.users(Array(authors)).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var credits: [UserID: Int] = [:]
        for author in authors { credits[author] = try credit.score(author) }
        let recomputed = events.contains { $0.origin != node && $0.event.kind == EventKind.creditRecomputed.rawValue }
        let scores = recomputed ? try credit.allScores() : [:]
        // Everything is read: nothing below throws, so a batch is applied whole or not at all.
        var experimentStopped = false
        var socialChanged: Set<UserID> = []
        var unknownSocialChange = false
        for followed in events {
            let event = followed.event
            if followed.origin == node {
                applyOwnIfMissed(event)
                continue
            }
            let circle = event.circleID.map { CircleID($0) }
            switch EventKind(rawValue: event.kind) {
            case .postCreated:
                guard let id = event.postID, let post = created[id] else { continue }
                feeds.record(post, authorCredit: credits[post.authorID], authorCity: profiles[post.authorID]?.city)
            case .likeCreated, .commentCreated:
                // The interaction bumped the user's affinity for the author in its transaction.
                if let user = event.userID { socialChanged.insert(UserID(user)) }
                update(event, circle)
            case .friendAdded, .friendRemoved, .userBlocked, .userUnblocked, .userMuted, .userUnmuted, .postShowLess:
                for user in [event.userID, event.targetUserID].compactMap(\.self) { socialChanged.insert(UserID(user)) }
            case .affinityChanged:
                // A context that names no viewers (written by another tool): forget everyone.
                guard let viewers = AffinityChange.viewers(inContext: event.context) else {
                    unknownSocialChange = true
                    continue
                }
                socialChanged.formUnion(viewers)
            case .creditRecomputed:
                feeds.updateCredit(scores)
            case .experimentStopped, .experimentStarted, .experimentAdvanced, .experimentShipped, .experimentHeld, .experimentReleased:
                experimentStopped = true  // any lifecycle change: the node re-reads the experiments' state
            default:
                // Every other kind that changes a window (tips, reports, hides, approvals,
                // deletes): `WindowEvent` is the one list of them.
                update(event, circle)
            }
        }
        if unknownSocialChange {
            socialReads.forgetAllSocialSignals()
        } else if !socialChanged.isEmpty {
            socialReads.forgetSocialSignals(of: Array(socialChanged))
        }
        return experimentStopped
    }

    /// This node's own event: applied only if its window update found no post when it was made
    /// (``FeedService/updateOwn(_:postID:kind:_:)``), i.e. the post arrived from another node since.
    private func applyOwnIfMissed(_ event: Event) {
        guard let post = event.postID, let name = event.circleID else { return }
        let change = event.windowEvent
        feeds.applyMissedOwn(CircleID(name), postID: post, kind: event.kind) { window in
            if let change { _ = window.apply(change) }
        }
    }

    private func update(_ event: Event, _ circle: CircleID?) {
        guard let change = event.windowEvent else { return }
        if let circle {
            feeds.update(circle) { _ = $0.apply(change) }
        } else {
            feeds.updateWindow(holding: change.postID) { _ = $0.apply(change) }
        }
    }

}

extension Duration {
    fileprivate var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
