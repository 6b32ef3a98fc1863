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
///   batch after batch. The server uses it: a view is a side effect of reading a feed, not
///   something the client asked to store, and waiting for its fsync (plus a commit per handful
///   of requests) was a fifth of the feed's CPU and most of its latency. A crash loses the views
///   of the batch being written (milliseconds); `flush()` at shutdown loses none.
///
/// Synchronous on purpose: callers are synchronous service code on threads that may block.
public final class ViewRecorder: @unchecked Sendable {
    public typealias View = RecordedView
    public typealias Statistics = ViewRecordingStatistics

    public typealias Durability = ViewDurability

    /// Failures kept for followers of recent batches; older ones have no waiter left.
    static let failuresKept = 64
    /// How often an idle write-behind writer checks whether its recorder is gone.
    static let idleWakeSeconds = 1.0

    public let durability: Durability
    private let database: QuanziDatabase
    // Guards everything below; followers and `flush` wait on it for their batch.
    private let condition = NSCondition()
    private var pending: [(View, Int64)] = []
    private var leaderActive = false
    /// The batch that pending views will be written in.
    private var openBatch = 1
    /// Every batch up to this one has been written or has failed.
    private var finishedThrough = 0
    private var failures: [Int: String] = [:]
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
        let batch = openBatch
        pending.append(contentsOf: views.map { ($0, now) })
        switch durability {
        case .writeBehind:
            startWriterIfNeeded()
            condition.broadcast()
        case .beforeReturn:
            while finishedThrough < batch {
                if leaderActive {
                    condition.wait()
                } else {
                    writePendingAsLeader()
                }
            }
            if let failure = failures[batch] {
                throw QuanziError(.storageFailure, "could not record feed views: \(failure)")
            }
        }
    }

    /// Waits until every view recorded before the call is durable; throws if any of those
    /// batches failed. The server calls it at shutdown, tests before they read the events.
    public func flush() throws(QuanziError) {
        condition.lock()
        defer { condition.unlock() }
        let target = pending.isEmpty ? openBatch - 1 : openBatch
        while finishedThrough < target {
            if leaderActive { condition.wait() } else { writePendingAsLeader() }
        }
        if let failure = failures.first(where: { $0.key <= target && $0.key > target - Self.failuresKept })?.value {
            throw QuanziError(.storageFailure, "could not record feed views: \(failure)")
        }
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

    /// Called with the lock held and no leader: writes everything pending (unlocking meanwhile).
    private func writePendingAsLeader() {
        leaderActive = true
        let writing = pending
        let number = openBatch
        pending = []
        openBatch += 1
        condition.unlock()
        let failure = write(writing)
        condition.lock()
        leaderActive = false
        finishedThrough = number
        statistics.record(batchSize: writing.count)
        if let failure {
            statistics.failedViews += writing.count
            failures[number] = failure
            failures = failures.filter { $0.key > number - Self.failuresKept }
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
