import Core
import Foundation
import GRDB

/// Records the posts a feed page showed (`post.viewed`), committing the views of concurrent
/// requests together. One fsync'd transaction per feed request made the single writer the
/// bottleneck of the feed; here the first request to arrive writes every view pending at that
/// moment while the others wait for that commit (leader/follower group commit). A request still
/// returns only after its views are durable, and a lone caller (the CLI, simulations) commits at
/// once, so results stay deterministic.
///
/// Synchronous on purpose: callers are synchronous service code on threads that may block.
public final class ViewRecorder: @unchecked Sendable {
    public typealias View = RecordedView
    public typealias Statistics = ViewRecordingStatistics

    /// Failures kept for followers of recent batches; older ones have no waiter left.
    static let failuresKept = 64

    private let database: QuanziDatabase
    // Guards everything below; followers wait on it for their batch.
    private let condition = NSCondition()
    private var pending: [(View, Int64)] = []
    private var leaderActive = false
    /// The batch that pending views will be written in.
    private var openBatch = 1
    /// Every batch up to this one has been written or has failed.
    private var finishedThrough = 0
    private var failures: [Int: String] = [:]
    private var statistics = Statistics()

    public init(database: QuanziDatabase) {
        self.database = database
    }

    /// Commits `views` seen at `now`; returns once they are durable.
    public func record(_ views: [View], at now: Int64) throws(QuanziError) {
        guard !views.isEmpty else { return }
        condition.lock()
        defer { condition.unlock() }
        let batch = openBatch
        pending.append(contentsOf: views.map { ($0, now) })
        while finishedThrough < batch {
            if leaderActive {
                condition.wait()
                continue
            }
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
                failures[number] = failure
                failures = failures.filter { $0.key > number - Self.failuresKept }
            }
            condition.broadcast()
        }
        if let failure = failures[batch] {
            throw QuanziError(.storageFailure, "could not record feed views: \(failure)")
        }
    }

    public var currentStatistics: Statistics {
        condition.lock()
        defer { condition.unlock() }
        return statistics
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
