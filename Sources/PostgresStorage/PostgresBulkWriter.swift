import Core
import PostgresNIO
import Social
import StorageModel

/// Many writes in one transaction (one commit) on PostgreSQL: StorageModel's `BulkWriting`, as
/// Storage's `BulkWriter` is on SQLite. Each method runs the same SQL as the single-write
/// stores, events included.
public struct PostgresBulkWriter: BulkWriting {
    let session: PostgresSession

    public func insertUser(_ user: UserProfile, isAdmin: Bool) throws {
        try PostgresUserStore.insert(user, isAdmin: isAdmin, in: session)
    }

    public func befriend(_ first: UserID, _ second: UserID, at now: Int64) throws {
        try PostgresFriendStore.befriend(first, second, at: now, session)
    }

    public func createPost(circle: CircleID, author: UserID, kind: PostKind, body: String, verdict: ModerationVerdict, at now: Int64) throws -> Post {
        try PostgresPostStore.create(circle: circle, author: author, kind: kind, body: body, verdict: verdict, at: now, session)
    }

    /// Likes unless already liked; returns whether a like was added.
    @discardableResult
    public func like(_ postID: Int64, by user: UserID, at now: Int64) throws -> Bool {
        try PostgresPostStore.like(postID, by: user, at: now, session)
    }

    public func comment(on postID: Int64, by user: UserID, body: String, at now: Int64) throws {
        _ = try PostgresPostStore.comment(on: postID, by: user, body: body, at: now, session)
    }

    @discardableResult
    public func report(_ postID: Int64, by user: UserID, reason: String, hideAtReports: Int, at now: Int64) throws -> Bool {
        try PostgresPostStore.report(postID, by: user, reason: reason, hideAtReports: hideAtReports, at: now, session)
    }

    /// A `report.created` event against `author` without a report row: for simulations and
    /// tests of metrics, where the post itself does not matter.
    public func recordReport(on author: UserID, by reporter: UserID?, at now: Int64) throws {
        try PostgresEventLog.append(Event(kind: .reportCreated, at: now, userID: reporter, targetUserID: author), in: session)
    }

    public func bumpAffinity(viewer: UserID, author: UserID, _ interaction: Affinity.Interaction, at now: Int64) throws {
        try PostgresAffinityStore.bump(viewer: viewer, author: author, interaction, at: now, session)
    }

    public func recordView(_ postID: Int64, circle: CircleID, by user: UserID, author: UserID, at now: Int64) throws {
        try PostgresPageViewLog.append(
            [ViewedPage(viewerID: user, circleID: circle, atEpochSeconds: now, postIDs: [postID], authorIDs: [author.rawValue])],
            in: session)
    }
}

extension QuanziPostgresDatabase {
    /// Runs `body` once, in one write transaction. Never rerun: bodies count what they wrote
    /// and draw random numbers as they go (seeding), which a rerun would repeat. Bulk writes run
    /// on a quiet database, so PostgreSQL has no reason to ask for one.
    public func bulkWrite<T>(_ body: (PostgresBulkWriter) throws -> T) throws -> T {
        try write(attemptsMax: 1) { session in try body(PostgresBulkWriter(session: session)) }
    }
}
