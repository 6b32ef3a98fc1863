import Core
import PostgresNIO
import StorageModel
import Synchronization

/// Records the posts a feed page showed (`post.viewed`) on PostgreSQL (Storage's
/// `ViewRecorder`). SQLite has one writer, so its recorder commits concurrent requests' views
/// together; PostgreSQL takes concurrent transactions and flushes their commits to the WAL
/// together on its own, so each call here is one transaction with one multi-row INSERT. A call
/// returns once its views are durable.
public final class PostgresViewRecorder: Sendable {
    public typealias View = RecordedView
    public typealias Statistics = ViewRecordingStatistics

    private let database: QuanziPostgresDatabase
    private let statistics = Mutex(Statistics())

    public init(database: QuanziPostgresDatabase) {
        self.database = database
    }

    /// Commits `views` seen at `now`; returns once they are durable.
    public func record(_ views: [View], at now: Int64) throws(QuanziError) {
        guard !views.isEmpty else { return }
        do {
            try database.write { session in try PostgresEventLog.append(views.map { $0.event(at: now) }, in: session) }
        } catch {
            throw QuanziError(.storageFailure, "could not record feed views: \(error)")
        }
        statistics.withLock { $0.record(batchSize: views.count) }
    }

    public var currentStatistics: Statistics { statistics.withLock { $0 } }
}
