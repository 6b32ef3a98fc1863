import Core
import PostgresNIO
import StorageModel
import Synchronization

/// Records the posts a feed page showed (a `page_views` row per page, see `ViewedPage`) on
/// PostgreSQL (SQLiteStorage's `ViewRecorder`). SQLite has one writer, so its recorder commits
/// concurrent requests' pages together; PostgreSQL takes concurrent transactions and flushes
/// their commits to the WAL together on its own, so each call here is one transaction, and
/// returns once it has committed.
///
/// `.beforeReturn` waits for that commit's WAL flush. `.writeBehind` (the server) commits with
/// `synchronous_commit` off for that transaction alone: the view is visible at once and the
/// WAL writer flushes it within a few hundred milliseconds, so a database crash may lose the
/// last moments of views (never money, whose transactions keep synchronous commits), as
/// SQLite's write-behind recorder may. Either way `flush` has nothing to wait for.
public final class PostgresViewRecorder: Sendable {
    public typealias View = RecordedView
    public typealias Statistics = ViewRecordingStatistics
    public typealias Durability = ViewDurability

    /// Whether a record waits for its WAL flush (see above).
    public let durability: Durability
    private let database: QuanziPostgresDatabase
    private let statistics = Mutex(Statistics())

    public init(database: QuanziPostgresDatabase, durability: Durability = .beforeReturn) {
        self.database = database
        self.durability = durability
    }

    /// Commits `views` seen at `now` (see above for when they are durable).
    public func record(_ views: [View], at now: Int64) throws(QuanziError) {
        guard !views.isEmpty else { return }
        do {
            try database.write { session in
                if durability == .writeBehind { try session.execute("SET LOCAL synchronous_commit TO OFF") }
                try PostgresPageViewLog.append(ViewedPage.pages(of: views, at: now), in: session)
            }
        } catch {
            throw QuanziError(.storageFailure, "could not record feed views: \(error)")
        }
        statistics.withLock { $0.record(batchSize: views.count) }
    }

    /// Every view recorded before the call is already committed; asynchronous commits reach
    /// the disk on PostgreSQL's own schedule (`wal_writer_delay`), and a clean shutdown of the
    /// server flushes them.
    public func flush() throws(QuanziError) {}

    /// Posts `viewer` saw in `circle` in [`since`, `before`), from `page_views` on each call (its
    /// viewer index answers it; the newest `ViewedPage.seenHistoryMax` pages): SQLite's in-memory
    /// `SeenPostsIndex` would miss the views other nodes record.
    public func seenPostIDs(_ viewer: UserID, circle: CircleID, since: Int64, before: Int64) throws -> Set<Int64> {
        try database.unsafeRead { session in
            Set(try session.values(
                """
                SELECT unnest(post_ids) FROM (
                  SELECT post_ids FROM page_views WHERE viewer_id = \(viewer.rawValue)
                    AND circle_id = \(circle.rawValue) AND at >= \(since) AND at < \(before)
                  ORDER BY at DESC LIMIT \(ViewedPage.seenHistoryMax)) AS newest
                """, as: Int64.self))
        }
    }

    public var currentStatistics: Statistics { statistics.withLock { $0 } }
}
