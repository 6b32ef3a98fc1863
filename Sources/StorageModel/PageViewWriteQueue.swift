import Core
import Foundation

/// The batching behind both backends' view recorders: feed pages' views queue here in recording
/// order and are written, a batch of pages per transaction, by whoever the durability says.
///
/// - `.beforeReturn`: `enqueue` returns once its views are written. The first caller to arrive
///   writes every view pending at that moment while the others wait for that commit
///   (leader/follower group commit); a lone caller (the CLI, simulations) commits at once, so
///   results stay deterministic.
/// - `.writeBehind`: `enqueue` returns at once and a writer thread commits whatever has piled up
///   (letting a partial batch gather for `lingerSeconds`), batch after batch, at most
///   `batchViewsMax` views per transaction; past `backlogViewsMax` waiting views, `enqueue`
///   waits for the writer, so memory and the views a crash could lose stay bounded when the
///   database cannot keep up. A view is a side effect of reading a feed, not something the
///   client asked to store: a crash loses the views not yet committed (milliseconds' worth),
///   and each backend's `write` may skip the commit's flush for them; `flush()` at shutdown
///   loses none.
///
/// Synchronous on purpose: callers are synchronous service code on threads that may block. Kept
/// by hand: it is a condition variable and a list, and no library queue both blocks producers
/// past a bound and lets a producer lead the write it waits for.
public final class PageViewWriteQueue: @unchecked Sendable {
    public struct Policy: Sendable {
        /// Views per transaction at most (a longer page is cut to fit).
        public var batchViewsMax: Int
        /// Views waiting to be written at most (write-behind).
        public var backlogViewsMax: Int
        /// How long the write-behind writer lets a partial batch gather more pages.
        public var lingerSeconds: Double
        /// The write-behind writer thread's name.
        public var threadName: String

        public init(batchViewsMax: Int, backlogViewsMax: Int, lingerSeconds: Double, threadName: String) {
            precondition(batchViewsMax >= 1 && backlogViewsMax >= batchViewsMax && lingerSeconds >= 0)
            self.batchViewsMax = batchViewsMax
            self.backlogViewsMax = backlogViewsMax
            self.lingerSeconds = lingerSeconds
            self.threadName = threadName
        }
    }

    /// Writes one batch in one transaction; the failure's description, nil when it committed.
    public typealias Write = @Sendable (_ pages: [ViewedPage], _ durability: ViewDurability) -> String?

    /// Failures kept for waiters of recent batches; older ones have no waiter left.
    static let failuresKept = 64
    /// How often an idle write-behind writer checks whether its queue is gone.
    static let idleWakeSeconds = 1.0

    public let durability: ViewDurability
    public let policy: Policy
    private let write: Write
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
    private var statistics = ViewRecordingStatistics()
    private var writerStarted = false
    /// Views in `pending`, and when the oldest pending page arrived (nil when none is pending).
    private var pendingViews = 0
    private var pendingSince: Date?

    public init(durability: ViewDurability, policy: Policy, write: @escaping Write) {
        self.durability = durability
        self.policy = policy
        self.write = write
    }

    /// Queues `pages` (see the durabilities above for when they are written).
    public func enqueue(_ pages: [ViewedPage]) throws(QuanziError) {
        let pages = pages.flatMap { $0.split(postsMax: policy.batchViewsMax) }
        let viewCount = pages.reduce(0) { $0 + $1.postIDs.count }
        guard viewCount > 0 else { return }
        condition.lock()
        defer { condition.unlock() }
        let mine = recordedCount..<(recordedCount + viewCount)
        let wasEmpty = pending.isEmpty
        pending.append(contentsOf: pages)
        pendingViews += viewCount
        if wasEmpty { pendingSince = Date() }
        recordedCount = mine.upperBound
        switch durability {
        case .writeBehind:
            startWriterIfNeeded()
            // The writer needs waking only to start a linger or to cut it short for a full batch.
            if wasEmpty || pendingViews >= policy.batchViewsMax { condition.broadcast() }
            // Backpressure: wait until the backlog is back under its bound.
            waitUntilFinished(through: recordedCount - policy.backlogViewsMax)
        case .beforeReturn:
            waitUntilFinished(through: mine.upperBound)
            if let failure = failure(overlapping: mine) {
                throw QuanziError(.storageFailure, "could not record feed views: \(failure)")
            }
        }
    }

    /// Waits until every view queued before the call is written; throws if any batch failed
    /// since the last flush. The server calls it at shutdown, tests before they read the views.
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

    public var currentStatistics: ViewRecordingStatistics {
        condition.lock()
        defer { condition.unlock() }
        return statistics
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

    /// Called with the lock held and no leader: writes the oldest pending pages, at most
    /// `batchViewsMax` views (but always one page), unlocking meanwhile.
    private func writePendingAsLeader() {
        leaderActive = true
        var pageCount = 0
        var count = 0
        while pageCount < pending.count, pageCount == 0 || count + pending[pageCount].postIDs.count <= policy.batchViewsMax {
            count += pending[pageCount].postIDs.count
            pageCount += 1
        }
        let writing = Array(pending.prefix(pageCount))
        pending.removeFirst(pageCount)
        pendingViews -= count
        pendingSince = pending.isEmpty ? nil : Date()
        let numbers = finishedCount..<(finishedCount + count)
        condition.unlock()
        let failure = write(writing, durability)
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

    /// Write-behind: one thread that leads every batch. It holds the queue weakly and wakes now
    /// and then, so a queue nobody uses any more (tests) lets its thread end.
    private func startWriterIfNeeded() {
        guard !writerStarted else { return }
        writerStarted = true
        let thread = Thread { [weak self] in
            while let queue = self { queue.writeOneBatchOrIdle() }
        }
        thread.name = policy.threadName
        thread.start()
    }

    private func writeOneBatchOrIdle() {
        condition.lock()
        defer { condition.unlock() }
        if pending.isEmpty || leaderActive {
            _ = condition.wait(until: Date(timeIntervalSinceNow: Self.idleWakeSeconds))
        } else if pendingViews < policy.batchViewsMax, let since = pendingSince, -since.timeIntervalSinceNow < policy.lingerSeconds {
            _ = condition.wait(until: since.addingTimeInterval(policy.lingerSeconds))
        } else {
            writePendingAsLeader()
        }
    }
}
