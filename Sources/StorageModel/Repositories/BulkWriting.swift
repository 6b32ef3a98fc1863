import Core
import Social

/// Many writes in one transaction (one commit): seeding the demo world, loading simulations and
/// test fixtures. Each method runs the same SQL as the single-write stores, events included.
/// SQLiteStorage's `BulkWriter` (SQLite) and PostgresSQLiteStorage's `PostgresBulkWriter` implement it;
/// ``StorageBackend/bulkWrite(_:)`` hands one out.
public protocol BulkWriting {
    func insertUser(_ user: UserProfile, isAdmin: Bool) throws
    func befriend(_ first: UserID, _ second: UserID, at now: Int64) throws
    func createPost(circle: CircleID, author: UserID, kind: PostKind, body: String, verdict: ModerationVerdict, at now: Int64) throws -> Post
    /// Likes unless already liked; returns whether a like was added.
    @discardableResult
    func like(_ postID: Int64, by user: UserID, at now: Int64) throws -> Bool
    func comment(on postID: Int64, by user: UserID, body: String, at now: Int64) throws
    /// Reports a post (`already_reported` the second time, without ending the transaction);
    /// returns whether the report pushed it over `hideAtReports`.
    @discardableResult
    func report(_ postID: Int64, by user: UserID, reason: String, hideAtReports: Int, at now: Int64) throws -> Bool
    /// A `report.created` event against `author` without a report row: for simulations and
    /// tests of metrics, where the post itself does not matter.
    func recordReport(on author: UserID, by reporter: UserID?, at now: Int64) throws
    func bumpAffinity(viewer: UserID, author: UserID, _ interaction: Affinity.Interaction, at now: Int64) throws
    func recordView(_ postID: Int64, circle: CircleID, by user: UserID, author: UserID, at now: Int64) throws
}

extension BulkWriting {
    public func insertUser(_ user: UserProfile) throws { try insertUser(user, isAdmin: false) }

    public func recordReport(on author: UserID, at now: Int64) throws { try recordReport(on: author, by: nil, at: now) }
}
