import Core
import Foundation
import GRDB
import SQLiteStorage
import Synchronization
import Testing

@Suite("feed views: written behind, seen at once")
struct WriteBehindViewTests {
    static func views(viewer: Int64, posts: Range<Int64>, circle: String = "nearby") -> [ViewRecorder.View] {
        posts.map { ViewRecorder.View(postID: $0, circleID: CircleID(circle), viewerID: UserID(viewer), authorID: UserID(100)) }
    }

    static func viewRows(_ database: QuanziDatabase) throws -> Int {
        try database.pool.read { db in try Int.fetchOne(db, sql: "SELECT coalesce(sum(json_array_length(post_ids)), 0) FROM page_views") ?? 0 }
    }

    /// Many threads record without waiting; after `flush` every view is in `page_views`
    /// exactly once.
    @Test func flushMakesEveryRecordedViewDurable() throws {
        let database = try QuanziDatabase.temporary()
        defer { try? database.removeFiles() }
        let recorder = ViewRecorder(database: database, durability: .writeBehind)
        let threads = 8, callsPerThread = 50, viewsPerCall = 4
        let failures = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            for call in 0..<callsPerThread {
                let first = Int64((thread * callsPerThread + call) * viewsPerCall)
                do { try recorder.record(Self.views(viewer: Int64(thread + 1), posts: first..<(first + Int64(viewsPerCall))), at: 1_000) } catch {
                    failures.add(1, ordering: .relaxed)
                }
            }
        }
        try recorder.flush()
        let total = threads * callsPerThread * viewsPerCall
        #expect(failures.load(ordering: .relaxed) == 0)
        #expect(try Self.viewRows(database) == total)
        let distinct = try database.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(DISTINCT j.value) FROM page_views, json_each(page_views.post_ids) AS j") ?? 0 }
        #expect(distinct == total)
        #expect(recorder.currentStatistics.views == total && recorder.currentStatistics.failedViews == 0)
    }

    /// A lone page is written by the writer on its own soon after its linger, without a flush;
    /// so is a page that arrives while the writer lingers over another.
    @Test func aLonePageIsWrittenWithoutAFlush() throws {
        let database = try QuanziDatabase.temporary()
        defer { try? database.removeFiles() }
        let recorder = ViewRecorder(database: database, durability: .writeBehind)
        try recorder.record(Self.views(viewer: 1, posts: 0..<3), at: 1_000)
        try recorder.record(Self.views(viewer: 2, posts: 3..<4), at: 1_000)
        let deadline = Date().addingTimeInterval(10)
        while recorder.currentStatistics.views < 4 && Date() < deadline { Thread.sleep(forTimeInterval: 0.002) }
        #expect(recorder.currentStatistics.views == 4)
        #expect(try Self.viewRows(database) == 4)
    }

    /// A flood of views is written in bounded transactions (money shares SQLite's one writer),
    /// and a backlog past its bound makes `record` wait rather than grow.
    @Test func batchesAndBacklogAreBounded() throws {
        let database = try QuanziDatabase.temporary()
        defer { try? database.removeFiles() }
        let recorder = ViewRecorder(database: database, durability: .writeBehind)
        let total = ViewRecorder.backlogViewsMax + 2_500
        try recorder.record(Self.views(viewer: 1, posts: 0..<Int64(total)), at: 1_000)
        #expect(recorder.currentStatistics.views >= total - ViewRecorder.backlogViewsMax, "record waited for the backlog to shrink")
        try recorder.flush()
        let statistics = recorder.currentStatistics
        #expect(statistics.views == total && statistics.largestBatch <= ViewRecorder.batchViewsMax)
        #expect(try Self.viewRows(database) == total)
    }

    /// The writer thread commits without anyone calling `flush`.
    @Test func viewsAreWrittenWithoutAFlush() async throws {
        let database = try QuanziDatabase.temporary()
        defer { try? database.removeFiles() }
        let recorder = ViewRecorder(database: database, durability: .writeBehind)
        try recorder.record(Self.views(viewer: 1, posts: 1..<4), at: 1_000)
        var rows = 0
        for _ in 0..<500 where rows < 3 {
            try await Task.sleep(for: .milliseconds(10))
            rows = try Self.viewRows(database)
        }
        #expect(rows == 3)
    }

    /// A failed batch cannot fail the request that is long gone: it is counted, and `flush`
    /// reports it.
    @Test func aFailedBatchIsCountedAndFlushReportsIt() throws {
        let database = try QuanziDatabase.temporary()
        defer { try? database.removeFiles() }
        try database.pool.write { db in try db.execute(sql: "CREATE TRIGGER refuse_views BEFORE INSERT ON page_views BEGIN SELECT RAISE(ABORT, 'disk says no'); END") }
        let recorder = ViewRecorder(database: database, durability: .writeBehind)
        try recorder.record(Self.views(viewer: 1, posts: 1..<3), at: 1_000)
        #expect {
            try recorder.flush()
        } throws: { error in
            (error as? QuanziError)?.code == .storageFailure && "\(error)".contains("disk says no")
        }
        #expect(recorder.currentStatistics.failedViews == 2)
    }

    /// Write-behind batches commit without the WAL's fsync, and the writer connection is back to
    /// `synchronous=FULL` afterwards, whether the batch committed or failed: money written next
    /// must stay durable at commit.
    @Test func viewBatchesLeaveTheWriterFullySynchronous() throws {
        let database = try QuanziDatabase.temporary()
        defer { try? database.removeFiles() }
        func writerSynchronous() throws -> Int? {
            try database.pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        }
        let full = 2
        #expect(try writerSynchronous() == full)
        let recorder = ViewRecorder(database: database, durability: .writeBehind)
        try recorder.record(Self.views(viewer: 1, posts: 1..<3), at: 1_000)
        try recorder.flush()
        #expect(try Self.viewRows(database) == 2)
        #expect(try writerSynchronous() == full)

        try database.pool.write { db in try db.execute(sql: "CREATE TRIGGER refuse_views BEFORE INSERT ON page_views BEGIN SELECT RAISE(ABORT, 'disk says no'); END") }
        try recorder.record(Self.views(viewer: 1, posts: 3..<5), at: 1_000)
        #expect(throws: QuanziError.self) { try recorder.flush() }
        #expect(try writerSynchronous() == full)
    }

    /// A viewer's seen posts include views not yet written, and only the asked time range.
    @Test func seenPostsIncludePendingViewsAndRespectTheRange() throws {
        let database = try QuanziDatabase.temporary()
        defer { try? database.removeFiles() }
        let recorder = ViewRecorder(database: database, durability: .writeBehind)
        try recorder.record(Self.views(viewer: 7, posts: 1..<3), at: 1_000)
        try recorder.record(Self.views(viewer: 7, posts: 3..<5), at: 8_000)
        try recorder.record(Self.views(viewer: 7, posts: 9..<10, circle: "campus-diary"), at: 1_500)
        try recorder.record(Self.views(viewer: 8, posts: 5..<6), at: 1_500)
        #expect(try recorder.seenPostIDs(UserID(7), circle: CircleID("nearby"), since: 0, before: 10_000) == [1, 2, 3, 4])
        #expect(try recorder.seenPostIDs(UserID(7), circle: CircleID("nearby"), since: 0, before: 8_000) == [1, 2])
        // Views older than `since` stop counting once they are older by more than the slack.
        #expect(try recorder.seenPostIDs(UserID(7), circle: CircleID("nearby"), since: 1_001, before: 10_000) == [1, 2, 3, 4])
        #expect(try recorder.seenPostIDs(UserID(7), circle: CircleID("nearby"), since: 1_001 + 3_600, before: 10_000) == [3, 4])
        // An older paging session still gets exactly the posts seen before it began.
        #expect(try recorder.seenPostIDs(UserID(7), circle: CircleID("nearby"), since: 0, before: 8_001) == [3, 4])
        #expect(try recorder.seenPostIDs(UserID(7), circle: CircleID("nearby"), since: 0, before: 8_000) == [])
        #expect(try recorder.seenPostIDs(UserID(7), circle: CircleID("campus-diary"), since: 0, before: 10_000) == [9])
    }

    /// A fresh process (a new handle on the same file) learns the views from `page_views`,
    /// merged with the ones it records itself; bulk-written views reach a live index too.
    @Test func seenPostsLoadFromPageViews() throws {
        let database = try QuanziDatabase.temporary()
        defer { try? database.removeFiles() }
        try ViewRecorder(database: database).record(Self.views(viewer: 7, posts: 1..<4), at: 1_000)
        let reopened = try QuanziDatabase(path: database.path)
        let recorder = ViewRecorder(database: reopened, durability: .writeBehind)
        try recorder.record(Self.views(viewer: 7, posts: 10..<11), at: 1_100)
        #expect(try recorder.seenPostIDs(UserID(7), circle: CircleID("nearby"), since: 0, before: 10_000) == [1, 2, 3, 10])
        try reopened.bulkWrite { writer in
            try writer.recordView(20, circle: CircleID("nearby"), by: UserID(7), author: UserID(100), at: 1_200)
        }
        #expect(try recorder.seenPostIDs(UserID(7), circle: CircleID("nearby"), since: 0, before: 10_000) == [1, 2, 3, 10, 20])
        try recorder.flush()
        #expect(try Self.viewRows(reopened) == 5)
    }
}
