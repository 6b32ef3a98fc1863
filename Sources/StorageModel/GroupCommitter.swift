import Ledger

/// Batches concurrent transfer requests into shared write transactions, for either backend.
///
/// Requests queue here; a drain task takes up to `batchSizeMax` of them, hands them to `commit`
/// (one transaction, one outcome per request, in order) and only when it returns resumes each
/// caller. So no caller hears "committed" before its transfer is durable; a caller whose request
/// could not be committed gets the error (nothing of it was committed, and retrying with the
/// same idempotency key is safe). At most `batchesInFlightMax` drain tasks run at once.
public actor GroupCommitter {
    /// Commits one batch: a result per request, in request order.
    public typealias Commit = @Sendable ([TransferRequest]) async -> [Result<TransferResult, any Error>]
    private typealias Waiter = CheckedContinuation<Result<TransferResult, any Error>, Never>

    private let policy: GroupCommitPolicy
    private let commit: Commit
    private var queue: [(request: TransferRequest, waiter: Waiter)] = []
    private var batchesInFlight = 0
    /// What batching achieved so far, for metrics and tests.
    public private(set) var statistics = GroupCommitStatistics()

    public init(policy: GroupCommitPolicy, commit: @escaping Commit) {
        self.policy = policy
        self.commit = commit
    }

    /// Queues `request` and returns once its batch has committed (or failed). Throws
    /// `WalletOverloaded` at once when `queueDepthMax` requests are already waiting.
    public func submit(_ request: TransferRequest) async throws -> TransferResult {
        guard queue.count < policy.queueDepthMax else { throw WalletOverloaded(queueDepthMax: policy.queueDepthMax) }
        let outcome = await withCheckedContinuation { (waiter: Waiter) in
            queue.append((request, waiter))
            if batchesInFlight < policy.batchesInFlightMax {
                batchesInFlight += 1
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
            // Another drain task may have emptied the queue while this one lingered.
            guard !queue.isEmpty else { break }
            let batchSize = min(queue.count, policy.batchSizeMax)
            let batch = Array(queue.prefix(batchSize))
            queue.removeFirst(batchSize)
            statistics.record(batchSize: batchSize)
            let outcomes = await commit(batch.map(\.request))
            precondition(outcomes.count == batch.count, "a batch commit must answer every request, or its callers wait forever")
            for (entry, outcome) in zip(batch, outcomes) { entry.waiter.resume(returning: outcome) }
        }
        batchesInFlight -= 1
    }
}
