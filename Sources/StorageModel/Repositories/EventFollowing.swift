import Core
import Feed

/// One row of the events table as a follower reads it: the event, its id, the node that wrote
/// it and when the database stored it.
public struct FollowedEvent: Sendable, Hashable {
    public var id: Int64
    /// Without its context when the reading node wrote it and it names no post (the reader does
    /// not apply those).
    public var event: Event
    /// The node whose connection inserted the row (``EventFollowing/nodeID`` of that backend); nil
    /// for rows written by a tool that names no node (a migration, `psql`).
    public var origin: String?
    /// The database clock when the row was inserted, in seconds since 1970 (nil for rows older
    /// than the column).
    public var recordedAtSeconds: Double?

    public init(id: Int64, event: Event, origin: String?, recordedAtSeconds: Double?) {
        self.id = id
        self.event = event
        self.origin = origin
        self.recordedAtSeconds = recordedAtSeconds
    }
}

/// What one read of the events table saw, and the database snapshot it saw it in.
///
/// `snapshotXmin`/`snapshotXmax` are the snapshot's transaction-id bounds
/// (`pg_snapshot_xmin/xmax(pg_current_snapshot())`): every transaction whose id is below `xmin`
/// had ended (committed or rolled back) when the snapshot was taken, and every transaction that
/// had started writing by then has an id below `xmax`. A follower uses them to tell an event id
/// that is still being written (its transaction is open) from one that never will be (rolled
/// back, or a sequence value no row kept).
public struct EventBatch: Sendable {
    /// In id order.
    public var events: [FollowedEvent]
    public var snapshotXmin: Int64
    public var snapshotXmax: Int64
    /// The database clock when the read ran, in seconds since 1970: lags are measured on one clock.
    public var databaseNowSeconds: Double

    public init(events: [FollowedEvent], snapshotXmin: Int64, snapshotXmax: Int64, databaseNowSeconds: Double) {
        self.events = events
        self.snapshotXmin = snapshotXmin
        self.snapshotXmax = snapshotXmax
        self.databaseNowSeconds = databaseNowSeconds
    }
}

/// One row of `page_views` as a follower reads it: the page, its id and the node that wrote it.
public struct FollowedPageView: Sendable, Hashable {
    public var id: Int64
    /// Without its posts when the reading node wrote it (the reader needs only the id).
    public var page: ViewedPage
    /// The node whose connection inserted the row (nil for rows from before the column, or
    /// written by a tool that names no node).
    public var origin: String?

    public init(id: Int64, page: ViewedPage, origin: String?) {
        self.id = id
        self.page = page
        self.origin = origin
    }
}

/// What one read of `page_views` saw, and the snapshot it saw it in (as ``EventBatch``).
public struct PageViewBatch: Sendable {
    /// In id order.
    public var views: [FollowedPageView]
    public var snapshotXmin: Int64
    public var snapshotXmax: Int64

    public init(views: [FollowedPageView], snapshotXmin: Int64, snapshotXmax: Int64) {
        self.views = views
        self.snapshotXmin = snapshotXmin
        self.snapshotXmax = snapshotXmax
    }
}

/// Where a follower starts: the newest event id its windows reflect, and the ids at or below it
/// that were not visible yet (their transactions may still commit), with the snapshot's `xmax`.
public struct EventFollowStart: Sendable {
    public var highID: Int64
    public var pendingIDs: [Int64]
    public var snapshotXmax: Int64

    public init(highID: Int64, pendingIDs: [Int64], snapshotXmax: Int64) {
        self.highID = highID
        self.pendingIDs = pendingIDs
        self.snapshotXmax = snapshotXmax
    }
}

/// Tailing the events table, for a node whose in-memory state (feed windows, experiment stops)
/// must follow writes made by other nodes on the same database. Only backends shared by several
/// nodes offer it (PostgreSQL); on SQLite one process is the only writer and nothing is followed.
public protocol EventFollowing: Sendable {
    /// This backend's node: every event its connections insert carries it as `origin`.
    var nodeID: String { get }

    /// The circles' candidate rows (as ``FeedReading/candidateRows(circle:now:limits:)``) and the
    /// position in the events table they reflect, read in one snapshot: an event is either in
    /// the rows or after the position, never both, never neither. Ids at most `lookback` below
    /// the newest that the snapshot does not show are returned as pending.
    func candidateRowsAndStart(circles: [CircleID], now: Int64, limits: CandidateWindowLimits, lookback: Int) throws
        -> (rows: [CircleID: [CandidateRow]], start: EventFollowStart)

    /// Events with an id above `afterID` (the first `limit` of them, by id) and those whose id is
    /// in `pendingIDs`, in id order, with the snapshot they were read in (one statement).
    func events(after afterID: Int64, pendingIDs: [Int64], limit: Int) throws -> EventBatch

    /// A follower started (true) or stopped (false) applying these events to this node. Only in
    /// between may the backend answer from memory what other nodes write too (viewers' friends,
    /// affinities and seen posts): the follower is what tells it that they changed.
    func followerRunning(_ running: Bool)

    /// Where following `page_views` starts: its newest id now, and the ids at most `lookback`
    /// below it that the snapshot does not show (their transactions may still commit). Views are
    /// followed so that a viewer's seen posts on this node include those shown by other nodes.
    func pageViewStart(lookback: Int) throws -> EventFollowStart

    /// Pages with an id above `afterID` (the first `limit`, by id) and those whose id is in
    /// `pendingIDs`, in id order, with the snapshot they were read in (one statement).
    func pageViews(after afterID: Int64, pendingIDs: [Int64], limit: Int) throws -> PageViewBatch
}

extension StorageBackend {
    /// Nil: the backend has one writer (SQLite), nothing to follow.
    public var eventFollowing: (any EventFollowing)? { nil }
}
