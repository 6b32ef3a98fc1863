import Core
import GRDB
import Social

/// Many writes in one transaction (one fsync) on SQLite: StorageModel's `BulkWriting`, for
/// seeding a world and loading simulations. Each method runs the same SQL as the single-write
/// stores, events included.
public struct BulkWriter: BulkWriting {
    let db: Database

    public func insertUser(_ user: UserProfile, isAdmin: Bool) throws {
        try UserStore.insert(user, isAdmin: isAdmin, in: db)
    }

    public func befriend(_ first: UserID, _ second: UserID, at now: Int64) throws {
        try FriendStore.befriend(first, second, at: now, db)
    }

    public func createPost(circle: CircleID, author: UserID, kind: PostKind, body: String, verdict: ModerationVerdict, at now: Int64) throws -> Post {
        try PostStore.create(circle: circle, author: author, kind: kind, body: body, verdict: verdict, at: now, db)
    }

    /// Likes unless already liked; returns whether a like was added.
    @discardableResult
    public func like(_ postID: Int64, by user: UserID, at now: Int64) throws -> Bool {
        try PostStore.like(postID, by: user, at: now, db)
    }

    public func comment(on postID: Int64, by user: UserID, body: String, at now: Int64) throws {
        _ = try PostStore.comment(on: postID, by: user, body: body, at: now, db)
    }

    @discardableResult
    public func report(_ postID: Int64, by user: UserID, reason: String, hideAtReports: Int, at now: Int64) throws -> Bool {
        try PostStore.report(postID, by: user, reason: reason, hideAtReports: hideAtReports, at: now, db)
    }

    /// A `report.created` event against `author` without a report row: for simulations and
    /// tests of metrics, where the post itself does not matter.
    public func recordReport(on author: UserID, by reporter: UserID?, at now: Int64) throws {
        try EventLog.append(Event(kind: .reportCreated, at: now, userID: reporter, targetUserID: author), in: db)
    }

    public func bumpAffinity(viewer: UserID, author: UserID, _ interaction: Affinity.Interaction, at now: Int64) throws {
        try AffinityStore.bump(viewer: viewer, author: author, interaction, at: now, db)
    }

    public func recordView(_ postID: Int64, circle: CircleID, by user: UserID, author: UserID, at now: Int64) throws {
        try PageViewLog.append(
            ViewedPage(viewerID: user, circleID: circle, atEpochSeconds: now, postIDs: [postID], authorIDs: [author.rawValue]), in: db)
    }
}

extension QuanziDatabase {
    /// Runs `body` in one write transaction. Views written here bypass `ViewRecorder`, so the
    /// seen index rereads them afterwards. Grouped (`.singleThread`, a simulation's seeding), it
    /// runs without a savepoint of its own (`writeCheckingFirst`): a bulk body overflows its
    /// sub-journal's memory at once, and the sub-journal then stayed a file, with pwrites, for
    /// every later write of the group. A bulk body that throws fails the seeding anyway.
    public func bulkWrite<T>(_ body: (BulkWriter) throws -> T) throws -> T {
        defer { seenPostsIndex.reloadAll() }
        return try writeCheckingFirst { db in try body(BulkWriter(db: db)) }
    }
}
