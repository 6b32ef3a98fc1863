import Core
import Experiments
import Foundation
import GRDB
import PropertyBased
import Social
import StorageModel
import Testing

@testable import SQLiteStorage

/// Views are stored a page to a row (`page_views`); everything that counts views expands pages
/// into posts, and databases from before the change keep every view they had.
@Suite("feed views: a page to a row")
struct PageViewTests {
    static let viewsMetric = MetricDefinition(id: "views", kind: .mean(.init(event: "post.viewed")))
    static let viewsReceived = MetricDefinition(
        id: "views_received", kind: .mean(.init(event: "post.viewed")), attribution: .target)
    static let spec = ExperimentSpec(
        id: "e1", traffic: 1, variants: [.init(name: "control", weight: 0.5), .init(name: "treatment", weight: 0.5)],
        primaryMetric: "views", guardrails: [], sequential: false, preperiodDays: 0)

    @Test("id lists survive encoding, whatever the ids")
    func idListsRoundTrip() async {
        await propertyCheck(count: 300, input: Gen.int64(in: Int64.min + 1...Int64.max).array(of: 0...30)) { ids in
            #expect((try? PageViewLog.decode(PageViewLog.encode(ids))) == ids)
        }
    }

    @Test("a list that is not a JSON array of integers is refused, not skipped")
    func malformedIdListsAreRefused() throws {
        #expect(try PageViewLog.decode(" [ 1, 2 ,3 ] ") == [1, 2, 3])
        #expect(try PageViewLog.decode("[]") == [])
        for text in ["", "[", "1,2", "[1,]", "[,1]", "[1 2]", "[- 1]", "[1,2]]", "[a]", "[1.5]", "[--1]", "[99999999999999999999]", "[1][2]"] {
            #expect(throws: CorruptPageView.self, "\(text)") { try PageViewLog.decode(text) }
        }
    }

    @Test("a feed call's views make one page per viewer and circle, posts in order")
    func viewsGroupIntoPages() {
        func view(_ post: Int64, viewer: Int64, circle: String = "nearby", author: Int64 = 100) -> RecordedView {
            RecordedView(postID: post, circleID: CircleID(circle), viewerID: UserID(viewer), authorID: UserID(author))
        }
        let pages = ViewedPage.pages(
            of: [view(3, viewer: 1), view(1, viewer: 2), view(2, viewer: 1, author: 101), view(9, viewer: 1, circle: "campus")],
            at: 50)
        #expect(pages.map(\.viewerID) == [UserID(1), UserID(2), UserID(1)])
        #expect(pages.map(\.postIDs) == [[3, 2], [1], [9]] && pages[0].authorIDs == [100, 101])
        #expect(pages.allSatisfy { $0.atEpochSeconds == 50 })
    }

    /// Each post of a page counts once for the viewer (actor metrics) and once for its author
    /// (target metrics), after the viewer's exposure only.
    @Test func metricsCountEveryPostOfAPage() throws {
        let database = try QuanziDatabase.temporary()
        defer { try? database.removeFiles() }
        try Self.addUsers(1...3, to: database)
        #expect(try ExperimentStore(database: database).recordExposure(experiment: "e1", user: UserID(1), variant: "control", at: 100))
        #expect(try ExperimentStore(database: database).recordExposure(experiment: "e1", user: UserID(2), variant: "control", at: 100))
        let recorder = ViewRecorder(database: database)
        func page(_ posts: [Int64], viewer: Int64, authors: [Int64]) -> [RecordedView] {
            zip(posts, authors).map { RecordedView(postID: $0, circleID: CircleID("nearby"), viewerID: UserID(viewer), authorID: UserID($1)) }
        }
        try recorder.record(page([1, 2, 3], viewer: 1, authors: [2, 2, 3]), at: 50)  // before exposure
        try recorder.record(page([4, 5, 6], viewer: 1, authors: [2, 2, 3]), at: 150)
        try recorder.record(page([7], viewer: 3, authors: [2]), at: 160)
        let observed = try MetricReader(database: database).observations(
            for: Self.spec, metrics: [Self.viewsMetric, Self.viewsReceived], excluding: [])
        let control = try #require(observed.variants.first { $0.name == "control" })
        #expect(control.users == 2)
        #expect(control.metrics["views"]?.sumValue == 3, "user 1's three views after exposure")
        #expect(control.metrics["views_received"]?.sumValue == 3, "user 2 authored two posts user 1 saw and one user 3 saw")
    }

    /// A database written before pages existed: its `post.viewed` events move to `page_views`
    /// (one page each), the seen index and metrics read them from there exactly once, and the
    /// events themselves stay (append-only).
    @Test func earlierViewEventsMoveToPageViews() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("quanzi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("old.sqlite").path
        do {
            let old = try DatabaseQueue(path: path)
            try Migrations.migrator.migrate(old, upTo: "v3-events-drop-kind-at-index")
            try old.write { db in
                for (post, at) in [(1, 1_000), (2, 1_001), (3, 1_002)] {
                    try db.execute(
                        sql: "INSERT INTO events (kind, at, user_id, circle_id, post_id, target_user_id) VALUES ('post.viewed', ?, 2, 'nearby', ?, 3)",
                        arguments: [at, post])
                }
                try db.execute(sql: "INSERT INTO events (kind, at, user_id, circle_id, post_id) VALUES ('like.created', 1003, 2, 'nearby', 1)")
            }
        }
        let database = try QuanziDatabase(path: path)
        defer { try? database.pool.close() }
        // Every migration after v3 runs now; the one under test comes first.
        #expect(database.migrationsApplied.first == "v4-page-views")
        let (pages, viewEvents, viewerIndexes) = try database.pool.read { db in
            (try String.fetchAll(db, sql: "SELECT viewer_id || ' ' || circle_id || ' ' || at || ' ' || post_ids || ' ' || author_ids FROM page_views ORDER BY id"),
             try Int.fetchOne(db, sql: "SELECT count(*) FROM events WHERE kind = 'post.viewed'") ?? 0,
             try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE name = 'events_viewer_seen'") ?? 0)
        }
        #expect(pages == ["2 nearby 1000 [1] [3]", "2 nearby 1001 [2] [3]", "2 nearby 1002 [3] [3]"])
        #expect(viewEvents == 3 && viewerIndexes == 0)
        #expect(try ViewRecorder(database: database).seenPostIDs(UserID(2), circle: CircleID("nearby"), since: 0, before: 2_000) == [1, 2, 3])
        try Self.addUsers(1...3, to: database)
        #expect(try ExperimentStore(database: database).recordExposure(experiment: "e1", user: UserID(2), variant: "treatment", at: 900))
        let observed = try MetricReader(database: database).observations(for: Self.spec, metrics: [Self.viewsMetric], excluding: [])
        #expect(observed.variants.first { $0.name == "treatment" }?.metrics["views"]?.sumValue == 3, "each view once, not twice")
        #expect(throws: (any Error).self) { try database.pool.write { db in try db.execute(sql: "DELETE FROM page_views") } }
    }

    /// A viewer with more pages in the window than the seen index keeps posts: a fresh process
    /// reads only the newest pages, and they are the ones that count.
    @Test func aLongHistoryLoadsItsNewestPages() throws {
        let database = try QuanziDatabase.temporary()
        defer { try? database.removeFiles() }
        let pages = SeenPostsIndex.postsPerEntryMax + 300  // under the index's own trimming threshold
        try database.bulkWrite { writer in
            for post in 1...pages {
                try writer.recordView(Int64(post), circle: CircleID("nearby"), by: UserID(7), author: UserID(3), at: Int64(10_000 + post))
            }
        }
        let reopened = try QuanziDatabase(path: database.path)
        defer { try? reopened.pool.close() }
        let seen = try ViewRecorder(database: reopened).seenPostIDs(UserID(7), circle: CircleID("nearby"), since: 0, before: 1_000_000)
        #expect(seen == Set((pages - SeenPostsIndex.postsPerEntryMax + 1...pages).map(Int64.init)))
    }

    static func addUsers(_ ids: ClosedRange<Int64>, to database: QuanziDatabase) throws {
        try database.bulkWrite { writer in
            for id in ids { try writer.insertUser(UserProfile(id: UserID(id)), isAdmin: false) }
        }
    }
}
