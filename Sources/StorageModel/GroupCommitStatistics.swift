/// Counters of group commit since the wallet started.
public struct GroupCommitStatistics: Sendable, Hashable {
    /// Transactions committed (or attempted) for transfer batches.
    public private(set) var batchCount = 0
    /// Requests that went through a batch.
    public private(set) var requestCount = 0
    /// The largest batch so far.
    public private(set) var largestBatch = 0

    /// Requests per transaction on average.
    public var meanBatchSize: Double { batchCount == 0 ? 0 : Double(requestCount) / Double(batchCount) }

    public init() {}

    public mutating func record(batchSize: Int) {
        batchCount += 1
        requestCount += batchSize
        largestBatch = max(largestBatch, batchSize)
    }
}
