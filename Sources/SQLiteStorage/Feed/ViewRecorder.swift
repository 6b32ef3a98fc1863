import Core
import Foundation
import GRDB

/// Records the posts a feed page showed (one `page_views` row per page, see `ViewedPage`),
/// committing the pages of concurrent requests together, and answers which posts a viewer has
/// seen (`SeenPostsIndex`).
///
/// Two durabilities:
/// - `.beforeReturn`: `record` returns once its views are durable. The first caller to arrive
///   writes every view pending at that moment while the others wait for that commit
///   (leader/follower group commit); a lone caller (the CLI, simulations) commits at once, so
///   results stay deterministic.
/// - `.writeBehind`: `record` returns at once and a writer thread commits whatever has piled up
///   (letting a partial batch gather for `lingerSeconds`), batch after batch: at most
///   `batchViewsMax` views per transaction, so money never waits long for SQLite's one writer;
///   past `backlogViewsMax` waiting views, `record` waits for the writer. The server uses it: a
///   view is a side effect of reading a feed, not something the client asked to store, and
///   waiting for its fsync (plus a commit per handful of requests) was a fifth of the feed's CPU
///   and most of its latency. A crash loses the views not yet committed (milliseconds' worth),
///   and since these commits skip the WAL's fsync a power cut also loses those committed after
///   its last fsync; `flush()` at shutdown loses none.
///
/// Synchronous on purpose: callers are synchronous service code on threads that may block.
public final class ViewRecorder: @unchecked Sendable {
    public typealias View = RecordedView
    public typealias Statistics = ViewRecordingStatistics

    public typealias Durability = ViewDurability

    /// Failures kept for waiters of recent batches; older ones have no waiter left.
    static let failuresKept = 64
    /// How often an idle write-behind writer checks whether its recorder is gone.
    static let idleWakeSeconds = 1.0
    /// Views per transaction at most. The wallet's group commits share SQLite's one writer, and
    /// under a feed flood an unbounded batch of views held it for seconds: transfers waited.
    public static let batchViewsMax = 1_000
    /// Views waiting to be written at most (write-behind). Past it, `record` waits like
    /// `.beforeReturn`: feeds slow down rather than the backlog (memory, and views lost in a
    /// crash) growing without bound when the writer cannot keep up.
    public static let backlogViewsMax = 20_000
    /// How long the write-behind writer lets a partial batch gather more pages. Once views cost a
    /// row per page, a batch was a page or two and commits (WAL write, fsync) and waking the
    /// writer for every page were most of its cost; a few milliseconds more at risk in a crash
    /// buys batches of dozens of pages.
    static let lingerSeconds = 0.005

    public let durability: Durability
    private let database: QuanziDatabase
    // Guards everything below; waiters and `flush` wait on it.
    private let condition = NSCondition()
    /// Pages in recording order; the first view of the first is view number `finishedCount`.
    private var pending: [ViewedPage] = []
    private var leaderActive = false
    /// Views ever recorded, and views whose batch has finished (written or failed). Views are
    /// written in recording order, so view number n is finished once `finishedCount > n`.
    private var recordedCount = 0
    private var finishedCount = 0
    /// Recent failed batches, as view-number ranges.
    private var failures: [(views: Range<Int>, message: String)] = []
    /// Views up to here have been covered by a `flush`.
    private var flushedThrough = 0
    private var statistics = Statistics()
    private var writerStarted = false
    /// Views in `pending`, and when the oldest pending page arrived (nil when none is pending).
    private var pendingViews = 0
    private var pendingSince: Date?

    public init(database: QuanziDatabase, durability: Durability = .beforeReturn) {
        self.database = database
        self.durability = durability
    }

    /// Records `views` seen at `now`: durable on return (`.beforeReturn`) or soon (`.writeBehind`).
    /// Either way the seen index knows them at once.
    public func record(_ views: [View], at now: Int64) throws(QuanziError) {
        guard !views.isEmpty else { return }
        database.seenPostsIndex.note(views.map { ($0.viewerID, $0.circleID, $0.postID) }, at: now)
        condition.lock()
        defer { condition.unlock() }
        let mine = recordedCount..<(recordedCount + views.count)
        // A page longer than a batch (never a feed page; a bulk caller's) is cut to fit one.
        let wasEmpty = pending.isEmpty
        pending.append(contentsOf: ViewedPage.pages(of: views, at: now).flatMap { $0.split(postsMax: Self.batchViewsMax) })
        pendingViews += views.count
        if wasEmpty { pendingSince = Date() }
        recordedCount = mine.upperBound
        switch durability {
        case .writeBehind:
            startWriterIfNeeded()
            // The writer needs waking only to start a linger or to cut it short for a full batch.
            if wasEmpty || pendingViews >= Self.batchViewsMax { condition.broadcast() }
            // Backpressure: wait until the backlog is back under its bound.
            waitUntilFinished(through: recordedCount - Self.backlogViewsMax)
        case .beforeReturn:
            waitUntilFinished(through: mine.upperBound)
            if let failure = failure(overlapping: mine) {
                throw QuanziError(.storageFailure, "could not record feed views: \(failure)")
            }
        }
    }

    /// Waits until every view recorded before the call is durable; throws if any batch failed
    /// since the last flush. The server calls it at shutdown, tests before they read the events.
    public func flush() throws(QuanziError) {
        condition.lock()
        defer { condition.unlock() }
        let covered = flushedThrough..<recordedCount
        waitUntilFinished(through: covered.upperBound)
        flushedThrough = covered.upperBound
        if let failure = failure(overlapping: covered) {
            throw QuanziError(.storageFailure, "could not record feed views: \(failure)")
        }
    }

    /// With the lock held: leads batches (or waits for the leader) until the first `count`
    /// views are finished.
    private func waitUntilFinished(through count: Int) {
        while finishedCount < count {
            if leaderActive { condition.wait() } else { writePendingAsLeader() }
        }
    }

    private func failure(overlapping views: Range<Int>) -> String? {
        failures.first { $0.views.overlaps(views) }?.message
    }

    /// Posts `viewer` saw in `circle` in [`since`, `before`), from memory after the first read.
    public func seenPostIDs(_ viewer: UserID, circle: CircleID, since: Int64, before: Int64) throws -> Set<Int64> {
        try database.seenPostsIndex.seenPostIDs(viewer, circle: circle, since: since, before: before) {
            try database.pool.unsafeRead { db in
                var views: [SeenPostsIndex.View] = []
                // The newest pages only (`ViewedPage.seenHistoryMax`).
                let rows = try Row.fetchCursor(db.cachedStatement(sql: """
                    SELECT post_ids, at FROM page_views WHERE viewer_id = ? AND circle_id = ? AND at >= ?
                    ORDER BY at DESC LIMIT ?
                    """), arguments: [viewer.rawValue, circle.rawValue, since, ViewedPage.seenHistoryMax])
                while let row = try rows.next() {
                    let at: Int64 = row[1]
                    for postID in try PageViewLog.decode(row[0]) { views.append(SeenPostsIndex.View(postID: postID, atEpochSeconds: at)) }
                }
                return views
            }
        }
    }

    /// One process writes SQLite: no other node records views (kept for the protocol).
    public func noteOthersViews(_ pages: [ViewedPage]) { database.seenPostsIndex.note(pages: pages) }

    public var currentStatistics: Statistics {
        condition.lock()
        defer { condition.unlock() }
        return statistics
    }

    /// Called with the lock held and no leader: writes the oldest pending pages, at most
    /// `batchViewsMax` views (but always one page), unlocking meanwhile.
    private func writePendingAsLeader() {
        leaderActive = true
        var pageCount = 0
        var count = 0
        while pageCount < pending.count, pageCount == 0 || count + pending[pageCount].postIDs.count <= Self.batchViewsMax {
            count += pending[pageCount].postIDs.count
            pageCount += 1
        }
        let writing = Array(pending.prefix(pageCount))
        pending.removeFirst(pageCount)
        pendingViews -= count
        pendingSince = pending.isEmpty ? nil : Date()
        let numbers = finishedCount..<(finishedCount + count)
        condition.unlock()
        let failure = write(writing)
        condition.lock()
        leaderActive = false
        finishedCount = numbers.upperBound
        statistics.record(batchSize: count)
        if let failure {
            statistics.failedViews += count
            failures.append((numbers, failure))
            if failures.count > Self.failuresKept { failures.removeFirst(failures.count - Self.failuresKept) }
        }
        condition.broadcast()
    }

    /// Write-behind: one thread that leads every batch. It holds the recorder weakly and wakes
    /// now and then, so a recorder nobody uses any more (tests) lets its thread end.
    private func startWriterIfNeeded() {
        guard !writerStarted else { return }
        writerStarted = true
        let thread = Thread { [weak self] in
            while let recorder = self { recorder.writeOneBatchOrIdle() }
        }
        thread.name = "quanzi-view-writer"
        thread.start()
    }

    private func writeOneBatchOrIdle() {
        condition.lock()
        defer { condition.unlock() }
        if pending.isEmpty || leaderActive {
            _ = condition.wait(until: Date(timeIntervalSinceNow: Self.idleWakeSeconds))
        } else if pendingViews < Self.batchViewsMax, let since = pendingSince, -since.timeIntervalSinceNow < Self.lingerSeconds {
            _ = condition.wait(until: since.addingTimeInterval(Self.lingerSeconds))
        } else {
            writePendingAsLeader()
        }
    }

    private func write(_ pages: [ViewedPage]) -> String? {
        do {
            // Write-behind views are not durable when `record` returns anyway: their commit skips
            // the WAL's fsync (a fifth of the writer's CPU, and time it held SQLite's one writer).
            let append = { (db: Database) throws in for page in pages { try PageViewLog.append(page, in: db) } }
            if durability == .writeBehind {
                try database.writeWithoutFsync(append)
            } else {
                try database.pool.write(append)
            }
            return nil
        } catch {
            return "\(error)"
        }
    }
}
