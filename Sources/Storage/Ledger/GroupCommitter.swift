import GRDB
import Ledger

/// Batches concurrent transfer requests into shared write transactions.
///
/// Requests queue here; one drain task at a time takes up to `batchSizeMax` of them, applies
/// them in one transaction (`TransferBatch`) and commits — with `synchronous=FULL` that commit
/// is the fsync — and only then resumes each caller. So no caller hears "committed" before its
/// transfer is durable; a caller whose request could not be committed gets the error (nothing
/// of it was committed, and retrying with the same idempotency key is safe).
actor GroupCommitter {
    private typealias Waiter = CheckedContinuation<Result<TransferResult, any Error>, Never>

    private let writer: any DatabaseWriter
    private let policy: GroupCommitPolicy
    private let limits: LedgerLimits
    private let now: @Sendable () -> Int64
    private var queue: [(request: TransferRequest, waiter: Waiter)] = []
    private var draining = false
    /// What batching achieved so far, for metrics and tests.
    private(set) var statistics = GroupCommitStatistics()

    init(writer: any DatabaseWriter, policy: GroupCommitPolicy, limits: LedgerLimits, now: @escaping @Sendable () -> Int64) {
        self.writer = writer
        self.policy = policy
        self.limits = limits
        self.now = now
    }

    /// Queues `request` and returns once its batch has committed (or failed). Throws
    /// `WalletOverloaded` at once when `queueDepthMax` requests are already waiting.
    func submit(_ request: TransferRequest) async throws -> TransferResult {
        guard queue.count < policy.queueDepthMax else { throw WalletOverloaded(queueDepthMax: policy.queueDepthMax) }
        let outcome = await withCheckedContinuation { (waiter: Waiter) in
            queue.append((request, waiter))
            if !draining {
                draining = true
                Task { await drain() }
            }
        }
        return try outcome.get()
    }

    /// Commits batches until the queue is empty. Runs on the actor, but `await`s the database,
    /// so requests keep queueing while a batch is written: that is where batches come from.
    private func drain() async {
        while !queue.isEmpty {
            if queue.count < policy.batchSizeMax && policy.batchWaitMax > Duration.zero {
                try? await Task.sleep(for: policy.batchWaitMax)
            }
            let batchSize = min(queue.count, policy.batchSizeMax)
            let batch = Array(queue.prefix(batchSize))
            queue.removeFirst(batchSize)
            statistics.record(batchSize: batchSize)
            let outcomes = await TransferBatch.commit(batch.map(\.request), limits: limits, at: now(), writer: writer)
            for (entry, outcome) in zip(batch, outcomes) { entry.waiter.resume(returning: outcome) }
        }
        draining = false
    }
}
