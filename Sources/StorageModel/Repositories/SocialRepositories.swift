import Core
import Social

// The storage protocols: what the service needs from a backend, whichever it is. `UserStore`
// and its siblings implement them on the embedded SQLite database (GRDB); PostgresStorage
// implements them on PostgreSQL. Each requirement keeps the SQLite store's signature, errors
// included (typed `QuanziError` where the store throws one).

/// People: identity attributes rules read, and who is an admin.
public protocol UserRepository: Sendable {
    func insert(_ user: UserProfile, isAdmin: Bool) throws
    func user(_ id: UserID) throws -> UserProfile?
    /// The profiles of `ids` that exist.
    func users(_ ids: [UserID]) throws -> [UserProfile]
    /// `user_not_found` when there is no such user.
    func require(_ id: UserID) throws -> UserProfile
    func isAdmin(_ id: UserID) throws -> Bool
    func count() throws -> Int
    func page(afterID: UserID?, limit: Int) throws -> [UserProfile]
}

/// The social graph: requests, friendships.
public protocol FriendRepository: Sendable {
    func sendRequest(from: UserID, to: UserID, at now: Int64) throws(QuanziError) -> FriendRequest
    func decide(requestID: Int64, by user: UserID, accept: Bool, at now: Int64) throws(QuanziError) -> FriendRequest
    func remove(_ user: UserID, friend: UserID, at now: Int64) throws(QuanziError)
    func befriend(_ first: UserID, _ second: UserID, at now: Int64) throws
    func areFriends(_ first: UserID, _ second: UserID) throws -> Bool
    func friends(of user: UserID) throws -> [UserID]
    func pendingRequests(to user: UserID) throws -> [FriendRequest]
}

/// Posts, comments, likes and reports, each stored with its event.
public protocol PostRepository: Sendable {
    /// Records the loaded circles (posts reference them).
    func syncCircles(_ circles: [CircleDefinition]) throws
    func create(circle: CircleID, author: UserID, kind: PostKind, body: String, verdict: ModerationVerdict, at now: Int64) throws(QuanziError) -> Post
    func posts(_ ids: [Int64]) throws -> [Int64: Post]
    func post(_ id: Int64) throws -> Post?
    func requireVisible(_ id: Int64) throws(QuanziError) -> Post
    func delete(_ id: Int64, by user: UserID, at now: Int64) throws(QuanziError)
    /// A held comment (`verdict` not visible) is stored hidden and queued, neither counted nor
    /// announced (`comment.hidden` instead of `comment.created`) until a moderator approves it.
    func comment(on postID: Int64, by user: UserID, body: String, verdict: ModerationVerdict, at now: Int64) throws(QuanziError) -> Comment
    func comments(on postID: Int64, afterID: Int64, limit: Int) throws -> [Comment]
    func like(_ postID: Int64, by user: UserID, at now: Int64) throws(QuanziError)
    /// The user's "show less" on a visible post (with a `post.show_less` event); false when they
    /// had marked it already (nothing is written).
    @discardableResult
    func showLess(_ postID: Int64, by user: UserID, at now: Int64) throws(QuanziError) -> Bool
    /// Returns whether this report hid the post.
    @discardableResult
    func report(_ postID: Int64, by user: UserID, reason: String, hideAtReports: Int, at now: Int64) throws(QuanziError) -> Bool
    func moderationOutcomes(of user: UserID) throws -> (held: Int, removed: Int)
}

/// Viewer→author affinity.
public protocol AffinityRepository: Sendable {
    func affinity(from viewer: UserID, to author: UserID, at now: Int64) throws -> Double
    func bump(viewer: UserID, author: UserID, _ interaction: Affinity.Interaction, at now: Int64) throws
    /// Many interactions in one transaction, in order, each at its own time.
    func bump(_ bumps: [AffinityBump]) throws
}


extension UserRepository {
    /// A user who is not an admin.
    public func insert(_ user: UserProfile) throws { try insert(user, isAdmin: false) }
}

extension PostRepository {
    public func comments(on postID: Int64) throws -> [Comment] { try comments(on: postID, afterID: 0, limit: 50) }

    /// A comment no moderation held.
    public func comment(on postID: Int64, by user: UserID, body: String, at now: Int64) throws(QuanziError) -> Comment {
        try comment(on: postID, by: user, body: body, verdict: .visible, at: now)
    }
}
