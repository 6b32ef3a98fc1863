import Core
import Foundation
import GRDB

/// Records the posts a feed page showed (one `page_views` row per page, see `ViewedPage`),
/// committing the pages of concurrent requests together (`PageViewWriteQueue`, shared with
/// PostgreSQL), and answers which posts a viewer has seen (`SeenPostsIndex`).
///
/// SQLite's batches: at most `batchViewsMax` views per transaction, so money never waits long
/// for SQLite's one writer; a write-behind batch may gather for `lingerSeconds`. The server
/// writes behind: waiting for a view's fsync (plus a commit per handful of requests) was a fifth
/// of the feed's CPU and most of its latency, and since write-behind commits skip the WAL's fsync
/// a power cut also loses those committed after its last fsync.
public final class ViewRecorder: Sendable {
    public typealias View = RecordedView
    public typealias Statistics = ViewRecordingStatistics

    public typealias Durability = ViewDurability

    /// Views per transaction at most. The wallet's group commits share SQLite's one writer, and
    /// under a feed flood an unbounded batch of views held it for seconds: transfers waited.
    public static let batchViewsMax = 1_000
    /// Views waiting to be written at most (write-behind). Past it, `record` waits like
    /// `.beforeReturn`: feeds slow down rather than the backlog (memory, and views lost in a
    /// crash) growing without bound when the writer cannot keep up.
    public static let backlogViewsMax = 20_000
    /// How long the write-behind writer lets a partial batch gather more pages. Once views cost a
    /// row per page, a batch was a page or two and commits (WAL write, fsync) and waking the
    /// writer for every page were most of its cost; a few milliseconds more at risk in a crash
    /// buys batches of dozens of pages.
    static let lingerSeconds = 0.005

    public var durability: Durability { queue.durability }
    private let database: QuanziDatabase
    private let queue: PageViewWriteQueue

    public init(database: QuanziDatabase, durability: Durability = .beforeReturn) {
        self.database = database
        let policy = PageViewWriteQueue.Policy(
            batchViewsMax: Self.batchViewsMax, backlogViewsMax: Self.backlogViewsMax, lingerSeconds: Self.lingerSeconds,
            threadName: "quanzi-view-writer")
        queue = PageViewWriteQueue(durability: durability, policy: policy) { pages, durability in
            do {
                // Write-behind views are not durable when `record` returns anyway: their commit
                // skips the WAL's fsync (a fifth of the writer's CPU, and time it held SQLite's
                // one writer).
                let append = { (db: Database) throws in for page in pages { try PageViewLog.append(page, in: db) } }
                if durability == .writeBehind {
                    try database.writeWithoutFsync(append)
                } else {
                    try database.write(append)
                }
                return nil
            } catch {
                return "\(error)"
            }
        }
    }

    /// Records `views` seen at `now`: durable on return (`.beforeReturn`) or soon (`.writeBehind`).
    /// Either way the seen index knows them at once.
    public func record(_ views: [View], at now: Int64) throws(QuanziError) {
        guard !views.isEmpty else { return }
        database.seenPostsIndex.note(views.map { ($0.viewerID, $0.circleID, $0.postID) }, at: now)
        try queue.enqueue(ViewedPage.pages(of: views, at: now))
    }

    /// Waits until every view recorded before the call is durable; throws if any batch failed
    /// since the last flush. The server calls it at shutdown, tests before they read the events.
    public func flush() throws(QuanziError) { try queue.flush() }

    /// Posts `viewer` saw in `circle` in [`since`, `before`), from memory after the first read.
    public func seenPostIDs(_ viewer: UserID, circle: CircleID, since: Int64, before: Int64) throws -> Set<Int64> {
        try database.seenPostsIndex.seenPostIDs(viewer, circle: circle, since: since, before: before) {
            try database.unsafeRead { db in
                var views: [SeenPostsIndex.View] = []
                // The newest pages only (`ViewedPage.seenHistoryMax`).
                let rows = try Row.fetchCursor(db.cachedStatement(sql: """
                    SELECT post_ids, at FROM page_views WHERE viewer_id = ? AND circle_id = ? AND at >= ?
                    ORDER BY at DESC LIMIT ?
                    """), arguments: [viewer.rawValue, circle.rawValue, since, ViewedPage.seenHistoryMax])
                while let row = try rows.next() {
                    let at: Int64 = row[1]
                    for postID in try PageViewLog.decode(row[0]) { views.append(SeenPostsIndex.View(postID: postID, atEpochSeconds: at)) }
                }
                return views
            }
        }
    }

    /// One process writes SQLite: no other node records views (kept for the protocol).
    public func noteOthersViews(_ pages: [ViewedPage]) { database.seenPostsIndex.note(pages: pages) }

    public var currentStatistics: Statistics { queue.currentStatistics }
}
