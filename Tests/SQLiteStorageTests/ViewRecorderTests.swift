import Core
import Foundation
import GRDB
import SQLiteStorage
import Synchronization
import Testing

@Suite("feed views: group-committed")
struct ViewRecorderTests {
    /// Many threads record at once: every view is in `page_views` exactly once, with its viewer,
    /// one row per call (a call is one feed page), and the recorder's own count agrees.
    @Test func concurrentViewsAllCommitted() throws {
        let database = try QuanziDatabase.temporary()
        defer { try? database.removeFiles() }
        let recorder = ViewRecorder(database: database)
        let threads = 16, callsPerThread = 40, viewsPerCall = 5
        let failures = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            for call in 0..<callsPerThread {
                let views = (0..<viewsPerCall).map { index in
                    ViewRecorder.View(postID: Int64(((thread * callsPerThread + call) * viewsPerCall) + index), circleID: CircleID("nearby"),
                                      viewerID: UserID(Int64(thread + 1)), authorID: UserID(100))
                }
                do { try recorder.record(views, at: 1_000) } catch { failures.add(1, ordering: .relaxed) }
            }
        }
        let total = threads * callsPerThread * viewsPerCall
        #expect(failures.load(ordering: .relaxed) == 0)
        let (pages, views, distinctPosts, perViewer) = try database.pool.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM page_views") ?? 0,
             try Int.fetchOne(db, sql: "SELECT sum(json_array_length(post_ids)) FROM page_views") ?? 0,
             try Int.fetchOne(db, sql: "SELECT count(DISTINCT j.value) FROM page_views, json_each(page_views.post_ids) AS j") ?? 0,
             try Int.fetchOne(db, sql: "SELECT sum(json_array_length(post_ids)) FROM page_views WHERE viewer_id = 3") ?? 0)
        }
        #expect(pages == threads * callsPerThread)
        #expect(views == total && distinctPosts == total)
        #expect(perViewer == callsPerThread * viewsPerCall)
        let statistics = recorder.currentStatistics
        #expect(statistics.views == total)
        #expect(statistics.batches >= 1 && statistics.batches <= threads * callsPerThread)
    }

    @Test func nothingToRecordWritesNothing() throws {
        let database = try QuanziDatabase.temporary()
        defer { try? database.removeFiles() }
        let recorder = ViewRecorder(database: database)
        try recorder.record([], at: 1_000)
        #expect(recorder.currentStatistics.batches == 0 && recorder.currentStatistics.views == 0)
    }

    /// A failed commit reaches the callers whose views it held, as a storage error.
    @Test func aFailedCommitIsReported() throws {
        let database = try QuanziDatabase.temporary()
        defer { try? database.removeFiles() }
        try database.pool.write { db in try db.execute(sql: "CREATE TRIGGER refuse_views BEFORE INSERT ON page_views BEGIN SELECT RAISE(ABORT, 'disk says no'); END") }
        let recorder = ViewRecorder(database: database)
        let view = ViewRecorder.View(postID: 1, circleID: CircleID("nearby"), viewerID: UserID(2), authorID: UserID(3))
        #expect {
            try recorder.record([view], at: 1_000)
        } throws: { error in
            (error as? QuanziError)?.code == .storageFailure && "\(error)".contains("disk says no")
        }
    }
}
