import Core
import Foundation
import PostgresNIO
import StorageModel

/// Records the posts a feed page showed (a `page_views` row per page, see `ViewedPage`) on
/// PostgreSQL (SQLiteStorage's `ViewRecorder`), and answers which posts a viewer has seen: from
/// memory while a follower runs (`SeenPostsIndex`, which learns each view the moment it is
/// recorded, before it is written, and other nodes' views from the follower), else from
/// `page_views` on each call (`QuanziPostgresDatabase.holdsFollowedRows`).
///
/// `.beforeReturn`: each call is one transaction and returns once it has committed (PostgreSQL
/// flushes concurrent transactions' commits to the WAL together on its own).
///
/// `.writeBehind` (the server): `record` returns at once and one writer thread commits whatever
/// has piled up, at most `batchPagesMax` pages in one multi-row INSERT per transaction, with
/// `synchronous_commit` off for that transaction alone; past `backlogViewsMax` waiting views,
/// `record` waits for the writer. A feed page then costs no round trip: one transaction per page
/// (four round trips on the request's thread) was most of a PostgreSQL feed page's time. A view
/// is a side effect of reading a feed, not something the client asked to store: a crash of the
/// node loses the views not yet committed (milliseconds' worth), a crash of the database those
/// the WAL writer had not flushed (`wal_writer_delay`), as SQLite's write-behind recorder may;
/// `flush` (a clean shutdown) loses none.
public final class PostgresViewRecorder: @unchecked Sendable {
    public typealias View = RecordedView
    public typealias Statistics = ViewRecordingStatistics
    public typealias Durability = ViewDurability

    /// Pages per write-behind transaction at most (about twenty views each).
    public static let batchPagesMax = 1_000
    /// Views waiting to be written at most (write-behind); past it `record` waits, so memory and
    /// the views a crash could lose stay bounded when the database cannot keep up.
    public static let backlogViewsMax = 20_000
    /// How often an idle writer checks whether its recorder is gone.
    static let idleWakeSeconds = 1.0

    /// Whether a record waits for its commit (see above).
    public let durability: Durability
    private let database: QuanziPostgresDatabase
    // Guards everything below.
    private let condition = NSCondition()
    private var pending: [ViewedPage] = []
    /// Views ever recorded, and views whose write has finished (committed or failed).
    private var recordedViews = 0
    private var finishedViews = 0
    /// The first failed write since the last `flush`.
    private var failureSinceFlush: String?
    private var statistics = Statistics()
    private var writerStarted = false

    public init(database: QuanziPostgresDatabase, durability: Durability = .beforeReturn) {
        self.database = database
        self.durability = durability
    }

    /// Records `views` seen at `now` (see above for when they are durable). Either way the seen
    /// index knows them at once.
    public func record(_ views: [View], at now: Int64) throws(QuanziError) {
        guard !views.isEmpty else { return }
        if database.holdsFollowedRows { database.seenPostsIndex.note(views.map { ($0.viewerID, $0.circleID, $0.postID) }, at: now) }
        let pages = ViewedPage.pages(of: views, at: now)
        switch durability {
        case .beforeReturn:
            if let failure = write(pages, synchronous: true) { throw QuanziError(.storageFailure, "could not record feed views: \(failure)") }
            condition.lock()
            statistics.record(batchSize: views.count)
            condition.unlock()
        case .writeBehind:
            condition.lock()
            defer { condition.unlock() }
            let wasEmpty = pending.isEmpty
            pending.append(contentsOf: pages)
            recordedViews += views.count
            if !writerStarted {
                writerStarted = true
                startWriter()
            }
            if wasEmpty { condition.broadcast() }
            while recordedViews - finishedViews > Self.backlogViewsMax { condition.wait() }
        }
    }

    /// Waits until every view recorded before the call is committed; throws if a write failed
    /// since the last flush. The server calls it at shutdown, tests before they read `page_views`.
    public func flush() throws(QuanziError) {
        condition.lock()
        defer { condition.unlock() }
        let through = recordedViews
        while finishedViews < through { condition.wait() }
        if let failure = failureSinceFlush {
            failureSinceFlush = nil
            throw QuanziError(.storageFailure, "could not record feed views: \(failure)")
        }
    }

    /// Posts `viewer` saw in `circle` in [`since`, `before`), from memory after the first read of
    /// `page_views` (its viewer index answers it; the newest `ViewedPage.seenHistoryMax` pages).
    public func seenPostIDs(_ viewer: UserID, circle: CircleID, since: Int64, before: Int64) throws -> Set<Int64> {
        guard database.holdsFollowedRows else {
            return Set(try storedViews(viewer, circle: circle, since: since, before: before).map(\.postID))
        }
        return try database.seenPostsIndex.seenPostIDs(viewer, circle: circle, since: since, before: before) {
            try storedViews(viewer, circle: circle, since: since, before: nil)
        }
    }

    /// The viewer's views in `circle` in [`since`, `before`) from the newest
    /// `ViewedPage.seenHistoryMax` pages (the viewer index of `page_views` answers it).
    private func storedViews(_ viewer: UserID, circle: CircleID, since: Int64, before: Int64?) throws -> [SeenPostsIndex.View] {
        try database.unsafeRead { session in
            var views: [SeenPostsIndex.View] = []
            for (postIDs, at) in try session.rows(
                """
                SELECT post_ids, at FROM page_views WHERE viewer_id = \(viewer.rawValue)
                  AND circle_id = \(circle.rawValue) AND at >= \(since) AND at < \(before ?? Int64.max)
                ORDER BY at DESC LIMIT \(ViewedPage.seenHistoryMax)
                """, as: ([Int64], Int64).self)
            {
                for postID in postIDs { views.append(SeenPostsIndex.View(postID: postID, atEpochSeconds: at)) }
            }
            return views
        }
    }

    public func noteOthersViews(_ pages: [ViewedPage]) { database.seenPostsIndex.note(pages: pages) }

    public var currentStatistics: Statistics {
        condition.lock()
        defer { condition.unlock() }
        return statistics
    }

    /// One transaction for `pages`; the failure's description, nil when it committed.
    private func write(_ pages: [ViewedPage], synchronous: Bool) -> String? {
        do {
            try database.write { session in
                if !synchronous { try session.execute("SET LOCAL synchronous_commit TO OFF") }
                try PostgresPageViewLog.append(pages, in: session)
            }
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// The write-behind writer: one thread that holds the recorder weakly and wakes now and
    /// then, so a recorder nobody uses any more (tests) lets its thread end.
    private func startWriter() {
        let thread = Thread { [weak self] in
            while let recorder = self { recorder.writeOneBatchOrIdle() }
        }
        thread.name = "quanzi-pg-view-writer"
        thread.start()
    }

    private func writeOneBatchOrIdle() {
        condition.lock()
        defer { condition.unlock() }
        guard !pending.isEmpty else {
            _ = condition.wait(until: Date(timeIntervalSinceNow: Self.idleWakeSeconds))
            return
        }
        let batch = Array(pending.prefix(Self.batchPagesMax))
        pending.removeFirst(batch.count)
        let count = batch.reduce(0) { $0 + $1.postIDs.count }
        condition.unlock()
        let failure = write(batch, synchronous: false)
        condition.lock()
        finishedViews += count
        statistics.record(batchSize: count)
        if let failure {
            statistics.failedViews += count
            if failureSinceFlush == nil { failureSinceFlush = failure }
        }
        condition.broadcast()
    }
}
