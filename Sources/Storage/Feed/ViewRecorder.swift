import Core
import Foundation
import GRDB

/// Records the posts a feed page showed (`post.viewed`), committing the views of concurrent
/// requests together, and answers which posts a viewer has seen (`SeenPostsIndex`).
///
/// Two durabilities:
/// - `.beforeReturn`: `record` returns once its views are durable. The first caller to arrive
///   writes every view pending at that moment while the others wait for that commit
///   (leader/follower group commit); a lone caller (the CLI, simulations) commits at once, so
///   results stay deterministic.
/// - `.writeBehind`: `record` returns at once and a writer thread commits whatever has piled up,
///   batch after batch (at most `batchViewsMax` per transaction, so money never waits long for
///   SQLite's one writer; past `backlogViewsMax` waiting views, `record` waits for the writer). The server uses it: a view is a side effect of reading a feed, not
///   something the client asked to store, and waiting for its fsync (plus a commit per handful
///   of requests) was a fifth of the feed's CPU and most of its latency. A crash loses the views
///   of the batch being written (milliseconds); `flush()` at shutdown loses none.
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

    public let durability: Durability
    private let database: QuanziDatabase
    // Guards everything below; waiters and `flush` wait on it.
    private let condition = NSCondition()
    /// In recording order; the first is view number `finishedCount`.
    private var pending: [(View, Int64)] = []
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
        pending.append(contentsOf: views.map { ($0, now) })
        recordedCount = mine.upperBound
        switch durability {
        case .writeBehind:
            startWriterIfNeeded()
            condition.broadcast()
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
                try Row.fetchAll(db.cachedStatement(sql: """
                    SELECT post_id, at FROM events WHERE user_id = ? AND kind = 'post.viewed' AND circle_id = ? AND at >= ?
                    """), arguments: [viewer.rawValue, circle.rawValue, since])
                    .map { SeenPostsIndex.View(postID: $0[0], atEpochSeconds: $0[1]) }
            }
        }
    }

    public var currentStatistics: Statistics {
        condition.lock()
        defer { condition.unlock() }
        return statistics
    }

    /// Called with the lock held and no leader: writes the oldest pending views, at most
    /// `batchViewsMax` (unlocking meanwhile).
    private func writePendingAsLeader() {
        leaderActive = true
        let count = min(pending.count, Self.batchViewsMax)
        let writing = Array(pending.prefix(count))
        pending.removeFirst(count)
        let numbers = finishedCount..<(finishedCount + count)
        condition.unlock()
        let failure = write(writing)
        condition.lock()
        leaderActive = false
        finishedCount = numbers.upperBound
        statistics.record(batchSize: writing.count)
        if let failure {
            statistics.failedViews += writing.count
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
        } else {
            writePendingAsLeader()
        }
    }

    private func write(_ views: [(View, Int64)]) -> String? {
        do {
            try database.pool.write { db in
                for (view, at) in views { try EventLog.append(view.event(at: at), in: db) }
            }
            return nil
        } catch {
            return "\(error)"
        }
    }
}
