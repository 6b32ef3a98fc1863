import Core
import Foundation
import PostgresNIO
import StorageModel

/// Records the posts a feed page showed (a `page_views` row per page, see `ViewedPage`) on
/// PostgreSQL (SQLiteStorage's `ViewRecorder`; both batch through `PageViewWriteQueue`), and
/// answers which posts a viewer has seen: from memory while a follower runs (`SeenPostsIndex`,
/// which learns each view the moment it is recorded, before it is written, and other nodes'
/// views from the follower), else from `page_views` on each call
/// (`QuanziPostgresDatabase.holdsFollowedRows`).
///
/// `.writeBehind` (the server): a batch is one multi-row INSERT per transaction, with
/// `synchronous_commit` off for that transaction alone. A feed page then costs no round trip:
/// one transaction per page (four round trips on the request's thread) was most of a PostgreSQL
/// feed page's time. A crash of the database loses the views the WAL writer had not flushed
/// (`wal_writer_delay`), as SQLite's write-behind recorder may.
public final class PostgresViewRecorder: Sendable {
    public typealias View = RecordedView
    public typealias Statistics = ViewRecordingStatistics
    public typealias Durability = ViewDurability

    /// Views per transaction at most: about a thousand pages of twenty.
    public static let batchViewsMax = 20_000
    /// Views waiting to be written at most (write-behind); past it `record` waits.
    public static let backlogViewsMax = 20_000

    public var durability: Durability { queue.durability }
    private let database: QuanziPostgresDatabase
    private let queue: PageViewWriteQueue

    public init(database: QuanziPostgresDatabase, durability: Durability = .beforeReturn) {
        self.database = database
        // No linger: PostgreSQL takes concurrent writers, so a batch holds up nobody else's.
        let policy = PageViewWriteQueue.Policy(
            batchViewsMax: Self.batchViewsMax, backlogViewsMax: Self.backlogViewsMax, lingerSeconds: 0,
            threadName: "quanzi-pg-view-writer")
        queue = PageViewWriteQueue(durability: durability, policy: policy) { pages, durability in
            do {
                try database.write { session in
                    if durability == .writeBehind { try session.execute("SET LOCAL synchronous_commit TO OFF") }
                    try PostgresPageViewLog.append(pages, in: session)
                }
                return nil
            } catch {
                return "\(error)"
            }
        }
    }

    /// Records `views` seen at `now` (see above for when they are durable). Either way the seen
    /// index knows them at once.
    public func record(_ views: [View], at now: Int64) throws(QuanziError) {
        guard !views.isEmpty else { return }
        if database.holdsFollowedRows { database.seenPostsIndex.note(views.map { ($0.viewerID, $0.circleID, $0.postID) }, at: now) }
        try queue.enqueue(ViewedPage.pages(of: views, at: now))
    }

    /// Waits until every view recorded before the call is committed; throws if a write failed
    /// since the last flush. The server calls it at shutdown, tests before they read `page_views`.
    public func flush() throws(QuanziError) { try queue.flush() }

    /// Posts `viewer` saw in `circle` in [`since`, `before`), from memory after the first read of
    /// `page_views` (its viewer index answers it; the newest `ViewedPage.seenHistoryMax` pages).
    public func seenPostIDs(_ viewer: UserID, circle: CircleID, since: Int64, before: Int64) throws -> Set<Int64> {
        guard database.holdsFollowedRows else {
            return Set(try storedViews(viewer, circle: circle, since: since, before: before).map(\.postID))
        }
        return try database.seenPostsIndex.seenPostIDs(viewer, circle: circle, since: since, before: before) {
            try storedViews(viewer, circle: circle, since: since, before: nil)
        }
    }

    /// The viewer's views in `circle` in [`since`, `before`) from the newest
    /// `ViewedPage.seenHistoryMax` pages (the viewer index of `page_views` answers it).
    private func storedViews(_ viewer: UserID, circle: CircleID, since: Int64, before: Int64?) throws -> [SeenPostsIndex.View] {
        try database.unsafeRead { session in
            var views: [SeenPostsIndex.View] = []
            for (postIDs, at) in try session.rows(
                """
                SELECT post_ids, at FROM page_views WHERE viewer_id = \(viewer.rawValue)
                  AND circle_id = \(circle.rawValue) AND at >= \(since) AND at < \(before ?? Int64.max)
                ORDER BY at DESC LIMIT \(ViewedPage.seenHistoryMax)
                """, as: ([Int64], Int64).self)
            {
                for postID in postIDs { views.append(SeenPostsIndex.View(postID: postID, atEpochSeconds: at)) }
            }
            return views
        }
    }

    public func noteOthersViews(_ pages: [ViewedPage]) { database.seenPostsIndex.note(pages: pages) }

    public var currentStatistics: Statistics { queue.currentStatistics }
}
