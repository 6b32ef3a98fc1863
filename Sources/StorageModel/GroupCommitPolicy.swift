/// How a wallet makes transfers durable.
public enum TransferCommitMode: Sendable, Hashable {
    /// Concurrent requests share one transaction and one fsync (see ``GroupCommitPolicy``).
    case groupCommit(GroupCommitPolicy)
    /// Each request is its own transaction and fsync: the baseline group commit is measured
    /// against, and the simplest thing to reason about.
    case transactionPerTransfer

    /// Group commit with the default policy.
    public static let `default` = TransferCommitMode.groupCommit(.default)
}

/// The bounds of group commit.
public struct GroupCommitPolicy: Sendable, Hashable {
    /// Most requests in one transaction. Bounds the transaction's duration (and so the latency
    /// of its first request) and the memory of a batch: at the ~50 µs per transfer measured in a
    /// release build on SQLite (SQL, event and fsync share), 512 requests keep a batch near 25 ms.
    public var batchSizeMax: Int
    /// Longest the writer lingers for a batch to fill when fewer than `batchSizeMax` requests
    /// are waiting. Zero (the default) relies on natural batching alone: while one batch is
    /// being written and fsynced the next one queues up, so batches grow with the load and an
    /// idle system adds no latency. A few hundred microseconds help only when callers arrive
    /// spread out and fsync is slow.
    public var batchWaitMax: Duration
    /// Most requests waiting for a batch. Past it the wallet sheds load (`WalletOverloaded`)
    /// instead of queueing without bound: 32 full batches, about a second of work.
    public var queueDepthMax: Int
    /// Most batches being committed at once. SQLite has a single writer, so one is all it can
    /// use. On PostgreSQL a second batch could write while the first waits for its WAL flush,
    /// but one is the default there too: with HTTP transfers among 300 users on 2 cores
    /// (scripts/pg_bench.sh), one batch in flight served ~3,000 transfers/s, two ~1,500–2,000
    /// and four ~650–1,400, with higher p99s. Concurrent batches mostly share accounts, so they
    /// wait on each other's row locks anyway, and are smaller: more transactions for the same
    /// work. More may pay when cores are many and batches touch disjoint accounts.
    public var batchesInFlightMax: Int

    public init(batchSizeMax: Int = 512, batchWaitMax: Duration = .zero, queueDepthMax: Int = 16_384, batchesInFlightMax: Int = 1) {
        precondition(batchSizeMax >= 1, "a batch holds at least one request")
        precondition(batchWaitMax >= .zero, "the wait cannot be negative")
        precondition(queueDepthMax >= batchSizeMax, "the queue must hold at least one batch")
        precondition(batchesInFlightMax >= 1, "at least one batch must be able to commit")
        self.batchSizeMax = batchSizeMax
        self.batchWaitMax = batchWaitMax
        self.queueDepthMax = queueDepthMax
        self.batchesInFlightMax = batchesInFlightMax
    }

    public static let `default` = GroupCommitPolicy()
}

/// Thrown when the group-commit queue is full: the request was not queued and nothing moved, so
/// the caller may retry later with the same idempotency key (HTTP 503 with Retry-After).
public struct WalletOverloaded: Error, Hashable, Sendable, CustomStringConvertible {
    public let queueDepthMax: Int
    public var description: String { "the wallet is overloaded (\(queueDepthMax) transfers waiting); retry later" }

    public init(queueDepthMax: Int) {
        self.queueDepthMax = queueDepthMax
    }
}
